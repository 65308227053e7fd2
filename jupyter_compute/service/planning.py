"""The requests the verbs send, planned without sending anything (also what --dry-run shows), and the
rules that refuse a verb by what a compute is. Pure: a workspace reference, a spec or a compute in; an
:class:`~jupyter_compute.model.wire.ArmRequest` or a refusal out.
"""

from __future__ import annotations

import builtins
import dataclasses
from collections.abc import Mapping
from typing import Any

from ..errors import Problem, ValidationError
from ..model.documents import spec_from_arm
from ..model.kinds import of_compute_type, taking, word_of
from ..model.resource import Compute
from ..model.specs import ComputeSpec
from ..model.specs.scale import SCALE_SETTINGS
from ..model.wire import ArmRequest, masked
from .changes import Plan
from .ref import WorkspaceRef


def put(ref: WorkspaceRef, spec: ComputeSpec, region: str | None) -> ArmRequest:
    """The PUT that creates (or attaches, or replaces) ``spec``, in ``region`` when the spec names none,
    checked against the REST spec's schema (secrets still wrapped)."""
    from ..model import schema as wire_schema

    if region and not spec.location:
        located: ComputeSpec = dataclasses.replace(spec, location=region)
        spec = located
    body = spec.to_arm(ref.wire_context)
    problems = wire_schema.problems(masked(body))
    if problems:
        raise ValidationError(
            [Problem(p.split(":", 1)[0], p.split(":", 1)[1].strip()) for p in problems], f"{spec.TITLE} request"
        )
    return ArmRequest("PUT", ref.compute_url(spec.name), body)


def replace(ref: WorkspaceRef, spec: ComputeSpec) -> ArmRequest:
    """The PUT of an existing compute's changed spec (an identity added)."""
    return ArmRequest("PUT", ref.compute_url(spec.name), spec.to_arm(ref.wire_context))


def delete(ref: WorkspaceRef, name: str, action: str = "Delete") -> ArmRequest:
    return ArmRequest("DELETE", ref.compute_url(name, underlyingResourceAction=action))


def power(ref: WorkspaceRef, name: str, action: str) -> ArmRequest:
    return ArmRequest("POST", ref.compute_url(name, action))


def resize(ref: WorkspaceRef, name: str, scale: Mapping[str, Any]) -> ArmRequest:
    return ArmRequest("PATCH", ref.compute_url(name), {"properties": {"properties": {SCALE_SETTINGS: dict(scale)}}})


def update(ref: WorkspaceRef, plan: Plan, compute: Compute) -> ArmRequest:
    """The request an update's ``plan`` takes for ``compute``: its own, or a PUT of the changed spec."""
    if plan.request is not None:
        return plan.request
    assert plan.spec is not None
    request = put(ref, plan.spec, plan.spec.location or compute.location or None)
    if not plan.no_schedules:
        return request
    body = dict(request.body or {})
    props = dict(body["properties"])
    props["properties"] = {**props.get("properties", {}), "schedules": {"computeStartStop": []}}
    body["properties"] = props
    return ArmRequest(request.method, request.url, body)


def refuse_unless_taken(compute: Compute, action: str) -> None:
    """A power action or resize on a kind that takes none: refused before anything is sent."""
    kind = of_compute_type(compute.compute_type)
    if kind is None or action not in kind.actions:
        applies = ", ".join(f"{k.title}s" for k in taking(action))
        raise ValidationError.one("name", f"{compute.name} is a {compute.kind}; {action} applies to {applies}")


def refuse_unless_owned(compute: Compute, action: str) -> None:
    """A delete of an attached compute, or a detach of one Azure ML created: refused before sending."""
    name = compute.name
    if action == "delete" and compute.attached:
        raise ValidationError.one(
            "name",
            f"{name} is an attached {compute.kind}: detach it (`detach {name}`); "
            "delete would remove a resource this workspace does not own",
        )
    if action == "detach" and not compute.attached:
        raise ValidationError.one(
            "name", f"{name} is a {compute.kind} created by Azure ML: delete it, it cannot be detached"
        )


def compare(spec: ComputeSpec, body: Mapping[str, Any]) -> builtins.list[str]:
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
