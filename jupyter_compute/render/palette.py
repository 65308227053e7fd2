"""Every colour the package draws with, in one place: the CLI's and the magics' HTML (state words, errors),
the bars (live, static, the panel's rows) and the panel (``static/table.css`` and the lab extension's
``index.css`` use these very values; a unit test holds them to it).

Colours come from JupyterLab's theme variables (plain fallbacks where there are none: Notebook 7 without
them, VS Code, Colab). A theme's own colour is fine for a bar's fill or a dot, but as text it is not
readable on both themes (light: green 4.1:1 on white; dark: red 4.4:1, grey 2.6:1), so a text colour is
the theme's colour mixed with the text colour around it (``currentColor``): on a light theme that moves it
towards black, on a dark one towards white, and it reaches 4.5:1 on either (measured in the browser tests).
"""

from __future__ import annotations

#: A tone's theme variable and the colour used where the variable is not defined.
THEME = {
    "success": ("--jp-success-color1", "#388e3c"),
    "error": ("--jp-error-color1", "#d32f2f"),
    "warn": ("--jp-warn-color1", "#f57c00"),
    "info": ("--jp-info-color1", "#0288d1"),
    "muted": ("--jp-ui-font-color2", "#757575"),
}
#: How much of the theme's colour a text colour keeps, in percent (the rest: the surrounding text's).
TEXT_SHARE = 60
#: The tone of each state word (``%compute list``, the panel's dot and word); other states have none.
STATE_TONES = {
    "Succeeded": "success",
    "Running": "success",
    "Failed": "error",
    "CreateFailed": "error",
    "Stopped": "muted",
    "Deleting": "warn",
}
#: The filled destructive button (white words): JupyterLab's darker error colour, 4.98:1 or more on both themes.
DANGER_FILL = "var(--jp-error-color0, #b71c1c)"


def fill(tone: str) -> str:
    """The tone as the theme draws it: a bar's fill, a dot (graphics, not words)."""
    variable, fallback = THEME[tone]
    return f"var({variable}, {fallback})"


def text(tone: str) -> str:
    """The tone for words: readable (4.5:1) on a light and on a dark theme."""
    return f"color-mix(in srgb, {fill(tone)} {TEXT_SHARE}%, currentColor)"


def state_colour(state: str) -> str:
    """The colour a state word is shown in; "" for a state without a tone."""
    tone = STATE_TONES.get(state)
    return text(tone) if tone else ""


ERROR = text("error")
