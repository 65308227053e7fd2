"""Accessibility ipywidgets cannot express from Python: a view with no content of its own (``static/aria.js``)
that, placed in a "New" form, ties each field's error line to its input (``aria-invalid``,
``aria-describedby``), gives the "Advanced" toggle ``aria-expanded`` and makes the result line a polite
status, from the classes the form sets (:mod:`.form`); placed in an edit tab (:mod:`.tools`), it makes its
outcome line a polite status. An anywidget, so it works wherever the form renders."""

from __future__ import annotations

import anywidget

from ..assets import source
from .table import STATIC


class FormAria(anywidget.AnyWidget):
    """Keeps the aria attributes of the form it is placed in in step with the form's classes."""

    _esm = source(STATIC / "aria.js")
