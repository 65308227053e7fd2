"""Typed, validated specs for every kind of Azure ML compute, to and from the wire.

One module per family of kinds; each spec class names its wire facts (``YAML_TYPE``, ``COMPUTE_TYPE``,
``TITLE``, ``ATTACHED``). Which classes exist as kinds, and under which words, is the kinds table
(:mod:`jupyter_compute.model.kinds`); reading documents into specs is :mod:`jupyter_compute.model.documents`.
"""

from __future__ import annotations

from ._base import ComputeSpec, WireContext, WithIdentity
from ._fields import FieldInfo, seconds_to_iso
from ._instance_parts import CustomApplication, Schedule, ScriptReference, SetupScripts
from .amlcompute import AmlComputeSpec
from .attach import (
    DatabricksSpec,
    DataLakeAnalyticsSpec,
    HDInsightSpec,
    KubernetesSpec,
    SynapseSparkSpec,
    VirtualMachineSpec,
)
from .batch import BATCH_MESSAGE, refuse_batch
from .computeinstance import ComputeInstanceSpec
from .other import OtherComputeSpec

__all__ = [
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
    "BATCH_MESSAGE",
    "refuse_batch",
    "seconds_to_iso",
]
