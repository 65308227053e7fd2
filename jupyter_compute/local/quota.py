"""vCPU quota of the local workspace: what each compute holds over time, and whether a request fits.

Cluster nodes (preparing, idle or leaving) and instances that are not stopped hold vCPUs of their
size's family, Dedicated or LowPriority. What a compute holds changes only at its timeline's change
times, so each write works it out once for the compute it wrote (:func:`holdings`) and the store
keeps it as intervals; a quota check then sums what is held now with one indexed query, instead of
replaying every compute of the subscription under the write lock.

The checks are the service's: a request needs ``maxNodeCount × vCPUs`` (a cluster) or its size's
vCPUs (an instance), against its family's dedicated limit and the regional total (or the regional
low-priority total), with the service's ``QuotaExceeded`` message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..data import catalogue
from .routes import PROVIDER
from .simulation import Derived, change_times, derive, instance_state
from .store import ComputeRow, Usage

InUse = Mapping[tuple[str, str], int]  # (family, tier) -> vCPUs


def held(derived: Derived) -> tuple[str, str, int] | None:
    """(family, tier, vCPUs) a compute holds in the state ``derived``; None if it holds none."""
    if derived.body is None:
        return None
    inner = derived.body["properties"].get("properties") or {}
    size = catalogue.size(str(inner.get("vmSize", "")))
    if size is None:
        return None
    kind = derived.body["properties"]["computeType"]
    if kind == "AmlCompute":
        count = int(inner.get("currentNodeCount") or 0)
        tier = inner.get("vmPriority") or "Dedicated"
    elif kind == "ComputeInstance":
        count = 0 if instance_state(derived) in ("Stopped", "CreateFailed") else 1
        tier = "Dedicated"
    else:
        return None
    return size["family"], tier, count * int(size["vCPUs"])


def holdings(row: ComputeRow, durations: dict[str, float]) -> list[Usage]:
    """What ``row`` holds over its whole timeline, as intervals of constant vCPUs (none held: no interval).
    The state is constant between change times, so reading it at each one is exact."""
    times = change_times(row, durations)
    out: list[Usage] = []
    for start, until in zip(times, [*times[1:], float("inf")], strict=True):
        holding = held(derive(row, start, durations))
        if holding is None or holding[2] == 0:
            continue
        family, tier, vcpus = holding
        last = out[-1] if out else None
        if last and last.until == start and (last.family, last.tier, last.vcpus) == (family, tier, vcpus):
            out[-1] = Usage(family, tier, vcpus, last.start, until)
        else:
            out.append(Usage(family, tier, vcpus, start, until))
    return out


def needed(props: Mapping[str, Any], size: Mapping[str, Any]) -> tuple[int, str]:
    """(vCPUs, tier) a create or resize of ``props`` asks for."""
    inner = props.get("properties") or {}
    if props.get("computeType", "AmlCompute") == "ComputeInstance":
        return int(size["vCPUs"]), "Dedicated"
    scale = inner.get("scaleSettings") or {}
    return int(scale.get("maxNodeCount") or 0) * int(size["vCPUs"]), inner.get("vmPriority") or "Dedicated"


def failure(props: Mapping[str, Any], size: Mapping[str, Any], used: InUse) -> dict[str, Any] | None:
    """The ARM error of a request that would exceed a quota, given what is ``used``; None if it fits."""
    asked, tier = needed(props, size)
    quota = catalogue.quotas()
    if tier == "LowPriority":
        in_use = sum(v for (_, t), v in used.items() if t == "LowPriority")
        limit, label = int(quota["totalLowPriorityCores"]), "Total Cluster LowPriority Regional vCPUs"
    else:
        family = catalogue.family_quota(size["family"])
        limit = int(family["dedicatedLimit"]) if family else 0
        in_use = used.get((size["family"], "Dedicated"), 0)
        label = (family["usageName"] if family else size["family"]) + " Cluster Dedicated vCPUs"
        total_used = sum(v for (_, t), v in used.items() if t == "Dedicated")
        if asked + total_used > int(quota["totalDedicatedCores"]) and asked + in_use <= limit:
            limit, in_use = int(quota["totalDedicatedCores"]), total_used
            label = "Total Cluster Dedicated Regional vCPUs"
    if asked + in_use <= limit:
        return None
    return {
        "code": "QuotaExceeded",
        "message": (
            f"Operation results in exceeding quota limits of {label}. Maximum allowed: {limit}, "
            f"Current in use: {in_use}, Additional requested: {asked}. Request a quota increase or "
            "choose a smaller size or fewer nodes."
        ),
    }


def usages(sub: str, used: InUse, location: str) -> list[dict[str, Any]]:
    """The ``usages`` list of a subscription: the regional totals, then each family's dedicated vCPUs."""
    quota = catalogue.quotas()
    dedicated = sum(v for (_, tier), v in used.items() if tier == "Dedicated")
    low = sum(v for (_, tier), v in used.items() if tier == "LowPriority")
    base = f"/subscriptions/{sub}/usages"
    rows = [
        _usage_row(
            base,
            "dedicatedCores",
            "Total Cluster Dedicated Regional vCPUs",
            dedicated,
            quota["totalDedicatedCores"],
            location,
        ),
        _usage_row(
            base,
            "lowPriorityCores",
            "Total Cluster LowPriority Regional vCPUs",
            low,
            quota["totalLowPriorityCores"],
            location,
        ),
    ]
    for family in quota["families"]:
        name = family["usageName"] + " Cluster Dedicated vCPUs"
        rows.append(
            _usage_row(
                f"{base}/{name.replace(' ', '_')}",
                "vmFamily",
                name,
                used.get((family["family"], "Dedicated"), 0),
                family["dedicatedLimit"],
                location,
            )
        )
    return rows


def quotas(usage_rows: list[dict[str, Any]], location: str) -> list[dict[str, Any]]:
    """The ``quotas`` list: each family's limit, from its usage row."""
    return [
        {
            "id": u["id"].replace("/usages/", "/quotas/"),
            "type": f"{PROVIDER}/vmFamily/quotas",
            "limit": u["limit"],
            "name": u["name"],
            "unit": "Count",
            "amlWorkspaceLocation": location,
        }
        for u in usage_rows
        if u["type"].endswith("vmFamily/usages")
    ]


def _usage_row(rid: str, kind: str, name: str, current: int, limit: int, location: str) -> dict[str, Any]:
    return {
        "id": rid,
        "amlWorkspaceLocation": location,
        "type": f"{PROVIDER}/{kind}/usages",
        "unit": "Count",
        "currentValue": current,
        "limit": limit,
        "name": {"value": name, "localizedValue": name},
    }
