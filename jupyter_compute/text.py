"""Text for terminals with no control characters from anywhere else.

Service strings (compute names, descriptions, error messages) and file contents could carry escape
sequences that retitle the terminal (``ESC ] 0 ; … BEL``), clear it (``ESC [ 2 J``) or rewrite what
was printed before (``CR``, backspace). The text front ends pass what they print through
:func:`clean` once, at the edge; the layout's own newlines and tabs stay, and our own redraw codes
(``TextBar``) are added after cleaning. It sits at the bottom of the package (it imports nothing of
it), so any layer may clean what it shows, e.g. an operation's ``repr``.
"""

from __future__ import annotations

import re

# ESC sequences whole (CSI with its parameters, OSC/DCS/APC/PM/SOS strings up to their terminator,
# two-byte escapes), then any other C0 or C1 control and DEL; 8-bit CSI/OSC are C1 and go too.
_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI … final byte
    r"|\x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC, DCS, SOS, PM, APC strings
    r"|\x1b[ -/]*[0-~]?"  # two-byte (and nF) escapes, or a lone ESC
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LAYOUT = re.compile(r"[\t\n]")


def clean(text: object) -> str:
    """``text`` without escape sequences or control characters other than newline and tab."""
    return _CONTROL.sub("", _SEQUENCE.sub("", str(text)))


def one_line(text: object) -> str:
    """:func:`clean`, with newlines and tabs as spaces (a table cell, a bar's line)."""
    return _LAYOUT.sub(" ", clean(text))
