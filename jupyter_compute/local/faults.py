"""Protocol-level fault injection for the local workspace server (for tests of the Azure path).

Rules come from ``JUPYTER_COMPUTE_FAULTS`` when the server starts, or from ``POST
/_emulator/faults``. A rule is ``KIND[:key=value]...``; rules are separated by commas:

    throttle:every=3:retry_after=1     every 3rd request gets 429 with Retry-After: 1
    error500:every=4 / error503:every=5   a 500 / 503 ARM error
    latency:ms=200                     every request waits 200 ms first
    drop:every=6                       the connection is closed without an answer
    unauthorized:times=1               the next request gets 401 (the client must refresh once)

``every=N`` picks the Nth, 2Nth … request; ``times=K`` caps how often a rule fires;
``methods=GET+PUT`` limits a rule to some methods. Counting is per server process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Delay:
    """Wait this long, then go on with the request (and any other fault)."""

    seconds: float


@dataclass(frozen=True)
class Drop:
    """Close the connection without an answer."""


@dataclass(frozen=True)
class Reply:
    """Answer with this ARM error instead of serving the request."""

    status: int
    headers: dict[str, str]
    code: str
    message: str


Action = Delay | Drop | Reply


@dataclass(frozen=True)
class Fault:
    kind: str
    retry_after: float = 0.0
    ms: float = 0.0

    def action(self) -> Action:
        """What the server does for this fault (the :data:`ANSWERS` table)."""
        return ANSWERS[self.kind](self)


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


#: kind -> what the server does; the kinds a rule may name, in this order.
ANSWERS: dict[str, Callable[[Fault], Action]] = {
    "throttle": lambda f: Reply(
        429,
        {"Retry-After": _seconds(f.retry_after)},
        "TooManyRequests",
        f"The request was throttled. Retry after {f.retry_after} seconds.",
    ),
    "error500": lambda f: Reply(500, {}, "InternalServerError", "Injected server error."),
    "error503": lambda f: Reply(503, {"Retry-After": "1"}, "ServiceUnavailable", "Injected server error."),
    "latency": lambda f: Delay(f.ms / 1000),
    "drop": lambda f: Drop(),
    "unauthorized": lambda f: Reply(
        401,
        {"WWW-Authenticate": 'Bearer error="invalid_token"'},
        "ExpiredAuthenticationToken",
        "The access token expiry UTC time is earlier than current UTC time.",
    ),
}
KINDS = tuple(ANSWERS)
LOG_KEPT = 10_000  # fired faults the snapshot keeps


@dataclass
class Rule:
    kind: str
    every: int = 1
    times: int | None = None
    retry_after: float = 1.0
    ms: float = 0.0
    methods: frozenset[str] = frozenset()
    seen: int = 0
    fired: int = 0

    def applies(self, method: str) -> bool:
        if self.methods and method not in self.methods:
            return False
        if self.times is not None and self.fired >= self.times:
            return False
        self.seen += 1
        if self.seen % self.every:
            return False
        self.fired += 1
        return True


def _whole(key: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"fault option {key}={value!r} is not a whole number") from None


def _number(key: str, value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"fault option {key}={value!r} is not a number") from None


def _set_every(rule: Rule, value: str) -> None:
    rule.every = max(1, _whole("every", value))


def _set_times(rule: Rule, value: str) -> None:
    rule.times = _whole("times", value)


def _set_retry_after(rule: Rule, value: str) -> None:
    rule.retry_after = _number("retry_after", value)


def _set_ms(rule: Rule, value: str) -> None:
    rule.ms = _number("ms", value)


def _set_methods(rule: Rule, value: str) -> None:
    rule.methods = frozenset(value.upper().split("+"))


OPTIONS: dict[str, Callable[[Rule, str], None]] = {
    "every": _set_every,
    "times": _set_times,
    "retry_after": _set_retry_after,
    "ms": _set_ms,
    "methods": _set_methods,
}


def parse_rules(text: str) -> list[Rule]:
    """The rules of ``text``; ValueError naming the first fault or option that is not known or not valid."""
    rules = []
    for chunk in filter(None, (c.strip() for c in text.split(","))):
        kind, *options = chunk.split(":")
        if kind not in ANSWERS:
            raise ValueError(f"unknown fault {kind!r}; known: {', '.join(KINDS)}")
        rule = Rule(kind)
        for option in options:
            key, _, value = option.partition("=")
            if key not in OPTIONS:
                raise ValueError(f"unknown fault option {key!r}; known: {', '.join(OPTIONS)}")
            OPTIONS[key](rule, value)
        rules.append(rule)
    return rules


class Faults:
    def __init__(self, text: str = "") -> None:
        self._lock = threading.Lock()
        self.rules = parse_rules(text)
        self.log: list[dict[str, Any]] = []

    def configure(self, text: str) -> None:
        with self._lock:
            self.rules = parse_rules(text)
            self.log.clear()

    def pick(self, method: str, path: str) -> list[Fault]:
        """The faults to apply to this request, in order (latency first)."""
        chosen = []
        with self._lock:
            for rule in self.rules:
                if rule.applies(method):
                    chosen.append(Fault(rule.kind, rule.retry_after, rule.ms))
                    self.log.append({"kind": rule.kind, "method": method, "path": path})
            del self.log[:-LOG_KEPT]
        return sorted(chosen, key=lambda f: not isinstance(f.action(), Delay))

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "rules": [{"kind": r.kind, "every": r.every, "times": r.times, "fired": r.fired} for r in self.rules],
                "log": list(self.log),
            }
