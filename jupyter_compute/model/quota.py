"""How the service's quota rows (``usages``) name a VM family, read the same way by the create's pre-flight
and by ``doctor`` (pure)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any


def normalise_family(text: str) -> str:
    """A family name as both lists can be compared: ``standardDSv2Family`` (vmSizes) and
    ``Standard DSv2 Family Cluster Dedicated vCPUs`` (usages) both become ``dsv2``."""
    text = re.sub(r"[\s_]", "", text.lower())
    for suffix in ("clusterdedicatedvcpus", "clusterlowpriorityvcpus", "dedicatedvcpus"):
        text = text.removesuffix(suffix)
    return text.removeprefix("standard").removesuffix("family")


def family_usage(family: str, usages: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The ``vmFamily`` usage row of a vmSizes family (by its id's last segment, name or localized name)."""
    wanted = normalise_family(family)
    for row in usages:
        if not str(row.get("type", "")).endswith("/vmFamily/usages"):
            continue
        names = [
            str(row.get("id", "")).rsplit("/", 1)[-1],
            str((row.get("name") or {}).get("value", "")),
            str((row.get("name") or {}).get("localizedValue", "")),
        ]
        if any(normalise_family(n) == wanted for n in names):
            return row
    return None
