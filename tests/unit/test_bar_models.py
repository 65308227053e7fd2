"""What a notebook bar costs the page, counted in widget models (issue 29): the page pays for each model it is
sent, and keeps a module for each anywidget model (manzt/anywidget#613). A bar is a box and its HTML; the
layouts and style are shared; the status region (the one anywidget) of an ended bar is the next bar's."""

from __future__ import annotations

from ipywidgets.widgets.widget import _instances

from jupyter_compute.service.operation import State, Updater
from jupyter_compute.transport.lro import AsyncOperation
from jupyter_compute.ui.progress_bar import REGIONS, OperationBar, Shared
from jupyter_compute.ui.said import Said
from jupyter_compute.ui.throttle import Scheduler

N = 10


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def ended_bar(clock: Clock, scheduler: Scheduler, name: str) -> OperationBar:
    """A bar for a create of ``name`` that succeeded, its grace over."""
    updates = Updater("create", name, "AmlCompute", resource_url=f"https://arm/computes/{name}", clock=clock)
    updates.accept(AsyncOperation(f"https://arm/operations/{name}"), None)
    bar = OperationBar(updates.operation, scheduler=scheduler)
    updates.finish(State.SUCCEEDED, None)
    clock.now += 5.0
    scheduler.run_due()
    assert bar.closed
    return bar


def test_bars_one_after_another_open_two_models_each_and_share_one_status_region() -> None:
    """Given N bars shown one after another, then each opens its box and its HTML and closes them at its end, and
    all N speak through one status region (the old bars opened fifteen models each, a region among them)."""
    clock = Clock()
    scheduler = Scheduler(clock, thread=False)
    Shared.get()
    closed: list[bool] = []
    base = set(_instances)
    regions = set()
    for i in range(N):
        bar = ended_bar(clock, scheduler, f"seq-{i}")
        regions.add(bar.said.model_id)
        closed += [bar.widget.comm is None, bar.view.comm is None]
    assert all(closed), "each bar closed its box and its HTML"
    assert len(regions) == 1, f"one region for {N} bars in turn, not {len(regions)}"
    assert set(_instances) - base <= regions, "nothing else is left open"


def test_bars_alive_at_once_have_regions_of_their_own() -> None:
    """Two bars alive at the same time never share a region (each says its own phases)."""
    clock = Clock()
    scheduler = Scheduler(clock, thread=False)
    updaters = [
        Updater("create", f"both-{i}", "AmlCompute", resource_url=f"https://arm/computes/both-{i}", clock=clock)
        for i in range(2)
    ]
    for updates in updaters:
        updates.accept(AsyncOperation(f"https://arm/operations/{updates.operation.target}"), None)
    first, second = (OperationBar(updates.operation, scheduler=scheduler) for updates in updaters)
    assert first.said is not second.said
    for updates in updaters:
        updates.finish(State.SUCCEEDED, None)
    clock.now += 5.0
    scheduler.run_due()


def test_a_region_the_front_end_closed_is_not_given_to_another_bar() -> None:
    """The front end closes a model it could not make; a box naming that region would wait in the page for a
    model it never gets (two seconds, every bar, with the page's other messages queued behind)."""
    region = REGIONS.take()
    assert isinstance(region, Said) and region.comm is not None
    region.comm._closed = True  # what the kernel's comm manager does on the front end's comm_close
    REGIONS.give(region)
    assert REGIONS.take() is not region
