"""Stops coming up (issue 26 point 6): a running instance's next stop by schedule on the panel's row when it is
within the hour, and in ``costs`` with what it costs until then and since its last start. Clock, zone and
prices injected."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from jupyter_compute.model.costs import running_costs
from jupyter_compute.model.prices import RegionPrices, SizePrice
from jupyter_compute.model.resource import Compute
from jupyter_compute.render.power import stop_soon
from jupyter_compute.render.prices import costs_text, stop_line
from jupyter_compute.ui.rows import marks_for

NOW = datetime(2026, 12, 2, 18, 35, tzinfo=timezone.utc)  # a Wednesday
PRICES = {"eastus": RegionPrices("eastus", "USD", {"standard_ds3_v2": SizePrice("Standard_DS3_v2", "USD", 0.4)})}


def instance(state: str = "Running", *schedules: dict[str, Any]) -> Compute:
    inner = {
        "vmSize": "Standard_DS3_v2",
        "state": state,
        "lastOperation": {
            "operationName": "Start",
            "operationTime": "2026-12-02T08:35:00Z",
            "operationStatus": "Succeeded",
        },
        "schedules": {"computeStartStop": list(schedules)},
    }
    return Compute(
        {
            "name": "ci1",
            "location": "eastus",
            "properties": {"computeType": "ComputeInstance", "provisioningState": "Succeeded", "properties": inner},
        }
    )


def cron(expression: str, action: str = "Stop", status: str = "Enabled") -> dict[str, Any]:
    return {
        "action": action,
        "status": status,
        "triggerType": "Cron",
        "cron": {"expression": expression, "timeZone": "UTC"},
    }


@pytest.mark.parametrize(
    ("compute", "said"),
    [
        (instance("Running", cron("0 19 * * *")), "stops at 19:00 by schedule, in 25 min"),
        (instance("Running", cron("0 21 * * *"), cron("0 19 * * *")), "stops at 19:00 by schedule, in 25 min"),
        (instance("Running", cron("0 20 * * *")), ""),  # 85 minutes away: not within the hour
        (instance("Running", cron("0 19 * * *", action="Start")), ""),
        (instance("Running", cron("0 19 * * *", status="Disabled")), ""),
        (instance("Stopped", cron("0 19 * * *")), ""),
        (instance("Running"), ""),
    ],
)
def test_the_row_says_a_stop_within_the_hour(compute: Compute, said: str) -> None:
    assert stop_soon(compute, NOW, timezone.utc) == said
    marks = marks_for(compute, NOW, timezone.utc)
    assert [m["text"] for m in marks if m["kind"] == "stop"] == ([said] if said else [])


def test_the_stop_time_is_in_the_users_zone() -> None:
    tokyo = timezone(timedelta(hours=9))
    assert stop_soon(instance("Running", cron("0 19 * * *")), NOW, tokyo) == "stops at 04:00 by schedule, in 25 min"


def test_costs_count_what_a_running_instance_costs_until_its_next_stop() -> None:
    now = NOW.timestamp()
    bill = running_costs([instance("Running", cron("0 21 * * *"))], PRICES, "eastus", now)
    ci = bill.computes[0]
    assert ci.next_stop == "2026-12-02T21:00:00Z"
    assert ci.hours_to_stop == pytest.approx(2 + 25 / 60, abs=1e-3)
    assert ci.until_stop == pytest.approx(0.4 * (2 + 25 / 60), abs=0.01)
    assert ci.by_stop == pytest.approx(0.4 * (12 + 25 / 60), abs=0.01)  # started 08:35, stops 21:00
    line = stop_line(ci, timezone.utc)
    assert line == "ci1 stops at Wed 21:00 by schedule, in 2h25m: about $0.97 more, $4.97 since it last started"
    assert "ci1 stops at" in costs_text(bill)
    assert bill.to_dict()["computes"][0]["until_stop"] == ci.until_stop


def test_no_stop_no_line_and_no_price_no_amount() -> None:
    now = NOW.timestamp()
    unguarded = running_costs([instance("Running")], PRICES, "eastus", now).computes[0]
    assert (unguarded.next_stop, unguarded.until_stop, stop_line(unguarded)) == ("", None, "")
    unpriced = running_costs([instance("Running", cron("0 21 * * *"))], {}, "eastus", now).computes[0]
    assert unpriced.until_stop is None and unpriced.by_stop is None
    assert stop_line(unpriced, timezone.utc) == "ci1 stops at Wed 21:00 by schedule, in 2h25m"


def test_a_rows_marks_are_kept_no_longer_than_its_compute() -> None:
    """Marks are worked out once a minute per compute, but the cache does not keep the computes: a kernel
    that follows thousands of operations reads a new body for each, and kept them all (issue 29's soak: the
    panel's and the notebook's kernels grew about 1 MB per 1,000 operations). The same compute within the
    minute still gets its marks from the cache."""
    import gc
    import weakref

    from jupyter_compute.ui import rows

    kept = [instance("Running", cron("0 19 * * *")) for _ in range(50)]
    first = [marks_for(c, NOW, timezone.utc) for c in kept]
    assert [marks_for(c, NOW, timezone.utc) for c in kept] == first
    cached = [rows._MARKS[id(c)][3] for c in kept]
    assert all(rows._MARKS[id(c)][3] is marks for c, marks in zip(kept, cached, strict=True)), "read again, not redone"
    gone = weakref.ref(kept[0])
    key = id(kept[0])
    del kept[0], cached[0]
    gc.collect()
    assert gone() is None, "the marks' cache holds no compute"
    assert key not in rows._MARKS or rows._MARKS[key][0]() is not None, "its entry went with it"
