"""Text for terminals with no control characters from anywhere else (see :mod:`jupyter_compute.text`).

The cleaning lives at the bottom of the package, so the service (an operation's repr) uses it too;
the renderers import it from here as before.
"""

from __future__ import annotations

from ..text import clean, one_line

__all__ = ["clean", "one_line"]
