"""One compute in the Compute panel's list: its state line, the actions that fit its kind, its live bar.

A row is built once per compute and updated in place on every poller tick (new widget models are only
made when the compute's kind changes), so a list of hundreds of computes costs one message per change.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import yaml

from ..computes import Compute
from ..errors import ComputeError, ValidationError

if TYPE_CHECKING:
    from ..api import Workspace
    from ..operations import Operation

ERROR_STYLE = "color:#c62828"
FINISHED_BAR_SECONDS = 60.0  # a finished operation's bar stays on its row this long (how it ended)


def text(value: object) -> str:
    """Escape for an HTML text node (quotes stay readable)."""
    return html.escape(str(value), quote=False)


def actions_for(compute: Compute) -> list[str]:
    """The row actions that fit a compute's kind, in the order shown."""
    actions: list[str] = []
    if compute.compute_type == "ComputeInstance":
        actions += ["start", "stop", "restart"]
    if compute.compute_type == "AmlCompute":
        actions.append("resize")
    actions.append("details")
    actions.append("detach" if compute.attached else "delete")
    return actions


class ComputeRow:
    """The widgets of one listed compute."""

    def __init__(self, workspace: Workspace, compute: Compute, on_done: Callable[[], None]) -> None:
        import ipywidgets as w

        self.ws = workspace
        self.name = compute.name
        self.on_done = on_done
        self.summary = w.HTML()
        self.summary.add_class("jupyter-compute-row-summary")
        self.message = w.HTML()
        self.bar_slot = w.Box(layout=w.Layout(width="100%"))
        self.extra = w.VBox(layout=w.Layout(width="100%"))
        self.actions: list[str] = actions_for(compute)
        buttons = []
        for action in self.actions:
            button = w.Button(
                description=action,
                tooltip=f"{action} {compute.name}",
                layout=w.Layout(width="auto", min_width="4em"),
                button_style="danger" if action in ("delete", "detach") else "",
            )
            button.add_class(f"jupyter-compute-action-{action}")
            button.on_click(lambda _b, a=action: self.act(a))
            buttons.append(button)
        self.buttons = w.HBox(buttons, layout=w.Layout(flex_flow="row wrap", width="100%"))
        self.widget = w.VBox(
            [self.summary, self.bar_slot, self.buttons, self.message, self.extra],
            layout=w.Layout(width="100%", border_bottom="1px solid #e0e0e0", padding="2px 0"),
        )
        self.widget.add_class("jupyter-compute-row")
        self.compute = compute
        self._shown: tuple[str, ...] = ()
        self.op: Operation | None = None
        self._op_done_at: float | None = None
        self.update(compute, None)

    def update(self, compute: Compute, op: Operation | None) -> None:
        """Show the compute's current state, and the bar of the operation working on it (if any)."""
        self.compute = compute
        shown = tuple(compute.row().values())
        if shown != self._shown:
            self._shown = shown
            self.summary.value = (
                f"<b>{text(compute.name)}</b> <span style='opacity:.7'>{text(compute.kind)} · "
                f"{text(compute.size)}</span><br><span class='jupyter-compute-state'>{text(compute.state)}</span>"
                + (f" · {text(compute.nodes)} nodes" if compute.nodes else "")
            )
        if op is not None and op is not self.op:
            self.op, self._op_done_at = op, None
        if self.op is not None and self.op.done():
            self._op_done_at = self._op_done_at or time.monotonic()
            if time.monotonic() - self._op_done_at > FINISHED_BAR_SECONDS:
                self.op, self._op_done_at = None, None
        if self.op is not None:
            from .progress_widget import widget_for

            bar = widget_for(self.op)
            if tuple(self.bar_slot.children) != (bar,):
                self.bar_slot.children = (bar,)
        elif self.bar_slot.children:
            self.bar_slot.children = ()

    def act(self, action: str) -> Operation | None:
        """Run a row action; errors show under the row, in one paragraph."""
        self.message.value = ""
        if action == "details":
            self.toggle_details()
            return None
        if action == "resize":
            self.toggle_resize()
            return None
        verb = getattr(self.ws, action)
        try:
            op: Operation = verb(self.name)
        except ComputeError as exc:
            self.message.value = f"<span style='{ERROR_STYLE}'>{text(exc)}</span>"
            return None
        self.on_done()
        return op

    def toggle_details(self) -> None:
        import ipywidgets as w

        if self.extra.children and "jupyter-compute-details" in self.extra.children[0]._dom_classes:
            self.extra.children = ()
            return
        body = yaml.safe_dump(self.compute.to_dict(), sort_keys=False, default_flow_style=False)
        details = w.HTML(
            f"<pre style='white-space:pre-wrap;overflow-wrap:anywhere;font-size:11px;margin:2px 0'>{text(body)}</pre>",
            layout=_full(),
        )
        details.add_class("jupyter-compute-details")
        self.extra.children = (details,)

    def toggle_resize(self) -> None:
        import ipywidgets as w

        if self.extra.children and "jupyter-compute-resize" in self.extra.children[0]._dom_classes:
            self.extra.children = ()
            return
        scale = self.compute._inner.get("scaleSettings") or {}
        style = {"description_width": "7em"}
        fields = {
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
        box = w.VBox([*fields.values(), apply], layout=w.Layout(width="100%"))
        box.add_class("jupyter-compute-resize")
        self.resize_fields = fields
        apply.on_click(lambda _b: self.resize())
        self.extra.children = (box,)

    def resize(self) -> Operation | None:
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
            op = self.ws.resize(self.name, **given)
        except ValidationError as exc:
            self.message.value = f"<span style='{ERROR_STYLE}'>{text(exc)}; nothing was sent.</span>"
            return None
        except ComputeError as exc:
            self.message.value = f"<span style='{ERROR_STYLE}'>{text(exc)}</span>"
            return None
        self.extra.children = ()
        self.on_done()
        return op


def _full() -> Any:
    import ipywidgets as w

    return w.Layout(width="auto")


def reuse_or_build(
    rows: dict[str, ComputeRow], workspace: Workspace, compute: Compute, on_done: Callable[[], None]
) -> ComputeRow:
    """The row of ``compute``, built anew only when it is new or its kind changed."""
    key = compute.name.lower()
    row = rows.get(key)
    if row is None or row.actions != actions_for(compute):
        row = rows[key] = ComputeRow(workspace, compute, on_done)
    return row
