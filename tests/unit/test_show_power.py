"""`show` of an instance says when it stops and starts by itself and why it last did: idle shutdown, each
schedule with its next fire time, the next start and stop in the user's zone, the last operation and its
trigger. Text has no control characters from the service; HTML is escaped. Clock and zone injected."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from jupyter_compute.model.resource import Compute
from jupyter_compute.render.power import power_html, power_rows, power_text
from jupyter_compute.render.tables import computes_html, computes_text

NOW = datetime(2026, 12, 2, 4, 30, tzinfo=timezone.utc)  # a Wednesday
TOKYO = ZoneInfo("Asia/Tokyo")


def instance(**inner: Any) -> Compute:
    return Compute(
        {
            "name": "ci1",
            "properties": {
                "computeType": "ComputeInstance",
                "provisioningState": "Succeeded",
                "properties": {"vmSize": "STANDARD_DS3_V2", "state": "Stopped", **inner},
            },
        }
    )


STOPPED_BY_IDLE = {
    "operationName": "Stop",
    "operationTime": "2026-12-01T22:15:00.000Z",
    "operationStatus": "Succeeded",
    "operationTrigger": "IdleShutdown",
}
SCHEDULES = {
    "computeStartStop": [
        {
            "action": "Stop",
            "status": "Enabled",
            "triggerType": "Cron",
            "cron": {"expression": "0 19 * * 1-5", "timeZone": "W. Europe Standard Time"},
            "id": "s1",
            "provisioningStatus": "Completed",
        },
        {
            "action": "Start",
            "status": "Enabled",
            "triggerType": "Recurrence",
            "recurrence": {
                "frequency": "Week",
                "interval": 1,
                "timeZone": "Pacific Standard Time",
                "schedule": {"hours": [8], "minutes": [30], "weekDays": ["Monday", "Friday"]},
            },
        },
    ]
}


def test_why_did_my_instance_stop() -> None:
    compute = instance(idleTimeBeforeShutdown="PT60M", lastOperation=STOPPED_BY_IDLE, schedules=SCHEDULES)
    rows = dict(power_rows(compute, NOW, TOKYO))
    assert rows["Idle shutdown"] == "after 60 minutes of inactivity"
    assert rows["Schedule 1"] == "stop cron 0 19 * * 1-5 (W. Europe Standard Time) · next Thu 2026-12-03 03:00 JST"
    assert rows["Schedule 2"].startswith("start every 1 week on Monday, Friday at 08:30 (Pacific Standard Time)")
    assert rows["Next stop"] == "Thu 2026-12-03 03:00 JST"
    assert rows["Next start"] == "Sat 2026-12-05 01:30 JST"
    assert rows["Last operation"] == "Stop (Succeeded), Wed 2026-12-02 07:15 JST, by idle shutdown"


def test_the_same_instance_in_another_zone_and_with_nothing_set() -> None:
    compute = instance(lastOperation={**STOPPED_BY_IDLE, "operationTrigger": "Schedule"}, schedules=SCHEDULES)
    rows = dict(power_rows(compute, NOW, timezone.utc))
    assert rows["Next stop"] == "Wed 2026-12-02 18:00 UTC"
    assert rows["Last operation"].endswith("by a schedule")
    bare = dict(power_rows(instance(), NOW, timezone.utc))
    assert bare == {
        "Idle shutdown": "off (the instance runs until it is stopped)",
        "Schedules": "none",
        "Last operation": "none reported",
    }


def test_a_schedule_with_no_next_time_says_why_and_never_guesses() -> None:
    odd = {
        "computeStartStop": [
            {"action": "Stop", "status": "Disabled", "triggerType": "Cron", "cron": {"expression": "0 19 * * *"}},
            {"action": "Start", "triggerType": "Cron", "cron": {"expression": "0 8 * * *", "timeZone": "Mars Time"}},
        ]
    }
    rows = dict(power_rows(instance(schedules=odd), NOW, timezone.utc))
    assert rows["Schedule 1"].endswith("[disabled] · does not fire (disabled)")
    assert "next start unknown: time zone 'Mars Time'" in rows["Schedule 2"]
    assert "Next start" not in rows and "Next stop" not in rows


def test_text_strips_control_characters_and_html_escapes() -> None:
    hostile = {
        "computeStartStop": [
            {"action": "Stop", "triggerType": "Cron", "cron": {"expression": "0 19 * * *", "timeZone": "<b>x\x1b[31m"}}
        ]
    }
    compute = instance(
        schedules=hostile, lastOperation={"operationName": "Stop\x1b]0;pwned\x07", "operationTrigger": "<i>"}
    )
    text = power_text(compute, NOW, timezone.utc)
    assert "\x1b" not in text and "\x07" not in text and text.startswith("Stopping and starting\n")
    markup = str(power_html(compute, NOW, timezone.utc))
    assert "<b>" not in markup and "<i>" not in markup and "&lt;b&gt;" in markup


def test_show_renders_the_section_for_one_instance_only() -> None:
    compute = instance(idleTimeBeforeShutdown="PT3H")
    assert "Stopping and starting" in computes_text(compute) and "after 3 hours of inactivity" in computes_text(compute)
    assert "jupyter-compute-power" in str(computes_html(compute))
    assert "Stopping and starting" not in computes_text([compute])
    cluster = Compute({"name": "cpu", "properties": {"computeType": "AmlCompute", "properties": {}}})
    assert power_text(cluster) == "" and "Stopping and starting" not in computes_text(cluster)
