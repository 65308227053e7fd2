"""What a new user sees in a notebook's cells, read from a real kernel's messages: every HTML output is
safe from math rendering, and notes are quiet displays while errors stay on stderr."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jupyter_compute.render.markup import NO_MATH

from kernel_helpers import running_kernel

pytestmark = pytest.mark.kernel
MATH_SAFE = f"<div class='{NO_MATH}'>"
DISPLAYS = ("display_data", "update_display_data", "execute_result")


def htmls(messages: list[dict[str, Any]]) -> list[str]:
    return [
        m["content"]["data"]["text/html"]
        for m in messages
        if m["msg_type"] in DISPLAYS and "text/html" in m["content"].get("data", {})
    ]


def test_every_html_output_is_in_a_container_mathjax_leaves_alone(isolated_state: Path) -> None:
    """Given a finished bar with a price line ("up to 2 nodes × $0.23/h = $0.46/h"), a list, a show, the
    sizes, the bill and the notes, when a notebook shows them, then each HTML output sits in a container
    with MathJax's ignore classes (JupyterLab typesets HTML outputs: ``$…$`` would become math)."""
    with running_kernel(isolated_state, JUPYTER_COMPUTE_SPEED="200") as kernel:
        kernel.execute("%load_ext jupyter_compute")
        kernel.execute("%compute create cluster dollars --max-instances 2 --wait")
        kernel.execute("%compute create instance bare-ci --wait")
        for line in ("list", "show dollars", "sizes", "costs", "create cluster more --max-instances 4 --dry-run"):
            kernel.execute(f"%compute {line}")
        # each finished bar turns static a grace after it said its outcome (for a screen reader)
        assert kernel.collect_until(
            lambda ms: len(htmls([m for m in ms if m["msg_type"] == "update_display_data"])) >= 2
        )
    shown = htmls(kernel.messages)
    assert any("$0.23/h" in h and "jupyter-compute-static" in h for h in shown), "the finished bar says its price"
    assert any("<table" in h for h in shown) and any("jupyter-compute-notice" in h for h in shown)
    assert len(shown) >= 8 and all(h.startswith(MATH_SAFE) for h in shown), [h[:80] for h in shown]


def test_notes_are_quiet_displays_and_errors_stay_on_stderr(isolated_state: Path) -> None:
    """Given creates that come with notes (an instance without idle shutdown, a cluster that keeps a node
    on, a dry-run's price line), when they run in a notebook, then each note arrives as a display with a
    plain-text and a quiet HTML form, never as a stderr stream (JupyterLab paints those pink); a refusal
    is still an error on stderr."""
    with running_kernel(isolated_state, JUPYTER_COMPUTE_SPEED="200") as kernel:
        kernel.execute("%load_ext jupyter_compute\n%compute list")  # the local-workspace notice, out of the way
        cells = [
            kernel.execute("%compute create instance quiet-ci --no-wait"),
            kernel.execute("%compute create cluster keeps-one --min-instances 1 --max-instances 2 --dry-run"),
        ]
        refused = kernel.execute("%compute create cluster Bad_Name!")
    outputs = [m for reply in cells for m in kernel.outputs(reply)]
    assert not [m for m in outputs if m["msg_type"] == "stream" and m["content"]["name"] == "stderr"]
    notes = [m["content"]["data"] for m in outputs if m["msg_type"] == "display_data"]
    notes = [n for n in notes if "jupyter-compute-notice" in n.get("text/html", "")]
    said = [n["text/plain"] for n in notes]
    assert any(s.startswith("note: quiet-ci has no idle shutdown") for s in said), said
    assert any(s.startswith("note: keeps-one keeps 1 node on while idle") for s in said), said
    assert any(s.startswith("price: up to 2 nodes × $0.23/h") for s in said), said
    errors = [m for m in kernel.outputs(refused) if m["msg_type"] == "stream" and m["content"]["name"] == "stderr"]
    assert errors and "error:" in errors[0]["content"]["text"]
