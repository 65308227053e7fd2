"""Hypothesis strategies for service answers: valid ones built from the REST spec's response schemas (the shipped
spec, as :mod:`jupyter_compute.model.schema` converts it), then broken the way a fuzzer breaks them: a value of
another type anywhere, a key or list item gone, a key nobody asked for."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from functools import cache
from typing import Any

from hypothesis import strategies as st

from jupyter_compute.model.schema import ARM_DEFINITIONS, shipped_definitions, to_json_schema

DEEPEST = 6  # objects and lists below this are left empty (ErrorDetail nests itself)
WORDS = st.text(alphabet="abcXYZ019-_ .", max_size=8)
# A JSON value of any type: what a wrong-typed field holds.
ANY_JSON = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    WORDS,
    st.lists(st.integers(0, 9), max_size=2),
    st.dictionaries(WORDS, st.integers(0, 9), max_size=2),
    st.lists(st.dictionaries(WORDS, WORDS, max_size=2), max_size=2),
)
SAMPLE_FORMATS = {
    "date-time": "2026-12-01T10:00:00.1234567+00:00",
    "duration": "PT20M",
    "uuid": "0" * 8 + "-0000" * 3 + "-" + "0" * 12,
}


@cache
def _schema(root: str) -> dict[str, Any]:
    return to_json_schema({**shipped_definitions(), **ARM_DEFINITIONS}, root, "response")


def valid(root: str) -> st.SearchStrategy[Any]:
    """Answers of the spec's ``root`` shape (every field optional, lists short)."""
    schema = _schema(root)
    return _Builder(schema["$defs"]).build(schema, 0)


class _Builder:
    def __init__(self, defs: Mapping[str, Any]) -> None:
        self.defs = defs

    def build(self, node: Any, depth: int) -> st.SearchStrategy[Any]:
        if node is True or not isinstance(node, Mapping):
            return st.none()
        if "$ref" in node:
            return self.build(self.defs[node["$ref"].rsplit("/", 1)[-1]], depth)
        if "anyOf" in node:
            return st.one_of([self.build(branch, depth) for branch in node["anyOf"]])
        branches = [b for b in node.get("allOf", []) if "if" in b]
        if branches:  # the discriminator: one subtype, its computeType set
            (prop,) = node["required"]
            return st.one_of(
                [self._subtype(b["then"], prop, b["if"]["properties"][prop]["const"], depth) for b in branches]
            )
        kind = node.get("type")
        kind = next((k for k in kind if k != "null"), "null") if isinstance(kind, list) else kind
        if "enum" in node:
            return st.sampled_from([v for v in node["enum"] if v is not None] or [None])
        if kind == "object" or "properties" in node:
            if depth >= DEEPEST:
                return st.just({})
            optional = {k: self.build(v, depth + 1) for k, v in node.get("properties", {}).items()}
            extra = node.get("additionalProperties")
            fixed = st.fixed_dictionaries({}, optional=optional)
            if isinstance(extra, Mapping):
                more = st.dictionaries(WORDS, self.build(extra, depth + 1), max_size=2)
                return st.tuples(fixed, more).map(lambda pair: {**pair[1], **pair[0]})
            return fixed
        if kind == "array":
            return (
                st.just([])
                if depth >= DEEPEST
                else st.lists(self.build(node.get("items", True), depth + 1), max_size=2)
            )
        if kind == "string":
            sample = SAMPLE_FORMATS.get(node.get("format", ""))
            return st.just(sample) if sample else WORDS
        if kind == "integer":
            return st.integers(0, 12)
        if kind == "number":
            return st.floats(0, 100, allow_nan=False)
        if kind == "boolean":
            return st.booleans()
        return st.none()

    def _subtype(self, then: Any, prop: str, value: str, depth: int) -> st.SearchStrategy[Any]:
        return self.build(then, depth).map(lambda body: {**body, prop: value} if isinstance(body, dict) else body)


def paths(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in ``value`` (the whole, each key's value, each item), as key/index paths."""
    found = [at]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*at, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += paths(item, (*at, i))
    return found


def broken(data: st.DataObject, body: Any, most: int = 3) -> Any:
    """``body`` with one to ``most`` changes drawn from ``data``: a value retyped, a key or item dropped, a key
    added."""
    body = copy.deepcopy(body)
    for _ in range(data.draw(st.integers(1, most), label="changes")):
        path = data.draw(st.sampled_from(paths(body)), label="where")
        change = data.draw(st.sampled_from(["retype", "drop", "extra"]), label="change")
        if change == "retype" and path:
            _parent(body, path)[path[-1]] = data.draw(ANY_JSON, label="value")
        elif change == "retype":
            body = data.draw(ANY_JSON, label="value")
        elif change == "drop" and path:
            del _parent(body, path)[path[-1]]
        elif change == "extra":
            target = _at(body, path)
            if isinstance(target, dict):
                target[data.draw(WORDS, label="key")] = data.draw(ANY_JSON, label="value")
    return body


def _at(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


def _parent(value: Any, path: tuple[Any, ...]) -> Any:
    return _at(value, path[:-1])
