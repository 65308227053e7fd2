"""The front-end files of the package's anywidgets, as anywidget takes them without holding on to widgets.

anywidget turns an ``_esm``/``_css`` given as a path into a FileContents whose ``changed`` signal holds a
closure over every instance made (for hot reloading), so no widget of that class is ever freed: a live
bar's status region per operation, for as long as the kernel runs (manzt/anywidget#929). The text itself
(several lines, so anywidget does not read it as a path) has no such link.
"""

from __future__ import annotations

from pathlib import Path


def source(path: Path) -> str:
    """The text of a front-end file of the package, for an anywidget's ``_esm`` or ``_css``."""
    return path.read_text(encoding="utf-8")
