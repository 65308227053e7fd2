"""The Compute panel's rows as plain data, every decision about a row made here: the actions a compute's
kind and state allow, what a confirm says is lost, why a stale click is refused. The panel's kernel builds
its list from it (:mod:`.panel`), and so does the server's first paint (:mod:`...frontends.server`), which
draws the list while the panel's kernel starts: this module imports no widgets.
"""

from __future__ import annotations

import weakref
from datetime import datetime, timezone, tzinfo
from typing import TypedDict

from ..errors import ValidationError
from ..model.doctor import diagnose
from ..model.kinds import CLUSTER, INSTANCE, of_compute_type
from ..model.resource import Compute
from ..render.connect import link_label
from ..render.describe import BarData
from ..render.doctor import attention_mark, image_mark
from ..render.palette import state_colour
from ..render.power import stop_soon

#: When a row action is offered, by the compute's state word (:attr:`Compute.state`): ``only`` the
#: states it needs (None: any), and the states that rule it out. Nothing is offered while Deleting.
ACTION_STATES: dict[str, tuple[frozenset[str] | None, frozenset[str]]] = {
    "start": (frozenset({"Stopped"}), frozenset()),
    "stop": (frozenset({"Running"}), frozenset()),
    "restart": (frozenset({"Running"}), frozenset()),
    "resize": (None, frozenset({"Resizing", "Deleting"})),
    "edit": (None, frozenset({"Creating", "Deleting"})),
}
#: The kinds ``update`` changes (:mod:`...service.changes`): their rows offer "edit".
EDITABLE = (INSTANCE.compute_type, CLUSTER.compute_type)
NOTHING_WHILE = frozenset({"Deleting"})
#: Actions that lose something: the panel asks first, with the sentence of :func:`confirm_for`.
CONFIRMED = ("delete", "detach")
#: What the list says when the workspace has no compute.
EMPTY_TEXT = "No computes in this workspace yet."


def kind_actions(compute: Compute) -> list[str]:
    """Every row action of a compute's kind, whatever its state: its kind's own actions (none for a type
    this package only lists), then details, then detach for an attached compute or delete."""
    kind = of_compute_type(compute.compute_type)
    edit = ["edit"] if compute.compute_type in EDITABLE and not compute.attached else []
    return [*(kind.actions if kind else ()), *edit, "details", "detach" if compute.attached else "delete"]


def allowed(action: str, state: str) -> bool:
    """Whether a compute in ``state`` may be asked to do ``action`` (the table above)."""
    if state in NOTHING_WHILE:
        return False
    only, never = ACTION_STATES.get(action, (None, frozenset()))
    return (only is None or state in only) and state not in never


def actions_for(compute: Compute) -> list[str]:
    """The row actions a compute offers now, in the order shown: those of its kind its state allows."""
    return [action for action in kind_actions(compute) if allowed(action, compute.state)]


def refusal(compute: Compute, action: str) -> str:
    """Why a row action is not offered now (a stale click on a row drawn before the state changed)."""
    if action not in kind_actions(compute):
        return f"{compute.name} is a {compute.kind}; it has no {action}."
    if compute.state in NOTHING_WHILE:
        return f"{compute.name} is being deleted; nothing else can be done with it. Nothing was sent."
    only, _never = ACTION_STATES.get(action, (None, frozenset()))
    needs = f" (only when {' or '.join(sorted(only))})" if only else ""
    return f"{compute.name} is {compute.state}: it cannot {action} now{needs}. Nothing was sent."


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def confirm_for(compute: Compute) -> dict[str, str]:
    """What is lost, in one sentence, for each action of the row that the panel confirms first."""
    name = compute.name
    said: dict[str, str] = {}
    for action in actions_for(compute):
        if action == "detach":
            said[action] = (
                f"{name} is only removed from this workspace: "
                f"detaching leaves the {_resource(compute)} itself untouched."
            )
        elif action == "delete":
            said[action] = _delete_sentence(compute)
    return said


def _resource(compute: Compute) -> str:
    """What an attached compute is outside the workspace, in a word or two."""
    kind = of_compute_type(compute.compute_type)
    return kind.resource if kind is not None else "resource"


def _delete_sentence(compute: Compute) -> str:
    name = compute.name
    if compute.compute_type == CLUSTER.compute_type:
        running = compute.node_counts.current
        if running:
            return f"{name} has {_plural(running, 'node')} running; deleting stops them and removes the cluster."
        return f"{name} has no nodes running; deleting removes the cluster and its settings."
    if compute.compute_type == INSTANCE.compute_type:
        if compute.state == "Running":
            return (
                f"{name} is running; deleting stops it and removes the VM with its local disk "
                "(files not saved to the workspace's storage are lost)."
            )
        return (
            f"{name} is {compute.state.lower()}; deleting removes the VM with its local disk "
            "(files not saved to the workspace's storage are lost)."
        )
    return f"Deleting {name} removes it from the workspace; this cannot be undone."


class Mark(TypedDict):
    """A mark on a row: ``kind`` (problem, warning, image, stop), a short ``text`` and the whole ``title``."""

    kind: str
    text: str
    title: str


# id(compute) -> (a weak reference to it, minute, zone, marks): an entry goes with its compute, so a kernel that
# follows thousands of operations keeps the marks of the computes it still holds, not of every body it ever read
_MARKS: dict[int, tuple[weakref.ref[Compute], int, tzinfo | None, list[Mark]]] = {}
_MARKS_KEPT = 5000


def marks_for(compute: Compute, now: datetime | None = None, tz: tzinfo | None = None) -> list[Mark]:
    """The row's marks, each ``{"kind", "text", "title"}``: what needs attention (``doctor``'s problems and
    warnings but the image, which has its own), an outdated OS image, and a scheduled stop within the hour.
    ``now`` (aware) and ``tz`` (for the stop's time) default to the clock and the machine's zone. The panel
    draws its rows on every change of any operation: a listed compute's marks are worked out once a minute
    (200 instances with two schedules each took 47 ms a draw without this)."""
    now = now or datetime.now(timezone.utc)
    minute = int(now.timestamp() // 60)
    key = id(compute)
    kept = _MARKS.get(key)
    if kept is not None and kept[0]() is compute and kept[1] == minute and kept[2] is tz:
        return [Mark(kind=m["kind"], text=m["text"], title=m["title"]) for m in kept[3]]
    marks = _marks(compute, now, tz)
    if len(_MARKS) >= _MARKS_KEPT:
        _MARKS.clear()
    _MARKS[key] = (weakref.ref(compute, lambda _gone: _MARKS.pop(key, None)), minute, tz, marks)
    return [Mark(kind=m["kind"], text=m["text"], title=m["title"]) for m in marks]


def _marks(compute: Compute, now: datetime, tz: tzinfo | None) -> list[Mark]:
    soon = stop_soon(compute, now, tz)
    found = [
        attention_mark(diagnose(compute, now), leave_out=("outdated-image",)),
        image_mark(compute),
        {"kind": "stop", "text": soon, "title": soon} if soon else None,
    ]
    return [Mark(kind=m["kind"], text=m["text"], title=m["title"]) for m in found if m]


class Link(TypedDict):
    """A link a row offers (an instance's applications)."""

    label: str
    url: str


class Row(TypedDict):
    """A compute's row: the one declaration of what Python sends the list's front end (``static/table.js``,
    and the server's first paint). Its TypeScript twin ``static/row.d.ts`` is generated from this
    (``python scripts/row_types.py``; a unit test says when it is stale), and a unit test checks that every
    key table.js reads of a row, a bar or a link is declared here."""

    name: str
    kind: str
    size: str
    state: str
    nodes: str
    created: str
    links: list[Link]
    ssh: str
    tone: str  # the state word's colour (render/palette.py)
    actions: list[str]  # the actions the state allows, in order
    busy: str  # the action in flight
    confirm: dict[str, str]  # the sentence of each action asked first
    bar: BarData | None
    message: str  # why the last action was refused
    marks: list[Mark]  # what needs attention, an outdated OS image, a stop within the hour (marks_for)


def row_of(compute: Compute, now: datetime | None = None, tz: tzinfo | None = None) -> Row:
    """A compute's row as the list draws it (:class:`.panel.table.ComputeTable`), before what only the panel
    knows: the operation in flight on it (``busy``, ``bar``) and a refused action's ``message``."""
    shown = compute.row()
    return {
        "name": shown["name"],
        "kind": shown["kind"],
        "size": shown["size"],
        "state": shown["state"],
        "nodes": shown["nodes"],
        "created": shown["created"],
        "links": [
            {"label": link_label(link["label"], compute.emulated), "url": link["url"]} for link in shown["links"]
        ],
        "ssh": shown["ssh"],
        "tone": state_colour(compute.state),
        "actions": actions_for(compute),
        "busy": "",
        "confirm": confirm_for(compute),
        "bar": None,
        "message": "",
        "marks": marks_for(compute, now, tz),
    }


def computes_phrase(count: int) -> str:
    """The header's count: "1 compute", "200 computes"."""
    return _plural(count, "compute")


def unusable_notice(problem: ValidationError) -> str:
    """What the panel says under its header when the configured workspace (config.json, environment) is
    invalid and it shows the local one instead."""
    return (
        f"The configured workspace is not usable: {'; '.join(map(str, problem.problems))}. Showing the "
        "local workspace; fix the configuration, or choose “an Azure workspace…” below."
    )
