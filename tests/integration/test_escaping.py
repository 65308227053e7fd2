"""Nothing from a file, the environment or the service runs as script, or drives the terminal.

Given a config.json, or a service answer (tests/hostile_arm.py), whose strings carry HTML that would
close an attribute or open a tag, and terminal escape sequences: the panel, its tools and bars and the
HTML tables show them as text, with no event handler or active tag; the workspace fields are checked
by Azure's naming rules before any use and every ARM path segment is percent-encoded; the CLI prints
no control characters.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from jupyter_compute import Workspace, settings
from jupyter_compute.errors import ValidationError
from jupyter_compute.render.bars import bar_html
from jupyter_compute.render.prices import costs_html
from jupyter_compute.render.tables import computes_html
from jupyter_compute.service.ref import WorkspaceRef, read_config
from jupyter_compute.ui import panel as panel_module
from jupyter_compute.ui.panel import ComputePanel
from jupyter_compute.ui.panel.tools import ComputeTools
from jupyter_compute.ui.progress_bar import OperationBar

from conftest import until
from hostile_arm import GOOD_LINK, HOSTILE, HOSTILE_NAME, INSTANCE, RG, SCRIPT, SUB, WS, HostileArm, hostile_arm
from html_helpers import attribute, inert, visible

ATTRIBUTE_BREAKER = "' onanimationstart='alert(1)"
GOOD = {"subscription_id": SUB, "resource_group": RG, "workspace_name": WS}
# Any C0 control but newline and tab, DEL, any C1 control (ESC, BEL, CR, CSI 0x9b …).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.fixture(autouse=True)
def no_cached_panels() -> Iterator[None]:
    """Every test builds its own panels (the module keeps one per workspace)."""
    yield
    for built in panel_module._panels.values():
        built.close()
    panel_module._panels.clear()


@pytest.fixture
def arm(monkeypatch: pytest.MonkeyPatch) -> Iterator[HostileArm]:
    with hostile_arm() as server, settings.override(access_token="test-token"):
        yield server


def hostile_workspace(arm: HostileArm, resource_group: str = RG, name: str = WS) -> Workspace:
    """A workspace on the hostile server; built past validation, as if a field had slipped through."""
    ref = WorkspaceRef(SUB, resource_group, name, endpoint=arm.url)
    return Workspace.shared(ref)


def write_config(folder: Path, **fields: str) -> Path:
    path = folder / "config.json"
    path.write_text(json.dumps({**GOOD, **fields}), encoding="utf-8")
    return path


# --- the workspace's fields --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "field"),
    [("subscription_id", "subscription"), ("resource_group", "resource_group"), ("workspace_name", "workspace")],
)
def test_a_config_json_field_with_script_is_refused_naming_the_field(tmp_path: Path, key: str, field: str) -> None:
    """Given a config.json with an attribute-breaking payload in one field, when it is read, then it is
    refused before any use, naming that field and Azure's rule."""
    with pytest.raises(ValidationError) as refused:
        read_config(write_config(tmp_path, **{key: ATTRIBUTE_BREAKER}))
    assert [p.field for p in refused.value.problems] == [field]
    assert ATTRIBUTE_BREAKER in str(refused.value)


@pytest.mark.parametrize("group", ["r", "my-rg_(1).x", "ünïcode-rg", "a" * 90, "(rg)"])
def test_resource_groups_azure_allows_are_accepted(group: str) -> None:
    assert WorkspaceRef.azure(SUB, group, WS).resource_group == group


@pytest.mark.parametrize("group", ["", "rg.", "a" * 91, "a/b", "a b", "rg?x", "rg#", "rg\n", "<b>", "rg'"])
def test_resource_groups_azure_refuses_are_refused(group: str) -> None:
    with pytest.raises(ValidationError) as refused:
        WorkspaceRef.azure(SUB, group, WS)
    assert [p.field for p in refused.value.problems] == ["resource_group"]
    assert "1 to 90 characters" in str(refused.value)


@pytest.mark.parametrize("subscription", [SUB + "\n", SUB + "0", "not-a-guid", ""])
def test_a_subscription_must_be_exactly_a_guid(subscription: str) -> None:
    with pytest.raises(ValidationError) as refused:
        WorkspaceRef.azure(subscription, RG, WS)
    assert [p.field for p in refused.value.problems] == ["subscription"]


def test_every_arm_path_segment_is_percent_encoded() -> None:
    """Given fields that would change an ARM path ('/', '?', '#', '..'), when URLs are built, then each
    stays inside its own segment, and the path reads back to the same fields."""
    ref = WorkspaceRef("s/../x", "g/h?i#j", "w s/../k", endpoint="http://127.0.0.1:9")
    compute = ref.compute_url("n/../m?x", "start")
    path = urlsplit(compute).path
    assert urlsplit(compute).query.startswith("api-version="), "nothing leaked into the query"
    segments = [unquote(s) for s in path.split("/")]
    assert segments == [
        "",
        "subscriptions",
        "s/../x",
        "resourceGroups",
        "g/h?i#j",
        "providers",
        "Microsoft.MachineLearningServices",
        "workspaces",
        "w s/../k",
        "computes",
        "n/../m?x",
        "start",
    ]
    location = [unquote(s) for s in urlsplit(ref.location_url("east/us?", "vmSizes")).path.split("/")]
    assert location == ["", "subscriptions", "s/../x", "providers", "Microsoft.MachineLearningServices"] + [
        "locations",
        "east/us?",
        "vmSizes",
    ]
    assert urlsplit(ref.computes_url()).path.count("/") == 9


# --- the panel -----------------------------------------------------------------------------------


def test_the_panel_opens_on_an_invalid_config_json_and_says_why_as_text(tmp_path: Path) -> None:
    """Given a config.json with a payload in every field, when %compute panel opens, then it shows the
    local workspace, and under its header what is wrong with the file: the payload as text, inert."""
    write_config(tmp_path, subscription_id=ATTRIBUTE_BREAKER, resource_group=ATTRIBUTE_BREAKER, workspace_name=SCRIPT)
    panel_module.show_panel(SimpleNamespace(workspace=None))
    shown = panel_module._panels[WorkspaceRef.local_workspace()]
    assert shown.ws.ref.local
    notice = shown.notice.value
    assert inert(notice) == [] and inert(shown.header.value) == []
    said = visible(notice)
    assert "not usable" in said and "subscription" in said and "resource_group" in said and "workspace" in said
    assert ATTRIBUTE_BREAKER in said and repr(SCRIPT) in said  # the problems quote the values


def test_azure_fields_typed_with_script_are_refused_as_text_and_the_panel_stays() -> None:
    """Given the panel on the local workspace, when "an Azure workspace…" is given payloads, then the
    message says which fields break Azure's rules (as text) and the panel stays on the local workspace."""
    panel = ComputePanel(Workspace.local())
    try:
        for key, value in (("subscription_id", ATTRIBUTE_BREAKER), ("resource_group", SCRIPT), ("name", "w<b>")):
            panel.azure_fields[key].value = value
        panel.use_azure()
        assert panel.ws.ref.local
        message = panel.message.value
        assert inert(message) == []
        assert "subscription" in visible(message) and "resource_group" in visible(message)
        assert ATTRIBUTE_BREAKER in visible(message)
    finally:
        panel.close()


def test_panel_header_escapes_its_title_even_past_validation(arm: HostileArm) -> None:
    """Given a workspace whose resource group breaks out of an attribute (had it slipped past the
    checks), when the panel opens, then the header's title holds it as text and nothing in it runs."""
    panel = ComputePanel(hostile_workspace(arm, resource_group=ATTRIBUTE_BREAKER))
    try:
        header = panel.header.value
        assert inert(header) == [], header
        # The title's own element: the bill's span, with a title of its own, may land at any time (its thread).
        assert attribute(header, "title", tag="b") == [panel.ws.ref.describe()]
        assert ATTRIBUTE_BREAKER in attribute(header, "title", tag="b")[0]
        assert visible(header).startswith("Compute")
    finally:
        panel.close()


def test_hostile_service_strings_are_text_in_the_panel_tools_bars_and_tables(arm: HostileArm) -> None:
    """Given a service whose compute names, descriptions, tags, sizes and errors are hostile, when the
    panel lists them, opens a compute's details and follows a failing start, then every piece of HTML is
    inert and shows the strings as text; the list's rows stay plain data (drawn with textContent)."""
    ws = hostile_workspace(arm)
    panel = ComputePanel(ws)
    try:
        assert {row["name"] for row in panel.table.rows} == {INSTANCE, HOSTILE_NAME}
        assert inert(panel.header.value) == []

        panel.act("details", HOSTILE_NAME)
        assert isinstance(panel.tools, ComputeTools)
        heading, details = panel.tools.widget.children[0].children[0], panel.tools.widget.children[1]
        for part in (heading.value, details.value):
            assert inert(part) == [], part
        assert HOSTILE_NAME in visible(heading.value)
        assert "<img src=x onerror=alert(1)>" in visible(details.value)  # the description, as YAML

        op = panel.act("restart", INSTANCE)  # Running: restart is offered (start is not)
        assert op is not None
        until(op.done)
        bar = OperationBar(op)
        try:
            title, info, drawn = bar.drawn["title"], bar.drawn["info"], bar.view.value
        finally:
            bar.finish()
        assert inert(title) == [] and inert(info) == [] and inert(drawn) == []
        assert HOSTILE in visible(info) and SCRIPT in visible(title + info)
        static = str(bar_html(op))  # what the bar leaves in the cell once it ended
        assert inert(static) == [] and HOSTILE in visible(static) and SCRIPT in visible(static)
        # The row's bar is drawn while the restart runs too: wait for the drawing of its end.
        until(lambda: (panel.rows_by_name()[INSTANCE]["bar"] or {}).get("error"))
        assert HOSTILE in panel.rows_by_name()[INSTANCE]["bar"]["error"]

        table = str(computes_html(ws.list()))  # what a notebook shows for the list
        assert inert(table) == []
        assert HOSTILE_NAME in visible(table) and HOSTILE in visible(table)
        bill = str(costs_html(ws.costs()))  # what a notebook shows for `%compute costs`
        assert inert(bill) == [] and HOSTILE_NAME in visible(bill)

        assert panel.form is not None
        sizes = [label for label, _ in panel.form.inputs["size"].options]
        assert any(label.startswith(HOSTILE) for label in sizes), "option labels are text (the widget's own)"
    finally:
        panel.close()


def test_a_hostile_listing_error_is_text_in_the_panel(arm: HostileArm) -> None:
    """Given a workspace the service refuses with a hostile error, when the panel lists it, then its
    message says so as text."""
    panel = ComputePanel(hostile_workspace(arm, name="gone"))
    try:
        problem = panel.table.problem  # drawn with textContent (static/table.js); HTML only in the fallback
        assert "Could not list the workspace" in problem and HOSTILE.split("\x1b")[0] in problem
        shown = panel.widget._repr_mimebundle_()["text/html"]
        assert inert(shown) == [] and "Could not list the workspace" in visible(shown)
    finally:
        panel.close()


# --- the terminal --------------------------------------------------------------------------------


def cli(arm: HostileArm, *words: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "AZUREML_ARM_SUBSCRIPTION": SUB,
        "AZUREML_ARM_RESOURCEGROUP": RG,
        "AZUREML_ARM_WORKSPACE_NAME": WS,
        "JUPYTER_COMPUTE_ARM_ENDPOINT": arm.url,
        "JUPYTER_COMPUTE_ACCESS_TOKEN": "test-token",
    }
    return subprocess.run(
        [sys.executable, "-m", "jupyter_compute.frontends.cli", *words],
        capture_output=True,
        text=True,
        env=env,
        timeout=90,
    )


@pytest.mark.parametrize(
    ("words", "code", "shows"),
    [
        (("list",), 0, HOSTILE_NAME),
        (("show", INSTANCE), 0, SCRIPT),
        (("start", INSTANCE), 1, SCRIPT),
        (("show", "missing1"), 1, SCRIPT),
        (("list", "-o", "yaml"), 0, "pwned"),
        (("costs",), 0, HOSTILE_NAME),
    ],
)
def test_the_cli_prints_no_control_characters_from_the_service(
    arm: HostileArm, words: tuple[str, ...], code: int, shows: str
) -> None:
    """Given a service whose names, descriptions and errors carry escape codes (retitle, clear screen,
    carriage return, bell), when the CLI prints them, then stdout and stderr hold the visible text and
    no control character (so nothing retitles, clears or rewrites the terminal)."""
    result = cli(arm, *words)
    assert result.returncode == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    for stream in (result.stdout, result.stderr):
        assert CONTROL.findall(stream) == [], repr(stream)
    printed = CONTROL.sub("", result.stdout + result.stderr)
    visible_part = CONTROL.sub("", re.sub(r"\x1b\][^\x07]*\x07|\x1b\[[0-9;]*[A-Za-z]", "", shows))
    assert visible_part.split("'")[0] in printed


def test_a_compute_list_in_terminal_ipython_has_no_control_characters(arm: HostileArm) -> None:
    """Given the hostile service, the text repr of a listing (what terminal IPython prints) is clean."""
    shown = str(hostile_workspace(arm).list())
    assert CONTROL.findall(shown.replace("\n", "")) == []
    assert "c<b onclick=alert(4)>'\"" in shown


# --- how to connect (issue 13, point 9) ------------------------------------------------------------


def test_show_in_the_cli_prints_no_script_link_and_no_injectable_ssh_command(arm: HostileArm) -> None:
    """Given an instance whose applications carry a ``javascript:`` link, an attribute-breaking link and
    hostile labels, and whose SSH user would run a command, when ``jupyter compute show`` prints how to
    connect, then only the plain https link is printed, no ssh command is, and nothing drives the terminal."""
    result = cli(arm, "show", INSTANCE)
    assert result.returncode == 0, result.stderr
    assert CONTROL.findall(result.stdout) == []
    connect = result.stdout.split("\n\nConnect")[1].split("\n\n")[0]
    assert GOOD_LINK in connect and "javascript:" not in connect and "x.example" not in connect
    assert "ssh -p" not in result.stdout and "touch /tmp/pwned" not in result.stdout
    assert connect.splitlines()[-1].split(None, 1) == [
        "SSH",
        "public access enabled; no user, address and port to use yet",
    ]


def test_show_in_a_notebook_links_only_the_plain_https_address(arm: HostileArm, shell: Any) -> None:
    """Given the same instance, when ``%compute show`` displays it in a notebook, then its one anchor is the
    https link, the labels are text, nothing in the HTML could run, and there is no ssh command."""
    with settings.override(arm_endpoint=arm.url):
        compute = shell.run_line_magic(
            "compute", f"show {INSTANCE} --subscription {SUB} --resource-group {RG} --workspace {WS}"
        )
    markup = shell.display_formatter.format(compute)[0]["text/html"]
    assert inert(markup) == []
    assert attribute(markup, "href") == [GOOD_LINK]
    assert "javascript:" not in markup.lower() and "x.example" not in markup  # the dropped links: not even as text
    assert "Connect" in visible(markup) and SCRIPT.split("'")[0] in visible(markup)  # the label, as text
    assert "touch /tmp/pwned" not in markup and "ssh -p" not in markup
