"""The words of prices and of the running bill: ``$0.29/h``, "price unknown", the create summary's line,
the nudge towards idle shutdown, and the ``costs`` table. Prices from the local workspace's stand-in say
"emulated" wherever they show."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from ..model import kinds
from ..model.costs import ComputeCost, Costs, Estimate, runs_unguarded
from ..model.prices import LOW_PRIORITY, RegionPrices, SizePrice
from .markup import Markup, html
from .tables import html_table, text_table

if TYPE_CHECKING:
    from ..model.specs import ComputeSpec

PRICE_UNKNOWN = "price unknown"
EMULATED = "emulated"
SYMBOLS = {"USD": "$"}
NUDGE_MINUTES = 60


def money(amount: float, currency: str) -> str:
    """``$0.29``, ``$1.17``, ``$0.046`` (three places under a tenth), or ``0.29 EUR``."""
    places = 3 if 0 < amount < 0.1 else 2
    text = f"{amount:,.{places}f}"
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{text}" if symbol else f"{text} {currency}".rstrip()


def per_hour(amount: float | None, currency: str) -> str:
    return PRICE_UNKNOWN if amount is None else f"{money(amount, currency)}/h"


def whose(currency: str, emulated: bool) -> str:
    """`` (USD)``, `` (USD, emulated)``: the currency, and whether the prices are the stand-in's."""
    parts = [p for p in (currency, EMULATED if emulated else "") if p]
    return f" ({', '.join(parts)})" if parts else ""


def _nodes(count: int) -> str:
    return f"{count} node" if count == 1 else f"{count} nodes"


def estimate_line(e: Estimate) -> str:
    """``up to 4 nodes × $0.29/h = $1.17/h; 1 node always on = $0.29/h while idle (USD)`` for a cluster,
    ``$0.29/h while running (USD)`` for an instance; ``price unknown (why)`` when it is."""
    if e.rate is None:
        why = f" ({e.problem})" if e.problem else ""
        return f"{PRICE_UNKNOWN} for {e.size}{why}" + (f" ({EMULATED})" if e.emulated else "")
    tail = whose(e.currency, e.emulated)
    if not e.cluster:
        return f"{per_hour(e.rate, e.currency)} while running{tail}"
    tier = "low priority: " if e.priority == LOW_PRIORITY else ""
    most = f"up to {_nodes(e.max_nodes)} × {per_hour(e.rate, e.currency)} = {per_hour(e.most_per_hour, e.currency)}"
    if e.min_nodes:
        idle = f"{_nodes(e.min_nodes)} always on = {per_hour(e.always_on_per_hour, e.currency)} while idle"
    else:
        idle = "nothing while idle (no node always on)"
    return f"{tier}{most}; {idle}{tail}"


def idle_nudge(name: str) -> str:
    """The one line a create of an instance without idle shutdown or stop schedule prints."""
    return (
        f"note: {name} has no idle shutdown and no stop schedule, so it runs (and is billed) until stopped: add "
        f"--idle-time-before-shutdown-minutes {NUDGE_MINUTES} (or, once created, "
        f"`update {name} --idle-shutdown {NUDGE_MINUTES}`)"
    )


def always_on_note(name: str, min_nodes: int) -> str:
    """What a cluster with min nodes above zero says at once (its price follows once known)."""
    them = "it" if min_nodes == 1 else "them"
    return (
        f"note: {name} keeps {_nodes(min_nodes)} on while idle, billed all the time; --min-instances 0 releases "
        f"{them} when no job runs"
    )


def create_notes(spec: ComputeSpec) -> tuple[str, ...]:
    """What a create says at once about what it will cost (the magic, the CLI and the panel's form alike): an
    instance that would run until stopped, a cluster that keeps nodes on (the prices follow once known)."""
    if runs_unguarded(spec):
        return (idle_nudge(spec.name),)
    min_nodes = int(getattr(spec, "min_instances", 0) or 0) if spec.COMPUTE_TYPE == kinds.CLUSTER.compute_type else 0
    return (always_on_note(spec.name, min_nodes),) if min_nodes else ()


def price_note(e: Estimate) -> str:
    """The line a dry-run (and the form's preview) adds: ``price: up to 4 nodes × $0.23/h = …``."""
    return f"price: {estimate_line(e)}"


def size_cells(prices: RegionPrices, size: str, low_priority_capable: bool) -> tuple[str, str]:
    """The ``$/h`` and ``low priority $/h`` cells of the sizes table."""
    found: SizePrice | None = prices.of(size) if prices.known else None
    hourly = PRICE_UNKNOWN if found is None or found.hourly is None else money(found.hourly, prices.currency)
    if not low_priority_capable:
        low = "-"
    else:
        low = money(found.low_priority, prices.currency) if found and found.low_priority is not None else PRICE_UNKNOWN
    return hourly, low


def sizes_footer(prices: RegionPrices) -> str:
    """The line under the sizes table: what the prices are, or why they are unknown."""
    if not prices.known:
        return f"Prices: {PRICE_UNKNOWN} ({prices.problem})"
    import time

    day = time.strftime("%Y-%m-%d", time.gmtime(prices.fetched))
    source = "emulated: the local workspace's stand-in, not Azure's prices" if prices.emulated else "Azure retail"
    return (
        f"Prices: {prices.currency} per hour, Linux pay-as-you-go and low priority, in {prices.region} "
        f"({source}; fetched {day})"
    )


def duration_hours(hours: float) -> str:
    """``3d 4h``, ``5h12m``, ``40m``."""
    minutes = int(round(hours * 60))
    days, rest = divmod(minutes, 24 * 60)
    h, m = divmod(rest, 60)
    if days:
        return f"{days}d {h}h"
    return f"{h}h{m:02d}m" if h else f"{m}m"


def _running(c: ComputeCost) -> str:
    if not c.nodes:
        return "-"
    if c.kind == "instance":
        return "1 VM"
    return f"{_nodes(c.nodes)} {c.priority}"


def flag_line(c: ComputeCost) -> str:
    """``ci-1 has run 5h12m (since …) with neither idle shutdown nor a stop schedule: about $1.19 so far``."""
    ran = f"has run {duration_hours(c.running_hours)}" if c.running_hours is not None else "is running"
    since = f" (since {c.running_since})" if c.running_since else ""
    so_far = f": about {money(c.so_far, c.currency)} so far" if c.so_far is not None else ""
    return (
        f"! {c.name} {ran}{since} with neither idle shutdown nor a stop schedule{so_far}; "
        f"`update {c.name} --idle-shutdown {NUDGE_MINUTES}` adds one"
    )


def stop_line(c: ComputeCost, tz: tzinfo | None = None) -> str:
    """``ci-1 stops at Tue 19:00 by schedule, in 4h12m: about $0.96 more, $2.10 since it last started``
    ("" when no schedule stops it); the time in ``tz`` (default: the machine's zone)."""
    if not c.next_stop or c.hours_to_stop is None:
        return ""
    when = datetime.fromisoformat(c.next_stop.replace("Z", "+00:00")).astimezone(tz)
    said = f"{c.name} stops at {when:%a %H:%M} by schedule, in {duration_hours(c.hours_to_stop)}"
    if c.until_stop is not None:
        said += f": about {money(c.until_stop, c.currency)} more"
        if c.by_stop is not None:
            said += f", {money(c.by_stop, c.currency)} since it last started"
    return said


def cost_rows(costs: Costs) -> list[dict[str, str]]:
    return [
        {
            "name": c.name,
            "kind": c.kind,
            "size": c.size,
            "state": c.state,
            "running": _running(c),
            "price": per_hour(c.rate, c.currency) if c.nodes or c.rate is not None else PRICE_UNKNOWN,
            "now": per_hour(c.per_hour, c.currency),
        }
        for c in costs.computes
    ]


NO_BILL = "No clusters or instances in this workspace."


def _after_table(costs: Costs) -> list[str]:
    """The total, the flagged instances and the prices that could not be had, a line each."""
    total = f"Total now: {per_hour(costs.total_per_hour, costs.currency)}{whose(costs.currency, costs.emulated)}"
    if costs.unknown:
        total += f", and {costs.unknown} running at a price unknown"
    lines = [total, *(flag_line(c) for c in costs.flagged), *filter(None, (stop_line(c) for c in costs.computes))]
    problems: Sequence[str] = sorted({c.price_problem for c in costs.computes if c.price_problem})
    return lines + [f"{PRICE_UNKNOWN}: {p}" for p in problems]


def costs_text(costs: Costs) -> str:
    """The ``costs`` verb's text: a row per compute, the total, then the flagged instances."""
    return "\n".join([text_table(cost_rows(costs), empty=NO_BILL), *_after_table(costs)])


def costs_html(costs: Costs) -> Markup:
    """The same for notebooks: the table, then a paragraph per line (all of it escaped)."""
    lines = Markup("").join(html("<p>{}</p>", line) for line in _after_table(costs))
    return html("<div class='jupyter-compute-costs'>{}{}</div>", html_table(cost_rows(costs), empty=NO_BILL), lines)


def size_price(prices: RegionPrices, size: str) -> str:
    """A size's price in the panel's size picker: ``$0.29/h``, ``$0.29/h emulated``, or "price unknown"."""
    found: SizePrice | None = prices.of(size) if prices.known else None
    if found is None or found.hourly is None:
        return PRICE_UNKNOWN
    return per_hour(found.hourly, prices.currency) + (f" {EMULATED}" if prices.emulated else "")


def bill_summary(costs: Costs) -> str:
    """The panel header's bill: ``$1.17/h now (emulated) · 1 unguarded`` (running with neither idle
    shutdown nor a stop schedule), and how many run at a price unknown."""
    said = f"{per_hour(costs.total_per_hour, costs.currency)} now"
    if costs.emulated:
        said += f" ({EMULATED})"
    if costs.unknown:
        said += f" + {costs.unknown} at a {PRICE_UNKNOWN}"
    flagged = len(costs.flagged)
    if flagged:
        said += f" · {flagged} without idle shutdown"
    return said
