"""The service's own rules for what a request may say, written apart from the client's.

The local workspace is the oracle the client is tested against: were it to reuse the client's
rules, a mistake in them could never show. So it states them again from the service's side (the
REST spec's ``computeName`` path pattern, ISO-8601 durations as ARM reads them, NCronTab expressions
and the service's time zone names for start/stop schedules), and a test checks them against the spec
rather than against the client.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..data import catalogue

# 3 to 24 characters of letters, digits and '-', starting with a letter; not ending in '-' and digits.
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]{2,23}")
_NUMBERED_END = re.compile(r"-[0-9]+\Z")
NAME_RULE = (
    "3 to 24 characters: letters, digits and '-', starting with a letter, and not ending in '-' followed by digits"
)

_NUMBER = r"(\d+(?:\.\d+)?)"
_DURATION = re.compile(
    rf"P(?!$)(?:{_NUMBER}Y)?(?:{_NUMBER}M)?(?:{_NUMBER}W)?(?:{_NUMBER}D)?"
    rf"(?:T(?=\d)(?:{_NUMBER}H)?(?:{_NUMBER}M)?(?:{_NUMBER}S)?)?",
    re.IGNORECASE,
)
# A year and a month as ARM's duration reading takes them (365 and 30 days).
_UNIT_SECONDS = (365 * 86400, 30 * 86400, 7 * 86400, 86400, 3600, 60, 1)


# An instance's idle shutdown, as IdleShutdownSetting states it: "Minimum is 15 min, maximum is 3 days".
IDLE_SHUTDOWN_MIN = 15 * 60.0
IDLE_SHUTDOWN_MAX = 3 * 86400.0


def valid_compute_name(name: str) -> bool:
    return bool(_NAME.fullmatch(name)) and not _NUMBERED_END.search(name)


def duration_seconds(text: str) -> float | None:
    """Seconds of an ISO-8601 duration (``PT2M``, ``P1DT12H``); None if ``text`` is not one."""
    match = _DURATION.fullmatch(text.strip())
    if match is None:
        return None
    return sum(float(value) * unit for value, unit in zip(match.groups(), _UNIT_SECONDS, strict=True) if value)


# --- start/stop schedules, as the service checks them (NCronTab expressions, its zone names) --------------

_CRON_BOUNDS = (
    ("second", 0, 59),
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day", 1, 31),
    ("month", 1, 12),
    ("weekday", 0, 7),
)
_CRON_NAMES = {
    "month": ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"),
    "weekday": ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"),
}
_CRON_PART = re.compile(r"(?:(\*)|([0-9A-Za-z]+)(?:-([0-9A-Za-z]+))?)(?:/([0-9]+))?")


def cron_problem(expression: str) -> str | None:
    """Why NCronTab would refuse ``expression`` (5 fields, or 6 with seconds first), or None."""
    fields = expression.split()
    if len(fields) not in (5, 6):
        return f"'{expression}' has {len(fields)} fields; a cron expression has 5 (or 6, seconds first)"
    bounds = _CRON_BOUNDS if len(fields) == 6 else _CRON_BOUNDS[1:]
    for (name, low, high), field in zip(bounds, fields, strict=True):
        for part in field.split(","):
            match = _CRON_PART.fullmatch(part)
            if match is None:
                return f"the {name} field '{field}' is not a cron field"
            star, first, last, step = match.groups()
            if step is not None and int(step) == 0:
                return f"the {name} field '{field}' steps by 0"
            if star:
                continue
            values: list[int] = []
            for word in (first, last):
                number = None if word is None else _cron_number(name, word)
                if word is not None and (number is None or not low <= number <= high):
                    return f"the {name} field '{field}' is outside {low}-{high}"
                values += [] if number is None else [number]
            if len(values) == 2 and values[0] > values[1]:
                return f"the {name} field '{field}' has a range from high to low"
    return None


def _cron_number(field: str, word: str) -> int | None:
    if word.isdecimal() and word.isascii():
        return int(word)
    names = _CRON_NAMES.get(field, ())
    return names.index(word.upper()) + (1 if field == "month" else 0) if word.upper() in names else None


def known_time_zone(name: str) -> bool:
    """A Windows time zone id (the service's names; the shipped table) or an IANA name."""
    if name.lower() in (k.lower() for k in catalogue.windows_zones()):
        return True
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def schedule_problem(schedule: Any) -> str | None:
    """Why the service would refuse one ``computeStartStop`` entry (its cron expression, its zone), or None."""
    if not isinstance(schedule, Mapping):
        return "a schedule must be an object"
    trigger = schedule.get("cron") if schedule.get("triggerType") == "Cron" else schedule.get("recurrence")
    if not isinstance(trigger, Mapping):
        return f"a {schedule.get('triggerType') or 'Recurrence'} schedule needs its trigger"
    zone = trigger.get("timeZone")
    if zone is not None and not (isinstance(zone, str) and known_time_zone(zone)):
        return f"the time zone {zone!r} is not one the service knows"
    if schedule.get("triggerType") == "Cron":
        expression = trigger.get("expression")
        if not isinstance(expression, str):
            return "a cron schedule needs its expression"
        problem = cron_problem(expression)
        return f"the cron expression '{expression}' is not valid: {problem}" if problem else None
    return None
