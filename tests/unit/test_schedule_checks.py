"""Start/stop schedules are checked before anything is sent, with the reader ``show`` computes the next run
with (:mod:`jupyter_compute.model.triggers`), and the local workspace refuses the same ones with its own
rules (issue 22, point 9).

Given a schedule with fields out of range, a step of 0, a backwards range, an unknown time zone or a start
time that does not exist, when it is given to create (the spec), update (its checked changes) or the panel's
edit pane (the form's parts), then it is refused naming the field, and the local workspace answers 400 to a
PUT carrying it. Any expression the spec takes has a next run ``show`` can compute, and the local workspace,
written apart, takes exactly the expressions the spec takes."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jupyter_compute.errors import ValidationError
from jupyter_compute.local import rules
from jupyter_compute.local.routes import Request
from jupyter_compute.local.service import LocalService
from jupyter_compute.local.store import Store
from jupyter_compute.model.schedule_times import next_fire
from jupyter_compute.model.specs import ComputeInstanceSpec
from jupyter_compute.model.specs._fields import Invalid
from jupyter_compute.model.specs._instance_parts import Schedule, schedules_from_form
from jupyter_compute.service.changes import Changes
from jupyter_compute.settings import Settings

from conftest import examples

NOW = datetime(2026, 12, 2, 4, 30, tzinfo=timezone.utc)
BAD_CRON = {
    "99 99 99 99 99": "minute '99' is outside 0-59",
    "*/0 * * * *": "minute step '0' must be at least 1",
    "0 25 * * *": "hour '25' is outside 0-23",
    "0 8 32 * *": "day of month '32' is outside 1-31",
    "0 8 * 13 *": "month '13' is outside 1-12",
    "0 8 * * 8": "day of week '8' is outside 0-7",
    "0 8 * * 5-1": "day of week range '5-1' runs backwards",
    "0 8-30 * * *": "hour '8-30' is outside 0-23",
    "0 8 * * MON-XYZ": "day of week 'XYZ' is not a number or a name",
    "0 8/x * * *": "hour step 'x' is not a number",
    "60 0 8 * * *": "second '60' is outside 0-59",
}


def stop_at(expression: str, **trigger: Any) -> dict[str, Any]:
    return {"action": "stop", "trigger": {"type": "cron", "expression": expression, **trigger}}


@pytest.mark.parametrize(("expression", "reason"), BAD_CRON.items())
def test_a_cron_expression_the_service_would_refuse_is_refused_by_create_and_update(
    expression: str, reason: str
) -> None:
    with pytest.raises(ValidationError) as created:
        ComputeInstanceSpec.from_keywords(name="ci1", schedules=[stop_at(expression)])
    assert reason in str(created.value) and "Nothing was sent" in str(created.value)
    assert created.value.problems[0].field == "schedules"
    with pytest.raises(ValidationError) as updated:
        Changes.checked(add_schedules=[stop_at(expression)])
    assert reason in str(updated.value) and updated.value.problems[0].field == "add_schedules"
    with pytest.raises(ValidationError):
        Changes.checked(schedules={"compute_start_stop": [stop_at(expression)]})


@pytest.mark.parametrize(("expression", "reason"), BAD_CRON.items())
def test_the_panels_edit_pane_says_why_a_cron_expression_is_refused(expression: str, reason: str) -> None:
    with pytest.raises(Invalid, match=f"Stop at: .* is not a cron expression the service takes: {reason}"):
        schedules_from_form({"stop": expression})


@pytest.mark.parametrize("zone", ["Mars/Olympus", "Pacific Standard Tme", "../../etc/passwd", "UTC+25"])
def test_an_unknown_time_zone_is_refused(zone: str) -> None:
    with pytest.raises(ValidationError, match="time_zone: time zone .* is not a Windows or IANA time zone"):
        Changes.checked(add_schedules=[stop_at("0 19 * * *", time_zone=zone)])
    with pytest.raises(Invalid, match="^Time zone: "):
        schedules_from_form({"stop": "19:00", "time_zone": zone})


@pytest.mark.parametrize("start", ["2026-13-01T08:00", "2026-02-30T08:00:00", "2026-01-01T25:00", "tomorrow"])
def test_a_start_time_that_does_not_exist_is_refused(start: str) -> None:
    with pytest.raises(ValidationError, match="start_time"):
        Changes.checked(add_schedules=[stop_at("0 19 * * *", start_time=start)])


@pytest.mark.parametrize(
    "good",
    [
        stop_at("0 19 * * 1-5", time_zone="W. Europe Standard Time", start_time="2026-12-01T08:00"),
        stop_at("*/15 8-18 * JAN-MAR MON-FRI", time_zone="Europe/Berlin"),
        stop_at("0 0 8 1,15 * *"),
        stop_at("5/10 * * * 7"),
    ],
)
def test_a_good_schedule_is_taken_and_show_can_say_its_next_run(good: dict[str, Any]) -> None:
    (schedule,) = Changes.checked(add_schedules=[good]).add_schedules
    assert next_fire(schedule, NOW) is not None


# Words of a cron field, mostly ones every field takes (1 to 12, *), else names, numbers out of some
# fields' ranges, and words no field takes; parts are a word, a range of two, with or without a step.
_TAKEN = st.integers(1, 12).map(str) | st.just("*")
_WORD = st.one_of(
    _TAKEN,
    _TAKEN,
    _TAKEN,
    st.sampled_from(["0", "MON", "fri", "Jan", "dec", "xyz", "", "-1"]),
    st.integers(13, 70).map(str),
)
_PART = st.builds(
    lambda a, b, step: a + (f"-{b}" if b is not None else "") + (f"/{step}" if step is not None else ""),
    _WORD,
    st.none() | st.none() | _WORD,
    st.none() | st.none() | st.integers(0, 20).map(str),
)
_FIELD = st.one_of(_TAKEN, _TAKEN, _TAKEN, st.lists(_PART, min_size=1, max_size=3).map(",".join))
_EXPRESSION = st.lists(_FIELD, min_size=5, max_size=6).map(" ".join)


@settings(max_examples=examples(300), deadline=None)
@given(_EXPRESSION)
def test_the_spec_the_next_run_and_the_local_workspace_agree_on_every_expression(expression: str) -> None:
    schedule = Schedule(action="Stop", trigger_type="Cron", expression=expression)
    try:
        Changes.checked(add_schedules=[stop_at(expression)])
    except ValidationError:
        taken = False
    else:
        taken = True
        next_fire(schedule, NOW)  # never raises for an expression the spec took
    assert taken == (rules.cron_problem(expression) is None), rules.cron_problem(expression)


WS = "/subscriptions/s-1/resourceGroups/RG/providers/Microsoft.MachineLearningServices/workspaces/My-WS"


def instance_body(schedule: dict[str, Any]) -> dict[str, Any]:
    return {
        "location": "eastus",
        "properties": {
            "computeType": "ComputeInstance",
            "properties": {"vmSize": "STANDARD_DS3_V2", "schedules": {"computeStartStop": [schedule]}},
        },
    }


@pytest.mark.parametrize(
    ("schedule", "said"),
    [
        (
            {"status": "Enabled", "action": "Stop", "triggerType": "Cron", "cron": {"expression": "99 99 99 99 99"}},
            "minute",
        ),
        (
            {"status": "Enabled", "action": "Stop", "triggerType": "Cron", "cron": {"expression": "*/0 * * * *"}},
            "steps by 0",
        ),
        (
            {
                "status": "Enabled",
                "action": "Stop",
                "triggerType": "Cron",
                "cron": {"expression": "0 19 * * *", "timeZone": "Mars"},
            },
            "time zone 'Mars'",
        ),
    ],
)
def test_the_local_workspace_refuses_a_schedule_as_the_service_does(
    tmp_path: Path, schedule: dict[str, Any], said: str
) -> None:
    service = LocalService(Store(tmp_path), Settings(home=tmp_path, speed=1.0), clock=lambda: 1_800_000_000.0)

    def put(body: Any) -> tuple[int, Any]:
        status, _, answer = service.handle(
            Request("PUT", f"{WS}/computes/ci1", {"api-version": "2025-12-01"}, body, "http://h")
        )
        return status, answer

    status, answer = put(instance_body(schedule))
    assert status == 400 and answer["error"]["code"] == "BadRequest" and said in answer["error"]["message"]
    good = {**schedule, "cron": {"expression": "0 19 * * 1-5", "timeZone": "W. Europe Standard Time"}}
    assert put(instance_body(good))[0] == 201
