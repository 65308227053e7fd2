"""The next fire time of an instance's start/stop schedule, with an injected clock and zones: NCronTab cron
(5 and 6 fields, names, steps, day-of-month and day-of-week together), recurrences, Windows zone ids and
daylight saving, and the cases that have no next time."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from jupyter_compute.data import catalogue
from jupyter_compute.model.schedule_times import UnknownZone, next_fire, zone
from jupyter_compute.model.specs._instance_parts import Schedule

UTC = timezone.utc
# Wednesday 2026-12-02 04:30 UTC
NOW = datetime(2026, 12, 2, 4, 30, tzinfo=UTC)


def cron(expression: str, tz: str | None = None, **more: object) -> Schedule:
    return Schedule(action="Stop", trigger_type="Cron", expression=expression, time_zone=tz, **more)  # type: ignore[arg-type]


def recurrence(frequency: str, interval: int = 1, **more: object) -> Schedule:
    return Schedule(action="Start", trigger_type="Recurrence", frequency=frequency, interval=interval, **more)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("0 19 * * *", datetime(2026, 12, 2, 19, 0, tzinfo=UTC)),
        ("30 4 * * *", datetime(2026, 12, 3, 4, 30, tzinfo=UTC)),  # exactly now: strictly after
        ("*/15 * * * *", datetime(2026, 12, 2, 4, 45, tzinfo=UTC)),
        ("0 8 * * 1-5", datetime(2026, 12, 2, 8, 0, tzinfo=UTC)),
        ("0 8 * * SAT,SUN", datetime(2026, 12, 5, 8, 0, tzinfo=UTC)),
        ("0 8 * * 0", datetime(2026, 12, 6, 8, 0, tzinfo=UTC)),  # Sunday is 0 …
        ("0 8 * * 7", datetime(2026, 12, 6, 8, 0, tzinfo=UTC)),  # … and 7
        ("0 0 1 JAN *", datetime(2027, 1, 1, 0, 0, tzinfo=UTC)),
        ("0 9 13 * 5", datetime(2027, 8, 13, 9, 0, tzinfo=UTC)),  # the 13th AND a Friday, as NCronTab reads it
        ("15 0 19 * * *", datetime(2026, 12, 2, 19, 0, 15, tzinfo=UTC)),  # six fields: seconds first
    ],
)
def test_cron_next_fire(expression: str, expected: datetime) -> None:
    assert next_fire(cron(expression), NOW) == expected


def test_a_windows_zone_is_read_with_its_daylight_saving() -> None:
    """19:00 in Berlin is 18:00 UTC in winter and 17:00 UTC in summer."""
    stop = cron("0 19 * * *", "W. Europe Standard Time")
    assert next_fire(stop, NOW) == datetime(2026, 12, 2, 18, 0, tzinfo=UTC)
    july = datetime(2026, 7, 1, 4, 30, tzinfo=UTC)
    fire = next_fire(stop, july)
    assert fire == datetime(2026, 7, 1, 17, 0, tzinfo=UTC)
    assert fire is not None and fire.tzinfo == ZoneInfo("Europe/Berlin")


def test_an_iana_zone_is_taken_as_is_and_an_unknown_one_is_refused() -> None:
    assert next_fire(cron("0 8 * * *", "Asia/Tokyo"), NOW) == datetime(2026, 12, 2, 23, 0, tzinfo=UTC)
    with pytest.raises(UnknownZone, match="Mars Standard Time"):
        next_fire(cron("0 8 * * *", "Mars Standard Time"), NOW)


def test_every_shipped_windows_zone_maps_to_a_zone_this_python_knows() -> None:
    for windows in catalogue.windows_zones():
        assert zone(windows) is not None


def test_disabled_never_and_not_yet_started_schedules() -> None:
    assert next_fire(cron("0 19 * * *", status="Disabled"), NOW) is None
    assert next_fire(cron("0 0 30 2 *"), NOW) is None  # 30 February never comes
    later = cron("0 19 * * *", start_time="2027-03-01T00:00:00")
    assert next_fire(later, NOW) == datetime(2027, 3, 1, 19, 0, tzinfo=UTC)


def test_a_time_skipped_by_daylight_saving_moves_forward() -> None:
    """02:30 does not exist in Berlin on 2027-03-28: the schedule fires at 03:30 local (01:30 UTC)."""
    before = datetime(2027, 3, 27, 12, 0, tzinfo=UTC)
    assert next_fire(cron("30 2 28 3 *", "W. Europe Standard Time"), before) == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        # every week on Monday and Friday at 08:30 Pacific (UTC-8 in December)
        (
            recurrence(
                "Week", hours=(8,), minutes=(30,), week_days=("Monday", "Friday"), time_zone="Pacific Standard Time"
            ),
            datetime(2026, 12, 4, 16, 30, tzinfo=UTC),
        ),
        # every second day from 2026-12-01 at 07:00: the 3rd
        (
            recurrence("Day", 2, hours=(7,), minutes=(0,), start_time="2026-12-01T00:00:00"),
            datetime(2026, 12, 3, 7, 0, tzinfo=UTC),
        ),
        # every day at 04:00 and 05:15: today 05:15
        (recurrence("Day", hours=(4, 5), minutes=(15,)), datetime(2026, 12, 2, 5, 15, tzinfo=UTC)),
        # every second week from Monday 2026-11-23, on Mondays: 2026-12-07
        (
            recurrence("Week", 2, hours=(9,), minutes=(0,), week_days=("Monday",), start_time="2026-11-23T00:00:00"),
            datetime(2026, 12, 7, 9, 0, tzinfo=UTC),
        ),
        # monthly on the 1st and the 15th
        (recurrence("Month", hours=(6,), minutes=(0,), month_days=(1, 15)), datetime(2026, 12, 15, 6, 0, tzinfo=UTC)),
        # every 3 hours from 2026-12-02 00:10
        (recurrence("Hour", 3, start_time="2026-12-02T00:10:00"), datetime(2026, 12, 2, 6, 10, tzinfo=UTC)),
        (recurrence("Minute", 20, start_time="2026-12-02T04:00:00"), datetime(2026, 12, 2, 4, 40, tzinfo=UTC)),
    ],
)
def test_recurrence_next_fire(schedule: Schedule, expected: datetime) -> None:
    assert next_fire(schedule, NOW) == expected


def test_the_clock_must_be_aware_and_a_bad_cron_says_why() -> None:
    with pytest.raises(ValueError, match="aware"):
        next_fire(cron("0 19 * * *"), datetime(2026, 12, 2, 4, 30))
    with pytest.raises(ValueError, match="outside 0-23"):
        next_fire(cron("0 25 * * *"), NOW)
