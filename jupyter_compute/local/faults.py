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
from dataclasses import dataclass
from typing import Any

KINDS = ("throttle", "error500", "error503", "latency", "drop", "unauthorized")


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


def parse_rules(text: str) -> list[Rule]:
    rules = []
    for chunk in filter(None, (c.strip() for c in text.split(","))):
        kind, *options = chunk.split(":")
        if kind not in KINDS:
            raise ValueError(f"unknown fault {kind!r}; known: {', '.join(KINDS)}")
        rule = Rule(kind)
        for option in options:
            key, _, value = option.partition("=")
            if key == "every":
                rule.every = max(1, int(value))
            elif key == "times":
                rule.times = int(value)
            elif key == "retry_after":
                rule.retry_after = float(value)
            elif key == "ms":
                rule.ms = float(value)
            elif key == "methods":
                rule.methods = frozenset(value.upper().split("+"))
            else:
                raise ValueError(f"unknown fault option {key!r}")
        rules.append(rule)
    return rules


@dataclass(frozen=True)
class Fault:
    kind: str
    retry_after: float = 0.0
    ms: float = 0.0


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
        return sorted(chosen, key=lambda f: f.kind != "latency")

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "rules": [{"kind": r.kind, "every": r.every, "times": r.times, "fired": r.fired} for r in self.rules],
                "log": list(self.log),
            }
