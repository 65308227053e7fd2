"""The Compute panel's list: one anywidget whose front end (static/table.js, static/table.css) ships
inside the Python package, so it renders wherever ipywidgets render (JupyterLab with or without our
lab extension, Notebook 7, VS Code, Colab).

A list of hundreds of computes built from ipywidgets boxes, labels and buttons costs a dozen widget
models per row, and opening the panel then takes seconds (bench/panel_open.py measured 13.8 s for 200
computes). So the list is one model whose state is the rows as plain data, every decision made here in
Python (the state's colour, the actions the state allows, the confirm sentences); the view draws them
one line per compute, searches, filters and sorts them in the browser, sends a click on an action back
as ``{"action", "name"}`` (delete and detach only after their inline confirm), and ``{"event": "alive"}``
every ``heartbeat_seconds`` while it is shown.

A change of a few rows (an operation's bar moving, a state changing) goes to the page as one custom
message holding those rows and the list's order (``{"patch": [...], "order": [names]}``), not as the
whole list again: the front end's ``initialize`` applies it to the model once, whatever its views, and the
``rows`` trait in the kernel is updated quietly so that a view opened later (a reload) gets the whole list.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import anywidget
import ipywidgets
from traitlets import Dict, Float, List, Unicode

from ..assets import source
from ..rows import EMPTY_TEXT

STATIC = Path(__file__).with_name("static")
PATCH_SHARE = 0.5  # beyond this share of the rows changed, the whole list is sent instead of a patch


class ComputeTable(anywidget.AnyWidget):
    """Rows: :class:`~jupyter_compute.ui.rows.Row` each (its one declaration; ``static/row.d.ts`` is its
    TypeScript twin)."""

    _esm = source(STATIC / "table.js")
    _css = source(STATIC / "table.css")
    rows = List(Dict()).tag(sync=True)
    empty_text = Unicode(EMPTY_TEXT).tag(sync=True)
    # Why the list is empty because the workspace cannot be listed ("" while it can): one line above it.
    problem = Unicode("").tag(sync=True)
    # Every shown view says {"event": "alive"} this often, so the kernel knows someone is looking.
    heartbeat_seconds = Float(30.0).tag(sync=True)

    _quiet = False  # the rows trait changes without a message (a patch says it)

    def show_rows(self, rows: list[dict[str, Any]]) -> None:
        """Make ``rows`` the list, sending only what changed: nothing when nothing did, the changed rows and
        the order when few did, the whole list otherwise (and while no front end holds the model)."""
        old = self.rows
        if rows == old:
            return
        before = {row["name"]: row for row in old}
        changed = [row for row in rows if before.get(row["name"]) != row]
        if not old or self.comm is None or len(changed) > len(rows) * PATCH_SHARE:
            self.rows = rows
            return
        self._quiet = True
        try:
            self.rows = rows
        finally:
            self._quiet = False
        self.send({"patch": changed, "order": [row["name"] for row in rows]})

    def _should_send_property(self, key: str, value: Any) -> bool:
        if key == "rows" and self._quiet:
            return False
        return bool(super()._should_send_property(key, value))

    def _repr_keys(self) -> Any:  # the text repr stays short however many rows there are
        yield from (key for key in super()._repr_keys() if key not in ("rows", "_esm", "_css"))


class ViewOnly:
    """Shows a panel as its widget view alone, for the JupyterLab sidebar: its output area is never saved,
    so the readable fallback (the whole list as text and HTML: 0.7 s and 400 KB for 1000 computes) would be
    built and sent for nothing on the way to the panel's first paint, and again on every page reload."""

    def __init__(self, box: PanelBox) -> None:
        self.box = box

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = ipywidgets.VBox._repr_mimebundle_(self.box, **kwargs)  # the view; not PanelBox's fallback
        if isinstance(bundle, dict):
            bundle["text/plain"] = "Compute panel"
        return bundle


class PanelBox(ipywidgets.VBox):  # type: ignore[misc]
    """The panel's top widget: beside its widget view, a readable text/plain and text/html of the list
    (what an exported notebook or a front end without widgets shows instead of ``VBox(children=…``)."""

    def __init__(self, children: Any, fallback: Callable[[], tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(children, **kwargs)
        self._fallback = fallback

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)
        if isinstance(bundle, dict):
            text, markup = self._fallback()
            bundle["text/plain"] = text
            bundle["text/html"] = markup
        return bundle
