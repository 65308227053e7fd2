"""Reading what users hand us: text files (UTF-8 only) and YAML documents (with caps).

Every file we read (``--file``, ``--password-file``, ``--ssh-private-key-file``, ``--config``, a
``config.json`` found upwards) goes through :func:`read_text`, and every YAML document through
:func:`load_yaml` (a document of compute settings through :func:`settings_document`), so bad bytes
or a hostile document become one :class:`ValidationError` naming the flag or file, before anything
is sent. The caps (README, "Commands"): a YAML document is at
most 1 MB, nested at most 64 levels, and at most 100,000 values once its aliases are expanded, so a
"billion laughs" file is refused while it is parsed, in milliseconds, not later when it is walked.

PyYAML and the capped loader (:mod:`.capped`) load with the first YAML document: a command that reads
none (``%compute create cluster …`` with flags) does not pay for them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import ValidationError

MAX_FILE_BYTES = 1_000_000
MAX_YAML_BYTES = 1_000_000
MAX_YAML_DEPTH = 64
MAX_YAML_VALUES = 100_000
YAML_LIMITS = (
    f"YAML documents are limited to 1 MB, {MAX_YAML_DEPTH} levels of nesting and "
    f"{MAX_YAML_VALUES:,} values with aliases expanded"
)


def read_text(
    path: str | os.PathLike[str], field: str, *, limit: int = MAX_FILE_BYTES, what: str = "", note: str = ""
) -> str:
    """The UTF-8 text of a file (a UTF-8 byte-order mark is dropped).

    Raises ValidationError naming ``field`` and the file when it cannot be read, is larger than
    ``limit`` bytes (``note`` says why that is the limit; no file we read is bigger, and a device
    such as /dev/zero is never read whole), or is not UTF-8. The message never quotes the file's
    content: it may be a secret.
    """
    shown = os.fspath(path)
    label = f"{what} {shown}" if what else shown
    try:
        with Path(path).expanduser().open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise ValidationError.one(field, f"cannot read {label} ({exc.strerror or type(exc).__name__})") from None
    if len(data) > limit:
        raise ValidationError.one(field, f"{label} is larger than {_size(limit)}{f'; {note}' if note else ''}")
    text, offset = _decode(data)
    if text is None:
        raise ValidationError.one(
            field, f"{label} is not UTF-8 text (undecodable byte at offset {offset}); save it as UTF-8"
        )
    return text


def _decode(data: bytes) -> tuple[str | None, int]:
    """(text, 0), or (None, offset of the first bad byte). The decode error is not kept: it holds the bytes."""
    try:
        return data.decode("utf-8-sig"), 0
    except UnicodeDecodeError as exc:
        offset = exc.start
    return None, offset


def load_yaml(text: str, field: str) -> Any:
    """Parse one YAML document with the safe loader and the caps above; ValidationError on ``field``."""
    if len(text) > MAX_YAML_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_YAML_BYTES:
        raise ValidationError.one(field, f"the document is larger than {_size(MAX_YAML_BYTES)}; {YAML_LIMITS}")
    import yaml  # weight: only a YAML body or file needs PyYAML

    from .capped import CappedLoader, Refused

    problem = ""
    try:
        return yaml.load(text, Loader=CappedLoader)  # noqa: S506 - CappedLoader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = f"{exc.problem or exc.context or 'not valid YAML'}{where}"
        if isinstance(exc, Refused):
            problem += f"; {YAML_LIMITS}"
    except yaml.YAMLError as exc:
        problem = str(exc).splitlines()[0] if str(exc) else "not valid YAML"
    raise ValidationError.one(field, problem)


def settings_document(document: str | Mapping[str, Any] | object, field: str) -> Mapping[str, Any]:
    """A document of compute settings: YAML text read with :func:`load_yaml` (an empty one is ``{}``),
    or a mapping as given. Anything else, once parsed, is a ValidationError on ``field``."""
    loaded = load_yaml(document, field) if isinstance(document, str) else document
    if loaded is None:
        return {}
    if not isinstance(loaded, Mapping):
        raise ValidationError.one(field, "the document must be a mapping of settings")
    return loaded


def _size(limit: int) -> str:
    return f"{limit // 1_000_000} MB" if limit % 1_000_000 == 0 else f"{limit:,} bytes"
