"""A closed anywidget of the package is freed (issue 29): anywidget's hot-reload signal of an ``_esm`` given
as a path held every instance for ever, so each live bar's status region stayed in the kernel."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable

import anywidget
import pytest

from jupyter_compute.ui.panel.aria import FormAria
from jupyter_compute.ui.panel.copy import CopyButtons
from jupyter_compute.ui.panel.table import ComputeTable
from jupyter_compute.ui.said import Said

MAKE: dict[type[anywidget.AnyWidget], Callable[[], anywidget.AnyWidget]] = {
    Said: Said,
    ComputeTable: ComputeTable,
    CopyButtons: lambda: CopyButtons(lambda _event, _which: None),
    FormAria: FormAria,
}


@pytest.mark.parametrize("cls", list(MAKE))
def test_a_closed_widget_is_freed(cls: type[anywidget.AnyWidget]) -> None:
    widgets = [MAKE[cls]() for _ in range(3)]
    refs = [weakref.ref(w) for w in widgets]
    for widget in widgets:
        widget.close()
    del widgets, widget
    gc.collect()
    assert [r() for r in refs] == [None, None, None]
    assert isinstance(cls._esm, str) and "\n" in cls._esm  # the text, not a path anywidget would watch
