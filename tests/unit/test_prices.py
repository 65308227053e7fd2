"""VM prices: reading the Retail Prices API's answer, paging, the day's cache, hostile answers, and the words."""

from __future__ import annotations

import json
import math
import stat
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import pytest

from jupyter_compute.model.costs import Estimate, running_costs
from jupyter_compute.model.prices import PriceAnswerError, RegionPrices, region_prices
from jupyter_compute.model.resource import Compute
from jupyter_compute.render.prices import PRICE_UNKNOWN, costs_text, estimate_line, money, per_hour, size_cells
from jupyter_compute.service.prices import PriceBook
from jupyter_compute.settings import Settings

from prices_server import PricesServer, item, page, serving

WINDOWS = "Virtual Machines DSv3 Series Windows"


def recorded_items() -> list[dict[str, Any]]:
    """One region's meters for two sizes, as the API lists them: the Linux pay-as-you-go meter among the
    Windows, Cloud Services, DevTest, reservation and other-region meters a price must not come from."""
    return [
        item(price=0.224, productName=WINDOWS),
        item(price=0.25, productName="DSv3 Series Cloud Services"),
        item(price=0.15, type="DevTestConsumption"),
        item(price=1000.0, type="Reservation", reservationTerm="1 Year"),
        item(price=0.199, isPrimaryMeterRegion=False),
        item(),  # the one: Standard_D4s_v3 Linux, $0.192
        item(sku="D4s v3 Low Priority", price=0.0384),
        item(sku="D4s v3 Spot", price=0.0211),
        item(sku="D4s v3 Spot", price=0.03, productName=WINDOWS),
        item(price=0.5, unitOfMeasure="1/Month"),
        item(price=0.3, armRegionName="eastus"),
        item(size="Standard_NC6s_v3", sku="NC6s v3", price=3.06, productName="Virtual Machines NCSv3 Series"),
        item(size="", sku="Licence", price=9.0),  # no size: skipped
    ]


def test_the_linux_pay_as_you_go_low_priority_and_spot_meters_are_read_apart() -> None:
    prices = region_prices(recorded_items(), "westeurope", fetched=1.0, source="x", emulated=False)
    d4 = prices.of("standard_d4s_v3")
    assert d4 is not None
    assert (d4.hourly, d4.low_priority, d4.spot, d4.currency) == (0.192, 0.0384, 0.0211, "USD")
    nc = prices.of("Standard_NC6s_v3")
    assert nc is not None and nc.hourly == 3.06 and nc.low_priority is None  # no Low Priority meter: unknown
    assert prices.of("Standard_E4s_v3") is None
    assert set(prices.sizes) == {"standard_d4s_v3", "standard_nc6s_v3"}


def test_the_cache_form_round_trips() -> None:
    prices = region_prices(recorded_items(), "westeurope", fetched=123.0, source="http://x", emulated=True)
    again = RegionPrices.from_json(json.loads(json.dumps(prices.to_json())))
    assert again == prices


@pytest.mark.parametrize(
    "bad, why",
    [
        (item(price=-0.1), "is not one from 0"),
        (item(price=float("nan")), "is not one from 0"),
        (item(price=float("inf")), "is not one from 0"),
        (item(price="0.19"), "not a number"),
        (item(price=True), "not a number"),
        (item(price=10**9), "is not one from 0"),
        (item(currencyCode="<b>"), "currencyCode"),
        (item(armSkuName=["Standard_D4s_v3"]), "armSkuName is not a string"),
        (item(isPrimaryMeterRegion="yes"), "isPrimaryMeterRegion"),
        ("not an item", "not an object"),
    ],
)
def test_a_malformed_item_refuses_the_answer(bad: Any, why: str) -> None:
    with pytest.raises(PriceAnswerError, match=why):
        region_prices([*recorded_items(), bad], "westeurope", fetched=1.0, source="x", emulated=False)


def test_markup_in_a_size_name_names_no_size() -> None:
    hostile = item(size="<img src=x onerror=alert(1)>", price=0.1)
    prices = region_prices([hostile, item()], "westeurope", fetched=1.0, source="x", emulated=False)
    assert list(prices.sizes) == ["standard_d4s_v3"]


def test_two_currencies_in_one_region_are_refused() -> None:
    with pytest.raises(PriceAnswerError, match="more than one currency"):
        region_prices(
            [item(), item(size="Standard_D2s_v3", currencyCode="EUR")],
            "westeurope",
            fetched=1,
            source="x",
            emulated=False,
        )


# --- the client and its cache, against a scripted prices server ----------------------------------------------


def paged(pages: list[list[dict[str, Any]]]) -> Any:
    """Answers page i at ``?…&$skip=i``, each linking the next."""

    def answer(path: str, server: PricesServer) -> tuple[int, bytes]:
        index = int(path.rsplit("$skip=", 1)[1]) if "$skip=" in path else 0
        link = f"{server.endpoint}?$skip={index + 1}" if index + 1 < len(pages) else None
        return 200, page(pages[index], link)

    return answer


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_one_request_chain_follows_every_page_and_sends_no_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    netrc = tmp_path / "netrc"  # credentials the environment holds for the host are not sent either
    netrc.write_text("machine 127.0.0.1 login someone password hunter2\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    items = recorded_items()
    with serving(paged([items[:4], items[4:8], items[8:]])) as server:
        book = PriceBook(server.endpoint, tmp_path / "prices")
        prices = book.region("westeurope")
    assert prices.known, prices.problem
    assert prices.of("Standard_NC6s_v3") is not None  # on the last page
    assert len(server.seen) == 3
    first = unquote_plus(server.seen[0][0])
    assert "$filter=serviceName eq 'Virtual Machines' and armRegionName eq 'westeurope'" in first
    assert all("authorization" not in headers and "cookie" not in headers for _, headers in server.seen)


def test_prices_are_cached_on_disk_for_a_day(tmp_path: Path) -> None:
    clock = Clock()
    with serving(paged([recorded_items()])) as server:
        folder = tmp_path / "prices"
        assert PriceBook(server.endpoint, folder, clock=clock).region("westeurope").known
        assert len(server.seen) == 1
        files = list(folder.iterdir())
        assert len(files) == 1 and stat.S_IMODE(files[0].stat().st_mode) == 0o600
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        cached = json.loads(files[0].read_text())
        assert cached["fetched"] == clock.now and cached["region"] == "westeurope"
        clock.now += 23 * 3600  # a new process, the same day: the file answers
        again = PriceBook(server.endpoint, folder, clock=clock)
        assert again.region("westeurope").of("Standard_D4s_v3") is not None
        assert len(server.seen) == 1 and again.fetches == 0
        clock.now += 2 * 3600  # over a day: fetched again
        assert again.region("westeurope").known
        assert len(server.seen) == 2 and again.fetches == 1


def test_other_regions_and_endpoints_do_not_share_a_cache_file(tmp_path: Path) -> None:
    with serving(paged([recorded_items()])) as server:
        book = PriceBook(server.endpoint, tmp_path)
        book.region("westeurope")
        book.region("eastus")
        PriceBook(server.endpoint + "?x=1", tmp_path).region("westeurope")
    assert len(server.seen) == 3


def huge(path: str, server: PricesServer) -> tuple[int, bytes]:
    return 200, page([item()] * 10) + b" " * (9 * 1024 * 1024)


@pytest.mark.parametrize(
    "answer, why",
    [
        (lambda p, s: (200, b"<html><body>Service Unavailable</body></html>"), "not JSON"),
        (lambda p, s: (200, page([item()]).replace(b"0.192", b"NaN")), "NaN is not a number"),
        (lambda p, s: (200, page([item(price=-1)])), "is not one from 0"),
        (lambda p, s: (200, page([item(retailPrice={"usd": 1})])), "not a number"),
        (lambda p, s: (200, b'{"Items": {"a": 1}}'), "no Items list"),
        (lambda p, s: (200, b"[1, 2]"), "not a JSON object"),
        (lambda p, s: (200, page([item()] * 1001)), "more than a prices page holds"),
        (lambda p, s: (200, page([item()], "https://evil.example/api/retail/prices?$skip=1")), "off http://127.0.0.1"),
        (lambda p, s: (200, page([item()], s.endpoint + "?$skip=1")), "did not end after 200 pages"),
        (lambda p, s: (503, b"busy"), "HTTP 503"),
        (huge, "larger than 8 MiB"),
    ],
)
def test_a_hostile_answer_leaves_the_price_unknown(tmp_path: Path, answer: Any, why: str) -> None:
    with serving(answer) as server:
        book = PriceBook(server.endpoint, tmp_path)
        prices = book.region("westeurope")
    assert not prices.known and why in prices.problem
    assert list(tmp_path.iterdir()) == []  # nothing cached: the next ask tries again
    assert size_cells(prices, "Standard_D4s_v3", True) == (PRICE_UNKNOWN, PRICE_UNKNOWN)


def test_an_unreachable_endpoint_leaves_the_price_unknown(tmp_path: Path) -> None:
    prices = PriceBook("http://127.0.0.1:9/api/retail/prices", tmp_path).region("westeurope")
    assert not prices.known and "could not be reached" in prices.problem


def test_a_damaged_cache_file_is_fetched_again(tmp_path: Path) -> None:
    with serving(paged([recorded_items()])) as server:
        PriceBook(server.endpoint, tmp_path).region("westeurope")
        (cache,) = tmp_path.iterdir()
        cache.write_text('{"version": 1, "sizes": {"<b>": [NaN, 1, 2]}}')
        assert PriceBook(server.endpoint, tmp_path).region("westeurope").known
    assert len(server.seen) == 2


def test_the_endpoint_is_a_setting() -> None:
    assert Settings.from_env({}).prices_url == "https://prices.azure.com/api/retail/prices"
    assert (
        Settings.from_env({"JUPYTER_COMPUTE_PRICES_URL": "http://127.0.0.1:5/p"}).prices_url == "http://127.0.0.1:5/p"
    )
    with pytest.raises(Exception, match="JUPYTER_COMPUTE_PRICES_URL"):
        Settings.from_env({"JUPYTER_COMPUTE_PRICES_URL": "file:///etc/passwd"})


# --- words ------------------------------------------------------------------------------------------------


def test_money_and_the_create_summary_words() -> None:
    assert money(0.2925, "USD") == "$0.29" and money(1.17, "USD") == "$1.17" and money(0.0458, "USD") == "$0.046"
    assert money(0.29, "EUR") == "0.29 EUR" and per_hour(None, "USD") == PRICE_UNKNOWN
    cluster = Estimate("cluster", "Standard_DS3_v2", "eastus", "dedicated", 4, 1, 0.2925, "USD", False)
    assert estimate_line(cluster) == "up to 4 nodes × $0.29/h = $1.17/h; 1 node always on = $0.29/h while idle (USD)"
    instance = Estimate("instance", "Standard_DS3_v2", "eastus", "dedicated", 1, 1, 0.2925, "USD", True)
    assert estimate_line(instance) == "$0.29/h while running (USD, emulated)"
    unknown = Estimate("instance", "Standard_X", "eastus", "dedicated", 1, 1, None, "", False, "eastus lists no price")
    assert estimate_line(unknown).startswith(PRICE_UNKNOWN) and "$" not in estimate_line(unknown)


def compute(name: str, compute_type: str, **inner: Any) -> Compute:
    return Compute(
        {"name": name, "location": "westeurope", "properties": {"computeType": compute_type, "properties": inner}}
    )


def test_the_running_bill_counts_nodes_by_priority_and_flags_unguarded_instances() -> None:
    prices = region_prices(recorded_items(), "westeurope", fetched=1.0, source="x", emulated=False)
    now = 1_800_000_000.0
    five_hours_ago = "2027-01-15T03:00:00+00:00"  # 1_800_000_000 is 2027-01-15T08:00:00Z
    computes = [
        compute("gpu", "AmlCompute", vmSize="Standard_NC6s_v3", vmPriority="Dedicated", currentNodeCount=2),
        compute("cheap", "AmlCompute", vmSize="Standard_D4s_v3", vmPriority="LowPriority", currentNodeCount=3),
        compute("idle", "AmlCompute", vmSize="Standard_D4s_v3", currentNodeCount=0),
        compute(
            "ci-left",
            "ComputeInstance",
            vmSize="Standard_D4s_v3",
            state="Running",
            lastOperation={"operationName": "Start", "operationTime": five_hours_ago, "operationStatus": "Succeeded"},
        ),
        compute(
            "ci-guarded", "ComputeInstance", vmSize="Standard_D4s_v3", state="Running", idleTimeBeforeShutdown="PT60M"
        ),
        compute("ci-stopped", "ComputeInstance", vmSize="Standard_D4s_v3", state="Stopped"),
        compute("ci-odd", "ComputeInstance", vmSize="Standard_E4s_v3", state="Running", idleTimeBeforeShutdown="PT30M"),
    ]
    bill = running_costs(computes, {"westeurope": prices}, "westeurope", now)
    by = {c.name: c for c in bill.computes}
    assert by["gpu"].per_hour == pytest.approx(6.12)
    assert (by["cheap"].priority, by["cheap"].rate, by["cheap"].per_hour) == (
        "low priority",
        0.0384,
        pytest.approx(0.1152),
    )
    assert by["idle"].per_hour == 0 and by["ci-stopped"].per_hour == 0
    assert by["ci-odd"].per_hour is None and bill.unknown == 1  # its size has no price: not guessed
    assert bill.total_per_hour == pytest.approx(6.12 + 0.1152 + 0.192 + 0.192)
    assert [c.name for c in bill.flagged] == ["ci-left"]
    left = by["ci-left"]
    assert left.running_hours == pytest.approx(5.0) and left.so_far == pytest.approx(0.96)
    text = costs_text(bill)
    assert "Total now: $6.62/h (USD), and 1 running at a price unknown" in text
    assert "! ci-left has run 5h00m" in text and "about $0.96 so far" in text
    assert not math.isnan(bill.total_per_hour)


def test_a_create_summary_gains_its_price_once_known_and_loses_it_when_it_fails() -> None:
    from jupyter_compute.errors import OperationFailed
    from jupyter_compute.render.text import final_line
    from jupyter_compute.service.operation import State, Updater

    heard: list[str] = []
    updates = Updater("create", "cpu-1", "AmlCompute", resource_url="/computes/cpu-1")
    op = updates.operation
    op.add_listener(lambda o: heard.append(final_line(o)))
    updates.estimated(Estimate("cluster", "Standard_DS3_v2", "eastus", "dedicated", 4, 0, 0.2925, "USD", True))
    assert "up to 4 nodes × $0.29/h = $1.17/h; nothing while idle (no node always on) (USD, emulated)" in heard[-1]
    assert op.to_dict()["estimate"]["most_per_hour"] == 1.17
    updates.finish(State.FAILED, OperationFailed("AllocationFailed", "no capacity"))
    assert "$" not in final_line(op)


# --- one deadline for a whole lookup (issue 22 point 3), on an injected clock -------------------------------


class Lookup:
    """A PriceBook's fetch and deadline clock for the tests below: ``fast`` regions answer at once; the ``late``
    one waits until the fast ones are in and every ``blocked`` fetch has started, then moves the clock past the
    deadline; it and the ``blocked`` ones answer only at :meth:`release`, after the lookup."""

    def __init__(self, fast: set[str], late: str, blocked: set[str]) -> None:
        import threading

        self.now = 1000.0
        self.fast, self.late, self.blocked = fast, late, blocked
        self.started: list[str] = []
        self.lock = threading.Lock()
        self.released = threading.Event()
        self.book: PriceBook | None = None

    def clock(self) -> float:
        return self.now

    def ready(self) -> bool:
        with self.lock:
            started = set(self.started)
        assert self.book is not None
        return self.blocked <= started and all(self.book._held(r) is not None for r in self.fast)

    def fetch(self, endpoint: str, region: str, deadline: float) -> Any:
        from jupyter_compute.transport.prices import Fetched

        from conftest import until

        with self.lock:
            self.started.append(region)
        if region == self.late:
            until(self.ready)
            self.now += 11.0  # past the 10 s deadline
        if region not in self.fast:
            assert self.released.wait(30)
        return Fetched([item(armRegionName=region)], 1, False)

    def on(self, book: PriceBook) -> PriceBook:
        self.book = book
        return book

    def release(self) -> None:
        self.released.set()


def test_a_lookup_of_several_regions_has_one_deadline_and_says_the_late_ones_unknown(tmp_path: Path) -> None:
    """All regions start at once; when the clock passes the one deadline the lookup answers: what came in is
    priced, what is still out is "price unknown" (the deadline's words), and nothing waits for it."""
    lookup = Lookup(fast={"eastus"}, late="westeurope", blocked={"northeurope", "uksouth"})
    book = lookup.on(PriceBook("http://prices.invalid", tmp_path, fetch=lookup.fetch, monotonic=lookup.clock))
    try:
        found = book.regions(["eastus", "northeurope", "uksouth", "westeurope"])
    finally:
        lookup.release()
    assert sorted(lookup.started) == ["eastus", "northeurope", "uksouth", "westeurope"]  # side by side
    assert list(found) == ["eastus", "northeurope", "uksouth", "westeurope"]
    assert found["eastus"].known
    for region in ("northeurope", "uksouth", "westeurope"):
        assert not found[region].known
        assert found[region].problem == "the prices did not arrive in time (JUPYTER_COMPUTE_PRICES_DEADLINE)"


def test_regions_not_started_by_the_deadline_send_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two at a time: the first two use up the deadline, so the third is unknown without a request."""
    from jupyter_compute.service import prices as book_module

    monkeypatch.setattr(book_module, "MOST_AT_ONCE", 2)
    lookup = Lookup(fast=set(), late="eastus", blocked={"northeurope"})
    book = lookup.on(PriceBook("http://prices.invalid", tmp_path, fetch=lookup.fetch, monotonic=lookup.clock))
    try:
        found = book.regions(["eastus", "northeurope", "westeurope"])
    finally:
        lookup.release()
    assert [found[r].known for r in ("eastus", "northeurope", "westeurope")] == [False, False, False]
    assert "did not arrive in time" in found["westeurope"].problem
    assert sorted(lookup.started) == ["eastus", "northeurope"] and book.fetches == 2
    assert book.region("westeurope", deadline=lookup.clock()).problem == found["westeurope"].problem
    assert book.fetches == 2  # a lookup whose deadline has passed sends nothing


def test_regions_already_held_are_answered_without_threads_or_requests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The panel's bill asks for its regions on every tick: once they are in, no pool is started again."""
    from jupyter_compute.service import prices as book_module
    from jupyter_compute.transport.prices import Fetched

    book = PriceBook(
        "http://prices.invalid", tmp_path, fetch=lambda e, region, d: Fetched([item(armRegionName=region)], 1, False)
    )
    first = book.regions(["eastus", "westeurope"])
    assert all(p.known for p in first.values()) and book.fetches == 2
    monkeypatch.setattr(book_module, "ThreadPoolExecutor", lambda *a, **k: pytest.fail("a pool for held prices"))
    assert book.regions(["eastus", "westeurope"]) == first and book.fetches == 2
