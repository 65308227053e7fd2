"""HTTP client of the Azure Retail Prices API: one request chain per region, no token.

The API is public and is not ARM: requests go on a plain ``requests`` session of their own, without
this package's ARM auth, so the ARM token can never reach it. :func:`fetch_region` asks for a region's
VM meters (``$filter=serviceName eq 'Virtual Machines' and armRegionName eq '…' and priceType eq
'Consumption'``) and follows ``NextPageLink`` to the last page. A next page on another origin than the
endpoint's is not followed, a page larger than :data:`MOST_BYTES` or with ``NaN`` in it is refused, and
the chain stops after :data:`MOST_PAGES` pages: each is a :class:`~jupyter_compute.errors.PricesUnavailable`.

The local workspace serves a stand-in at :data:`LOCAL_PATH` on its loopback server (no token either);
it marks its answers with the :data:`EMULATED_HEADER` header, and :func:`fetch_region` reports that.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, NamedTuple

import requests

from ..errors import PricesUnavailable
from ..model.prices import PriceAnswerError, page_items
from ..version import __version__
from .arm import origin_of

LOCAL_PATH = "/_prices/api/retail/prices"
EMULATED_HEADER = "x-jupyter-compute-emulated"
MOST_BYTES = 8 * 1024 * 1024  # a page of 100 meters is about 60 KB
MOST_PAGES = 200  # a region's VM pay-as-you-go meters fill a few dozen
TIMEOUT = 20.0


class Fetched(NamedTuple):
    items: list[Mapping[str, Any]]
    requests: int
    emulated: bool


def local_endpoint() -> str:
    """The stand-in's URL on the local workspace's server (started if need be)."""
    from ..local import server  # for weight: the local workspace loads only when used

    return server.ensure_running() + LOCAL_PATH


def region_filter(region: str) -> str:
    quoted = region.replace("'", "''")
    return f"serviceName eq 'Virtual Machines' and armRegionName eq '{quoted}' and priceType eq 'Consumption'"


def fetch_region(endpoint: str, region: str, *, session: requests.Session | None = None) -> Fetched:
    """Every VM pay-as-you-go meter of ``region``, following the pages; PricesUnavailable when they cannot be had."""
    own = session is None
    http = session or requests.Session()
    http.auth = _no_credentials  # proxies from the environment still apply; ~/.netrc credentials do not
    origin = origin_of(endpoint)
    items: list[Mapping[str, Any]] = []
    emulated = False
    url: str | None = endpoint
    params: dict[str, str] | None = {"$filter": region_filter(region)}
    count = 0
    try:
        while url is not None:
            if count >= MOST_PAGES:
                raise PricesUnavailable(f"the prices of {region} did not end after {MOST_PAGES} pages")
            if origin_of(url) != origin:
                raise PricesUnavailable(f"the prices answer linked its next page off {origin}; not followed")
            count += 1
            body, marked = _get(http, url, params)
            emulated = emulated or marked
            try:
                page, url = page_items(body)
            except PriceAnswerError as exc:
                raise PricesUnavailable(f"the prices answer was refused: {exc}") from None
            items.extend(page)
            params = None  # the next link carries the query
    finally:
        if own:
            http.close()
    return Fetched(items, count, emulated)


def _get(http: requests.Session, url: str, params: dict[str, str] | None) -> tuple[Any, bool]:
    try:
        raw = http.get(
            url,
            params=params,
            timeout=TIMEOUT,
            stream=True,
            allow_redirects=False,
            headers={"Accept": "application/json", "User-Agent": f"jupyter-compute/{__version__}"},
        )
    except requests.RequestException as exc:
        raise PricesUnavailable(f"the prices API could not be reached ({type(exc).__name__})") from None
    with raw:
        if raw.status_code != 200:
            raise PricesUnavailable(f"the prices API answered HTTP {raw.status_code}")
        data = bytearray()
        try:
            for chunk in raw.iter_content(64 * 1024):
                data += chunk
                if len(data) > MOST_BYTES:
                    raise PricesUnavailable(f"a prices page was larger than {MOST_BYTES // (1024 * 1024)} MiB")
        except requests.RequestException as exc:
            raise PricesUnavailable(f"the prices answer broke off ({type(exc).__name__})") from None
        marked = bool(raw.headers.get(EMULATED_HEADER))
    try:
        return json.loads(bytes(data), parse_constant=_refuse_constant), marked
    except ValueError as exc:
        raise PricesUnavailable(f"the prices answer was refused: it is not JSON ({str(exc)[:80]})") from None


def _no_credentials(request: requests.PreparedRequest) -> requests.PreparedRequest:
    """The session's auth: none (set, so that requests does not look up ~/.netrc for this host)."""
    return request


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")
