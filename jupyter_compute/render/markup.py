"""HTML built only from escaped text: every front end's markup goes through :func:`html`.

Compute names, descriptions, error messages, tags (from the service) and workspace fields (from
config.json or the environment) are attacker-controlled: they are escaped for text *and* attribute
values (quotes too), so no string can close an attribute or open a tag. Templates are ours; the
values put into them never are (unless they are :class:`Markup` we built with :func:`html`).

Every ``text/html`` output a notebook shows goes through :func:`output`: JupyterLab typesets HTML
outputs with MathJax (``renderHTML`` calls the LaTeX typesetter on them), which would read
``$0.23/h … $0.92/h`` as math; the container's ignore classes (MathJax 3's ``mathjax_ignore``, MathJax
2's ``tex2jax_ignore``, which classic front ends and nbconvert's pages use) keep a dollar sign text.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from .palette import ERROR

__all__ = ["ERROR_COLOUR", "NO_MATH", "Markup", "error", "escape", "html", "output"]

ERROR_COLOUR = ERROR  # readable on light and dark themes (palette.py)
NO_MATH = "jupyter-compute-output tex2jax_ignore mathjax_ignore"


def html(template: str, /, *args: object, **kwargs: object) -> Markup:
    """``template`` (ours) with every ``{}`` filled by escaped text (content and attributes alike)."""
    return Markup(template).format(*args, **kwargs)


def error(message: object) -> Markup:
    """A message in the error colour."""
    return html("<span style='color:{}'>{}</span>", ERROR_COLOUR, message)


def output(body: Markup) -> str:
    """``body`` as a notebook's ``text/html`` output: inside a container MathJax leaves alone."""
    return str(html("<div class='{}'>{}</div>", NO_MATH, body))
