"""When a compute instance's start/stop schedule fires next, from its cron or recurrence trigger.

:func:`next_fire` takes a :class:`~jupyter_compute.model.specs._instance_parts.Schedule` and a moment
(an aware datetime: the caller's clock) and gives the schedule's next fire time after it, as an aware
datetime in the schedule's own zone (renderers convert it to the user's), or None when it never fires
again (within five years) or is disabled. A zone that is neither a Windows id the shipped table maps
(``data/windows_zones.json``, as the service names zones) nor an IANA name raises :class:`UnknownZone`:
the caller says so rather than guess.

Cron expressions are NCronTab's, as the service reads them: five fields (minute hour day-of-month month
day-of-week) or six with seconds first; ``*``, lists, ranges, ``/`` steps, month and day names; Sunday is
0 (7 too). Like NCronTab, a time must match the day-of-month *and* the day-of-week fields.
Recurrences fire at each of ``hours`` x ``minutes`` on the days their frequency picks (every
``interval`` days, weeks on ``week_days``, months on ``month_days``, counted from ``start_time``), or
every ``interval`` minutes or hours from ``start_time`` for those frequencies.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..data import catalogue
from .specs._instance_parts import WEEK_DAYS, Schedule

HORIZON_DAYS = 5 * 366  # a schedule that does not fire within this is shown as never firing
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


class UnknownZone(ValueError):
    """A schedule's time zone that maps to no IANA zone known here."""


def zone(name: str | None) -> tzinfo:
    """The zone of a schedule's ``time_zone`` (a Windows id or an IANA name; none: UTC)."""
    wanted = (name or "UTC").strip()
    windows = {k.lower(): v for k, v in catalogue.windows_zones().items()}
    iana = windows.get(wanted.lower(), wanted)
    try:
        return ZoneInfo(iana)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownZone(f"time zone {wanted!r} is not a Windows or IANA time zone known here") from None


def next_fire(schedule: Schedule, after: datetime) -> datetime | None:
    """The first fire time of ``schedule`` strictly after ``after`` (aware), in the schedule's zone."""
    if after.tzinfo is None:
        raise ValueError("after must be an aware datetime")
    if schedule.status != "Enabled":
        return None
    tz = zone(schedule.time_zone)
    local = after.astimezone(tz)
    start = _start(schedule.start_time, tz)
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


def _field(text: str, low: int, high: int, names: tuple[str, ...] = (), name_base: int = 0) -> frozenset[int]:
    """The values of one cron field (``*``, ``1,5``, ``1-5``, ``*/15``, ``MON-FRI``)."""

    def value(word: str) -> int:
        lowered = word.lower()
        if lowered in names:
            return names.index(lowered) + name_base
        if not word.isdigit():
            raise ValueError(f"{word!r} is not a number or a name of this cron field")
        return int(word)

    values: set[int] = set()
    for part in text.split(","):
        span, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if step < 1:
            raise ValueError(f"step {step_text!r} must be at least 1")
        if span == "*":
            first, last = low, high
        elif "-" in span:
            a, b = span.split("-", 1)
            first, last = value(a), value(b)
        else:
            first = value(span)
            last = high if step_text else first
        if not (low <= first <= high and low <= last <= high) or first > last:
            raise ValueError(f"{part!r} is outside {low}-{high}")
        values.update(range(first, last + 1, step))
    return frozenset(values)


def _cron_times(expression: str, tz: tzinfo, floor: datetime) -> Iterator[datetime]:
    fields = expression.split()
    if len(fields) == 5:
        fields = ["0", *fields]
    if len(fields) != 6:
        raise ValueError(f"{expression!r} is not a cron expression of 5 or 6 fields")
    seconds = sorted(_field(fields[0], 0, 59))
    minutes = sorted(_field(fields[1], 0, 59))
    hours = sorted(_field(fields[2], 0, 23))
    month_days = _field(fields[3], 1, 31)
    months = _field(fields[4], 1, 12, _MONTHS, 1)
    week_days = {d % 7 for d in _field(fields[5], 0, 7, _DAYS)}
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
