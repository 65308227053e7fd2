"""What the service says is left of the subscription's request budgets, and how much slower to poll for it.

ARM answers each request with ``x-ms-ratelimit-remaining-subscription-{reads,writes,deletes}`` (GET and
HEAD are reads; DELETE deletes; PUT, PATCH and POST, even read-like ones such as ``listNodes``, writes),
and since late 2024 with the ``-global-`` twin of the same bucket; the value is what is left *after* that
request (recordings: ../shared/reference/recordings/more-2026-12/ratelimit-headers/). The lower of the
two is the budget. When it is gone the service answers 429 with ``Retry-After``.

:meth:`RateLimits.pace` is the factor by which background polling (reads) stretches its gaps: 1 while
at least :data:`SLOW_BELOW` reads are left; ``SLOW_BELOW / (left - RESERVE)`` below that, so the rate
falls with what is left above the reserve and the poller does not spend its last reads; :data:`MAX_PACE`
once only :data:`RESERVE` are left (kept for what the user asks) or after a 429, until its ``Retry-After``
has passed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping

SLOW_BELOW = 100  # reads left under which background polling slows down
RESERVE = 10  # reads left that background polling leaves to the user's own requests
MAX_PACE = 60.0  # at most this many times slower (a 30 s poll: every 30 minutes)
THROTTLED_FOR = 60.0  # seconds to hold back after a 429 that gave no Retry-After
PREFIX = "x-ms-ratelimit-remaining-subscription-"


def bucket(method: str) -> str:
    """The budget a request of ``method`` counts against: reads, writes or deletes."""
    upper = method.upper()
    if upper in ("GET", "HEAD"):
        return "reads"
    return "deletes" if upper == "DELETE" else "writes"


class RateLimits:
    """The budgets last reported, per bucket; thread-safe (every request of a client reports here)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._left: dict[str, int] = {}
        self._held_until = float("-inf")
        self._lock = threading.Lock()

    def observe(self, method: str, status: int, headers: Mapping[str, str]) -> None:
        """Take in one answer: the budget left of its method's bucket, and a 429's ``Retry-After``."""
        kind = bucket(method)
        lowered = {k.lower(): v for k, v in headers.items()}
        values = []
        for name in (f"{PREFIX}{kind}", f"{PREFIX}global-{kind}"):
            raw = lowered.get(name, "").strip()
            if raw.isdigit():
                values.append(int(raw))
        with self._lock:
            if values:
                self._left[kind] = min(values)
            if status == 429:
                self._held_until = self.clock() + _seconds(lowered.get("retry-after"))

    def left(self, kind: str = "reads") -> int | None:
        """What the service last said is left of ``kind`` (None: it never said)."""
        with self._lock:
            return self._left.get(kind)

    def pace(self) -> float:
        """How many times slower background reads should go now (1: as planned)."""
        with self._lock:
            if self.clock() < self._held_until:
                return MAX_PACE
            left = self._left.get("reads")
        if left is None or left >= SLOW_BELOW:
            return 1.0
        if left <= RESERVE:
            return MAX_PACE
        return min(MAX_PACE, SLOW_BELOW / (left - RESERVE))


def _seconds(value: str | None) -> float:
    """A Retry-After in seconds (an HTTP date or nothing: :data:`THROTTLED_FOR`)."""
    try:
        return max(0.0, float(value or ""))
    except ValueError:
        return THROTTLED_FOR
