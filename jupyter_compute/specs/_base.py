"""The engine every compute kind shares: input normalisation, validation, the ARM envelope.

A spec is a frozen dataclass whose fields carry :class:`FieldInfo`. It can be built from
Python keywords (``az ml`` names, v1 SDK names, or nested YAML groups), from an ``az ml``
YAML document, or from an ARM GET body; it turns into the ARM request body with
:meth:`ComputeSpec.to_arm`. Building validates everything at once and raises one
:class:`ValidationError` listing every problem. Specs do no I/O.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, TypeVar

from ..errors import Problem, ValidationError
from ..secrets import Secret
from . import _fields as f
from ._fields import FieldInfo, Invalid, spec_field

Source = Literal["keyword", "yaml"]
S = TypeVar("S", bound="ComputeSpec")

IDENTITY_TYPES = {
    "system_assigned": "SystemAssigned",
    "systemassigned": "SystemAssigned",
    "user_assigned": "UserAssigned",
    "userassigned": "UserAssigned",
    "system_assigned,user_assigned": "SystemAssigned,UserAssigned",
    "systemassigned,userassigned": "SystemAssigned,UserAssigned",
    "system_assigned, user_assigned": "SystemAssigned,UserAssigned",
    "none": "None",
}
IDENTITY_SHOWN = ("system_assigned", "user_assigned", "system_assigned,user_assigned", "none")


@dataclass(frozen=True)
class WireContext:
    """Where a request goes: needed to expand short names (subnet, Databricks workspace) to ids."""

    subscription_id: str
    resource_group: str
    workspace: str


def user_identities(value: Any) -> tuple[str, ...]:
    """``[{resource_id: ...}]`` (YAML), a list of ids (v1 ``identity_id``) or one id."""
    if isinstance(value, (str, Mapping)):
        value = [value]
    if not isinstance(value, (list, tuple)) or not value:
        raise Invalid(f"expected a list of user-assigned identity resource ids, got {f.show(value)}")
    ids = []
    for item in value:
        if isinstance(item, Mapping):
            if set(item) - {"resource_id", "principal_id", "client_id"} or "resource_id" not in item:
                raise Invalid(f"each item needs exactly a resource_id, got {f.show(dict(item))}")
            item = item["resource_id"]
        ids.append(f.USER_IDENTITY_ID(item))
    return tuple(dict.fromkeys(ids))


@dataclass(frozen=True, kw_only=True)
class ComputeSpec:
    """Fields and behaviour common to every kind of compute."""

    KIND: ClassVar[str]  # the az ml YAML `type`
    COMPUTE_TYPE: ClassVar[str]  # the wire `computeType`
    TITLE: ClassVar[str]  # what users call it
    ATTACHED: ClassVar[bool] = False
    YAML_EXTRA: ClassVar[frozenset[str]] = frozenset({"$schema", "type"})

    name: str = spec_field(f.compute_name, "Name of the compute in the workspace", yaml="name")
    description: str | None = spec_field(
        f.bounded_text(1024),
        "Free-text description",
        yaml="description",
        v1=("description",),
        cli=("--description",),
        advanced=True,
    )
    location: str | None = spec_field(
        f.text,
        "Azure region of the compute; defaults to the workspace's",
        yaml="location",
        v1=("location",),
        cli=("--location",),
        advanced=True,
    )
    tags: tuple[tuple[str, str], ...] = spec_field(
        f.string_map,
        "Tags as KEY=VALUE pairs",
        default=(),
        yaml="tags",
        v1=("tags",),
        cli=("--tags",),
        advanced=True,
        metavar="KEY=VALUE,...",
    )
    compute_location: str | None = spec_field(
        f.text,
        "Region of the underlying compute, when it differs from the workspace's (create only)",
        yaml="compute_location",
        v1=("compute_location",),
        cli=("--compute-location",),
        advanced=True,
    )
    disable_local_auth: bool | None = spec_field(
        f.boolean,
        "Allow only Microsoft Entra ID / managed identity authentication (create only)",
        yaml="disable_local_auth",
        cli=("--disable-local-auth",),
        advanced=True,
    )

    # --- building --------------------------------------------------------------------------

    @classmethod
    def from_keywords(cls: type[S], **keywords: Any) -> S:
        """Build from ``az ml`` names, v1 SDK names, or nested YAML groups, in any mix."""
        return cls._build(keywords, "keyword")

    @classmethod
    def from_yaml(cls: type[S], document: Mapping[str, Any]) -> S:
        """Build from a parsed ``az ml`` compute YAML document (keys as in the az ml schema)."""
        kind = document.get("type")
        if kind is not None and str(kind).lower() != cls.KIND:
            raise ValidationError.one("type", f"{f.show(kind)} does not match {cls.KIND}", cls.TITLE)
        return cls._build(document, "yaml")

    @classmethod
    def fields_info(cls) -> Iterator[tuple[str, FieldInfo]]:
        for fld in dataclasses.fields(cls):
            info = fld.metadata.get("info")
            if isinstance(info, FieldInfo):
                yield fld.name, info

    @classmethod
    def yaml_keys(cls) -> dict[str, str]:
        """Dotted YAML key -> field name."""
        return {info.yaml: name for name, info in cls.fields_info() if info.yaml}

    @classmethod
    def _build(cls: type[S], raw: Mapping[str, Any], source: Source) -> S:
        problems: list[Problem] = []
        given: dict[str, tuple[str, Any]] = {}
        for label, field_name, value in cls._normalise(raw, source, problems):
            if value is None:
                continue
            if field_name in given:
                problems.append(Problem(label, f"given twice (also as {given[field_name][0]})"))
                continue
            given[field_name] = (label, value)
        parsed: dict[str, Any] = {}
        infos = dict(cls.fields_info())
        for field_name, (label, value) in given.items():
            try:
                parsed[field_name] = infos[field_name].parse(value)
            except Invalid as exc:
                problems.append(Problem(label, str(exc)))
        if "name" not in given:
            problems.insert(0, Problem("name", "is required; " + f.COMPUTE_NAME_RULE))
        if problems:
            raise ValidationError(problems, cls.TITLE)
        spec = cls(**parsed)
        labels = {name: label for name, (label, _) in given.items()}
        problems = [Problem(labels.get(p.field, _label_for(cls, p.field, source)), p.message) for p in spec.check()]
        if problems:
            raise ValidationError(problems, cls.TITLE)
        return spec

    @classmethod
    def _normalise(
        cls, raw: Mapping[str, Any], source: Source, problems: list[Problem]
    ) -> Iterator[tuple[str, str, Any]]:
        """Yield (label as the user wrote it, field name, raw value)."""
        yaml_keys = cls.yaml_keys()
        groups = {key.rsplit(".", 1)[0] for key in yaml_keys if "." in key}
        names: dict[str, str] = {}
        if source == "keyword":
            for field_name, info in cls.fields_info():
                names[field_name] = field_name
                for alias in info.v1:
                    names.setdefault(alias, field_name)
            names.update({k: v for k, v in yaml_keys.items() if "." not in k})
        else:
            names = {k: v for k, v in yaml_keys.items() if "." not in k}
        yield from cls._walk(raw, "", names, yaml_keys, groups, problems, source)

    @classmethod
    def _walk(
        cls,
        raw: Mapping[Any, Any],
        prefix: str,
        names: Mapping[str, str],
        yaml_keys: Mapping[str, str],
        groups: set[str],
        problems: list[Problem],
        source: Source,
    ) -> Iterator[tuple[str, str, Any]]:
        for key, value in raw.items():
            label = f"{prefix}{key}"
            if not isinstance(key, str):
                problems.append(Problem(str(key), "keys must be text"))
                continue
            if not prefix and key in cls.YAML_EXTRA:
                continue
            if prefix:
                field_name = yaml_keys.get(label)
            else:
                field_name = names.get(key)
            if field_name is not None:
                yield label, field_name, value
            elif label in groups:
                if value is None:
                    continue
                if not isinstance(value, Mapping):
                    problems.append(Problem(label, f"expected a mapping of settings, got {f.show(value)}"))
                    continue
                yield from cls._walk(value, label + ".", names, yaml_keys, groups, problems, source)
            else:
                known = [k for k in yaml_keys if k.startswith(prefix)] if prefix else list(names) + sorted(groups)
                problems.append(Problem(label, _unknown_key_text(label, known, cls)))

    def check(self) -> list[Problem]:
        """Cross-field rules; problems name fields by field name."""
        problems: list[Problem] = []
        if isinstance(self, WithIdentity):
            problems += _identity_problems(self.identity_type, self.user_assigned_identities)
        return problems

    def replace(self: S, **changes: Any) -> S:
        """A copy with some fields changed, validated again."""
        values = {name: getattr(self, name) for name, _ in self.fields_info()}
        values.update(changes)
        return type(self).from_keywords(**{k: v for k, v in values.items() if v is not None and v != ()})

    # --- secrets ---------------------------------------------------------------------------

    def secret_fields(self) -> dict[str, Secret]:
        return {
            name: value
            for name, info in self.fields_info()
            if info.secret and isinstance(value := getattr(self, name), Secret)
        }

    def resolve_secrets(self: S) -> S:
        """Read every env/file secret now, so a missing one fails before sending."""
        problems: list[Problem] = []
        resolved: dict[str, Secret] = {}
        for name, value in self.secret_fields().items():
            try:
                resolved[name] = value.resolve(name)
            except ValidationError as exc:
                problems += exc.problems
        if problems:
            raise ValidationError(problems, self.TITLE)
        changes: dict[str, Any] = dict(resolved)
        return dataclasses.replace(self, **changes)

    # --- to and from the wire --------------------------------------------------------------

    def to_arm(self, ctx: WireContext) -> dict[str, Any]:
        """The ARM PUT body. Secret values stay :class:`Secret` objects until the transport."""
        body: dict[str, Any] = {}
        if self.location:
            body["location"] = self.location
        if self.tags:
            body["tags"] = dict(self.tags)
        identity = self._identity_to_arm()
        if identity is not None:
            body["identity"] = identity
        properties: dict[str, Any] = {"computeType": self.COMPUTE_TYPE}
        if self.description is not None:
            properties["description"] = self.description
        if self.compute_location is not None:
            properties["computeLocation"] = self.compute_location
        if self.disable_local_auth is not None:
            properties["disableLocalAuth"] = self.disable_local_auth
        properties.update(self._properties_to_arm(ctx))
        body["properties"] = properties
        return body

    def _properties_to_arm(self, ctx: WireContext) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def from_arm(cls: type[S], body: Mapping[str, Any]) -> S:
        """The spec of an ARM GET (or PUT) body; tolerant of extra read-only fields."""
        props = body.get("properties") or {}
        values: dict[str, Any] = {
            "name": body.get("name") or "",
            "description": props.get("description"),
            "location": body.get("location"),
            "tags": tuple(sorted((body.get("tags") or {}).items())),
            "compute_location": props.get("computeLocation"),
            "disable_local_auth": props.get("disableLocalAuth"),
        }
        if "identity_type" in {fld.name for fld in dataclasses.fields(cls)}:
            values.update(_identity_from_arm(body.get("identity")))
        values.update(cls._fields_from_arm(props))
        return cls(**values)

    @classmethod
    def _fields_from_arm(cls, props: Mapping[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def _identity_to_arm(self) -> dict[str, Any] | None:
        if not isinstance(self, WithIdentity) or self.identity_type is None:
            return None
        identity: dict[str, Any] = {"type": self.identity_type}
        if self.user_assigned_identities:
            identity["userAssignedIdentities"] = {rid: {} for rid in self.user_assigned_identities}
        return identity

    def to_yaml_dict(self) -> dict[str, Any]:
        """The ``az ml`` YAML document of this spec (secrets masked)."""
        doc: dict[str, Any] = {"name": self.name, "type": self.KIND}
        for name, info in self.fields_info():
            value = getattr(self, name)
            if name == "name" or not info.yaml or value is None or value == () or value == {}:
                continue
            if name == "user_assigned_identities":
                value = [{"resource_id": rid} for rid in value]
            elif name == "tags":
                value = dict(value)
            elif isinstance(value, Secret):
                value = str(value)
            else:
                value = _plain(value)
            target = doc
            *parents, leaf = info.yaml.split(".")
            for parent in parents:
                target = target.setdefault(parent, {})
            target[leaf] = value
        return doc


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        to_yaml = getattr(value, "to_yaml", None)
        if callable(to_yaml):
            return to_yaml()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return f.thaw(value)


@dataclass(frozen=True, kw_only=True)
class WithIdentity:
    """The managed-identity fields, for kinds that take one (mixed into their spec)."""

    identity_type: str | None = spec_field(
        f.choice(IDENTITY_TYPES, IDENTITY_SHOWN),
        "Managed identity: system_assigned or user_assigned",
        yaml="identity.type",
        v1=("identity_type",),
        cli=("--identity-type",),
        choices=IDENTITY_SHOWN,
        advanced=True,
    )
    user_assigned_identities: tuple[str, ...] = spec_field(
        user_identities,
        "Resource ids of user-assigned identities",
        default=(),
        yaml="identity.user_assigned_identities",
        v1=("identity_id",),
        cli=("--user-assigned-identities",),
        advanced=True,
        metavar="ID",
    )


def _identity_problems(identity_type: str | None, ids: tuple[str, ...]) -> list[Problem]:
    if identity_type is None:
        return []
    needs_ids = "UserAssigned" in identity_type
    if needs_ids and not ids:
        return [
            Problem(
                "user_assigned_identities",
                f"identity type {identity_type} needs at least one user-assigned identity resource id",
            )
        ]
    if not needs_ids and ids:
        return [
            Problem(
                "user_assigned_identities",
                f"user-assigned identities were given but the identity type is {identity_type}; use user_assigned",
            )
        ]
    return []


def _identity_from_arm(identity: Any) -> dict[str, Any]:
    if not isinstance(identity, Mapping) or not identity.get("type"):
        return {}
    ids = tuple((identity.get("userAssignedIdentities") or {}).keys())
    return {"identity_type": identity["type"], "user_assigned_identities": ids}


def _label_for(cls: type[ComputeSpec], field_name: str, source: Source) -> str:
    if source == "yaml":
        return {name: key for key, name in cls.yaml_keys().items()}.get(field_name, field_name)
    return field_name


def _unknown_key_text(label: str, known: list[str], cls: type[ComputeSpec]) -> str:
    leaf = label.rsplit(".", 1)[-1]
    candidates = {k.rsplit(".", 1)[-1] if "." in label else k: k for k in known}
    close = difflib.get_close_matches(leaf, list(candidates), n=1, cutoff=0.6)
    hint = f"; did you mean {candidates[close[0]]!r}?" if close else ""
    return f"is not a setting of a {cls.TITLE}{hint}"
