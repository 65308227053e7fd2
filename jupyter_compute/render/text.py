"""A one-line text progress bar for terminals and the command line.

On a TTY the line redraws in place (at most a few times a second); elsewhere (pipes, CI,
nbconvert) only phase changes and the final line are written, so logs stay readable. Lines carry no
control characters from the service (names, phases, error messages): see :mod:`.terminal`.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TYPE_CHECKING, TextIO

from .describe import describe
from .terminal import clean, one_line

if TYPE_CHECKING:
    from ..service.operation import Operation

WIDTH = 24
MIN_INTERVAL = 0.25


def bar_line(op: Operation, width: int = WIDTH) -> str:
    """``[######------]  25% · create cluster cpu-1 · Creating · 0/2 nodes · 12s · ~40s left``, then the
    error on its own line."""
    d = describe(op)
    filled = int(round(d.fraction * width))
    bar = "#" * filled + "-" * (width - filled)
    line = one_line(" · ".join([f"[{bar}] {d.fraction * 100:3.0f}%", d.heading, *d.details()]))
    if d.error_text:
        line += f"\n  {clean(d.error_text)}"
    return line


def final_line(op: Operation) -> str:
    """``create cluster cpu-1: done · Succeeded · 2/2 nodes · 1m05s``, then the error and the note (e.g.
    "already exists with these settings; nothing was sent") on their own lines."""
    d = describe(op)
    text = one_line(f"{d.heading}: " + " · ".join(d.ended()))
    if d.error_text:
        text += f"\n  {clean(d.error_text)}"
    if d.note:
        text += f"\n  {one_line(d.note)}"
    return text


def summary(op: Operation) -> str:
    """One line: ``create cluster cpu-1 · Creating · 0/2 nodes · 12s`` and the error's first line."""
    d = describe(op)
    parts = [d.heading, d.phase, d.nodes, d.elapsed, d.error_text.splitlines()[0] if d.error_text else ""]
    return one_line(" · ".join(part for part in parts if part))


class TextBar:
    """Follows an operation and redraws one line; :meth:`close` writes the final line."""

    def __init__(self, op: Operation, stream: TextIO | None = None) -> None:
        self.op = op
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last = 0.0
        self._last_phase = ""
        self._lock = threading.Lock()
        op.add_listener(self._update)
        self._update(op)

    def _update(self, op: Operation) -> None:
        with self._lock:
            now = time.monotonic()
            if self.tty:
                if now - self._last < MIN_INTERVAL and not op.done():
                    return
                self._last = now
                self.stream.write("\r\x1b[2K" + bar_line(op).splitlines()[0])
            elif op.progress.phase != self._last_phase and not op.done():
                self.stream.write(bar_line(op).splitlines()[0] + "\n")
            self._last_phase = op.progress.phase
            self.stream.flush()

    def close(self, final: bool = True) -> None:
        self.op.remove_listener(self._update)
        with self._lock:
            if self.tty:
                self.stream.write("\r\x1b[2K")
            if final:
                self.stream.write(final_line(self.op) + "\n")
            self.stream.flush()


def follow(op: Operation, stream: TextIO | None = None, timeout: float | None = None, final: bool = True) -> Operation:
    """Block with a text bar until ``op`` ends; Ctrl-C detaches (the service goes on)."""
    bar: TextBar | None = None
    try:  # the bar is drawn inside: a Ctrl-C as soon as it shows detaches too
        bar = TextBar(op, stream)
        while not op.done():
            op.wait(0.2 if timeout is None else min(0.2, timeout))
            if timeout is not None:
                timeout -= 0.2
                if timeout <= 0:
                    break
        bar.close(final)
    except KeyboardInterrupt:
        message = op.cancel()
        if bar is not None:
            bar.close(final)
        (stream or sys.stderr).write(clean(message) + "\n")
    return op
