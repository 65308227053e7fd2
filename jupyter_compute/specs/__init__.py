"""Typed, validated specs for every kind of Azure ML compute, to and from the wire.

``spec_class('cluster')`` gives the class of a kind by any of its names; ``spec_from_yaml``
reads an ``az ml`` compute YAML document; ``spec_from_arm`` reads an ARM body.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from ..errors import Problem, ValidationError
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
    "KINDS",
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
    "kind_names",
    "refuse_batch",
    "seconds_to_iso",
    "spec_class",
    "spec_from_arm",
    "spec_from_yaml",
]

KINDS: dict[str, type[ComputeSpec]] = {
    cls.KIND: cls
    for cls in (
        AmlComputeSpec,
        ComputeInstanceSpec,
        VirtualMachineSpec,
        HDInsightSpec,
        DatabricksSpec,
        DataLakeAnalyticsSpec,
        SynapseSparkSpec,
        KubernetesSpec,
    )
}
BY_COMPUTE_TYPE = {cls.COMPUTE_TYPE: cls for cls in KINDS.values()}

# The words the command grammar uses (`create cluster`, `attach vm` ...), and other common spellings.
ALIASES = {
    "cluster": "amlcompute",
    "amlcompute": "amlcompute",
    "aml_compute": "amlcompute",
    "instance": "computeinstance",
    "computeinstance": "computeinstance",
    "ci": "computeinstance",
    "vm": "virtualmachine",
    "virtualmachine": "virtualmachine",
    "remote": "virtualmachine",
    "hdinsight": "hdinsight",
    "hdi": "hdinsight",
    "databricks": "databricks",
    "adla": "datalakeanalytics",
    "datalakeanalytics": "datalakeanalytics",
    "synapse": "synapsespark",
    "synapsespark": "synapsespark",
    "kubernetes": "kubernetes",
    "k8s": "kubernetes",
}
GRAMMAR_WORDS = {
    "amlcompute": "cluster",
    "computeinstance": "instance",
    "virtualmachine": "vm",
    "hdinsight": "hdinsight",
    "databricks": "databricks",
    "datalakeanalytics": "adla",
    "synapsespark": "synapse",
    "kubernetes": "kubernetes",
}


def kind_names() -> list[str]:
    return sorted(KINDS)


def spec_class(kind: str) -> type[ComputeSpec]:
    """The spec class of a kind, by any of its names. Batch is refused with an explanation."""
    key = str(kind).strip().lower().replace("-", "").replace(" ", "")
    if key in ("batch", "batchcompute", "azurebatch"):
        refuse_batch()
    name = ALIASES.get(key)
    if name is None:
        close = difflib.get_close_matches(key, list(ALIASES), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        allowed = ", ".join(sorted(set(GRAMMAR_WORDS.values()) | set(KINDS)))
        raise ValidationError([Problem("type", f"{kind!r} is not a kind of compute{hint} Allowed: {allowed}")])
    return KINDS[name]


def spec_from_yaml(document: str | Mapping[str, Any], **overrides: Any) -> ComputeSpec:
    """Build a spec from an az ml YAML document (text or parsed); ``overrides`` win over its keys."""
    if isinstance(document, str):
        from ..inputs import load_yaml  # the capped safe loader (size, nesting, alias expansion)

        document = load_yaml(document, "yaml") or {}
    if not isinstance(document, Mapping):
        raise ValidationError([Problem("yaml", "the document must be a mapping of settings")])
    kind = overrides.pop("type", None) or document.get("type")
    if kind is None:
        raise ValidationError([Problem("type", "is required; allowed: " + ", ".join(kind_names()))])
    cls = spec_class(str(kind))
    merged = {k: v for k, v in document.items() if k != "type"}
    merged["type"] = cls.KIND
    for key, value in overrides.items():
        merged[key] = value
    return cls.from_yaml(merged)


def spec_from_arm(body: Mapping[str, Any]) -> ComputeSpec:
    """The spec of an ARM compute body; kinds we do not manage come back as OtherComputeSpec."""
    compute_type = (body.get("properties") or {}).get("computeType")
    cls = BY_COMPUTE_TYPE.get(str(compute_type), OtherComputeSpec)
    return cls.from_arm(body)
