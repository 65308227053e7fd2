"""The panel's "New" part: the kind menu, the form of the kind chosen, and what to do with it.

"Preview request" (secrets hidden), "Copy as magic" / "Copy as YAML", and Create (or Attach). The
form itself is generated from the spec's field table (:mod:`.form`). The panel in a notebook holds one
under its list; the JupyterLab sidebar opens one in a main-area tab per "New …" (:func:`form_tab`).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from ...errors import ComputeError
from ...model import kinds
from ...model.specs import ComputeSpec
from ...render.markup import error, html
from ...render.spec import spec_line, spec_yaml
from ...service.operation import Operation
from ...service.workspace import Workspace
from .form import SpecForm, fill_layout, ipywidgets_module


class NewForm:
    """The kind menu, one kind's form, its buttons and the line that says what happened."""

    def __init__(self, workspace: Workspace, on_submitted: Callable[[], None] = lambda: None) -> None:
        """``on_submitted``: called after an operation was started (the panel lists at once)."""
        w = ipywidgets_module()
        self.ws = workspace
        self._on_submitted = on_submitted
        menu = kinds.forms()
        self.kind = w.Dropdown(
            options=[(form["label"], form["kind"]) for form in menu],
            value=menu[0]["kind"],
            description="New",
            style={"description_width": "3em"},
            layout=fill_layout(),
        )
        self.kind.add_class("jupyter-compute-kind")
        self.kind.observe(lambda _c: self.new_form(), names="value")
        self.form_box = w.VBox(layout=w.Layout(width="100%"))
        self.output = w.HTML(layout=fill_layout(overflow="auto"))
        self.output.add_class("jupyter-compute-output")
        self.copy_text = w.Textarea(layout=fill_layout(height="6em", display="none"))
        buttons = []
        for label, action in (
            ("Preview request", self.preview),
            ("Copy as magic", self.copy_magic),
            ("Copy as YAML", self.copy_yaml),
            ("Create", self.create),
        ):
            button = w.Button(
                description=label,
                button_style="primary" if label == "Create" else "",
                layout=w.Layout(width="auto", min_width="6em"),
            )
            button.add_class("jupyter-compute-" + label.lower().replace(" ", "-"))
            button.on_click(lambda _b, act=action: act())
            buttons.append(button)
        self.create_button = buttons[-1]
        self.buttons = w.HBox(buttons, layout=w.Layout(flex_flow="row wrap", width="100%"))
        self.children = (self.kind, self.form_box, self.buttons, self.copy_text, self.output)
        self.form: SpecForm | None = None
        self._sizes: list[dict[str, Any]] | None = None
        self._form_lock = threading.Lock()
        self.form_ready = threading.Event()

    def switch(self, workspace: Workspace) -> None:
        """Forms for another workspace (its sizes)."""
        self.ws = workspace
        self._sizes = None
        self.new_form()

    def sizes(self) -> list[dict[str, Any]]:
        if self._sizes is None:
            try:
                self._sizes = self.ws.sizes()
            except ComputeError:
                self._sizes = []
        return self._sizes

    def new_form(self) -> SpecForm:
        with self._form_lock:
            form = SpecForm(self.kind.value, self.sizes())
            self.form = form
            self.form_box.children = [form.widget]
            self.output.value = ""
            self.copy_text.value = ""
            self.copy_text.layout.display = "none"
        self.form_ready.set()
        return form

    def _spec(self) -> ComputeSpec | None:
        if self.form is None:
            self.output.value = "The form is still loading."
            return None
        spec = self.form.validate()
        if spec is None:
            self.output.value = error("Fix the fields marked above; nothing was sent.")
        return spec

    def preview(self) -> dict[str, Any] | None:
        spec = self._spec()
        if spec is None:
            return None
        planned, note = self.ws.preview_create(spec)  # one quick read of the region, never the retry backoff
        request = planned.dry_run()
        shown = json.dumps(request, indent=2) + (f"\n{note}" if note else "")
        self.output.value = html("<pre style='white-space:pre-wrap'>{}</pre>", shown)
        return request

    def copy_magic(self) -> str | None:
        spec = self._spec()
        if spec is None:
            return None
        line = "%compute " + spec_line(spec, kinds.of_spec(spec).verb)
        self._show_copy(line)
        return line

    def copy_yaml(self) -> str | None:
        spec = self._spec()
        if spec is None:
            return None
        cell = f"%%compute {kinds.of_spec(spec).verb}\n{spec_yaml(spec)}"
        self._show_copy(cell)
        return cell

    def _show_copy(self, copied: str) -> None:
        self.copy_text.value = copied
        self.copy_text.layout.display = "block"

    def create(self) -> Operation | None:
        spec = self._spec()
        if spec is None:
            return None
        try:
            op = self.ws.attach(spec) if spec.ATTACHED else self.ws.create(spec)
        except ComputeError as exc:
            self.output.value = error(exc)
            return None
        op.add_listener(self._said)
        self._said(op)
        self._on_submitted()
        return op

    def _said(self, op: Operation) -> None:
        """The form's line for the operation it started: submitted, what the checks found, or why they refused it."""
        if op.refused and op.error is not None:
            self.output.value = error(op.error)
        else:
            self.output.value = html("{} {}: {}", op.kind, op.target, op.note or "submitted")
