"""The poller respects the service's own signals: the local workspace, set to a small read budget, reports
what is left in ``x-ms-ratelimit-remaining-subscription-reads`` (and its ``-global-`` twin) on every
answer; the poller slows down as the budget shrinks and never gets a 429. Requests are counted at the
local workspace; time is the poller's injected clock (the simulated service is slowed so nothing ends)."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

import pytest

from jupyter_compute import AmlComputeSpec, settings
from jupyter_compute.local.server import LocalServer
from jupyter_compute.service import workspace as api
from jupyter_compute.service.connection import Connection
from jupyter_compute.service.ref import WorkspaceRef
from jupyter_compute.service.tracker import Poller
from jupyter_compute.service.workspace import Workspace
from jupyter_compute.transport.arm import retry_policy

SUB = "11111111-2222-3333-4444-555555555555"
BUDGET = 150  # reads an hour: what five creates polled for 30 minutes at azure-ai-ml's pace would overrun
OPS = 5
MINUTES = 30


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def budgeted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[LocalServer, Clock]]:
    clock = Clock()
    monkeypatch.setattr(api, "Poller", functools.partial(Poller, clock=clock))
    monkeypatch.setattr(Poller, "_start_locked", lambda self: None)  # the test ticks
    server = LocalServer(home=tmp_path / "home", faults=f"ratelimit:reads={BUDGET}").start()
    try:
        with settings.override(speed=0.0001, poll_interval=None, list_interval=None, access_token=server.token):
            yield server, clock
    finally:
        server.stop()


def poll_for_half_an_hour(server: LocalServer, clock: Clock, ws: Workspace) -> list[int]:
    """Five creates in flight, the poller ticking every 5 s of its clock; the reads of each 5 minutes."""
    ops = [
        ws.create(AmlComputeSpec.from_keywords(name=f"cpu{i}x", max_instances=1), preflight=False) for i in range(OPS)
    ]
    for op in ops:
        assert op.submitted(30).state.value == "running", op
    start = len(server.request_log)
    reads_by_window: list[int] = []
    for _window in range(MINUTES // 5):
        before = len(server.request_log)
        for _ in range(60):  # 5 minutes of 5 s ticks
            clock.now += 5
            ws.poller.tick()
        reads_by_window.append(sum(1 for r in server.request_log[before:] if r.method == "GET"))
    assert len(server.request_log) > start
    return reads_by_window


def test_the_poller_slows_down_before_the_read_budget_runs_out_and_never_gets_a_429(
    budgeted: tuple[LocalServer, Clock],
) -> None:
    server, clock = budgeted
    ws = Workspace(WorkspaceRef.azure(SUB, "rg", "paced", endpoint=server.url))
    reads = poll_for_half_an_hour(server, clock, ws)
    statuses = [r.status for r in server.request_log]
    assert 429 not in statuses, reads
    assert reads[0] > reads[-1] and reads == sorted(reads, reverse=True), reads
    left = ws._client().rates.left("reads")
    assert left is not None and 10 <= left < 20, left  # it slowed down near its reserve, not past it
    assert server.faults.snapshot()["budget"]["refused"] == 0


def test_without_pacing_the_same_work_runs_into_429(
    budgeted: tuple[LocalServer, Clock], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the test above guards against: at azure-ai-ml's pace regardless of the budget, the reads run out."""
    server, clock = budgeted
    monkeypatch.setattr(Connection, "pace", lambda self: 1.0)
    ws = Workspace(WorkspaceRef.azure(SUB, "rg", "unpaced", endpoint=server.url))
    ws._client().retry = retry_policy(0)  # a 429 comes back at once (its Retry-After is the hour's end)
    poll_for_half_an_hour(server, clock, ws)
    assert server.faults.snapshot()["budget"]["refused"] > 0
    assert 429 in [r.status for r in server.request_log]
