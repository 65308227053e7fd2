"""Typed, validated specs for every kind of Azure ML compute, to and from the wire.

``spec_class('cluster')`` gives the class of a kind by any of its names; ``spec_from_yaml``
reads an ``az ml`` compute YAML document; ``spec_from_arm`` reads an ARM body.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Mapping
from typing import Any

from ...errors import Problem, ValidationError
from ..secrets import MASK, Secret
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
    "document_kind",
    "is_arm_document",
    "kind_names",
    "refuse_batch",
    "seconds_to_iso",
    "spec_class",
    "spec_from_arm",
    "spec_from_yaml",
]

KINDS: dict[str, type[ComputeSpec]] = {
    cls.YAML_TYPE: cls
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
    """Build a spec from an az ml YAML document (text or parsed), or from an ARM compute resource as
    ``show -o yaml`` prints it. ``overrides`` are keywords (field, az ml or v1 names; ``type`` picks the
    kind) that win over the document's keys; the rules are checked on the merged settings."""
    from ...inputs import settings_document  # the capped safe loader (size, nesting, alias expansion)

    document = settings_document(document, "yaml")
    if is_arm_document(document):
        return _spec_from_arm_document(document, overrides)
    kind = overrides.pop("type", None) or document.get("type")
    if kind is None:
        raise ValidationError([Problem("type", "is required; allowed: " + ", ".join(kind_names()))])
    cls = spec_class(str(kind))
    merged = {k: v for k, v in document.items() if k != "type"}
    merged["type"] = cls.YAML_TYPE
    return cls.from_yaml(merged, overrides)


def is_arm_document(document: Mapping[str, Any]) -> bool:
    """An ARM compute resource (``properties.computeType``), as ``show -o json|yaml`` prints it, rather
    than an az ml YAML document (whose only ``properties``, a Kubernetes one's, has no computeType)."""
    properties = document.get("properties")
    return isinstance(properties, Mapping) and "computeType" in properties


def document_kind(document: Mapping[str, Any]) -> str | None:
    """The kind a --file document names: az ml's ``type``, or an ARM resource's ``computeType``."""
    if is_arm_document(document):
        return str(document["properties"]["computeType"])
    kind = document.get("type")
    return str(kind) if kind else None


def _spec_from_arm_document(document: Mapping[str, Any], overrides: dict[str, Any]) -> ComputeSpec:
    """A spec from an ARM compute resource: the settings a PUT can carry, validated as keywords are.

    Read-only fields (ids, states, node counts, timestamps) are left out with a note; so are secrets a
    ``show`` printed as '***', which must be given again; ``overrides`` win as for YAML."""
    compute_type = str(document["properties"]["computeType"])
    compute_kind = compute_type.lower().replace("-", "").replace(" ", "")
    cls = BY_COMPUTE_TYPE.get(compute_type) or KINDS.get(ALIASES.get(compute_kind, ""))
    if cls is None:
        allowed = ", ".join(sorted(BY_COMPUTE_TYPE))
        raise ValidationError.one(
            "properties.computeType", f"{compute_type!r} cannot be created here; allowed: {allowed}"
        )
    wanted = overrides.pop("type", None)
    if wanted is not None and spec_class(str(wanted)) is not cls:
        raise ValidationError.one(
            "properties.computeType", f"the file describes a {cls.TITLE}, not a {spec_class(str(wanted)).TITLE}"
        )
    read = cls.from_arm(document)
    values: dict[str, Any] = {}
    masked: list[str] = []
    for name, info in cls.fields_info():
        value = getattr(read, name)
        if info.secret and isinstance(value, Secret) and value.reveal() == MASK:
            masked.append(name)
        elif value is not None and value != ():
            values[name] = value
    if values.get("compute_location") == values.get("location"):
        values.pop("compute_location", None)  # the service mirrors location there; it was not asked for
    values.update(overrides)
    spec = cls.from_keywords(**values)
    note = "note: read as an ARM compute resource (as `show -o yaml` prints it); its read-only fields were left out"
    if masked:
        note += f", and the masked {', '.join(masked)} (give it again with its -env or -file flag)"
    return dataclasses.replace(spec, notes=(note,))


def spec_from_arm(body: Mapping[str, Any]) -> ComputeSpec:
    """The spec of an ARM compute body; kinds we do not manage come back as OtherComputeSpec."""
    compute_type = (body.get("properties") or {}).get("computeType")
    cls = BY_COMPUTE_TYPE.get(str(compute_type), OtherComputeSpec)
    return cls.from_arm(body)
