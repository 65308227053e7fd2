"""Why a compute is in the state it is, and what to do: ``doctor``'s rules (pure: no I/O).

Each rule is a function of :class:`Facts` (the compute's ARM body, and when the caller has them its nodes
(``listNodes``), the region's quota rows (``usages``), its VM sizes and the time now) that returns its
:class:`Finding` s: what is the case, in one sentence of the service's own facts, and what to do. The
rules say only what the service's answer shows; they never guess at what it does not say.

Idle shutdown that does not fire: Azure ML documents when it counts an instance inactive (Azure ML docs,
"Create an Azure Machine Learning compute instance", section "Configure idle shutdown",
MicrosoftDocs/azure-docs ``articles/machine-learning/how-to-create-compute-instance.md``): no active
Jupyter kernel sessions (notebooks in Jupyter, JupyterLab or the studio's notebooks), no active Jupyter
terminal sessions, no active Azure ML runs or experiments, no SSH connections, no VS Code connections
(VS Code ends its sessions after 3 hours without activity), and no custom application running ("a compute
instance won't be considered idle if any custom application is running"); and the idle time is 15 minutes
to 3 days. What the ARM body shows of these (custom applications, a job running) is named; the rest is
what the user can check.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from .kinds import CLUSTER, INSTANCE
from .quota import family_usage
from .resource import INSTANCE_FAILED, Compute
from .schedule_times import UnknownZone, next_fire
from .specs import Invalid, Schedule, iso_duration_seconds
from .specs.scale import MAX_NODES

PROBLEM, WARNING, INFO = "problem", "warning", "info"  # a finding's level, most urgent first
LEVELS = (PROBLEM, WARNING, INFO)
#: What keeps an instance from counting as idle, as Azure ML documents it (see the module).
IDLE_BLOCKERS = (
    "open Jupyter kernel sessions (notebooks in Jupyter, JupyterLab or the studio)",
    "open Jupyter terminals",
    "Azure ML runs or experiments",
    "SSH connections",
    "VS Code connections",
    "custom applications running",
)
#: How long a cluster may resize before doctor says it is stuck.
STUCK_RESIZE = timedelta(minutes=30)
_RUNNING = frozenset({"Running", "JobRunning"})
_LEFT_RUNNING = frozenset({"Create", "Start", "Restart"})
_DISK_FULL = re.compile(r"disk (is )?full|no space left|out of disk|disk ?space", re.I)


@dataclass(frozen=True)
class Finding:
    """One thing doctor says: ``rule`` (its name), ``level`` (problem, warning, info), ``says`` (what is the
    case) and ``todo`` (what to do about it)."""

    rule: str
    level: str
    says: str
    todo: str = ""

    @property
    def sentence(self) -> str:
        return f"{self.says} {self.todo}".strip()

    def to_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "level": self.level, "says": self.says, "todo": self.todo}


@dataclass(frozen=True)
class Facts:
    """What the rules read: the compute, and what the caller fetched besides (None: not fetched)."""

    compute: Compute
    now: datetime
    nodes: Sequence[Mapping[str, Any]] | None = None
    usages: Sequence[Mapping[str, Any]] | None = None
    sizes: Sequence[Mapping[str, Any]] | None = None

    @property
    def inner(self) -> Mapping[str, Any]:
        props = self.compute.body.get("properties")
        inner = props.get("properties") if isinstance(props, Mapping) else None
        return inner if isinstance(inner, Mapping) else {}

    @property
    def name(self) -> str:
        return self.compute.name

    @property
    def instance(self) -> bool:
        return self.compute.compute_type == INSTANCE.compute_type

    @property
    def cluster(self) -> bool:
        return self.compute.compute_type == CLUSTER.compute_type


@dataclass(frozen=True)
class Diagnosis:
    """What doctor found about one compute, most urgent first."""

    name: str
    kind: str
    state: str
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def attention(self) -> tuple[Finding, ...]:
        """The findings that need the user (problems and warnings)."""
        return tuple(f for f in self.findings if f.level in (PROBLEM, WARNING))

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "state": self.state,
            "findings": [f.to_dict() for f in self.findings],
        }


Rule = Callable[[Facts], list[Finding]]


def _errors_text(errors: Any) -> str:
    """The service's error objects as ``code: message; …`` (both shapes: ``{"error": {…}}`` and ``{…}``)."""
    parts = []
    for item in errors if isinstance(errors, list) else []:
        error = item.get("error", item) if isinstance(item, Mapping) else None
        if not isinstance(error, Mapping):
            continue
        code, message = str(error.get("code") or ""), str(error.get("message") or "").strip().rstrip(".")
        parts.append(": ".join(p for p in (code, message) if p))
    return "; ".join(p for p in parts if p)


def _when(raw: Any) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _hours(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    if hours < 2:
        return f"{delta.total_seconds() / 60:.0f} minutes"
    return f"{hours:.1f} hours" if hours < 48 else f"{hours / 24:.1f} days"


# --- the rules ----------------------------------------------------------------------------------------


def failed_state(facts: Facts) -> list[Finding]:
    """A compute that failed to be created, an instance whose setup failed or that is Unusable; a full disk
    when the service's errors say so."""
    compute, name = facts.compute, facts.name
    state = compute.instance_state
    errors = _errors_text(compute.provisioning_errors) or _errors_text(facts.inner.get("errors"))
    detail = f" The service says: {errors}." if errors else ""
    found: list[Finding] = []
    if state in INSTANCE_FAILED or compute.provisioning_state == "Failed":
        says, todo = {
            "CreateFailed": (
                f"{name} failed to be created.",
                f"Delete it (`delete {name}`) and create it again once the cause is fixed.",
            ),
            "SetupFailed": (
                f"{name}'s setup by the service failed.",
                f"Delete it (`delete {name}`) and create it again.",
            ),
            "UserSetupFailed": (
                f"{name}'s setup script failed.",
                f"Fix the script (setup_scripts), then delete {name} and create it again.",
            ),
            "Unusable": (
                f"{name} is Unusable: the service cannot use its VM.",
                f"Restart it (`restart {name}`); if it stays Unusable, delete it and create it again "
                "(files on its local disk are lost; the workspace's file share stays).",
            ),
        }.get(state, (f"{name} failed to be provisioned.", f"Delete it (`delete {name}`) and create it again."))
        found.append(Finding("failed-state", PROBLEM, says + detail, todo))
    if errors and _DISK_FULL.search(errors):
        found.append(
            Finding(
                "disk-full",
                PROBLEM,
                f"{name}'s disk is full, by the service's errors.",
                "Free space on it (delete files, caches, old environments) or recreate it with a larger disk.",
            )
        )
    return found


def last_operation_failed(facts: Facts) -> list[Finding]:
    """An instance's last start, stop, restart … that failed (``lastOperation``), with what triggered it."""
    last = facts.compute.last_operation
    status = str(last.get("operationStatus") or "")
    if not facts.instance or not status.endswith("Failed") or status == "CreateFailed":
        return []
    operation = str(last.get("operationName") or "operation")
    trigger = {"User": "a user", "Schedule": "a schedule", "IdleShutdown": "idle shutdown"}.get(
        str(last.get("operationTrigger") or ""), "an unreported trigger"
    )
    when = _when(last.get("operationTime"))
    at = f" at {when:%Y-%m-%d %H:%M} UTC" if when else ""
    errors = _errors_text(facts.inner.get("errors"))
    detail = f" The service says: {errors}." if errors else ""
    name = facts.name
    todo = {
        "Stop": f"It may still be running and billed: stop it again (`stop {name}`).",
        "Start": f"Start it again (`start {name}`).",
        "Restart": f"Restart it again (`restart {name}`), or stop and start it.",
        "Delete": f"Delete it again (`delete {name}`).",
    }.get(operation, f"Try the {operation.lower()} again.")
    return [
        Finding(
            "last-operation-failed",
            PROBLEM,
            f"The {operation.lower()} of {name} by {trigger}{at} failed ({status}).{detail}",
            todo,
        )
    ]


def idle_shutdown_not_firing(facts: Facts) -> list[Finding]:
    """An instance with idle shutdown that has run longer than its idle time since it was last started:
    something kept it from counting as idle (the documented blockers; custom applications it has, named)."""
    compute, name = facts.compute, facts.name
    if not facts.instance or compute.instance_state not in _RUNNING or not compute.idle_shutdown:
        return []
    try:
        idle = timedelta(seconds=iso_duration_seconds(compute.idle_shutdown))
    except Invalid:
        return []
    found: list[Finding] = []
    custom = [
        str(s.get("name") or "unnamed") for s in facts.inner.get("customServices") or [] if isinstance(s, Mapping)
    ]
    if custom:
        found.append(
            Finding(
                "custom-applications",
                WARNING,
                f"{name} has custom applications ({', '.join(custom)}); Azure ML does not count an instance idle "
                "while a custom application runs, so its idle shutdown may never fire.",
                f"Add a stop schedule (`update {name} --add-schedule …`).",
            )
        )
    last = compute.last_operation
    started = _when(last.get("operationTime")) if last.get("operationName") in _LEFT_RUNNING else None
    if started is None or facts.now - started <= idle:
        return found
    ran = _hours(facts.now - started)
    if compute.instance_state == "JobRunning":
        found.append(
            Finding(
                "idle-shutdown-job",
                INFO,
                f"{name} runs a job; idle shutdown ({_hours(idle)}) waits until no Azure ML run is active.",
            )
        )
        return found
    found.append(
        Finding(
            "idle-shutdown-not-firing",
            WARNING,
            f"{name} has idle shutdown after {_hours(idle)} of inactivity, yet has run {ran} since its last "
            f"{str(last.get('operationName')).lower()}. Azure ML counts it idle only with none of: "
            f"{', '.join(IDLE_BLOCKERS)}.",
            f"Close those (shut down kernels and terminals, disconnect SSH and VS Code), or stop it "
            f"(`stop {name}`) and add a stop schedule.",
        )
    )
    return found


def runs_unguarded(facts: Facts) -> list[Finding]:
    """A running instance with neither idle shutdown nor an enabled stop schedule: billed until stopped."""
    compute, name = facts.compute, facts.name
    if not facts.instance or compute.instance_state not in _RUNNING:
        return []
    if compute.idle_shutdown or compute.stop_scheduled:
        return []
    return [
        Finding(
            "runs-unguarded",
            WARNING,
            f"{name} runs with neither idle shutdown nor a stop schedule: it is billed until someone stops it.",
            f"Set one: `update {name} --idle-shutdown 60`, or a stop schedule.",
        )
    ]


def schedules_that_never_fire(facts: Facts) -> list[Finding]:
    """Schedules that are disabled, failed to be set by the service, name an unknown zone, or whose cron or
    recurrence matches no time (within five years)."""
    if not facts.instance:
        return []
    holder = facts.inner.get("schedules")
    items = holder.get("computeStartStop") if isinstance(holder, Mapping) else None
    found: list[Finding] = []
    name = facts.name
    for i, item in enumerate(items if isinstance(items, list) else [], 1):
        replace = f"Replace it (`update {name} --remove-schedule {i} --add-schedule …`)."
        if not isinstance(item, Mapping):
            continue
        try:
            schedule = Schedule.from_arm(item)
        except (AttributeError, TypeError, ValueError):
            found.append(Finding("schedule-unreadable", WARNING, f"{name}'s schedule {i} cannot be read.", replace))
            continue
        action = str(schedule.action).lower()
        if str(item.get("provisioningStatus") or "").lower() == "failed":
            found.append(
                Finding(
                    "schedule-failed",
                    WARNING,
                    f"The service failed to set {name}'s schedule {i} ({action}): it does not fire.",
                    replace,
                )
            )
            continue
        if str(schedule.status).lower() != "enabled":
            found.append(
                Finding(
                    "schedule-disabled",
                    INFO,
                    f"{name}'s schedule {i} ({action}) is disabled: it never fires.",
                    f"Enable it in a new schedule list (`update {name} --schedules FILE`), or remove it.",
                )
            )
            continue
        try:
            when = next_fire(schedule, facts.now)
        except UnknownZone as exc:
            found.append(Finding("schedule-zone", WARNING, f"{name}'s schedule {i} ({action}): {exc}.", replace))
            continue
        except ValueError as exc:
            found.append(Finding("schedule-unreadable", WARNING, f"{name}'s schedule {i} ({action}): {exc}.", replace))
            continue
        if when is None:
            trigger = f"cron {schedule.expression!r}" if schedule.trigger_type == "Cron" else "recurrence"
            found.append(
                Finding(
                    "schedule-never-fires",
                    WARNING,
                    f"{name}'s schedule {i} ({action}, {trigger}) matches no time in the next five years: "
                    "it never fires.",
                    replace,
                )
            )
    return found


def outdated_image(facts: Facts) -> list[Finding]:
    """An instance whose OS image is not the latest (``osImageMetadata.isLatestOsImageVersion`` false)."""
    image = facts.compute.os_image
    if image is None or not facts.compute.outdated_image:
        return []
    name = facts.name
    return [
        Finding(
            "outdated-image",
            WARNING,
            f"{name} runs OS image {image.get('currentImageVersion') or '(unknown)'}; the latest is "
            f"{image.get('latestImageVersion') or '(unknown)'}.",
            RECREATE_FOR_IMAGE.format(name=name),
        )
    ]


#: How an instance gets a newer OS image. Azure ML documents that an instance gets the latest image when it
#: is created and is not updated after ("Recreate a compute instance to get the latest OS image (recommended)
#: or regularly update OS and Python packages", how-to-create-compute-instance / "Manage software
#: updates"); no compute route (start, restart, resize …, the spec's and the SDKs') changes the image.
RECREATE_FOR_IMAGE = (
    "The service does not update an instance's image in place (start and restart keep it): create a new "
    "instance for the new image (save what is on {name}'s local disk to the workspace's storage first) and "
    "delete {name}, or update its OS packages yourself."
)


def start_note(compute: Compute, action: str) -> str:
    """The one line a start or restart of an instance on an outdated OS image says ("" otherwise)."""
    if not compute.outdated_image or action not in ("start", "restart"):
        return ""
    image = compute.os_image or {}
    current, latest = image.get("currentImageVersion") or "unknown", image.get("latestImageVersion") or "unknown"
    return (
        f"{compute.name} is on OS image {current}, not the latest ({latest}); a {action} keeps its image: only a "
        f"new instance gets the new one (`doctor {compute.name}` says how)."
    )


def cluster_errors(facts: Facts) -> list[Finding]:
    """A cluster's own errors (``properties.properties.errors``), with what to do by their kind."""
    if not facts.cluster:
        return []
    errors = _errors_text(facts.inner.get("errors"))
    if not errors:
        return []
    lowered = errors.lower()
    if "quota" in lowered:
        todo = "Ask for more quota for its VM family (`usage` shows it), or lower its max nodes."
    elif "subnet" in lowered or "address" in lowered:
        todo = "Its subnet has no room or cannot be used: give the cluster a larger subnet, or free addresses."
    else:
        todo = "Fix what the service names; the cluster keeps its settings meanwhile."
    return [Finding("cluster-errors", PROBLEM, f"{facts.name} reports: {errors}.", todo)]


def cluster_cannot_scale(facts: Facts) -> list[Finding]:
    """A cluster resizing for longer than :data:`STUCK_RESIZE` towards more nodes than it has; low-priority
    nodes preempted; unusable nodes; and, with the region's usages and sizes, a max that the quota cannot hold."""
    if not facts.cluster:
        return []
    compute, name = facts.compute, facts.name
    counts = compute.node_counts
    found: list[Finding] = []
    since = _when(facts.inner.get("allocationStateTransitionTime"))
    if not counts.steady and counts.target > counts.current and since and facts.now - since > STUCK_RESIZE:
        found.append(
            Finding(
                "cluster-stuck-resizing",
                WARNING,
                f"{name} has been resizing for {_hours(facts.now - since)} towards {counts.target} nodes and has "
                f"{counts.current}.",
                "Check its quota (`usage`), its errors and its subnet; jobs wait meanwhile.",
            )
        )
    preempted = counts.states.get("preempted", 0)
    if preempted:
        found.append(
            Finding(
                "nodes-preempted",
                WARNING if compute.vm_priority == "LowPriority" else INFO,
                f"{preempted} of {name}'s nodes were preempted: Azure takes low-priority nodes back when it "
                "needs the capacity, and their jobs start again.",
                "For jobs that cannot wait, use a cluster with dedicated nodes (--tier dedicated).",
            )
        )
    unusable = counts.states.get("unusable", 0)
    ids = [str(n.get("nodeId")) for n in facts.nodes or () if str(n.get("nodeState")) == "unusable"]
    if unusable or ids:
        which = f" ({', '.join(ids)})" if ids else ""
        found.append(
            Finding(
                "nodes-unusable",
                WARNING,
                f"{max(unusable, len(ids))} of {name}'s nodes are unusable{which}: jobs are not placed on them.",
                f"Release them: `resize {name} --min-nodes 0` lets idle and unusable nodes go.",
            )
        )
    found += _quota_room(facts)
    return found


def _quota_room(facts: Facts) -> list[Finding]:
    if facts.usages is None or facts.sizes is None or facts.compute.provisioning_state != "Succeeded":
        return []
    compute = facts.compute
    scale = compute.scale_settings
    size = next((s for s in facts.sizes if str(s.get("name", "")).lower() == compute.size.lower()), None)
    if size is None or not isinstance(scale, Mapping):
        return []
    low = compute.vm_priority == "LowPriority"
    if low:
        row = next((u for u in facts.usages if str(u.get("type", "")).endswith("/lowPriorityCores/usages")), None)
    else:
        row = family_usage(str(size.get("family", "")), facts.usages)
    if row is None or int(row.get("limit", -1)) < 0:
        return []
    vcpus = int(size.get("vCPUs") or 0)
    more = max(0, int(scale.get(MAX_NODES) or 0) - compute.current_nodes)
    left = int(row["limit"]) - int(row.get("currentValue") or 0)
    if not vcpus or more * vcpus <= left:
        return []
    label = (row.get("name") or {}).get("localizedValue") or "its family"
    fits = left // vcpus
    return [
        Finding(
            "quota-short",
            WARNING,
            f"{facts.name} may grow by {more} nodes ({more * vcpus} vCPUs of {compute.size}) but {label} has "
            f"{left} vCPUs left of {row['limit']}: it cannot go past {compute.current_nodes + fits} nodes.",
            f"Ask for more quota, or lower its max nodes (`resize {facts.name} --max-nodes "
            f"{compute.current_nodes + fits}`).",
        )
    ]


def busy_nodes(facts: Facts) -> list[Finding]:
    """What runs on a cluster's nodes (``listNodes``: ``runId`` of each running node)."""
    if not facts.cluster or facts.nodes is None:
        return []
    jobs = sorted({str(n["runId"]) for n in facts.nodes if n.get("runId")})
    busy = sum(1 for n in facts.nodes if n.get("runId") or str(n.get("nodeState")) == "running")
    if not busy:
        return []
    runs = f": {', '.join(jobs)}" if jobs else ""
    return [Finding("nodes-busy", INFO, f"{busy} of {facts.name}'s {len(facts.nodes)} nodes run jobs{runs}.")]


#: Every rule, in the order their findings are listed within a level.
RULES: tuple[Rule, ...] = (
    failed_state,
    last_operation_failed,
    cluster_errors,
    idle_shutdown_not_firing,
    runs_unguarded,
    schedules_that_never_fire,
    cluster_cannot_scale,
    outdated_image,
    busy_nodes,
)


def diagnose(
    compute: Compute,
    now: datetime,
    *,
    nodes: Sequence[Mapping[str, Any]] | None = None,
    usages: Sequence[Mapping[str, Any]] | None = None,
    sizes: Sequence[Mapping[str, Any]] | None = None,
) -> Diagnosis:
    """Every rule's findings about ``compute`` at ``now`` (aware), problems first, then warnings, then info."""
    facts = Facts(compute, now, nodes, usages, sizes)
    found = [finding for rule in RULES for finding in rule(facts)]
    found.sort(key=lambda f: LEVELS.index(f.level))
    return Diagnosis(compute.name, compute.kind, compute.state, tuple(found))
