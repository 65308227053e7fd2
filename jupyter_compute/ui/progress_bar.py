"""The ipywidgets progress bar of an operation: name, kind, phase, nodes, elapsed, ETA.

The bar itself is the static bar's track (:func:`~jupyter_compute.render.bars.track_html`) in an HTML
widget, not an ipywidgets ``FloatProgress``, whose view has no ``progressbar`` role nor values a screen
reader can read.

The poller thread calls :meth:`OperationBar.update` through the operation's listeners; the bar only
sets traits (never prints), batches them with ``hold_sync`` and sends at most ``MAX_PER_SECOND``
updates per second through the UI's one :class:`~jupyter_compute.ui.throttle.Throttle`, plus the final
one. Green on success, red with the ARM code and message on failure.

A bar lives only as long as its operation runs, and a short grace after. When the operation ends the bar
draws the final state at once (green or red, and the outcome set into its status, the region a screen
reader follows: :mod:`.said`). ``END_GRACE`` seconds later, on the UI's one scheduler (a daemon thread: a
script that exits does not wait for it), it calls its ``on_end`` callback (the cell's display then becomes
static HTML) and closes every widget model it made: the two boxes, the four parts (title, bar, info,
status), and their layouts and styles. The grace is for the screen reader: a region removed in the same
moment its text changed may never be announced; one that stays a moment is. ipywidgets keeps a model until
it is closed, so a bar left open would hold fifteen of them for the life of the kernel. The bar holds its
operation weakly while it runs: an operation nobody uses any more is not kept alive by its bar (only an
ended one, for the grace, so that its display still becomes its final line).
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..render.bars import info_html, orphaned_html, title_html, track_html
from ..render.describe import describe
from .said import Said
from .throttle import Scheduler, Throttle

if TYPE_CHECKING:
    from ..service.operation import Operation

MAX_PER_SECOND = 4.0
END_GRACE = 1.5  # seconds the outcome stays in the live status before the display turns static


class OperationBar:
    """The live bar of one operation (``widget``); ``ended`` once its final state is drawn, ``closed`` once
    ``on_end`` ran and its models are closed (``grace`` seconds later)."""

    def __init__(
        self,
        op: Operation,
        on_end: Callable[[Operation], None] | None = None,
        *,
        scheduler: Scheduler | None = None,
        grace: float = END_GRACE,
    ) -> None:
        import ipywidgets as w

        self._op = weakref.ref(op)
        self._on_end = on_end
        self.grace = grace
        self.ended = False
        self.closed = False
        self._closed = threading.Event()
        self._end_lock = threading.Lock()
        self.title = w.HTML(layout=w.Layout(width="auto", min_width="12em", margin="0 8px 0 0"))
        self.bar = w.HTML(layout=w.Layout(flex="1 1 auto", min_width="80px", width="auto"))
        self.info = w.HTML(layout=w.Layout(width="auto"))
        self.said = Said()  # the polite status a screen reader follows (./said.py)
        self.widget = w.VBox(
            [w.HBox([self.title, self.bar], layout=w.Layout(width="100%", align_items="center")), self.info, self.said],
            layout=w.Layout(width="100%", max_width="720px"),
        )
        self.widget.add_class("jupyter-compute-progress")
        self._throttle = Throttle(self._apply, 1.0 / MAX_PER_SECOND, scheduler=scheduler)
        self._throttle.request(urgent=True)
        op.add_listener(self.update)

    def update(self, op: Operation) -> None:
        """The operation moved: redraw (throttled); when it ended, :meth:`finish`."""
        if op.done():
            self.finish()
        else:
            self._throttle.request()

    def finish(self) -> None:
        """Draw how the operation ended (the outcome into the status); ``grace`` seconds later call
        ``on_end`` and close every model of the bar. Once: later calls do nothing."""
        with self._end_lock:
            if self.ended:
                return
            op = self._op()
            self._throttle.request(urgent=True)  # the final state, drawn now
            self.ended = True  # a throttled redraw that comes late draws nothing more
            self._throttle.cancel()
            if op is not None:
                op.remove_listener(self.update)
        if op is None:  # nobody holds it: no display to turn static, nothing to announce
            self._end(None)
        else:  # the pending call holds the ended operation for the grace only
            self._throttle.scheduler.call_later(self.grace, functools.partial(self._end, op))

    def _end(self, op: Operation | None) -> None:
        with self._end_lock:
            if self.closed:
                return
            self.closed = True
        try:
            if op is not None and self._on_end is not None:
                self._on_end(op)
            close_all(self.widget)
        finally:
            self._closed.set()

    def settle(self, timeout: float) -> bool:
        """Wait (at most ``timeout`` seconds) until ``on_end`` ran and the models are closed; True if so."""
        return self._closed.wait(timeout)

    def _apply(self) -> None:
        op = self._op()
        if op is None or self.ended:
            return
        d = describe(op)
        with (
            self.title.hold_sync(),
            self.bar.hold_sync(),
            self.info.hold_sync(),
            self.said.hold_sync(),
        ):  # one message per model
            self.title.value = title_html(d)
            self.bar.value = track_html(d)
            self.info.value = info_html(d) + orphaned_html(d)
            self.said.text = d.news  # sent only when it changes: each phase said once, not each tick


def close_all(widget: Any) -> None:
    """Close ``widget``, the widgets it contains, and their layout and style models (ipywidgets'
    ``close`` closes only the one model)."""
    import ipywidgets as w

    for child in getattr(widget, "children", ()):
        close_all(child)
    for part in ("layout", "style"):
        model = getattr(widget, part, None)
        if isinstance(model, w.Widget):
            model.close()
    widget.close()
