"""The live progress bar of an operation as ipywidgets (notebooks) with a text fallback elsewhere."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .text import bar_line, final_line

if TYPE_CHECKING:
    from ..operations import Operation


def in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def operation_bundle(op: Operation) -> dict[str, Any]:
    text = final_line(op) if op.done() else bar_line(op)
    if not in_kernel():
        return {"text/plain": text}
    from .progress_widget import widget_for

    bundle = widget_for(op)._repr_mimebundle_()
    data: dict[str, Any] = bundle[0] if isinstance(bundle, tuple) else bundle
    data = dict(data)
    data["text/plain"] = text
    return data
