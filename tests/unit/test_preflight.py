"""The create pre-flight, table-driven over what the service lists: is the size offered, do the vCPUs fit?"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from jupyter_compute import AmlComputeSpec, ComputeInstanceSpec
from jupyter_compute.errors import ValidationError
from jupyter_compute.model.specs import ComputeSpec, spec_class
from jupyter_compute.service.preflight import applies, family_usage, find_size, normalise_family, quota_shortfall

from kinds import EXAMPLES

PROVIDER = "Microsoft.MachineLearningServices"
SIZES = [
    {
        "name": "Standard_DS3_v2",
        "family": "standardDSv2Family",
        "vCPUs": 4,
        "supportedComputeTypes": ["AmlCompute", "ComputeInstance"],
    },
    {"name": "Standard_NC6", "family": "standardNCFamily", "vCPUs": 6, "supportedComputeTypes": ["AmlCompute"]},
    {"name": "Standard_Old", "family": "standardOldFamily", "vCPUs": 2},  # no supportedComputeTypes: any
]


def usage(kind: str, name: str, current: int, limit: int) -> dict[str, Any]:
    rid = f"/subscriptions/s/usages/{name.replace(' ', '_')}" if kind == "vmFamily" else "/subscriptions/s/usages"
    return {
        "id": rid,
        "type": f"{PROVIDER}/{kind}/usages",
        "currentValue": current,
        "limit": limit,
        "name": {"value": name, "localizedValue": name},
    }


def usages(dsv2: tuple[int, int] = (0, 100), total: tuple[int, int] = (0, 200), low: tuple[int, int] = (0, 50)) -> Any:
    return [
        usage("dedicatedCores", "Total Cluster Dedicated Regional vCPUs", *total),
        usage("lowPriorityCores", "Total Cluster LowPriority Regional vCPUs", *low),
        usage("vmFamily", "Standard DSv2 Family Cluster Dedicated vCPUs", *dsv2),
    ]


def cluster(size: str = "Standard_DS3_v2", nodes: int = 2, tier: str = "dedicated") -> ComputeSpec:
    return AmlComputeSpec.from_keywords(name="cpu", size=size, max_instances=nodes, tier=tier)


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_only_clusters_and_instances_are_checked(kind: str) -> None:
    spec = spec_class(kind).from_keywords(**EXAMPLES[kind][0])
    assert applies(spec) is (kind in ("amlcompute", "computeinstance"))


@pytest.mark.parametrize(
    "spec,found",
    [
        (cluster("Standard_DS3_v2"), "Standard_DS3_v2"),
        (cluster("standard_ds3_V2"), "Standard_DS3_v2"),  # names compare case-insensitively
        (cluster("Standard_NC6"), "Standard_NC6"),
        (cluster("Standard_Old"), "Standard_Old"),
        (ComputeInstanceSpec.from_keywords(name="ci-box", size="Standard_DS3_v2"), "Standard_DS3_v2"),
    ],
)
def test_an_offered_size_is_found(spec: ComputeSpec, found: str) -> None:
    assert find_size(spec, "westeurope", SIZES)["name"] == found


@pytest.mark.parametrize(
    "spec,text",
    [
        (
            cluster("Standard_DS3_v9"),
            "Invalid compute cluster: size: Standard_DS3_v9 is not offered for a compute cluster in westeurope; "
            "close: Standard_DS3_v2, Standard_NC6 (`jupyter compute sizes` lists them). Nothing was sent.",
        ),
        (
            ComputeInstanceSpec.from_keywords(name="ci-box", size="Standard_NC6"),
            "Invalid compute instance: size: Standard_NC6 is not offered for a compute instance in westeurope; "
            "close: Standard_DS3_v2 (`jupyter compute sizes` lists them). Nothing was sent.",
        ),
    ],
)
def test_a_size_not_offered_is_refused_naming_the_field_and_close_names(spec: ComputeSpec, text: str) -> None:
    with pytest.raises(ValidationError) as refused:
        find_size(spec, "westeurope", SIZES)
    assert str(refused.value) == text and refused.value.problems[0].field == "size"


@dataclass(frozen=True)
class Quota:
    spec: ComputeSpec
    usages: Any
    short_of: str | None  # the usage row that refuses it, or None when it fits
    needed: int = 8
    left: int = 0


QUOTA = {
    "fits": Quota(cluster(nodes=2), usages(), None),
    "exactly fits the family": Quota(cluster(nodes=2), usages(dsv2=(92, 100)), None),
    "family short": Quota(
        cluster(nodes=2), usages(dsv2=(93, 100)), "Standard DSv2 Family Cluster Dedicated vCPUs", 8, 7
    ),
    "total short": Quota(cluster(nodes=2), usages(total=(195, 200)), "Total Cluster Dedicated Regional vCPUs", 8, 5),
    "unlimited family": Quota(cluster(nodes=50), usages(dsv2=(0, -1), total=(0, 1000)), None),
    "low priority ignores the family": Quota(cluster(nodes=2, tier="low_priority"), usages(dsv2=(100, 100)), None),
    "low priority short": Quota(
        cluster(nodes=20, tier="low_priority"), usages(low=(10, 50)), "Total Cluster LowPriority Regional vCPUs", 80, 40
    ),
    "no usage rows": Quota(cluster(nodes=1000), [], None),
}


@pytest.mark.parametrize("name", sorted(QUOTA))
def test_the_quota_check(name: str) -> None:
    case = QUOTA[name]
    size = find_size(case.spec, "westeurope", SIZES)
    shortfall = quota_shortfall(case.spec, size, "westeurope", case.usages)
    if case.short_of is None:
        assert shortfall is None
        return
    assert shortfall is not None and shortfall.code == "QuotaExceeded"
    nodes = int(getattr(case.spec, "max_instances"))  # noqa: B009 - a cluster spec
    limit = next(u["limit"] for u in case.usages if u["name"]["value"] == case.short_of)
    assert shortfall.message == (
        f"cpu needs {case.needed} vCPUs of {case.short_of} ({nodes} × Standard_DS3_v2 with 4 vCPUs) but only "
        f"{case.left} of {limit} are left in westeurope. Nothing was created. Ask for more quota, use a smaller "
        "size or fewer nodes, or skip this check (--skip-preflight)."
    )


@pytest.mark.parametrize(
    "text,normal",
    [
        ("standardDSv2Family", "dsv2"),
        ("Standard DSv2 Family Cluster Dedicated vCPUs", "dsv2"),
        ("Standard_DSv2_Family_Cluster_Dedicated_vCPUs", "dsv2"),
        ("standardNCFamily", "nc"),
        ("Standard NC Family Cluster LowPriority vCPUs", "nc"),
        ("Standard NDASv4_A100 Family Dedicated vCPUs", "ndasv4a100"),
    ],
)
def test_family_names_of_both_lists_compare(text: str, normal: str) -> None:
    assert normalise_family(text) == normal


def test_the_family_row_is_found_by_id_name_or_localized_name() -> None:
    rows = usages()
    assert family_usage("standardDSv2Family", rows) is rows[2]
    by_id_only = [{**rows[2], "name": {}}]
    assert family_usage("standardDSv2Family", by_id_only) is by_id_only[0]
    assert family_usage("standardNCFamily", rows) is None
    assert family_usage("standardDSv2Family", rows[:2]) is None  # totals are not family rows


def test_a_retired_size_says_when_and_what_to_use_instead() -> None:
    with pytest.raises(ValidationError) as refused:
        find_size(cluster("STANDARD_NC12"), "westeurope", SIZES)
    assert str(refused.value) == (
        "Invalid compute cluster: size: STANDARD_NC12 was retired by Azure on 2023-09-06 and can no longer be "
        "created; use Standard_NC12s_v3 or Standard_NC8as_T4_v3 instead (in azureml-core code: "
        "vm_size='Standard_NC12s_v3'; `jupyter compute sizes` lists the sizes offered in westeurope). Nothing was sent."
    )
    assert refused.value.problems[0].field == "size"
