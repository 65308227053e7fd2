"""What ``update NAME`` may change on a compute, and the one request each change takes.

:meth:`Changes.checked` reads the user's values and refuses, before any request, what no compute takes
together; :meth:`Changes.plan` then looks at the compute as read (its kind, its state, its schedules) and
picks the request, or refuses what the service does not allow, naming the field, before anything is sent:

* an instance's idle shutdown alone: ``POST …/updateIdleShutdownSetting`` ``{"idleTimeBeforeShutdown": "PT60M"}``
  (15 minutes to 3 days; the route is an example of 2025-12-01 the stable paths do not list);
* an instance's schedules (added, replaced, removed; with the idle shutdown if both change): a ``PUT`` of
  the same instance with them (the spec has no route of its own for schedules: ``schedules`` is a field
  of the instance's properties, and ARM updates a resource by a PUT of it);
* an instance's size: ``POST …/resize`` ``{"targetVMSize": …}``, only while it is Stopped, and alone;
* an instance's custom applications (the whole list; ``[]`` removes them all): ``POST …/customServices``
  with the list of ``CustomService`` (it replaces the instance's), alone. No stable api-version has the
  route (2025-12-01 keeps only an orphan example): it is sent with the preview version azure-ai-ml's
  client sends it with (``v2024_10_01_preview`` ``build_update_custom_services_request``), for that call only;
* an instance's single sign-on on or off: ``POST …/enableSso`` ``{"enableSSO": true|false}`` (200, no body),
  alone. The route is the one ``az ml compute enable-sso`` and azure-ai-ml's ``ComputeOperations.enable_sso``
  send; no public spec has it, only azure-ai-ml's client for 2024-04-01-preview
  (``build_update_sso_settings_request``, ``SsoSetting``), so it goes with that version, for that call only;
* a cluster's description and tags: a ``PUT`` of the same cluster with them (``ClusterUpdateParameters``,
  the PATCH body, carries only ``scaleSettings``, which ``resize`` sends).

Refused before sending, and why: an instance's SSH settings (set at creation: Azure ML documents "SSH access
can't be changed after creation", and no route of any spec or SDK client read here takes a key); single
sign-on of a cluster or an attached compute (it is a compute instance's setting); an instance's size while
it is not stopped (the service resizes only stopped instances); an instance's description and tags (set
at creation; the instance routes above take none of them); a cluster's size (PATCH takes only scale
settings, and ``vmSize`` is fixed when a cluster is created); idle shutdown and schedules of a cluster
(clusters scale down instead: ``resize --idle-time-before-scale-down``); any change to other kinds.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import Problem, ValidationError
from ..model.kinds import CLUSTER, INSTANCE
from ..model.resource import Compute
from ..model.specs import (
    ComputeSpec,
    CustomApplication,
    Invalid,
    Schedule,
    boolean,
    bounded_text,
    custom_applications,
    integer,
    minutes_duration,
    schedules,
    string_map,
    vm_size,
)
from ..model.wire import PREVIEW_API_VERSION, SSO_API_VERSION, ArmRequest
from .ref import WorkspaceRef

TITLE = "update"
IDLE_SHUTDOWN = minutes_duration(15, 3 * 24 * 60)  # the bounds of IdleShutdownSetting (15 min … 3 days)
_NO_SSO = (
    "single sign-on is a compute instance's setting (its applications' sign-in); {name} is a {kind}, which has none"
)
_NO_CLUSTER_SCHEDULES = "start/stop schedules apply to compute instances; a cluster scales to its min nodes instead"


@dataclass(frozen=True)
class Plan:
    """The request an update takes: a PUT of ``spec`` (built and checked by the workspace), or ``request``."""

    action: str  # the operation's action: update, or resize (an instance's size)
    spec: ComputeSpec | None = None
    request: ArmRequest | None = None
    no_schedules: bool = False  # the PUT says so (an empty list), rather than leaving the field out


@dataclass(frozen=True)
class Changes:
    """The changes asked for, checked. ``schedules`` replaces them all (``()`` removes them all);
    ``add_schedules`` and ``remove_schedules`` (positions from 1, as ``show`` numbers them) edit them."""

    idle_shutdown: str | None = None
    schedules: tuple[Schedule, ...] | None = None
    add_schedules: tuple[Schedule, ...] = ()
    remove_schedules: tuple[int, ...] = ()
    size: str | None = None
    description: str | None = None
    tags: tuple[tuple[str, str], ...] | None = None
    custom_applications: tuple[CustomApplication, ...] | None = None
    enable_sso: bool | None = None

    @classmethod
    def checked(
        cls,
        *,
        idle_shutdown: int | str | None = None,
        schedules: Sequence[Schedule | Mapping[str, Any]] | Mapping[str, Any] | None = None,
        add_schedules: Sequence[Schedule | Mapping[str, Any]] = (),
        remove_schedules: Sequence[int | str] = (),
        size: str | None = None,
        description: str | None = None,
        tags: Mapping[str, str] | Sequence[str] | str | None = None,
        custom_applications: Sequence[CustomApplication | Mapping[str, Any]] | Mapping[str, Any] | None = None,
        enable_sso: bool | str | None = None,
    ) -> Changes:
        """The changes, or a ValidationError naming each bad field (nothing is read or sent)."""
        problems: list[Problem] = []
        values: dict[str, Any] = {}

        def parse(field: str, raw: Any, parser: Any) -> None:
            if raw is None:
                return
            try:
                values[field] = parser(raw)
            except Invalid as exc:
                problems.append(Problem(field, str(exc)))

        asked = {
            "idle_shutdown": idle_shutdown,
            "schedules": schedules,
            "add_schedules": list(add_schedules) or None,
            "remove_schedules": list(remove_schedules) or None,
            "size": size,
            "description": description,
            "tags": tags,
            "custom_applications": custom_applications,
            "enable_sso": enable_sso,
        }
        for field in FIELDS:
            parse(field.name, asked[field.name], field.parse)
        given = set(values)
        if not given and not problems:
            problems.append(
                Problem(
                    TITLE,
                    "give what to change: --idle-shutdown, --schedules, --add-schedule, --remove-schedule, "
                    "--no-schedules, --size, --custom-applications, --enable-sso (instances), --description or "
                    "--tags (clusters)",
                )
            )
        if "schedules" in given and given & {"add_schedules", "remove_schedules"}:
            problems.append(
                Problem("schedules", "give the whole list of schedules, or the ones to add and remove, not both")
            )
        for field in FIELDS:
            if field.alone and field.name in given and len(given) > 1:
                problems.append(Problem(field.name, field.alone))
        mixed = {f.name for f in FIELDS if f.mixed}
        instance_side = sorted(given & mixed & set(fields_of(INSTANCE.word)))
        cluster_side = sorted(given & mixed & set(fields_of(CLUSTER.word)))
        if instance_side and cluster_side:
            problems.append(
                Problem(
                    cluster_side[0],
                    f"{' and '.join(cluster_side)} apply to clusters, {', '.join(instance_side)} to compute "
                    "instances: no compute takes both",
                )
            )
        if problems:
            raise ValidationError(problems, TITLE)
        return cls(**values)

    @property
    def given(self) -> tuple[str, ...]:
        """The fields asked for (an empty ``schedules`` or ``tags`` is asked for: it removes them all)."""
        edits = ("add_schedules", "remove_schedules")
        return tuple(
            f.name
            for f in dataclasses.fields(self)
            if (getattr(self, f.name) if f.name in edits else getattr(self, f.name) is not None)
        )

    def plan(self, ref: WorkspaceRef, compute: Compute) -> Plan:
        """The request for ``compute`` as read; a ValidationError (naming the field) where the service
        does not allow the change, before anything is sent."""
        name = compute.name
        if compute.compute_type == INSTANCE.compute_type:
            return self._instance(ref, compute)
        if compute.compute_type == CLUSTER.compute_type:
            return self._cluster(compute)
        if self.enable_sso is not None:
            raise ValidationError.one("enable_sso", _NO_SSO.format(name=name, kind=compute.kind), TITLE)
        raise ValidationError.one(
            "name", f"{name} is a {compute.kind}; update applies to compute clusters and compute instances", TITLE
        )

    def _instance(self, ref: WorkspaceRef, compute: Compute) -> Plan:
        name = compute.name
        for field in ("description", "tags"):
            if field in self.given:
                raise ValidationError.one(
                    field,
                    f"{name} is a compute instance, whose {field} is set when it is created: the service "
                    "changes an instance's idle shutdown, schedules and size only",
                    TITLE,
                )
        if self.size is not None:
            state = compute.instance_state or "in an unknown state"
            if state != "Stopped":
                raise ValidationError.one(
                    "size",
                    f"{name} is {state}: the service changes an instance's size only while it is stopped "
                    f"(stop it first: `stop {name}`, then update it, then `start {name}`)",
                    TITLE,
                )
            if compute.size.lower() == self.size.lower():
                raise ValidationError.one("size", f"{name} already has size {compute.size}", TITLE)
            url = ref.compute_url(name, "resize", **{"api-version": PREVIEW_API_VERSION})
            return Plan("resize", request=ArmRequest("POST", url, {"targetVMSize": self.size}))
        if self.custom_applications is not None:
            url = ref.compute_url(name, "customServices", **{"api-version": PREVIEW_API_VERSION})
            return Plan("update", request=ArmRequest("POST", url, [a.to_arm() for a in self.custom_applications]))
        if self.enable_sso is not None:
            url = ref.compute_url(name, "enableSso", **{"api-version": SSO_API_VERSION})
            return Plan("update", request=ArmRequest("POST", url, {"enableSSO": self.enable_sso}))
        if not ({"schedules", "add_schedules", "remove_schedules"} & set(self.given)):
            url = ref.compute_url(name, "updateIdleShutdownSetting")
            return Plan("update", request=ArmRequest("POST", url, {"idleTimeBeforeShutdown": self.idle_shutdown}))
        spec = compute.spec
        current = tuple(getattr(spec, "schedules", ()))
        kept = self._schedules_after(name, current)
        changes: dict[str, Any] = {"schedules": kept}
        if self.idle_shutdown is not None:
            changes["idle_time_before_shutdown"] = self.idle_shutdown
        return Plan("update", spec=dataclasses.replace(spec, **changes), no_schedules=not kept)

    def _schedules_after(self, name: str, current: tuple[Schedule, ...]) -> tuple[Schedule, ...]:
        if self.schedules is not None:
            return self.schedules
        missing = [p for p in self.remove_schedules if p > len(current)]
        if missing:
            have = f"schedules 1 to {len(current)}" if current else "no schedules"
            raise ValidationError.one(
                "remove_schedules",
                f"{name} has {have}; there is no schedule {', '.join(map(str, missing))} to remove "
                f"(`show {name}` numbers them)",
                TITLE,
            )
        removed = set(self.remove_schedules)
        return tuple(s for i, s in enumerate(current, 1) if i not in removed) + self.add_schedules

    def _cluster(self, compute: Compute) -> Plan:
        name = compute.name
        refusals = {
            "idle_shutdown": "a cluster has no idle shutdown; its nodes are released after "
            f"idle_time_before_scale_down (`resize {name} --idle-time-before-scale-down SECONDS`)",
            "schedules": _NO_CLUSTER_SCHEDULES,
            "add_schedules": _NO_CLUSTER_SCHEDULES,
            "remove_schedules": "a cluster has no start/stop schedules",
            "custom_applications": "custom applications run on compute instances, not on a cluster's nodes",
            "enable_sso": _NO_SSO.format(name=name, kind=compute.kind),
            "size": "a cluster's VM size is fixed when it is created (the service's cluster update takes only "
            f"scale settings, `resize {name}`); create a cluster of the new size instead",
        }
        for field in self.given:
            if field in refusals:
                raise ValidationError.one(field, refusals[field], TITLE)
        spec = compute.spec
        changes: dict[str, Any] = {}
        if self.description is not None:
            changes["description"] = self.description
        if self.tags is not None:
            changes["tags"] = self.tags
        return Plan("update", spec=dataclasses.replace(spec, **changes))


def _schedule_list(value: Any) -> tuple[Schedule, ...]:
    """A list of schedules, ``compute_start_stop: […]``, or a whole az ml document's ``schedules:`` part."""
    if isinstance(value, Mapping) and set(value) == {"schedules"}:
        value = value["schedules"] or []
    return schedules(value)


def _application_list(value: Any) -> tuple[CustomApplication, ...]:
    """A list of custom applications in az ml's YAML, or a document's ``custom_applications:`` part."""
    if isinstance(value, Mapping) and set(value) == {"custom_applications"}:
        value = value["custom_applications"] or []
    return custom_applications(value)


def _positions(value: Any) -> tuple[int, ...]:
    items = value if isinstance(value, (list, tuple)) else [value]
    return tuple(sorted({integer(1, 1000)(v) for v in items}))


@dataclass(frozen=True)
class Field:
    """One field ``update`` changes: how its value is read, the kind that takes it (by its word), and,
    for one sent by a request of its own, why it goes alone."""

    name: str
    parse: Callable[[Any], Any]
    kind: str
    alone: str = ""
    mixed: bool = True  # refused at once beside a field of another kind (size: by the compute, once read)


#: The fields ``update`` changes: the one owner. ``Changes`` has one field each, ``Workspace.update`` and
#: :meth:`Changes.checked` one keyword each, the verb one flag (or more) each, the panel's edit pane shows
#: the ones of the compute's kind (:func:`fields_of`); tests/unit/test_update.py fails on any drift.
FIELDS: tuple[Field, ...] = (
    Field("idle_shutdown", IDLE_SHUTDOWN, INSTANCE.word),
    Field("schedules", _schedule_list, INSTANCE.word),
    Field("add_schedules", _schedule_list, INSTANCE.word),
    Field("remove_schedules", _positions, INSTANCE.word),
    Field(
        "size",
        vm_size,
        INSTANCE.word,
        alone="an instance's size changes by a request of its own (a resize, while it is stopped): "
        "change it alone, then the rest",
        mixed=False,
    ),
    Field("description", bounded_text(1024), CLUSTER.word),
    Field("tags", string_map, CLUSTER.word),
    Field(
        "custom_applications",
        _application_list,
        INSTANCE.word,
        alone="an instance's custom applications change by a request of their own: change them alone, then the rest",
    ),
    Field(
        "enable_sso",
        boolean,
        INSTANCE.word,
        alone="an instance's single sign-on changes by a request of its own (enableSso): change it alone, "
        "then the rest",
    ),
)


def fields_of(kind: str) -> tuple[str, ...]:
    """The fields ``update`` changes on a compute of ``kind`` (its word: ``instance``, ``cluster``)."""
    return tuple(f.name for f in FIELDS if f.kind == kind)


# The keys of an update document (``%%compute update NAME`` body), as az ml's YAML names them.
DOCUMENT_KEYS = {
    "idle_time_before_shutdown_minutes": "idle_shutdown",
    "idle_time_before_shutdown": "idle_shutdown",
    "schedules": "schedules",
    "size": "size",
    "description": "description",
    "tags": "tags",
    "custom_applications": "custom_applications",
    "enable_sso": "enable_sso",
}
#: Settings of a create that no route changes afterwards, and why (refused before sending).
SET_AT_CREATION = {
    "ssh_public_access_enabled": "SSH access is set when the instance is created (Azure ML documents that it "
    "cannot be changed after creation); create an instance with it",
    "ssh_settings": "SSH access and its public key are set when the instance is created (Azure ML documents "
    "that SSH access cannot be changed after creation, and no route takes a key); create an instance with them",
}


def document_keywords(document: Mapping[str, Any], where: str) -> dict[str, Any]:
    """The :meth:`Changes.checked` keywords of an update document in az ml's YAML keys (``schedules:
    compute_start_stop: […]``, ``idle_time_before_shutdown_minutes``, ``size``, ``description``, ``tags``);
    ``name`` and ``type`` may be there too and are left to the caller. Unknown keys are refused."""
    import difflib

    keywords: dict[str, Any] = {}
    problems = []
    for key, value in document.items():
        if key in ("name", "type", "$schema"):
            continue
        field = DOCUMENT_KEYS.get(str(key))
        if str(key) in SET_AT_CREATION:
            problems.append(Problem(str(key), SET_AT_CREATION[str(key)]))
            continue
        if field is None:
            close = difflib.get_close_matches(str(key), list(DOCUMENT_KEYS), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else f"; an update takes {', '.join(DOCUMENT_KEYS)}"
            problems.append(Problem(str(key), f"is not a setting update changes{hint}"))
            continue
        if field in keywords:
            problems.append(Problem(str(key), "idle shutdown is given twice (minutes and ISO-8601): give one"))
            continue
        keywords[field] = [] if field == "schedules" and value is None else value
    if problems:
        raise ValidationError(problems, where)
    return keywords
