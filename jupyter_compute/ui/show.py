"""Showing an operation: a live ipywidgets bar in a kernel, a text line elsewhere.

In a kernel the bar is displayed with a display id; when the operation ends, the poller updates that
display's plain-text part to the final line, so saved notebooks (nbconvert, nbclient) show how it
ended. An operation is shown once per cell, however often it is returned or displayed there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..render.text import bar_line, final_line

if TYPE_CHECKING:
    from ..service.operation import Operation


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


def operation_bundle(op: Operation) -> dict[str, Any]:
    text = final_line(op) if op.done() else bar_line(op)
    if not in_kernel():
        return {"text/plain": text}
    from .progress_bar import widget_for

    bundle = widget_for(op)._repr_mimebundle_()
    data: dict[str, Any] = dict(bundle[0] if isinstance(bundle, tuple) else bundle)
    data["text/plain"] = text
    return data


def mark_shown(op: Operation) -> None:
    """The cell already shows ``op`` (as text): returning it must not show it again."""
    op._shown_in = _execution_count()


def show(op: Operation) -> None:
    """Display ``op`` in the current cell (once per cell)."""
    from IPython.display import display

    count = _execution_count()
    if op._shown_in == count and count is not None:
        return
    op._shown_in = count
    if not in_kernel():
        print(final_line(op) if op.done() else bar_line(op))
        return
    if op._display_id is None:
        import uuid

        op._display_id = f"jupyter-compute-{uuid.uuid4()}"
        op.add_listener(_final_text)
    display(operation_bundle(op), raw=True, display_id=op._display_id)  # type: ignore[no-untyped-call]


def _final_text(op: Operation) -> None:
    """When the operation ends, rewrite every display of it with the final line (saved notebooks keep it)."""
    if not op.done() or op._final_published:
        return
    op._final_published = True
    from IPython.display import update_display

    update_display(operation_bundle(op), raw=True, display_id=op._display_id)  # type: ignore[no-untyped-call]
