"""The verbs of the command grammar, executed against the Python API (the other half of ``commands``).

``execute(command, session)`` runs a parsed :class:`~jupyter_compute.frontends.grammar.Command` and returns an
:class:`Outcome`: ``value`` for Python (the magic returns it), ``data`` for ``-o json|yaml``, ``text`` for
tables. Front ends render it; nothing here prints.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import ValidationError
from ..model.specs import KINDS
from ..render.tables import computes_text
from ..render.terminal import clean
from ..render.text import summary
from .grammar import CLI_ONLY, Command, UsageError, inline_secret_warning, render_data, spec_yaml

# --- executing ---------------------------------------------------------------------------------


@dataclass
class Session:
    """What persists between commands of one front end: the chosen workspace."""

    workspace: Any = None  # WorkspaceRef chosen with the `workspace` verb


@dataclass
class Outcome:
    """What a command produced: ``value`` for Python, ``data`` for -o json/yaml, ``text`` for tables."""

    value: Any
    data: Any = None
    text: str = ""
    operation: Any = None
    warnings: tuple[str, ...] = ()

    def render(self, output: str) -> str:
        """What a text front end prints (no control characters from the service: see display.terminal)."""
        if output in ("json", "yaml") and self.data is not None:
            return clean(render_data(self.data, output))
        return clean(self.text)


def workspace_for(command: Command, session: Session) -> Any:
    from ..service.ref import WorkspaceRef, read_config
    from ..service.workspace import Workspace

    choice = command.workspace
    if choice.local:
        return Workspace.local()
    if choice.config:
        return Workspace.shared(read_config(choice.config))
    if choice.subscription or choice.resource_group or choice.workspace:
        missing = [
            f"--{n}"
            for n, v in (
                ("subscription", choice.subscription),
                ("resource-group", choice.resource_group),
                ("workspace", choice.workspace),
            )
            if not v
        ]
        if missing:
            raise ValidationError.one(
                "workspace",
                "an Azure workspace needs --subscription, --resource-group and "
                f"--workspace; missing {', '.join(missing)}",
            )
        return Workspace.shared(
            WorkspaceRef.azure(
                choice.subscription or "", choice.resource_group or "", choice.workspace or "", cloud_name=choice.cloud
            )
        )
    return Workspace.resolve(session.workspace)


def execute(command: Command, session: Session) -> Outcome:
    """Run one parsed command against the Python API (front ends render the Outcome)."""
    warnings = (inline_secret_warning(command.inline_secrets),) if command.inline_secrets else ()
    if command.verb == "workspace":
        return _workspace_verb(command, session)
    if command.verb in CLI_ONLY or command.verb == "panel":
        raise UsageError(f"'{command.verb}' is handled by the front end")
    ws = workspace_for(command, session)
    handler = _HANDLERS[command.verb]
    outcome = handler(ws, command)
    outcome.warnings = warnings + outcome.warnings
    return outcome


def _operation_outcome(op: Any) -> Outcome:
    return Outcome(op, op.to_dict(), summary(op), operation=op)


def _dry(request: Any) -> Outcome:
    data = request.dry_run()
    return Outcome(data, data, json.dumps(data, indent=2))


def _create(ws: Any, command: Command) -> Outcome:
    assert command.spec is not None
    notes = command.spec.notes
    if command.dry_run:
        request, note = ws.preview_create(command.spec.resolve_secrets())
        outcome = _dry(request)
        notes += (note,) if note else ()
    elif command.verb == "attach":
        outcome = _operation_outcome(ws.attach(command.spec))
    else:
        outcome = _operation_outcome(ws.create(command.spec, preflight=not command.skip_preflight))
    outcome.warnings = notes + outcome.warnings
    return outcome


def _list(ws: Any, command: Command) -> Outcome:
    computes = ws.list(command.options.get("type"))
    return Outcome(computes, [c.to_dict() for c in computes], computes_text(computes))


def _show(ws: Any, command: Command) -> Outcome:
    compute = ws.get(command.name)
    spec_text = spec_yaml(compute.spec) if compute.compute_type in _KNOWN_TYPES else ""
    text = computes_text(compute) + (f"\n\n{spec_text}" if spec_text else "")
    return Outcome(compute, compute.to_dict(), text)


_KNOWN_TYPES = {cls.COMPUTE_TYPE for cls in KINDS.values()}


def _nodes(ws: Any, command: Command) -> Outcome:
    nodes = ws.nodes(command.name)
    from ..render.tables import text_table

    rows = [
        {
            "node": n.get("nodeId", ""),
            "state": n.get("nodeState", ""),
            "private ip": n.get("privateIpAddress") or "",
            "public ip": n.get("publicIpAddress") or "",
            "port": str(n.get("port") or ""),
        }
        for n in nodes
    ]
    return Outcome(nodes, nodes, text_table(rows, empty=f"{command.name} has no nodes right now."))


def _sizes(ws: Any, command: Command) -> Outcome:
    sizes = ws.sizes(command.options.get("location"))
    from ..render.tables import text_table

    rows = [
        {
            "name": s.get("name", ""),
            "family": s.get("family", ""),
            "vcpus": str(s.get("vCPUs", "")),
            "memory gb": str(s.get("memoryGB", "")),
            "gpus": str(s.get("gpus", "")),
            "low priority": "yes" if s.get("lowPriorityCapable") else "no",
            "for": ", ".join(t for t in s.get("supportedComputeTypes") or [] if t in ("AmlCompute", "ComputeInstance")),
        }
        for s in sizes
    ]
    return Outcome(sizes, sizes, text_table(rows))


def _usage(ws: Any, command: Command) -> Outcome:
    usage = ws.usage(command.options.get("location"))
    from ..render.tables import text_table

    rows = [
        {
            "quota": (u.get("name") or {}).get("localizedValue", ""),
            "used": str(u.get("currentValue", "")),
            "limit": str(u.get("limit", "")),
        }
        for u in usage
    ]
    return Outcome(usage, usage, text_table(rows))


def _delete(ws: Any, command: Command) -> Outcome:
    if command.dry_run:
        return _dry(ws.plan_delete(command.name, "Detach" if command.verb == "detach" else "Delete"))
    op = ws.detach(command.name) if command.verb == "detach" else ws.delete(command.name)
    return _operation_outcome(op)


def _power(ws: Any, command: Command) -> Outcome:
    if command.dry_run:
        return _dry(ws.plan_power(command.name, command.verb))
    return _operation_outcome(getattr(ws, command.verb)(command.name))


def _resize(ws: Any, command: Command) -> Outcome:
    o = command.options
    return _operation_outcome(
        ws.resize(
            command.name, min_nodes=o.get("min_nodes"), max_nodes=o.get("max_nodes"), idle_seconds=o.get("idle_seconds")
        )
    )


def _identity(ws: Any, command: Command) -> Outcome:
    o = command.options
    return _operation_outcome(
        ws.add_identity(
            command.name,
            system_assigned=bool(o.get("system_assigned")),
            user_assigned=tuple(o.get("user_assigned") or ()),
        )
    )


def _wait(ws: Any, command: Command) -> Outcome:
    return _operation_outcome(ws.follow(command.name))


def _ops(ws: Any, command: Command) -> Outcome:
    from ..render.tables import text_table

    ops = ws.operations()
    rows = [
        {
            "name": op.target,
            "action": op.action,
            "kind": op.kind,
            "phase": op.progress.phase,
            "elapsed": f"{op.progress.elapsed:.0f}s",
            "followed": "resumed" if op.resumed else "started here",
        }
        for op in ops
    ]
    data = [
        {"name": op.target, "action": op.action, "kind": op.kind, "phase": op.progress.phase, "status": op.status}
        for op in ops
    ]
    return Outcome(ops, data, text_table(rows, empty="No operations in flight."))


def _workspace_verb(command: Command, session: Session) -> Outcome:
    from ..service.workspace import Workspace

    if command.workspace.given:
        ws = workspace_for(command, session)
        session.workspace = ws.ref
    else:
        ws = Workspace.resolve(session.workspace)
    ref = ws.ref
    data = {
        "local": ref.local,
        "subscription_id": ref.subscription_id,
        "resource_group": ref.resource_group,
        "workspace_name": ref.workspace_name,
        "cloud": ref.cloud_name,
        "origin": ref.origin,
    }
    return Outcome(ws, data, f"Workspace: {ref.describe()} [{ref.origin}]")


_HANDLERS: dict[str, Callable[[Any, Command], Outcome]] = {
    "create": _create,
    "attach": _create,
    "list": _list,
    "show": _show,
    "nodes": _nodes,
    "sizes": _sizes,
    "usage": _usage,
    "delete": _delete,
    "detach": _delete,
    "start": _power,
    "stop": _power,
    "restart": _power,
    "resize": _resize,
    "identity": _identity,
    "wait": _wait,
    "ops": _ops,
}
