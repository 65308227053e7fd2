"""`update NAME`: the values are checked before anything is read or sent, and what the service does not allow
for the compute as read is refused naming the field; each change goes by its one request (route, body,
api-version). Given a compute body, when an update is planned, then …"""

from __future__ import annotations

from typing import Any

import pytest

from jupyter_compute.errors import ValidationError
from jupyter_compute.frontends.grammar import parse
from jupyter_compute.model.resource import Compute
from jupyter_compute.model.wire import API_VERSION, PREVIEW_API_VERSION
from jupyter_compute.service.changes import Changes, document_keywords
from jupyter_compute.service.ref import WorkspaceRef
from jupyter_compute.service.workspace import Workspace

REF = WorkspaceRef.azure("00000000-0000-0000-0000-000000000001", "rg", "ws1")
STOP_AT_7 = {"action": "stop", "trigger": {"type": "cron", "expression": "0 19 * * 1-5"}}
START_AT_8 = {"action": "start", "trigger": {"type": "cron", "expression": "0 8 * * 1-5"}}


def instance(state: str = "Running", schedules: list[dict[str, Any]] | None = None) -> Compute:
    inner: dict[str, Any] = {"vmSize": "STANDARD_DS3_V2", "state": state}
    if schedules is not None:
        inner["schedules"] = {"computeStartStop": schedules}
    return Compute(
        {
            "name": "ci1",
            "location": "eastus",
            "properties": {"computeType": "ComputeInstance", "provisioningState": "Succeeded", "properties": inner},
        }
    )


def cluster() -> Compute:
    return Compute(
        {
            "name": "cpu",
            "location": "eastus",
            "tags": {"old": "1"},
            "properties": {
                "computeType": "AmlCompute",
                "provisioningState": "Succeeded",
                "properties": {"vmSize": "STANDARD_DS3_V2", "scaleSettings": {"maxNodeCount": 2}},
            },
        }
    )


def refused(**changes: Any) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        Changes.checked(**changes)
    return info.value


def test_nothing_to_change_is_refused_naming_the_options() -> None:
    assert "--idle-shutdown" in str(refused())


@pytest.mark.parametrize("value", [10, "PT10M", "P4D", "soon"])
def test_idle_shutdown_outside_15_minutes_to_3_days_is_refused(value: object) -> None:
    assert refused(idle_shutdown=value).problems[0].field == "idle_shutdown"


def test_values_that_no_compute_takes_together_are_refused_at_once() -> None:
    assert "not both" in str(refused(schedules=[STOP_AT_7], add_schedules=[START_AT_8]))
    assert refused(size="Standard_DS11_v2", idle_shutdown=60).problems[0].field == "size"
    assert "no compute takes both" in str(refused(description="x", idle_shutdown=60))
    bad = refused(add_schedules=[{"action": "stop", "trigger": {"type": "cron", "expresion": "0 19 * * *"}}])
    assert "did you mean 'expression'" in str(bad)
    assert refused(remove_schedules=[0]).problems[0].field == "remove_schedules"


def test_a_bad_update_raises_before_any_request() -> None:
    """The Python API checks the values before it makes an operation (the workspace is never reached)."""
    ws = Workspace(WorkspaceRef.azure("00000000-0000-0000-0000-000000000009", "rg", "nowhere"))
    with pytest.raises(ValidationError, match="idle_shutdown"):
        ws.update("ci1", idle_shutdown=5)
    assert not ws._connection.connected


def test_idle_shutdown_alone_is_the_update_idle_shutdown_setting_route() -> None:
    plan = Changes.checked(idle_shutdown=90).plan(REF, instance())
    assert plan.request is not None and plan.request.method == "POST"
    assert plan.request.url == REF.compute_url("ci1", "updateIdleShutdownSetting")
    assert f"api-version={API_VERSION}" in plan.request.url
    assert plan.request.body == {"idleTimeBeforeShutdown": "PT90M"}


def test_size_while_stopped_is_a_resize_at_the_preview_api_version() -> None:
    plan = Changes.checked(size="Standard_DS11_v2").plan(REF, instance("Stopped"))
    assert plan.action == "resize" and plan.request is not None
    assert plan.request.url.split("?")[0].endswith("/computes/ci1/resize")
    assert f"api-version={PREVIEW_API_VERSION}" in plan.request.url
    assert plan.request.body == {"targetVMSize": "Standard_DS11_v2"}


@pytest.mark.parametrize("state", ["Running", "Starting", "JobRunning"])
def test_size_while_not_stopped_is_refused_naming_the_field_and_the_way(state: str) -> None:
    with pytest.raises(ValidationError) as info:
        Changes.checked(size="Standard_DS11_v2").plan(REF, instance(state))
    assert info.value.problems[0].field == "size"
    assert f"ci1 is {state}" in str(info.value) and "stop ci1" in str(info.value)


def test_what_an_instance_does_not_take_is_refused() -> None:
    for field, value in (("description", "mine"), ("tags", {"a": "b"})):
        with pytest.raises(ValidationError) as info:
            Changes.checked(**{field: value}).plan(REF, instance())
        assert info.value.problems[0].field == field and "compute instance" in str(info.value)


def test_schedules_are_added_removed_and_replaced_in_a_put_of_the_instance() -> None:
    current = instance(schedules=[{"action": "Stop", "triggerType": "Cron", "cron": {"expression": "0 18 * * *"}}])
    added = Changes.checked(add_schedules=[START_AT_8], idle_shutdown=30).plan(REF, current)
    assert added.spec is not None
    assert [s.expression for s in added.spec.schedules] == ["0 18 * * *", "0 8 * * 1-5"]  # type: ignore[attr-defined]
    assert added.spec.idle_time_before_shutdown == "PT30M"  # type: ignore[attr-defined]
    removed = Changes.checked(remove_schedules=["1"]).plan(REF, current)
    assert removed.spec is not None and removed.spec.schedules == () and removed.no_schedules  # type: ignore[attr-defined]
    replaced = Changes.checked(schedules={"compute_start_stop": [STOP_AT_7]}).plan(REF, current)
    assert [s.expression for s in replaced.spec.schedules] == ["0 19 * * 1-5"]  # type: ignore[union-attr]
    with pytest.raises(ValidationError, match="no schedule 2 to remove"):
        Changes.checked(remove_schedules=[2]).plan(REF, current)


def test_a_cluster_takes_description_and_tags_in_a_put_and_refuses_the_rest() -> None:
    plan = Changes.checked(description="team A", tags=["team=a"]).plan(REF, cluster())
    assert plan.spec is not None and plan.spec.description == "team A" and plan.spec.tags == (("team", "a"),)
    for field, value in (("size", "Standard_DS11_v2"), ("idle_shutdown", 60), ("add_schedules", [STOP_AT_7])):
        with pytest.raises(ValidationError) as info:
            Changes.checked(**{field: value}).plan(REF, cluster())
        assert info.value.problems[0].field == field


def test_other_kinds_are_refused() -> None:
    vm = Compute({"name": "vm1", "properties": {"computeType": "VirtualMachine", "properties": {}}})
    with pytest.raises(ValidationError, match="update applies to compute clusters and compute instances"):
        Changes.checked(description="x").plan(REF, vm)


def test_an_update_document_uses_az_mls_keys_and_refuses_others() -> None:
    keywords = document_keywords(
        {"name": "ci1", "idle_time_before_shutdown_minutes": 45, "schedules": {"compute_start_stop": [STOP_AT_7]}},
        "body",
    )
    assert keywords == {"idle_shutdown": 45, "schedules": {"compute_start_stop": [STOP_AT_7]}}
    with pytest.raises(ValidationError, match="did you mean 'schedules'"):
        document_keywords({"schedule": []}, "body")


def test_the_grammar_gives_update_its_flags_and_a_cell_body() -> None:
    command = parse(["update", "ci1", "--idle-shutdown", "60", "--remove-schedule", "2", "--remove-schedule", "1"])
    assert command.options["idle_shutdown"] == "60" and command.options["remove_schedules"] == ["2", "1"]
    body = parse("update ci1", prog="%compute", yaml_body="idle_time_before_shutdown_minutes: 30\n")
    assert body.options["body"].startswith("idle_time")
    with pytest.raises(Exception, match="YAML cell body goes with create, attach, update"):
        parse("list", prog="%compute", yaml_body="a: 1")


def test_the_nudges_update_command_is_one_the_grammar_takes() -> None:
    """What the idle nudge and the bill's flag tell a user to type parses as an update of idle shutdown."""
    import re

    from jupyter_compute.frontends import grammar
    from jupyter_compute.render.prices import idle_nudge

    typed = re.search(r"`(update [^`]+)`", idle_nudge("ci-left"))
    assert typed is not None
    command = grammar.parse(typed.group(1))
    assert command.verb == "update" and command.name == "ci-left"


def test_the_fields_update_changes_are_declared_once_and_every_front_door_takes_each() -> None:
    """``changes.FIELDS`` owns them: Changes, Changes.checked, Workspace.update, the verb's flags and the YAML
    body's keys follow it (a field added to one place only fails here)."""
    import dataclasses
    import inspect

    from jupyter_compute.frontends import verbs
    from jupyter_compute.service.changes import DOCUMENT_KEYS, FIELDS, fields_of

    names = [f.name for f in FIELDS]
    assert [f.name for f in dataclasses.fields(Changes)] == names
    for call in (Changes.checked, Workspace.update):
        keywords = [p.name for p in inspect.signature(call).parameters.values() if p.kind is p.KEYWORD_ONLY]
        assert keywords == names, call
    assert set(DOCUMENT_KEYS.values()) <= set(names)
    assert sorted(fields_of("instance") + fields_of("cluster")) == sorted(names)
    flags = [
        "--idle-shutdown 60 --add-schedule '{action: stop, trigger: {type: cron, expression: \"0 19 * * *\"}}' "
        "--remove-schedule 1 --no-schedules --no-custom-applications --size Standard_DS3_v2",
        "--description d --tags a=b",
        "--enable-sso",
    ]
    taken = {key for words in flags for key in verbs._update_keywords(parse(f"update c1 {words}"))}
    assert taken == set(names)


def test_a_bad_identity_is_refused_before_any_request() -> None:
    """The identity ids are checked by the model (specs.identity_ids) before an operation is made."""
    ws = Workspace(WorkspaceRef.azure("00000000-0000-0000-0000-000000000009", "rg", "nowhere"))
    with pytest.raises(ValidationError, match="user_assigned") as bad:
        ws.add_identity("cl1", user_assigned=["not-an-id"])
    assert "Nothing was sent" in str(bad.value)
    with pytest.raises(ValidationError, match="give --system-assigned or --user-assigned ID"):
        ws.add_identity("cl1")
    assert not ws._connection.connected
