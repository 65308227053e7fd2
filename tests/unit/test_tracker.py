"""The tracker over a fake source and a fake clock: each test drives ``tick()`` itself (no thread, no sleep),
except the last, which checks the thread outlives a failing tick."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from jupyter_compute.errors import NotFound, ServiceError, TransportError
from jupyter_compute.service.operation import Operation, State
from jupyter_compute.service.tracker import UNLISTED_TICKS, Poller
from jupyter_compute.transport.lro import AsyncOperation, Location, ResourceState, Strategy

BASE = "https://arm.test/subscriptions/s/computes"


@dataclass
class Answer:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    request_id: str | None = "rid-1"

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


Scripted = list[Any]  # answers (or exceptions) in turn, the last one repeated


class FakeSource:
    """Listings and GET answers from a script; records what was asked."""

    def __init__(self, *listings: Any) -> None:
        self.listings: Scripted = list(listings) or [[]]
        self.answers: dict[str, Scripted] = {}
        self.lists = 0
        self.gets: list[str] = []

    def on(self, url: str, *answers: Any) -> FakeSource:
        self.answers[url] = list(answers)
        return self

    @staticmethod
    def _next(script: Scripted) -> Any:
        item = script.pop(0) if len(script) > 1 else script[0]
        if isinstance(item, Exception):
            raise item
        return item

    def list_computes(self) -> Sequence[Mapping[str, Any]]:
        self.lists += 1
        listed: Sequence[Mapping[str, Any]] = self._next(self.listings)
        return listed

    def get(self, url: str, link: str) -> Answer:
        self.gets.append(url)
        if url not in self.answers:
            raise NotFound("NotFound", url)
        answer: Answer = self._next(self.answers[url])
        return answer


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def compute(name: str, state: str = "Succeeded", compute_type: str = "AmlCompute", **props: Any) -> dict[str, Any]:
    return {"name": name, "properties": {"computeType": compute_type, "provisioningState": state, **props}}


def running(
    poller: Poller, name: str = "cpu", action: str = "create", strategy: Strategy | None = None, typical: float = 100.0
) -> Operation:
    url = f"{BASE}/{name}"
    op = Operation(action, name, "AmlCompute", resource_url=url, typical=typical, clock=poller.clock)
    poller.track(op)
    op._accept(strategy or ResourceState(url), None)
    return op


@pytest.fixture
def clock() -> Clock:
    return Clock()


def poller_of(source: FakeSource, clock: Clock) -> Poller:
    return Poller(source, interval=3600.0, clock=clock)


@pytest.fixture(autouse=True)
def no_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests tick by hand: the tracker's thread is not started."""
    monkeypatch.setattr(Poller, "_start_locked", lambda self: None)


def test_one_list_request_per_tick_however_many_operations(clock: Clock) -> None:
    source = FakeSource([compute(f"c{i}", "Creating") for i in range(20)])
    poller = poller_of(source, clock)
    ops = [running(poller, f"c{i}") for i in range(20)]
    for _ in range(3):
        poller.tick()
    assert (source.lists, source.gets) == (3, [])
    assert all(op.progress.phase == "Creating" and not op.done() for op in ops)


def test_an_operation_still_submitting_is_held_but_not_followed(clock: Clock) -> None:
    source = FakeSource([compute("cpu", "Succeeded", properties={"currentNodeCount": 0, "targetNodeCount": 0})])
    poller = poller_of(source, clock)
    op = Operation("create", "cpu", "AmlCompute", resource_url=f"{BASE}/cpu", clock=clock)
    poller.track(op)
    for _ in range(UNLISTED_TICKS + 1):
        poller.tick()
    assert op.state is State.SUBMITTING and poller.in_flight() == [op] and source.gets == []
    op._accept(ResourceState(f"{BASE}/cpu"), None)
    poller.tick()
    assert op.state is State.SUCCEEDED and poller.in_flight() == []


def test_an_async_operation_is_confirmed_by_its_status_url(clock: Clock) -> None:
    done = compute("cpu", "Succeeded", properties={"currentNodeCount": 0, "targetNodeCount": 0})
    source = FakeSource([compute("cpu", "Creating")], [done])
    source.on("https://arm.test/ops/a1", Answer(200, {"status": "InProgress"}), Answer(200, {"status": "Succeeded"}))
    poller = poller_of(source, clock)
    op = running(poller, strategy=AsyncOperation("https://arm.test/ops/a1"))
    poller.tick()  # creating: nothing asked
    poller.tick()  # listed done: the status URL still says InProgress
    assert source.gets == ["https://arm.test/ops/a1"] and op.status == "InProgress"
    poller.tick()
    assert op.state is State.SUCCEEDED and op.resource == done
    assert source.gets == ["https://arm.test/ops/a1"] * 2


def test_an_operation_with_only_a_location_ends_when_it_answers_200(clock: Clock) -> None:
    """The probe that used to hang: a Location-only operation whose compute the list already shows done."""
    done = compute("cpu", "Succeeded", description="from Location")
    source = FakeSource([compute("cpu", "Succeeded")])
    source.on("https://arm.test/loc/1", Answer(202, None, {"Location": "https://arm.test/loc/2"}))
    source.on("https://arm.test/loc/2", Answer(200, done))
    poller = poller_of(source, clock)
    op = running(poller, strategy=Location("https://arm.test/loc/1"))
    poller.tick()
    assert op.status == "InProgress" and op.strategy == Location("https://arm.test/loc/2")
    poller.tick()
    assert op.state is State.SUCCEEDED and op.resource == done
    assert source.gets == ["https://arm.test/loc/1", "https://arm.test/loc/2"]


def test_a_delete_by_location_ends_deleted_on_204(clock: Clock) -> None:
    source = FakeSource([compute("cpu", "Deleting")], [])
    source.on("https://arm.test/loc/d", Answer(204))
    poller = poller_of(source, clock)
    op = running(poller, action="delete", strategy=Location("https://arm.test/loc/d"))
    poller.tick()
    poller.tick()
    assert (op.state, op.progress.phase) == (State.SUCCEEDED, "Deleted")


def test_without_a_status_url_the_listed_provisioning_state_ends_it_with_its_error(clock: Clock) -> None:
    errors = [{"error": {"code": "BadSubnet", "message": "no such subnet"}}]
    source = FakeSource([compute("cpu", "Failed", provisioningErrors=errors)])
    poller = poller_of(source, clock)
    op = running(poller)
    poller.tick()
    assert op.state is State.FAILED and source.gets == []
    assert op.error is not None and str(op.error) == "BadSubnet: no such subnet"
    assert op.progress.phase == "Failed: BadSubnet" and not op.refused


def test_a_create_never_listed_asks_its_status_after_some_ticks(clock: Clock) -> None:
    source = FakeSource([])
    failed = {"status": "Failed", "error": {"code": "InternalServerError", "message": "lost"}}
    source.on("https://arm.test/ops/a2", Answer(200, failed))
    poller = poller_of(source, clock)
    op = running(poller, strategy=AsyncOperation("https://arm.test/ops/a2"))
    for _ in range(UNLISTED_TICKS - 1):
        poller.tick()
    assert source.gets == [] and op.progress.phase == "Waiting for the service"
    poller.tick()
    assert op.state is State.FAILED and op.error is not None and op.error.code == "InternalServerError"


def test_a_create_listed_then_gone_was_deleted_meanwhile(clock: Clock) -> None:
    source = FakeSource([compute("cpu", "Creating")], [])
    poller = poller_of(source, clock)
    op = running(poller)
    poller.tick()
    poller.tick()
    assert op.state is State.CANCELED and "deleted meanwhile" in op.note
    assert op.error is not None and op.error.code == "ResourceDeleted"


def test_when_listing_fails_the_reason_goes_to_on_error_and_operations_still_end(
    clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    source = FakeSource(TransportError("could not reach arm.test"))
    source.on("https://arm.test/ops/a3", Answer(200, {"status": "Succeeded"}))
    source.on(f"{BASE}/cpu", Answer(200, compute("cpu", "Succeeded")))
    poller = poller_of(source, clock)
    reasons: list[Exception] = []
    listings: list[Any] = []
    poller.add_listener(listings.append, on_error=reasons.append)
    op = running(poller, strategy=AsyncOperation("https://arm.test/ops/a3"))
    with caplog.at_level(logging.DEBUG, logger="jupyter_compute.service.tracker"):
        for _ in range(UNLISTED_TICKS):
            poller.tick()
    assert len(reasons) == UNLISTED_TICKS and listings == [] and isinstance(poller.last_error, TransportError)
    assert op.state is State.SUCCEEDED and source.gets == ["https://arm.test/ops/a3", f"{BASE}/cpu"]
    assert any("could not reach arm.test" in r.getMessage() and r.levelno == logging.DEBUG for r in caplog.records)


def test_a_status_url_refusing_to_answer_ends_it_but_a_server_error_is_tried_again(clock: Clock) -> None:
    source = FakeSource([compute("cpu", "Succeeded")])
    source.on(
        "https://arm.test/ops/a4",
        ServiceError("ServiceUnavailable", "later", status=503),
        ServiceError("AuthorizationFailed", "no", status=403),
    )
    poller = poller_of(source, clock)
    op = running(poller, strategy=AsyncOperation("https://arm.test/ops/a4"))
    poller.tick()
    assert not op.done()
    poller.tick()
    assert op.state is State.FAILED and op.error is not None and op.error.code == "AuthorizationFailed"


def test_a_broken_listener_leaves_a_trace_and_the_next_one_still_hears(
    clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    source = FakeSource([compute("cpu")])
    poller = poller_of(source, clock)
    heard: list[Any] = []

    def broken(listed: Any) -> None:
        raise RuntimeError("panel gone")

    poller.add_listener(broken)
    poller.add_listener(heard.append)
    with caplog.at_level(logging.WARNING, logger="jupyter_compute.service.tracker"):
        poller.tick()
    assert heard == [[compute("cpu")]]
    assert any(r.exc_info and r.exc_info[0] is RuntimeError for r in caplog.records)


def test_progress_follows_the_injected_clock(clock: Clock) -> None:
    source = FakeSource([compute("cpu", "Creating")])
    poller = poller_of(source, clock)
    op = running(poller, typical=100.0)
    clock.now = 20.0
    poller.tick()
    assert (op.progress.elapsed, op.progress.eta, op.progress.fraction) == (20.0, 80.0, 0.2)
    clock.now = 45.0
    poller.tick()
    assert (op.progress.elapsed, op.progress.eta, op.progress.fraction) == (45.0, 55.0, 0.45)


def test_the_thread_outlives_a_tick_that_raises_and_poll_now_ticks_again(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A body the model cannot read (a defect) used to end the thread: nothing was followed any more,
    and poll_now() did nothing. Now the tick fails alone, leaving a trace, and the next one comes."""
    monkeypatch.undo()  # this one runs the real thread
    malformed = compute("cpu", "Succeeded", properties={"currentNodeCount": "many"})
    listed = [threading.Event(), threading.Event()]

    class Once(FakeSource):
        def list_computes(self) -> Sequence[Mapping[str, Any]]:
            self.lists += 1
            listed[min(self.lists, 2) - 1].set()
            return [malformed] if self.lists == 1 else []

    poller = Poller(Once(), interval=3600.0)
    with caplog.at_level(logging.WARNING, logger="jupyter_compute.service.tracker"):
        op = running(poller)
        poller.poll_now()
        assert listed[0].wait(30)
        poller.poll_now()
        assert listed[1].wait(30), "the poller stopped ticking after a failed tick"
    op.cancel()
    poller.poll_now()  # nothing left to follow: the thread ends
    assert any("tick failed" in r.getMessage() and r.exc_info for r in caplog.records)


def test_following_finds_the_operation_in_flight_by_name_whatever_its_case(clock: Clock) -> None:
    source = FakeSource([compute("CPU-a", "Creating"), compute("gpu", "Succeeded")])
    poller = poller_of(source, clock)
    ended = running(poller, "gpu")
    op = running(poller, "CPU-a")
    ended._finish(State.SUCCEEDED, None)
    assert poller.following("cpu-A") is op
    assert poller.following("gpu") is None and poller.following("other") is None


def test_operation_ids_differ() -> None:
    ops = [Operation("create", "cpu", "AmlCompute", resource_url=f"{BASE}/cpu") for _ in range(1000)]
    assert len({op.id for op in ops}) == 1000 and all(op.id.startswith("follow-") for op in ops)
