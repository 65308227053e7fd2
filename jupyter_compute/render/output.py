"""What the text front ends print besides tables: data as JSON or YAML, the one paragraph of an error,
and the warning about a secret given inline. Nothing here prints; the front ends do."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ..errors import ComputeError, LocalStoreError, ServiceError, UnexpectedAnswer, UntrustedLink
from .refusals import explain
from .terminal import clean


def render_data(data: Any, output: str) -> str:
    """``data`` as YAML (``output == "yaml"``) or as indented JSON."""
    if output == "yaml":
        return str(_yaml().safe_dump(data, sort_keys=False)).rstrip()
    return json.dumps(data, indent=2, default=str)


def error_text(exc: ComputeError) -> str:
    """The one paragraph a front end shows for an error (no traceback, no control characters).

    Only what the service itself answered reads "the service refused"; an error found here before the
    request was sent (``by_client``: the pre-flight quota check, a create that would replace another
    compute) says what is wrong and, in its own words, that nothing was sent. A code the service is known
    to send reads as a sentence, the code kept at the end (:mod:`.refusals`)."""
    if isinstance(exc, LocalStoreError):  # our own files, not the service's answer
        return clean(f"error: the local workspace cannot serve: {exc}")
    if isinstance(exc, (UntrustedLink, UnexpectedAnswer)):  # the service answered, but not what we can follow or read
        return clean(f"error: {exc}")
    if isinstance(exc, ServiceError) and not exc.by_client:
        return clean(f"error: the service refused: {explain(exc)}")
    return clean(f"error: {explain(exc)}")


def inline_secret_warning(flags: Iterable[str]) -> str:
    """The warning printed when a secret came inline (``--password VALUE``) rather than by -env or -file."""
    names = ", ".join(flags)
    return (
        f"warning: a secret was given inline ({names}); it is redacted everywhere we print, but it may stay "
        f"in your shell or notebook history. Prefer the -env or -file form."
    )


def _yaml() -> Any:
    import yaml  # weight: only YAML output needs PyYAML

    return yaml
