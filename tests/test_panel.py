"""The Compute panel's widget tree, driven as a user would (without a browser): the list follows the
workspace, forms validate as you type with nothing sent, preview/copy give the request, magic and YAML,
Create starts a live bar, and row actions act. The browser tests of the docked panel belong to issue 6."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from jupyter_compute import AmlComputeSpec, Workspace
from jupyter_compute.panel import ComputePanel


@pytest.fixture
def panel() -> Iterator[ComputePanel]:
    p = ComputePanel(Workspace.local())
    yield p
    p.close()


def row_names(p: ComputePanel) -> list[str]:
    return [
        r.children[0].value.split("</b>")[0].split("<b>")[-1] for r in p.rows.children if getattr(r, "children", None)
    ]


def until(check, seconds: float = 20) -> None:  # type: ignore[no-untyped-def]
    deadline = time.time() + seconds
    while time.time() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError("the panel did not update in time")


def test_invalid_name_shows_the_field_error_and_sends_nothing(panel: ComputePanel) -> None:
    form = panel.form
    assert form is not None
    form.inputs["name"].value = "cpu-cluster-1"
    assert "not ending in '-' followed by digits" in form.errors["name"].value
    form.inputs["max_instances"].value = "0"
    assert "out of range" in form.errors["max_instances"].value
    assert panel.create() is None and "nothing was sent" in panel.output.value
    assert Workspace.local().list() == []


def test_each_field_appears_once(panel: ComputePanel) -> None:
    assert panel.form is not None
    descriptions = [box.children[0].description for section in (panel.form.widget.children[:-1],) for box in section]
    assert descriptions.count("name") == 1 and descriptions[0] == "name"
    shown = {box.children[0] for box in panel.form.widget.children[:-1]}
    assert panel.form.inputs["name"] in shown, "the name typed in is the name used"


def test_sizes_come_from_the_workspace_with_their_shape(panel: ComputePanel) -> None:
    assert panel.form is not None
    labels = [label for label, _ in panel.form.inputs["size"].options]
    assert any(label.startswith("Standard_DS3_v2 · 4 vCPU · 14 GB") for label in labels)
    assert any("GPU" in label for label in labels)


def test_preview_and_copy(panel: ComputePanel) -> None:
    form = panel.form
    assert form is not None
    form.inputs["name"].value = "panel-cl"
    form.inputs["size"].value = "Standard_DS3_v2"
    form.inputs["max_instances"].value = "3"
    form.inputs["tier"].value = "low_priority"
    request = panel.preview()
    assert request is not None and request["method"] == "PUT"
    assert request["body"]["properties"]["properties"]["vmPriority"] == "LowPriority"
    assert '"maxNodeCount": 3' in panel.output.value
    assert panel.copy_magic() == (
        "%compute create cluster panel-cl --size Standard_DS3_v2 --tier low_priority --max-instances 3"
    )
    yaml_text = panel.copy_yaml()
    assert yaml_text is not None and yaml_text.startswith("%%compute create\nname: panel-cl\ntype: amlcompute")


def test_attach_form_hides_the_secret(panel: ComputePanel) -> None:
    panel.kind.value = "databricks"
    form = panel.form
    assert form is not None
    form.inputs["name"].value = "panel-dbx"
    form.inputs["resource_id"].value = (
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/"
        "providers/Microsoft.Databricks/workspaces/w"
    )
    form.inputs["access_token"].value = "panel-token-9911"
    request = panel.preview()
    assert request is not None and "panel-token-9911" not in json.dumps(request) + panel.output.value
    magic = panel.copy_magic()
    assert magic is not None and "panel-token-9911" not in magic and "--access-token-env ACCESS_TOKEN" in magic


def test_create_shows_a_bar_and_the_row_then_delete(panel: ComputePanel) -> None:
    form = panel.form
    assert form is not None
    form.inputs["name"].value = "panel-cl"
    form.inputs["max_instances"].value = "1"
    op = panel.create()
    assert op is not None
    until(lambda: "panel-cl" in row_names(panel))
    op.wait(30)
    until(lambda: any("Succeeded" in r.children[0].value for r in panel.rows.children))
    delete = next(b for b in panel.rows.children[0].children[1].children if b.description == "delete")
    delete.click()
    until(lambda: "panel-cl" not in row_names(panel))


def test_computes_made_elsewhere_appear_within_a_poll(panel: ComputePanel) -> None:
    op = Workspace.local().create(AmlComputeSpec.from_keywords(name="from-magic", max_instances=1))
    until(lambda: "from-magic" in row_names(panel), seconds=5)
    until(lambda: bool(panel.ops.children) or op.done(), seconds=5)
    op.wait(30)


def test_instance_rows_have_power_actions(panel: ComputePanel) -> None:
    from jupyter_compute import ComputeInstanceSpec

    Workspace.local().create(ComputeInstanceSpec.from_keywords(name="panel-ci")).wait(30)
    panel.refresh()
    row = next(r for r in panel.rows.children if "panel-ci" in r.children[0].value)
    labels = [b.description for b in row.children[1].children]
    assert labels == ["start", "stop", "restart", "delete"]
    next(b for b in row.children[1].children if b.description == "stop").click()
    until(
        lambda: "Stopped" in next(r for r in panel.rows.children if "panel-ci" in r.children[0].value).children[0].value
    )


def test_the_magic_shows_the_same_panel(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from IPython.core.interactiveshell import InteractiveShell

    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    ip = InteractiveShell.instance()
    try:
        ip.run_line_magic("load_ext", "jupyter_compute")
        first = ip.run_line_magic("compute", "panel")
        again = ip.run_line_magic("compute", "panel")
        assert "jupyter-compute-panel" in first._dom_classes and first is again
    finally:
        from jupyter_compute import panel as panel_module

        for built in panel_module._panels.values():
            built.close()
        panel_module._panels.clear()
        InteractiveShell.clear_instance()
