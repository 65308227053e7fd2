"""Prices and the running bill end to end: against the local workspace's stand-in (labelled emulated), and
against a scripted prices endpoint for a workspace addressed as Azure (which must never see the ARM token).
Requests are counted where they arrive: the local workspace's access log, the scripted server's record."""

from __future__ import annotations

import json
import math
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell
from shell_helpers import no_history

from jupyter_compute import Costs, Workspace
from jupyter_compute.local import prices as standin
from jupyter_compute.local.server import LocalServer
from jupyter_compute.model.specs import AmlComputeSpec, ComputeInstanceSpec
from jupyter_compute.render.text import final_line

from conftest import Cli, Knobs, until
from prices_server import item, page, serving

AZ_SUB = "11111111-2222-3333-4444-555555555555"
AZURE = ["--subscription", AZ_SUB, "--resource-group", "ml-rg", "--workspace", "ml-ws"]
DS3 = "Standard_DS3_v2"  # $0.229/h, low priority $0.0458/h in the shipped data
PAGES = math.ceil(len([m for m in standin.meters("eastus") if m["type"] == "Consumption"]) / standin.PAGE_SIZE)


def prices_requests(log: Path) -> list[str]:
    if not log.exists():
        return []
    return [line for line in log.read_text().splitlines() if f" GET {standin.PATH} " in line]


@pytest.fixture
def access_log(tmp_path: Path, knobs: Knobs, monkeypatch: pytest.MonkeyPatch) -> Path:
    log = tmp_path / "access.log"
    monkeypatch.setenv("JUPYTER_COMPUTE_ACCESS_LOG", str(log))
    knobs(access_log=log)
    return log


def test_one_request_chain_per_region_however_many_ask_at_once(access_log: Path) -> None:
    ws = Workspace.local()
    asks = [
        lambda: ws.prices(),
        lambda: ws.costs(),
        lambda: ws.estimate(AmlComputeSpec.from_keywords(name="cl-a", size=DS3, max_instances=4)),
        lambda: ws.estimate(ComputeInstanceSpec.from_keywords(name="ci-b", size="Standard_D2s_v3")),
    ] * 3
    threads = [threading.Thread(target=ask) for ask in asks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert PAGES > 3, "the stand-in's pages are small, so paging is exercised"
    assert len(prices_requests(access_log)) == PAGES
    prices = ws.prices()
    assert prices.emulated and prices.of(DS3) is not None and prices.of(DS3).hourly == 0.229  # type: ignore[union-attr]
    assert len(prices_requests(access_log)) == PAGES
    other = ws.prices("westeurope")  # another region: its own chain, its own prices
    assert len(prices_requests(access_log)) == 2 * PAGES
    assert other.of(DS3).hourly != 0.229  # type: ignore[union-attr]


def computes_listings(log: Path) -> int:
    """How many times the local workspace was asked for the list of computes (its access log)."""
    if not log.exists():
        return 0
    return sum(1 for line in log.read_text().splitlines() if re.search(r" GET \S*/computes(\?\S*)? \d{3}$", line))


def test_the_bill_reuses_the_listing_it_is_given(access_log: Path) -> None:
    """The panel hands the bill the poller's last listing: counted at the local workspace, the bill then lists
    nothing again (and without one, it lists once)."""
    ws = Workspace.local()
    listed = [c.body for c in ws.list()]
    before = computes_listings(access_log)
    assert before >= 1
    assert ws.costs(listed=listed).total_per_hour == 0.0
    assert computes_listings(access_log) == before, "costs(listed=…) lists again"
    ws.costs()
    assert computes_listings(access_log) == before + 1


def test_the_create_price_comes_after_its_request_and_shows_in_the_summary(access_log: Path) -> None:
    ws = Workspace.local()
    op = ws.create(ComputeInstanceSpec.from_keywords(name="ci-priced", size=DS3))
    op.wait(60)
    assert op.status == "Succeeded"
    until(lambda: op.estimate is not None)  # priced on its own, after the request
    lines = access_log.read_text().splitlines()
    put = next(i for i, line in enumerate(lines) if " PUT " in line)
    priced = [i for i, line in enumerate(lines) if standin.PATH in line]
    assert len(priced) == PAGES and min(priced) > put, "no price request comes before the create's PUT"
    assert "$0.23/h while running (USD, emulated)" in final_line(op)
    assert op.to_dict()["estimate"]["rate"] == 0.229


@pytest.fixture
def cli(isolated_state: Path) -> Cli:
    return Cli(dict(os.environ))


def test_cli_sizes_shows_prices_and_caches_them(access_log: Path, cli: Cli) -> None:
    out = cli("sizes").stdout
    header, *rows = out.splitlines()
    assert "USD/H" in header and "LOW PRIORITY" in header
    ds3 = next(r for r in rows if r.startswith(DS3 + " "))
    assert "$0.23" in ds3 and "$0.046" in ds3
    assert "emulated: the local workspace's stand-in, not Azure's prices" in out
    assert len(prices_requests(access_log)) == PAGES
    data = cli.json("sizes")
    price = next(s for s in data if s["name"] == DS3)["retailPrice"]
    assert price == {
        "currency": "USD",
        "perHour": 0.229,
        "lowPriorityPerHour": 0.0458,
        "emulated": True,
        "problem": "",
    }
    assert len(prices_requests(access_log)) == PAGES, "a second process reads the day's cache"


def test_cli_create_dry_run_and_nudge(cli: Cli) -> None:
    dry = cli("create", "cluster", "cl-dry", "--size", DS3, "--min-instances", "1", "--max-instances", "4", "--dry-run")
    assert json.loads(dry.stdout)["method"] == "PUT", "the dry run's output stays the exact request"
    assert (
        "price: up to 4 nodes × $0.23/h = $0.92/h; 1 node always on = $0.23/h while idle (USD, emulated)" in dry.stderr
    )
    assert "cl-dry keeps 1 node on while idle" in dry.stderr
    nudged = cli("create", "instance", "ci-x", "--size", DS3, "--dry-run")
    assert "ci-x has no idle shutdown and no stop schedule" in nudged.stderr
    assert "--idle-time-before-shutdown-minutes 60" in nudged.stderr
    guarded = cli("create", "instance", "ci-y", "--size", DS3, "--idle-time-before-shutdown-minutes", "30", "--dry-run")
    assert "no idle shutdown" not in guarded.stderr and "price: $0.23/h while running" in guarded.stderr


def test_cli_costs_totals_what_runs_and_flags_an_unguarded_instance(cli: Cli) -> None:
    cli("create", "instance", "ci-left", "--size", DS3)
    cli("create", "instance", "ci-safe", "--size", DS3, "--idle-time-before-shutdown-minutes", "30")
    cli(
        "create",
        "cluster",
        "lp-cl",
        "--size",
        DS3,
        "--tier",
        "low_priority",
        "--min-instances",
        "2",
        "--max-instances",
        "2",
    )
    cli("stop", "ci-safe")
    out = cli("costs").stdout
    assert "Total now: $0.32/h (USD, emulated)" in out  # 0.229 + 2 × 0.0458
    assert "2 nodes low priority" in out
    assert "! ci-left has run" in out and "with neither idle shutdown nor a stop schedule" in out
    assert "ci-safe" in out and "! ci-safe" not in out
    data = cli.json("costs")
    assert data["flagged"] == ["ci-left"] and data["emulated"] is True and data["unknown"] == 0
    assert math.isclose(data["total_per_hour"], 0.229 + 2 * 0.0458)
    left = next(c for c in data["computes"] if c["name"] == "ci-left")
    assert left["running_since"] and left["running_hours"] >= 0 and left["so_far"] is not None


@pytest.fixture
def azure_server(isolated_state: Path) -> Iterator[LocalServer]:
    server = LocalServer(home=isolated_state / "azure").start()
    yield server
    server.stop()


def test_an_azure_workspace_asks_the_configured_endpoint_without_the_token(cli: Cli, azure_server: LocalServer) -> None:
    def answer(path: str, server: Any) -> tuple[int, bytes]:
        items = [item(armRegionName="eastus", size=DS3, sku="DS3 v2", price=0.2925)]
        return 200, page(items + [item(armRegionName="eastus", size=DS3, sku="DS3 v2 Low Priority", price=0.0585)])

    azure = cli.with_env(JUPYTER_COMPUTE_ARM_ENDPOINT=azure_server.url, JUPYTER_COMPUTE_ACCESS_TOKEN=azure_server.token)
    with serving(answer) as prices:
        out = azure.with_env(JUPYTER_COMPUTE_PRICES_URL=prices.endpoint)("sizes", *AZURE).stdout
        dry = azure.with_env(JUPYTER_COMPUTE_PRICES_URL=prices.endpoint)(
            "create",
            "cluster",
            "cpu-four",
            "--size",
            DS3,
            "--max-instances",
            "4",
            "--min-instances",
            "1",
            "--dry-run",
            *AZURE,
        )
    ds3 = next(r for r in out.splitlines() if r.startswith(DS3 + " "))
    assert "$0.29" in ds3 and "$0.059" in ds3
    assert "emulated" not in out and "Azure retail" in out
    assert "up to 4 nodes × $0.29/h = $1.17/h; 1 node always on = $0.29/h while idle (USD)" in dry.stderr
    assert len(prices.seen) == 1  # the second process read the cache
    for _, headers in prices.seen:
        assert "authorization" not in headers
        assert azure_server.token not in json.dumps(headers)


def test_unreachable_prices_say_price_unknown(cli: Cli, azure_server: LocalServer) -> None:
    azure = cli.with_env(
        JUPYTER_COMPUTE_ARM_ENDPOINT=azure_server.url,
        JUPYTER_COMPUTE_ACCESS_TOKEN=azure_server.token,
        JUPYTER_COMPUTE_PRICES_URL="http://127.0.0.1:9/api/retail/prices",
    )
    out = azure("sizes", *AZURE).stdout
    ds3 = next(r for r in out.splitlines() if r.startswith(DS3 + " "))
    assert ds3.count("price unknown") == 2 and "$" not in ds3
    assert "Prices: price unknown (the prices API could not be reached" in out


def test_the_magic_costs_verb_returns_the_typed_bill(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    ip = InteractiveShell.instance(config=no_history())
    try:
        ip.run_line_magic("load_ext", "jupyter_compute")
        ip.run_line_magic("compute", f"create instance ci-m --size {DS3}")
        bill = ip.run_line_magic("compute", "costs")
        assert isinstance(bill, Costs)
        assert [c.name for c in bill.flagged] == ["ci-m"] and bill.total_per_hour == 0.229 and bill.emulated
        shown, _ = ip.display_formatter.format(bill)  # what a notebook shows for it
        assert "<table" in shown["text/html"] and "Total now: $0.23/h (USD, emulated)" in shown["text/html"]
        assert "! ci-m has run" in shown["text/plain"]
    finally:
        InteractiveShell.clear_instance()


def test_a_script_that_exits_right_after_its_creates_sends_them_all_and_prints_no_traceback() -> None:
    """Given a script that starts creates and ends at once, then each create is sent and stands: the price
    of each, due after its request, finds the interpreter exiting and is skipped. On the old code the price
    job met a pool shut to new work, and the create ended "failed before it was sent" with a traceback."""
    import subprocess
    import sys

    script = (
        "from jupyter_compute import AmlComputeSpec, Workspace\n"
        "ws = Workspace.local()\n"
        "for i in range(8):\n"
        "    ws.create(AmlComputeSpec.from_keywords(name=f'quick-{i}x', max_instances=2), preflight=False)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "failed" not in done.stderr, done.stderr
    names = {compute.name for compute in Workspace.local().list()}
    assert names == {f"quick-{i}x" for i in range(8)}
