"""Every verb of the command grammar, each declared once beside the handler that runs it.

A declaration (``@VERBS.verb(…)``, see :mod:`.registry`) is all the grammar needs: its parser, its line
of the usage and its ``--help`` are generated from it. ``execute(command, session)`` runs a parsed
:class:`~jupyter_compute.frontends.command.Command` against the Python API and returns an
:class:`~jupyter_compute.frontends.command.Outcome`; front ends render it, and run the verbs declared
as theirs (the panel, the emulator) themselves. Nothing here prints.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Literal

from ..errors import UsageError, ValidationError
from ..model import kinds
from ..model.costs import sized
from ..model.specs import DESCRIPTION_FLAGS, IDLE_SHUTDOWN_FLAGS, SIZE_FLAGS, TAGS_FLAGS
from ..render.output import inline_secret_warning
from ..render.prices import costs_text, create_notes, price_note, size_cells, sizes_footer
from ..render.spec import spec_yaml
from ..render.tables import NO_WORKSPACES, Listing, computes_text, text_table, unlisted_footer
from ..render.text import summary
from .command import Command, Outcome, Said, Session
from .registry import CLOUD, NAME, TIMEOUT, Arg, FrontEnd, OneOf, Registry

if TYPE_CHECKING:
    from ..model.wire import ArmRequest
    from ..service.operation import Operation
    from ..service.ref import WorkspaceRef
    from ..service.workspace import Workspace

VERBS = Registry()

# --- running a command ------------------------------------------------------------------------


def execute(command: Command, session: Session) -> Outcome:
    """Run one parsed command against the Python API (front ends render the Outcome)."""
    verb = VERBS[command.verb]
    warnings = (inline_secret_warning(command.inline_secrets),) if command.inline_secrets else ()
    if command.options.get("all_workspaces"):
        outcome = _survey(command)
    elif verb.session_handler is not None:
        outcome = verb.session_handler(command, session)
    elif verb.handler is None:
        raise UsageError(verb.elsewhere)
    else:
        outcome = verb.handler(workspace_for(command, session), command)
    outcome.warnings = warnings + outcome.warnings
    return outcome


Deferred = Literal["pick", "login", "survey"]


def deferred(command: Command) -> Deferred | None:
    """What the front end runs its own way, after :func:`execute` returned it unstarted: ``pick`` (workspace
    --pick: a dropdown, a numbered prompt), ``login`` (the link and code, then who signed in), ``survey``
    (list/costs --all-workspaces: a progress line, then the tables)."""
    if command.verb == "workspace" and command.options.get("pick"):
        return "pick"
    if command.verb == "login":
        return "login"
    if command.options.get("all_workspaces"):
        return "survey"
    return None


def _survey(command: Command) -> Outcome:
    """Every workspace's computes (``list``) or bill (``costs``), unstarted: the front end runs it."""
    from ..service.account import Account, Survey

    choice = command.workspace
    if choice.resource_group or choice.workspace or choice.config:
        raise UsageError("--all-workspaces lists every workspace: give no --resource-group, --workspace or --config")
    if command.options.get("outdated"):
        raise UsageError("--outdated lists one workspace's instances: give it without --all-workspaces")
    account = Account(choice.cloud, local=choice.local)
    return Outcome(Survey(account, choice.subscription, kind=command.options.get("type")), None, "")


def runs_itself(command: Command, front_end: FrontEnd) -> bool:
    """True when ``front_end`` runs this verb itself (the panel in a notebook, the emulator on the command
    line); a UsageError when it belongs to another front end; False when :func:`execute` runs it."""
    verb = VERBS[command.verb]
    if verb.only_in is None:
        return False
    if verb.only_in != front_end:
        raise UsageError(verb.elsewhere)
    return True


def workspace_for(command: Command, session: Session) -> Workspace:
    """The workspace the command's flags name, else the session's choice, else the default."""
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


def _operation_outcome(op: Operation) -> Outcome:
    return Outcome(op, op.to_dict(), summary(op), operation=op)


def _dry(request: ArmRequest) -> Outcome:
    data = request.dry_run()
    return Outcome(data, data, json.dumps(data, indent=2))


def _named(command: Command) -> str:
    if not command.name:
        raise UsageError(f"{command.verb} needs the NAME of a compute")
    return command.name


# --- the verbs, in the order the usage lists them ---------------------------------------------


@VERBS.verb(
    "create",
    help="create a compute cluster (the default kind) or a compute instance; %%compute create takes an az ml YAML body",
    kinds=kinds.creatable(),
    default_kind=kinds.CLUSTER.word,
    writes=True,
    dry_run=True,
)
@VERBS.verb(
    "attach",
    help="attach an existing Azure resource as compute; %%compute attach takes an az ml YAML body",
    kinds=kinds.attachable(),
    writes=True,
    dry_run=True,
)
def create(ws: Workspace, command: Command) -> Outcome:
    spec = command.spec
    if spec is None:
        raise UsageError(f"{command.verb} needs a kind and its options, or a YAML document")
    notes = spec.notes + create_notes(spec)
    if command.dry_run:
        request, note = ws.preview_create(spec.resolve_secrets())
        outcome = _dry(request)
        notes += (note,) if note else ()
        if command.verb == "create" and sized(spec):
            notes += (price_note(ws.estimate(spec, quick=True)),)
    elif command.verb == "attach":
        outcome = _operation_outcome(ws.attach(spec))
    else:
        outcome = _operation_outcome(ws.create(spec, preflight=not command.skip_preflight))
    outcome.notes = notes + outcome.notes
    return outcome


ALL_WORKSPACES = Arg(
    "--all-workspaces",
    action="store_true",
    help="in every workspace your sign-in sees (--subscription narrows it, --local: the local stand-ins)",
)


@VERBS.verb(
    "list",
    Arg("--type", metavar="KIND", help="only this kind (cluster, instance, vm, kubernetes …)"),
    Arg(
        "--outdated",
        action="store_true",
        help="only compute instances whose OS image is not the latest (the service does not update it in place)",
    ),
    ALL_WORKSPACES,
    help="the computes of the workspace, with their kind, size, state and nodes",
)
def list_(ws: Workspace, command: Command) -> Outcome:
    computes = ws.list(command.options.get("type"), outdated=bool(command.options.get("outdated")))
    return Outcome(computes, [c.to_dict() for c in computes], computes_text(computes))


@VERBS.verb(
    "show",
    NAME,
    help="one compute: its state, how to connect to an instance (links, ssh), its OS image, a cluster's busy "
    "nodes and their jobs, its az ml YAML",
)
def show(ws: Workspace, command: Command) -> Outcome:
    name = _named(command)
    compute = ws.get(name)
    nodes = ws.nodes(name) if compute.compute_type == kinds.CLUSTER.compute_type else None
    spec_text = spec_yaml(compute.spec) if kinds.of_compute_type(compute.compute_type) else ""
    text = computes_text(compute, nodes) + (f"\n\n{spec_text}" if spec_text else "")
    return Outcome(compute, compute.to_dict(), text)


@VERBS.verb(
    "doctor",
    Arg("name", metavar="NAME", nargs="?", help="the compute (none: every compute of the workspace)"),
    help="why a compute is in its state and what to do (idle shutdown that does not fire, failed stops and "
    "starts, schedules that never fire, clusters that cannot scale, outdated OS images); no NAME: what in the "
    "workspace needs attention",
)
def doctor(ws: Workspace, command: Command) -> Outcome:
    from ..render.doctor import DoctorReport

    report = DoctorReport(ws.doctor(command.name), workspace=command.name is None)
    return Outcome(report, report.to_dict(), repr(report))


@VERBS.verb("nodes", NAME, help="the nodes of a cluster: state, the job on each, addresses")
def nodes(ws: Workspace, command: Command) -> Outcome:
    name = _named(command)
    found = ws.nodes(name)
    rows = [
        {
            "node": n.get("nodeId") or "",
            "state": n.get("nodeState") or "",
            "job": n.get("runId") or "",  # the run on the node, when the service says
            "private ip": n.get("privateIpAddress") or "",
            "public ip": n.get("publicIpAddress") or "",
            "port": str(n.get("port") or ""),
        }
        for n in found
    ]
    shown = Listing(found, rows, empty=f"{name} has no nodes right now.")
    return Outcome(shown, found, repr(shown))


_SIZED_TYPES = {k.compute_type for k in kinds.KINDS if k.sized}  # the kinds a VM size is listed for
LOCATION = Arg("--location", metavar="REGION", help="region (default: the workspace's)")


@VERBS.verb("sizes", LOCATION, help="the VM sizes of the region: vCPUs, memory, GPUs and price per hour")
def sizes(ws: Workspace, command: Command) -> Outcome:
    location = command.options.get("location")
    found = ws.sizes(location)
    prices = ws.prices(location)
    rows = []
    data = []
    for s in found:
        name = str(s.get("name", ""))
        hourly, low = size_cells(prices, name, bool(s.get("lowPriorityCapable")))
        rows.append(
            {
                "name": name,
                "family": s.get("family", ""),
                "vcpus": str(s.get("vCPUs", "")),
                "memory gb": str(s.get("memoryGB", "")),
                "gpus": str(s.get("gpus", "")),
                f"{prices.currency or 'price'}/h": hourly,
                "low priority": low,
                "for": ", ".join(t for t in s.get("supportedComputeTypes") or [] if t in _SIZED_TYPES),
            }
        )
        price = prices.of(name) if prices.known else None
        data.append(
            {
                **s,
                "retailPrice": {
                    "currency": prices.currency,
                    "perHour": price.hourly if price else None,
                    "lowPriorityPerHour": price.low_priority if price else None,
                    "emulated": prices.emulated,
                    "problem": prices.problem or ("" if price else "the region lists no price for this size"),
                },
            }
        )
    shown = Listing(found, rows, sizes_footer(prices))
    return Outcome(shown, data, repr(shown))


@VERBS.verb("usage", LOCATION, help="the vCPU quotas of the region and how much of them is used")
def usage(ws: Workspace, command: Command) -> Outcome:
    found = ws.usage(command.options.get("location"))
    rows = [
        {
            "quota": (u.get("name") or {}).get("localizedValue", ""),
            "used": str(u.get("currentValue", "")),
            "limit": str(u.get("limit", "")),
        }
        for u in found
    ]
    shown = Listing(found, rows)
    return Outcome(shown, found, repr(shown))


@VERBS.verb(
    "delete",
    NAME,
    help="delete a compute and the resources it holds (for an attached compute: detach)",
    writes=True,
    dry_run=True,
    confirm="Delete {name} and the resources it holds?",
)
@VERBS.verb("detach", NAME, help="detach an attached compute; the resource itself stays", writes=True, dry_run=True)
def delete(ws: Workspace, command: Command) -> Outcome:
    name = _named(command)
    detach = command.verb == "detach"
    if command.dry_run:
        return _dry(ws.plan_delete(name, "Detach" if detach else "Delete"))
    return _operation_outcome(ws.detach(name) if detach else ws.delete(name))


@VERBS.verb("start", NAME, help="start a stopped compute instance", writes=True, dry_run=True)
@VERBS.verb("stop", NAME, help="stop a compute instance (its disk is kept)", writes=True, dry_run=True)
@VERBS.verb("restart", NAME, help="restart a compute instance", writes=True, dry_run=True)
def power(ws: Workspace, command: Command) -> Outcome:
    name = _named(command)
    if command.dry_run:
        return _dry(ws.plan_power(name, command.verb))
    action = {"start": ws.start, "stop": ws.stop, "restart": ws.restart}[command.verb]
    return _operation_outcome(action(name))


@VERBS.verb("wait", NAME, TIMEOUT, help="follow what a compute is doing now (create, stop …) to its end")
def wait(ws: Workspace, command: Command) -> Outcome:
    return _operation_outcome(ws.follow(_named(command)))


@VERBS.verb(
    "resize",
    NAME,
    Arg("--min-nodes", "--min-instances", dest="min_nodes", metavar="N", help="nodes kept running"),
    Arg("--max-nodes", "--max-instances", dest="max_nodes", metavar="M", help="most nodes"),
    Arg(
        "--idle-time-before-scale-down",
        "--idle-seconds-before-scaledown",
        dest="idle_seconds",
        metavar="SECONDS",
        help="seconds a node stays idle before it is released (or ISO-8601, PT2M)",
    ),
    help="change a cluster's node counts or idle time before scale-down",
    writes=True,
)
def resize(ws: Workspace, command: Command) -> Outcome:
    o = command.options
    return _operation_outcome(
        ws.resize(
            _named(command),
            min_nodes=o.get("min_nodes"),
            max_nodes=o.get("max_nodes"),
            idle_seconds=o.get("idle_seconds"),
        )
    )


@VERBS.verb(
    "identity",
    NAME,
    OneOf(
        Arg("--system-assigned", action="store_true", help="add a system-assigned identity"),
        Arg("--user-assigned", nargs="+", metavar="ID", help="add user-assigned identities (resource ids)"),
        required=True,
    ),
    help="add a managed identity to a compute",
    writes=True,
)
def identity(ws: Workspace, command: Command) -> Outcome:
    o = command.options
    return _operation_outcome(
        ws.add_identity(
            _named(command),
            system_assigned=bool(o.get("system_assigned")),
            user_assigned=tuple(o.get("user_assigned") or ()),
        )
    )


@VERBS.verb(
    "update",
    NAME,
    Arg(  # create's names for the fields update changes (model.specs owns them), and update's own short one
        "--idle-shutdown",
        *IDLE_SHUTDOWN_FLAGS,
        dest="idle_shutdown",
        metavar="MINUTES",
        help="instance: stop after this much inactivity (minutes, or ISO-8601 PT1H; 15 minutes to 3 days)",
    ),
    Arg(
        "--add-schedule",
        dest="add_schedules",
        action="append",
        metavar="YAML",
        help="instance: add a start/stop schedule, one compute_start_stop entry in YAML "
        "('{action: stop, trigger: {type: cron, expression: \"0 19 * * *\"}}')",
    ),
    Arg(
        "--remove-schedule",
        dest="remove_schedules",
        action="append",
        metavar="N",
        help="instance: remove schedule N (as show numbers them)",
    ),
    OneOf(
        Arg(
            "--schedules",
            dest="schedules_file",
            metavar="FILE",
            help="instance: replace the schedules with a YAML file's",
        ),
        Arg("--no-schedules", action="store_true", help="instance: remove every schedule"),
    ),
    OneOf(
        Arg(
            "--custom-applications",
            dest="applications_file",
            metavar="FILE",
            help="instance: replace its custom applications with a YAML file's (az ml custom_applications; "
            "sent by POST customServices with api-version 2024-10-01-preview, the route's only version)",
        ),
        Arg("--no-custom-applications", action="store_true", help="instance: remove every custom application"),
    ),
    OneOf(  # create's flag, az ml's YAML key and azure-ai-ml's keyword enable_sso; --disable-sso for "false"
        Arg(
            "--enable-sso",
            dest="enable_sso",
            nargs="?",
            const="true",
            metavar="true|false",
            help="instance: single sign-on on (or off with false); sent by POST enableSso with api-version "
            "2024-04-01-preview, the only version with the route (az ml compute enable-sso)",
        ),
        Arg("--disable-sso", action="store_true", help="instance: single sign-on off (--enable-sso false)"),
    ),
    Arg(*SIZE_FLAGS, dest="size", metavar="SIZE", help="instance: the VM size, while the instance is stopped"),
    Arg(*DESCRIPTION_FLAGS, dest="description", metavar="TEXT", help="cluster: its description"),
    Arg(
        *TAGS_FLAGS,
        dest="tags",
        nargs="*",
        metavar="KEY=VALUE",
        help="cluster: its tags (replaces them; none given: removes them)",
    ),
    help="change a compute after its creation: an instance's idle shutdown, schedules, size (stopped), custom "
    "applications or single sign-on, a cluster's description or tags (SSH is set at creation); "
    "%%compute update NAME takes these as az ml YAML. Schedules are sent by "
    "a PUT of the instance built exactly as a create body (never the read-back's echo: no schedule id or "
    "provisioningStatus); fairly sure, not certain: no public spec or SDK has a schedules route (azure-ai-ml "
    "also re-PUTs), but Azure ML's role docs list an updateSchedules action and a redeployed template with "
    "schedules was reported refused",
    writes=True,
    dry_run=True,
    body="az ml YAML keys: idle_time_before_shutdown_minutes, schedules (compute_start_stop), size, "
    "custom_applications, enable_sso, description, tags",
)
def update(ws: Workspace, command: Command) -> Outcome:
    keywords = _update_keywords(command)
    name = _named(command)
    if command.dry_run:
        return _dry(ws.plan_update(name, **keywords))
    return _operation_outcome(ws.update(name, **keywords))


def _update_keywords(command: Command) -> dict[str, Any]:
    """Workspace.update's keywords from the flags and the YAML body (a field in both is refused)."""
    from ..inputs import MAX_YAML_BYTES, YAML_LIMITS, load_yaml, read_text, settings_document
    from ..service.changes import document_keywords

    o = command.options
    flags: dict[str, Any] = {}
    if o.get("idle_shutdown") is not None:
        flags["idle_shutdown"] = o["idle_shutdown"]
    if o.get("add_schedules"):
        flags["add_schedules"] = [load_yaml(text, "--add-schedule") for text in o["add_schedules"]]
    if o.get("remove_schedules"):
        flags["remove_schedules"] = list(o["remove_schedules"])
    for field, flag, given in (
        ("schedules", "--schedules", "schedules_file"),
        ("custom_applications", "--custom-applications", "applications_file"),
    ):
        if o.get(given):  # a YAML file's list (an empty file: none)
            loaded = load_yaml(read_text(o[given], flag, limit=MAX_YAML_BYTES, note=YAML_LIMITS), f"{flag} {o[given]}")
            flags[field] = [] if loaded is None else loaded
        if o.get(f"no_{field}"):
            flags[field] = []
    for key in ("size", "description", "enable_sso"):
        if o.get(key) is not None:
            flags[key] = o[key]
    if o.get("disable_sso"):
        flags["enable_sso"] = False
    if o.get("tags") is not None:
        flags["tags"] = list(o["tags"])
    body = o.get("body")
    if not body:
        return flags
    document = document_keywords(settings_document(body, "the cell body"), "the cell body")
    both = sorted(set(document) & set(flags))
    if both:
        raise UsageError(f"give {', '.join(both)} in the YAML body or as flags, not both")
    return {**document, **flags}


@VERBS.verb(
    "costs",
    ALL_WORKSPACES,
    help="what runs now and what it costs an hour, the workspace's total, and instances left running unguarded",
)
def costs(ws: Workspace, command: Command) -> Outcome:
    bill = ws.costs()
    return Outcome(bill, bill.to_dict(), costs_text(bill))


@VERBS.verb("ops", help="the operations in flight in the workspace, wherever they were started")
def ops(ws: Workspace, command: Command) -> Outcome:
    found = ws.operations()
    rows = [
        {
            "name": op.target,
            "action": op.action,
            "kind": op.kind,
            "phase": op.progress.phase,
            "elapsed": f"{op.progress.elapsed:.0f}s",
            "followed": "resumed" if op.resumed else "started here",
        }
        for op in found
    ]
    data = [
        {"name": op.target, "action": op.action, "kind": op.kind, "phase": op.progress.phase, "status": op.status}
        for op in found
    ]
    return Outcome(found, data, text_table(rows, empty="No operations in flight."))


VERBS.front_end_verb(
    "panel",
    help="the Compute panel: every compute with its live state, and forms to create any kind",
    only_in="magic",
    elsewhere="the panel lives in JupyterLab: open the Compute tab in the left sidebar, or run "
    "%compute panel in a notebook",
    workspace=False,
    output=False,
)


SAVE = Arg(
    "--save",
    metavar="PATH",
    help="write the workspace as a config.json (Azure ML's format) to PATH, a file or a folder; "
    "an existing file is replaced only with --yes (a terminal asks)",
)


@VERBS.session_verb(
    "workspace",
    Arg(
        "--config",
        dest="ws_config",
        metavar="PATH",
        help="a config.json (subscription_id, resource_group, workspace_name)",
    ),
    Arg("--pick", action="store_true", help="choose among the workspaces your sign-in sees (see `workspaces`)"),
    SAVE,
    Arg("-y", "--yes", action="store_true", help="replace the file --save names if it exists"),
    help="the workspace commands go to; the workspace flags (or --config, or --pick) given here hold for the session",
)
def workspace(command: Command, session: Session) -> Outcome:
    from ..service.account import Account, Choice

    save = command.options.get("save")
    if command.options.get("pick"):

        def choose(ref: WorkspaceRef) -> None:
            session.workspace = ref

        account = Account(command.workspace.cloud, local=command.workspace.local)
        choice = Choice(
            account, choose, subscription=command.workspace.subscription, save_to=save, replace=bool(command.yes)
        )
        return Outcome(choice, None, "")
    ws = workspace_for(command, session)
    if command.workspace.given:
        session.workspace = ws.ref
    ref = ws.ref
    data: dict[str, Any] = {
        "local": ref.local,
        "subscription_id": ref.subscription_id,
        "resource_group": ref.resource_group,
        "workspace_name": ref.workspace_name,
        "cloud": ref.cloud_name,
        "origin": ref.origin,
    }
    text = f"Workspace: {ref.describe()} [{ref.origin}]"
    if save:
        from ..service.ref import write_config

        written = write_config(ref, save, replace=bool(command.yes))
        data["saved"] = str(written)
        text += f"\nSaved as {written}"
    return Outcome(ws, data, text)


@VERBS.session_verb(
    "workspaces",
    Arg("--subscription", dest="subscription", metavar="ID|NAME", help="only this subscription (its id or name)"),
    CLOUD,
    Arg("--local", dest="ws_local", action="store_true", help="the local workspace's stand-in subscriptions"),
    help="every Azure ML workspace your sign-in sees: subscription, resource group, workspace, region and kind",
    workspace=False,
)
def workspaces(command: Command, session: Session) -> Outcome:
    from ..service.account import Account

    account = Account(command.workspace.cloud, local=command.workspace.local)
    try:
        found = account.workspaces(command.options.get("subscription"))
    finally:
        account.close()
    shown = Listing(found.workspaces, found.rows(), unlisted_footer(found), empty=NO_WORKSPACES)
    return Outcome(shown, found.to_dict(), repr(shown))


@VERBS.session_verb(
    "login",
    Arg("--tenant", metavar="ID", help="the tenant (directory) to sign in to (default: your organisation's)"),
    CLOUD,
    help="sign in to Azure with a code: open the link shown, type the code, and every kernel, restart and "
    "terminal here uses that sign-in",
    workspace=False,
    output=False,
)
def login(command: Command, session: Session) -> Outcome:
    from ..service.signin import SignIn

    sign_in = SignIn(command.options.get("tenant"), command.workspace.cloud)
    return Outcome(sign_in, None, "")


@VERBS.session_verb(
    "logout", CLOUD, help="forget the sign-in `login` saved (az CLI's and others' are left)", workspace=False
)
def logout(command: Command, session: Session) -> Outcome:
    from ..service.signin import sign_out

    who = sign_out(command.workspace.cloud)
    text = f"Signed out {who.user} (tenant {who.tenant})." if who is not None else "No saved sign-in to forget."
    data = {"signed_out": who is not None, "user": who.user if who else None}
    return Outcome(Said(text), data, text)


VERBS.front_end_verb(
    "emulator",
    Arg("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)"),
    Arg("--data", metavar="DIR", help="state folder (default: $JUPYTER_COMPUTE_HOME)"),
    help="serve the local workspace on 127.0.0.1, until Ctrl-C",
    only_in="cli",
    elsewhere="the emulator runs in a terminal: `jupyter compute emulator`",
    workspace=False,
    output=False,
)
