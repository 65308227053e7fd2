"""A stand-in for the Azure Retail Prices API, served by the local workspace (no token: the API is public).

It answers ``GET /_prices/api/retail/prices?$filter=…`` with the API's shape (``BillingCurrency``,
``CustomerEntityId``, ``CustomerEntityType``, ``Items``, ``NextPageLink``, ``Count``) and pages of
:data:`PAGE_SIZE` items linked by ``$skip``, so clients page as they must against Azure. The meters are
derived from the shipped size data, deterministically: each size's Linux pay-as-you-go and low-priority
prices (its ``estimatedVMPrices``) in the default region, scaled by a fixed factor of the region's name
elsewhere; with them the meters a client must leave out (Windows, Cloud Services, DevTest, a non-primary
region's, reservations) and a Spot meter. Every answer carries ``x-jupyter-compute-emulated``: these are
not Azure's prices. ``$filter`` takes ``eq`` terms joined by ``and`` on the fields below.
"""

from __future__ import annotations

import re
import uuid
import zlib
from typing import Any
from urllib.parse import quote

from ..data import catalogue

PATH = "/_prices/api/retail/prices"
PAGE_SIZE = 20
HEADERS = {"x-jupyter-compute-emulated": "prices derived from the shipped size data, not Azure's"}
_FIELDS = {
    "serviceName": "serviceName",
    "armRegionName": "armRegionName",
    "armSkuName": "armSkuName",
    "priceType": "type",
    "type": "type",
    "skuName": "skuName",
    "productName": "productName",
    "serviceFamily": "serviceFamily",
}
_TERM = re.compile(r"^\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*$", re.I)


def answer(query: dict[str, str], base: str) -> tuple[int, dict[str, str], Any]:
    """The answer to one request of the stand-in: (status, headers, body)."""
    terms: list[tuple[str, str]] = []
    for part in re.split(r"\s+and\s+", query.get("$filter", "").strip(), flags=re.I) if query.get("$filter") else []:
        match = _TERM.match(part)
        if match is None or match.group(1) not in _FIELDS:
            return 400, HEADERS, {"Error": {"Code": "InvalidFilter", "Message": f"Unsupported filter: {part[:80]}"}}
        terms.append((_FIELDS[match.group(1)], match.group(2).replace("''", "'")))
    skip_text = query.get("$skip", "0")
    if not skip_text.isdigit():
        return 400, HEADERS, {"Error": {"Code": "InvalidSkip", "Message": "$skip must be a whole number"}}
    skip = int(skip_text)
    region = next((value for key, value in terms if key == "armRegionName"), catalogue.default_location())
    wanted = [item for item in meters(region.lower()) if all(str(item.get(k)) == v for k, v in terms)]
    page = wanted[skip : skip + PAGE_SIZE]
    next_link = None
    if skip + PAGE_SIZE < len(wanted):
        next_link = f"{base}{PATH}?$filter={quote(query.get('$filter', ''))}&$skip={skip + PAGE_SIZE}"
    body = {
        "BillingCurrency": "USD",
        "CustomerEntityId": "Default",
        "CustomerEntityType": "Retail",
        "Items": page,
        "NextPageLink": next_link,
        "Count": len(page),
    }
    return 200, HEADERS, body


def factor(region: str) -> float:
    """1 in the default region; elsewhere 1.00 to 1.20, fixed by the region's name."""
    if region == catalogue.default_location():
        return 1.0
    return 1.0 + (zlib.crc32(region.encode()) % 21) / 100


def linux_prices(size: dict[str, Any]) -> tuple[float | None, float | None]:
    """A shipped size's Linux pay-as-you-go and low-priority prices in the default region."""
    values = (size.get("estimatedVMPrices") or {}).get("values") or []
    by_tier = {v.get("vmTier"): float(v["retailPrice"]) for v in values if v.get("osType") == "Linux"}
    return by_tier.get("Standard"), by_tier.get("LowPriority")


def meters(region: str) -> list[dict[str, Any]]:
    """Every VM meter of ``region``, in a fixed order."""
    scale = factor(region)
    items: list[dict[str, Any]] = []
    for size in catalogue.sizes():
        hourly, low = linux_prices(size)
        if hourly is None:
            continue
        name = size["name"]
        short = name.removeprefix("Standard_").replace("_", " ")
        series = f"Virtual Machines {size['family'].removeprefix('standard').removesuffix('Family')} Series"
        rows = [
            (short, series, hourly, "Consumption", True),
            (short, f"{series} Windows", hourly * 1.46 + 0.04, "Consumption", True),
            (short, f"{series} Cloud Services", hourly * 1.25, "Consumption", True),
            (short, series, hourly * 0.9, "DevTestConsumption", True),
            (short, series, hourly * 1.07, "Consumption", False),  # another region's meter, not primary here
            (short, series, hourly * 8760 * 0.6, "Reservation", True),  # a term's price, as the API lists it
        ]
        if low is not None and size.get("lowPriorityCapable"):
            rows += [(f"{short} Low Priority", series, low, "Consumption", True)]
            rows += [(f"{short} Spot", series, low * 0.9, "Consumption", True)]
        items.extend(
            _item(region, name, sku, product, price * scale, kind, primary)
            for sku, product, price, kind, primary in rows
        )
    return items


def _item(region: str, size: str, sku: str, product: str, price: float, kind: str, primary: bool) -> dict[str, Any]:
    item: dict[str, Any] = {
        "currencyCode": "USD",
        "tierMinimumUnits": 0.0,
        "retailPrice": round(price, 4),
        "unitPrice": round(price, 4),
        "armRegionName": region,
        "location": region,
        "effectiveStartDate": "2025-01-01T00:00:00Z",
        "meterId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{region}/{size}/{sku}/{product}/{kind}/{primary}")),
        "meterName": sku,
        "productId": f"DZH318Z0{zlib.crc32(product.encode()) % 10000:04d}",
        "skuId": f"DZH318Z0/{zlib.crc32(sku.encode()) % 10000:04d}",
        "productName": product,
        "skuName": sku,
        "serviceName": "Virtual Machines",
        "serviceId": "DZH313Z7MMC8",
        "serviceFamily": "Compute",
        "unitOfMeasure": "1 Hour",
        "type": kind,
        "isPrimaryMeterRegion": primary,
        "armSkuName": size,
    }
    if kind == "Reservation":
        item["reservationTerm"] = "1 Year"
    return item
