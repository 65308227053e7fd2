"""When a compute instance's start/stop schedule fires next, from its cron or recurrence trigger.

:func:`next_fire` takes a :class:`~jupyter_compute.model.specs.Schedule` and a moment
(an aware datetime: the caller's clock) and gives the schedule's next fire time after it, as an aware
datetime in the schedule's own zone (renderers convert it to the user's), or None when it never fires
again (within five years) or is disabled. A zone that is neither a Windows id the shipped table maps
(``data/windows_zones.json``, as the service names zones) nor an IANA name raises :class:`UnknownZone`:
the caller says so rather than guess.

Cron expressions, zones and start times are read by :mod:`.triggers`, the reader the spec checks a
schedule with before it is sent. Like NCronTab, a time must match the day-of-month *and* the day-of-week
fields.
Recurrences fire at each of ``hours`` x ``minutes`` on the days their frequency picks (every
``interval`` days, weeks on ``week_days``, months on ``month_days``, counted from ``start_time``), or
every ``interval`` minutes or hours from ``start_time`` for those frequencies.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Any

from .specs import WEEK_DAYS, Schedule
from .triggers import UnknownZone, cron, start_time, zone

__all__ = ["HORIZON_DAYS", "UnknownZone", "next_fire", "next_stop", "zone"]

HORIZON_DAYS = 5 * 366  # a schedule that does not fire within this is shown as never firing


def next_fire(schedule: Schedule, after: datetime) -> datetime | None:
    """The first fire time of ``schedule`` strictly after ``after`` (aware), in the schedule's zone."""
    if after.tzinfo is None:
        raise ValueError("after must be an aware datetime")
    if schedule.status != "Enabled":
        return None
    tz = zone(schedule.time_zone)
    local = after.astimezone(tz)
    start = start_time(schedule.start_time, tz)
    floor = max(local, start - timedelta(microseconds=1)) if start else local
    times = _cron_times(schedule.expression or "", tz, floor) if schedule.trigger_type == "Cron" else None
    if times is None:
        times = _recurrence_times(schedule, tz, floor, start)
    return next(times, None)


def next_stop(items: Sequence[Any], after: datetime) -> datetime | None:
    """The soonest next fire, after ``after``, of the enabled stop schedules among an instance's
    ``computeStartStop`` items as the service gives them (unreadable ones and unknown zones are left out:
    ``doctor`` says why), or None."""
    soonest: datetime | None = None
    for item in items:
        if not isinstance(item, Mapping) or str(item.get("action") or "").lower() != "stop":
            continue
        try:
            when = next_fire(Schedule.from_arm(item), after)
        except (AttributeError, TypeError, ValueError):
            continue
        if when is not None and (soonest is None or when < soonest):
            soonest = when
    return soonest


def _start(text: str | None, tz: tzinfo) -> datetime | None:
    if not text:
        return None
    parsed = datetime.fromisoformat(text)
    return parsed.replace(tzinfo=tz) if parsed.tzinfo is None else parsed.astimezone(tz)


def _at(day: date, hour: int, minute: int, second: int, tz: tzinfo) -> datetime:
    """A wall-clock time of ``tz`` as an aware datetime (a time skipped by a DST change moves forward)."""
    naive = datetime.combine(day, time(hour, minute, second))
    return naive.replace(tzinfo=tz).astimezone(timezone.utc).astimezone(tz)  # the round trip normalises a gap


def _days(floor: datetime) -> Iterator[date]:
    first = floor.date()
    return (first + timedelta(days=i) for i in range(HORIZON_DAYS))


# --- cron ----------------------------------------------------------------------------------------


def _cron_times(expression: str, tz: tzinfo, floor: datetime) -> Iterator[datetime]:
    fields = cron(expression)
    seconds, minutes, hours = fields.seconds, fields.minutes, fields.hours
    month_days, months, week_days = fields.month_days, fields.months, fields.week_days
    for day in _days(floor):
        if day.month not in months or day.day not in month_days or (day.isoweekday() % 7) not in week_days:
            continue
        for hour, minute, second in itertools.product(hours, minutes, seconds):
            fire = _at(day, hour, minute, second, tz)
            if fire > floor:
                yield fire


# --- recurrence ----------------------------------------------------------------------------------


def _recurrence_times(schedule: Schedule, tz: tzinfo, floor: datetime, start: datetime | None) -> Iterator[datetime]:
    interval = max(1, schedule.interval or 1)
    frequency = schedule.frequency or "Day"
    if frequency in ("Minute", "Hour"):
        step = timedelta(minutes=interval) if frequency == "Minute" else timedelta(hours=interval)
        origin = start or datetime.combine(floor.date(), time(0), tzinfo=tz)
        count = max(0, int((floor - origin) / step))
        fire = origin + count * step
        while fire <= floor:
            fire += step
        yield fire
        return
    origin_day = (start or floor).date()
    hours = sorted(schedule.hours or (0,))
    minutes = sorted(schedule.minutes or (0,))
    week_days = {WEEK_DAYS.index(d) for d in schedule.week_days if d in WEEK_DAYS}
    month_days = set(schedule.month_days)
    for day in _days(floor):
        if day < origin_day or not _recurring_day(frequency, interval, origin_day, day, week_days, month_days):
            continue
        for hour, minute in itertools.product(hours, minutes):
            fire = _at(day, hour, minute, 0, tz)
            if fire > floor:
                yield fire


def _recurring_day(
    frequency: str, interval: int, origin: date, day: date, week_days: set[int], month_days: set[int]
) -> bool:
    if week_days and day.weekday() not in week_days:
        return False
    if frequency == "Day":
        return (day - origin).days % interval == 0
    if frequency == "Week":
        monday = origin - timedelta(days=origin.weekday())
        same_weekday = bool(week_days) or day.weekday() == origin.weekday()
        return same_weekday and ((day - monday).days // 7) % interval == 0
    if frequency == "Month":
        months = (day.year - origin.year) * 12 + day.month - origin.month
        on_day = day.day in month_days if month_days else day.day == origin.day
        return on_day and months % interval == 0
    return False
