"""The parts of a start/stop schedule's trigger, read once: a cron expression, a time zone, a start time.

One reader for both uses: the spec checks a schedule with it before anything is sent (create, update,
the panel's forms), and ``show`` computes the next fire time from what it reads
(:mod:`.schedule_times`), so a schedule that could be sent is one whose next run can be said.

Cron expressions are NCronTab's, as the service reads them: five fields (minute hour day-of-month month
day-of-week) or six with seconds first; ``*``, lists, ranges (low to high, within the field's bounds),
``/`` steps of at least 1, month and day names; Sunday is 0 (7 too). A zone is a Windows id the shipped
table maps (``data/windows_zones.json``, as the service names zones) or an IANA name; none is UTC. A
start time is sent as a local date and time (``2026-12-01T08:00``, seconds optional), in the schedule's
zone; one the service sends back is read as any ISO date and time.
Each reader raises ValueError (:class:`UnknownZone` for a zone) saying what is wrong, in one phrase.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..data import catalogue

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_LOCAL_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?")


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


def local_start_time(text: str) -> str:
    """``text`` when it is a local start time as the service takes one (``yyyy-MM-ddTHH:mm[:ss]``, a date
    and time that exist); else ValueError."""
    if not _LOCAL_TIME.fullmatch(text):
        raise ValueError(f"{text!r} is not a local start time of the form yyyy-MM-ddTHH:mm:ss")
    start_time(text, ZoneInfo("UTC"))
    return text


def start_time(text: str | None, tz: tzinfo) -> datetime | None:
    """A trigger's ``start_time`` in ``tz`` (a time with its own offset is converted); None when not given."""
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date and time (yyyy-MM-ddTHH:mm:ss)") from None
    return parsed.replace(tzinfo=tz) if parsed.tzinfo is None else parsed.astimezone(tz)


@dataclass(frozen=True)
class Cron:
    """A cron expression's fields as the sets of values they match (Sunday is 0 in ``week_days``)."""

    seconds: tuple[int, ...]
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    month_days: frozenset[int]
    months: frozenset[int]
    week_days: frozenset[int]


def cron(expression: str) -> Cron:
    """The fields of an NCronTab expression of five fields (or six, seconds first)."""
    fields = expression.split()
    if len(fields) == 5:
        fields = ["0", *fields]
    if len(fields) != 6:
        raise ValueError(f"{expression!r} is not a cron expression of 5 fields (minute hour day month weekday) or 6")
    return Cron(
        seconds=tuple(sorted(_field("second", fields[0], 0, 59))),
        minutes=tuple(sorted(_field("minute", fields[1], 0, 59))),
        hours=tuple(sorted(_field("hour", fields[2], 0, 23))),
        month_days=_field("day of month", fields[3], 1, 31),
        months=_field("month", fields[4], 1, 12, _MONTHS, 1),
        week_days=frozenset(d % 7 for d in _field("day of week", fields[5], 0, 7, _DAYS)),
    )


def _field(
    name: str, text: str, low: int, high: int, names: tuple[str, ...] = (), name_base: int = 0
) -> frozenset[int]:
    """The values of one cron field (``*``, ``1,5``, ``1-5``, ``*/15``, ``MON-FRI``)."""

    def value(word: str) -> int:
        lowered = word.lower()
        if lowered in names:
            return names.index(lowered) + name_base
        if not (word.isdigit() and word.isascii()):
            raise ValueError(f"{name} {word!r} is not a number{' or a name' if names else ''}")
        return int(word)

    values: set[int] = set()
    for part in text.split(","):
        span, slash, step_text = part.partition("/")
        if slash and not (step_text.isdigit() and step_text.isascii()):
            raise ValueError(f"{name} step {step_text!r} is not a number")
        step = int(step_text) if slash else 1
        if step < 1:
            raise ValueError(f"{name} step {step_text!r} must be at least 1")
        if span == "*":
            first, last = low, high
        elif "-" in span:
            a, b = span.split("-", 1)
            first, last = value(a), value(b)
        else:
            first = value(span)
            last = high if slash else first
        if not (low <= first <= high and low <= last <= high):
            raise ValueError(f"{name} {part!r} is outside {low}-{high}")
        if first > last:
            raise ValueError(f"{name} range {span!r} runs backwards (from {first} to {last})")
        values.update(range(first, last + 1, step))
    return frozenset(values)
