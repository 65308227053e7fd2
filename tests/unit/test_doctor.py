"""``doctor``'s rules (jupyter_compute.model.doctor): each a pure function of the ARM body (and nodes, usages,
sizes) at an injected time, table-driven: the body, the rule's findings (by rule name and level), and a
phrase its sentence must say. A healthy compute gets no finding from any rule."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from jupyter_compute.model import doctor
from jupyter_compute.model.doctor import PROBLEM, WARNING, Facts, diagnose
from jupyter_compute.model.resource import Compute
from jupyter_compute.render.doctor import DoctorReport, attention_mark, doctor_text

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc)
STARTED_5H_AGO = {
    "operationName": "Start",
    "operationTime": "2026-12-02T07:00:00.000Z",
    "operationStatus": "Succeeded",
    "operationTrigger": "User",
}
STARTED_10MIN_AGO = {**STARTED_5H_AGO, "operationTime": "2026-12-02T11:50:00Z"}
STOP_AT_19 = {
    "action": "Stop",
    "status": "Enabled",
    "triggerType": "Cron",
    "cron": {"expression": "0 19 * * *", "timeZone": "UTC"},
    "id": "s1",
    "provisioningStatus": "Completed",
}


def instance(**inner: Any) -> Compute:
    props = {"vmSize": "STANDARD_DS3_V2", "state": "Running", "lastOperation": STARTED_5H_AGO, **inner}
    return Compute(
        {
            "name": "ci1",
            "properties": {"computeType": "ComputeInstance", "provisioningState": "Succeeded", "properties": props},
        }
    )


def cluster(provisioning: str = "Succeeded", **inner: Any) -> Compute:
    props = {
        "vmSize": "STANDARD_DS3_V2",
        "vmPriority": "Dedicated",
        "allocationState": "Steady",
        "allocationStateTransitionTime": "2026-12-02T11:00:00Z",
        "currentNodeCount": 0,
        "targetNodeCount": 0,
        "scaleSettings": {"minNodeCount": 0, "maxNodeCount": 4},
        **inner,
    }
    return Compute(
        {
            "name": "cl1",
            "properties": {"computeType": "AmlCompute", "provisioningState": provisioning, "properties": props},
        }
    )


def guarded(**inner: Any) -> Compute:
    """A running instance with idle shutdown, started minutes ago: nothing to say about it by default."""
    return instance(**{"idleTimeBeforeShutdown": "PT60M", "lastOperation": STARTED_10MIN_AGO, **inner})


def schedules(*items: dict[str, Any]) -> dict[str, Any]:
    return {"schedules": {"computeStartStop": list(items)}}


SIZES = [{"name": "Standard_DS3_v2", "family": "standardDSv2Family", "vCPUs": 4}]


def usage(current: int, limit: int) -> list[dict[str, Any]]:
    return [
        {
            "type": "Microsoft.MachineLearningServices/vmFamily/usages",
            "id": "x/standardDSv2Family",
            "name": {"value": "standardDSv2Family", "localizedValue": "Standard DSv2 Family vCPUs"},
            "currentValue": current,
            "limit": limit,
        }
    ]


CASES: list[tuple[str, Any, dict[str, Any], list[tuple[str, str]], str]] = [
    # (case, rule, facts besides the compute, expected (rule, level) findings, a phrase the first one says)
    ("healthy instance", None, {"compute": guarded(**schedules(STOP_AT_19))}, [], ""),
    ("healthy cluster", None, {"compute": cluster()}, [], ""),
    (
        "create failed",
        doctor.failed_state,
        {
            "compute": instance(
                state="CreateFailed", errors=[{"error": {"code": "AllocationFailed", "message": "no capacity"}}]
            )
        },
        [("failed-state", PROBLEM)],
        "AllocationFailed: no capacity",
    ),
    (
        "setup failed",
        doctor.failed_state,
        {"compute": instance(state="SetupFailed")},
        [("failed-state", PROBLEM)],
        "setup",
    ),
    (
        "user setup failed",
        doctor.failed_state,
        {"compute": instance(state="UserSetupFailed")},
        [("failed-state", PROBLEM)],
        "setup script failed",
    ),
    (
        "unusable",
        doctor.failed_state,
        {"compute": instance(state="Unusable")},
        [("failed-state", PROBLEM)],
        "restart ci1",
    ),
    (
        "full disk",
        doctor.failed_state,
        {"compute": instance(state="Unusable", errors=[{"code": "DiskFull", "message": "No space left on device"}])},
        [("failed-state", PROBLEM), ("disk-full", PROBLEM)],
        "Unusable",
    ),
    ("cluster failed", doctor.failed_state, {"compute": cluster("Failed")}, [("failed-state", PROBLEM)], "provisioned"),
    (
        "stop failed",
        doctor.last_operation_failed,
        {
            "compute": instance(
                lastOperation={
                    "operationName": "Stop",
                    "operationTime": "2026-12-01T19:00:00Z",
                    "operationStatus": "StopFailed",
                    "operationTrigger": "Schedule",
                }
            )
        },
        [("last-operation-failed", PROBLEM)],
        "stop of ci1 by a schedule at 2026-12-01 19:00 UTC failed (StopFailed)",
    ),
    (
        "start failed",
        doctor.last_operation_failed,
        {"compute": instance(state="Stopped", lastOperation={**STARTED_5H_AGO, "operationStatus": "StartFailed"})},
        [("last-operation-failed", PROBLEM)],
        "`start ci1`",
    ),
    ("last start fine", doctor.last_operation_failed, {"compute": instance()}, [], ""),
    (
        "idle shutdown not firing",
        doctor.idle_shutdown_not_firing,
        {"compute": instance(idleTimeBeforeShutdown="PT60M")},
        [("idle-shutdown-not-firing", WARNING)],
        "open Jupyter kernel sessions",
    ),
    (
        "idle shutdown, started recently",
        doctor.idle_shutdown_not_firing,
        {"compute": guarded()},
        [],
        "",
    ),
    (
        "idle shutdown, a job runs",
        doctor.idle_shutdown_not_firing,
        {"compute": instance(state="JobRunning", idleTimeBeforeShutdown="PT60M")},
        [("idle-shutdown-job", "info")],
        "runs a job",
    ),
    (
        "custom applications keep it from idling",
        doctor.idle_shutdown_not_firing,
        {"compute": guarded(customServices=[{"name": "rstudio"}])},
        [("custom-applications", WARNING)],
        "custom applications (rstudio)",
    ),
    (
        "stopped: idle shutdown is not in question",
        doctor.idle_shutdown_not_firing,
        {"compute": instance(state="Stopped", idleTimeBeforeShutdown="PT60M")},
        [],
        "",
    ),
    ("unguarded", doctor.runs_unguarded, {"compute": instance()}, [("runs-unguarded", WARNING)], "billed until"),
    ("guarded by a schedule", doctor.runs_unguarded, {"compute": instance(**schedules(STOP_AT_19))}, [], ""),
    (
        "only a disabled stop schedule",
        doctor.runs_unguarded,
        {"compute": instance(**schedules({**STOP_AT_19, "status": "Disabled"}))},
        [("runs-unguarded", WARNING)],
        "neither",
    ),
    (
        "schedule disabled",
        doctor.schedules_that_never_fire,
        {"compute": guarded(**schedules({**STOP_AT_19, "status": "Disabled"}))},
        [("schedule-disabled", "info")],
        "schedule 1 (stop) is disabled",
    ),
    (
        "cron that never matches",
        doctor.schedules_that_never_fire,
        {"compute": guarded(**schedules({**STOP_AT_19, "cron": {"expression": "0 19 31 2 *", "timeZone": "UTC"}}))},
        [("schedule-never-fires", WARNING)],
        "cron '0 19 31 2 *'",
    ),
    (
        "schedule the service failed to set",
        doctor.schedules_that_never_fire,
        {"compute": guarded(**schedules({**STOP_AT_19, "provisioningStatus": "Failed"}))},
        [("schedule-failed", WARNING)],
        "failed to set",
    ),
    (
        "schedule in an unknown zone",
        doctor.schedules_that_never_fire,
        {"compute": guarded(**schedules({**STOP_AT_19, "cron": {"expression": "0 19 * * *", "timeZone": "Mars"}}))},
        [("schedule-zone", WARNING)],
        "Mars",
    ),
    (
        "outdated image",
        doctor.outdated_image,
        {
            "compute": guarded(
                osImageMetadata={
                    "currentImageVersion": "23.01.19",
                    "latestImageVersion": "23.08.10",
                    "isLatestOsImageVersion": False,
                }
            )
        },
        [("outdated-image", WARNING)],
        "runs OS image 23.01.19; the latest is 23.08.10",
    ),
    (
        "latest image",
        doctor.outdated_image,
        {
            "compute": guarded(
                osImageMetadata={
                    "currentImageVersion": "23.01.19",
                    "latestImageVersion": "23.01.19",
                    "isLatestOsImageVersion": True,
                }
            )
        },
        [],
        "",
    ),
    (
        "cluster quota error",
        doctor.cluster_errors,
        {"compute": cluster(errors=[{"error": {"code": "QuotaExceeded", "message": "not enough cores"}}])},
        [("cluster-errors", PROBLEM)],
        "more quota",
    ),
    (
        "cluster subnet error",
        doctor.cluster_errors,
        {"compute": cluster(errors=[{"error": {"code": "SubnetFull", "message": "no free addresses in subnet"}}])},
        [("cluster-errors", PROBLEM)],
        "larger subnet",
    ),
    (
        "stuck resizing",
        doctor.cluster_cannot_scale,
        {
            "compute": cluster(
                allocationState="Resizing",
                allocationStateTransitionTime="2026-12-02T10:00:00Z",
                targetNodeCount=3,
                currentNodeCount=1,
            )
        },
        [("cluster-stuck-resizing", WARNING)],
        "resizing for 2.0 hours towards 3 nodes",
    ),
    (
        "resizing, not for long",
        doctor.cluster_cannot_scale,
        {
            "compute": cluster(
                allocationState="Resizing",
                allocationStateTransitionTime="2026-12-02T11:50:00Z",
                targetNodeCount=3,
                currentNodeCount=1,
            )
        },
        [],
        "",
    ),
    (
        "low priority preempted",
        doctor.cluster_cannot_scale,
        {"compute": cluster(vmPriority="LowPriority", nodeStateCounts={"preemptedNodeCount": 2, "idleNodeCount": 1})},
        [("nodes-preempted", WARNING)],
        "2 of cl1's nodes were preempted",
    ),
    (
        "unusable nodes, by listNodes",
        doctor.cluster_cannot_scale,
        {
            "compute": cluster(currentNodeCount=2, nodeStateCounts={"unusableNodeCount": 1, "idleNodeCount": 1}),
            "nodes": [{"nodeId": "n1", "nodeState": "unusable"}, {"nodeId": "n2", "nodeState": "idle"}],
        },
        [("nodes-unusable", WARNING)],
        "(n1)",
    ),
    (
        "quota short of max nodes",
        doctor.cluster_cannot_scale,
        {"compute": cluster(currentNodeCount=1), "usages": usage(96, 100), "sizes": SIZES},
        [("quota-short", WARNING)],
        "cannot go past 2 nodes",
    ),
    (
        "quota enough",
        doctor.cluster_cannot_scale,
        {"compute": cluster(currentNodeCount=1), "usages": usage(4, 100), "sizes": SIZES},
        [],
        "",
    ),
    (
        "jobs on nodes",
        doctor.busy_nodes,
        {
            "compute": cluster(currentNodeCount=3),
            "nodes": [
                {"nodeId": "n1", "nodeState": "running", "runId": "run-7"},
                {"nodeId": "n2", "nodeState": "running", "runId": "run-7"},
                {"nodeId": "n3", "nodeState": "idle"},
            ],
        },
        [("nodes-busy", "info")],
        "2 of cl1's 3 nodes run jobs: run-7",
    ),
]


@pytest.mark.parametrize(("case", "rule", "facts", "expected", "says"), CASES, ids=[c[0] for c in CASES])
def test_rule(case: str, rule: Any, facts: dict[str, Any], expected: list[tuple[str, str]], says: str) -> None:
    given = Facts(facts["compute"], NOW, facts.get("nodes"), facts.get("usages"), facts.get("sizes"))
    found = rule(given) if rule is not None else list(diagnose(given.compute, NOW).findings)
    assert [(f.rule, f.level) for f in found] == expected
    if says:
        assert says in found[0].sentence
        assert found[0].todo or found[0].level == "info"


def test_every_rule_is_reached_by_a_case() -> None:
    assert set(doctor.RULES) <= {c[1] for c in CASES}


def test_idle_shutdown_cites_every_documented_reason() -> None:
    finding = doctor.idle_shutdown_not_firing(Facts(instance(idleTimeBeforeShutdown="PT60M"), NOW))[0]
    for reason in ("kernel", "terminals", "runs or experiments", "SSH", "VS Code", "custom applications"):
        assert reason in finding.says
    assert "5.0 hours" in finding.says and "60 minutes" in finding.says


def test_diagnose_orders_problems_first_and_the_panel_mark_counts_what_needs_attention() -> None:
    compute = instance(
        state="Unusable",
        **schedules({**STOP_AT_19, "status": "Disabled"}),
        osImageMetadata={"currentImageVersion": "1", "latestImageVersion": "2", "isLatestOsImageVersion": False},
    )
    found = diagnose(compute, NOW)
    assert [f.level for f in found.findings] == ["problem", "warning", "info"]
    mark = attention_mark(found)
    assert mark is not None and mark["kind"] == "problem" and mark["text"] == "⚠ 2"
    assert "Unusable" in mark["title"] and "23" not in mark["title"]
    assert attention_mark(diagnose(guarded(), NOW)) is None


def test_the_workspace_report_lists_only_what_needs_attention() -> None:
    report = DoctorReport([diagnose(guarded(), NOW), diagnose(instance(), NOW)], workspace=True)
    text = repr(report)
    assert "runs with neither idle shutdown" in text
    assert text.endswith("2 computes checked; 1 needs attention.")
    assert (
        doctor_text([diagnose(guarded(), NOW)], workspace=False) == "ci1 (instance, Running): nothing needs attention."
    )
    html = report._repr_html_()
    assert "ci1" in html and "1 needs attention" in html


def test_sentences_from_the_service_are_escaped_in_html_and_one_line_in_text() -> None:
    compute = instance(state="CreateFailed", errors=[{"error": {"code": "X", "message": "<b>bad</b>\nline\x1b[31m"}}])
    report = DoctorReport([diagnose(compute, NOW)], workspace=False)
    assert "<b>bad" not in report._repr_html_() and "&lt;b&gt;bad" in report._repr_html_()
    assert "\x1b" not in repr(report) and len(repr(report).splitlines()) == 2
