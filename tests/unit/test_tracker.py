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
from jupyter_compute.service.operation import Operation, State, Updater
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


def started(
    poller: Poller, name: str = "cpu", action: str = "create", strategy: Strategy | None = None, typical: float = 100.0
) -> Updater:
    """An operation the service has accepted, followed by ``poller``: its updater."""
    url = f"{BASE}/{name}"
    updates = Updater(action, name, "AmlCompute", resource_url=url, typical=typical, clock=poller.clock)
    poller.track(updates)
    updates.accept(strategy or ResourceState(url), None)
    return updates


def running(
    poller: Poller, name: str = "cpu", action: str = "create", strategy: Strategy | None = None, typical: float = 100.0
) -> Operation:
    return started(poller, name, action, strategy, typical).operation


@pytest.fixture
def clock() -> Clock:
    return Clock()


INTERVAL = 5.0
CPU = f"{BASE}/cpu"


def poller_of(source: FakeSource, clock: Clock, pace: float = 1.0) -> Poller:
    return Poller(source, interval=INTERVAL, clock=clock, pace=lambda: pace)


def step(poller: Poller, clock: Clock) -> None:
    """Move the clock to when the next request is due (if anything is scheduled), then tick."""
    due = poller.next_due()
    if due != float("inf"):
        clock.now = max(clock.now, due)
    poller.tick()


def run_for(poller: Poller, clock: Clock, seconds: float, every: float = INTERVAL) -> None:
    """The thread's life for ``seconds``: a tick every ``every`` seconds of the fake clock."""
    end = clock.now + seconds
    while clock.now + every <= end + 1e-9:
        clock.now += every
        poller.tick()


def asked_times(poller: Poller, clock: Clock, source: FakeSource, seconds: float) -> list[float]:
    """Tick every interval for ``seconds`` of the fake clock; the time of each GET asked."""
    asked_at: list[float] = []
    for _ in range(int(seconds / INTERVAL)):
        clock.now += INTERVAL
        before = len(source.gets)
        poller.tick()
        asked_at += [clock.now] * (len(source.gets) - before)
    return asked_at


@pytest.fixture(autouse=True)
def no_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests tick by hand: the tracker's thread is not started."""
    monkeypatch.setattr(Poller, "_start_locked", lambda self: None)


# --- what it costs: the work in flight, never the workspace's size ----------------------------------------


def test_an_operation_asks_its_own_compute_at_azure_ai_mls_pace_and_nothing_is_listed(clock: Clock) -> None:
    """azure-ai-ml's poller GETs every 30 s: 2 a minute. Ours asks more in the first minute only."""
    source = FakeSource([compute(f"c{i}") for i in range(1000)]).on(CPU, Answer(200, compute("cpu", "Creating")))
    poller = poller_of(source, clock)
    running(poller)
    asked_at = asked_times(poller, clock, source, 600)
    assert source.lists == 0 and set(source.gets) == {CPU}
    assert asked_at[:5] == [5.0, 10.0, 20.0, 30.0, 60.0]
    per_minute = [sum(1 for t in asked_at if m * 60 < t <= (m + 1) * 60) for m in range(10)]
    assert per_minute[0] == 5 and all(n == 2 for n in per_minute[1:]), per_minute


def test_k_operations_cost_k_times_one_and_each_asks_only_its_own_compute(clock: Clock) -> None:
    source = FakeSource()
    for i in range(50):
        source.on(f"{BASE}/c{i}", Answer(200, compute(f"c{i}", "Creating")))
    poller = poller_of(source, clock)
    for i in range(50):
        running(poller, f"c{i}")
    run_for(poller, clock, 60)
    source.gets.clear()
    run_for(poller, clock, 300)
    assert source.lists == 0 and len(source.gets) == 50 * 2 * 5
    assert sorted(set(source.gets)) == sorted(f"{BASE}/c{i}" for i in range(50))


def test_nothing_is_asked_with_nothing_in_flight_and_no_listener(clock: Clock) -> None:
    source = FakeSource([compute("cpu")])
    poller = poller_of(source, clock)
    started(poller).finish(State.SUCCEEDED, None)
    heard: list[Any] = []
    poller.add_listener(heard.append)
    poller.remove_listener(heard.append)  # the panel was hidden
    run_for(poller, clock, 600)
    assert (source.lists, source.gets, heard, poller.next_due()) == (0, [], [], float("inf"))


def test_a_listener_hears_one_listing_per_list_interval_and_operations_read_it_instead_of_asking(
    clock: Clock,
) -> None:
    source = FakeSource([compute(f"c{i}", "Creating") for i in range(20)])
    poller = poller_of(source, clock)
    heard: list[Any] = []
    poller.add_listener(heard.append)  # the panel has just listed: the next listing is one interval away
    ops = [running(poller, f"c{i}") for i in range(20)]
    clock.now = poller.list_every - INTERVAL
    poller.tick()  # the operations' first polls are due, the listing not yet
    assert (source.lists, len(source.gets)) == (0, 20)
    source.gets.clear()
    for _ in range(3):
        clock.now += poller.list_every
        poller.tick()
    assert (source.lists, source.gets, len(heard)) == (3, [], 3)
    assert all(op.progress.phase == "Creating" and not op.done() for op in ops)


def test_poll_now_lists_at_once_for_a_listener_and_without_one_asks_every_operation(clock: Clock) -> None:
    source = FakeSource([compute("cpu", "Creating")]).on(CPU, Answer(200, compute("cpu", "Creating")))
    poller = poller_of(source, clock)
    op = running(poller)
    poller.tick()
    assert (source.lists, source.gets) == (0, [CPU])
    poller.poll_now()
    poller.tick()  # nothing was due: the user asked
    assert (source.lists, source.gets) == (0, [CPU, CPU])
    heard: list[Any] = []
    poller.add_listener(heard.append)
    poller.poll_now()  # a panel shown again
    poller.tick()
    assert (source.lists, source.gets, len(heard)) == (1, [CPU, CPU], 1) and not op.done()


def test_the_services_pace_stretches_every_gap(clock: Clock) -> None:
    source = FakeSource().on(CPU, Answer(200, compute("cpu", "Creating")))
    poller = poller_of(source, clock, pace=4.0)
    running(poller)
    asked_at = asked_times(poller, clock, source, 600)
    assert asked_at == [5.0, 25.0, 65.0, 105.0, 225.0, 345.0, 465.0, 585.0]


# --- how an operation ends --------------------------------------------------------------------------------


def test_an_operation_still_submitting_is_held_but_not_followed(clock: Clock) -> None:
    source = FakeSource().on(
        CPU, Answer(200, compute("cpu", "Succeeded", properties={"currentNodeCount": 0, "targetNodeCount": 0}))
    )
    poller = poller_of(source, clock)
    updates = Updater("create", "cpu", "AmlCompute", resource_url=CPU, clock=clock)
    op = poller.track(updates)
    for _ in range(UNLISTED_TICKS + 1):
        run_for(poller, clock, 60)
    assert op.state is State.SUBMITTING and poller.in_flight() == [op] and source.gets == []
    updates.accept(ResourceState(CPU), None)
    step(poller, clock)
    assert op.state is State.SUCCEEDED and poller.in_flight() == []


def test_an_async_operation_is_confirmed_by_its_status_url(clock: Clock) -> None:
    done = compute("cpu", "Succeeded", properties={"currentNodeCount": 0, "targetNodeCount": 0})
    source = FakeSource().on(CPU, Answer(200, compute("cpu", "Creating")), Answer(200, done))
    source.on("https://arm.test/ops/a1", Answer(200, {"status": "InProgress"}), Answer(200, {"status": "Succeeded"}))
    poller = poller_of(source, clock)
    op = running(poller, strategy=AsyncOperation("https://arm.test/ops/a1"))
    step(poller, clock)  # creating: nothing else asked
    step(poller, clock)  # done: the status URL still says InProgress
    assert source.gets == [CPU, CPU, "https://arm.test/ops/a1"] and op.status == "InProgress"
    step(poller, clock)
    assert op.state is State.SUCCEEDED and op.resource == done
    assert [g for g in source.gets if g != CPU] == ["https://arm.test/ops/a1"] * 2


def test_an_operation_with_only_a_location_ends_when_it_answers_200(clock: Clock) -> None:
    """The probe that used to hang: a Location-only operation whose compute already shows done."""
    done = compute("cpu", "Succeeded", description="from Location")
    source = FakeSource().on(CPU, Answer(200, compute("cpu", "Succeeded")))
    source.on("https://arm.test/loc/1", Answer(202, None, {"Location": "https://arm.test/loc/2"}))
    source.on("https://arm.test/loc/2", Answer(200, done))
    poller = poller_of(source, clock)
    op = running(poller, strategy=Location("https://arm.test/loc/1"))
    step(poller, clock)
    assert op.status == "InProgress" and op.strategy == Location("https://arm.test/loc/2")
    step(poller, clock)
    assert op.state is State.SUCCEEDED and op.resource == done
    assert [g for g in source.gets if g != CPU] == ["https://arm.test/loc/1", "https://arm.test/loc/2"]


def test_a_delete_by_location_ends_deleted_on_204(clock: Clock) -> None:
    source = FakeSource().on(CPU, Answer(200, compute("cpu", "Deleting")), NotFound("NotFound", "gone"))
    source.on("https://arm.test/loc/d", Answer(204))
    poller = poller_of(source, clock)
    op = running(poller, action="delete", strategy=Location("https://arm.test/loc/d"))
    step(poller, clock)
    step(poller, clock)
    assert (op.state, op.progress.phase) == (State.SUCCEEDED, "Deleted")


def test_without_a_status_url_the_provisioning_state_ends_it_with_its_error(clock: Clock) -> None:
    errors = [{"error": {"code": "BadSubnet", "message": "no such subnet"}}]
    source = FakeSource().on(CPU, Answer(200, compute("cpu", "Failed", provisioningErrors=errors)))
    poller = poller_of(source, clock)
    op = running(poller)
    step(poller, clock)
    assert op.state is State.FAILED and source.gets == [CPU]
    assert op.error is not None and str(op.error) == "BadSubnet: no such subnet"
    assert op.progress.phase == "Failed: BadSubnet" and not op.refused


def test_a_create_never_found_asks_its_status_after_some_polls(clock: Clock) -> None:
    source = FakeSource([])
    failed = {"status": "Failed", "error": {"code": "InternalServerError", "message": "lost"}}
    source.on("https://arm.test/ops/a2", Answer(200, failed))
    poller = poller_of(source, clock)
    op = running(poller, strategy=AsyncOperation("https://arm.test/ops/a2"))
    for _ in range(UNLISTED_TICKS - 1):
        step(poller, clock)
    assert source.gets == [CPU] * (UNLISTED_TICKS - 1) and op.progress.phase == "Waiting for the service"
    step(poller, clock)
    assert op.state is State.FAILED and op.error is not None and op.error.code == "InternalServerError"


def test_a_create_found_then_gone_was_deleted_meanwhile(clock: Clock) -> None:
    source = FakeSource().on(CPU, Answer(200, compute("cpu", "Creating")), NotFound("NotFound", "gone"))
    poller = poller_of(source, clock)
    op = running(poller)
    step(poller, clock)
    step(poller, clock)
    assert op.state is State.CANCELED and "deleted meanwhile" in op.note
    assert op.error is not None and op.error.code == "ResourceDeleted"


def test_when_listing_fails_the_reason_goes_to_on_error_and_operations_still_end(
    clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    source = FakeSource(TransportError("could not reach arm.test"))
    source.on("https://arm.test/ops/a3", Answer(200, {"status": "Succeeded"}))
    source.on(CPU, Answer(200, compute("cpu", "Succeeded")))
    poller = poller_of(source, clock)
    reasons: list[Exception] = []
    listings: list[Any] = []
    poller.add_listener(listings.append, on_error=reasons.append)
    op = running(poller, strategy=AsyncOperation("https://arm.test/ops/a3"))
    with caplog.at_level(logging.DEBUG, logger="jupyter_compute.service.tracker"):
        for _ in range(UNLISTED_TICKS):
            poller.poll_now()
            poller.tick()
    assert len(reasons) == UNLISTED_TICKS and listings == [] and isinstance(poller.last_error, TransportError)
    assert op.state is State.SUCCEEDED and source.gets == [CPU, "https://arm.test/ops/a3"]
    assert any("could not reach arm.test" in r.getMessage() and r.levelno == logging.DEBUG for r in caplog.records)


def test_an_operation_whose_compute_cannot_be_read_asks_its_status_after_some_polls(clock: Clock) -> None:
    source = FakeSource().on(CPU, TransportError("could not reach arm.test"))
    source.on("https://arm.test/ops/a5", Answer(200, {"status": "Succeeded"}))
    poller = poller_of(source, clock)
    op = running(poller, strategy=AsyncOperation("https://arm.test/ops/a5"))
    for _ in range(UNLISTED_TICKS):
        step(poller, clock)
    # the status says it ended; the compute itself, still unreadable, decides on a later poll
    assert source.gets == [CPU] * UNLISTED_TICKS + ["https://arm.test/ops/a5", CPU] and not op.done()
    assert isinstance(poller.last_error, TransportError)


def test_a_status_url_refusing_to_answer_ends_it_but_a_server_error_is_tried_again(clock: Clock) -> None:
    source = FakeSource().on(CPU, Answer(200, compute("cpu", "Succeeded")))
    source.on(
        "https://arm.test/ops/a4",
        ServiceError("ServiceUnavailable", "later", status=503),
        ServiceError("AuthorizationFailed", "no", status=403),
    )
    poller = poller_of(source, clock)
    op = running(poller, strategy=AsyncOperation("https://arm.test/ops/a4"))
    step(poller, clock)
    assert not op.done()
    step(poller, clock)
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
        step(poller, clock)
    assert heard == [[compute("cpu")]]
    assert any(r.exc_info and r.exc_info[0] is RuntimeError for r in caplog.records)


def test_progress_follows_the_injected_clock(clock: Clock) -> None:
    source = FakeSource().on(CPU, Answer(200, compute("cpu", "Creating")))
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
    """A body the model cannot read (a defect; the transport's shape check keeps wrong answers out) used to end
    the thread: nothing was followed any more, and poll_now() did nothing. Now the tick fails alone, leaving a
    trace, and the next one comes."""
    monkeypatch.undo()  # this one runs the real thread

    class Defective(dict[str, Any]):  # a body whose reading raises: a defect of ours, not an answer's shape
        def get(self, *args: Any) -> Any:
            raise ValueError("a defect")

    malformed = Defective(compute("cpu", "Succeeded"))
    asked = [threading.Event(), threading.Event()]

    class Once(FakeSource):
        def get(self, url: str, link: str) -> Answer:
            self.gets.append(url)
            asked[min(len(self.gets), 2) - 1].set()
            return Answer(200, malformed if len(self.gets) == 1 else compute("cpu", "Creating"))

    poller = Poller(Once(), interval=3600.0)
    with caplog.at_level(logging.WARNING, logger="jupyter_compute.service.tracker"):
        op = running(poller)
        poller.poll_now()
        assert asked[0].wait(30)
        poller.poll_now()
        assert asked[1].wait(30), "the poller stopped ticking after a failed tick"
    op.cancel()
    poller.poll_now()  # nothing left to follow: the thread ends
    assert any("tick failed" in r.getMessage() and r.exc_info for r in caplog.records)


def test_following_finds_the_operation_in_flight_by_name_whatever_its_case(clock: Clock) -> None:
    source = FakeSource([compute("CPU-a", "Creating"), compute("gpu", "Succeeded")])
    poller = poller_of(source, clock)
    ended = started(poller, "gpu")
    op = running(poller, "CPU-a")
    ended.finish(State.SUCCEEDED, None)
    assert poller.following("cpu-A") is op
    assert poller.following("gpu") is None and poller.following("other") is None


def test_operation_ids_differ() -> None:
    ops = [Updater("create", "cpu", "AmlCompute", resource_url=f"{BASE}/cpu").operation for _ in range(1000)]
    assert len({op.id for op in ops}) == 1000 and all(op.id.startswith("follow-") for op in ops)


@pytest.mark.parametrize("found", [True, False], ids=["read-before", "never-seen"])
def test_a_create_whose_compute_was_read_ends_at_once_when_it_vanishes(clock: Clock, found: bool) -> None:
    """The tracker's own bookkeeping (Followed): a create followed from its compute as read (``wait``, ``ops``)
    was deleted meanwhile when the compute is no longer there; a create never seen yet may still appear, so it
    waits UNLISTED_TICKS polls and then asks the compute itself."""
    source = FakeSource()  # every GET of the compute: NotFound
    poller = poller_of(source, clock)
    updates = Updater("create", "cpu", "AmlCompute", resource_url=CPU, clock=clock)
    op = poller.track(updates, found=found)
    updates.accept(ResourceState(CPU), None)
    step(poller, clock)
    if found:
        assert op.state is State.CANCELED and "deleted meanwhile" in op.note and source.gets == [CPU]
        return
    assert op.state is State.RUNNING
    for _ in range(UNLISTED_TICKS):
        step(poller, clock)
    assert op.state is State.CANCELED and len(source.gets) == UNLISTED_TICKS + 1
