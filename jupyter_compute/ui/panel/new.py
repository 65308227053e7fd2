"""The panel's "New" part: the kind menu, the form of the kind chosen, and what to do with it.

"Preview request" (secrets hidden), "Copy as magic" / "Copy as YAML", and Create (or Attach). The
form itself is generated from the spec's field table (:mod:`.form`). The panel in a notebook holds one
under its list; the JupyterLab sidebar opens one in a main-area tab per "New …" (:func:`form_tab`), and
the Notebook 7 sidebar, whose shell shows no second main-area widget, the same one under its list.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from ...errors import ComputeError
from ...model import kinds
from ...model.costs import sized
from ...model.prices import RegionPrices, unknown
from ...model.specs import ComputeSpec, kind_of
from ...render.markup import Markup, error, html
from ...render.prices import create_notes, price_note
from ...render.spec import spec_line, spec_yaml
from ...service.operation import Operation
from ...service.workspace import Workspace
from .aria import FormAria
from .copy import CopyButtons
from .form import SpecForm, fill_layout, ipywidgets_module


def close_tree(widget: Any) -> None:
    """Close a widget, its children and their layouts and styles (a closed box leaves them open)."""
    for child in getattr(widget, "children", ()):
        close_tree(child)
    for part in ("layout", "style"):
        owned = getattr(widget, part, None)
        if owned is not None and hasattr(owned, "close"):
            owned.close()
    widget.close()


def kind_menu(kind: str | None, **options: Any) -> Any:
    """The menu of every kind's form, in the kinds table's order, on ``kind`` (default: the first)."""
    menu = kinds.forms()
    dropdown = ipywidgets_module().Dropdown(
        options=[(form["label"], form["kind"]) for form in menu], value=kind or menu[0]["kind"], **options
    )
    dropdown.add_class("jupyter-compute-kind")
    return dropdown


class KindMenu:
    """The JupyterLab sidebar's "New" line: the kind menu and a "New …" button. The lab extension opens
    the form of the kind chosen in the menu beside the button in a main-area tab (:func:`form_tab`), where
    there is room (in Notebook 7, under this line); the sidebar builds no form of its own (it opens with
    fewer widget models)."""

    def __init__(self, workspace: Workspace, kind: str | None = None) -> None:
        w = ipywidgets_module()
        self.ws = workspace
        # A short visible label ("Kind"): the button beside it says "New …", the menu gets the room.
        self.kind = kind_menu(
            kind, description="Kind", style={"description_width": "2.5em"}, layout=fill_layout(flex="1 1 auto")
        )
        self.open_button = w.Button(
            description="New …",
            button_style="primary",
            tooltip="Open the form of the kind chosen",
            layout=w.Layout(width="auto", min_width="6em"),
        )
        self.open_button.add_class("jupyter-compute-open-form")
        line = w.HBox([self.kind, self.open_button], layout=w.Layout(width="100%"))
        line.add_class("jupyter-compute-new-line")  # the lab extension's CSS: "New …" wraps below a long menu
        self.children: tuple[Any, ...] = (line,)
        self.form: SpecForm | None = None
        self.form_ready = threading.Event()
        self.form_ready.set()

    def switch(self, workspace: Workspace) -> None:
        self.ws = workspace


class NewForm:
    """The kind menu, one kind's form, its buttons and the line that says what happened."""

    def __init__(
        self,
        workspace: Workspace,
        on_submitted: Callable[[], None] = lambda: None,
        *,
        kind: str | None = None,
    ) -> None:
        """``on_submitted``: called after an operation was started (the panel lists at once)."""
        w = ipywidgets_module()
        self.ws = workspace
        self._on_submitted = on_submitted
        self.kind = kind_menu(kind, description="New", style={"description_width": "3em"}, layout=fill_layout())
        self.kind.observe(lambda _c: self._kind_changed(), names="value")
        self.form_box = w.VBox(layout=w.Layout(width="100%"))
        self.output = w.HTML(layout=fill_layout(overflow="auto"))
        self.output.add_class("jupyter-compute-output")
        self.copy_text = w.Textarea(layout=fill_layout(height="6em", display="none"))
        self.copy_buttons = CopyButtons(self._on_copy)
        self.preview_button = self._button("Preview request", self.preview)
        self.create_button = self._button("Create", self.create, "primary")
        self.buttons = w.HBox(
            [self.preview_button, self.copy_buttons, self.create_button],
            layout=w.Layout(flex_flow="row wrap", width="100%", align_items="center"),
        )
        # No content of its own: it keeps the form's aria attributes in step with its classes (./aria.py).
        self.aria = FormAria(layout=w.Layout(display="none"))
        self.children: tuple[Any, ...] = (
            self.kind,
            self.form_box,
            self.buttons,
            self.copy_text,
            self.output,
            self.aria,
        )
        self.form: SpecForm | None = None
        self._sizes: list[dict[str, Any]] | None = None
        self._prices: RegionPrices | None = None  # the sizes' prices, once fetched (in the background)
        self._prices_for: Workspace | None = None
        self.prices_ready = threading.Event()
        self._form_lock = threading.Lock()
        self.form_ready = threading.Event()
        self._said_for: Operation | None = None  # the operation the line is about, until the form is edited
        self._notes: tuple[str, ...] = ()  # what the create said about its cost, under that line
        self._show_kind()

    def _button(self, label: str, action: Callable[[], object], style: str = "") -> Any:
        w = ipywidgets_module()
        button = w.Button(description=label, button_style=style, layout=w.Layout(width="auto", min_width="6em"))
        button.add_class("jupyter-compute-" + label.lower().replace(" ", "-").strip("-…"))
        button.on_click(lambda _b: action())
        return button

    def _kind_changed(self) -> None:
        self._show_kind()
        self.new_form()

    def _show_kind(self) -> None:
        """The primary button says what it does ("Create", "Attach")."""
        self.create_button.description = kinds.find(self.kind.value).verb.capitalize()

    def switch(self, workspace: Workspace) -> None:
        """Forms for another workspace (its sizes)."""
        with self._form_lock:
            self.ws = workspace
            self._sizes = None
            self._prices = None
        self.new_form()

    def sizes(self) -> list[dict[str, Any]]:
        if self._sizes is None:
            try:
                self._sizes = self.ws.sizes()
            except ComputeError:
                self._sizes = []
        return self._sizes

    def _fetch_prices(self) -> None:
        """The region's prices, in the background (a day's cache makes it quick after the first): the size
        picker is shown at once and relabelled with each size's price when they come."""
        with self._form_lock:
            if self._prices_for is self.ws:
                return
            self._prices_for = ws = self.ws
            self.prices_ready.clear()

        def fetch() -> None:
            try:
                prices = ws.prices()
            except Exception as exc:  # a defect must not leave the picker waiting: the prices are unknown
                prices = unknown("", f"{type(exc).__name__}: {exc}")
            with self._form_lock:
                if ws is not self.ws:
                    return  # another workspace was chosen meanwhile
                self._prices = prices
                form = self.form
            if form is not None:
                form.show_prices(prices)
            self.prices_ready.set()

        threading.Thread(target=fetch, name="jupyter-compute-prices", daemon=True).start()

    def new_form(self) -> SpecForm:
        self._fetch_prices()
        with self._form_lock:
            form = SpecForm(
                self.kind.value, self.sizes(), on_submit=self.create, on_change=self._form_changed, prices=self._prices
            )
            before, self.form = self.form, form
            self.form_box.children = [form.widget]
            if before is not None:
                close_tree(before.widget)  # the last kind's form: its models go from the kernel and the page
            self._forget_output()
        self.form_ready.set()
        return form

    def _forget_output(self) -> None:
        self.output.value = ""
        self._said_for = None
        self.copy_text.value = ""
        self.copy_text.layout.display = "none"
        self.copy_buttons.magic = self.copy_buttons.yaml = ""

    def _form_changed(self, spec: ComputeSpec | None) -> None:
        """A user's change: the line about the last request goes (it is stale), the copy texts follow."""
        self._forget_output()
        if spec is not None:
            self.copy_buttons.magic, self.copy_buttons.yaml = self._magic(spec), self._yaml(spec)

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
        notes = spec.notes + create_notes(spec) + ((note,) if note else ())
        if not spec.ATTACHED and sized(spec):  # the price line `--dry-run` prints (a quick, cached lookup)
            notes += (price_note(self.ws.estimate(spec, quick=True)),)
        self.output.value = html("<pre style='white-space:pre-wrap'>{}</pre>", json.dumps(request, indent=2)) + _notes(
            notes
        )
        return request

    @staticmethod
    def _magic(spec: ComputeSpec) -> str:
        return "%compute " + spec_line(spec, kind_of(spec).verb)

    @staticmethod
    def _yaml(spec: ComputeSpec) -> str:
        return f"%%compute {kind_of(spec).verb}\n{spec_yaml(spec)}"

    def copy_magic(self) -> str | None:
        """The ``%compute`` line of the form (what "Copy as magic" copies), shown in the text box."""
        spec = self._spec()
        if spec is None:
            return None
        line = self._magic(spec)
        self._show_copy(line)
        return line

    def copy_yaml(self) -> str | None:
        """The ``%%compute`` cell of the form with its YAML (what "Copy as YAML" copies), shown in the text box."""
        spec = self._spec()
        if spec is None:
            return None
        cell = self._yaml(spec)
        self._show_copy(cell)
        return cell

    def _on_copy(self, event: str, which: str) -> None:
        """What the copy buttons' front end did: copied (said there, next to the button: the form's older
        line goes, and is not said twice), could not (the text is shown here to copy by hand), or was clicked
        while the form has a problem (the fields say it)."""
        if event == "copied":
            self.output.value = ""
        elif event in ("failed", "invalid"):
            (self.copy_magic if which == "magic" else self.copy_yaml)()

    def _show_copy(self, copied: str) -> None:
        self.copy_text.value = copied
        self.copy_text.layout.display = "block"

    def create(self) -> Operation | None:
        """Create (or attach) what the form says; once started, the form is cleared for the next one."""
        spec = self._spec()
        if spec is None:
            return None
        try:
            op = self.ws.attach(spec) if spec.ATTACHED else self.ws.create(spec)
        except ComputeError as exc:
            self.output.value = error(exc)
            return None
        if self.form is not None:
            self.form.clear()
        self._forget_output()
        self._said_for = op
        self._notes = spec.notes + create_notes(spec)  # the nudge the magic gives, under the form's line
        op.add_listener(self._said)
        self._said(op)
        self._on_submitted()
        return op

    def _said(self, op: Operation) -> None:
        """The form's line for the operation it started: submitted, what the checks found, or why they
        refused it (until the form is edited for the next one)."""
        if op is not self._said_for:
            return
        if op.refused and op.error is not None:
            self.output.value = error(op.error)
        else:
            self.output.value = html("{} {}: {}", op.kind, op.target, op.note or "submitted") + _notes(self._notes)


def _notes(notes: tuple[str, ...]) -> Markup:
    """Notes under the form's line: quiet, one a line (what the magic shows as its notes)."""
    return Markup("").join(html("<div class='jupyter-compute-note' style='opacity:.75'>{}</div>", n) for n in notes)
