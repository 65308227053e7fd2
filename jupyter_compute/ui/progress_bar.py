"""The ipywidgets progress bar of an operation: name, kind, phase, nodes, elapsed, ETA.

The poller thread calls :meth:`OperationBar.update` through the operation's listeners; the
bar only sets traits (never prints), batches them with ``hold_sync`` and sends at most
``MAX_PER_SECOND`` updates per second, plus the final one. Green on success, red with the
ARM code and message on failure.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from ..render.markup import ERROR_COLOUR, html
from ..render.text import _duration

if TYPE_CHECKING:
    from ..service.operation import Operation

MAX_PER_SECOND = 4.0
_bars: dict[int, OperationBar] = {}
_bars_lock = threading.Lock()


class OperationBar:
    def __init__(self, op: Operation) -> None:
        import ipywidgets as w

        self.op = op
        self.title = w.HTML(layout=w.Layout(width="auto", min_width="12em", margin="0 8px 0 0"))
        self.bar = w.FloatProgress(
            min=0.0,
            max=1.0,
            value=0.0,
            bar_style="info",
            layout=w.Layout(flex="1 1 auto", min_width="80px", width="auto"),
        )
        self.info = w.HTML(layout=w.Layout(width="auto"))
        self.widget = w.VBox(
            [w.HBox([self.title, self.bar], layout=w.Layout(width="100%", align_items="center")), self.info],
            layout=w.Layout(width="100%", max_width="720px"),
        )
        self.widget.add_class("jupyter-compute-progress")
        self._last = 0.0
        self._lock = threading.Lock()
        self._pending: threading.Timer | None = None
        self._apply()
        op.add_listener(self.update)

    def update(self, op: Operation) -> None:
        with self._lock:
            wait = 1.0 / MAX_PER_SECOND - (time.monotonic() - self._last)
            if op.done() or wait <= 0:
                if self._pending is not None:
                    self._pending.cancel()
                    self._pending = None
                self._apply()
            elif self._pending is None:
                self._pending = threading.Timer(wait, self._flush)
                self._pending.daemon = True
                self._pending.start()

    def _flush(self) -> None:
        with self._lock:
            self._pending = None
            self._apply()

    def _apply(self) -> None:
        self._last = time.monotonic()
        parts = bar_parts(self.op)
        title = html("<b>{}</b> <span style='opacity:.7'>{}</span>", self.op.target, parts["title"])
        info = html("{}", parts["info"])
        if parts["error"]:
            code, _, message = parts["error"].partition(": ")
            info += html("<br><span style='color:{}'><b>{}</b>: {}</span>", ERROR_COLOUR, code, message)
        if parts["note"]:
            info += html("<br><span style='opacity:.7'>{}</span>", parts["note"])
        with self.title.hold_sync(), self.bar.hold_sync(), self.info.hold_sync():  # one message per model
            self.title.value = title
            self.bar.value = parts["fraction"]
            self.bar.bar_style = parts["style"]
            self.info.value = html("<span class='jupyter-compute-phase'>{}</span>", info)


def bar_parts(op: Operation) -> dict[str, Any]:
    """What a bar shows, as plain text: title (action and kind), info (phase · nodes · elapsed · ETA),
    fraction, style (info/success/danger/warning), error ("Code: message (request id: …)") and note."""
    p = op.progress
    details = [p.phase]
    if p.nodes_text:
        details.append(p.nodes_text)
    details.append(_duration(p.elapsed))
    if p.status == "InProgress" and p.eta:
        details.append(f"~{_duration(p.eta)} left")
    if op.detached and p.status == "InProgress":
        details.append("not watching (it goes on in the service)")
    return {
        "title": f"{op.action} {op.kind}",
        "info": " · ".join(details),
        "fraction": float(p.fraction),
        "style": {"Succeeded": "success", "Failed": "danger", "Canceled": "warning"}.get(p.status, "info"),
        "error": op.error.headline if op.error is not None else "",
        "note": op.note or "",
    }


def widget_for(op: Operation) -> Any:
    """The one live widget of ``op`` (re-displaying the operation shows the same bar)."""
    with _bars_lock:
        bar = _bars.get(id(op))
        if bar is None or bar.op is not op:
            bar = _bars[id(op)] = OperationBar(op)
        return bar.widget
