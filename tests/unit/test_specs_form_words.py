"""What the panel's forms take from the spec field tables: labels in words, every problem at once, and
a form user's wording for problems whose message speaks of command-line options."""

from __future__ import annotations

import re

import pytest

from jupyter_compute.errors import ValidationError
from jupyter_compute.model import kinds
from jupyter_compute.model.secrets import Secret
from jupyter_compute.model.specs import (
    AmlComputeSpec,
    ComputeInstanceSpec,
    DatabricksSpec,
    VirtualMachineSpec,
    spec_class,
)
from jupyter_compute.model.specs._fields import field_label, field_words
from jupyter_compute.model.specs._instance_parts import schedules_from_form, setup_scripts_from_form

VM_ID = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg"
    "/providers/Microsoft.Compute/virtualMachines/vm1"
)


def labels(cls: type) -> dict[str, str]:
    return {name: field_label(name, info) for name, info in cls.fields_info()}


def test_labels_read_as_words() -> None:
    cluster = labels(AmlComputeSpec)
    assert cluster["max_instances"] == "Max nodes" and cluster["min_instances"] == "Min nodes"
    assert cluster["name"] == "Name" and cluster["vnet_name"] == "VNet name" and cluster["os_type"] == "OS type"
    assert labels(VirtualMachineSpec)["ssh_port"] == "SSH port"
    for kind in kinds.KINDS:  # no field of any kind is labelled with its identifier
        for name, label in labels(spec_class(kind)).items():
            assert "_" not in label and label[:1].isupper(), (kind.word, name, label)


def test_field_words_take_the_right_article() -> None:
    infos = dict(VirtualMachineSpec.fields_info())
    assert field_words("admin_password", infos["admin_password"]) == "an admin password"
    assert field_words("ssh_private_key_file", infos["ssh_private_key_file"]) == "an SSH private key file"
    assert field_words("ssh_port", infos["ssh_port"]) == "an SSH port"
    assert field_words("address", infos["address"]) == "an address"
    assert field_words("resource_id", infos["resource_id"]) == "a resource ID"


def test_every_problem_at_once_a_bad_value_does_not_hide_a_missing_one() -> None:
    """A value that cannot be read (ssh_port) used to stop before the cross-field rules: the missing
    admin password and user name were said only once the port was fixed."""
    with pytest.raises(ValidationError) as caught:
        VirtualMachineSpec.from_keywords(name="my-vm", resource_id=VM_ID, ssh_port="twenty-two")
    fields = [p.field for p in caught.value.problems]
    assert "ssh_port" in fields and "admin_password" in fields and "admin_username" in fields


def test_a_bad_name_and_a_bad_count_are_both_said() -> None:
    with pytest.raises(ValidationError) as caught:
        AmlComputeSpec.from_keywords(name="cluster-1", max_instances="0")
    assert {p.field for p in caught.value.problems} == {"name", "max_instances"}


def test_a_field_that_could_not_be_read_is_not_also_said_missing() -> None:
    with pytest.raises(ValidationError) as caught:
        DatabricksSpec.from_keywords(name="dbx", resource_id="not-an-id", access_token=Secret("t"))
    assert [p.field for p in caught.value.problems] == ["resource_id"]


def test_missing_secrets_speak_to_a_form_user_and_the_cli_keeps_its_options() -> None:
    with pytest.raises(ValidationError) as caught:
        VirtualMachineSpec.from_keywords(name="my-vm", resource_id=VM_ID, admin_username="me")
    (problem,) = caught.value.problems
    assert "--password-env" in problem.message  # what the command line says
    assert problem.form == "enter an admin password or an SSH private key file"
    with pytest.raises(ValidationError) as caught:
        DatabricksSpec.from_keywords(
            name="dbx", resource_id=VM_ID.replace("Compute/virtualMachines", "Databricks/workspaces")
        )
    assert [p.form for p in caught.value.problems] == ["enter an access token"]
    with pytest.raises(ValidationError) as caught:
        AmlComputeSpec.from_keywords(max_instances="2")
    assert caught.value.problems[0].form is not None and caught.value.problems[0].form.startswith("enter a name")
    assert "--" not in str(caught.value.problems[0].form)


def test_schedules_and_setup_scripts_from_a_forms_parts() -> None:
    made = schedules_from_form({"start": "08:00 on Monday Friday", "stop": "0 19 * * *", "time_zone": "UTC"})
    spec = ComputeInstanceSpec.from_keywords(
        name="scheduled", schedules=made, setup_scripts=setup_scripts_from_form({"startup_script": "boot.sh"})
    )
    start, stop = spec.schedules
    assert (start.action, start.trigger_type, start.frequency, start.hours, start.week_days) == (
        "Start",
        "Recurrence",
        "Week",
        (8,),
        ("Monday", "Friday"),
    )
    assert (stop.action, stop.trigger_type, stop.expression, stop.time_zone) == ("Stop", "Cron", "0 19 * * *", "UTC")
    assert spec.setup_scripts is not None and spec.setup_scripts.startup_script is not None
    assert spec.setup_scripts.startup_script.path == "boot.sh" and spec.setup_scripts.creation_script is None
    assert schedules_from_form({"start": "", "stop": ""}) is None and setup_scripts_from_form({}) is None
    with pytest.raises(Exception, match="Start at: 'eight' is neither a time"):
        schedules_from_form({"start": "eight"})
    with pytest.raises(Exception, match="a time zone needs a start or a stop time"):
        schedules_from_form({"time_zone": "UTC"})


def test_no_field_help_speaks_of_command_line_options() -> None:
    """The help of a field is the form's placeholder and tooltip as well as the CLI's: "Subnet name within
    --vnet-name" meant nothing next to a "VNet name" box. Help names other fields in words."""
    for kind in kinds.KINDS:
        for name, info in spec_class(kind).fields_info():
            for text in [info.help, *(part.help for part in info.parts or ())]:
                assert not re.search(r"(^|[\s(])--?[a-z]", text), (kind.word, name, text)
