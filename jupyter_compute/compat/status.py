"""v1's status objects, read from a compute's ARM body as azureml-core reads them.

``AmlCompute.get_status()`` returns :class:`AmlComputeStatus`, ``ComputeInstance.get_status()``
:class:`ComputeInstanceStatus`, ``KubernetesCompute.get_status()`` :class:`KubernetesComputeStatus`:
the attributes and ``serialize()`` keys of azureml-core 1.61 (``azureml/core/compute/amlcompute.py``,
``computeinstance.py``, ``kubernetescompute.py``), times as ``datetime`` and serialized in ISO 8601.
``deserialize`` takes the body's ``properties`` (as v1's does).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..model.specs.scale import IDLE, MAX_NODES, MIN_NODES, SCALE_SETTINGS

_FRACTION = re.compile(r"(\.\d{6})\d+")


def when(value: Any) -> datetime | None:
    """An ARM timestamp (``2025-11-04T04:54:09.2712327Z``) as a datetime; None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(_FRACTION.sub(r"\1", value.replace("Z", "+00:00")))
    except ValueError:
        return None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _seconds(duration: Any) -> int | None:
    """``PT30M`` / ``PT1800S`` / ``PT1H2M3S`` as seconds (v1's ``convert_duration_to_seconds``)."""
    if not isinstance(duration, str):
        return None
    match = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?", duration.strip(), re.IGNORECASE)
    if match is None or not any(match.groups()):
        return None
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds


@dataclass
class ScaleSettings:
    """A cluster's scale settings (v1 ``ScaleSettings``)."""

    minimum_node_count: int | None
    maximum_node_count: int | None
    idle_seconds_before_scaledown: int | None

    def serialize(self) -> dict[str, Any]:
        idle = f"PT{self.idle_seconds_before_scaledown}S" if self.idle_seconds_before_scaledown else ""
        return {
            MIN_NODES: self.minimum_node_count,
            MAX_NODES: self.maximum_node_count,
            IDLE: idle,
        }

    @staticmethod
    def deserialize(object_dict: Mapping[str, Any] | None) -> ScaleSettings | None:
        if not object_dict:
            return None
        return ScaleSettings(
            object_dict.get(MIN_NODES),
            object_dict.get(MAX_NODES),
            _seconds(object_dict.get(IDLE)),
        )


@dataclass
class AmlComputeNodeStateCounts:
    """How many of a cluster's nodes are in each state (v1 ``AmlComputeNodeStateCounts``)."""

    idle_node_count: int | None
    leaving_node_count: int | None
    preempted_node_count: int | None
    preparing_node_count: int | None
    running_node_count: int | None
    unusable_node_count: int | None

    def serialize(self) -> dict[str, Any]:
        return {
            "preparingNodeCount": self.preparing_node_count,
            "runningNodeCount": self.running_node_count,
            "idleNodeCount": self.idle_node_count,
            "unusableNodeCount": self.unusable_node_count,
            "leavingNodeCount": self.leaving_node_count,
            "preemptedNodeCount": self.preempted_node_count,
        }

    @staticmethod
    def deserialize(object_dict: Mapping[str, Any] | None) -> AmlComputeNodeStateCounts | None:
        if not object_dict:
            return None
        get = object_dict.get
        return AmlComputeNodeStateCounts(
            get("idleNodeCount"),
            get("leavingNodeCount"),
            get("preemptedNodeCount"),
            get("preparingNodeCount"),
            get("runningNodeCount"),
            get("unusableNodeCount"),
        )


@dataclass
class AmlComputeStatus:
    """A cluster's detailed status (v1 ``AmlComputeStatus``)."""

    allocation_state: str | None
    allocation_state_transition_time: datetime | None
    creation_time: datetime | None
    current_node_count: int | None
    errors: list[Any] | None
    modified_time: datetime | None
    node_state_counts: AmlComputeNodeStateCounts | None
    provisioning_state: str | None
    provisioning_state_transition_time: datetime | None
    scale_settings: ScaleSettings | None
    target_node_count: int | None
    vm_priority: str | None
    vm_size: str | None

    def serialize(self) -> dict[str, Any]:
        return {
            "currentNodeCount": self.current_node_count,
            "targetNodeCount": self.target_node_count,
            "nodeStateCounts": self.node_state_counts.serialize() if self.node_state_counts else None,
            "allocationState": self.allocation_state,
            "allocationStateTransitionTime": _iso(self.allocation_state_transition_time),
            "errors": self.errors,
            "creationTime": _iso(self.creation_time),
            "modifiedTime": _iso(self.modified_time),
            "provisioningState": self.provisioning_state,
            "provisioningStateTransitionTime": _iso(self.provisioning_state_transition_time),
            SCALE_SETTINGS: self.scale_settings.serialize() if self.scale_settings else None,
            "vmPriority": self.vm_priority,
            "vmSize": self.vm_size,
        }

    @staticmethod
    def deserialize(object_dict: Mapping[str, Any] | None) -> AmlComputeStatus | None:
        if not object_dict:
            return None
        inner: Mapping[str, Any] = object_dict.get("properties") or {}
        return AmlComputeStatus(
            inner.get("allocationState"),
            when(inner.get("allocationStateTransitionTime")),
            when(object_dict.get("createdOn")),
            inner.get("currentNodeCount"),
            inner.get("errors"),
            when(object_dict.get("modifiedOn")),
            AmlComputeNodeStateCounts.deserialize(inner.get("nodeStateCounts")),
            object_dict.get("provisioningState"),
            when(object_dict.get("provisioningStateTransitionTime")),
            ScaleSettings.deserialize(inner.get(SCALE_SETTINGS)),
            inner.get("targetNodeCount"),
            inner.get("vmPriority"),
            inner.get("vmSize"),
        )


@dataclass
class ComputeInstanceStatus:
    """A compute instance's detailed status (v1 ``ComputeInstanceStatus``)."""

    creation_time: datetime | None
    created_by_user_name: str | None
    created_by_user_id: str | None
    created_by_user_org: str | None
    errors: list[Any] | None
    modified_time: datetime | None
    state: str | None
    vm_size: str | None

    def serialize(self) -> dict[str, Any]:
        return {
            "errors": self.errors,
            "creationTime": _iso(self.creation_time),
            "createdBy": {
                "userObjectId": self.created_by_user_id,
                "userTenantId": self.created_by_user_org,
                "userName": self.created_by_user_name,
            },
            "modifiedTime": _iso(self.modified_time),
            "state": self.state,
            "vmSize": self.vm_size,
        }

    @staticmethod
    def deserialize(object_dict: Mapping[str, Any] | None) -> ComputeInstanceStatus | None:
        if not object_dict:
            return None
        inner: Mapping[str, Any] = object_dict.get("properties") or {}
        created_by: Mapping[str, Any] = inner.get("createdBy") or {}
        return ComputeInstanceStatus(
            when(object_dict.get("createdOn")),
            created_by.get("userName"),
            created_by.get("userId"),
            created_by.get("userOrgId"),
            inner.get("errors"),
            when(object_dict.get("modifiedOn")),
            inner.get("state"),
            inner.get("vmSize"),
        )


@dataclass
class KubernetesComputeStatus:
    """An attached Kubernetes cluster's status (v1 ``KubernetesComputeStatus``)."""

    creation_time: datetime | None
    modified_time: datetime | None
    provisioning_state: str | None

    def serialize(self) -> dict[str, Any]:
        return {
            "creationTime": _iso(self.creation_time),
            "modifiedTime": _iso(self.modified_time),
            "provisioningState": self.provisioning_state,
        }

    @staticmethod
    def deserialize(object_dict: Mapping[str, Any] | None) -> KubernetesComputeStatus | None:
        if not object_dict:
            return None
        return KubernetesComputeStatus(
            when(object_dict.get("createdOn")),
            when(object_dict.get("modifiedOn")),
            object_dict.get("provisioningState"),
        )
