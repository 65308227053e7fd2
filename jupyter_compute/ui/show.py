"""Showing an operation: a live ipywidgets bar in a kernel, a text line elsewhere.

In a kernel the bar is displayed with a display id. When the operation ends, the bar shows the outcome
(and says it to a screen reader); a short grace later (``progress_bar.END_GRACE``) that display is
replaced by static output (the final line as HTML and as plain text, so saved notebooks, nbconvert and
nbclient keep how it ended) and the bar closes its widget models. A cell during which a bar ended
(``--wait``, ``op.wait()``) finishes only once that display is static, so the replacement is sent while
the cell runs (nbclient keeps only what comes before a cell's end). An operation is shown once per cell,
however often it is returned or displayed there; one that already ended is shown as its final line.

What this module knows about a displayed operation (the cell that shows it, its display id, its live
bar) is kept here, keyed weakly by the operation: the operation itself knows nothing of its display,
and nothing here keeps it alive.
"""

from __future__ import annotations

import sys
import threading
import uuid
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..render.bars import bar_html
from ..render.markup import html, output
from ..render.text import bar_line, final_line

if TYPE_CHECKING:
    from ..service.operation import Operation
    from .progress_bar import OperationBar


@dataclass
class DisplayState:
    """How one operation is displayed: the cell that last showed it, its display id, its live bar."""

    shown_in: int | None = None
    display_id: str | None = None
    bar: OperationBar | None = None
    ended: bool = False  # its displays were replaced by the final line


_states: weakref.WeakKeyDictionary[Operation, DisplayState] = weakref.WeakKeyDictionary()
_lock = threading.RLock()
_hooked = False


def in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def _execution_count() -> int | None:
    from IPython import get_ipython

    shell = get_ipython()
    return getattr(shell, "execution_count", None) if shell is not None else None


def state_of(op: Operation) -> DisplayState | None:
    """What is known of ``op``'s display (None when it was never shown)."""
    with _lock:
        return _states.get(op)


def final_bundle(op: Operation) -> dict[str, Any]:
    """How an ended operation stays in a cell: its final line, as HTML and as text."""
    return {"text/html": output(bar_html(op, said=True)), "text/plain": final_line(op)}


def mark_shown(op: Operation) -> None:
    """The cell already shows ``op`` (as text): returning it must not show it again."""
    with _lock:
        _states.setdefault(op, DisplayState()).shown_in = _execution_count()


def note(text: str) -> None:
    """A note (information, not an error): in a kernel a small grey line in the cell (plain text where HTML
    is not shown), not the pink box of a stderr stream; elsewhere (terminal IPython) a line on stderr."""
    if not in_kernel():
        print(text, file=sys.stderr)
        return
    from IPython.display import display

    shown = html("<div class='jupyter-compute-notice' style='opacity:.7;font-size:90%'>{}</div>", text)
    display({"text/plain": text, "text/html": output(shown)}, raw=True)  # type: ignore[no-untyped-call]


def show(op: Operation) -> None:
    """Display ``op`` in the current cell (once per cell)."""
    from IPython.display import display

    count = _execution_count()
    with _lock:
        state = _states.setdefault(op, DisplayState())
        if state.shown_in == count and count is not None:
            return
        state.shown_in = count
        if not in_kernel():
            print(final_line(op) if op.done() else bar_line(op))
            return
        if op.done() and state.bar is None:
            display(final_bundle(op), raw=True)  # type: ignore[no-untyped-call]
            return
        _hook_cell_end()
        if state.display_id is None:
            state.display_id = f"jupyter-compute-{uuid.uuid4()}"
        if state.bar is None:
            from .progress_bar import OperationBar

            state.bar = OperationBar(op, on_end=_ended)
        bar = state.bar
        display(_live_bundle(op, bar), raw=True, display_id=state.display_id)  # type: ignore[no-untyped-call]
    if op.done():  # it ended while being shown: no listener call may come after the bar's
        bar.finish()


def _hook_cell_end() -> None:
    """Once per kernel: each cell ends by :func:`_settle_ended`."""
    global _hooked
    from IPython import get_ipython

    shell = get_ipython()
    with _lock:
        if _hooked or shell is None:
            return
        _hooked = True
    shell.events.register("post_run_cell", _settle_ended)


def _settle_ended(*_result: object) -> None:
    """A cell's end waits for each bar that has ended and is in its grace to become static (a grace
    at most), so that the static output is sent while the cell still runs."""
    with _lock:  # done, and its listeners (the bar's finish) maybe not yet called
        bars = [s.bar for op, s in _states.items() if s.bar is not None and (s.bar.ended or op.done())]
    for bar in bars:
        bar.settle(bar.grace + 5.0)


def _live_bundle(op: Operation, bar: OperationBar) -> dict[str, Any]:
    bundle = bar.widget._repr_mimebundle_()
    data: dict[str, Any] = dict(bundle[0] if isinstance(bundle, tuple) else bundle)
    data["text/plain"] = bar_line(op)
    return data


def _ended(op: Operation) -> None:
    """The bar has shown the end for its grace (and closes right after this): every display of ``op``
    becomes the final line, so the page and saved notebooks keep it without the widget."""
    from IPython.display import update_display

    with _lock:
        state = _states.get(op)
        if state is None or state.ended or state.display_id is None:
            return
        state.ended = True
        state.bar = None
        display_id = state.display_id
    update_display(final_bundle(op), raw=True, display_id=display_id)  # type: ignore[no-untyped-call]
