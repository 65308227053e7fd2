"""The service's own rules for what a request may say, written apart from the client's.

The local workspace is the oracle the client is tested against: were it to reuse the client's
rules, a mistake in them could never show. So it states them again from the service's side (the
REST spec's ``computeName`` path pattern, ISO-8601 durations as ARM reads them), and a test
checks them against the spec rather than against the client.
"""

from __future__ import annotations

import re

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
