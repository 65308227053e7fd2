"""JSON Schema validation of ARM bodies against the Azure ML REST spec (Swagger 2.0).

The Swagger definitions are turned into one JSON Schema (draft 2020-12): ``allOf`` is
flattened so unknown fields can be refused (``additionalProperties: false`` wherever the
spec lists properties), the ``computeType`` discriminator selects the subtype,
``x-nullable`` admits null, ``int32`` is bounded, and in request mode every ``readOnly``
field is refused. The package ships a trimmed copy of the spec (``data/compute-2025-12-01.json``,
see ``scripts/trim_spec.py``); tests also build the schema straight from the reference files.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any, Literal

Mode = Literal["request", "response"]
SHIPPED = "compute-2025-12-01.json"
_READ_ONLY = {"not": {}, "x-read-only": True}  # not `false`: jsonschema drops the path of false-schema errors
_INT32 = {"minimum": -(2**31), "maximum": 2**31 - 1}
_ISO_DURATION = re.compile(
    r"^P(?!$)(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?W)?(\d+(\.\d+)?D)?"
    r"(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?$"
)


def shipped_definitions() -> dict[str, Any]:
    data = json.loads(resources.files("jupyter_compute.data").joinpath(SHIPPED).read_text())
    definitions: dict[str, Any] = data["definitions"]
    return definitions


def to_json_schema(definitions: Mapping[str, Any], root: str, mode: Mode = "request") -> dict[str, Any]:
    """One self-contained JSON Schema for ``root`` (e.g. 'ComputeResource')."""
    converter = _Converter(definitions, mode)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": converter.ref(root),
        "$defs": converter.build(),
    }


class _Converter:
    def __init__(self, definitions: Mapping[str, Any], mode: Mode) -> None:
        self.defs = definitions
        self.mode = mode
        self.out: dict[str, Any] = {}
        self.pending: list[str] = []

    def ref(self, name: str) -> str:
        key = f"{name}__poly" if "discriminator" in self.defs[name] else name
        if key not in self.out and key not in self.pending:
            self.pending.append(key)
        return f"#/$defs/{key}"

    def build(self) -> dict[str, Any]:
        while self.pending:
            key = self.pending.pop()
            if key in self.out:
                continue
            self.out[key] = {}  # placeholder against recursion
            if key.endswith("__poly"):
                self.out[key] = self._poly(key[: -len("__poly")])
            else:
                self.out[key] = self._definition(key)
        return self.out

    def _name(self, ref: str) -> str:
        return ref.rsplit("/", 1)[-1]

    def _poly(self, base: str) -> dict[str, Any]:
        prop = self.defs[base]["discriminator"]
        branches = []
        values = []
        for name, definition in self.defs.items():
            value = definition.get("x-ms-discriminator-value")
            parents = [self._name(m["$ref"]) for m in definition.get("allOf", []) if "$ref" in m]
            if value and base in parents:
                values.append(value)
                self.pending.append(name)
                branches.append(
                    {
                        "if": {"properties": {prop: {"const": value}}, "required": [prop]},
                        "then": {"$ref": f"#/$defs/{name}"},
                    }
                )
        return {"type": "object", "required": [prop], "properties": {prop: {"enum": values}}, "allOf": branches}

    def _collect(self, node: Mapping[str, Any], props: dict[str, Any], required: list[str]) -> Any:
        """Merge ``node`` and its allOf parents into props/required; return explicit additionalProperties."""
        additional: Any = None
        for member in node.get("allOf", []):
            target = self.defs[self._name(member["$ref"])] if "$ref" in member else member
            found = self._collect(target, props, required)
            additional = found if found is not None else additional
        props.update(node.get("properties", {}))
        required.extend(r for r in node.get("required", []) if r not in required)
        if "additionalProperties" in node:
            additional = node["additionalProperties"]
        return additional

    def _definition(self, name: str) -> Any:
        return self.schema(self.defs[name])

    def schema(self, node: Mapping[str, Any]) -> Any:
        if "$ref" in node:
            target: dict[str, Any] = {"$ref": self.ref(self._name(node["$ref"]))}
            if node.get("readOnly") and self.mode == "request":
                return _READ_ONLY
            if node.get("x-nullable"):
                return {"anyOf": [{"type": "null"}, target]}
            return target
        if node.get("readOnly") and self.mode == "request":
            return _READ_ONLY
        kind = node.get("type")
        is_object = kind == "object" or "properties" in node or "allOf" in node
        out: dict[str, Any] = {}
        if is_object:
            props: dict[str, Any] = {}
            required: list[str] = []
            additional = self._collect(node, props, required)
            out["type"] = "object"
            out["properties"] = {k: self.schema(v) for k, v in props.items()}
            if required:
                out["required"] = required
            if isinstance(additional, Mapping):
                out["additionalProperties"] = self.schema(additional)
            elif isinstance(additional, bool):
                out["additionalProperties"] = additional
            else:
                out["additionalProperties"] = not props
        elif kind:
            out["type"] = kind
        if "enum" in node:
            out["enum"] = list(node["enum"])
        if kind == "array" and "items" in node:
            out["items"] = self.schema(node["items"])
        if kind == "integer" and node.get("format") == "int32":
            out.update(_INT32)
        if node.get("format") in ("date-time", "duration", "uuid"):
            out["format"] = node["format"]
        if "pattern" in node:
            out["pattern"] = node["pattern"]
        if node.get("x-nullable"):
            if "type" in out:
                out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        return out


def _format_checker() -> Any:
    import jsonschema

    checker = jsonschema.FormatChecker()

    @checker.checks("duration")
    def _duration(value: object) -> bool:
        return not isinstance(value, str) or bool(_ISO_DURATION.match(value))

    return checker


@cache
def _validator(root: str, mode: Mode) -> Any:
    import jsonschema

    schema = to_json_schema(shipped_definitions(), root, mode)
    return jsonschema.Draft202012Validator(schema, format_checker=_format_checker())


def validator_for(definitions: Mapping[str, Any], root: str, mode: Mode = "request") -> Any:
    import jsonschema

    return jsonschema.Draft202012Validator(to_json_schema(definitions, root, mode), format_checker=_format_checker())


def problems(body: Any, root: str = "ComputeResource", mode: Mode = "request", validator: Any = None) -> list[str]:
    """Every way ``body`` breaks the spec, as 'path: message' lines (empty when valid)."""
    checker = validator or _validator(root, mode)
    found = []
    for error in sorted(checker.iter_errors(body), key=lambda e: list(map(str, e.absolute_path))):
        leaves = _leaf_errors(error)
        for leaf in leaves:
            path = ".".join(str(p) for p in leaf.absolute_path) or "(body)"
            found.append(f"{path}: {_message(leaf)}")
    return found


def _leaf_errors(error: Any) -> list[Any]:
    if error.context:
        best = [e for e in error.context if e.validator != "type" or len(error.context) == 1]
        return [leaf for sub in (best or error.context) for leaf in _leaf_errors(sub)]
    return [error]


def _message(error: Any) -> str:
    if isinstance(error.schema, Mapping) and error.schema.get("x-read-only"):
        return "is read-only: the service sets it, a request must not"
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return f"unknown field(s) {', '.join(extra)}"
    # Never echo the offending value: it could be a secret.
    validator, expected = error.validator, error.validator_value
    if validator == "enum":
        return "is not one of the allowed values: " + ", ".join(str(v) for v in expected if v is not None)
    if validator == "const":
        return f"must be {expected}"
    if validator == "type":
        return f"must be of type {expected if isinstance(expected, str) else ' or '.join(expected)}"
    if validator == "required":
        return str(error.message).split(" is a required")[0] + " is required"
    if validator in ("minimum", "maximum"):
        return f"must be {'at least' if validator == 'minimum' else 'at most'} {expected}"
    if validator == "pattern":
        return f"does not match the pattern {expected}"
    if validator == "format":
        return f"is not a valid {expected}"
    return f"fails the {validator} rule"
