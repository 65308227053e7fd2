"""The Compute panel's pane for one compute, opened from its row: its details, or the resize form.

Also the row actions that fit each kind (from the kinds table); the list itself is :mod:`.table`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import yaml

from ...errors import ComputeError, ValidationError
from ...model.kinds import of_compute_type
from ...model.resource import Compute
from ...render.markup import error, html

if TYPE_CHECKING:
    from ...service.operation import Operation
    from ...service.workspace import Workspace


#: When a row action is offered, by the compute's state word (:attr:`Compute.state`): ``only`` the
#: states it needs (None: any), and the states that rule it out. Nothing is offered while Deleting.
ACTION_STATES: dict[str, tuple[frozenset[str] | None, frozenset[str]]] = {
    "start": (frozenset({"Stopped"}), frozenset()),
    "stop": (frozenset({"Running"}), frozenset()),
    "restart": (frozenset({"Running"}), frozenset()),
    "resize": (None, frozenset({"Resizing", "Deleting"})),
}
NOTHING_WHILE = frozenset({"Deleting"})
#: Actions that lose something: the panel asks first, with the sentence of :func:`confirm_for`.
CONFIRMED = ("delete", "detach")


def kind_actions(compute: Compute) -> list[str]:
    """Every row action of a compute's kind, whatever its state: its kind's own actions (none for a type
    this package only lists), then details, then detach for an attached compute or delete."""
    kind = of_compute_type(compute.compute_type)
    return [*(kind.actions if kind else ()), "details", "detach" if compute.attached else "delete"]


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
    return {
        "VirtualMachine": "VM",
        "HDInsight": "HDInsight cluster",
        "Databricks": "Databricks workspace",
        "DataLakeAnalytics": "Data Lake Analytics account",
        "SynapseSpark": "Synapse Spark pool",
        "Kubernetes": "Kubernetes cluster",
    }.get(compute.compute_type, "resource")


def _delete_sentence(compute: Compute) -> str:
    name = compute.name
    if compute.compute_type == "AmlCompute":
        running = compute.node_counts.current
        if running:
            return f"{name} has {_plural(running, 'node')} running; deleting stops them and removes the cluster."
        return f"{name} has no nodes running; deleting removes the cluster and its settings."
    if compute.compute_type == "ComputeInstance":
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


def _full() -> Any:
    import ipywidgets as w

    return w.Layout(width="auto")


class ComputeTools:
    """Details or resize of one compute, shown under the list (one at a time)."""

    def __init__(self, workspace: Workspace, compute: Compute, mode: str, on_done: Callable[[], None]) -> None:
        import ipywidgets as w

        self.ws = workspace
        self.compute = compute
        self.name = compute.name
        self.mode = mode
        self.on_done = on_done
        self.message = w.HTML()
        close = w.Button(description="close", layout=w.Layout(width="auto"))
        close.add_class("jupyter-compute-tools-close")
        close.on_click(lambda _b: self.close())
        heading = w.HTML(html("<b>{}</b> <span style='opacity:.7'>{}</span>", compute.name, mode))
        body = self._details() if mode == "details" else self._resize_form()
        self.widget = w.VBox(
            [w.HBox([heading, close], layout=w.Layout(justify_content="space-between")), body, self.message],
            layout=w.Layout(width="100%", border="1px solid #e0e0e0", padding="4px", margin="4px 0"),
        )
        self.widget.add_class("jupyter-compute-tools")
        self.closed = False

    def close(self) -> None:
        self.closed = True
        self.widget.layout.display = "none"

    def _details(self) -> Any:
        import ipywidgets as w

        body = yaml.safe_dump(self.compute.to_dict(), sort_keys=False, default_flow_style=False)
        details = w.HTML(
            html("<pre style='white-space:pre-wrap;overflow-wrap:anywhere;font-size:11px;margin:2px 0'>{}</pre>", body),
            layout=_full(),
        )
        details.add_class("jupyter-compute-details")
        return details

    def _resize_form(self) -> Any:
        import ipywidgets as w

        scale = self.compute._inner.get("scaleSettings") or {}
        style = {"description_width": "7em"}
        self.resize_fields = {
            "min_nodes": w.Text(
                description="min nodes", value=str(scale.get("minNodeCount", "")), style=style, layout=_full()
            ),
            "max_nodes": w.Text(
                description="max nodes", value=str(scale.get("maxNodeCount", "")), style=style, layout=_full()
            ),
            "idle_seconds": w.Text(
                description="idle before scale-down",
                value=str(scale.get("nodeIdleTimeBeforeScaleDown", "")),
                placeholder="seconds or ISO 8601 (PT120S)",
                style=style,
                layout=_full(),
            ),
        }
        apply = w.Button(description="Apply", button_style="primary", layout=w.Layout(width="auto"))
        apply.add_class("jupyter-compute-resize-apply")
        apply.on_click(lambda _b: self.resize())
        box = w.VBox([*self.resize_fields.values(), apply], layout=w.Layout(width="100%"))
        box.add_class("jupyter-compute-resize")
        return box

    def resize(self) -> Operation | None:
        """PATCH the scale settings that changed; bad values are refused here with nothing sent."""
        current = self.compute._inner.get("scaleSettings") or {}
        given = {}
        for field, widget in self.resize_fields.items():
            value = widget.value.strip()
            key = {"min_nodes": "minNodeCount", "max_nodes": "maxNodeCount"}.get(field, "nodeIdleTimeBeforeScaleDown")
            if value and value != str(current.get(key, "")):
                given[field] = value
        if not given:
            self.message.value = "Nothing to change."
            return None
        try:
            op = self.ws.resize(self.name, **given).submitted()  # a refusal is said here, under the row
        except ValidationError as exc:
            self.message.value = error(f"{exc}; nothing was sent.")
            return None
        except ComputeError as exc:
            self.message.value = error(exc)
            return None
        self.close()
        self.on_done()
        return op
