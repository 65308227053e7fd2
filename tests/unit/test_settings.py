"""The settings object: every variable in one table, read and checked at once, and documented."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from jupyter_compute import settings
from jupyter_compute.errors import ValidationError
from jupyter_compute.settings import VARIABLES, Settings

from conftest import ROOT

PACKAGE = ROOT / "jupyter_compute"


def test_every_variable_in_the_table_is_a_field_and_back() -> None:
    assert {f.name for f in dataclasses.fields(Settings)} == {attr for attr, _ in VARIABLES.values()}


def test_an_empty_environment_gives_the_defaults() -> None:
    read = Settings.from_env({"XDG_DATA_HOME": "/data"})
    assert read == Settings(home=Path("/data/jupyter-compute"))


def test_values_are_read_and_typed() -> None:
    read = Settings.from_env(
        {
            "JUPYTER_COMPUTE_SPEED": "4",
            "JUPYTER_COMPUTE_POLL_INTERVAL": "0.5",
            "JUPYTER_COMPUTE_HOME": "/tmp/jc",
            "JUPYTER_COMPUTE_LOCAL_PAGE_SIZE": "7",
            "JUPYTER_COMPUTE_EMULATOR_LOG": "1",
            "AZUREML_ARM_SUBSCRIPTION": "s",
            "AZUREML_ARM_RESOURCEGROUP": "rg",
            "AZUREML_ARM_WORKSPACE_NAME": "ws",
        }
    )
    assert (read.speed, read.poll_interval, read.home, read.local_page_size, read.emulator_log) == (
        4.0,
        0.5,
        Path("/tmp/jc"),
        7,
        True,
    )
    assert read.azureml_workspace_ids == ("s", "rg", "ws")


def test_the_local_retention_is_seconds_of_at_least_one() -> None:
    assert Settings.from_env({"JUPYTER_COMPUTE_LOCAL_RETENTION": "90"}).local_retention == 90.0
    assert Settings.from_env({}).local_retention == 3600.0
    with pytest.raises(ValidationError) as caught:
        Settings.from_env({"JUPYTER_COMPUTE_LOCAL_RETENTION": "0"})
    assert [p.field for p in caught.value.problems] == ["JUPYTER_COMPUTE_LOCAL_RETENTION"]
    assert "at least 1" in str(caught.value)


def test_bad_values_are_one_error_naming_each_variable_and_what_it_accepts() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings.from_env(
            {
                "JUPYTER_COMPUTE_SPEED": "fast",
                "JUPYTER_COMPUTE_POLL_INTERVAL": "0.001",
                "JUPYTER_COMPUTE_LOCAL_PAGE_SIZE": "0",
                "JUPYTER_COMPUTE_EMULATOR_LOG": "maybe",
            }
        )
    fields = [p.field for p in caught.value.problems]
    assert fields == [
        "JUPYTER_COMPUTE_SPEED",
        "JUPYTER_COMPUTE_POLL_INTERVAL",
        "JUPYTER_COMPUTE_EMULATOR_LOG",
        "JUPYTER_COMPUTE_LOCAL_PAGE_SIZE",
    ]
    assert "greater than 0" in str(caught.value) and "at least 0.05" in str(caught.value)


def test_the_token_is_not_in_the_repr() -> None:
    assert "hunter2" not in repr(Settings(access_token="hunter2"))


def test_override_is_undone_after_the_block() -> None:
    before = settings.current()
    with settings.override(speed=9) as inside:
        assert settings.current() is inside and inside.speed == 9
    assert settings.current() is before


def readme_variables() -> list[str]:
    """The first column of the README's configuration table."""
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("\n## Configuration\n", 1)[1]
    section = section.split("\n## ", 1)[0]
    return re.findall(r"^\| `([A-Z_]+)` \|", section, re.M)


def test_the_readme_table_lists_exactly_the_variables_read() -> None:
    listed = readme_variables()
    assert len(listed) == len(set(listed)), "a variable is listed twice"
    assert set(listed) == set(VARIABLES)


def test_every_variable_the_package_names_is_in_the_table() -> None:
    """A variable read anywhere in the package (even past settings, by mistake) is named in its source."""
    named = {
        name
        for path in PACKAGE.rglob("*.py")
        for name in re.findall(r"\b(?:JUPYTER_COMPUTE|AZUREML_ARM)_[A-Z_]+\b", path.read_text(encoding="utf-8"))
    }
    assert named and named <= set(VARIABLES), sorted(named - set(VARIABLES))


def test_knobs_read_by_the_client_come_from_the_settings() -> None:
    """The poll interval, the endpoint, the token and the AZUREML_ARM_* workspace are the current settings'."""
    from jupyter_compute.service.ref import WorkspaceRef, resolve
    from jupyter_compute.service.tracker import poll_interval
    from jupyter_compute.transport.auth import AzureTokens

    ids = ("00000000-0000-0000-0000-000000000009", "env-rg", "env-ws")
    chosen = Settings(
        poll_interval=0.5,
        arm_endpoint="http://127.0.0.1:9",
        access_token="tok-1",
        azureml_subscription=ids[0],
        azureml_resource_group=ids[1],
        azureml_workspace=ids[2],
    )
    with settings.override(chosen):
        assert poll_interval(local=False, speed=1) == 0.5
        ref = resolve(announce=False)
        assert (ref.subscription_id, ref.resource_group, ref.workspace_name, ref.origin) == (*ids, "environment")
        assert ref.endpoint == "http://127.0.0.1:9"
        assert AzureTokens(WorkspaceRef.azure(*ids).cloud).token() == "tok-1"
    with settings.override(Settings()):
        assert poll_interval(local=False, speed=1) == 5.0 and poll_interval(local=True, speed=10) == 0.5
        assert resolve(announce=False).local
