"""The events of a compute's timeline, as typed records, and their stored JSON form.

A write appends one :class:`Event` with the durations it chose (already divided by the speed);
``simulation.derive`` replays them. The JSON form is the one older versions stored: a flat object
with only the keys that are set (``t``, ``kind``, ``duration``, ``min``, ``idle``, ``delay``,
``prepare``, ``leave``, ``setup``, ``attached``, ``failed``), so a store written by either version
reads the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, Literal, cast, get_args

Kind = Literal["create", "update", "resize", "stop", "start", "restart", "delete", "detach"]
KINDS: tuple[Kind, ...] = get_args(Kind)
ENDINGS: frozenset[Kind] = frozenset({"delete", "detach"})  # after these, the compute is gone


@dataclass(frozen=True)
class Event:
    """One write on the timeline, starting at ``t`` and lasting ``duration`` seconds.

    Cluster events (create, update with scale settings, resize) carry ``min`` (the nodes to hold
    once the cluster is ready), ``idle`` (seconds a surplus node idles before it leaves) and, for an
    update, ``delay`` (the new scale applies that long after ``t``). A cluster's create also carries
    how long a node takes to ``prepare`` and to ``leave``; an instance's create, how long its
    ``setup`` phase is (the end of the create). ``attached`` marks an attach; ``failed`` is the ARM
    error a failed create ends with.
    """

    t: float
    kind: Kind
    duration: float = 0.0
    min: int | None = None
    idle: float | None = None
    delay: float | None = None
    prepare: float | None = None
    leave: float | None = None
    setup: float | None = None
    attached: bool = False
    failed: dict[str, Any] | None = None

    @property
    def end(self) -> float:
        return self.t + self.duration

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"t": self.t, "kind": self.kind, "duration": self.duration}
        for name in ("min", "idle", "delay", "prepare", "leave", "setup"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.attached:
            out["attached"] = True
        if self.failed:
            out["failed"] = self.failed
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Event:
        """The event of a stored JSON object. Raises ValueError for one no version wrote."""
        unknown = set(data) - {f.name for f in fields(cls)}
        kind = data.get("kind")
        if unknown or kind not in KINDS or "t" not in data:
            raise ValueError(f"not a timeline event: {dict(data)!r}")

        def number(name: str) -> float | None:
            value = data.get(name)
            return None if value is None else float(value)

        return cls(
            t=float(data["t"]),
            kind=cast(Kind, kind),
            duration=float(data.get("duration") or 0.0),
            min=None if data.get("min") is None else int(data["min"]),
            idle=number("idle"),
            delay=number("delay"),
            prepare=number("prepare"),
            leave=number("leave"),
            setup=number("setup"),
            attached=bool(data.get("attached")),
            failed=dict(data["failed"]) if data.get("failed") else None,
        )


def gone_at(events: Sequence[Event]) -> float:
    """When the compute stops existing: the end of its delete or detach, or never (inf)."""
    return min((e.end for e in events if e.kind in ENDINGS), default=float("inf"))
