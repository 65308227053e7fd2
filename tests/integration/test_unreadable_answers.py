"""Service answers we cannot read never become tracebacks (issue 22, points 1-3), through the CLI as a process.

A scripted ARM server and a scripted prices server on loopback answer with a node count as a string, an
operation status of the wrong shape, JSON nested fifty thousand deep, and a prices page that trickles in a byte
at a time. The CLI ends with one paragraph, "unexpected answer from the service for GET …", exit 1; prices say
"price unknown". The fuzzed answers through every reader are in tests/unit/test_wrong_answers.py."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from jupyter_compute import Workspace
from jupyter_compute.errors import UnexpectedAnswer
from jupyter_compute.model.schema import Shape
from jupyter_compute.render.output import error_text
from jupyter_compute.service.connection import Connection, TrackerSource
from jupyter_compute.service.prices import PriceBook
from jupyter_compute.transport import lro

from arm_script import COMPUTES, RG, SIZE, SUB, WS, Reply, ScriptedArm, compute, listing
from conftest import Cli
from prices_server import serving, trickling

WORKSPACE = ["--subscription", SUB, "--resource-group", RG, "--workspace", WS]
LOCATION = f"/subscriptions/{SUB}/providers/Microsoft.MachineLearningServices/locations/westeurope"
STATUS = f"{LOCATION}/computeOperationsStatus/op-1"
UNEXPECTED = "unexpected answer from the service for"


def azure_cli(**env: str) -> Cli:
    """The CLI as a process, addressing the scripted ARM server the ``arm`` fixture configured."""
    return Cli({**os.environ, **env})


def test_a_node_count_as_a_string_fails_list_in_one_paragraph_naming_the_request(arm: ScriptedArm) -> None:
    arm.on("GET", re.escape(COMPUTES) + "$", listing(compute("c1", currentNodeCount="three")))
    result = azure_cli()("list", *WORKSPACE, code=1)
    assert result.stdout == ""
    line = result.stderr.strip()
    assert line.startswith(f"error: {UNEXPECTED} GET {arm.url}{COMPUTES}: ") and "\n" not in line, line
    assert "value.0.properties.properties.currentNodeCount: must be of type integer" in line
    assert line.endswith("(request id: req-1)")


@pytest.mark.parametrize(
    ("status", "resource", "expected"),
    [
        ({"status": {"value": "Failed"}}, None, "OperationStatus"),
        ({"status": "Failed", "error": "it broke"}, None, "OperationStatus"),
        (None, {"properties": "Succeeded"}, "ComputeResource"),
        (None, {"properties": {"computeType": "AmlCompute", "provisioningErrors": {"code": "x"}}}, "ComputeResource"),
    ],
)
def test_an_operations_status_of_the_wrong_shape_ends_it_with_one_error(
    arm: ScriptedArm, status: Any, resource: Any, expected: str
) -> None:
    """Each polling strategy's answer (azure-core's three): the tracker's read ends in the one error."""
    ws = Workspace.azure(SUB, RG, WS)
    source = TrackerSource(Connection(ws.ref))
    if status is not None:
        arm.on("GET", re.escape(STATUS) + "$", Reply(200, status))
        strategy: lro.Strategy = lro.AsyncOperation(arm.url + STATUS)
    else:
        arm.on("GET", re.escape(COMPUTES) + "/c1$", Reply(200, resource))
        strategy = lro.ResourceState(arm.url + COMPUTES + "/c1")
    with pytest.raises(UnexpectedAnswer) as caught:
        strategy.status(source.get(strategy.url, strategy.link))
    assert Shape(expected).problems(status if status is not None else resource)
    assert caught.value.method == "GET" and caught.value.request_id
    assert error_text(caught.value).startswith(f"error: {UNEXPECTED} GET {strategy.url}")


# --- 2. nested tens of thousands deep, from ARM or the prices endpoint ------------------------------------------

DEEP = 50_000


@pytest.mark.parametrize(
    ("words", "path"),
    [(["list"], re.escape(COMPUTES) + "$"), (["sizes", "--location", "westeurope"], "/vmSizes$")],
)
def test_json_nested_fifty_thousand_deep_is_refused_in_one_paragraph(
    arm: ScriptedArm, words: list[str], path: str
) -> None:
    arm.on("GET", path, Reply(200, b"[" * DEEP + b"]" * DEEP))
    result = azure_cli()(*words, *WORKSPACE, code=1)
    line = result.stderr.strip()
    assert line.startswith(f"error: {UNEXPECTED} GET ") and "nested deeper than 64 levels" in line, line
    assert "(request id: req-" in line and "\n" not in line


def test_prices_nested_fifty_thousand_deep_say_price_unknown(arm: ScriptedArm) -> None:
    arm.on("GET", "/vmSizes$", Reply(200, {"value": [SIZE]}))
    deep = b'{"Items": ' + b"[" * DEEP + b"]" * DEEP + b"}"
    with serving(lambda path, server: (200, deep)) as prices:
        out = azure_cli(JUPYTER_COMPUTE_PRICES_URL=prices.endpoint)(
            "sizes", "--location", "westeurope", *WORKSPACE
        ).stdout
    assert "Prices: price unknown (the prices answer was refused: it is nested deeper than 64 levels)" in out, out


# --- 3. one deadline for the whole price lookup -------------------------------------------------------------


def test_prices_that_trickle_past_the_deadline_say_price_unknown(arm: ScriptedArm) -> None:
    """The page would be whole after about 20 s (400 bytes, one per 50 ms), each byte well within the 20 s read
    timeout: without an overall deadline it arrives and is priced. With a 1 s deadline: price unknown."""
    arm.on("GET", "/vmSizes$", Reply(200, {"value": [SIZE]}))
    with trickling() as server:
        prices = azure_cli(JUPYTER_COMPUTE_PRICES_URL=server.endpoint, JUPYTER_COMPUTE_PRICES_DEADLINE="1")
        out = prices("sizes", "--location", "westeurope", *WORKSPACE).stdout
    assert "Prices: price unknown (the prices did not arrive in time (JUPYTER_COMPUTE_PRICES_DEADLINE))" in out, out


def test_the_deadline_bounds_the_whole_chain_of_pages_not_each_read(knobs: Any, tmp_path: Path) -> None:
    """In the Python API, with the deadline as a setting: the same trickle, the same unknown price."""
    knobs(prices_deadline=0.5)
    with trickling() as server:
        found = PriceBook(server.endpoint, tmp_path / "prices").region("westeurope")
    assert not found.known and "did not arrive in time" in found.problem


def test_the_magic_shows_the_same_one_paragraph_and_returns_nothing(arm: ScriptedArm, shell: Any, capsys: Any) -> None:
    arm.on("GET", re.escape(COMPUTES) + "$", listing({**compute("c1"), "properties": "Succeeded"}))
    returned = shell.run_line_magic("compute", " ".join(["list", *WORKSPACE]))
    captured = capsys.readouterr()
    assert returned is None and captured.out == ""
    line = captured.err.strip()
    assert line.startswith(f"error: {UNEXPECTED} GET {arm.url}{COMPUTES}: value.0.properties: must be of type object")
    assert "\n" not in line and "Traceback" not in line and line.endswith("(request id: req-1)")


def test_a_status_of_the_wrong_shape_ends_the_bar_with_the_one_error(arm: ScriptedArm) -> None:
    """start: accepted with a status URL; the list then shows it running, and the status URL answers with a
    status that is an object: the operation ends Failed, its final line the one paragraph, exit 1."""
    stopped = compute("ci-one", "Succeeded", "ComputeInstance", vmSize="Standard_DS3_v2")
    stopped["properties"]["properties"]["state"] = "Stopped"
    running = json.loads(json.dumps(stopped).replace('"Stopped"', '"Running"'))
    arm.on("GET", re.escape(COMPUTES) + "/ci-one$", Reply(200, stopped), Reply(200, running))  # read, then watched
    arm.on("POST", re.escape(COMPUTES) + "/ci-one/start$", Reply(202, None, {"Azure-AsyncOperation": arm.url + STATUS}))
    arm.on("GET", re.escape(COMPUTES) + "$", listing(running))
    arm.on("GET", re.escape(STATUS) + "$", Reply(200, {"status": {"value": "Succeeded"}}))
    result = azure_cli()("start", "ci-one", *WORKSPACE, code=1)
    final = result.stderr.strip().splitlines()[-2:]
    assert final[0].startswith("start instance ci-one: FAILED · Failed"), result.stderr
    assert final[1].startswith(f"  {UNEXPECTED} GET {arm.url}{STATUS}: status: must be of type string"), final


REGIONS = ("eastus", "northeurope", "westeurope")


def test_costs_over_several_regions_has_one_deadline_for_all_of_them(arm: ScriptedArm, knobs: Any) -> None:
    """Three running clusters in three regions, each region's prices trickling past the deadline: the regions are
    asked side by side (all three requests open at once, one each), not one after another with a deadline each
    (N × the deadline); every price is then unknown, said as such, never a guess."""
    from jupyter_compute.render.prices import costs_text
    from jupyter_compute.service.ref import WorkspaceRef

    arm.on(
        "GET",
        re.escape(f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/") + ".*/workspaces/" + WS + "$",
        Reply(200, {"name": WS, "location": "westeurope", "properties": {}}),
    )
    listed = [
        {**compute(f"c-{region}", currentNodeCount=1, targetNodeCount=1), "location": region} for region in REGIONS
    ]
    with trickling() as server:
        knobs(prices_url=server.endpoint, prices_deadline=2.0)
        bill = Workspace(WorkspaceRef.azure(SUB, RG, WS)).costs(listed=listed)
        asked, most_open = sorted(server.asked), server.most_open
    assert asked == sorted(REGIONS)  # one request each: no region asked twice, none left out
    assert most_open == len(REGIONS), "the regions were asked one after another"
    assert bill.unknown == len(REGIONS) and bill.total_per_hour == 0.0
    text = costs_text(bill)
    assert text.count("price unknown") >= len(REGIONS) and "did not arrive in time" in text, text
