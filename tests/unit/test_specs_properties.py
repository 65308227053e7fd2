"""Property-based: given random and malformed values for every field and every YAML key, building a spec
either gives a body that validates against the REST spec, or one ValidationError naming real fields."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jupyter_compute.errors import ValidationError
from jupyter_compute.model import schema as wire_schema
from jupyter_compute.model.documents import spec_from_yaml
from jupyter_compute.model.kinds import yaml_types
from jupyter_compute.model.specs import WireContext, spec_class
from jupyter_compute.model.wire import masked

from conftest import examples
from kinds import EXAMPLES, SUB

CTX = WireContext(SUB, "rg", "ws")

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "PT5M",
            "P1D",
            "true",
            "low_priority",
            "system_assigned",
            "Standard_DS3_v2",
            "ssh-rsa AAAA",
            "/subscriptions/x",
            "0 18 * * *",
        ]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=12), inner, max_size=3)),
    max_leaves=8,
)


def allowed_labels(cls: Any) -> set[str]:
    labels = {"name", "type", "yaml", "usage"}
    for name, info in cls.fields_info():
        labels.add(name)
        labels.update(info.v1)
        if info.yaml:
            parts = info.yaml.split(".")
            labels.update(".".join(parts[: i + 1]) for i in range(len(parts)))
    return labels


def check_outcome(cls: Any, build: Any, given_keys: set[str]) -> None:
    try:
        spec = build()
    except ValidationError as exc:
        labels = allowed_labels(cls) | given_keys
        for problem in exc.problems:
            root = problem.field.split("[")[0]
            assert root in labels or any(root.startswith(f"{k}.") for k in labels), problem
            assert problem.message
        return
    body = masked(spec.to_arm(CTX))
    assert wire_schema.problems(body) == [], body


@pytest.mark.parametrize("kind", yaml_types())
@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_yaml_documents(kind: str, data: st.DataObject) -> None:
    cls = spec_class(kind)
    keys = sorted({k.split(".")[0] for k in cls.yaml_keys()} | {"bogus", "sizee"})
    import yaml

    base = yaml.safe_load(EXAMPLES[kind][2])
    chosen = data.draw(st.lists(st.sampled_from(keys), unique=True, max_size=5))
    doc = dict(base)
    for key in chosen:
        doc[key] = data.draw(values)
    doc["type"] = kind
    check_outcome(cls, lambda: spec_from_yaml(doc), set(doc))


@pytest.mark.parametrize("kind", yaml_types())
@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_keyword_values(kind: str, data: st.DataObject) -> None:
    cls = spec_class(kind)
    names = sorted({n for n, _ in cls.fields_info()} | {a for _, i in cls.fields_info() for a in i.v1})
    keywords = dict(EXAMPLES[kind][0])
    for key in data.draw(st.lists(st.sampled_from(names), unique=True, min_size=1, max_size=4)):
        keywords[key] = data.draw(values)
    keywords = {k: v for k, v in keywords.items()}
    check_outcome(cls, lambda: cls.from_keywords(**keywords), set(keywords))


@settings(max_examples=examples(100), deadline=None)
@given(text=st.text(max_size=200))
def test_arbitrary_yaml_text_never_crashes(text: str) -> None:
    try:
        spec_from_yaml(text)
    except ValidationError:
        pass
