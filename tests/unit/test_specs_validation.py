"""Given bad input, when a spec is built, then one ValidationError lists every problem, each naming
the field, the bad value and what is allowed; nothing else is raised and nothing is sent."""

from __future__ import annotations

import pytest

from jupyter_compute.errors import UnsupportedComputeType, ValidationError
from jupyter_compute.model.documents import spec_from_yaml
from jupyter_compute.model.specs import AmlComputeSpec, ComputeInstanceSpec, spec_class

from kinds import DBX_ID, PUBLIC_KEY, SUB, UAI, VM_ID


def problems(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, str]:
    return {p.field: p.message for p in exc.value.problems}


def test_every_problem_is_listed_at_once() -> None:
    with pytest.raises(ValidationError) as exc:
        spec_from_yaml(
            "name: cpu-cluster-1\ntype: amlcompute\nsize: 3\nmin_instance: 2\nmax_instances: 0\ntier: spot\n"
        )
    found = problems(exc)
    assert set(found) == {"name", "size", "min_instance", "max_instances", "tier"}
    assert "not ending in '-' followed by digits" in found["name"]
    assert "did you mean 'min_instances'" in found["min_instance"]
    assert "allowed: 1 to 10000" in found["max_instances"]
    assert "allowed: dedicated, low_priority" in found["tier"]
    assert str(exc.value).count(";") >= 4 and "Nothing was sent" in str(exc.value)


@pytest.mark.parametrize(
    "name,ok",
    [
        ("cpu", True),
        ("a" * 24, True),
        ("ab", False),
        ("a" * 25, False),
        ("1abc", False),
        ("cpu-cluster-1", False),
        ("cpu-cluster-a1", True),
        ("cpu_cluster", False),
        ("gpu-2x", True),
    ],
)
def test_compute_name_rule(name: str, ok: bool) -> None:
    build = lambda: AmlComputeSpec.from_keywords(name=name)  # noqa: E731
    if ok:
        assert build().name == name
    else:
        with pytest.raises(ValidationError) as exc:
            build()
        assert "name" in problems(exc)


def test_node_counts_must_be_ordered() -> None:
    with pytest.raises(ValidationError) as exc:
        AmlComputeSpec.from_keywords(name="cpu", min_instances=5, max_instances=2)
    assert "0 <= min_instances <= max_instances" in problems(exc)["min_instances"]


@pytest.mark.parametrize("value,seconds", [(120, 120), ("PT5M", 300), ("PT1H30M", 5400), ("1800", 1800)])
def test_idle_time_takes_seconds_or_iso(value: object, seconds: int) -> None:
    assert (
        AmlComputeSpec.from_keywords(name="cpu", idle_time_before_scale_down=value).idle_time_before_scale_down
        == seconds
    )


@pytest.mark.parametrize("value", ["5 minutes", "P", "PT", -1, 1.5, True])
def test_bad_durations_are_refused(value: object) -> None:
    with pytest.raises(ValidationError) as exc:
        AmlComputeSpec.from_keywords(name="cpu", idle_time_before_scale_down=value)
    assert "idle_time_before_scale_down" in problems(exc)


def test_instance_idle_shutdown_bounds() -> None:
    assert (
        ComputeInstanceSpec.from_keywords(name="ci1", idle_time_before_shutdown_minutes=15).idle_time_before_shutdown
        == "PT15M"
    )
    with pytest.raises(ValidationError) as exc:
        ComputeInstanceSpec.from_keywords(name="ci1", idle_time_before_shutdown="P4D")
    assert "15 minutes to 3 days" in problems(exc)["idle_time_before_shutdown"]


def test_identity_combinations() -> None:
    with pytest.raises(ValidationError) as exc:
        AmlComputeSpec.from_keywords(name="cpu", identity_type="user_assigned")
    assert "at least one" in problems(exc)["user_assigned_identities"]
    with pytest.raises(ValidationError) as exc:
        AmlComputeSpec.from_keywords(name="cpu", identity_type="system_assigned", identity_id=[UAI])
    assert "use user_assigned" in problems(exc)["identity_id"]
    with pytest.raises(ValidationError) as exc:
        AmlComputeSpec.from_keywords(name="cpu", identity_type="system_assigned,user_assigned", identity_id=[UAI])
    assert "not both" in problems(exc)["identity_type"]
    with pytest.raises(ValidationError) as exc:
        AmlComputeSpec.from_keywords(name="cpu", identity_type="user_assigned", user_assigned_identities=["/bad"])
    assert "userAssignedIdentities/<name>" in problems(exc)["user_assigned_identities"]


def test_subnet_shapes() -> None:
    spec = AmlComputeSpec.from_keywords(
        name="cpu",
        subnet=f"/subscriptions/{SUB}/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/v/subnets/s",
    )
    assert spec.subnet and spec.subnet.endswith("/subnets/s")
    with pytest.raises(ValidationError) as exc:
        AmlComputeSpec.from_keywords(name="cpu", subnet="default")
    assert "vnet_name" in problems(exc)
    with pytest.raises(ValidationError) as exc:
        AmlComputeSpec.from_keywords(name="cpu", subnet="/subscriptions/x/subnets/s")
    assert "virtualNetworks/<name>/subnets/<name>" in problems(exc)["subnet"]


def test_attach_needs_credentials_and_a_resource_id_of_the_right_type() -> None:
    with pytest.raises(ValidationError) as exc:
        spec_class("vm").from_keywords(name="remote-vm", resource_id=DBX_ID)
    found = problems(exc)
    assert "Microsoft.Compute/virtualMachines/<name>" in found["resource_id"]
    assert "admin_username" in found and "password or an SSH private key" in found["admin_password"]
    with pytest.raises(ValidationError) as exc:
        spec_class("databricks").from_keywords(name="dbx", resource_id=DBX_ID)
    assert "access-token-env" in problems(exc)["access_token"]


def test_ssh_public_key_format() -> None:
    assert ComputeInstanceSpec.from_keywords(name="ci1", ssh_key_value=PUBLIC_KEY).ssh_key_value == PUBLIC_KEY
    for bad in ("AAAAB3Nza", "-----BEGIN OPENSSH PRIVATE KEY-----\nabc", "ssh-rsa not base64!"):
        with pytest.raises(ValidationError) as exc:
            ComputeInstanceSpec.from_keywords(name="ci1", ssh_key_value=bad)
        assert "ssh_key_value" in problems(exc)
    with pytest.raises(ValidationError) as exc:
        ComputeInstanceSpec.from_keywords(name="ci1", ssh_public_access_enabled=True)
    assert "ssh_public_access_enabled is true" in problems(exc)["ssh_key_value"]


def test_yaml_unknown_nested_keys_suggest_the_right_one() -> None:
    with pytest.raises(ValidationError) as exc:
        spec_from_yaml("name: cpu\ntype: amlcompute\nssh_settings: {admin_usrname: me}\nnetwork_settings: {vnet: v}\n")
    found = problems(exc)
    assert "did you mean 'ssh_settings.admin_username'" in found["ssh_settings.admin_usrname"]
    assert "network_settings.vnet" in found


def test_yaml_type_and_syntax_errors() -> None:
    with pytest.raises(ValidationError, match="is not a kind of compute; did you mean 'amlcompute'"):
        spec_from_yaml("name: cpu\ntype: amlcompue\n")
    with pytest.raises(ValidationError, match="type: is required"):
        spec_from_yaml("name: cpu\n")
    with pytest.raises(ValidationError, match="line 2"):
        spec_from_yaml("name: cpu\n  bad: [\n")


@pytest.mark.parametrize("how", ["kind", "yaml"])
def test_batch_is_refused_with_an_explanation(how: str) -> None:
    with pytest.raises(UnsupportedComputeType) as exc:
        if how == "kind":
            spec_class("batch")
        else:
            spec_from_yaml("name: b1\ntype: batch\nresource_id: x\n")
    text = str(exc.value)
    assert "no longer accepts Batch" in text and "compute cluster" in text and "Nothing was sent" in text


def test_synapse_and_kubernetes_resource_ids() -> None:
    with pytest.raises(ValidationError) as exc:
        spec_class("synapse").from_keywords(name="syn", resource_id=VM_ID)
    assert "bigDataPools/<name>" in problems(exc)["resource_id"]
    arc = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Kubernetes/connectedClusters/arc1"
    assert spec_class("kubernetes").from_keywords(name="arc", resource_id=arc).namespace == "default"


def test_schedules_are_checked_deeply() -> None:
    doc = (
        "name: ci1\ntype: computeinstance\nschedules:\n  compute_start_stop:\n    - action: stop\n"
        "      trigger: {type: recurrence, frequency: weekly, interval: 1, schedule: {hours: [25], minutes: [0]}}\n"
    )
    with pytest.raises(ValidationError) as exc:
        spec_from_yaml(doc)
    assert "frequency" in str(exc.value) and "allowed: minute, hour, day, week, month" in str(exc.value)
