"""One description of an operation's progress: the text bar, the final line, the summary, the panel's
bar data and the static HTML bar all say the same words, read from `describe`."""

from __future__ import annotations

import pytest

from jupyter_compute.errors import OperationFailed
from jupyter_compute.model.progress import Progress
from jupyter_compute.render.bars import bar_html
from jupyter_compute.render.describe import describe, nodes_phrase, time_left
from jupyter_compute.render.text import bar_line, final_line, summary
from jupyter_compute.service.operation import State, Updater
from jupyter_compute.transport.lro import AsyncOperation

from html_helpers import inert, visible

CREATING = Progress("Allocating nodes", 0.75, 1, 2, {"preparing": 1, "idle": 1}, 65.0, 12.0)


def updater(action: str = "create", target: str = "cpu-1") -> Updater:
    updates = Updater(action, target, "AmlCompute", resource_url=f"https://arm/computes/{target}")
    updates.accept(AsyncOperation("https://arm/operations/op-7"), None)
    return updates


def test_an_operation_in_flight() -> None:
    updates = updater()
    op = updates.operation
    updates.set_progress(CREATING)
    d = describe(op)
    assert (d.heading, d.style, d.fraction) == ("create cluster cpu-1", "info", 0.75)
    assert d.details() == ["Allocating nodes", "1 of 2 nodes ready, 1 preparing", "1m05s", "~12s left"]
    assert bar_line(op, width=8) == (
        "[######--]  75% · create cluster cpu-1 · Allocating nodes · 1 of 2 nodes ready, 1 preparing"
        " · 1m05s · ~12s left"
    )
    assert summary(op) == "create cluster cpu-1 · Allocating nodes · 1 of 2 nodes ready, 1 preparing · 1m05s"
    assert describe(op).bar() == {
        "title": "create cluster",
        "info": "Allocating nodes · 1 of 2 nodes ready, 1 preparing · 1m05s · ~12s left",
        "fraction": 0.75,
        "style": "info",
        "colour": "var(--jp-info-color1, #0288d1)",
        "error": "",
        "note": "",
        "phase": "Allocating nodes",
        "nodes": "1 of 2 nodes ready, 1 preparing",
        "left": "~12s left",
        "spoken": "Allocating nodes, 1 of 2 nodes ready, 1 preparing",
        "news": "create cluster cpu-1: Allocating nodes",
    }


def test_a_success_and_its_final_line() -> None:
    updates = updater()
    op = updates.operation
    updates.set_progress(CREATING)
    updates.finish(State.SUCCEEDED)
    d = describe(op)
    assert (d.outcome, d.style, d.left) == ("done", "success", "")
    assert final_line(op).startswith("create cluster cpu-1: done · Succeeded · 1 of 2 nodes ready, 1 preparing · ")
    static = str(bar_html(op))
    assert "cpu-1" in visible(static) and "Succeeded · 1 of 2 nodes ready" in visible(static)
    assert "role='progressbar' aria-label='create cluster cpu-1' aria-valuemin='0' aria-valuemax='100'" in static
    assert "aria-valuetext='Succeeded, 1 of 2 nodes ready, 1 preparing'" in static, "the outcome, for a screen reader"
    assert "width:100%" in static and "var(--jp-success-color1, #388e3c)" in static


def test_a_failure_says_the_service_error_everywhere() -> None:
    updates = updater()
    op = updates.operation
    updates.finish(State.FAILED, OperationFailed("AllocationFailed", "no <b>capacity</b>", request_id="rid-9"))
    d = describe(op)
    assert (d.outcome, d.style, d.phase) == ("FAILED", "danger", "Failed")
    assert d.error == "AllocationFailed: no <b>capacity</b> (request id: rid-9)"
    assert final_line(op).splitlines()[0].startswith("create cluster cpu-1: FAILED · Failed")
    assert "AllocationFailed" in final_line(op).splitlines()[1] and "rid-9" in final_line(op)
    assert "AllocationFailed" in summary(op).split(" · ")[-1]
    static = str(bar_html(op))
    assert inert(static) == [] and "no <b>capacity</b> (request id: rid-9)" in visible(static)


def test_an_operation_no_longer_watched() -> None:
    updates = updater("delete")
    op = updates.operation
    updates.set_progress(Progress("Deleting", 0.4, elapsed=3.0, eta=5.0))
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


class Clock:
    """The tracker's clock, injected: it moves only when the test says."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_notebook_bar_the_text_bar_and_the_panel_row_say_the_same_at_the_same_moment() -> None:
    from jupyter_compute.ui.progress_bar import OperationBar
    from jupyter_compute.ui.throttle import Scheduler

    clock = Clock()
    updates = Updater("create", "cpu-1", "AmlCompute", resource_url="https://arm/computes/cpu-1", clock=clock)
    op = updates.operation
    updates.accept(AsyncOperation("https://arm/operations/op-8"), None)
    clock.now += 10.0
    updates.set_progress(Progress("Allocating nodes", 0.6, 2, 2, {"idle": 1, "preparing": 1}, 10.0, 40.0))
    clock.now += 15.0  # drawn 15 s after the last poll: the estimate counts down, whoever draws it
    words = ["Allocating nodes", "1 of 2 nodes ready, 1 preparing", "25s", "~25s left"]

    notebook = OperationBar(op, scheduler=Scheduler(clock, thread=False))
    try:
        notebook_info, notebook_bar = visible(notebook.drawn["info"]), notebook.drawn["track"]
        assert notebook.drawn["info"] in notebook.view.value and notebook_bar in notebook.view.value, "drawn as one"
    finally:
        notebook.finish()
    row = describe(op).bar()
    assert notebook_info == row["info"] == " · ".join(words)
    assert bar_line(op).endswith(" · create cluster cpu-1 · " + " · ".join(words))
    assert (row["phase"], row["nodes"], row["left"]) == (words[0], words[1], words[3])
    assert "data-style='info'" in notebook_bar and row["style"] == "info", (
        "the panel's row draws the notebook bar's style"
    )
    assert "role='progressbar'" in notebook_bar and "aria-valuenow='60'" in notebook_bar
    assert "aria-valuetext='Allocating nodes, 1 of 2 nodes ready, 1 preparing'" in notebook_bar, (
        "no times: no news each tick"
    )
    assert row["colour"] == "var(--jp-info-color1, #0288d1)", "ipywidgets' info colour, not the brand colour"
    assert describe(op, now=clock.now + 5).left == "~20s left", "an injected moment"


@pytest.mark.parametrize(
    ("current", "target", "states", "text"),
    [
        (None, None, {}, ""),
        (0, 0, {}, "no nodes"),
        (0, 2, {}, "0 of 2 nodes ready"),
        (1, 2, {"idle": 1}, "1 of 2 nodes ready"),
        (2, 2, {"idle": 1, "preparing": 1}, "1 of 2 nodes ready, 1 preparing"),
        (2, 2, {"idle": 1, "running": 1}, "2 of 2 nodes ready"),
        (1, 1, {"preparing": 1}, "0 of 1 node ready, 1 preparing"),
        (2, 2, {}, "2 of 2 nodes ready"),
        (3, 1, {"idle": 1, "leaving": 2}, "3 nodes, going down to 1, 2 leaving"),
        (1, 0, {"leaving": 1}, "1 node, going down to 0, 1 leaving"),
        (2, 2, {"idle": 1, "unusable": 1, "preempted": 0}, "1 of 2 nodes ready, 1 unusable"),
    ],
    ids=str,
)
def test_node_counts_read_plainly(current: int | None, target: int | None, states: dict[str, int], text: str) -> None:
    assert nodes_phrase(current, target, states) == text
    assert describe(Progress("Creating", 0.5, current, target, states)).nodes == text


@pytest.mark.parametrize(
    ("eta", "since", "text"),
    [
        (None, 0.0, ""),
        (40.0, 0.0, "~40s left"),
        (40.0, 15.0, "~25s left"),
        (125.0, 0.0, "~2m05s left"),
        (40.0, 39.5, ""),
        (40.0, 90.0, ""),
        (0.0, 0.0, ""),
        (10.0, -3.0, "~10s left"),
    ],
    ids=str,
)
def test_the_time_left(eta: float | None, since: float, text: str) -> None:
    assert time_left(eta, since) == text


def test_the_time_left_is_the_same_whoever_draws_it_and_ends_with_the_operation() -> None:
    clock = Clock()
    updates = Updater("start", "ci-1", "ComputeInstance", resource_url="https://arm/computes/ci-1", clock=clock)
    op = updates.operation
    updates.accept(AsyncOperation("https://arm/operations/op-9"), None)
    updates.set_progress(Progress("Starting", 0.1, elapsed=2.0, eta=20.0))
    clock.now += 7.0
    assert [describe(op).left, describe(op).elapsed] == ["~15s left", "7s"]
    updates.finish(State.SUCCEEDED)
    clock.now += 50.0
    assert (describe(op).left, describe(op).elapsed) == ("", "7s"), "an ended operation keeps its time"


def test_the_live_bar_tells_a_screen_reader_each_phase_once_not_each_tick() -> None:
    """Its status (a region whose text is sent only when it changes) follows the phase, not the clock."""
    from jupyter_compute.ui.progress_bar import OperationBar
    from jupyter_compute.ui.throttle import Scheduler

    clock = Clock()
    updates = Updater("create", "cpu-1", "AmlCompute", resource_url="https://arm/computes/cpu-1", clock=clock)
    op = updates.operation
    updates.accept(AsyncOperation("https://arm/operations/op-9"), None)
    bar = OperationBar(op, scheduler=Scheduler(clock, thread=False))
    sent: list[str] = []
    bar.said.observe(lambda change: sent.append(change["new"]), names="text")
    try:
        for phase, fraction in (("Allocating nodes", 0.2), ("Allocating nodes", 0.3), ("Preparing nodes", 0.6)):
            clock.now += 5.0
            updates.set_progress(Progress(phase, fraction, 0, 2, {}, clock.now, 40.0))
            bar._apply()
        assert sent == ["create cluster cpu-1: Allocating nodes", "create cluster cpu-1: Preparing nodes"]
        assert "aria-valuenow='60'" in bar.view.value
    finally:
        bar.finish()


@pytest.mark.parametrize(
    ("state", "error", "said"),
    [
        (State.SUCCEEDED, None, "create cluster cpu-1: Succeeded"),
        (
            State.FAILED,
            OperationFailed("AllocationFailed", "no capacity", request_id="rid-9"),
            "create cluster cpu-1: Failed. AllocationFailed: no capacity (request id: rid-9)",
        ),
    ],
    ids=["succeeded", "failed"],
)
def test_the_outcome_is_said_in_the_live_bar_before_the_cell_turns_static(
    state: State, error: OperationFailed | None, said: str
) -> None:
    """Given a live bar, when its operation ends, then the outcome goes into the status region that stays
    in the page, and only a grace later does the cell's display turn static and the bar's models close (a
    region removed as its text changes may never be announced)."""
    from ipywidgets.widgets.widget import _instances

    from jupyter_compute.ui.progress_bar import END_GRACE, REGIONS, OperationBar, Shared
    from jupyter_compute.ui.throttle import Scheduler

    clock = Clock()
    scheduler = Scheduler(clock, thread=False)
    updates = Updater("create", "cpu-1", "AmlCompute", resource_url="https://arm/computes/cpu-1", clock=clock)
    op = updates.operation
    updates.accept(AsyncOperation("https://arm/operations/op-10"), None)
    events: list[tuple[str, object]] = []
    Shared.get()  # the layouts every bar shares, made once per kernel
    base, kept = len(_instances), len(REGIONS)
    bar = OperationBar(op, on_end=lambda ended: events.append(("on_end", ended)), scheduler=scheduler)
    bar.said.observe(lambda change: events.append(("said", change["new"])), names="text")
    clock.now += 5.0
    updates.finish(state, error)  # the listener: the bar draws the end

    assert bar.said.text == said and events == [("said", said)], "the outcome is said at once, nothing ends yet"
    assert ("aria-valuenow='100'" if state is State.SUCCEEDED else "data-style='danger'") in bar.view.value
    own = (bar.widget, bar.view, bar.said)
    assert bar.ended and not bar.closed and all(w.comm is not None for w in own), "the live region stays for the grace"
    clock.now += END_GRACE * 0.9
    scheduler.run_due()
    assert events == [("said", said)] and not bar.closed, "not before the grace is up"
    clock.now += END_GRACE * 0.1
    assert scheduler.run_due() == 1
    assert events == [("said", said), ("on_end", op)], "the display turns static after the outcome was said"
    assert bar.closed and bar.widget.comm is None and bar.view.comm is None, "then the bar's models are closed"
    assert len(_instances) - base == len(REGIONS) - kept, "every model of the bar but its region, kept for the next"
    bar.finish()
    updates.notify()
    assert scheduler.pending() == 0 and events[-1] == ("on_end", op), "once"
