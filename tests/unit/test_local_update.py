"""The local workspace's update routes, with the service's rules and ARM error envelopes: idle shutdown
(15 minutes to 3 days, instances only), resize (only a Stopped instance, to a size offered for instances),
an instance's PUT that would change its size, and schedules stored and returned with the fields the
service adds. Through ``LocalService.handle`` with a clock the test moves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jupyter_compute.local.routes import Request
from jupyter_compute.local.service import LocalService
from jupyter_compute.local.store import Store
from jupyter_compute.settings import Settings

WS = "/subscriptions/s-1/resourceGroups/RG/providers/Microsoft.MachineLearningServices/workspaces/My-WS"
Q = {"api-version": "2025-12-01"}
INSTANCE = {
    "location": "eastus",
    "properties": {"computeType": "ComputeInstance", "properties": {"vmSize": "STANDARD_DS3_V2"}},
}


class Local:
    def __init__(self, home: Path) -> None:
        self.now = 1_800_000_000.0
        self.service = LocalService(Store(home), Settings(home=home, speed=1.0), clock=lambda: self.now)

    def __call__(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        status, _, answer = self.service.handle(Request(method, f"{WS}/computes/{path}", Q, body, "http://h"))
        return status, answer

    def inner(self, name: str) -> dict[str, Any]:
        status, body = self("GET", name)
        assert status == 200
        return dict(body["properties"]["properties"])


@pytest.fixture
def local(tmp_path: Path) -> Local:
    local = Local(tmp_path)
    assert local("PUT", "ci1", INSTANCE)[0] == 201
    local.now += 3600  # created and set up: Running
    assert local.inner("ci1")["state"] == "Running"
    return local


@pytest.mark.parametrize("value", ["PT14M", "P3DT1M", "later", 60])
def test_idle_shutdown_out_of_bounds_is_a_400(local: Local, value: object) -> None:
    status, answer = local("POST", "ci1/updateIdleShutdownSetting", {"idleTimeBeforeShutdown": value})
    assert status == 400 and answer["error"]["code"] in ("BadRequest", "InvalidRequestContent")
    assert "idleTimeBeforeShutdown" in answer["error"]["message"]


def test_idle_shutdown_is_set_with_200_and_read_back(local: Local) -> None:
    assert local("POST", "ci1/updateIdleShutdownSetting", {"idleTimeBeforeShutdown": "P3D"}) == (200, None)
    assert local.inner("ci1")["idleTimeBeforeShutdown"] == "P3D"
    cluster = {"properties": {"computeType": "AmlCompute", "properties": {"scaleSettings": {"maxNodeCount": 1}}}}
    assert local("PUT", "cpu", cluster)[0] == 201
    status, answer = local("POST", "cpu/updateIdleShutdownSetting", {"idleTimeBeforeShutdown": "PT60M"})
    assert status == 400 and "compute instances" in answer["error"]["message"]


def test_resize_only_when_stopped(local: Local) -> None:
    status, answer = local("POST", "ci1/resize", {"targetVMSize": "Standard_DS11_v2"})
    assert status == 400 and answer["error"]["code"] == "ResizeComputeInstanceOnlyAllowedInStoppedState"
    assert local("POST", "ci1/stop")[0] == 202
    local.now += 600
    assert local("POST", "ci1/resize", {"targetVMSize": "Standard_NC6s_v3_nope"})[0] == 400
    assert local("POST", "ci1/resize", {"targetVMSize": "Standard_DS11_v2"})[0] == 202
    during = local.inner("ci1")
    assert during["state"] == "Resizing" and during["vmSize"] == "Standard_DS11_v2"
    assert local("POST", "ci1/start")[0] == 409  # busy resizing
    local.now += 600
    after = local.inner("ci1")
    assert after["state"] == "Stopped" and after["lastOperation"]["operationName"] == "Stop"


def test_an_instance_put_does_not_change_its_size_but_stores_its_schedules(local: Local) -> None:
    bigger = {**INSTANCE, "properties": {**INSTANCE["properties"], "properties": {"vmSize": "Standard_DS11_v2"}}}
    status, answer = local("PUT", "ci1", bigger)
    assert status == 400 and "resize" in answer["error"]["message"]
    schedule = {"action": "Stop", "status": "Enabled", "triggerType": "Cron", "cron": {"expression": "0 19 * * *"}}
    inner = {"vmSize": "STANDARD_DS3_V2", "schedules": {"computeStartStop": [schedule]}}
    assert local("PUT", "ci1", {**INSTANCE, "properties": {**INSTANCE["properties"], "properties": inner}})[0] == 201
    local.now += 600
    stored = local.inner("ci1")["schedules"]["computeStartStop"]
    # As the service echoes it (issue 26: the other trigger's key comes back as null).
    assert stored == [{**schedule, "recurrence": None, "id": "ci1-schedule-1", "provisioningStatus": "Completed"}]
    assert local.inner("ci1")["state"] == "Running"
