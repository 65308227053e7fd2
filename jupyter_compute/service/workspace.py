"""The Python API every front end calls: a Workspace with one method per verb.

    ws = Workspace.resolve()            # explicit > config.json > AZUREML_ARM_* env > local
    op = ws.create(AmlComputeSpec.from_keywords(name="cpu", size="Standard_DS3_v2", max_instances=4))
    op.wait(); ws.list(); ws.delete("cpu")

Long verbs return an :class:`~jupyter_compute.service.operation.Operation` at once; the workspace's
single poller follows them. Nothing here prints or renders: front ends do.
"""

from __future__ import annotations

import builtins
import dataclasses
import difflib
import re
import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .. import settings
from ..errors import (
    AuthenticationError,
    Conflict,
    NotFound,
    Problem,
    QuotaExceeded,
    ServiceError,
    TransportError,
    UntrustedLink,
    ValidationError,
)
from ..model.documents import spec_from_arm
from ..model.kinds import of_compute_type, spec_class, taking, word_of
from ..model.progress import is_transitional
from ..model.resource import Compute, ComputeList
from ..model.specs import ComputeSpec
from ..model.specs._base import WithIdentity, _identity_problems
from ..model.specs._fields import USER_IDENTITY_ID, Invalid, integer, seconds, seconds_to_iso
from ..model.wire import ArmRequest, masked
from .operation import Operation, Poller, Strategy, poll_interval, typical_for
from .ref import WorkspaceRef, read_config, resolve

if TYPE_CHECKING:
    from ..transport.arm import ArmClient

# A preview reads the workspace's region once, without the transport's retries: a dry run must not wait
# through minutes of backoff for a workspace it cannot reach.
PREVIEW_TIMEOUT = 10.0
REGION_LATER = "the workspace's region will be filled in when sent"

_instances: dict[WorkspaceRef, Workspace] = {}
_instances_lock = threading.Lock()


class Workspace:
    """One Azure ML workspace (or the local one): every compute verb, over one ARM client and one poller."""

    def __init__(self, ref: WorkspaceRef) -> None:
        self.ref = ref
        self._arm: ArmClient | None = None
        self._poller: Poller | None = None
        self._location: str | None = None
        self._lock = threading.Lock()

    # --- finding a workspace -------------------------------------------------------------------

    @classmethod
    def shared(cls, ref: WorkspaceRef) -> Workspace:
        """The shared Workspace of ``ref`` in this process (so all front ends share one poller)."""
        with _instances_lock:
            if ref not in _instances:
                _instances[ref] = cls(ref)
            return _instances[ref]

    @classmethod
    def resolve(cls, explicit: WorkspaceRef | None = None, *, announce: bool = True) -> Workspace:
        return cls.shared(resolve(explicit, announce=announce))

    @classmethod
    def local(cls) -> Workspace:
        return cls.shared(WorkspaceRef.local_workspace())

    @classmethod
    def azure(
        cls, subscription_id: str, resource_group: str, workspace_name: str, *, cloud: str | None = None
    ) -> Workspace:
        return cls.shared(WorkspaceRef.azure(subscription_id, resource_group, workspace_name, cloud_name=cloud))

    @classmethod
    def from_config(cls, path: str | None = None) -> Workspace:
        if path is None:
            from .ref import find_config

            found = find_config()
            if found is None:
                raise ValidationError.one("config", "no config.json found in this folder, its parents or .azureml/")
            path = str(found)
        return cls.shared(read_config(path))

    # --- plumbing ------------------------------------------------------------------------------

    def _client(self) -> ArmClient:
        with self._lock:
            if self._arm is None:
                from ..transport.arm import connect

                self._arm = connect(self.ref.base_url(), self.ref.cloud, local=self.ref.local)
            return self._arm

    @property
    def poller(self) -> Poller:
        with self._lock:
            if self._poller is None:
                self._poller = Poller(self, poll_interval(self.ref.local, self._speed()))
            return self._poller

    def _speed(self) -> float:
        return settings.current().speed if self.ref.local else 1.0

    def location(self, *, quick: bool = False) -> str:
        """The workspace's region, read once per Workspace and kept ("" if the workspace names none).

        ``quick``: one try with a short timeout and no retries (for previews); the error of that one
        try is raised as usual (TransportError, AuthenticationError, ServiceError)."""
        if self._location is None:
            if quick:
                from ..transport.arm import connect

                ref = self.ref
                client = connect(ref.base_url(), ref.cloud, local=ref.local, timeout=PREVIEW_TIMEOUT, retries=0)
                try:
                    body = client.get(self.ref.workspace_url()).body or {}
                finally:
                    client.close()
            else:
                body = self._client().get(self.ref.workspace_url()).body or {}
            self._location = str(body.get("location") or "")
        return self._location

    def _list_raw(self) -> builtins.list[dict[str, Any]]:
        return list(self._client().list_all(self.ref.computes_url()))

    def _get_raw(self, name: str) -> dict[str, Any] | None:
        try:
            body: dict[str, Any] = self._client().get(self.ref.compute_url(name)).body
            return body
        except NotFound:
            return None

    def _operation(
        self,
        action: str,
        name: str,
        compute_type: str,
        response_headers: Mapping[str, str] | None,
        min_nodes: int = 0,
        resource: Mapping[str, Any] | None = None,
    ) -> Operation:
        """The Operation of a submitted request, following it by the strategy its response chose. A status
        URL off the ARM endpoint ends it at once, Failed (the token is not sent there)."""
        strategy = Strategy.choose(response_headers, self.ref.compute_url(name))
        op = Operation(
            self,
            action,
            name,
            compute_type,
            strategy=strategy,
            typical=typical_for(action, compute_type, self._speed(), min_nodes),
            resource=resource,
        )
        try:
            self._client().check_link(strategy.url, strategy.link)
        except UntrustedLink as exc:
            op.note = f"The {action} was accepted and may go on in the service: 'show {name}' tells how it is."
            op._finish("Failed", exc)
            return op
        return self.poller.track(op)

    # --- requests (also used by --dry-run) -------------------------------------------------------

    def plan_create(self, spec: ComputeSpec) -> ArmRequest:
        """The exact PUT a create or attach sends (secrets still wrapped). Its ``location`` is the
        spec's, else the workspace's region (read once), as az ml, azure-ai-ml and azureml-core send it."""
        return self._plan_put(spec, spec.location or self.location() or None)

    def preview_create(self, spec: ComputeSpec) -> tuple[ArmRequest, str | None]:
        """For --dry-run: the request :meth:`plan_create` gives, and a note when it cannot be complete.

        The region is read with one quick try (:meth:`location` ``quick``); if the workspace cannot be
        reached, the request comes without ``location`` and the note says it will be filled in when sent."""
        if spec.location:
            return self._plan_put(spec, spec.location), None
        try:
            region = self.location(quick=True)
        except (TransportError, AuthenticationError, ServiceError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            return self._plan_put(spec, None), f"note: location: {REGION_LATER} (could not read it now: {reason})"
        return self._plan_put(spec, region or None), None

    def _plan_put(self, spec: ComputeSpec, region: str | None) -> ArmRequest:
        from ..model import schema as wire_schema

        if region and not spec.location:
            located: ComputeSpec = dataclasses.replace(spec, location=region)
            spec = located
        body = spec.to_arm(self.ref.wire_context)
        problems = wire_schema.problems(masked(body))
        if problems:
            raise ValidationError(
                [Problem(p.split(":", 1)[0], p.split(":", 1)[1].strip()) for p in problems], f"{spec.TITLE} request"
            )
        return ArmRequest("PUT", self.ref.compute_url(spec.name), body)

    def plan_delete(self, name: str, action: str = "Delete") -> ArmRequest:
        return ArmRequest("DELETE", self.ref.compute_url(name, underlyingResourceAction=action))

    def plan_power(self, name: str, action: str) -> ArmRequest:
        return ArmRequest("POST", self.ref.compute_url(name, action))

    def plan_resize(self, name: str, scale: Mapping[str, Any]) -> ArmRequest:
        return ArmRequest(
            "PATCH", self.ref.compute_url(name), {"properties": {"properties": {"scaleSettings": dict(scale)}}}
        )

    # --- create and attach ---------------------------------------------------------------------

    def create(self, spec: ComputeSpec, *, preflight: bool = True) -> Operation:
        """Create a cluster or instance. Never replaces: an existing compute with the same settings is
        reported and returned; one with different settings is refused with what differs."""
        if spec.ATTACHED:
            raise ValidationError.one("type", f"a {spec.TITLE} is attached, not created; use attach")
        return self._put(spec, "create", preflight)

    def attach(self, spec: ComputeSpec) -> Operation:
        if not spec.ATTACHED:
            raise ValidationError.one("type", f"a {spec.TITLE} is created, not attached; use create")
        return self._put(spec, "attach", False)

    def _put(self, spec: ComputeSpec, action: str, preflight: bool) -> Operation:
        spec = spec.resolve_secrets()
        request = self.plan_create(spec)
        existing = self._get_raw(spec.name)
        if existing is not None:
            return self._existing(spec, existing, action)
        if preflight:
            self.preflight(spec)
        response = self._client().send(request)
        min_nodes = int(getattr(spec, "min_instances", 0) or 0)
        return self._operation(
            action, spec.name, spec.COMPUTE_TYPE, response.headers, min_nodes, resource=response.body
        )

    def _existing(self, spec: ComputeSpec, body: Mapping[str, Any], action: str) -> Operation:
        differences = compare(spec, body)
        if differences:
            raise Conflict(
                "ComputeExists",
                f"{spec.name} already exists with other settings, and creating it "
                "again would replace it: " + "; ".join(differences) + ". Delete it first, or pick "
                "another name.",
                by_client=True,
            )
        compute_type = str((body.get("properties") or {}).get("computeType", spec.COMPUTE_TYPE))
        transitional = is_transitional(body)
        op = Operation(
            self,
            transitional or action,
            spec.name,
            compute_type,
            resource=body,
            typical=typical_for(transitional or action, compute_type, self._speed()),
            note=f"{spec.name} already exists with these settings; nothing was sent.",
        )
        if transitional:
            return self.poller.track(op)
        op._observe(body)
        op._finish("Failed" if (body.get("properties") or {}).get("provisioningState") == "Failed" else "Succeeded")
        return op

    def preflight(self, spec: ComputeSpec) -> None:
        """Refuse a create whose size is not offered in the region or whose vCPUs do not fit the quota."""
        kind = of_compute_type(spec.COMPUTE_TYPE)
        if kind is None or not kind.sized:
            return
        location = spec.location or self.location()
        size_name = str(getattr(spec, "size", ""))  # noqa: B009 - only sized kinds reach here
        sizes = self.sizes(location)
        size = next((s for s in sizes if str(s.get("name", "")).lower() == size_name.lower()), None)
        if size is None or spec.COMPUTE_TYPE not in (size.get("supportedComputeTypes") or [spec.COMPUTE_TYPE]):
            names = [str(s.get("name")) for s in sizes if spec.COMPUTE_TYPE in (s.get("supportedComputeTypes") or [])]
            close = difflib.get_close_matches(size_name, names, n=3, cutoff=0.5)
            hint = f"; close: {', '.join(close)}" if close else ""
            raise ValidationError.one(
                "size",
                f"{size_name} is not offered for a {spec.TITLE} in {location}{hint} "
                "(`jupyter compute sizes` lists them)",
                spec.TITLE,
            )
        tier = getattr(spec, "tier", "dedicated")
        nodes = int(getattr(spec, "max_instances", 1))
        needed = int(size.get("vCPUs") or 0) * nodes
        usages = self.usage(location)
        family = _family_usage(str(size.get("family", "")), usages)
        total_type = "lowPriorityCores" if tier == "low_priority" else "dedicatedCores"
        total = next((u for u in usages if str(u.get("type", "")).endswith(f"/{total_type}/usages")), None)
        checks = [] if tier == "low_priority" else [family]
        checks.append(total)
        for row in checks:
            if row is None or int(row.get("limit", -1)) < 0:
                continue
            left = int(row["limit"]) - int(row.get("currentValue") or 0)
            if needed > left:
                label = (row.get("name") or {}).get("localizedValue") or row.get("id")
                raise QuotaExceeded(
                    "QuotaExceeded",
                    f"{spec.name} needs {needed} vCPUs of {label} ({nodes} × {size['name']} with "
                    f"{size.get('vCPUs')} vCPUs) but only {left} of {row['limit']} are left in {location}. Nothing "
                    "was created. Ask for more quota, use a smaller size or fewer nodes, or skip this check "
                    "(--skip-preflight).",
                    by_client=True,
                )

    # --- reading ------------------------------------------------------------------------------

    def get(self, name: str) -> Compute:
        return Compute(self._client().get(self.ref.compute_url(name)).body)

    def list(self, kind: str | None = None) -> ComputeList:
        computes = ComputeList(Compute(body) for body in self._list_raw())
        if kind:
            wanted = spec_class(kind).COMPUTE_TYPE
            computes = ComputeList(c for c in computes if c.compute_type == wanted)
        return computes

    def nodes(self, name: str) -> builtins.list[dict[str, Any]]:
        return list(self._client().list_all(self.ref.compute_url(name, "listNodes"), "nodes", method="POST"))

    def sizes(self, location: str | None = None) -> builtins.list[dict[str, Any]]:
        body = self._client().get(self.ref.location_url(location or self.location(), "vmSizes")).body or {}
        return list(body.get("value") or [])

    def usage(self, location: str | None = None) -> builtins.list[dict[str, Any]]:
        return list(self._client().list_all(self.ref.location_url(location or self.location(), "usages")))

    def quotas(self, location: str | None = None) -> builtins.list[dict[str, Any]]:
        return list(self._client().list_all(self.ref.location_url(location or self.location(), "quotas")))

    # --- changing ---------------------------------------------------------------------------------

    def delete(self, name: str) -> Operation:
        """Delete a compute this workspace created (cluster, instance). Attached ones are detached instead."""
        compute = self.get(name)
        if compute.attached:
            raise ValidationError.one(
                "name",
                f"{name} is an attached {compute.kind}: detach it (`detach {name}`); "
                "delete would remove a resource this workspace does not own",
            )
        return self._delete(compute, "Delete")

    def detach(self, name: str) -> Operation:
        compute = self.get(name)
        if not compute.attached:
            raise ValidationError.one(
                "name", f"{name} is a {compute.kind} created by Azure ML: delete it, it cannot be detached"
            )
        return self._delete(compute, "Detach")

    def _delete(self, compute: Compute, action: str) -> Operation:
        response = self._client().send(self.plan_delete(compute.name, action))
        if response.status == 204:
            raise NotFound("NotFound", f"{compute.name} does not exist (it may have just been deleted)")
        return self._operation(
            action.lower(), compute.name, compute.compute_type, response.headers, resource=compute.body
        )

    def start(self, name: str) -> Operation:
        return self._power(name, "start")

    def stop(self, name: str) -> Operation:
        return self._power(name, "stop")

    def restart(self, name: str) -> Operation:
        return self._power(name, "restart")

    def _power(self, name: str, action: str) -> Operation:
        compute = self.get(name)
        _refuse_unless_taken(compute, action)
        response = self._client().send(self.plan_power(name, action))
        return self._operation(action, name, compute.compute_type, response.headers, resource=compute.body)

    def resize(
        self,
        name: str,
        *,
        min_nodes: int | str | None = None,
        max_nodes: int | str | None = None,
        idle_seconds: int | str | None = None,
    ) -> Operation:
        """Change a cluster's min/max nodes or idle time before scale-down (PATCH scaleSettings).
        The values are checked before anything is sent; then the cluster is read and the PATCH sent."""
        problems = []
        scale: dict[str, Any] = {}
        for field, raw, parse in (
            ("min_nodes", min_nodes, integer(0, 10_000)),
            ("max_nodes", max_nodes, integer(1, 10_000)),
            ("idle_seconds", idle_seconds, seconds(0, 7 * 24 * 3600)),
        ):
            if raw is None:
                continue
            try:
                value = parse(raw)
            except Invalid as exc:
                problems.append(Problem(field, str(exc)))
                continue
            key = {"min_nodes": "minNodeCount", "max_nodes": "maxNodeCount"}.get(field)
            scale[key or "nodeIdleTimeBeforeScaleDown"] = value if key else seconds_to_iso(value)
        if min_nodes is None and max_nodes is None and idle_seconds is None:
            problems.append(Problem("resize", "give --min-nodes, --max-nodes or --idle-time-before-scale-down"))
        if problems:
            raise ValidationError(problems, "resize")
        compute = self.get(name)
        _refuse_unless_taken(compute, "resize")
        scale = {**dict(compute._inner.get("scaleSettings") or {}), **scale}
        if int(scale.get("minNodeCount") or 0) > int(scale.get("maxNodeCount") or 0):
            problems.append(
                Problem(
                    "min_nodes",
                    f"{scale.get('minNodeCount')} is more than max nodes "
                    f"{scale.get('maxNodeCount')}; allowed: 0 <= min <= max",
                )
            )
        if problems:
            raise ValidationError(problems, "resize")
        response = self._client().send(self.plan_resize(name, scale))
        return self._operation("resize", name, compute.compute_type, response.headers, resource=response.body)

    def add_identity(self, name: str, *, system_assigned: bool = False, user_assigned: Sequence[str] = ()) -> Operation:
        """Add a system- or user-assigned managed identity to an existing compute (PUT of the same compute)."""
        problems = []
        ids = []
        for rid in user_assigned:
            try:
                ids.append(USER_IDENTITY_ID(rid))
            except Invalid as exc:
                problems.append(Problem("user_assigned", str(exc)))
        if not system_assigned and not ids and not problems:
            problems.append(Problem("identity", "give --system-assigned or --user-assigned ID"))
        if problems:
            raise ValidationError(problems, "identity")
        compute = self.get(name)
        spec = compute.spec
        if not isinstance(spec, WithIdentity):
            raise ValidationError.one("name", f"{name} is a {compute.kind}, which takes no managed identity")
        kinds = set((spec.identity_type or "None").replace("None", "").split(",")) - {""}
        if system_assigned:
            kinds.add("SystemAssigned")
        if ids:
            kinds.add("UserAssigned")
        new_type = ",".join(k for k in ("SystemAssigned", "UserAssigned") if k in kinds)
        merged = tuple(dict.fromkeys((*spec.user_assigned_identities, *ids)))
        problems = _identity_problems(new_type, merged)
        if new_type == "SystemAssigned,UserAssigned" and spec.ONE_IDENTITY_TYPE:
            problems.append(
                Problem(
                    "identity",
                    f"a {compute.kind} takes a system-assigned or user-assigned "
                    f"identity, not both; {name} already has {spec.identity_type}",
                )
            )
        if problems:
            raise ValidationError(problems, "identity")
        changes: dict[str, Any] = {"identity_type": new_type, "user_assigned_identities": merged}
        updated: ComputeSpec = dataclasses.replace(spec, **changes)
        response = self._client().send(
            ArmRequest("PUT", self.ref.compute_url(name), updated.to_arm(self.ref.wire_context))
        )
        return self._operation("update", name, compute.compute_type, response.headers, resource=response.body)

    # --- following ---------------------------------------------------------------------------------

    def operations(self) -> builtins.list[Operation]:
        """Operations in flight: those started here, and computes caught mid-change (after a restart)."""
        ops = self.poller.in_flight()
        followed = {op.target.lower() for op in ops}
        for body in self._list_raw():
            action = is_transitional(body)
            name = str(body.get("name", ""))
            if action and name.lower() not in followed:
                ops.append(self.follow(name, body))
        return ops

    def follow(self, name: str, body: Mapping[str, Any] | None = None) -> Operation:
        """An Operation that follows whatever ``name`` is doing now to its end (used by wait and ops)."""
        for op in self.poller.in_flight():
            if op.target.lower() == name.lower():
                return op
        body = body if body is not None else self.get(name).body
        compute_type = str((body.get("properties") or {}).get("computeType", ""))
        action = is_transitional(body)
        op = Operation(
            self,
            action or "create",
            name,
            compute_type,
            resource=body,
            resumed=True,
            typical=typical_for(action or "create", compute_type, self._speed()),
        )
        op._observe(body)
        if action is None:
            op._finish(
                "Failed" if Compute(body).provisioning_state == "Failed" else "Succeeded",
                None if Compute(body).provisioning_state != "Failed" else _provisioning_error(body),
            )
            return op
        return self.poller.track(op)

    def wait(self, name: str, timeout: float | None = None) -> Operation:
        return self.follow(name).wait(timeout)

    def __repr__(self) -> str:
        return f"<Workspace {self.ref.describe()}>"


def _provisioning_error(body: Mapping[str, Any]) -> ServiceError:
    from .operation import _resource_error

    return _resource_error(body)


def _normalise_family(text: str) -> str:
    text = re.sub(r"[\s_]", "", text.lower())
    for suffix in ("clusterdedicatedvcpus", "clusterlowpriorityvcpus", "dedicatedvcpus"):
        text = text.removesuffix(suffix)
    return text.removeprefix("standard").removesuffix("family")


def _family_usage(family: str, usages: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The usage row of a vmSizes family: the two lists spell families differently (facts sheet §9)."""
    wanted = _normalise_family(family)
    for row in usages:
        if not str(row.get("type", "")).endswith("/vmFamily/usages"):
            continue
        names = [
            str(row.get("id", "")).rsplit("/", 1)[-1],
            str((row.get("name") or {}).get("value", "")),
            str((row.get("name") or {}).get("localizedValue", "")),
        ]
        if any(_normalise_family(n) == wanted for n in names):
            return row
    return None


def _refuse_unless_taken(compute: Compute, action: str) -> None:
    """A power action or resize on a kind that takes none: refused before anything is sent."""
    kind = of_compute_type(compute.compute_type)
    if kind is None or action not in kind.actions:
        applies = ", ".join(f"{k.title}s" for k in taking(action))
        raise ValidationError.one("name", f"{compute.name} is a {compute.kind}; {action} applies to {applies}")


def compare(spec: ComputeSpec, body: Mapping[str, Any]) -> list[str]:
    """What the user asked for that the existing compute does not have (secrets and defaults ignored)."""
    existing_type = str((body.get("properties") or {}).get("computeType", ""))
    if existing_type != spec.COMPUTE_TYPE:
        return [f"it is a {word_of(existing_type)}, not a {word_of(spec.COMPUTE_TYPE)}"]
    existing = spec_from_arm(body)
    defaults = {f.name: f.default for f in dataclasses.fields(type(spec))}
    differences = []
    for name, info in spec.fields_info():
        asked = getattr(spec, name)
        if info.secret or name in ("name", "location", "compute_location") or asked == defaults.get(name):
            continue
        have = getattr(existing, name, None)
        if _same(asked, have):
            continue
        differences.append(f"{name} asked {_show(asked)}, exists with {_show(have)}")
    return differences


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.lower() == b.lower()
    return bool(a == b)


def _show(value: Any) -> str:
    if isinstance(value, tuple) and value and isinstance(value[0], tuple):
        return ", ".join(f"{k}={v}" for k, v in value)
    return repr(value)
