"""Typed, validated specs for every kind of Azure ML compute, to and from the wire.

One module per family of kinds; each spec class names its row of the kinds table
(``class AmlComputeSpec(ComputeSpec, kind="cluster")``) and takes its wire facts from it
(:mod:`jupyter_compute.model.kinds`). A kind's module is imported when the kind is first used
(:func:`spec_class`, or importing its class from here), not with this package: the first
``%compute create cluster`` does not pay for the attach kinds. Reading documents into specs is
:mod:`jupyter_compute.model.documents`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ..kinds import BATCH_MESSAGE, Kind, find, refuse_batch
from ._base import ComputeSpec, WireContext, WithIdentity, identity_ids, registered, with_identity
from ._fields import (
    DESCRIPTION_FLAGS,
    GUID,
    IDLE_SHUTDOWN_FLAGS,
    SIZE_FLAGS,
    TAGS_FLAGS,
    USER_IDENTITY_ID,
    FieldInfo,
    Invalid,
    boolean,
    bounded_text,
    field_label,
    integer,
    iso_duration_seconds,
    minutes_duration,
    seconds,
    seconds_to_iso,
    string_map,
    vm_size,
)

if TYPE_CHECKING:
    from ._instance_parts import (
        WEEK_DAYS,
        CustomApplication,
        Schedule,
        ScriptReference,
        SetupScripts,
        custom_applications,
        schedules,
    )
    from .amlcompute import AmlComputeSpec
    from .attach import (
        DatabricksSpec,
        DataLakeAnalyticsSpec,
        HDInsightSpec,
        KubernetesSpec,
        SynapseSparkSpec,
        VirtualMachineSpec,
    )
    from .computeinstance import ComputeInstanceSpec
    from .other import OtherComputeSpec

# The names this package gives on first use, and the module of each.
_LAZY = {
    "AmlComputeSpec": "amlcompute",
    "ComputeInstanceSpec": "computeinstance",
    "VirtualMachineSpec": "attach",
    "HDInsightSpec": "attach",
    "DatabricksSpec": "attach",
    "DataLakeAnalyticsSpec": "attach",
    "SynapseSparkSpec": "attach",
    "KubernetesSpec": "attach",
    "OtherComputeSpec": "other",
    "CustomApplication": "_instance_parts",
    "Schedule": "_instance_parts",
    "ScriptReference": "_instance_parts",
    "SetupScripts": "_instance_parts",
    "WEEK_DAYS": "_instance_parts",
    "custom_applications": "_instance_parts",
    "schedules": "_instance_parts",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


def spec_class(kind: Kind | str) -> type[ComputeSpec]:
    """The spec class of a kind (its row, or any of its names), its module imported on first use.
    Batch is refused with an explanation; an unknown name lists the kinds."""
    row = kind if isinstance(kind, Kind) else find(kind)
    importlib.import_module(f"{__name__}.{row.module}")
    return registered(row.word)


def kind_of(spec: ComputeSpec | type[ComputeSpec]) -> Kind:
    """The row of a managed spec or spec class (a TypeError for OtherComputeSpec, which has none)."""
    cls = spec if isinstance(spec, type) else type(spec)
    if cls.KIND is None:
        raise TypeError(f"{cls.__name__} is not a kind of compute this package manages")
    return cls.KIND


# What other layers read of the field parsers and the instance's parts: their public names are these
# (the modules behind them, ``_base``, ``_fields`` and ``_instance_parts``, are this package's own).
__all__ = [
    "GUID",
    "USER_IDENTITY_ID",
    "WEEK_DAYS",
    "Invalid",
    "boolean",
    "bounded_text",
    "custom_applications",
    "field_label",
    "integer",
    "iso_duration_seconds",
    "minutes_duration",
    "schedules",
    "seconds",
    "string_map",
    "vm_size",
    "DESCRIPTION_FLAGS",
    "IDLE_SHUTDOWN_FLAGS",
    "SIZE_FLAGS",
    "TAGS_FLAGS",
    "AmlComputeSpec",
    "ComputeInstanceSpec",
    "ComputeSpec",
    "CustomApplication",
    "DataLakeAnalyticsSpec",
    "DatabricksSpec",
    "FieldInfo",
    "HDInsightSpec",
    "KubernetesSpec",
    "OtherComputeSpec",
    "Schedule",
    "ScriptReference",
    "SetupScripts",
    "SynapseSparkSpec",
    "VirtualMachineSpec",
    "WireContext",
    "WithIdentity",
    "with_identity",
    "identity_ids",
    "BATCH_MESSAGE",
    "refuse_batch",
    "seconds_to_iso",
    "spec_class",
    "kind_of",
]
