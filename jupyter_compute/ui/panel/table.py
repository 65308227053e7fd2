"""The Compute panel's list: one widget model for every compute, rendered by the lab extension.

A list of hundreds of computes built from ipywidgets boxes, labels and buttons costs a dozen widget
models per row (each with its own layout and style models), and opening the panel then takes seconds
(bench/panel_open.py measured 13.8 s for 200 computes). So the list is one model whose state is the
rows as plain data; the extension's ``ComputeTableView`` draws them (name, kind, size, state, nodes, a
bar while busy, the actions that fit the kind) and sends a click back as ``{"action", "name"}``, and
``{"event": "alive"}`` every ``heartbeat_seconds`` while it is shown.
"""

from __future__ import annotations

from typing import Any

import ipywidgets
from traitlets import Dict, Float, List, Unicode

from ...version import __version__

MODULE = "jupyter-compute"
MODULE_VERSION = f"^{__version__}"  # the lab extension registers its module under the same version


class ComputeTable(ipywidgets.DOMWidget):  # type: ignore[misc]
    """Rows: ``{name, kind, size, state, nodes, actions, bar, message}`` (``bar``: ``Description.bar()``)."""

    _model_name = Unicode("ComputeTableModel").tag(sync=True)
    _view_name = Unicode("ComputeTableView").tag(sync=True)
    _model_module = Unicode(MODULE).tag(sync=True)
    _view_module = Unicode(MODULE).tag(sync=True)
    _model_module_version = Unicode(MODULE_VERSION).tag(sync=True)
    _view_module_version = Unicode(MODULE_VERSION).tag(sync=True)
    rows = List(Dict()).tag(sync=True)
    empty_text = Unicode("No computes in this workspace yet.").tag(sync=True)
    # Every shown view says {"event": "alive"} this often, so the kernel knows someone is looking.
    heartbeat_seconds = Float(30.0).tag(sync=True)

    def _repr_keys(self) -> Any:  # the text repr stays short however many rows there are
        yield from (key for key in super()._repr_keys() if key != "rows")
