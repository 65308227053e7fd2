"""The lab extension's entry points, kept at this path: it runs ``from jupyter_compute.panel import sidebar``
(and ``sidebar_form``, ``forms``).

The panel lives in :mod:`jupyter_compute.ui.panel`.
"""

from .ui.panel import forms, panel_for, show_panel, sidebar, sidebar_form

__all__ = ["forms", "panel_for", "show_panel", "sidebar", "sidebar_form"]
