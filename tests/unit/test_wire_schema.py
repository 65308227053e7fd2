"""Given bodies good and bad, the package's small schema validator and the jsonschema library agree."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jupyter_compute.model import schema as wire_schema
from jupyter_compute.model.kinds import yaml_types
from jupyter_compute.model.specs import WireContext, spec_class
from jupyter_compute.model.wire import masked

from conftest import examples
from kinds import EXAMPLES, SUB

SCHEMA = wire_schema.to_json_schema(wire_schema.shipped_definitions(), "ComputeResource", "request")
LIBRARY = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
OURS = wire_schema.SubsetValidator(SCHEMA)


def agree(body: Any) -> None:
    assert (not list(LIBRARY.iter_errors(body))) == (not OURS.errors(body)), (body, OURS.errors(body))


@pytest.mark.parametrize("kind", yaml_types())
def test_valid_bodies_agree(kind: str) -> None:
    body = masked(spec_class(kind).from_keywords(**EXAMPLES[kind][0]).to_arm(WireContext(SUB, "rg", "ws")))
    agree(body)
    assert OURS.errors(body) == []


BAD = [
    {"id": "/x", "properties": {"computeType": "AmlCompute"}},
    {"properties": {"computeType": "Batch"}},
    {"properties": {"computeType": "AmlCompute", "properties": {"vmSize": 3}}},
    {"properties": {"computeType": "AmlCompute", "properties": {"scaleSettings": {}}}},
    {"properties": {"computeType": "AmlCompute", "properties": {"scaleSettings": {"maxNodeCount": 2**33}}}},
    {"properties": {"computeType": "ComputeInstance", "properties": {"sshSettings": {"sshPublicAccess": "Maybe"}}}},
    {"properties": {"computeType": "Kubernetes", "properties": {"namespace": None}}},
    {"identity": {"type": "SystemAssigned", "principalId": "p"}, "properties": {"computeType": "AmlCompute"}},
    {"properties": {"computeType": "AmlCompute", "description": None, "bogus": True}},
    {"tags": {"a": 1}, "properties": {"computeType": "VirtualMachine"}},
    [],
]


@pytest.mark.parametrize("body", BAD)
def test_invalid_bodies_agree(body: Any) -> None:
    agree(body)
    assert OURS.errors(body)


json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**34), 2**34),
        st.text(max_size=8),
        st.sampled_from(["AmlCompute", "ComputeInstance", "Kubernetes", "Dedicated", "PT5M", "Enabled"]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(
                [
                    "computeType",
                    "properties",
                    "vmSize",
                    "scaleSettings",
                    "maxNodeCount",
                    "identity",
                    "type",
                    "tags",
                    "location",
                    "sshSettings",
                    "namespace",
                    "x",
                ]
            ),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=12,
)


@settings(max_examples=examples(300), deadline=None)
@given(body=json_values)
def test_random_bodies_agree(body: Any) -> None:
    agree(body)
