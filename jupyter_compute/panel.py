"""The lab extension's entry points, kept at this path: it runs ``from jupyter_compute.panel import sidebar``
(and ``form_tab``, ``edit_tab``, ``close_form_tab``, ``sidebar_form``, ``forms``, ``sidebar_shown``).

The panel lives in :mod:`jupyter_compute.ui.panel`.
"""

from .ui.panel import (
    close_form_tab,
    edit_tab,
    form_tab,
    forms,
    panel_for,
    show_panel,
    sidebar,
    sidebar_form,
    sidebar_shown,
)

__all__ = [
    "close_form_tab",
    "edit_tab",
    "form_tab",
    "forms",
    "panel_for",
    "show_panel",
    "sidebar",
    "sidebar_form",
    "sidebar_shown",
]
