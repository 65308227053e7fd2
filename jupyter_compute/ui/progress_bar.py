"""The ipywidgets progress bar of an operation: name, kind, phase, nodes, elapsed, ETA.

The bar is one HTML widget drawing the static bar's parts (:mod:`~jupyter_compute.render.bars`: the title, the
track, a ``progressbar`` with values a screen reader can read, and the info line) beside its polite status
region (:mod:`.said`), in a box: three models of its own, where the page pays for every model it is sent
(a comm to open, state to decode, a comm to close). Their layouts and the HTML's style are the same for every
bar, so every bar shares one of each (:data:`SHARED`), made once per kernel.

The poller thread calls :meth:`OperationBar.update` through the operation's listeners; the bar only
sets traits (never prints), batches them with ``hold_sync`` and sends at most ``MAX_PER_SECOND``
updates per second through the UI's one :class:`~jupyter_compute.ui.throttle.Throttle`, plus the final
one. Green on success, red with the ARM code and message on failure.

A bar lives only as long as its operation runs, and a short grace after. When the operation ends the bar
draws the final state at once (green or red, and the outcome set into its status, the region a screen
reader follows). ``END_GRACE`` seconds later, on the UI's one scheduler (a daemon thread: a script that
exits does not wait for it), it calls its ``on_end`` callback (the cell's display then becomes static HTML),
closes its box and its HTML, and gives its status region back to :data:`REGIONS` for the next bar. The grace
is for the screen reader: a region removed in the same moment its text changed may never be announced; one
that stays a moment is.

Why the regions are kept and not closed (issue 29): a status region is an anywidget, and anywidget's front
end imports each model's ``_esm`` as a module of its own, which no browser ever frees (manzt/anywidget#613),
and makes every message to that model wait for the import, while the page handles a kernel's messages one
after another: a bar per operation then grew the page's heap and, under a stream of operations, queued the
kernel's messages in the page (a soak kept 100,000 of them). The next bar sets a region's text before it is
displayed; its view is a new element, its model already loaded. Regions are never closed: there are as many as
bars were ever alive at once.
ipywidgets keeps a model until it is closed, so a bar left open would hold its models for the life of the
kernel. The bar holds its operation weakly while it runs: an operation nobody uses any more is not kept
alive by its bar (only an ended one, for the grace, so that its display still becomes its final line).
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..render.bars import info_html, orphaned_html, title_html, track_html
from ..render.describe import describe
from ..render.markup import Markup, html
from .said import Said
from .throttle import Scheduler, Throttle

if TYPE_CHECKING:
    from ..service.operation import Operation

MAX_PER_SECOND = 4.0
END_GRACE = 1.5  # seconds the outcome stays in the live status before the display turns static


class Regions:
    """Status regions given back by ended bars, for the next bars of this kernel: as many as were ever in use at
    once (a region is made only when none is free), never closed, so that a box never names a closed one."""

    def __init__(self) -> None:
        self._free: list[Said] = []
        self._lock = threading.Lock()

    def take(self) -> Said:
        """A region given back, else a new one (the bar sets its text before it is displayed)."""
        with self._lock:
            while self._free:
                said = self._free.pop()
                if _open(said):
                    return said
        said = Said(layout=Shared.get().region)
        return said

    def give(self, said: Said) -> None:
        """``said``'s bar has ended: keep it for the next bar, unless its comm was closed (the front end closes
        a model it could not make). Its text stays (emptying it would be one more message to the page per
        operation; no view shows it until a bar sets its own)."""
        if _open(said):
            with self._lock:
                self._free.append(said)

    def __len__(self) -> int:
        with self._lock:
            return len(self._free)


def _open(widget: Any) -> bool:
    """Neither side has closed ``widget``'s comm (ipywidgets forgets its comm when the kernel closes it; when
    the front end does, the comm says so)."""
    comm = widget.comm
    return comm is not None and not getattr(comm, "_closed", False)


REGIONS = Regions()


class Shared:
    """The layouts and the style every bar has alike, one model each per kernel (made at the first bar)."""

    def __init__(self) -> None:
        import ipywidgets as w
        from ipywidgets.widgets.widget_string import HTMLStyle

        self.box = w.Layout(width="100%", max_width="720px")
        self.view = w.Layout(width="100%")
        self.region = w.Layout()
        self.style = HTMLStyle()

    @classmethod
    def get(cls) -> Shared:
        global SHARED
        with _shared_lock:
            if SHARED is None or any(m.comm is None for m in (SHARED.box, SHARED.view, SHARED.region, SHARED.style)):
                SHARED = cls()
            return SHARED


SHARED: Shared | None = None
_shared_lock = threading.Lock()


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
        shared = Shared.get()
        self.drawn: dict[str, Markup] = {}  # the parts last drawn: title, track, info
        # Their classes are in the state they open with (the lab extension lets such comms go once closed:
        # labextension/src/comms.ts), not sent in a message of their own.
        self.view = w.HTML(layout=shared.view, style=shared.style, _dom_classes=("jupyter-compute-bar-view",))
        self.said = REGIONS.take()  # the polite status a screen reader follows (./said.py)
        self.widget = w.VBox([self.view, self.said], layout=shared.box, _dom_classes=("jupyter-compute-progress",))
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
            self.widget.close()  # the shared layouts and style stay, for the next bars
            self.view.close()
            REGIONS.give(self.said)
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
        self.drawn = {"title": title_html(d), "track": track_html(d), "info": info_html(d)}
        with self.view.hold_sync(), self.said.hold_sync():  # one message per model
            self.view.value = str(
                html(
                    "<div style='display:flex;align-items:center'><div style='min-width:12em;margin:0 8px 0 0'>{}</div>"
                    "<div style='flex:1 1 auto;min-width:80px'>{}</div></div>{}{}",
                    self.drawn["title"],
                    self.drawn["track"],
                    self.drawn["info"],
                    orphaned_html(d),
                )
            )
            self.said.text = d.news  # sent only when it changes: each phase said once, not each tick
