"""Specs from documents: an ``az ml`` compute YAML, an ARM compute resource as ``show`` prints it, or
an ARM body from the service.

``spec_from_yaml`` takes either kind of file (``--file``, a ``%%compute`` cell body, the panel's
"Copy as YAML"); ``spec_from_arm`` reads what the service returns, kinds this package does not manage
included. Which spec class reads a document comes from the kinds table (:mod:`.kinds`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from ..errors import Problem, ValidationError
from . import kinds
from .secrets import MASK, Secret
from .specs import ComputeSpec, OtherComputeSpec, spec_class


def spec_from_yaml(document: str | Mapping[str, Any], **overrides: Any) -> ComputeSpec:
    """Build a spec from an az ml YAML document (text or parsed), or from an ARM compute resource as
    ``show -o yaml`` prints it. ``overrides`` are keywords (field, az ml or v1 names; ``type`` picks the
    kind) that win over the document's keys; the rules are checked on the merged settings."""
    from ..inputs import settings_document  # the capped safe loader, here for weight: PyYAML only when text is read

    document = settings_document(document, "yaml")
    if is_arm_document(document):
        return _spec_from_arm_document(document, overrides)
    named = overrides.pop("type", None) or document.get("type")
    if named is None:
        raise ValidationError([Problem("type", "is required; allowed: " + ", ".join(kinds.yaml_types()))])
    cls = spec_class(str(named))
    merged = {k: v for k, v in document.items() if k != "type"}
    merged["type"] = cls.YAML_TYPE
    return cls.from_yaml(merged, overrides)


def is_arm_document(document: Mapping[str, Any]) -> bool:
    """An ARM compute resource (``properties.computeType``), as ``show -o json|yaml`` prints it, rather
    than an az ml YAML document (whose only ``properties``, a Kubernetes one's, has no computeType)."""
    properties = document.get("properties")
    return isinstance(properties, Mapping) and "computeType" in properties


def document_kind(document: Mapping[str, Any]) -> str | None:
    """The kind a --file document names, as it spells it: az ml's ``type``, or an ARM resource's
    ``computeType`` (either is a name :func:`kinds.find` takes); None when it names none."""
    if is_arm_document(document):
        return str(document["properties"]["computeType"])
    named = document.get("type")
    return str(named) if named else None


def _spec_from_arm_document(document: Mapping[str, Any], overrides: dict[str, Any]) -> ComputeSpec:
    """A spec from an ARM compute resource: the settings a PUT can carry, validated as keywords are.

    Read-only fields (ids, states, node counts, timestamps) are left out with a note; so are secrets a
    ``show`` printed as '***', which must be given again; ``overrides`` win as for YAML."""
    compute_type = str(document["properties"]["computeType"])
    kind = kinds.of_compute_type(compute_type) or kinds.lookup(compute_type)
    if kind is None:
        raise ValidationError.one(
            "properties.computeType",
            f"{compute_type!r} cannot be created here; allowed: {', '.join(kinds.compute_types())}",
        )
    cls = spec_class(kind)
    wanted = overrides.pop("type", None)
    if wanted is not None and (other := spec_class(str(wanted))) is not cls:
        raise ValidationError.one("properties.computeType", f"the file describes a {cls.TITLE}, not a {other.TITLE}")
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
    kind = kinds.of_compute_type(str((body.get("properties") or {}).get("computeType")))
    cls: type[ComputeSpec] = spec_class(kind) if kind else OtherComputeSpec
    return cls.from_arm(body)
