"""HTML built only from escaped text: every front end's markup goes through :func:`html`.

Compute names, descriptions, error messages, tags (from the service) and workspace fields (from
config.json or the environment) are attacker-controlled: they are escaped for text *and* attribute
values (quotes too), so no string can close an attribute or open a tag. Templates are ours; the
values put into them never are (unless they are :class:`Markup` we built with :func:`html`).
"""

from __future__ import annotations

from markupsafe import Markup, escape

from .palette import ERROR

__all__ = ["ERROR_COLOUR", "Markup", "error", "escape", "html"]

ERROR_COLOUR = ERROR  # readable on light and dark themes (palette.py)


def html(template: str, /, *args: object, **kwargs: object) -> Markup:
    """``template`` (ours) with every ``{}`` filled by escaped text (content and attributes alike)."""
    return Markup(template).format(*args, **kwargs)


def error(message: object) -> Markup:
    """A message in the error colour."""
    return html("<span style='color:{}'>{}</span>", ERROR_COLOUR, message)
