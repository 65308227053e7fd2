"""Given any kind of compute written as az ml keywords, v1 keywords or YAML,
when it is turned into an ARM body, then the body validates against the REST spec and round-trips."""

from __future__ import annotations

from typing import Any

import pytest

from jupyter_compute.model.documents import spec_from_arm, spec_from_yaml
from jupyter_compute.model.kinds import yaml_types
from jupyter_compute.model.specs import WireContext, spec_class
from jupyter_compute.model.wire import revealed

from kinds import EXAMPLES, SUB

CTX = WireContext(SUB, "rg", "ws")


def schema_problems(validator: Any, body: Any) -> list[str]:
    from jupyter_compute.model import schema as wire_schema

    return wire_schema.problems(revealed(body), validator=validator)


def test_every_kind_has_an_example() -> None:
    assert set(EXAMPLES) == set(yaml_types())


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_three_ways_give_one_valid_body(kind: str, reference_validator: Any) -> None:
    keywords, v1, document = EXAMPLES[kind]
    cls = spec_class(kind)
    from_keywords = cls.from_keywords(**keywords).to_arm(CTX)
    from_v1 = cls.from_keywords(**v1).to_arm(CTX)
    from_yaml = spec_from_yaml(document).to_arm(CTX)
    assert revealed(from_keywords) == revealed(from_v1) == revealed(from_yaml)
    assert schema_problems(reference_validator, from_keywords) == []
    assert from_keywords["properties"]["computeType"] == cls.COMPUTE_TYPE


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_body_spec_body_round_trips(kind: str) -> None:
    keywords, _, _ = EXAMPLES[kind]
    body = revealed(spec_class(kind).from_keywords(**keywords).to_arm(CTX))
    again = spec_from_arm({"name": keywords["name"], **body}).to_arm(CTX)
    assert revealed(again) == body


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_yaml_round_trips_through_the_spec(kind: str) -> None:
    _, _, document = EXAMPLES[kind]
    spec = spec_from_yaml(document)
    # secrets come back masked in YAML, so compare everything else
    redisplayed = spec_from_yaml(spec.to_yaml_dict()) if not spec.secret_fields() else spec
    assert revealed(redisplayed.to_arm(CTX)) == revealed(spec.to_arm(CTX))


def test_recorded_service_bodies_read_back(reference: Any) -> None:
    """GET bodies of the real service (examples) become specs whose body validates again."""
    import json

    from jupyter_compute.model import schema as wire_schema

    examples = reference / "azure-ml-rest" / "examples" / "Compute" / "get"
    for name in ("AmlCompute.json", "ComputeInstance.json", "KubernetesCompute.json"):
        body = json.loads((examples / name).read_text())["responses"]["200"]["body"]
        spec = spec_from_arm(body)
        assert spec.name == body["name"]
        assert wire_schema.problems(revealed(spec.to_arm(CTX))) == [], name


def test_schema_refuses_read_only_and_unknown_fields(reference_validator: Any) -> None:
    body = {
        "id": "/x",
        "properties": {
            "computeType": "AmlCompute",
            "provisioningState": "Creating",
            "properties": {"vmSize": "Standard_DS3_v2", "bogus": 1, "scaleSettings": {"maxNodeCount": 1}},
        },
    }
    problems = schema_problems(reference_validator, body)
    assert any(p.startswith("id:") and "read-only" in p for p in problems)
    assert any(p.startswith("properties.provisioningState:") for p in problems)
    assert any("unknown field(s) bogus" in p for p in problems)


def test_shipped_schema_is_the_reference_trimmed(reference: Any) -> None:
    import importlib.resources
    import json
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "scripts"))
    import trim_spec

    fresh = trim_spec.build(reference / "azure-ml-rest")
    shipped = json.loads(
        importlib.resources.files("jupyter_compute.data").joinpath("compute-2025-12-01.json").read_text()
    )
    assert shipped == fresh, "run scripts/trim_spec.py to refresh the shipped copy"
    assert shipped["apiVersion"] == "2025-12-01"
