"""One description of an operation's progress: the text bar, the final line, the summary, the panel's
bar data and the static HTML bar all say the same words, read from `describe`."""

from __future__ import annotations

import pytest

from jupyter_compute.errors import OperationFailed
from jupyter_compute.model.progress import Progress
from jupyter_compute.render.bars import bar_html
from jupyter_compute.render.describe import describe
from jupyter_compute.render.text import bar_line, final_line, summary
from jupyter_compute.service.operation import Operation, State
from jupyter_compute.transport.lro import AsyncOperation

from html_helpers import inert, visible

CREATING = Progress("Allocating nodes: 1 of 2 ready", 0.75, 1, 2, {"preparing": 1, "idle": 1}, 65.0, 12.0)


def operation(action: str = "create", target: str = "cpu-1") -> Operation:
    op = Operation(action, target, "AmlCompute", resource_url=f"https://arm/computes/{target}")
    op._accept(AsyncOperation("https://arm/operations/op-7"), None)
    return op


def test_an_operation_in_flight() -> None:
    op = operation()
    op._set_progress(CREATING)
    d = describe(op)
    assert (d.heading, d.style, d.fraction) == ("create cluster cpu-1", "info", 0.75)
    assert d.details() == ["Allocating nodes: 1 of 2 ready", "1/2 nodes (1 preparing)", "1m05s", "~12s left"]
    assert bar_line(op, width=8) == (
        "[######--]  75% · create cluster cpu-1 · Allocating nodes: 1 of 2 ready · 1/2 nodes (1 preparing)"
        " · 1m05s · ~12s left"
    )
    assert summary(op) == "create cluster cpu-1 · Allocating nodes: 1 of 2 ready · 1/2 nodes (1 preparing) · 1m05s"
    assert describe(op).bar() == {
        "title": "create cluster",
        "info": "Allocating nodes: 1 of 2 ready · 1/2 nodes (1 preparing) · 1m05s · ~12s left",
        "fraction": 0.75,
        "style": "info",
        "error": "",
        "note": "",
    }


def test_a_success_and_its_final_line() -> None:
    op = operation()
    op._set_progress(CREATING)
    op._finish(State.SUCCEEDED)
    d = describe(op)
    assert (d.outcome, d.style, d.left) == ("done", "success", "")
    assert final_line(op).startswith("create cluster cpu-1: done · Succeeded · 1/2 nodes (1 preparing) · ")
    static = str(bar_html(op))
    assert "cpu-1" in visible(static) and "Succeeded · 1/2 nodes" in visible(static) and "width:100%" in static


def test_a_failure_says_the_service_error_everywhere() -> None:
    op = operation()
    op._finish(State.FAILED, OperationFailed("AllocationFailed", "no <b>capacity</b>", request_id="rid-9"))
    d = describe(op)
    assert (d.outcome, d.style, d.phase) == ("FAILED", "danger", "Failed: AllocationFailed")
    assert d.error == "AllocationFailed: no <b>capacity</b> (request id: rid-9)"
    assert final_line(op).splitlines()[0].startswith("create cluster cpu-1: FAILED · Failed: AllocationFailed")
    assert "AllocationFailed" in final_line(op).splitlines()[1] and "rid-9" in final_line(op)
    assert "AllocationFailed" in summary(op).split(" · ")[-1]
    static = str(bar_html(op))
    assert inert(static) == [] and "no <b>capacity</b> (request id: rid-9)" in visible(static)


def test_an_operation_no_longer_watched() -> None:
    op = operation("delete")
    op._set_progress(Progress("Deleting", 0.4, elapsed=3.0, eta=5.0))
    op.cancel()
    d = describe(op)
    assert d.outcome == "detached" and "not watching (it goes on in the service)" in d.details()
    assert final_line(op).startswith("delete cluster cpu-1: detached · Deleting")


@pytest.mark.parametrize(("seconds", "text"), [(0, "0s"), (59.9, "59s"), (60, "1m00s"), (3725, "62m05s")], ids=str)
def test_durations(seconds: float, text: str) -> None:
    assert describe(Progress(elapsed=seconds)).elapsed == text


def test_a_bare_progress_has_no_subject() -> None:
    d = describe(Progress("Creating", 0.2, elapsed=4.0, eta=10.0))
    assert (d.heading, d.details()) == ("", ["Creating", "4s", "~10s left"])
