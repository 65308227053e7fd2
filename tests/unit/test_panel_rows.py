"""The panel's row decisions, made in Python and sent as row data: which actions a compute's state
allows (the state table in ui/rows.py), why a stale click is refused, what the confirm of a
delete or detach says is lost, and the colour of each state (the one `%compute list` uses)."""

from __future__ import annotations

from typing import Any

import pytest

from jupyter_compute.model.resource import Compute
from jupyter_compute.render.palette import STATE_TONES, state_colour, text
from jupyter_compute.render.tables import computes_html
from jupyter_compute.ui.rows import actions_for, confirm_for, refusal


def instance(state: str, provisioning: str = "Succeeded", name: str = "ci") -> Compute:
    return Compute(
        {
            "name": name,
            "properties": {
                "computeType": "ComputeInstance",
                "provisioningState": provisioning,
                "properties": {"state": state, "vmSize": "STANDARD_DS3_V2"},
            },
        }
    )


def cluster(
    provisioning: str = "Succeeded", nodes: int = 0, resizing: bool = False, name: str = "cpu-cluster"
) -> Compute:
    inner: dict[str, Any] = {
        "currentNodeCount": nodes,
        "scaleSettings": {"minNodeCount": 0, "maxNodeCount": 4},
        "allocationState": "Resizing" if resizing else "Steady",
    }
    return Compute(
        {
            "name": name,
            "properties": {"computeType": "AmlCompute", "provisioningState": provisioning, "properties": inner},
        }
    )


def vm(provisioning: str = "Succeeded") -> Compute:
    return Compute(
        {
            "name": "my-vm",
            "properties": {
                "computeType": "VirtualMachine",
                "provisioningState": provisioning,
                "isAttachedCompute": True,
            },
        }
    )


@pytest.mark.parametrize(
    ("compute", "expected"),
    [
        (instance("Running"), ["stop", "restart", "edit", "details", "delete"]),
        (instance("Stopped"), ["start", "edit", "details", "delete"]),
        (instance("Starting"), ["edit", "details", "delete"]),
        (instance("Stopping"), ["edit", "details", "delete"]),
        (instance("Deleting", "Deleting"), []),
        (cluster(), ["resize", "edit", "details", "delete"]),
        (cluster(resizing=True), ["edit", "details", "delete"]),
        (cluster("Deleting"), []),
        (cluster("Creating"), ["resize", "details", "delete"]),  # no edit until created
        (vm(), ["details", "detach"]),
        (vm("Deleting"), []),
    ],
    ids=lambda value: value.state if isinstance(value, Compute) else None,
)
def test_a_row_offers_only_the_actions_its_state_allows(compute: Compute, expected: list[str]) -> None:
    assert actions_for(compute) == expected


def test_a_stale_click_is_refused_with_a_sentence() -> None:
    assert refusal(instance("Running"), "start") == (
        "ci is Running: it cannot start now (only when Stopped). Nothing was sent."
    )
    assert "being deleted" in refusal(cluster("Deleting"), "resize")
    assert refusal(cluster(), "stop") == "cpu-cluster is a cluster; it has no stop."


def test_the_confirm_says_what_is_lost() -> None:
    assert confirm_for(cluster(nodes=2)) == {
        "delete": "cpu-cluster has 2 nodes running; deleting stops them and removes the cluster."
    }
    assert confirm_for(cluster(nodes=1))["delete"].startswith("cpu-cluster has 1 node running;")
    assert (
        confirm_for(cluster())["delete"]
        == "cpu-cluster has no nodes running; deleting removes the cluster and its settings."
    )
    assert confirm_for(instance("Running"))["delete"].startswith("ci is running; deleting stops it")
    assert confirm_for(instance("Stopped"))["delete"].startswith("ci is stopped; deleting removes the VM")
    assert confirm_for(vm()) == {
        "detach": "my-vm is only removed from this workspace: detaching leaves the VM itself untouched."
    }
    assert confirm_for(cluster("Deleting")) == {}, "nothing to confirm while nothing is offered"


def test_the_state_colours_are_the_lists() -> None:
    for state, tone in STATE_TONES.items():
        colour = state_colour(state)
        assert colour == text(tone) and colour.startswith("color-mix(")
        assert f"color:{colour}" in computes_html(instance(state))
    assert state_colour("Resizing") == ""
