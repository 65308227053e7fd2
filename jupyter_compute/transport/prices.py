"""HTTP client of the Azure Retail Prices API: one request chain per region, no token.

The API is public and is not ARM: requests go on a plain ``requests`` session of their own, without
this package's ARM auth, so the ARM token can never reach it. :func:`fetch_region` asks for a region's
VM meters (``$filter=serviceName eq 'Virtual Machines' and armRegionName eq '…' and priceType eq
'Consumption'``) and follows ``NextPageLink`` to the last page. A next page on another origin than the
endpoint's is not followed, a page larger than :data:`MOST_BYTES`, nested too deep or with ``NaN`` in it
is refused (:mod:`.decode`, as the ARM client's answers), the chain stops after :data:`MOST_PAGES` pages, and
the whole chain has one deadline (``deadline``, from the settings' ``prices_deadline``): a server that
trickles its answer is given up on then. Redirects are followed on the endpoint's origin only, at most
:data:`MOST_REDIRECTS` in a row. Each is a :class:`~jupyter_compute.errors.PricesUnavailable`.

The local workspace serves a stand-in at :data:`LOCAL_PATH` on its loopback server (no token either);
it marks its answers with the :data:`EMULATED_HEADER` header, and :func:`fetch_region` reports that.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, NamedTuple
from urllib.parse import urljoin

import requests

from ..errors import PricesUnavailable
from ..model.prices import LATE, PriceAnswerError, page_items
from ..version import __version__
from . import decode
from .arm import REDIRECTS, origin_of

LOCAL_PATH = "/_prices/api/retail/prices"
EMULATED_HEADER = "x-jupyter-compute-emulated"
MOST_BYTES = 8 * 1024 * 1024  # a page of 100 meters is about 60 KB
MOST_PAGES = 200  # a region's VM pay-as-you-go meters fill a few dozen
TIMEOUT = 20.0  # per socket read, within the chain's deadline
MOST_REDIRECTS = 3


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


def fetch_region(
    endpoint: str, region: str, *, session: requests.Session | None = None, deadline: float | None = None
) -> Fetched:
    """Every VM pay-as-you-go meter of ``region``, following the pages, all by ``deadline`` (``time.monotonic()``;
    None: no deadline but the per-read timeout); PricesUnavailable when they cannot be had."""
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
            body, marked = _get(http, url, params, origin, deadline)
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


def _get(
    http: requests.Session, url: str, params: dict[str, str] | None, origin: Any, deadline: float | None
) -> tuple[Any, bool]:
    """One page: its JSON and whether the stand-in marked it, after at most MOST_REDIRECTS same-origin redirects."""
    for _hop in range(MOST_REDIRECTS + 1):
        raw = _request(http, url, params, deadline)
        with raw:
            location = raw.headers.get("Location")
            if raw.status_code in REDIRECTS and location:
                url, params = urljoin(raw.url or url, location), None  # the redirect's URL carries its query
                if origin_of(url) != origin:
                    raise PricesUnavailable(f"the prices API redirected off {origin}; not followed")
                continue
            if raw.status_code != 200:
                raise PricesUnavailable(f"the prices API answered HTTP {raw.status_code}")
            try:
                data = decode.read(raw, MOST_BYTES, deadline)
                body = decode.decode(data)
            except decode.TooSlow:
                raise _late() from None
            except decode.Unreadable as exc:
                raise PricesUnavailable(f"the prices answer was refused: {exc}") from None
            except requests.RequestException as exc:
                if deadline is not None and time.monotonic() >= deadline:
                    raise _late() from None
                raise PricesUnavailable(f"the prices answer broke off ({type(exc).__name__})") from None
            return body, bool(raw.headers.get(EMULATED_HEADER))
    raise PricesUnavailable(f"the prices API redirected more than {MOST_REDIRECTS} times in a row; not followed")


def _request(http: requests.Session, url: str, params: dict[str, str] | None, deadline: float | None) -> Any:
    timeout = TIMEOUT
    if deadline is not None:
        timeout = min(TIMEOUT, deadline - time.monotonic())
        if timeout <= 0:
            raise _late()
    try:
        return http.get(
            url,
            params=params,
            timeout=timeout,
            stream=True,
            allow_redirects=False,
            headers={"Accept": "application/json", "User-Agent": f"jupyter-compute/{__version__}"},
        )
    except requests.RequestException as exc:
        if deadline is not None and time.monotonic() >= deadline:
            raise _late() from None
        raise PricesUnavailable(f"the prices API could not be reached ({type(exc).__name__})") from None


def _late() -> PricesUnavailable:
    return PricesUnavailable(LATE)


def _no_credentials(request: requests.PreparedRequest) -> requests.PreparedRequest:
    """The session's auth: none (set, so that requests does not look up ~/.netrc for this host)."""
    return request
