"""What the service reports about computes: the one reader of an ARM compute body.

:class:`Compute` is a read-only view of the body the service sends (``GET``, a list page, a ``PUT``
answer). Everything else that needs to know a compute's state (the progress model, the tracker,
the polling strategies, the workspace's idempotency check, the panel) reads it through this view:
the provisioning state, the one state word a table shows, the node counts, the action a compute is
in the middle of, and its provisioning error. The states that end an operation are data here.

The model has no layout of its own: how computes print as text is set from above
(:func:`set_text_renderer`; the package's top sets its text tables), and how they show in notebooks is
registered with IPython by the UI. Until then they print as a plain repr of their names.
"""

from __future__ import annotations

import ipaddress
import re
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from ..data import catalogue
from ..text import one_line
from . import schedule_times
from .documents import spec_from_arm
from .kinds import CLUSTER, INSTANCE, word_of
from .links import web_link
from .specs import ComputeSpec
from .specs import scale as scale_settings
from .wire import masked

#: Provisioning (and operation) states that end an operation, as ARM names them (azure-core's ``_FINISHED``).
TERMINAL = frozenset({"Succeeded", "Failed", "Canceled"})
#: The terminal states that are not a success (azure-core's ``_FAILED``).
FAILED = frozenset({"Failed", "Canceled"})
#: A compute instance's own states that mean it failed, whatever its provisioning state says.
INSTANCE_FAILED = frozenset({"CreateFailed", "SetupFailed", "UserSetupFailed", "Unusable"})
# A provisioning state, else (instances) the instance's state, mid-way: the action it is in the middle of.
_PROVISIONING_ACTIONS = {"Creating": "create", "Deleting": "delete", "Updating": "update"}
_INSTANCE_ACTIONS = {
    "Creating": "create",
    "SettingUp": "create",
    "Starting": "start",
    "Stopping": "stop",
    "Restarting": "restart",
    "Resizing": "resize",
    "Deleting": "delete",
}

_MAX_LABEL = 80
# A user name ssh takes as one plain word (a Linux login name: no option dash, no shell characters).
_SSH_USER = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,63}")


@dataclass(frozen=True)
class NodeCounts:
    """A cluster's nodes: how many there are, how many it is heading for, by node state
    (``idle``, ``running``, ``preparing``, …), and whether its allocation is steady (not resizing)."""

    current: int = 0
    target: int = 0
    states: Mapping[str, int] = field(default_factory=dict)
    steady: bool = True

    @property
    def busy(self) -> int:
        """Nodes running a job (``runningNodeCount``)."""
        return self.states.get("running", 0)


def jobs_on_nodes(nodes: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    """The jobs running on a cluster's nodes (``listNodes``), each run id with its node ids, in the order
    met; a node with no ``runId`` (the service leaves the key out on an idle node) runs none."""
    jobs: dict[str, list[str]] = {}
    for node in nodes:
        run = node.get("runId") if isinstance(node, Mapping) else None
        if isinstance(run, str) and run:
            jobs.setdefault(run, []).append(str(node.get("nodeId") or ""))
    return jobs


@dataclass(frozen=True)
class Compute:
    """A compute as the service reports it (read-only view of the ARM body). ``emulated``: it lives in the
    local workspace, where an instance is a simulation: its application addresses and ssh command are
    the service's shape but nothing answers at them."""

    body: Mapping[str, Any]
    emulated: bool = False

    @property
    def name(self) -> str:
        return str(self.body.get("name", ""))

    @property
    def compute_type(self) -> str:
        return str(self._props.get("computeType", ""))

    @property
    def kind(self) -> str:
        """The grammar word of its kind ('cluster'); a type this package only lists, as the service names it."""
        return word_of(self.compute_type)

    @property
    def _props(self) -> Mapping[str, Any]:
        return _mapping(self.body.get("properties"))

    @property
    def _inner(self) -> Mapping[str, Any]:
        return _mapping(self._props.get("properties"))

    @property
    def size(self) -> str:
        return catalogue.size_name(str(self._inner.get("vmSize") or self._inner.get("virtualMachineSize") or ""))

    @property
    def provisioning_state(self) -> str:
        """The ARM provisioning state ("Unknown" when the body gives none)."""
        return str(self._props.get("provisioningState") or "Unknown")

    @property
    def instance_state(self) -> str:
        """A compute instance's own state (Running, Stopped, SettingUp, …); "" for other kinds."""
        if self.compute_type != INSTANCE.compute_type:
            return ""
        return str(self._inner.get("state") or "")

    @cached_property  # the body is read-only: a list of 1000 asked each row's state about ten times
    def node_counts(self) -> NodeCounts:
        raw = _mapping(self._inner.get("nodeStateCounts"))
        return NodeCounts(
            _count(self._inner.get("currentNodeCount")),
            _count(self._inner.get("targetNodeCount")),
            {str(k).replace("NodeCount", ""): _count(v) for k, v in raw.items()},
            self._inner.get("allocationState") != "Resizing",
        )

    @property
    def ended(self) -> bool:
        """Whether the provisioning state is terminal (Succeeded, Failed or Canceled)."""
        return self.provisioning_state in TERMINAL

    @cached_property
    def state(self) -> str:
        """The one word a table shows: an instance's own state, else the provisioning state, or
        Resizing for a provisioned cluster whose nodes are being allocated or released."""
        if self.instance_state:
            return self.instance_state
        provisioning = self.provisioning_state
        if provisioning == "Succeeded" and self.compute_type == CLUSTER.compute_type and not self.node_counts.steady:
            return "Resizing"
        return provisioning

    @property
    def transitional(self) -> str | None:
        """The action the compute is in the middle of, judging by its state (for resuming), else None."""
        action = _PROVISIONING_ACTIONS.get(str(self._props.get("provisioningState") or ""))
        if action is not None:
            return action
        if self.compute_type == INSTANCE.compute_type:
            return _INSTANCE_ACTIONS.get(self.instance_state)
        if self.compute_type == CLUSTER.compute_type and not self.node_counts.steady:
            return "resize"
        return None

    @property
    def provisioning_error(self) -> Mapping[str, Any] | None:
        """The first error object the compute reports (``provisioningErrors``, else an instance's
        ``errors``), as the service wrote it; None when it reports none."""
        errors = self._props.get("provisioningErrors") or self._inner.get("errors") or []
        first = errors[0] if isinstance(errors, list) and errors else None
        return first if isinstance(first, Mapping) else None

    @property
    def provisioning_errors(self) -> list[Any]:
        return list(self._props.get("provisioningErrors") or [])

    @property
    def nodes(self) -> str:
        if self.compute_type != CLUSTER.compute_type:
            return ""
        scale = self.scale_settings
        current = _count(self._inner.get("currentNodeCount"))
        return f"{current} ({scale.get(scale_settings.MIN_NODES, 0)}-{scale.get(scale_settings.MAX_NODES, '?')})"

    @property
    def current_nodes(self) -> int:
        return self.node_counts.current

    @property
    def min_nodes(self) -> int:
        """A cluster's minimum node count (0 for other kinds)."""
        return (
            _count(self.scale_settings.get(scale_settings.MIN_NODES))
            if self.compute_type == CLUSTER.compute_type
            else 0
        )

    @property
    def scale_settings(self) -> Mapping[str, Any]:
        """A cluster's scale settings as the service wrote them (wire keys: :mod:`.specs.scale`; {} if none)."""
        return scale_settings.of(self._inner)

    @property
    def modified_at(self) -> float | None:
        """``modifiedOn`` as seconds since the epoch (the service's clock), None when absent or unreadable:
        while a change is under way, when it was asked for."""
        return _epoch(self._props.get("modifiedOn"))

    @property
    def created_at(self) -> float | None:
        """``createdOn`` as seconds since the epoch, None when absent or unreadable."""
        return _epoch(self._props.get("createdOn"))

    @property
    def created(self) -> str:
        return str(self._props.get("createdOn") or "")[:19].replace("T", " ")

    @property
    def location(self) -> str:
        return str(self.body.get("location") or "")

    @property
    def attached(self) -> bool:
        return bool(self._props.get("isAttachedCompute"))

    @property
    def vm_priority(self) -> str:
        """A cluster's VM priority as the service names it (Dedicated, LowPriority); "" when not given."""
        return str(self._inner.get("vmPriority") or "")

    @property
    def idle_shutdown(self) -> str:
        """An instance's idle time before shutdown (ISO-8601, e.g. PT60M); "" when it has none."""
        value = self._inner.get("idleTimeBeforeShutdown")
        return value if isinstance(value, str) else ""

    @property
    def stop_scheduled(self) -> bool:
        """Whether an instance has an enabled schedule that stops it."""
        schedules = _mapping(self._inner.get("schedules")).get("computeStartStop") or []
        return any(
            isinstance(s, Mapping)
            and str(s.get("action", "")).lower() == "stop"
            and str(s.get("status") or "Enabled").lower() == "enabled"
            for s in schedules
        )

    def next_stop(self, now: datetime) -> datetime | None:
        """When an instance's stop schedules next stop it after ``now`` (aware), None when none will."""
        if self.compute_type != INSTANCE.compute_type:
            return None
        schedules = (self._inner.get("schedules") or {}).get("computeStartStop") or []
        return schedule_times.next_stop(schedules if isinstance(schedules, list) else [], now)

    @property
    def os_image(self) -> Mapping[str, Any] | None:
        """An instance's ``osImageMetadata`` (current, latest, whether it is the latest), None when not given."""
        image = self._inner.get("osImageMetadata")
        return image if isinstance(image, Mapping) and self.compute_type == INSTANCE.compute_type else None

    @property
    def outdated_image(self) -> bool:
        """Whether the service says the instance's OS image is not the latest."""
        return self.os_image is not None and self.os_image.get("isLatestOsImageVersion") is False

    @property
    def sso_enabled(self) -> bool | None:
        """An instance's single sign-on as the service reports it (``enableSSO``); None when it says nothing,
        or for other kinds (they have none)."""
        value = self._inner.get("enableSSO")
        return value if isinstance(value, bool) and self.compute_type == INSTANCE.compute_type else None

    @property
    def last_operation(self) -> Mapping[str, Any]:
        """An instance's ``lastOperation`` (operationName, operationTime, operationStatus, operationTrigger)."""
        last = self._inner.get("lastOperation")
        return last if isinstance(last, Mapping) else {}

    @property
    def spec(self) -> ComputeSpec:
        return spec_from_arm(self.body)

    def links(self) -> list[dict[str, str]]:
        """The instance's applications as the service lists them (Jupyter, Jupyter Lab, VS Code …):
        ``{"label", "url"}`` each, the label one clean line. Only the links :func:`~.links.web_link` keeps
        (https, or http to loopback; a plain host, no credentials); anything else the service sends
        (``javascript:``, spaces, quotes) is dropped."""
        apps = self._inner.get("applications")
        links: list[dict[str, str]] = []
        for app in apps if isinstance(apps, list) else ():
            if not isinstance(app, Mapping):
                continue
            url = web_link(app.get("endpointUri"))
            if url is None:
                continue
            label = one_line(app.get("displayName") or "").strip()[:_MAX_LABEL].strip()
            links.append({"label": label or urlsplit(url).hostname or url, "url": url})
        return links

    @property
    def ssh_enabled(self) -> bool:
        """Whether the instance has public SSH access (``sshSettings.sshPublicAccess`` is Enabled)."""
        ssh = self._inner.get("sshSettings")
        return isinstance(ssh, Mapping) and str(ssh.get("sshPublicAccess") or "").lower() == "enabled"

    def ssh_command(self) -> str:
        """``ssh -p PORT USER@ADDRESS`` when the instance has public SSH access, its user, its port and an
        address (the public one, else the private one, reachable from its virtual network); "" otherwise,
        and also when any part is not a plain user name, an IP address or a port number."""
        ssh = self._inner.get("sshSettings")
        if not self.ssh_enabled or not isinstance(ssh, Mapping):
            return ""
        user, port = ssh.get("adminUserName"), ssh.get("sshPort")
        if not isinstance(user, str) or not _SSH_USER.fullmatch(user):
            return ""
        if isinstance(port, str) and port.isdigit() and port.isascii():
            port = int(port)
        if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
            return ""
        endpoints = self._inner.get("connectivityEndpoints")
        endpoints = endpoints if isinstance(endpoints, Mapping) else {}
        for key in ("publicIpAddress", "privateIpAddress"):
            address = _ip_address(endpoints.get(key))
            if address:
                return f"ssh -p {port} {shlex.quote(f'{user}@{address}')}"
        return ""

    def row(self) -> dict[str, Any]:
        """What a table or the panel shows of it: the table's columns (:attr:`ComputeList.COLUMNS`), and how
        to connect (``links``: :meth:`links`, ``ssh``: :meth:`ssh_command`)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "size": self.size,
            "state": self.state,
            "nodes": self.nodes,
            "created": self.created,
            "links": self.links(),
            "ssh": self.ssh_command(),
        }

    def to_dict(self) -> dict[str, Any]:
        return dict(masked(self.body))

    def __str__(self) -> str:
        return _text(self)


class ComputeList(list[Compute]):
    """Computes of a workspace; an HTML table in notebooks, a text table in terminals."""

    COLUMNS = ("name", "kind", "size", "state", "nodes", "created")  # a row's table columns

    def rows(self) -> list[dict[str, Any]]:
        return [c.row() for c in self]

    def names(self) -> list[str]:
        return [c.name for c in self]

    def __str__(self) -> str:
        return _text(self)

    def __repr__(self) -> str:
        return _text(self)


TextRenderer = Callable[[Compute | ComputeList], str]


def _names(computes: Compute | ComputeList) -> str:
    """The text of computes before a renderer is set: their names, as repr (which escapes controls)."""
    if isinstance(computes, ComputeList):
        return f"ComputeList({computes.names()!r})"
    return f"Compute({computes.name!r})"


_text: TextRenderer = _names


def set_text_renderer(render: TextRenderer) -> None:
    """How computes print as text from now on (``str`` of a compute, ``str`` and ``repr`` of a list)."""
    global _text
    _text = render


def _mapping(value: object) -> Mapping[str, Any]:
    """``value`` when it is an object, else empty. Answers were checked against the spec's shape at the transport;
    this covers what the spec cannot: the inner properties of a compute type it does not know."""
    return value if isinstance(value, Mapping) else {}


def _count(value: object) -> int:
    """``value`` when it is a whole number (not a bool), else 0 (see :func:`_mapping`)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _ip_address(value: object) -> str:
    """``value`` as an IP address in its plain form, or "" when it is not one."""
    if not isinstance(value, str):
        return ""
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return ""


def _epoch(value: Any) -> float | None:
    """An ARM date-time (``2023-01-25T08:00:00.1234567Z``; no zone is UTC) as seconds since the epoch."""
    raw = str(value or "").replace("Z", "+00:00")
    raw = re.sub(r"\.(\d+)", lambda m: "." + (m.group(1) + "000000")[:6], raw)  # .NET gives 7 digits
    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=timezone.utc)).timestamp()


def describe_state(body: Mapping[str, Any]) -> str:
    """The one word a table shows for a compute body (:attr:`Compute.state`)."""
    return Compute(body).state


def is_transitional(body: Mapping[str, Any]) -> str | None:
    """The action a compute body is in the middle of, else None (:attr:`Compute.transitional`)."""
    return Compute(body).transitional
