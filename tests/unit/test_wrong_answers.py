"""Every reader of a service answer, fuzzed (issue 22, point 1): answers built from the REST spec's response
schemas (:mod:`wrong_answers`), then given values of the wrong type, keys gone and keys added, served by a scripted
ARM server and a scripted prices server on loopback. Whatever the answer, a reader ends with its normal result or
with the one error, "unexpected answer from the service for GET …", one paragraph, exit 1; never with another
exception. Answers the spec allows, and every answer in the reference recordings, are read without complaint."""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from wrong_answers import broken, valid

from jupyter_compute import Workspace
from jupyter_compute import settings as jc_settings
from jupyter_compute.errors import UnexpectedAnswer
from jupyter_compute.frontends import cli
from jupyter_compute.model.prices import RegionPrices
from jupyter_compute.model.schema import Shape, answer_problems
from jupyter_compute.render.output import error_text
from jupyter_compute.service.connection import Connection, TrackerSource
from jupyter_compute.service.prices import PriceBook
from jupyter_compute.service.ref import WorkspaceRef
from jupyter_compute.transport import lro

from arm_script import COMPUTES, RG, SIZE, SUB, TOKEN, WS, WS_PATH, Reply, ScriptedArm, compute, listing, scripted
from conftest import examples
from prices_server import PricesServer, item, page, serving

WORKSPACE = ["--subscription", SUB, "--resource-group", RG, "--workspace", WS]
UNEXPECTED = "unexpected answer from the service for"
NODE = {
    "nodeId": "tvm-1",
    "privateIpAddress": "10.0.0.4",
    "publicIpAddress": "20.1.2.3",
    "port": 50000,
    "nodeState": "idle",
    "runId": None,
}
USAGE = {
    "id": "u",
    "type": "Microsoft.MachineLearningServices/totalCores/usages",
    "unit": "Count",
    "currentValue": 4,
    "limit": 100,
    "name": {"value": "Total Cluster Dedicated Regional vCPUs", "localizedValue": "Total Cluster Dedicated vCPUs"},
}
SHAPES = (
    "PaginatedComputeResourcesList",
    "ComputeResource",
    "AmlComputeNodesInformation",
    "VirtualMachineSizeListResult",
    "ListUsagesResult",
    "OperationStatus",
    "Workspace",
    "WorkspaceListResult",
    "SubscriptionListResult",
)
# reader: (the spec's shape of its answer, the request that gets it, the CLI words that read it)
READERS: dict[str, tuple[str, str, str, list[str]]] = {
    "list": ("PaginatedComputeResourcesList", "GET", re.escape(COMPUTES) + "$", ["list", *WORKSPACE]),
    "show": ("ComputeResource", "GET", re.escape(COMPUTES) + "/c1$", ["show", "c1", *WORKSPACE]),
    "nodes": (
        "AmlComputeNodesInformation",
        "POST",
        re.escape(COMPUTES) + "/c1/listNodes$",
        ["nodes", "c1", *WORKSPACE],
    ),
    "sizes": ("VirtualMachineSizeListResult", "GET", "/vmSizes$", ["sizes", *WORKSPACE]),
    "usage": ("ListUsagesResult", "GET", "/usages$", ["usage", *WORKSPACE]),
    "workspace": ("Workspace", "GET", re.escape(WS_PATH) + "$", ["usage", *WORKSPACE]),
    "subscriptions": ("SubscriptionListResult", "GET", "^/subscriptions$", ["workspaces"]),
    "workspaces": ("WorkspaceListResult", "GET", f"^/subscriptions/{SUB}/providers/.*/workspaces$", ["workspaces"]),
}


# Readers of one subscription among many: its listing's failure is reported with the rest (exit 0).
PARTIAL = frozenset({"workspaces"})


def answering(server: ScriptedArm) -> ScriptedArm:
    """``server`` with a valid answer for each reader (each example then replaces one)."""
    server.on("GET", re.escape(COMPUTES) + "$", listing(compute("c1")))
    server.on("GET", re.escape(COMPUTES) + "/c1$", Reply(200, compute("c1")))
    server.on("POST", re.escape(COMPUTES) + "/c1/listNodes$", Reply(200, {"nodes": [NODE]}))
    server.on("GET", "/vmSizes$", Reply(200, {"value": [SIZE]}))
    server.on("GET", "/usages$", Reply(200, {"value": [USAGE]}))
    server.on(
        "GET",
        "^/subscriptions$",
        Reply(200, {"value": [{"subscriptionId": SUB, "displayName": "s", "state": "Enabled"}]}),
    )
    server.on("GET", "/workspaces$", Reply(200, {"value": [{"id": WS_PATH, "name": WS, "location": "westeurope"}]}))
    return server


@pytest.fixture(scope="module")
def shared_arm() -> Iterator[ScriptedArm]:
    """One scripted ARM server for every example (a property test's examples share its fixtures)."""
    with scripted("127.0.0.1") as server:
        yield answering(server)


def run_in_process(words: list[str]) -> tuple[int, str, str]:
    """``jupyter compute WORDS`` in this process (a subprocess per example would take minutes): exit, out, err."""
    out, err = io.StringIO(), io.StringIO()
    Workspace.forget_shared()  # each example reads the workspace afresh (its region is kept per Workspace)
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(words)
    return code, out.getvalue(), err.getvalue()


# --- 1. a valid JSON answer of the wrong shape ----------------------------------------------------------------


@pytest.mark.parametrize("reader", sorted(READERS))
def test_a_reader_given_answers_of_the_wrong_shape_shows_its_result_or_one_error(
    reader: str, shared_arm: ScriptedArm
) -> None:
    root, method, path, words = READERS[reader]

    @settings(
        max_examples=examples(60),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(data=st.data())
    def property_holds(data: st.DataObject) -> None:
        body = broken(data, data.draw(valid(root), label="answer"))
        shared_arm.on(method, path, Reply(200, body))
        with jc_settings.override(arm_endpoint=shared_arm.url, access_token=TOKEN):
            code, out, err = run_in_process(words)
        event(f"exit {code}" + (", unexpected answer" if UNEXPECTED in err else ""))
        assert code in (0, 1), (code, out, err)
        assert "Traceback" not in out + err
        if code == 1:
            assert err.startswith("error: ") and err.count("\n") == 1, err  # one paragraph
        if Shape(root).problems(body):
            assert UNEXPECTED in out + err and "(request id: req-" in out + err, (out, err)
            assert code == (0 if reader in PARTIAL else 1), (code, out, err)

    try:
        property_holds()
    finally:
        answering(shared_arm)


@pytest.fixture(scope="module")
def status_server() -> Iterator[ScriptedArm]:
    with scripted("127.0.0.1") as server:
        yield server


@settings(
    max_examples=examples(40),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_the_operation_status_readers_read_any_answer_or_raise_the_one_error(
    data: st.DataObject, status_server: ScriptedArm
) -> None:
    """Each polling strategy (azure-core's three) over answers of its shape, broken: a Status, or UnexpectedAnswer."""
    strategy_type = data.draw(st.sampled_from([lro.AsyncOperation, lro.Location, lro.ResourceState]))
    body = broken(data, data.draw(valid(strategy_type.answer.root)))
    status_server.on("GET", "/op$", Reply(200, body))
    strategy = strategy_type(status_server.url + "/op")
    with jc_settings.override(arm_endpoint=status_server.url, access_token=TOKEN):
        source = TrackerSource(Connection(WorkspaceRef.azure(SUB, RG, WS)))
        try:
            status = strategy.status(source.get(strategy.url, strategy.link))
        except UnexpectedAnswer as exc:
            assert strategy.answer.problems(body), exc
            assert error_text(exc).startswith(f"error: {UNEXPECTED} GET {strategy.url}: ")
            return
    assert not strategy.answer.problems(body)
    assert status.status in ("Succeeded", "Failed", "Canceled", "InProgress")
    if status.error is not None:
        assert error_text(status.error).startswith("error: ")


@pytest.fixture(scope="module")
def prices_server() -> Iterator[PricesServer]:
    with serving(lambda path, server: (200, b"{}")) as server:
        yield server


@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_prices_of_any_shape_are_read_or_unknown(
    data: st.DataObject, prices_server: PricesServer, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The prices reader over documented pages, broken the same way: RegionPrices, known or not; nothing raised."""
    good = json.loads(page([item(armRegionName="westeurope"), item("Standard_DS3_v2", "DS3 v2 Low Priority")]))
    body = json.dumps(broken(data, good)).encode()
    prices_server.answer = lambda path, server: (200, body)
    found = PriceBook(prices_server.endpoint, tmp_path_factory.mktemp("prices")).region("westeurope")
    assert isinstance(found, RegionPrices)
    assert found.known or found.problem


@pytest.mark.parametrize("root", SHAPES)
def test_answers_the_spec_allows_are_read_without_complaint(root: str) -> None:
    @settings(max_examples=examples(50), deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(body=valid(root))
    def readable(body: Any) -> None:
        assert answer_problems(body, root) == []

    readable()


def test_every_answer_in_the_recordings_is_read_without_complaint(reference: Path) -> None:
    """What the real service sent (az ml, azure-ai-ml, Az PowerShell sessions): nulls, extra fields and all."""
    from recorded_answers import recorded

    answers = recorded(reference / "recordings")
    assert {root for root, _, _ in answers} >= {"ComputeResource", "PaginatedComputeResourcesList", "OperationStatus"}
    assert {root for root, _, _ in answers} >= {"SubscriptionListResult", "WorkspaceListResult"}
    for root, where, body in answers:
        assert answer_problems(body, root) == [], where


def test_the_inner_properties_of_a_type_the_spec_does_not_know_never_fail_a_reader() -> None:
    """No subtype schema applies to a computeType the spec does not list, so nothing checked its inner fields."""
    from jupyter_compute.model.resource import Compute

    inner = {"currentNodeCount": "three", "nodeStateCounts": [1], "scaleSettings": "x", "schedules": [], "state": 7}
    body = {"name": "new-kind", "properties": {"computeType": "QuantumCompute", "properties": inner}}
    assert answer_problems(body, "ComputeResource") == []
    compute = Compute(body)
    assert compute.row()["name"] == "new-kind" and compute.node_counts.current == 0
    assert (compute.min_nodes, compute.stop_scheduled, compute.transitional) == (0, False, None)
