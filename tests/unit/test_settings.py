"""The settings object: every variable in one table, read and checked at once."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from jupyter_compute import settings
from jupyter_compute.errors import ValidationError
from jupyter_compute.settings import VARIABLES, Settings


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
