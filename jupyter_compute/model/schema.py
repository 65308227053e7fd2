"""Validation of ARM bodies against the Azure ML REST spec (Swagger 2.0), as JSON Schema.

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
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

Mode = Literal["request", "response"]
#: The ARM api-version of the shipped spec (its ``apiVersion``): the one the package speaks.
API_VERSION = "2025-12-01"
SHIPPED = f"compute-{API_VERSION}.json"
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
            if (node.get("x-ms-enum") or {}).get("modelAsString"):
                # The service reads these in any case: a recorded create sent "stop", "week", "monday" (201)
                # and the GET gave "Stop", "Week", "Monday" back.
                out["x-any-case"] = True
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


def _any_case(schema: Mapping[str, Any], value: Any) -> bool:
    """Whether ``value`` is one of the enum's values but for case, where the service reads it in any case."""
    if not schema.get("x-any-case") or not isinstance(value, str):
        return False
    return value.lower() in {v.lower() for v in schema["enum"] if isinstance(v, str)}


_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_FORMATS = {"duration": _ISO_DURATION, "uuid": _UUID, "date-time": _DATE_TIME}
_TYPES: dict[str, Any] = {
    "object": lambda v: isinstance(v, Mapping),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


@dataclass(frozen=True)
class SchemaError:
    path: tuple[str | int, ...]
    message: str

    def __str__(self) -> str:
        return f"{'.'.join(str(p) for p in self.path) or '(body)'}: {self.message}"


class SubsetValidator:
    """Validates against the schemas :func:`to_json_schema` writes, which use a small part of JSON Schema.

    It exists because importing ``jsonschema`` can take seconds (its optional format checkers pull in
    heavy grammars); the test suite checks that both agree on every body it builds.
    """

    def __init__(self, schema: Mapping[str, Any], *, lenient: bool = False) -> None:
        self.root = schema
        self.defs: Mapping[str, Any] = schema.get("$defs", {})
        # Lenient (answers): types only; a field's null, unknown fields, missing fields and unlisted values pass.
        self.lenient = lenient
        self._probe = SubsetValidator(schema) if lenient else self  # a discriminator's `if` stays exact

    def errors(self, value: Any) -> list[SchemaError]:
        found: list[SchemaError] = []
        self._check(self.root, value, (), found)
        return found

    def _check(self, schema: Any, value: Any, path: tuple[str | int, ...], out: list[SchemaError]) -> None:
        if schema is True:
            return
        if "$ref" in schema:
            self._check(self.defs[schema["$ref"].rsplit("/", 1)[-1]], value, path, out)
        if schema.get("x-read-only"):
            out.append(SchemaError(path, "is read-only: the service sets it, a request must not"))
            return
        if "anyOf" in schema:
            attempts: list[list[SchemaError]] = []
            for branch in schema["anyOf"]:
                errors: list[SchemaError] = []
                self._check(branch, value, path, errors)
                if not errors:
                    break
                attempts.append(errors)
            else:
                best: list[SchemaError] = min(attempts, key=_branch_rank)
                out.extend(best)
        for branch in schema.get("allOf", []):
            if "if" in branch:
                probe: list[SchemaError] = []
                self._probe._check(branch["if"], value, path, probe)
                if not probe:
                    self._check(branch["then"], value, path, out)
            else:
                self._check(branch, value, path, out)
        kind = schema.get("type")
        if kind is not None:
            kinds = [kind] if isinstance(kind, str) else kind
            if not any(_TYPES[k](value) for k in kinds):
                out.append(SchemaError(path, f"must be of type {' or '.join(k for k in kinds)}"))
                return
        if isinstance(value, Mapping):
            self._object(schema, value, path, out)
        if isinstance(value, list) and "items" in schema:
            for i, item in enumerate(value):
                self._check(schema["items"], item, (*path, i), out)
        if not self.lenient:
            self._values(schema, value, path, out)

    def _values(self, schema: Any, value: Any, path: tuple[str | int, ...], out: list[SchemaError]) -> None:
        """What a request's values must be beyond their types: listed, in range, of their pattern and format."""
        if "enum" in schema and value not in schema["enum"] and not _any_case(schema, value):
            allowed = ", ".join(str(v) for v in schema["enum"] if v is not None)
            out.append(SchemaError(path, f"is not one of the allowed values: {allowed}"))
        if "const" in schema and value != schema["const"]:
            out.append(SchemaError(path, f"must be {schema['const']}"))
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if "minimum" in schema and value < schema["minimum"]:
                out.append(SchemaError(path, f"must be at least {schema['minimum']}"))
            if "maximum" in schema and value > schema["maximum"]:
                out.append(SchemaError(path, f"must be at most {schema['maximum']}"))
        if isinstance(value, str):
            if "pattern" in schema and not re.search(schema["pattern"], value):
                out.append(SchemaError(path, f"does not match the pattern {schema['pattern']}"))
            checker = _FORMATS.get(schema.get("format", ""))
            if checker is not None and not checker.match(value):
                out.append(SchemaError(path, f"is not a valid {schema['format']}"))

    def _object(
        self, schema: Any, value: Mapping[str, Any], path: tuple[str | int, ...], out: list[SchemaError]
    ) -> None:
        props = schema.get("properties", {})
        for name in () if self.lenient else schema.get("required", []):
            if name not in value:
                out.append(SchemaError(path, f"{name!r} is required"))
        extra = schema.get("additionalProperties", True)
        unknown = []
        for key, item in value.items():
            if item is None and self.lenient:  # the service sends null for fields it has no value for
                continue
            if key in props:
                self._check(props[key], item, (*path, key), out)
            elif extra is False:
                unknown.append(key)
            elif isinstance(extra, Mapping):
                self._check(extra, item, (*path, key), out)
        if unknown and "type" in schema and not self.lenient:
            out.append(SchemaError(path, f"unknown field(s) {', '.join(sorted(map(str, unknown)))}"))


def _branch_rank(errors: list[SchemaError]) -> tuple[bool, int]:
    """Of the failed anyOf branches, report the closest: not a bare type mismatch (the null branch)."""
    return (len(errors) == 1 and "must be of type" in errors[0].message, len(errors))


# Request bodies of preview-only routes that no public spec describes, as the one client that sends them
# declares them: ``SsoSetting`` (POST …/enableSso) from azure-ai-ml's vendored v2024_04_01_preview models
# (``enable_sso`` ↔ ``enableSSO``, a boolean; the only attribute).
PREVIEW_DEFINITIONS: dict[str, Any] = {
    "SsoSetting": {
        "type": "object",
        "description": "Single sign-on settings of the compute instance.",
        "properties": {"enableSSO": {"type": "boolean", "description": "The value of sso settings."}},
    },
}


@cache
def _validator(root: str, mode: Mode) -> SubsetValidator:
    return SubsetValidator(to_json_schema({**shipped_definitions(), **PREVIEW_DEFINITIONS}, root, mode))


def validator_for(definitions: Mapping[str, Any], root: str, mode: Mode = "request") -> SubsetValidator:
    return SubsetValidator(to_json_schema(definitions, root, mode))


def problems(body: Any, root: str = "ComputeResource", mode: Mode = "request", validator: Any = None) -> list[str]:
    """Every way ``body`` breaks the spec, as 'path: message' lines (empty when valid). Values are never echoed."""
    checker = validator or _validator(root, mode)
    return sorted({str(e) for e in checker.errors(body)})


# ARM's own shapes the Azure ML spec does not carry: an async operation's status (ARM common-types'
# OperationStatusResult), the fields of a workspace this package reads (its region; v1's get_details()), and
# the two lists that find workspaces (Microsoft.Resources' subscriptions, the provider's workspaces).
ARM_DEFINITIONS: dict[str, Any] = {
    "OperationStatus": {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "status": {"type": "string"},
            "percentComplete": {"type": "number"},
            "startTime": {"type": "string"},
            "endTime": {"type": "string"},
            "error": {"$ref": "#/definitions/ErrorDetail"},
        },
    },
    "Workspace": {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "type": {"type": "string"},
            "location": {"type": "string"},
            "tags": {"type": "object", "additionalProperties": {"type": "string"}},
            "sku": {"$ref": "#/definitions/Sku"},
            "identity": {"$ref": "#/definitions/ManagedServiceIdentity"},
            "kind": {"type": "string"},
            "properties": {"type": "object"},
        },
    },
    "WorkspaceListResult": {
        "type": "object",
        "properties": {
            "value": {"type": "array", "items": {"$ref": "#/definitions/Workspace"}},
            "nextLink": {"type": "string"},
        },
    },
    "SubscriptionListResult": {
        "type": "object",
        "properties": {
            "value": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string"},
                        "subscriptionId": {"type": "string"},
                        "displayName": {"type": "string"},
                        "state": {"type": "string"},
                        "tenantId": {"type": "string"},
                    },
                },
            },
            "nextLink": {"type": "string"},
        },
    },
}


@cache
def _answer_validator(root: str) -> SubsetValidator:
    definitions = {**shipped_definitions(), **ARM_DEFINITIONS}
    return SubsetValidator(to_json_schema(definitions, root, "response"), lenient=True)


@dataclass(frozen=True)
class Shape:
    """What a successful answer must look like: the spec's ``root``, and whether it may have no body at all
    (a write's answer, a Location poll that is done)."""

    root: str
    may_be_empty: bool = False

    def problems(self, body: Any) -> list[str]:
        if body is None:
            return [] if self.may_be_empty else ["(body): it is empty"]
        return answer_problems(body, self.root)


def answer_problems(body: Any, root: str) -> list[str]:
    """How an answer breaks the shape of the spec's ``root`` (e.g. 'PaginatedComputeResourcesList'), as
    'path: message' lines (empty when readable). Only types count: the service adds fields, leaves some
    out, sends null and new enum values, and none of that stops a reader; a string where a number belongs
    does. Values are never echoed."""
    return sorted({str(e) for e in _answer_validator(root).errors(body)})
