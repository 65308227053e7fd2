"""A shown panel lists the workspace at once when an operation ends (its row's state is the listing's), but
operations ending together make one listing, and those that ended reading a listing make none more (issue 29):
under churn a shown panel listed once per tick in which anything ended, back to back. Counted at the local
workspace's request log; the test ticks the poller itself, in place of its thread (not started)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from jupyter_compute import AmlComputeSpec, Workspace
from jupyter_compute.service.operation import Operation
from jupyter_compute.service.tracker import Poller
from jupyter_compute.ui.panel import ComputePanel

from conftest import Knobs, until

N = 6


def listings(ws: Workspace) -> int:
    """The workspace's computes listed so far (GETs of the collection), as the local workspace logged them."""
    log = ws._client().get(f"{ws.ref.base_url()}/_emulator/requests").body
    return sum(1 for entry in log if entry["method"] == "GET" and entry["path"].endswith("/computes"))


@pytest.fixture(autouse=True)
def no_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test ticks: one tick at a time, as the poller's one thread would."""
    monkeypatch.setattr(Poller, "_start_locked", lambda self: None)


@contextmanager
def finished(knobs: Knobs, list_interval: float) -> Iterator[tuple[Workspace, ComputePanel, list[Operation]]]:
    """A shown panel listing every ``list_interval`` seconds, and N creates the service has finished but the
    poller has not read yet."""
    knobs(list_interval=list_interval)
    ws = Workspace.local()
    panel = ComputePanel(ws)
    try:
        ops = [
            ws.create(AmlComputeSpec.from_keywords(name=f"together-{i}x", max_instances=1), preflight=False)
            for i in range(N)
        ]
        for op in ops:
            op.submitted(30)
        until(lambda: all(ws.get(op.target).state == "Succeeded" for op in ops), seconds=60)
        assert not any(op.done() for op in ops), "the poller has not read them yet"
        yield ws, panel, ops
    finally:
        panel.close()


def test_operations_that_end_reading_a_listing_ask_for_no_other(knobs: Knobs) -> None:
    """Given a shown panel and N operations the service has finished, when the panel is shown again (it lists
    at once) and that listing shows them ended, then that one listing is all: the panel draws it, and no
    operation's end asks for another (the old code asked, and the poller listed again at once)."""
    with finished(knobs, list_interval=3600.0) as (ws, panel, ops):
        poller = ws.poller
        before = listings(ws)
        panel.set_visible(False)
        panel.set_visible(True)  # shown again: it asks for a listing at once
        poller.tick()  # that listing: the operations read their end off it, then the panel hears it
        assert all(op.status == "Succeeded" for op in ops) and listings(ws) - before == 1
        poller.tick()
        poller.tick()
        assert listings(ws) - before == 1, "no operation that ended reading the listing asked for another"
        until(lambda: {op.target for op in ops} <= set(panel.rows_by_name()))  # drawn from that listing


def test_operations_that_end_together_make_one_listing(knobs: Knobs) -> None:
    """Given the same with no listing due, when one tick reads each operation's own compute and all N end,
    then their N asks make one listing (by the poller's next tick), not N."""
    with finished(knobs, list_interval=3600.0) as (ws, panel, ops):
        poller = ws.poller
        before = listings(ws)
        poller.tick()  # each operation is due at once: it asks for its own compute, finished
        assert all(op.status == "Succeeded" for op in ops) and listings(ws) == before, "ended by their own reads"
        assert poller._list_asked, "their ends asked for a listing"
        poller.tick()
        poller.tick()
        assert listings(ws) - before == 1, "N ends, one listing"
        until(lambda: {op.target for op in ops} <= set(panel.rows_by_name()))
