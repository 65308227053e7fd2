"""The Compute panel's pane for one compute, opened from its row: its details, the resize form, or the
edit form (what ``update`` changes: an instance's idle shutdown, schedules, size and single sign-on, a
cluster's description and tags).

The row actions that fit each kind and state are :mod:`...rows`; the list itself is :mod:`.table`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import yaml

from ...errors import ComputeError, ValidationError
from ...model.kinds import CLUSTER, INSTANCE
from ...model.resource import Compute
from ...model.specs import Invalid, iso_duration_seconds, spec_class
from ...model.specs.scale import shown as shown_scale
from ...render.doctor import details_html
from ...render.markup import Markup, error, html
from ...render.power import power_rows

if TYPE_CHECKING:
    from ...service.operation import Operation
    from ...service.workspace import Workspace


def _full() -> Any:
    import ipywidgets as w

    return w.Layout(width="auto")


class ComputeTools:
    """Details, resize or edit of one compute, shown under the list (one at a time)."""

    def __init__(
        self,
        workspace: Workspace,
        compute: Compute,
        mode: str,
        on_done: Callable[[], None],
        on_started: Callable[[Operation], None] | None = None,
        *,
        in_tab: bool = False,
    ) -> None:
        """``on_done``: a change was started (the panel lists at once); ``on_started``: its operation, whose
        bar the panel shows on the row. ``in_tab``: the edit pane in a main-area tab of its own (the lab
        extension closes the tab on Cancel) rather than under the list."""
        import ipywidgets as w

        self.ws = workspace
        self.compute = compute
        self.name = compute.name
        self.mode = mode
        self.on_done = on_done
        self.on_started = on_started
        self.in_tab = in_tab
        self.message = w.HTML()
        self.message.add_class("jupyter-compute-tools-message")
        body = {"details": self._details, "edit": self._edit_form}.get(mode, self._resize_form)()
        if in_tab:  # the tab's title names the compute; Cancel is beside Apply
            heading = w.HTML(html("<b>{} {}</b> <span style='opacity:.7'>{}</span>", mode, compute.name, compute.kind))
            top = heading
            layout = w.Layout(width="100%", max_width="52em", padding="8px 12px")
        else:
            close = w.Button(description="close", layout=w.Layout(width="auto"))
            close.add_class("jupyter-compute-tools-close")
            close.on_click(lambda _b: self.close())
            heading = w.HTML(html("<b>{}</b> <span style='opacity:.7'>{}</span>", compute.name, mode))
            top = w.HBox([heading, close], layout=w.Layout(justify_content="space-between"))
            layout = w.Layout(width="100%", border="1px solid #e0e0e0", padding="4px", margin="4px 0")
        children = [top, body, self.message]
        if in_tab:  # the outcome line is a polite status (./aria.py), as a form tab's result line is
            from .aria import FormAria

            children.append(FormAria(layout=w.Layout(display="none")))
        self.widget = w.VBox(children, layout=layout)
        self.widget.add_class("jupyter-compute-tools")
        if in_tab:
            self.widget.add_class("jupyter-compute-edit-tab")
        self.closed = False

    def close(self) -> None:
        self.closed = True
        self.widget.layout.display = "none"

    def _details(self) -> Any:
        """What doctor says of the compute, its OS image and busy nodes, then its body as YAML. A cluster's
        nodes (which jobs run) are listed in the background: the click returns before any request."""
        import ipywidgets as w

        self.details = w.HTML(self._details_html(), layout=_full())
        self.details.add_class("jupyter-compute-details")
        if self.compute.compute_type == CLUSTER.compute_type:
            self.nodes_loaded = threading.Thread(target=self._with_nodes, name="jupyter-compute-details", daemon=True)
            self.nodes_loaded.start()
        return self.details

    def _details_html(self, nodes: Any = None, problem: str = "") -> str:
        said = details_html(self.compute, datetime.now(timezone.utc), nodes) + (error(problem) if problem else "")
        body = yaml.safe_dump(self.compute.to_dict(), sort_keys=False, default_flow_style=False)
        return str(
            said
            + html(
                "<pre style='white-space:pre-wrap;overflow-wrap:anywhere;font-size:11px;margin:2px 0'>{}</pre>", body
            )
        )

    def _with_nodes(self) -> None:
        try:
            nodes = self.ws.nodes(self.name)
        except ComputeError as exc:  # the details stand without the jobs; say why
            self.details.value = self._details_html(problem=f"nodes not listed: {exc}")
            return
        self.details.value = self._details_html(nodes)

    def _resize_form(self) -> Any:
        import ipywidgets as w

        scale = shown_scale(self.compute.scale_settings)
        style = {"description_width": "7em"}
        self.resize_fields = {
            "min_nodes": w.Text(description="min nodes", value=scale["min_nodes"], style=style, layout=_full()),
            "max_nodes": w.Text(description="max nodes", value=scale["max_nodes"], style=style, layout=_full()),
            "idle_seconds": w.Text(
                description="idle before scale-down",
                value=scale["idle_seconds"],
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
        current = shown_scale(self.compute.scale_settings)
        given = {}
        for field, widget in self.resize_fields.items():
            value = widget.value.strip()
            if value and value != current[field]:
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

    # --- edit: what ``update`` changes ------------------------------------------------------------------

    def _edit_form(self) -> Any:
        """An instance's idle shutdown, schedules (kept, replaced or removed), size (only while it is
        stopped) and single sign-on; a cluster's description and tags. What is left as shown is not sent."""
        import ipywidgets as w

        style = {"description_width": "9em"}
        self.edit_fields: dict[str, Any] = {}
        self.schedule_parts: dict[str, Any] = {}
        self.schedule_choice: Any = None
        spec = self.compute.spec
        shown: list[Any] = []
        if self.compute.compute_type == INSTANCE.compute_type:
            shown.append(self._now())
            idle = getattr(spec, "idle_time_before_shutdown", None)
            self._initial_idle = _minutes(idle)
            self.edit_fields["idle_shutdown"] = w.Text(
                description="idle shutdown",
                value=self._initial_idle,
                placeholder="minutes, 15 to 4320",
                style=style,
                layout=_full(),
            )
            current = tuple(getattr(spec, "schedules", ()))
            now = "; ".join(_schedule_words(s.to_yaml()) for s in current) or "none"
            self.schedule_choice = w.Dropdown(
                description="schedules",
                options=[(f"keep ({now})", "keep"), ("replace with these", "replace"), ("remove all", "remove")],
                value="keep",
                style=style,
                layout=_full(),
            )
            info = dict(spec_class(INSTANCE.word).fields_info())["schedules"]  # the New form's inputs
            self._compose = info.compose
            self.schedule_parts = {
                part.key: w.Text(
                    description=part.label, placeholder=part.help, tooltip=part.help, style=style, layout=_full()
                )
                for part in info.parts
            }
            shown += [self.edit_fields["idle_shutdown"], self.schedule_choice, *self.schedule_parts.values()]
            if self.compute.state == "Stopped":
                self.edit_fields["size"] = w.Text(
                    description="size", placeholder=f"now: {self.compute.size}", style=style, layout=_full()
                )
                shown.append(self.edit_fields["size"])
            else:
                why = w.HTML(
                    html(
                        "size: {} (it changes only while the instance is stopped; it is {}: stop it first)",
                        self.compute.size,
                        self.compute.state,
                    )
                )
                why.add_class("jupyter-compute-edit-size-why")
                shown.append(why)
            shown.append(self._sso_box())
        else:
            description = str(getattr(spec, "description", "") or "")
            tags = ", ".join(f"{k}={v}" for k, v in getattr(spec, "tags", ()) or ())
            self.edit_fields["description"] = w.Text(
                description="description", value=description, style=style, layout=_full()
            )
            self.edit_fields["tags"] = w.Text(
                description="tags", value=tags, placeholder="key=value, key2=value2", style=style, layout=_full()
            )
            self._initial = {"description": description, "tags": tags}
            shown += list(self.edit_fields.values())
        apply = w.Button(description="Apply", button_style="primary", layout=w.Layout(width="auto"))
        apply.add_class("jupyter-compute-edit-apply")
        apply.on_click(lambda _b: self.apply())
        buttons: list[Any] = [apply]
        if self.in_tab:  # the lab extension closes the tab on its click
            cancel = w.Button(description="Cancel", tooltip="Close this tab; nothing is sent", layout=_full())
            cancel.add_class("jupyter-compute-edit-cancel")
            buttons.append(cancel)
        box = w.VBox([*shown, w.HBox(buttons)], layout=w.Layout(width="100%"))
        box.add_class("jupyter-compute-edit")
        return box

    def _sso_box(self) -> Any:
        """Single sign-on as the service reports it (unticked, and said so, when it does not say); sent only
        when changed, alone (its route takes nothing else)."""
        import ipywidgets as w

        said = self.compute.sso_enabled
        self._initial_sso = bool(said)
        label = "single sign-on" + ("" if said is not None else " (the service does not say)")
        box = w.Checkbox(value=self._initial_sso, description=label, indent=False, layout=_full())
        box.add_class("jupyter-compute-edit-sso")
        self.edit_fields["enable_sso"] = box
        return box

    def _now(self) -> Any:
        """An instance's current idle shutdown and schedules, in words (as ``show`` says them)."""
        import ipywidgets as w

        rows = [(label, value) for label, value in power_rows(self.compute) if label.startswith(("Idle", "Sched"))]
        now = w.HTML(
            html(
                "<div style='opacity:.8'>Now: {}</div>", Markup("; ").join(html("{} {}", k.lower(), v) for k, v in rows)
            ),
            layout=_full(),
        )
        now.add_class("jupyter-compute-edit-now")
        return now

    def edits(self) -> dict[str, Any]:
        """The :meth:`Workspace.update` keywords of what was changed; Invalid for schedules that do not read."""
        given: dict[str, Any] = {}
        if self.compute.compute_type == INSTANCE.compute_type:
            for field in ("idle_shutdown", "size"):
                value = self.edit_fields[field].value.strip() if field in self.edit_fields else ""
                if value and not (field == "idle_shutdown" and value == self._initial_idle):
                    given[field] = value
            choice = self.schedule_choice.value
            if choice == "remove":
                given["schedules"] = []
            elif choice == "replace":
                assert self._compose is not None
                composed = self._compose({key: part.value for key, part in self.schedule_parts.items()})
                if not composed:
                    raise Invalid("give a start or a stop time to replace them with, or choose “remove all”")
                given["schedules"] = composed
            if self.edit_fields["enable_sso"].value != self._initial_sso:
                given["enable_sso"] = bool(self.edit_fields["enable_sso"].value)
        else:
            for field in ("description", "tags"):
                value = self.edit_fields[field].value.strip()
                if value != self._initial[field]:
                    given[field] = value if field == "description" else (value or {})
        return given

    def apply(self) -> Operation | None:
        """``update`` with what was changed: bad values are said here with nothing sent; once started, its
        bar is on the row, and a refusal of the service's rules (read in the background) is said here too."""
        try:
            given = self.edits()
        except Invalid as exc:
            self.message.value = error(f"schedules: {exc}. Nothing was sent.")
            return None
        if not given:
            self.message.value = "Nothing to change."
            return None
        try:
            op = self.ws.update(self.name, **given)
        except ComputeError as exc:  # a ValidationError: one paragraph that ends "Nothing was sent."
            self.message.value = error(exc)
            return None
        self.message.value = html("{} of {} started; its bar is on the row.", op.action, self.name)
        op.add_listener(self._said)
        if self.on_started is not None:
            self.on_started(op)
        self.on_done()
        self._said(op)
        return op

    def _said(self, op: Operation) -> None:
        if op.refused and op.error is not None:
            self.message.value = error(op.error)
        elif op.done() and op.error is None:
            self.message.value = html("{} of {}: done.", op.action, self.name)
        elif op.done() and op.error is not None:
            self.message.value = error(op.error)


def _minutes(duration: str | None) -> str:
    """``PT60M`` as ``60`` (the edit field's words); "" for none, or for what is not a duration."""
    try:
        return f"{iso_duration_seconds(duration) / 60:g}" if duration else ""
    except (Invalid, ValueError):
        return ""


def _schedule_words(item: dict[str, Any]) -> str:
    """A schedule in a few words for the "keep" choice: ``start: cron 0 8 * * 1-5``."""
    trigger = item.get("trigger") or {}
    if trigger.get("type") == "cron":
        when = str(trigger.get("expression", ""))
    else:
        at = trigger.get("schedule") or {}
        hours, minutes = at.get("hours") or [""], at.get("minutes") or [""]
        when = f"{hours[0]}:{int(minutes[0]):02d}" if str(minutes[0]).isdigit() else f"{hours[0]}:{minutes[0]}"
        if at.get("week_days"):
            when += " on " + " ".join(map(str, at["week_days"]))
    return f"{item.get('action', '')} {when}".strip()
