"""The Compute panel's "New" form for one kind, generated from the spec's field table.

One input per field that has a command-line flag, and one per part of a field a form takes in parts
(an instance's schedules and setup scripts); the rest are YAML-only (custom applications…). Labels
are the fields' own (``field_label``: "Max nodes"), common fields first and the others behind an
"Advanced" toggle (a button, so Tab reaches it and the fields it shows). Sizes come from the workspace
with vCPU, memory and GPU, the default one named. Every change validates the whole form through the
specs layer and marks every field that has a problem, in a form user's words (``Problem.form``);
Enter in a text field submits.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ...errors import Problem, ValidationError
from ...model.prices import RegionPrices
from ...model.secrets import Secret
from ...model.specs import ComputeSpec, FieldInfo, Invalid, field_label, spec_class
from ...render import markup
from ...render.prices import size_price

UNSET = "(service default)"
LABEL_WIDTH = "13em"


def ipywidgets_module() -> Any:
    import ipywidgets

    return ipywidgets


def fill_layout(**more: str) -> Any:
    """The layout of a leaf widget that fills its row: width auto, so the column stretches it to the
    row's width less its own margin (width 100% plus the margin would stick out)."""
    return ipywidgets_module().Layout(width="auto", **more)


class SpecForm:
    """A form for one kind: one input per field (or per part of one), and an error line under each field."""

    def __init__(
        self,
        kind: str,
        sizes: Sequence[Mapping[str, Any]],
        *,
        on_submit: Callable[[], object] | None = None,
        on_change: Callable[[ComputeSpec | None], object] | None = None,
        prices: RegionPrices | None = None,
    ) -> None:
        """``on_submit``: Enter was pressed in a text field. ``on_change``: a user's change was validated
        (the spec, or None when a field has a problem). ``prices``: the region's, when already known
        (else the sizes show without a price until :meth:`show_prices`)."""
        w = ipywidgets_module()
        self.prices = prices
        self._sizes: list[Mapping[str, Any]] = []
        self._size_default = UNSET
        self.cls: type[ComputeSpec] = spec_class(kind)
        self.kind = kind
        self.infos = dict(self.cls.fields_info())
        self.inputs: dict[str, Any] = {}  # field name -> its input (fields with one)
        self.parts: dict[str, dict[str, Any]] = {}  # field name -> part key -> its input (fields in parts)
        self.errors: dict[str, Any] = {}
        self.boxes: dict[str, Any] = {}
        self._on_submit = on_submit
        self._on_change = on_change
        self._quiet = False  # set while the form is cleared: not a user's change
        main: list[Any] = []
        advanced: list[Any] = []
        for name, info in self.cls.fields_info():
            if info.parts:
                self.parts[name] = {part.key: self._text(part.label, part.help) for part in info.parts}
                shown = [w.HTML(markup.html("<b>{}</b>", field_label(name, info))), *self.parts[name].values()]
            elif name == "name" or info.cli:
                self.inputs[name] = self._widget(name, info, sizes)
                shown = [self.inputs[name]]
            else:
                continue  # settable from YAML only (custom applications …)
            error = w.HTML(layout=w.Layout(margin="0 0 0 4px"))
            error.add_class("jupyter-compute-field-error")
            self.errors[name] = error
            box = w.VBox([*shown, error], layout=w.Layout(width="100%"))
            box.add_class("jupyter-compute-field")
            self.boxes[name] = box
            (advanced if info.advanced else main).append(box)
        for widget in self._all_inputs():
            widget.observe(lambda _change: self._changed(), names="value")
            if isinstance(widget, w.Text):  # Password too: Enter sends a "submit" event
                widget.on_msg(self._on_msg)
        self.advanced_box = w.VBox(advanced, layout=w.Layout(width="100%", display="none"))
        self.advanced_box.add_class("jupyter-compute-advanced")
        self.advanced_toggle = w.ToggleButton(
            description="Advanced",
            icon="chevron-right",
            tooltip="Show the other settings",
            layout=w.Layout(width="auto"),
        )
        self.advanced_toggle.add_class("jupyter-compute-advanced-toggle")
        self.advanced_toggle.observe(lambda change: self.show_advanced(bool(change["new"])), names="value")
        self.widget = w.VBox([*main, self.advanced_toggle, self.advanced_box], layout=w.Layout(width="100%"))
        self.widget.add_class("jupyter-compute-form")

    # --- the inputs --------------------------------------------------------------------------------

    def _common(self, label: str, help: str) -> dict[str, Any]:
        return {
            "description": label,
            "description_allow_html": False,
            "tooltip": help,
            "style": {"description_width": LABEL_WIDTH},
            "layout": fill_layout(),
        }

    def _text(self, label: str, help: str) -> Any:
        return ipywidgets_module().Text(placeholder=help, **self._common(label, help))

    def _widget(self, name: str, info: FieldInfo, sizes: Sequence[Mapping[str, Any]]) -> Any:
        w = ipywidgets_module()
        common = self._common(field_label(name, info), info.help)
        default = self.default(name)
        if name == "size":
            wanted = self.cls.COMPUTE_TYPE
            listed = [s for s in sizes if wanted in (s.get("supportedComputeTypes") or [wanted])]
            named = next((s["name"] for s in listed if default and s["name"].lower() == default.lower()), default)
            self._sizes = listed
            self._size_default = f"{named} (default)" if named else UNSET
            return w.Dropdown(options=self._size_options(), value="", **common)
        unset = f"{default} (default)" if default else UNSET
        if info.choices:
            return w.Dropdown(options=[(unset, ""), *[(c, c) for c in info.choices]], value="", **common)
        if info.input == "flag":
            shown = {"True": "yes (default)", "False": "no (default)"}.get(default or "", UNSET)
            return w.Dropdown(options=[(shown, ""), ("yes", "true"), ("no", "false")], value="", **common)
        if info.secret:
            return w.Password(placeholder="not stored; sent once, with the request", **common)
        return w.Text(placeholder=f"default: {default}" if default else info.help, **common)

    def _size_options(self) -> list[tuple[str, str]]:
        """Each size with its shape, and its price an hour once the prices are known (:meth:`show_prices`)."""
        prices = self.prices
        return [(self._size_default, "")] + [
            (
                f"{s['name']} · {s.get('vCPUs')} vCPU · {s.get('memoryGB')} GB"
                + (f" · {s.get('gpus')} GPU" if s.get("gpus") else "")
                + (f" · {size_price(prices, s['name'])}" if prices is not None else ""),
                s["name"],
            )
            for s in self._sizes
        ]

    def show_prices(self, prices: RegionPrices) -> None:
        """Relabel the sizes with their price an hour ("emulated" from the local stand-in, "price
        unknown" when there is none); the size chosen stays chosen, and it is not a user's change."""
        self.prices = prices
        picker = self.inputs.get("size")
        if picker is None:
            return
        chosen = picker.value
        self._quiet = True
        try:
            picker.options = self._size_options()
            picker.value = chosen
        finally:
            self._quiet = False

    def default(self, name: str) -> str | None:
        """The value a field takes when left empty, as text (None: the service decides)."""
        for fld in dataclasses.fields(self.cls):
            if fld.name == name and fld.default not in (None, (), dataclasses.MISSING):
                return str(fld.default)
        return None

    def _all_inputs(self) -> list[Any]:
        return [*self.inputs.values(), *(part for parts in self.parts.values() for part in parts.values())]

    def show_advanced(self, shown: bool = True) -> None:
        self.advanced_box.layout.display = "flex" if shown else "none"
        self.advanced_toggle.icon = "chevron-down" if shown else "chevron-right"
        if self.advanced_toggle.value != shown:
            self.advanced_toggle.value = shown

    def _on_msg(self, _widget: Any, content: Mapping[str, Any], _buffers: Any) -> None:
        if isinstance(content, Mapping) and content.get("event") == "submit" and self._on_submit is not None:
            self._on_submit()

    def _changed(self) -> None:
        if self._quiet:
            return
        spec = self.validate()
        if self._on_change is not None:
            self._on_change(spec)

    # --- values and problems -------------------------------------------------------------------------

    def keywords(self, problems: list[Problem] | None = None) -> dict[str, Any]:
        """The keywords of what was entered; a field in parts whose parts do not make a value adds its
        problem to ``problems``."""
        out: dict[str, Any] = {}
        for name, widget in self.inputs.items():
            value = widget.value
            if value in ("", None):
                continue
            info = self.infos[name]
            if info.secret:
                out[name] = Secret(value)
            elif info.input == "many":
                out[name] = value.replace(",", " ").split()
            else:
                out[name] = value
        for name, parts in self.parts.items():
            compose = self.infos[name].compose
            assert compose is not None  # a field in parts says how they make its value
            try:
                composed = compose({key: widget.value for key, widget in parts.items()})
            except Invalid as exc:
                if problems is not None:
                    problems.append(Problem(name, str(exc)))
                continue
            if composed is not None:
                out[name] = composed
        return out

    def problems(self) -> tuple[ComputeSpec | None, list[Problem]]:
        """The spec, or every problem of the form at once (a part that does not make a value, a value
        that cannot be read, a rule across fields), each on the field it is about."""
        problems: list[Problem] = []
        keywords = self.keywords(problems)
        try:
            spec = self.cls.from_keywords(**keywords)
        except ValidationError as exc:
            return None, problems + list(exc.problems)
        return (spec, []) if not problems else (None, problems)

    def validate(self) -> ComputeSpec | None:
        """The spec if the form is valid; otherwise every field with a problem is marked and says it."""
        spec, problems = self.problems()
        shown: dict[str, list[str]] = {}
        for problem in problems:
            target = problem.field if problem.field in self.errors else _field_of(self.cls, problem.field)
            shown.setdefault(target if target in self.errors else "name", []).append(problem.form or problem.message)
        for name, error in self.errors.items():
            messages = shown.get(name, [])
            error.value = markup.Markup("<br>").join(markup.error(m) for m in messages) if messages else ""
            box = self.boxes[name]
            if messages and "jupyter-compute-invalid" not in box._dom_classes:
                box.add_class("jupyter-compute-invalid")
            elif not messages and "jupyter-compute-invalid" in box._dom_classes:
                box.remove_class("jupyter-compute-invalid")
        if any(name in shown for name, info in self.infos.items() if info.advanced):
            self.show_advanced()  # a problem is never hidden behind the toggle
        return spec

    def clear(self) -> None:
        """Empty every input, secrets first, and the marks (after a create: the next one starts clean)."""
        self._quiet = True
        try:
            secrets = [self.inputs[n] for n, info in self.infos.items() if info.secret and n in self.inputs]
            for widget in secrets + [x for x in self._all_inputs() if all(x is not s for s in secrets)]:
                widget.value = ""
            for name, error in self.errors.items():
                error.value = ""
                if "jupyter-compute-invalid" in self.boxes[name]._dom_classes:
                    self.boxes[name].remove_class("jupyter-compute-invalid")
        finally:
            self._quiet = False


def _field_of(cls: type[ComputeSpec], label: str) -> str:
    for name, info in cls.fields_info():
        if label == name or label in info.v1 or label == info.yaml:
            return name
    return "name"
