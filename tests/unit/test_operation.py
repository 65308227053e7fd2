"""Operation states: one explicit state, one end, the status words renderers read, and the submission
that runs the checks needing the service in the operation's background."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import pytest

from jupyter_compute.errors import ComputeError, Conflict, OperationFailed, ServiceError, StoppedWatching
from jupyter_compute.model.resource import Compute
from jupyter_compute.render.text import summary
from jupyter_compute.service.operation import STATUS_WORDS, TERMINAL_STATES, Operation, State, Updater
from jupyter_compute.transport.lro import AsyncOperation, Location

URL = "https://arm.test/subscriptions/s/computes/cpu"
DEADLINE = 30.0  # seconds a background submission gets; it ends in milliseconds


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make(action: str = "create", clock: Callable[[], float] | None = None, **kw: Any) -> Updater:
    return Updater(action, "cpu", "AmlCompute", resource_url=URL, typical=60.0, clock=clock or Clock(), **kw)


def body(state: str = "Succeeded") -> dict[str, Any]:
    return {"name": "cpu", "properties": {"computeType": "AmlCompute", "provisioningState": state}}


def test_every_state_has_a_status_word_and_the_terminal_ones_are_data() -> None:
    assert set(STATUS_WORDS) == set(State)
    assert TERMINAL_STATES == set(State) - {State.SUBMITTING, State.RUNNING}
    assert {STATUS_WORDS[s] for s in State} == {"InProgress", "Succeeded", "Failed", "Canceled"}


def test_a_new_operation_is_submitting_and_checking() -> None:
    updates = make()
    op = updates.operation
    assert (op.state, op.status, op.progress.status, op.progress.phase) == (
        State.SUBMITTING,
        "InProgress",
        "InProgress",
        "Checking",
    )
    assert not op.done() and not op.refused and op.status_url is None and op.id.startswith("follow-")


def test_accepted_it_runs_by_its_strategy_then_ends_once() -> None:
    updates = make()
    op = updates.operation
    updates.accept(AsyncOperation("https://arm.test/operations/op-42?api-version=1"), body("Creating"))
    assert (op.state, op.progress.phase, op.id) == (State.RUNNING, "Submitted", "op-42")
    assert op.status_url == "https://arm.test/operations/op-42?api-version=1"
    updates.finish(State.SUCCEEDED)
    updates.finish(State.FAILED, OperationFailed("Late", "too late"))  # only the first end counts
    assert (op.state, op.status, op.progress.status, op.error) == (State.SUCCEEDED, "Succeeded", "Succeeded", None)
    result = op.result()
    assert isinstance(result, Compute) and result.name == "cpu"
    assert op.cancel() == "create of cpu already ended: Succeeded."
    assert op.state is State.SUCCEEDED


@pytest.mark.parametrize("action,phase", [("delete", "Deleted"), ("stop", "Stopped"), ("restart", "Running")])
def test_a_removal_or_power_change_ends_with_its_own_word(action: str, phase: str) -> None:
    updates = make(action)
    op = updates.operation
    updates.accept(Location("https://arm.test/loc/1"), body())
    updates.finish(State.SUCCEEDED)
    assert op.progress.phase == phase
    assert (op.result() is None) is (action == "delete")


def test_cancel_stops_watching_and_result_raises_stopped_watching() -> None:
    updates = make()
    op = updates.operation
    updates.accept(AsyncOperation("https://arm.test/operations/op-1"), body("Creating"))
    message = op.cancel()
    assert message.startswith("Stopped watching create of cpu (Submitted). It goes on in the service")
    assert op.done() and op.detached and (op.state, op.status) == (State.STOPPED_WATCHING, "InProgress")
    with pytest.raises(StoppedWatching, match="stopped watching create of cpu"):
        op.result()
    updates.finish(State.SUCCEEDED)  # the tracker can no longer end it
    assert op.state is State.STOPPED_WATCHING


def test_cancel_while_submitting_lets_the_request_go_and_records_what_was_accepted() -> None:
    updates = make()
    op = updates.operation
    op.cancel()
    updates.accept(AsyncOperation("https://arm.test/operations/op-7"), body("Creating"))
    assert op.state is State.STOPPED_WATCHING and op.id == "op-7"
    updates.refuse(Conflict("Late", "refused after cancel"))
    assert op.state is State.STOPPED_WATCHING and op.error is None and not op.refused


@pytest.mark.parametrize(
    "state,error,raised,text",
    [
        (State.FAILED, OperationFailed("BadSubnet", "no such subnet"), OperationFailed, "BadSubnet: no such subnet"),
        (State.FAILED, None, OperationFailed, "Failed: create of cpu failed without an error message"),
        (State.CANCELED, None, OperationFailed, "Canceled: create of cpu was canceled by the service"),
    ],
)
def test_result_raises_how_it_failed(
    state: State, error: ServiceError | None, raised: type[Exception], text: str
) -> None:
    updates = make()
    op = updates.operation
    updates.accept(AsyncOperation("https://arm.test/operations/op-1"), None)
    updates.finish(state, error)
    with pytest.raises(raised) as caught:
        op.result()
    assert str(caught.value) == text
    assert op.status == STATUS_WORDS[state] == op.progress.status
    assert not op.refused  # it was accepted: the service failed it


def test_a_check_in_the_background_refuses_it_and_result_and_submitted_raise_that_error() -> None:
    refusal = Conflict("ComputeExists", "cpu already exists with other settings")

    def work(updates: Updater) -> None:
        updates.phase("Checking quota")
        raise refusal

    op = make().submit(work)
    with pytest.raises(Conflict) as caught:
        op.submitted(DEADLINE)
    assert caught.value is refusal and op.error is refusal
    assert op.refused and (op.state, op.status, op.progress.phase) == (State.FAILED, "Failed", "Failed: ComputeExists")
    with pytest.raises(Conflict):
        op.result(DEADLINE)
    assert op.to_dict()["error"] == {"code": "ComputeExists", "message": "cpu already exists with other settings"}


def test_the_phases_of_the_submission_reach_the_listeners_before_it_is_accepted() -> None:
    gate = threading.Event()
    phases: list[str] = []

    def work(updates: Updater) -> None:
        updates.phase("Checking quota")
        gate.wait(DEADLINE)
        updates.send()
        updates.accept(AsyncOperation("https://arm.test/operations/op-3"), body("Creating"))

    updates = make()
    op = updates.operation
    op.add_listener(lambda o: phases.append(o.progress.phase))
    updates.submit(work)
    assert op.state is State.SUBMITTING  # returned while the work waits
    gate.set()
    assert op.submitted(DEADLINE) is op and op.state is State.RUNNING
    assert phases == ["Checking quota", "Submitting", "Submitted"]


def test_a_defect_in_the_submission_refuses_it_and_leaves_a_trace(caplog: pytest.LogCaptureFixture) -> None:
    def work(updates: Updater) -> None:
        raise KeyError("vCPUs")

    with caplog.at_level(logging.WARNING, logger="jupyter_compute.service.operation"):
        op = make().submit(work)
        with pytest.raises(ComputeError, match=r"create of cpu failed before it was sent: KeyError\('vCPUs'\)"):
            op.submitted(DEADLINE)
    assert op.refused
    assert any(r.exc_info and r.exc_info[0] is KeyError for r in caplog.records)


class InterruptedOnce:
    """An event whose first wait is interrupted by Ctrl-C, as in a front end waiting for the submission."""

    def __init__(self, real: threading.Event) -> None:
        self.real = real
        self.interrupted = False

    def wait(self, timeout: float | None = None) -> bool:
        if not self.interrupted:
            self.interrupted = True
            raise KeyboardInterrupt
        return self.real.wait(timeout)

    def set(self) -> None:
        self.real.set()


def test_a_ctrl_c_while_waiting_for_the_submission_withdraws_a_request_not_yet_sent() -> None:
    gate = threading.Event()
    sent: list[str] = []

    def work(updates: Updater) -> None:
        gate.wait(DEADLINE)
        updates.send()
        sent.append("PUT")

    updates = make()
    op = updates.operation
    real = updates.settled
    updates.settled = InterruptedOnce(real)  # type: ignore[assignment]
    updates.submit(work)
    with pytest.raises(KeyboardInterrupt):
        op.submitted()
    gate.set()
    assert real.wait(DEADLINE)
    assert sent == [] and op.refused and op.error is not None
    assert str(op.error) == "Interrupted: create of cpu was interrupted before its request was sent"


def test_elapsed_time_follows_the_injected_clock() -> None:
    clock = Clock()
    updates = make(clock=clock)
    op = updates.operation
    clock.now += 42
    updates.accept(AsyncOperation("https://arm.test/operations/op-1"), None)
    assert op.progress.elapsed == 42 and op.progress.eta == 60.0
    clock.now += 18
    updates.observe(body("Creating"))
    assert (op.progress.elapsed, op.progress.eta, op.progress.fraction) == (60, 0.0, 0.5)


def test_the_repr_carries_no_control_characters_from_the_service() -> None:
    updates = make()
    op = updates.operation
    updates.accept(AsyncOperation("https://arm.test/operations/op-1"), None)
    updates.finish(State.FAILED, ServiceError("Hostile\x1b]0;pwned\x07", "clear\x1b[2J\r\x9b2J the screen"))
    shown = repr(op)
    assert shown.startswith("<Operation create cluster cpu · Failed: Hostile")
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in shown), shown


def test_a_broken_listener_leaves_a_trace_and_the_others_still_hear(caplog: pytest.LogCaptureFixture) -> None:
    heard: list[State] = []

    def broken(op: Operation) -> None:
        raise RuntimeError("display gone")

    updates = make()
    op = updates.operation
    op.add_listener(broken)
    op.add_listener(lambda o: heard.append(o.state))
    with caplog.at_level(logging.WARNING, logger="jupyter_compute.service.operation"):
        updates.accept(AsyncOperation("https://arm.test/operations/op-1"), None)
    assert heard == [State.RUNNING]
    assert any("listener" in r.getMessage() and r.exc_info for r in caplog.records)


def test_the_dict_of_an_error_that_is_not_the_services() -> None:
    from jupyter_compute.errors import TransportError

    def work(updates: Updater) -> None:
        raise TransportError("could not reach 127.0.0.1:9")

    op = make().submit(work)
    with pytest.raises(TransportError):
        op.submitted(DEADLINE)
    assert op.to_dict()["error"] == {"code": "TransportError", "message": "could not reach 127.0.0.1:9"}
    assert op.error is not None and op.error.headline == "could not reach 127.0.0.1:9"


def test_the_kind_is_compute_until_the_checks_read_it() -> None:
    updates = Updater("delete", "cpu", "", resource_url=URL)
    op = updates.operation
    assert op.kind == "compute" and summary(op).startswith("delete compute cpu · Checking")
    updates.retarget(compute_type="ComputeInstance", typical=5.0)
    assert (op.kind, op.typical) == ("instance", 5.0)
