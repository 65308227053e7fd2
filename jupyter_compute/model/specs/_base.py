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
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, TypeVar

from ...errors import Problem, ValidationError
from .. import kinds
from ..kinds import Kind
from ..secrets import Secret
from . import _fields as f
from ._fields import FieldInfo, Invalid, spec_field

Source = Literal["keyword", "yaml"]
S = TypeVar("S", bound="ComputeSpec")

_REGISTERED: dict[str, type[ComputeSpec]] = {}  # each kind's spec class, by grammar word, as its module loads


def registered(word: str) -> type[ComputeSpec]:
    """The spec class that named the row ``word`` (its module must have been imported)."""
    return _REGISTERED[word]


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
            # principal_id, client_id and tenant_id are what `az ml compute show` writes back (read-only)
            if set(item) - {"resource_id", "principal_id", "client_id", "tenant_id"} or "resource_id" not in item:
                raise Invalid(f"each item needs exactly a resource_id, got {f.show(dict(item))}")
            item = item["resource_id"]
        ids.append(f.USER_IDENTITY_ID(item))
    return tuple(dict.fromkeys(ids))


@dataclass(frozen=True, kw_only=True)
class ComputeSpec:
    """Fields and behaviour common to every kind of compute."""

    # A kind's spec class names its row (`class AmlComputeSpec(ComputeSpec, kind="cluster")`), and these
    # wire facts come from it (kinds.py owns them); a class without a row (OtherComputeSpec) sets them.
    KIND: ClassVar[Kind | None] = None
    YAML_TYPE: ClassVar[str]  # the az ml YAML `type`
    COMPUTE_TYPE: ClassVar[str]  # the wire `computeType`
    TITLE: ClassVar[str]  # what users call it
    ATTACHED: ClassVar[bool] = False
    YAML_EXTRA: ClassVar[frozenset[str]] = frozenset({"$schema", "type"})
    # Dotted YAML keys `az ml compute show -o yaml` writes that az ml's schema reads as dump-only
    # (azure-ai-ml _schema/compute/compute.py and the kind's schema): ignored with a note, not refused.
    READ_ONLY: ClassVar[frozenset[str]] = frozenset(
        {
            "id",
            "provisioning_state",
            "provisioning_errors",
            "created_on",
            "resourceGroup",  # added by the az CLI to what it prints
            "identity.principal_id",
            "identity.tenant_id",
        }
    )
    # Keys az ml writes with a default but that API 2025-12-01 has no field for: the default is what the
    # service does anyway, so it is ignored with the read-only ones; any other value is refused.
    DEFAULTED: ClassVar[Mapping[str, Any]] = {}

    def __init_subclass__(cls, kind: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if kind is not None:
            row = kinds.by_word(kind)
            cls.KIND = row
            cls.YAML_TYPE, cls.COMPUTE_TYPE, cls.TITLE, cls.ATTACHED = (
                row.yaml_type,
                row.compute_type,
                row.title,
                row.attached,
            )
            _REGISTERED[kind] = cls

    # What was left out when the spec was read (read-only keys, masked secrets): one note for the user.
    notes: tuple[str, ...] = dataclasses.field(default=(), compare=False, repr=False)

    name: str = spec_field(f.compute_name, "Name of the compute in the workspace", yaml="name")
    description: str | None = spec_field(
        f.bounded_text(1024),
        "Free-text description",
        yaml="description",
        v1=("description",),
        cli=f.DESCRIPTION_FLAGS,
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
        cli=f.TAGS_FLAGS,
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
        label="Entra ID only",
    )

    # --- building --------------------------------------------------------------------------

    @classmethod
    def from_keywords(cls: type[S], **keywords: Any) -> S:
        """Build from ``az ml`` names, v1 SDK names, or nested YAML groups, in any mix."""
        return cls._build(keywords, "keyword")

    @classmethod
    def from_yaml(cls: type[S], document: Mapping[str, Any], overrides: Mapping[str, Any] | None = None) -> S:
        """Build from a parsed ``az ml`` compute YAML document (keys as in the az ml schema).

        ``overrides`` are keywords (as :meth:`from_keywords` takes) that win over the document's keys;
        the rules are checked once, on the merged settings, so a flag can supply what the file lacks."""
        kind = document.get("type")
        if kind is not None and str(kind).lower() != cls.YAML_TYPE:
            raise ValidationError.one("type", f"{f.show(kind)} does not match {cls.YAML_TYPE}", cls.TITLE)
        return cls._build(document, "yaml", overrides or {})

    @classmethod
    def fields_info(cls) -> Iterator[tuple[str, FieldInfo]]:
        for fld in dataclasses.fields(cls):
            info = fld.metadata.get("info")
            if isinstance(info, FieldInfo):
                yield fld.name, info

    @classmethod
    def yaml_keys(cls) -> dict[str, str]:
        """Dotted YAML key -> field name (a field's main key and the other keys az ml reads into it)."""
        keys = {also: name for name, info in cls.fields_info() for also in info.yaml_also}
        keys.update({info.yaml: name for name, info in cls.fields_info() if info.yaml})
        return keys

    @classmethod
    def _build(cls: type[S], raw: Mapping[str, Any], source: Source, overrides: Mapping[str, Any] | None = None) -> S:
        problems: list[Problem] = []
        ignored: list[str] = []
        given: dict[str, tuple[str, Any]] = {}
        infos = dict(cls.fields_info())
        if overrides:
            kept = cls._build_given(overrides, "keyword", problems, [], infos)
            given = cls._build_given(raw, source, problems, ignored, infos)
            given.update(kept)
        else:
            given = cls._build_given(raw, source, problems, ignored, infos)
        parsed: dict[str, Any] = {}
        for field_name, (label, value) in given.items():
            try:
                parsed[field_name] = infos[field_name].parse(value)
            except Invalid as exc:
                problems.append(Problem(label, str(exc)))
        if "name" not in given:
            problems.insert(
                0, Problem("name", "is required; " + f.COMPUTE_NAME_RULE, form="enter a name: " + f.COMPUTE_NAME_RULE)
            )
        if problems:  # with the cross-field rules of what could be read, so one problem never hides another
            raise ValidationError(problems + cls._partial_problems(parsed, given, problems), cls.TITLE)
        if ignored:
            parsed["notes"] = (f"note: ignored what {cls.TITLE} settings cannot set: {', '.join(ignored)}",)
        spec = cls(**parsed)
        labels = {name: label for name, (label, _) in given.items()}
        problems = [
            dataclasses.replace(p, field=labels.get(p.field, _label_for(cls, p.field, source))) for p in spec.check()
        ]
        if problems:
            raise ValidationError(problems, cls.TITLE)
        return spec

    @classmethod
    def _partial_problems(
        cls, parsed: Mapping[str, Any], given: Mapping[str, tuple[str, Any]], problems: list[Problem]
    ) -> list[Problem]:
        """The cross-field rules' problems of the values that could be read, on fields with no problem yet
        (a field that could not be read counts as given: "required" is not said of it)."""
        try:
            partial = cls(**parsed)
        except (TypeError, ValueError):  # a kind whose construction needs what could not be read
            return []
        failed = set(given) - set(parsed) | {p.field for p in problems}
        labels = {name: label for name, (label, _) in given.items()}
        return [
            dataclasses.replace(p, field=labels.get(p.field, p.field)) for p in partial.check() if p.field not in failed
        ]

    @classmethod
    def required(cls, *names: str, message: str) -> Problem:
        """One of ``names`` must be given: ``message`` says how on a command line (its options), and the
        form's words name the fields by their labels ("enter an admin password or an SSH private key file")."""
        infos = dict(cls.fields_info())
        words = [f.field_words(name, infos[name]) for name in names]
        listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
        return Problem(names[0], message, form=f"enter {listed}")

    @classmethod
    def _build_given(
        cls,
        raw: Mapping[str, Any],
        source: Source,
        problems: list[Problem],
        ignored: list[str],
        infos: Mapping[str, FieldInfo],
    ) -> dict[str, tuple[str, Any]]:
        """Field name -> (label as written, raw value) of one document or set of keywords."""
        given: dict[str, tuple[str, Any]] = {}
        for label, field_name, value in cls._normalise(raw, source, problems, ignored):
            if value is None:
                continue
            if source == "yaml" and _is_masked(value) and infos[field_name].secret:
                ignored.append(f"{label} (masked)")  # a `show` of this compute wrote '***' for the secret
                continue
            if field_name in given:
                earlier = given[field_name][0]
                winner = cls._yaml_winner(field_name, earlier, label) if source == "yaml" else None
                if winner is None:
                    problems.append(Problem(label, f"given twice (also as {earlier})"))
                elif winner == label:
                    given[field_name] = (label, value)
                continue
            given[field_name] = (label, value)
        return given

    @classmethod
    def _yaml_winner(cls, field_name: str, first: str, second: str) -> str | None:
        """Which of two YAML keys of one field az ml uses, or None when giving both is a mistake."""
        info = dict(cls.fields_info())[field_name]
        if info.yaml_also and {first, second} <= {info.yaml, *info.yaml_also}:
            return info.yaml if info.yaml in (first, second) else first
        return None

    @classmethod
    def _normalise(
        cls, raw: Mapping[str, Any], source: Source, problems: list[Problem], ignored: list[str]
    ) -> Iterator[tuple[str, str, Any]]:
        """Yield (label as the user wrote it, field name, raw value); read-only YAML keys go to ``ignored``."""
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
        yield from cls._walk(raw, "", _Walk(names, yaml_keys, groups, problems, ignored, source))

    @classmethod
    def _walk(cls, raw: Mapping[Any, Any], prefix: str, w: _Walk) -> Iterator[tuple[str, str, Any]]:
        for key, value in raw.items():
            label = f"{prefix}{key}"
            if not isinstance(key, str):
                w.problems.append(Problem(str(key), "keys must be text"))
                continue
            if not prefix and key in cls.YAML_EXTRA:
                continue
            field_name = w.yaml_keys.get(label) if prefix else w.names.get(key)
            if field_name is not None:
                yield label, field_name, value
            elif label in w.groups or (w.source == "yaml" and label in cls._read_only_groups()):
                if value is None:
                    continue
                if not isinstance(value, Mapping):
                    w.problems.append(Problem(label, f"expected a mapping of settings, got {f.show(value)}"))
                    continue
                yield from cls._walk(value, label + ".", w)
            elif w.source == "yaml" and cls._ignorable(label, value, w.problems):
                w.ignored.append(label)
            elif w.source != "yaml" or label not in cls.DEFAULTED:
                if prefix:
                    known = [k for k in w.yaml_keys if k.startswith(prefix)]
                else:
                    known = list(w.names) + sorted(w.groups)
                present = {f"{prefix}{k}" for k in raw if isinstance(k, str)}  # never suggest what is there
                w.problems.append(Problem(label, _unknown_key_text(label, [k for k in known if k not in present], cls)))

    @classmethod
    def _read_only_groups(cls) -> set[str]:
        """Groups that only hold read-only keys (e.g. an instance's ssh_settings as az ml shows it)."""
        return {key.rsplit(".", 1)[0] for key in cls.READ_ONLY if "." in key}

    @classmethod
    def _ignorable(cls, label: str, value: Any, problems: list[Problem]) -> bool:
        """A read-only key, or a key az ml writes whose value is the service's default."""
        if label in cls.READ_ONLY:
            return True
        if label in cls.DEFAULTED:
            if value == cls.DEFAULTED[label] or value is None:
                return True
            problems.append(
                Problem(
                    label,
                    f"{f.show(value)} cannot be set: API version 2025-12-01, which this tool sends, has no such "
                    f"setting (only its default, {f.show(cls.DEFAULTED[label])}, is accepted)",
                )
            )
        return False

    def check(self) -> list[Problem]:
        """Cross-field rules; problems name fields by field name."""
        problems: list[Problem] = []
        if isinstance(self, WithIdentity):
            problems += _identity_problems(self.identity_type, self.user_assigned_identities)
        return problems

    def replace(self: S, **changes: Any) -> S:
        """A copy with some fields changed, validated again (the notes of how it was read are kept)."""
        values = {name: getattr(self, name) for name, _ in self.fields_info()}
        values.update(changes)
        changed = type(self).from_keywords(**{k: v for k, v in values.items() if v is not None and v != ()})
        return dataclasses.replace(changed, notes=self.notes) if self.notes else changed

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
        doc: dict[str, Any] = {"name": self.name, "type": self.YAML_TYPE}
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

    # The service takes a system-assigned or a user-assigned identity on this kind, not both at once.
    ONE_IDENTITY_TYPE: ClassVar[bool] = False

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
        input="many",
        label="User-assigned identities",
    )


@dataclass(frozen=True)
class _Walk:
    """What one walk over a document needs: the key tables, and where problems and ignored keys go."""

    names: Mapping[str, str]
    yaml_keys: Mapping[str, str]
    groups: set[str]
    problems: list[Problem]
    ignored: list[str]
    source: Source


def _is_masked(value: Any) -> bool:
    from ..secrets import MASK

    return isinstance(value, str) and value == MASK


def identity_ids(*, system_assigned: bool, user_assigned: Sequence[str]) -> tuple[str, ...]:
    """The user-assigned identity ids an ``identity`` verb adds, checked (ValidationError naming each bad one,
    or that neither a system-assigned nor a user-assigned identity was asked for)."""
    problems = []
    ids = []
    for rid in user_assigned:
        try:
            ids.append(f.USER_IDENTITY_ID(rid))
        except Invalid as exc:
            problems.append(Problem("user_assigned", str(exc)))
    if not system_assigned and not ids and not problems:
        problems.append(Problem("identity", "give --system-assigned or --user-assigned ID"))
    if problems:
        raise ValidationError(problems, "identity")
    return tuple(ids)


def with_identity(spec: ComputeSpec, *, system_assigned: bool, user_assigned: Sequence[str], kind: str) -> ComputeSpec:
    """``spec`` (of a compute that exists, a ``kind``) with a system-assigned identity and the user-assigned
    identity ids ``user_assigned`` added to those it has. Refused (ValidationError) when the kind takes no
    managed identity, or takes one type at a time and would then have both."""
    name = spec.name
    if not isinstance(spec, WithIdentity):
        raise ValidationError.one("name", f"{name} is a {kind}, which takes no managed identity")
    types = set((spec.identity_type or "None").replace("None", "").split(",")) - {""}
    if system_assigned:
        types.add("SystemAssigned")
    if user_assigned:
        types.add("UserAssigned")
    new_type = ",".join(t for t in ("SystemAssigned", "UserAssigned") if t in types)
    merged = tuple(dict.fromkeys((*spec.user_assigned_identities, *user_assigned)))
    problems = _identity_problems(new_type, merged)
    if new_type == "SystemAssigned,UserAssigned" and spec.ONE_IDENTITY_TYPE:
        problems.append(
            Problem(
                "identity",
                f"a {kind} takes a system-assigned or user-assigned "
                f"identity, not both; {name} already has {spec.identity_type}",
            )
        )
    if problems:
        raise ValidationError(problems, "identity")
    changes: dict[str, Any] = {"identity_type": new_type, "user_assigned_identities": merged}
    updated: ComputeSpec = dataclasses.replace(spec, **changes)
    return updated


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
        return {name: info.yaml for name, info in cls.fields_info() if info.yaml}.get(field_name, field_name)
    return field_name


def _unknown_key_text(label: str, known: list[str], cls: type[ComputeSpec]) -> str:
    leaf = label.rsplit(".", 1)[-1]
    candidates = {k.rsplit(".", 1)[-1] if "." in label else k: k for k in known}
    close = difflib.get_close_matches(leaf, list(candidates), n=1, cutoff=0.6)
    hint = f"; did you mean {candidates[close[0]]!r}?" if close else ""
    return f"is not a setting of a {cls.TITLE}{hint}"
