"""The Compute panel's "New" form for one kind, generated from the spec's field table.

One widget per field that has a command-line flag (the rest are YAML-only: schedules, setup scripts…),
common fields first and the others under "Advanced"; sizes from the workspace with vCPU, memory and
GPU; every change re-validates through the specs layer and shows each problem under its field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ...errors import ValidationError
from ...model.secrets import Secret
from ...model.specs import ComputeSpec, spec_class
from ...model.specs._fields import FieldInfo
from ...render import markup

UNSET = "(default)"


def ipywidgets_module() -> Any:
    import ipywidgets

    return ipywidgets


def fill_layout(**more: str) -> Any:
    """The layout of a leaf widget that fills its row: width auto, so the column stretches it to the
    row's width less its own margin (width 100% plus the margin would stick out)."""
    return ipywidgets_module().Layout(width="auto", **more)


class SpecForm:
    """A form for one kind: one widget per field with a flag, and an error line under each."""

    def __init__(self, kind: str, sizes: Sequence[Mapping[str, Any]]) -> None:
        w = ipywidgets_module()
        self.cls: type[ComputeSpec] = spec_class(kind)
        self.kind = kind
        self.inputs: dict[str, Any] = {}
        self.errors: dict[str, Any] = {}
        main: list[Any] = []
        advanced: list[Any] = []
        for name, info in self.cls.fields_info():
            if name != "name" and not info.cli:
                continue  # settable from YAML only (schedules, setup scripts …)
            widget = self._widget(name, info, sizes)
            self.inputs[name] = widget
            error = w.HTML(layout=w.Layout(margin="0 0 0 4px"))
            error.add_class("jupyter-compute-field-error")
            self.errors[name] = error
            box = w.VBox([widget, error], layout=w.Layout(width="100%"))
            (advanced if info.advanced else main).append(box)
            widget.observe(lambda _change: self.validate(), names="value")
        self.advanced = w.Accordion(children=[w.VBox(advanced)], layout=w.Layout(width="100%"))
        self.advanced.set_title(0, "Advanced")
        self.advanced.selected_index = None
        self.widget = w.VBox([*main, self.advanced], layout=w.Layout(width="100%"))

    def _widget(self, name: str, info: FieldInfo, sizes: Sequence[Mapping[str, Any]]) -> Any:
        w = ipywidgets_module()
        label = name.replace("_", " ")
        common = {
            "description": label,
            "tooltip": info.help,
            "style": {"description_width": "9em"},
            "layout": fill_layout(),
        }
        if name == "size":
            wanted = self.cls.COMPUTE_TYPE
            options = [(UNSET, "")] + [
                (
                    f"{s['name']} · {s.get('vCPUs')} vCPU · {s.get('memoryGB')} GB"
                    + (f" · {s.get('gpus')} GPU" if s.get("gpus") else ""),
                    s["name"],
                )
                for s in sizes
                if wanted in (s.get("supportedComputeTypes") or [wanted])
            ]
            return w.Dropdown(options=options, value="", **common)
        if info.choices:
            return w.Dropdown(options=[(UNSET, ""), *[(c, c) for c in info.choices]], value="", **common)
        if info.input == "flag":
            return w.Dropdown(options=[(UNSET, ""), ("yes", "true"), ("no", "false")], value="", **common)
        if info.secret:
            return w.Password(placeholder="(not stored; prefer an env var via the magic)", **common)
        return w.Text(placeholder=info.help, **common)

    def keywords(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, widget in self.inputs.items():
            value = widget.value
            if value in ("", None):
                continue
            info = dict(self.cls.fields_info()).get(name)
            if info is not None and info.secret:
                out[name] = Secret(value)
            elif info is not None and info.input == "many":
                out[name] = value.replace(",", " ").split()
            else:
                out[name] = value
        return out

    def validate(self) -> ComputeSpec | None:
        """The spec if the form is valid; otherwise every field's error is shown under it."""
        for error in self.errors.values():
            error.value = ""
        try:
            return self.cls.from_keywords(**self.keywords())
        except ValidationError as exc:
            for problem in exc.problems:
                target = problem.field if problem.field in self.errors else _field_of(self.cls, problem.field)
                box = self.errors.get(target) or self.errors["name"]
                shown = markup.error(problem.message)
                box.value = markup.html("{}<br>{}", markup.Markup(box.value), shown) if box.value else shown
            return None


def _field_of(cls: type[ComputeSpec], label: str) -> str:
    for name, info in cls.fields_info():
        if label == name or label in info.v1 or label == info.yaml:
            return name
    return "name"
