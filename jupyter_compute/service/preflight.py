"""The pre-flight of a create: is the size offered in the region, and do its vCPUs fit the quota?

Pure functions over what the service lists (``vmSizes``, ``usages``); the workspace fetches those
and raises what these return, before anything is sent. Only clusters and compute instances are
checked (:func:`applies`): other kinds take no size from the workspace's quota.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any

from ..data import catalogue
from ..errors import QuotaExceeded, ValidationError
from ..model.quota import family_usage, normalise_family
from ..model.specs import ComputeSpec

__all__ = ["applies", "family_usage", "find_size", "normalise_family", "quota_shortfall"]


def applies(spec: ComputeSpec) -> bool:
    """Whether ``spec`` is of a kind whose size and quota the pre-flight checks (the kinds on VM sizes)."""
    return spec.KIND is not None and spec.KIND.sized


def find_size(spec: ComputeSpec, location: str, sizes: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
    """The ``vmSizes`` row of the spec's size, if it is offered for the spec's kind; else raises a
    ValidationError naming the size field, the region and the closest names offered."""
    size_name = str(getattr(spec, "size", ""))
    size = next((s for s in sizes if str(s.get("name", "")).lower() == size_name.lower()), None)
    if size is not None and spec.COMPUTE_TYPE in (size.get("supportedComputeTypes") or [spec.COMPUTE_TYPE]):
        return size
    gone = catalogue.retired(size_name) if size is None else None  # a size the region lists is offered
    if gone is not None:
        instead = " or ".join(gone["use"])
        raise ValidationError.one(
            "size",
            f"{size_name} was retired by Azure on {gone['retired']} and can no longer be created; use {instead} "
            f"instead (in azureml-core code: vm_size='{gone['use'][0]}'; `jupyter compute sizes` lists the sizes "
            f"offered in {location})",
            spec.TITLE,
        )
    names = [str(s.get("name")) for s in sizes if spec.COMPUTE_TYPE in (s.get("supportedComputeTypes") or [])]
    close = difflib.get_close_matches(size_name, names, n=3, cutoff=0.5)
    hint = f"; close: {', '.join(close)}" if close else ""
    raise ValidationError.one(
        "size",
        f"{size_name} is not offered for a {spec.TITLE} in {location}{hint} (`jupyter compute sizes` lists them)",
        spec.TITLE,
    )


def quota_shortfall(
    spec: ComputeSpec, size: Mapping[str, Any], location: str, usages: Sequence[Mapping[str, Any]]
) -> QuotaExceeded | None:
    """The QuotaExceeded to raise when the spec's vCPUs (size × max nodes) do not fit what is left of the
    size family's quota or of the regional total (dedicated or low-priority), else None. A usage row with
    a negative limit (unlimited) or no row at all does not limit."""
    tier = getattr(spec, "tier", "dedicated")
    nodes = int(getattr(spec, "max_instances", 1))
    needed = int(size.get("vCPUs") or 0) * nodes
    total_type = "lowPriorityCores" if tier == "low_priority" else "dedicatedCores"
    total = next((u for u in usages if str(u.get("type", "")).endswith(f"/{total_type}/usages")), None)
    # Low-priority cores count only against the regional low-priority total, not a family.
    checks = [total] if tier == "low_priority" else [family_usage(str(size.get("family", "")), usages), total]
    for row in checks:
        if row is None or int(row.get("limit", -1)) < 0:
            continue
        left = int(row["limit"]) - int(row.get("currentValue") or 0)
        if needed > left:
            label = (row.get("name") or {}).get("localizedValue") or row.get("id")
            return QuotaExceeded(
                "QuotaExceeded",
                f"{spec.name} needs {needed} vCPUs of {label} ({nodes} × {size['name']} with "
                f"{size.get('vCPUs')} vCPUs) but only {left} of {row['limit']} are left in {location}. Nothing "
                "was created. Ask for more quota, use a smaller size or fewer nodes, or skip this check "
                "(--skip-preflight).",
                by_client=True,
            )
    return None
