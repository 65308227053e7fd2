"""The panel never floods its kernel's connection (issue 29, point 2): however fast ticks and operations
churn, the page gets at most a few messages a second, each with only the rows that changed. Counted on a
recording comm against a fake clock; nothing is timed."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from comm_helpers import record_comms

from jupyter_compute import Workspace
from jupyter_compute.ui.panel import RENDERS_PER_SECOND, ComputePanel
from jupyter_compute.ui.throttle import Scheduler

WS = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws"


class FakeClock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


def body(i: int, nodes: int) -> dict[str, Any]:
    counts = {"idleNodeCount": nodes, "runningNodeCount": 0, "preparingNodeCount": 0, "unusableNodeCount": 0}
    return {
        "id": f"{WS}/computes/c-{i:03d}x",
        "name": f"c-{i:03d}x",
        "location": "eastus",
        "properties": {
            "computeType": "AmlCompute",
            "provisioningState": "Succeeded",
            "createdOn": "2026-12-01T00:00:00Z",
            "properties": {
                "vmSize": "STANDARD_DS3_V2",
                "scaleSettings": {"minNodeCount": 0, "maxNodeCount": 4},
                "currentNodeCount": nodes,
                "nodeStateCounts": counts,
            },
        },
    }


def test_a_hundred_ticks_a_second_reach_the_page_as_a_few_small_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a panel of 200 computes, when for 10 s a listing arrives every 10 ms with one compute changed,
    then the page gets at most two messages per redraw, RENDERS_PER_SECOND redraws a second, the list's
    a patch of the rows changed since the last (it got a message with all 200 rows for every tick)."""
    clock = FakeClock()
    recorded = record_comms(monkeypatch, clock)
    scheduler = Scheduler(clock, thread=False)
    panel = ComputePanel(Workspace.local(), scheduler=scheduler)
    panel.ws.poller.remove_listener(panel._on_tick)  # this test is the poller
    try:
        bodies = [body(i, 0) for i in range(200)]
        panel._on_tick(list(bodies))
        clock.now += 1
        scheduler.run_due()
        assert len(panel.table.rows) == 200
        recorded.clear()
        for step in range(1000):
            bodies[step % 200] = body(step % 200, 1 + step // 200)
            panel._on_tick(list(bodies))
            clock.now += 0.01
            scheduler.run_due()
        clock.now += 1
        scheduler.run_due()
        # what a redraw touches (the "New" form fills its menus in the background, at its own pace)
        drawn = {w.comm.comm_id for w in (panel.table, panel.header, panel.pending, panel.ops, panel.message)}
        sent = [m for m in recorded if m.msg_type == "comm_msg" and m.comm_id in drawn]
        per_second = Counter(int(m.t) for m in sent)
        # each redraw: the list's patch, and the header when its count or bill changed (the nodes cost)
        assert max(per_second.values()) <= 2 * RENDERS_PER_SECOND, per_second
        table = [m.data for m in sent if m.comm_id == panel.table.comm.comm_id]
        assert table and all(data["method"] == "custom" for data in table)
        assert max(len(data["content"]["patch"]) for data in table) <= 200 * 0.5
        assert panel.rows_by_name()["c-199x"]["nodes"] == "5 (0-4)"
        assert sum(len(json.dumps(m.data)) for m in sent) < 1000 * 200 * 100 / 20  # a 20th of a list a tick
    finally:
        panel.close()
