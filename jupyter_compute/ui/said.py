"""A polite status region for a live bar: the element stays in the page and only its text changes, which is
what screen readers announce reliably (an HTML widget would insert a new element each time). Its front end
is ``panel/static/said.js`` (an anywidget, so it works wherever the bar renders)."""

from __future__ import annotations

from pathlib import Path

import anywidget
from traitlets import Unicode

from .assets import source


class Said(anywidget.AnyWidget):
    """``text``: what is said; set it only when it changes (a phase, how it ended)."""

    _esm = source(Path(__file__).with_name("panel") / "static" / "said.js")
    text = Unicode("").tag(sync=True)
