"""A refusal from the service reads as a sentence, not a code: one table (render/refusals.py) for the CLI,
the magics, the bars and the panel's rows; the code and the request id stay at the end, for support; a
code the table does not know keeps the service's words."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from jupyter_compute.errors import Conflict, ErrorDetail, NotFound, QuotaExceeded, ServiceError
from jupyter_compute.render.describe import describe
from jupyter_compute.render.output import error_text
from jupyter_compute.render.refusals import SENTENCES, explain, headline, sentence
from jupyter_compute.service.operation import State, Updater

START = "StartComputeInstanceOnlyAllowedInStoppedState"
STOP = "StopComputeInstanceOnlyAllowedInRunningState"
RESTART = "RestartComputeInstanceOnlyAllowedInRunningState"
# The message the service sent (vscode-tools-for-ai#2096): it names the instance, not the state it is in.
START_MESSAGE = "Start Azure ML Compute Instance is only allowed when the instance ci-1 is in 'stopped' state"


@dataclass(frozen=True)
class Case:
    code: str
    state: str
    said: str
    message: str = "the service's message"
    kind: type[ServiceError] = ServiceError


CASES = {
    "start a running instance": Case(START, "Running", "ci-1 is already running", START_MESSAGE),
    "start a starting instance": Case(START, "Starting", "ci-1 is already starting"),
    "start an instance in another state": Case(
        START, "SettingUp", "ci-1 can only be started when it is stopped; it is SettingUp"
    ),
    "start, state not known": Case(START, "", "ci-1 can only be started when it is stopped"),
    "stop a stopped instance": Case(STOP, "Stopped", "ci-1 is already stopped"),
    "stop a stopping instance": Case(STOP, "Stopping", "ci-1 is already stopping"),
    "stop a failed instance": Case(
        STOP, "CreateFailed", "ci-1 can only be stopped when it is running; it is CreateFailed"
    ),
    "restart a stopped instance": Case(RESTART, "Stopped", "ci-1 is stopped: start it rather than restart it"),
    "restart a restarting instance": Case(RESTART, "Restarting", "ci-1 is already restarting"),
    "busy with another operation": Case(
        "Conflict", "Stopping", "ci-1 is busy (Stopping); try again when that has finished", kind=Conflict
    ),
    "busy, state not known": Case(
        "Conflict", "", "ci-1 is busy with another operation; try again when it has finished", kind=Conflict
    ),
    "quota, from the service": Case(
        "QuotaExceeded",
        "Creating",
        "there is not enough vCPU quota for ci-1: Operation results in exceeding quota limits. Maximum allowed: 96",
        "Operation results in exceeding quota limits. Maximum allowed: 96.",
        QuotaExceeded,
    ),
    "quota, as a bad request (mlops-v2#81)": Case(
        "BadRequest",
        "",
        "there is not enough vCPU quota for ci-1: The specified subscription has a total vCPU quota of 0",
        "The specified subscription has a total vCPU quota of 0.",
        QuotaExceeded,
    ),
    "name taken in the region": Case(
        "BadRequest",
        "",
        "the name ci-1 is already taken (compute names are unique in the region); pick another name",
        "Compute name 'ci-1' is not available. Reason: AlreadyExists. The specified name is already in use.",
    ),
    "gone meanwhile": Case(
        "NotFound", "Running", "ci-1 no longer exists in this workspace (it may have just been deleted)", kind=NotFound
    ),
    "another bad request": Case("BadRequest", "Running", "", "Standard_Nope_v9 is not supported in westeurope."),
    "a code the table does not know": Case("AllocationFailed", "Creating", ""),
}


def refusal(case: Case, request_id: str | None = "rid-7") -> ServiceError:
    error = case.kind(case.code, case.message, status=400, request_id=request_id)
    error.about("ci-1", case.state)
    return error


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_code_reads_as_its_sentence(name: str) -> None:
    case = CASES[name]
    error = refusal(case)
    assert sentence(error) == case.said
    if case.said:
        assert headline(error) == f"{case.said} ({case.code}, request id: rid-7)", "the code stays, for support"
    else:
        assert headline(error) == f"{case.code}: {case.message} (request id: rid-7)", "the service's own words"
    assert error.code == case.code and str(error).startswith(f"{case.code}: "), "the Python API keeps the code"


def test_every_row_of_the_table_is_reached_by_a_case() -> None:
    covered = {case.code for case in CASES.values() if case.said}
    assert covered == set(SENTENCES)


def test_an_error_about_no_compute_keeps_the_services_words() -> None:
    error = ServiceError(START, START_MESSAGE, status=400)
    assert sentence(error) == "" and headline(error) == f"{START}: {START_MESSAGE}"


def test_the_first_compute_named_wins() -> None:
    error = ServiceError(START, START_MESSAGE)
    error.about("ci-1", "Running")
    error.about("other", "Stopped")
    assert (error.compute, error.state) == ("ci-1", "Running")


def test_the_whole_text_keeps_the_details_and_the_cli_says_who_refused() -> None:
    error = Conflict("Conflict", "busy", request_id="rid-8", details=(ErrorDetail("Busy", "delete in progress"),))
    error.about("ci-1", "Deleting")
    said = "ci-1 is busy (Deleting); try again when that has finished (Conflict, request id: rid-8)"
    assert explain(error) == said + "\n  - Busy: delete in progress"
    assert error_text(error).startswith("error: the service refused: " + said)


def test_what_this_package_found_before_sending_ends_with_its_code() -> None:
    error = QuotaExceeded("QuotaExceeded", "cl needs 96 vCPUs but only 8 are left.", by_client=True)
    error.about("cl", "")
    assert headline(error) == "cl needs 96 vCPUs but only 8 are left. (QuotaExceeded)"
    assert error_text(error) == "error: cl needs 96 vCPUs but only 8 are left. (QuotaExceeded)"


def test_an_operation_refused_names_its_compute_and_the_state_it_was_read_in() -> None:
    updates = Updater("start", "ci-1", "ComputeInstance", resource_url="https://arm/computes/ci-1")
    op = updates.operation
    updates.retarget(
        resource={"name": "ci-1", "properties": {"computeType": "ComputeInstance", "properties": {"state": "Running"}}}
    )
    updates.refuse(ServiceError(START, START_MESSAGE, status=400, request_id="rid-9"))
    assert op.state is State.FAILED
    d = describe(op)
    assert d.error == f"ci-1 is already running ({START}, request id: rid-9)"
    assert d.error_text == d.error and d.phase == "Failed", "the phase does not repeat the code"
    assert describe(op).bar()["error"] == d.error
