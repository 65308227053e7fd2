"""The form's "Copy as magic" / "Copy as YAML" buttons: an anywidget whose front end (static/copy.js)
writes to the clipboard and says so next to the button ("Copied the %compute line to the clipboard").

Python keeps ``magic`` and ``yaml`` up to date while the form is valid (empty while it is not), so the
browser copies within the click itself, as clipboards require. The texts come from the spec's own
renderings (``spec_line``, ``spec_yaml``), which mask secrets.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from ..assets import source


class CopyButtons(anywidget.AnyWidget):
    _esm = source(Path(__file__).with_name("static") / "copy.js")
    magic = traitlets.Unicode("").tag(sync=True)
    yaml = traitlets.Unicode("").tag(sync=True)

    def __init__(self, on_event: Callable[[str, str], object], **kwargs: Any) -> None:
        """``on_event(event, which)``: "copied", "failed" (the browser could not) or "invalid" (a click
        while the form has a problem), for "magic" or "yaml"."""
        super().__init__(**kwargs)
        self._on_event = on_event
        self.on_msg(self._on_msg)

    def _on_msg(self, _widget: Any, content: Mapping[str, Any], _buffers: Any) -> None:
        if isinstance(content, Mapping) and content.get("which") in ("magic", "yaml"):
            self._on_event(str(content.get("event")), str(content["which"]))
