"""A closed anywidget of the package is freed (issue 29): anywidget's hot-reload signal of an ``_esm`` given
as a path held every instance for ever, so each live bar's status region stayed in the kernel."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable
from typing import Any, cast

import anywidget
import pytest

from jupyter_compute.ui.deferred import SignInCard
from jupyter_compute.ui.panel.aria import FormAria
from jupyter_compute.ui.panel.copy import CopyButtons
from jupyter_compute.ui.panel.table import ComputeTable
from jupyter_compute.ui.said import Said

MAKE: dict[type[anywidget.AnyWidget], Callable[[], anywidget.AnyWidget]] = {
    Said: Said,
    ComputeTable: ComputeTable,
    CopyButtons: lambda: CopyButtons(lambda _event, _which: None),
    FormAria: FormAria,
    SignInCard: lambda: SignInCard(cast(Any, None)),
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


def test_every_anywidget_of_the_package_gives_its_front_end_as_text() -> None:
    """A new anywidget with a path for ``_esm``/``_css`` would be held for ever again."""
    classes = [cls for cls in anywidget.AnyWidget.__subclasses__() if cls.__module__.startswith("jupyter_compute.")]
    assert set(MAKE) <= set(classes)
    for cls in classes:
        for key in ("_esm", "_css"):
            assert isinstance(cls.__dict__.get(key, ""), str), f"{cls.__name__}.{key} is not text"
