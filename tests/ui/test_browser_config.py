"""A config.json with a script payload in every field, in a real JupyterLab and Debian chromium: the Compute
tab opens on the local workspace, says what is wrong with the file as text, and no script runs.

Its own module (and lab): the other browser tests share one module-scoped browser, and Playwright's sync
API cannot start a second one inside it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lab_helpers import PANEL, READY, Lab, chromium, field, isolated_env, open_panel, shot

pytestmark = pytest.mark.ui


HANDLERS_JS = """
() => [...document.querySelectorAll('.jp-ComputePanel *')].flatMap(
  el => [...el.attributes].filter(a => a.name.toLowerCase().startsWith('on')).map(a => el.tagName + ' ' + a.name))
"""
MATHJAX_JS = (
    "() => ({styles: !!document.getElementById('MJX-CHTML-styles'), global: typeof window.MathJax === 'object'})"
)


def test_a_config_json_with_script_in_every_field_opens_the_panel_with_the_text_and_no_dialog(
    tmp_path: Path,
) -> None:
    """Given a lab whose config.json has a script payload in every field, when the Compute tab opens, then
    no dialog fires, the header shows its text, the panel shows the local workspace and says what is wrong
    with the file (the payloads as text); typing payloads into "an Azure workspace…" is refused as text too.
    The sidebar never typesets (prices hold dollar signs): MathJax is not even loaded for it."""
    payloads = {
        "subscription_id": "' onanimationstart='alert(1)",
        "resource_group": "<img src=x onerror=alert(2)> costs $1 or $2",
        "workspace_name": '"><svg onload=alert(3)>',
    }
    root = tmp_path / "root"
    root.mkdir()
    (root / "config.json").write_text(json.dumps(payloads))
    lab = Lab(root, tmp_path, isolated_env(tmp_path))
    try:
        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            dialogs: list[str] = []

            def dialog(shown: Any) -> None:
                dialogs.append(shown.message)
                shown.dismiss()

            page.on("dialog", dialog)
            page.goto(lab.url("lab", reset=""))
            open_panel(page)
            notice = page.locator(f"{READY} .jupyter-compute-notice")
            notice.get_by_text("not usable", exact=False).wait_for(timeout=30_000)
            shot(page, "18-invalid-config-json")
            assert page.locator(f"{READY} .jupyter-compute-header").inner_text().startswith("Compute · 0 computes")
            said = notice.inner_text()
            assert all(value in said for value in payloads.values()), said
            choice = page.locator(f"{READY} .widget-dropdown:has(> label:text-is('Workspace')) select")
            assert choice.evaluate("e => e.selectedOptions[0].text.replace(/\\u00a0/g, ' ')") == "local (offline)"

            choice.select_option(label="an Azure workspace…")
            for label, key in (
                ("subscription", "subscription_id"),
                ("group", "resource_group"),
                ("workspace", "workspace_name"),
            ):
                field(page, label).fill(payloads[key])
            page.click(f"{READY} button:text-is('Use this workspace')")
            message = page.locator(f"{READY} .jupyter-compute-message")
            message.get_by_text("Invalid workspace", exact=False).wait_for(timeout=30_000)
            assert payloads["resource_group"] in message.inner_text()
            shot(page, "19-invalid-azure-fields")
            assert page.evaluate(HANDLERS_JS) == [], "no event-handler attribute anywhere in the panel"
            assert not page.locator(f"{PANEL} img, {PANEL} script, {PANEL} iframe").count()
            assert dialogs == []
            # Last, seconds after the panel was drawn: a typeset would have loaded MathJax by now (its first
            # use adds the CHTML stylesheet and the global), about 800 KB of script on the panel's critical path.
            assert page.evaluate(MATHJAX_JS) == {"styles": False, "global": False}
            assert (
                payloads["resource_group"] in notice.inner_text() and payloads["resource_group"] in message.inner_text()
            )
    finally:
        lab.stop()
