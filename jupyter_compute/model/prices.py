"""VM prices per hour, read from Azure Retail Prices API answers (pure: no I/O).

The API (``https://prices.azure.com/api/retail/prices``, unauthenticated) answers a page as
``{"BillingCurrency", "CustomerEntityId", "CustomerEntityType", "Items": [...], "NextPageLink", "Count"}``;
each item is one meter: ``currencyCode``, ``retailPrice``, ``unitPrice``, ``unitOfMeasure`` ("1 Hour"),
``armRegionName``, ``armSkuName`` (``Standard_D4s_v3``), ``productName`` ("Virtual Machines DSv3 Series",
"… Windows", "… Cloud Services"), ``skuName`` ("D4s v3", "D4s v3 Low Priority", "D4s v3 Spot"),
``serviceName`` ("Virtual Machines"), ``type`` ("Consumption", "DevTestConsumption", "Reservation"),
``isPrimaryMeterRegion`` and ``effectiveStartDate``.

Azure ML bills a cluster node or an instance at its VM's price, so a size's price is its Linux
pay-as-you-go meter: type ``Consumption``, per ``1 Hour``, not a Windows or Cloud Services product. A
low-priority cluster is billed at the VM's ``Low Priority`` meter (the tier Azure ML's own ``vmSizes``
answer prices as ``LowPriority``); ``Spot`` meters are kept apart and never stand in for it. Where a
meter is missing the price is unknown (None), never a neighbour's.

An answer is refused whole (:class:`PriceAnswerError`) when it is not the documented shape: an item that
is not an object, a price that is not a finite number from 0 to :data:`MOST_PER_HOUR`, a currency that is
not three letters, a page over :data:`MOST_ITEMS_PER_PAGE` items. Items whose ``armSkuName`` is no VM size
name (empty, or markup) are skipped: no size could be looked up by it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

DAY = 24 * 3600.0
MOST_PER_HOUR = 100_000.0  # the dearest VMs cost a few hundred dollars an hour
MOST_ITEMS_PER_PAGE = 1_000  # the API sends 100
MOST_ITEMS = 100_000  # a region's VM meters number a few thousand
SIZE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,79}$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
LOW_PRIORITY = "low priority"
DEDICATED = "dedicated"


class PriceAnswerError(ValueError):
    """A prices answer that is not the documented shape (the message says what is wrong)."""


@dataclass(frozen=True)
class SizePrice:
    """One VM size's price per hour in a region: Linux pay-as-you-go, low priority and spot (None: no meter)."""

    size: str
    currency: str
    hourly: float | None = None
    low_priority: float | None = None
    spot: float | None = None

    def for_priority(self, priority: str) -> float | None:
        """The price a node of ``priority`` (:data:`DEDICATED` or :data:`LOW_PRIORITY`) is billed at."""
        return self.low_priority if priority == LOW_PRIORITY else self.hourly


@dataclass(frozen=True)
class RegionPrices:
    """The VM prices of one region, as fetched at ``fetched`` (seconds since the epoch) from ``source``.

    ``problem`` is why there are none (unreachable, a refused answer); ``emulated``: they come from the
    local workspace's stand-in, not from Azure."""

    region: str
    currency: str = ""
    sizes: Mapping[str, SizePrice] = field(default_factory=dict)
    fetched: float = 0.0
    emulated: bool = False
    source: str = ""
    problem: str = ""

    @property
    def known(self) -> bool:
        return not self.problem

    def of(self, size: str) -> SizePrice | None:
        """The size's prices (case does not matter), None when the region lists none for it."""
        return self.sizes.get(size.lower())

    def fresh(self, now: float, max_age: float = DAY) -> bool:
        return self.known and 0 <= now - self.fetched < max_age

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "region": self.region,
            "currency": self.currency,
            "fetched": self.fetched,
            "emulated": self.emulated,
            "source": self.source,
            "sizes": {p.size: [p.hourly, p.low_priority, p.spot] for p in self.sizes.values()},
        }

    @classmethod
    def from_json(cls, data: Any) -> RegionPrices:
        """Read what :meth:`to_json` wrote (a cache file); PriceAnswerError when it is not that."""
        if not isinstance(data, Mapping) or data.get("version") != 1:
            raise PriceAnswerError("not a prices cache of this version")
        region, currency, source = data.get("region"), data.get("currency"), data.get("source")
        fetched, emulated, sizes = data.get("fetched"), data.get("emulated"), data.get("sizes")
        if not (isinstance(region, str) and isinstance(source, str) and isinstance(emulated, bool)):
            raise PriceAnswerError("a field has the wrong type")
        if not isinstance(currency, str) or not CURRENCY.match(currency):
            raise PriceAnswerError("the currency is not three letters")
        if isinstance(fetched, bool) or not isinstance(fetched, int | float) or not math.isfinite(fetched):
            raise PriceAnswerError("the date fetched is not a number")
        if not isinstance(sizes, Mapping) or len(sizes) > MOST_ITEMS:
            raise PriceAnswerError("sizes is not an object")
        read: dict[str, SizePrice] = {}
        for name, values in sizes.items():
            if not isinstance(name, str) or not SIZE_NAME.match(name):
                raise PriceAnswerError("a size name is not one")
            if not isinstance(values, list) or len(values) != 3:
                raise PriceAnswerError(f"{name}: not three prices")
            hourly, low, spot = (None if v is None else _price(v, name) for v in values)
            read[name.lower()] = SizePrice(name, currency, hourly, low, spot)
        return cls(region, currency, read, float(fetched), emulated, source)


#: Why prices are unknown when the lookup's one deadline (the settings' ``prices_deadline``) passed first.
LATE = "the prices did not arrive in time (JUPYTER_COMPUTE_PRICES_DEADLINE)"


def unknown(region: str, problem: str, source: str = "", emulated: bool = False) -> RegionPrices:
    return RegionPrices(region, problem=problem, source=source, emulated=emulated)


def page_items(body: Any) -> tuple[list[Mapping[str, Any]], str | None]:
    """The items of one page and its ``NextPageLink`` (None at the end); PriceAnswerError when the page is
    not the documented shape."""
    if not isinstance(body, Mapping):
        raise PriceAnswerError("the answer is not a JSON object")
    items = body.get("Items")
    if not isinstance(items, list):
        raise PriceAnswerError("the answer has no Items list")
    if len(items) > MOST_ITEMS_PER_PAGE:
        raise PriceAnswerError(f"a page has {len(items)} items, more than a prices page holds")
    for item in items:
        if not isinstance(item, Mapping):
            raise PriceAnswerError("an item is not an object")
    link = body.get("NextPageLink")
    if link is not None and not isinstance(link, str):
        raise PriceAnswerError("NextPageLink is not a string")
    return items, link or None


def region_prices(
    items: Iterable[Mapping[str, Any]], region: str, *, fetched: float, source: str, emulated: bool
) -> RegionPrices:
    """The prices of ``region`` from the items of all its pages (see the module's rules)."""
    chosen: dict[tuple[str, str], tuple[tuple[bool, str], float, str]] = {}
    currencies: set[str] = set()
    count = 0
    for item in items:
        count += 1
        if count > MOST_ITEMS:
            raise PriceAnswerError(f"more than {MOST_ITEMS} items for one region")
        meter = _meter(item, region)
        if meter is None:
            continue
        name, tier, price, currency, rank = meter
        currencies.add(currency)
        key = (name.lower(), tier)
        if key not in chosen or rank > chosen[key][0]:
            chosen[key] = (rank, price, name)
    if len(currencies) > 1:
        raise PriceAnswerError(f"prices in more than one currency ({', '.join(sorted(currencies))})")
    currency = next(iter(currencies), "USD")
    sizes: dict[str, SizePrice] = {}
    for (lowered, tier), (_, price, name) in sorted(chosen.items()):
        current = sizes.get(lowered) or SizePrice(name, currency)
        sizes[lowered] = SizePrice(
            current.size,
            currency,
            price if tier == "hourly" else current.hourly,
            price if tier == "low" else current.low_priority,
            price if tier == "spot" else current.spot,
        )
    return RegionPrices(region, currency, sizes, fetched, emulated, source)


def _meter(item: Mapping[str, Any], region: str) -> tuple[str, str, float, str, tuple[bool, str]] | None:
    """(size, tier, price, currency, rank) of a Linux pay-as-you-go hourly VM meter of ``region``, else None."""
    if not isinstance(item, Mapping):
        raise PriceAnswerError("an item is not an object")
    texts = {}
    for key in ("armSkuName", "armRegionName", "productName", "skuName", "serviceName", "type", "unitOfMeasure"):
        value = item.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise PriceAnswerError(f"{key} is not a string")
        texts[key] = value
    currency = item.get("currencyCode")
    if not isinstance(currency, str) or not CURRENCY.match(currency):
        raise PriceAnswerError("currencyCode is not three capital letters")
    price = _price(item.get("retailPrice"), texts["armSkuName"] or "an item")
    primary = item.get("isPrimaryMeterRegion", True)
    if not isinstance(primary, bool):
        raise PriceAnswerError("isPrimaryMeterRegion is not true or false")
    start = item.get("effectiveStartDate") or ""
    if not isinstance(start, str):
        raise PriceAnswerError("effectiveStartDate is not a string")
    name, product, sku = texts["armSkuName"], texts["productName"], texts["skuName"]
    if (
        not SIZE_NAME.match(name)
        or texts["armRegionName"].lower() != region.lower()
        or texts["serviceName"] != "Virtual Machines"
        or texts["type"] != "Consumption"
        or texts["unitOfMeasure"] != "1 Hour"
        or "windows" in product.lower()
        or "cloud services" in product.lower()
    ):
        return None
    lowered = sku.lower()
    tier = "low" if lowered.endswith("low priority") else "spot" if lowered.endswith("spot") else "hourly"
    return name, tier, price, currency, (primary, start[:40])


def _price(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PriceAnswerError(f"{where}: the price is not a number")
    price = float(value)
    if not math.isfinite(price) or price < 0 or price > MOST_PER_HOUR:
        raise PriceAnswerError(f"{where}: the price {value!r} is not one from 0 to {MOST_PER_HOUR:g} an hour")
    return price
