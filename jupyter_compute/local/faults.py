"""Protocol-level fault injection for the local workspace server (for tests of the Azure path).

Rules come from ``JUPYTER_COMPUTE_FAULTS`` when the server starts, or from ``POST
/_emulator/faults``. A rule is ``KIND[:key=value]...``; rules are separated by commas:

    throttle:every=3:retry_after=1     every 3rd request gets 429 with Retry-After: 1
    error500:every=4 / error503:every=5   a 500 / 503 ARM error
    latency:ms=200                     every request waits 200 ms first
    drop:every=6                       the connection is closed without an answer
    unauthorized:times=1               the next request gets 401 (the client must refresh once)
    ratelimit:reads=40:window=3600     the subscription's budget: 40 reads an hour, then 429 (see Budget)

``every=N`` picks the Nth, 2Nth … request; ``times=K`` caps how often a rule fires;
``methods=GET+PUT`` limits a rule to some methods. Counting is per server process.
"""

from __future__ import annotations

import threading
import time
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


#: The hour's budgets ARM reported to older clients (11999 reads left after the first GET, …): what the
#: local workspace reports when no ``ratelimit`` rule sets a budget (it then refuses nothing).
DEFAULT_BUDGET = {"reads": 12000, "writes": 1200, "deletes": 15000}
GLOBAL_TIMES = 15  # the -global- twin's budget, so many times the subscription's (16499 beside 1099)
PREFIX = "x-ms-ratelimit-remaining-subscription-"


def bucket(method: str) -> str:
    """ARM's bucket of a method: GET and HEAD read, DELETE deletes, every other method writes (POST too)."""
    upper = method.upper()
    return "reads" if upper in ("GET", "HEAD") else "deletes" if upper == "DELETE" else "writes"


class Budget:
    """The subscription's request budgets as ARM reports them: every answer carries what is left of its
    method's bucket after it (``x-ms-ratelimit-remaining-subscription-reads``, and the ``-global-`` twin);
    when a ``ratelimit`` rule set the budget, a request past it gets 429 with ``Retry-After`` (the seconds
    until the window starts again). Counting is per server process, by the wall clock."""

    def __init__(self, limits: dict[str, int] | None = None, window: float = 3600.0, *, enforced: bool = False) -> None:
        self.limits = {**DEFAULT_BUDGET, **(limits or {})}
        self.window = window
        self.enforced = enforced
        self.used = dict.fromkeys(self.limits, 0)
        self.refused = 0
        self._start = time.monotonic()

    @classmethod
    def from_rule(cls, chunk: str) -> Budget:
        """``ratelimit[:reads=N][:writes=N][:deletes=N][:window=S]``; ValueError naming a bad option."""
        limits: dict[str, int] = {}
        window = 3600.0
        for option in chunk.split(":")[1:]:
            key, _, value = option.partition("=")
            if key in DEFAULT_BUDGET:
                limits[key] = max(0, _whole(key, value))
            elif key == "window":
                window = max(1.0, _number(key, value))
            else:
                raise ValueError(f"unknown ratelimit option {key!r}; known: {', '.join([*DEFAULT_BUDGET, 'window'])}")
        return cls(limits, window, enforced=True)

    def take(self, method: str) -> tuple[dict[str, str], bool]:
        """Count one request: the headers its answer carries, and whether it may be served."""
        now = time.monotonic()
        if now - self._start >= self.window:
            self._start, self.used = now, dict.fromkeys(self.limits, 0)
        kind = bucket(method)
        limit = self.limits[kind]
        allowed = not self.enforced or self.used[kind] < limit
        if allowed:
            self.used[kind] += 1
        else:
            self.refused += 1
        left = max(0, limit - self.used[kind])
        headers = {
            f"{PREFIX}{kind}": str(left),
            f"{PREFIX}global-{kind}": str(max(0, limit * GLOBAL_TIMES - self.used[kind])),
        }
        if not allowed:
            headers["Retry-After"] = str(max(1, int(self.window - (now - self._start) + 0.999)))
        return headers, allowed


def _split_budget(text: str) -> tuple[str, Budget]:
    """The ``ratelimit`` rule of ``text`` (the last one counts) apart from the other rules."""
    budget = Budget()
    others = []
    for chunk in filter(None, (c.strip() for c in text.split(","))):
        if chunk.split(":")[0] == "ratelimit":
            budget = Budget.from_rule(chunk)
        else:
            others.append(chunk)
    return ",".join(others), budget


class Faults:
    def __init__(self, text: str = "") -> None:
        self._lock = threading.Lock()
        rules, self.budget = _split_budget(text)
        self.rules = parse_rules(rules)
        self.log: list[dict[str, Any]] = []

    def configure(self, text: str) -> None:
        rules, budget = _split_budget(text)
        parsed = parse_rules(rules)
        with self._lock:
            self.rules, self.budget = parsed, budget
            self.log.clear()

    def take(self, method: str) -> tuple[dict[str, str], bool]:
        """One request against the budget (:meth:`Budget.take`)."""
        with self._lock:
            return self.budget.take(method)

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
            budget = self.budget
            snapshot: dict[str, Any] = {
                "rules": [{"kind": r.kind, "every": r.every, "times": r.times, "fired": r.fired} for r in self.rules],
                "log": list(self.log),
            }
            if budget.enforced:
                snapshot["budget"] = {"limits": budget.limits, "used": budget.used, "refused": budget.refused}
            return snapshot
