"""The running bill of a workspace: what runs now × its price per hour (pure: no I/O).

:func:`running_costs` takes the computes as listed, the prices of their regions and the time now, and
gives a :class:`Costs`: for each cluster its current nodes at the price of its priority (dedicated or
low priority), for each running instance one VM; the workspace's total per hour; and the instances
that run with neither idle shutdown nor an enabled stop schedule, with how long they have run (from the
service's ``lastOperation``: the time of the Create, Start or Restart that left them running) and
roughly what that cost so far. Attached computes are billed by their own resources, not here: they are
left out. A price that is unknown stays None; the total then counts it in ``unknown``, never a guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from .kinds import CLUSTER, INSTANCE
from .prices import DEDICATED, LOW_PRIORITY, RegionPrices

if TYPE_CHECKING:
    from .resource import Compute

#: Instance states in which its VM is allocated, and billed.
BILLED_STATES = frozenset({"Running", "JobRunning", "Starting", "Restarting", "Stopping", "SettingUp"})
_LEFT_RUNNING = frozenset({"Create", "Start", "Restart"})


@dataclass(frozen=True)
class ComputeCost:
    """One compute's part of the bill. ``nodes``: VMs running now; ``rate``: the price of one an hour;
    ``per_hour``: ``nodes × rate`` (0 when nothing runs; None when the price is unknown)."""

    name: str
    kind: str
    size: str
    region: str
    state: str
    priority: str
    nodes: int
    rate: float | None
    per_hour: float | None
    currency: str
    emulated: bool
    price_problem: str = ""
    unguarded: bool = False  # an instance running with neither idle shutdown nor a stop schedule
    running_since: str = ""  # ISO-8601, as the service gave it
    running_hours: float | None = None
    so_far: float | None = None
    next_stop: str = ""  # a running instance's next stop by schedule: ISO-8601, UTC
    hours_to_stop: float | None = None
    until_stop: float | None = None  # what it costs from now to that stop
    by_stop: float | None = None  # what it will have cost from its last start to that stop

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Costs:
    """The workspace's bill per hour now. ``total_per_hour`` adds the computes whose price is known;
    ``unknown`` counts those running at a price that could not be had."""

    computes: tuple[ComputeCost, ...]
    total_per_hour: float
    currency: str
    unknown: int
    emulated: bool

    @property
    def flagged(self) -> tuple[ComputeCost, ...]:
        """Instances running with neither idle shutdown nor a stop schedule."""
        return tuple(c for c in self.computes if c.unguarded)

    @property
    def running(self) -> tuple[ComputeCost, ...]:
        return tuple(c for c in self.computes if c.nodes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "computes": [c.to_dict() for c in self.computes],
            "total_per_hour": self.total_per_hour,
            "currency": self.currency,
            "unknown": self.unknown,
            "flagged": [c.name for c in self.flagged],
            "emulated": self.emulated,
        }


def running_costs(
    computes: Iterable[Compute], prices: Mapping[str, RegionPrices], default_region: str, now: float
) -> Costs:
    """The bill of ``computes`` (see the module); ``prices`` by lower-case region, ``now`` in epoch seconds."""
    rows: list[ComputeCost] = []
    for compute in computes:
        if compute.attached or compute.compute_type not in (CLUSTER.compute_type, INSTANCE.compute_type):
            continue
        region = (compute.location or default_region).lower()
        book = prices.get(region)
        rows.append(_cost(compute, region, book, now))
    known = [r for r in rows if r.per_hour is not None]
    currencies = {r.currency for r in rows if r.currency}
    currency = next(iter(currencies)) if len(currencies) == 1 else ("" if not currencies else "mixed")
    return Costs(
        tuple(rows),
        round(sum(r.per_hour or 0.0 for r in known), 6),
        currency or "USD",
        sum(1 for r in rows if r.nodes and r.per_hour is None),
        any(r.emulated for r in rows),
    )


def _cost(compute: Compute, region: str, book: RegionPrices | None, now: float) -> ComputeCost:
    cluster = compute.compute_type == CLUSTER.compute_type
    if cluster:
        priority = LOW_PRIORITY if compute.vm_priority.lower() == "lowpriority" else DEDICATED
        nodes = compute.current_nodes
    else:
        priority = DEDICATED
        nodes = 1 if compute.state in BILLED_STATES else 0
    problem = ""
    rate: float | None = None
    currency = book.currency if book is not None and book.known else ""
    if book is None or not book.known:
        problem = book.problem if book is not None else f"no prices for {region}"
    else:
        size = book.of(compute.size)
        rate = size.for_priority(priority) if size is not None else None
        if rate is None:
            problem = f"{region} lists no {priority} price for {compute.size or 'its size'}"
    per_hour = None if rate is None else round(nodes * rate, 6)
    if rate is None and nodes == 0:
        per_hour = 0.0  # nothing runs: nothing is billed, whatever the price
    since, hours, so_far = "", None, None
    unguarded = not cluster and nodes > 0 and not compute.idle_shutdown and not compute.stop_scheduled
    if unguarded:
        since, hours = _running_since(compute, now)
        so_far = None if hours is None or rate is None else round(hours * rate, 2)
    stop: dict[str, Any] = {}
    if not cluster and nodes > 0:
        stop = _to_next_stop(compute, now, rate)
    return ComputeCost(
        **stop,
        name=compute.name,
        kind=compute.kind,
        size=compute.size,
        region=region,
        state=compute.state,
        priority=priority,
        nodes=nodes,
        rate=rate,
        per_hour=per_hour,
        currency=currency,
        emulated=bool(book is not None and book.emulated),
        price_problem=problem if nodes else "",
        unguarded=unguarded,
        running_since=since,
        running_hours=hours,
        so_far=so_far,
    )


def _to_next_stop(compute: Compute, now: float, rate: float | None) -> dict[str, Any]:
    """A running instance's next stop by schedule, the hours until it, what they cost, and what the instance
    will have cost from its last start to it (when the start is known); {} when no schedule stops it."""
    when = compute.next_stop(datetime.fromtimestamp(now, timezone.utc))
    if when is None:
        return {}
    hours = max(0.0, (when.timestamp() - now) / 3600)
    _since, ran = _running_since(compute, now)
    return {
        "next_stop": when.astimezone(timezone.utc).isoformat().replace("+00:00", "Z"),
        "hours_to_stop": round(hours, 4),
        "until_stop": None if rate is None else round(hours * rate, 2),
        "by_stop": None if rate is None or ran is None else round((ran + hours) * rate, 2),
    }


def _running_since(compute: Compute, now: float) -> tuple[str, float | None]:
    """When the instance was last left running (the lastOperation that did it) and the hours since."""
    last = compute.last_operation
    when = last.get("operationTime")
    if str(last.get("operationName", "")) not in _LEFT_RUNNING or not isinstance(when, str):
        return "", None
    try:
        started = datetime.fromisoformat(when.replace("Z", "+00:00"))
    except ValueError:
        return "", None
    if started.tzinfo is None:
        return when, None
    return when, max(0.0, (now - started.timestamp()) / 3600)


@dataclass(frozen=True)
class Estimate:
    """What a compute to be created costs an hour: a cluster up to ``max_nodes`` nodes with ``min_nodes``
    always on, an instance while it runs. ``rate`` is None when the price is unknown (``problem`` says why)."""

    kind: str
    size: str
    region: str
    priority: str
    max_nodes: int
    min_nodes: int
    rate: float | None
    currency: str
    emulated: bool
    problem: str = ""

    @property
    def cluster(self) -> bool:
        return self.kind == CLUSTER.word

    @property
    def most_per_hour(self) -> float | None:
        return None if self.rate is None else round(self.rate * (self.max_nodes if self.cluster else 1), 6)

    @property
    def always_on_per_hour(self) -> float | None:
        return None if self.rate is None else round(self.rate * self.min_nodes, 6)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["most_per_hour"] = self.most_per_hour
        data["always_on_per_hour"] = self.always_on_per_hour if self.cluster else None
        return data


def estimate(
    kind: str, size: str, region: str, priority: str, max_nodes: int, min_nodes: int, prices: RegionPrices
) -> Estimate:
    """The :class:`Estimate` of a compute of ``kind`` (cluster or instance) from its region's prices."""
    rate: float | None = None
    problem = prices.problem
    if prices.known:
        found = prices.of(size)
        rate = found.for_priority(priority) if found is not None else None
        if rate is None:
            problem = f"{prices.region} lists no {priority} price for {size}"
    return Estimate(kind, size, region, priority, max_nodes, min_nodes, rate, prices.currency, prices.emulated, problem)


def runs_unguarded(spec: Any) -> bool:
    """Whether an instance spec has neither idle shutdown nor an enabled stop schedule (it would run until
    stopped by hand)."""
    if getattr(spec, "COMPUTE_TYPE", "") != INSTANCE.compute_type:
        return False
    if getattr(spec, "idle_time_before_shutdown", None):
        return False
    schedules = getattr(spec, "schedules", ()) or ()
    return not any(s.action == "Stop" and s.status == "Enabled" for s in schedules)


def sized(spec: Any) -> bool:
    """Whether a spec runs on VMs of a size this package prices (a cluster or an instance)."""
    compute_type = getattr(spec, "COMPUTE_TYPE", "")
    return compute_type in (CLUSTER.compute_type, INSTANCE.compute_type) and bool(getattr(spec, "size", ""))
