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

from .terminal import clean, one_line

if TYPE_CHECKING:
    from ..service.operation import Operation

WIDTH = 24
MIN_INTERVAL = 0.25


def bar_line(op: Operation, width: int = WIDTH) -> str:
    p = op.progress
    filled = int(round(p.fraction * width))
    bar = "#" * filled + "-" * (width - filled)
    parts = [f"[{bar}] {p.fraction * 100:3.0f}%", f"{op.action} {op.kind} {op.target}", p.phase]
    if p.nodes_text:
        parts.append(p.nodes_text)
    parts.append(_duration(p.elapsed))
    if p.status == "InProgress" and p.eta:
        parts.append(f"~{_duration(p.eta)} left")
    line = one_line(" · ".join(parts))
    if op.error is not None:
        line += f"\n  {clean(op.error)}"
    return line


def final_line(op: Operation) -> str:
    p = op.progress
    mark = {"Succeeded": "done", "Failed": "FAILED", "Canceled": "canceled"}.get(p.status, "detached")
    text = f"{op.action} {op.kind} {op.target}: {mark} · {p.phase}"
    if p.nodes_text:
        text += f" · {p.nodes_text}"
    text += f" · {_duration(p.elapsed)}"
    text = one_line(text)
    if op.error is not None:
        text += f"\n  {clean(op.error)}"
    if op.note:  # e.g. "already exists with these settings; nothing was sent", "deleted meanwhile"
        text += f"\n  {one_line(op.note)}"
    return text


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    minutes, secs = divmod(seconds, 60)
    return f"{minutes}m{secs:02d}s"


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
