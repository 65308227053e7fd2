"""Who may use the local workspace: one random token per state folder, readable only by its user.

This is Jupyter Server's model. The server refuses every request that lacks
``Authorization: Bearer <token>`` (401). That keeps out other users of the machine, and web pages
in a browser, which cannot add that header to a cross-site request. The token lives in
``$JUPYTER_COMPUTE_HOME/local-workspace.token`` (file 0600, folder 0700). It is made once per
folder, atomically: a private temporary file is hard-linked into place. So when two processes race,
both read the same token, and nobody ever reads a half-written one. The in-process server,
``jupyter compute emulator`` and this package's ARM client for the local workspace all use
:func:`local_token`.
"""

from __future__ import annotations

import contextlib
import hmac
import os
import secrets
import stat
from pathlib import Path

from ..errors import LocalStoreError

TOKEN_FILE = "local-workspace.token"
_PRIVATE_FILE, _PRIVATE_FOLDER = 0o600, 0o700


def private_folder(home: Path) -> Path:
    """``home``, created 0700 if missing. If it is our own folder, it is narrowed to 0700 (older
    versions made it 0755). Raises LocalStoreError, naming the folder, if it cannot be made."""
    try:
        home.mkdir(mode=_PRIVATE_FOLDER, parents=True, exist_ok=True)
        _narrow(home, _PRIVATE_FOLDER)
    except OSError as exc:
        raise LocalStoreError(
            "LocalStoreUnavailable",
            f"The local workspace's state folder {home} cannot be created or used ({exc.strerror or exc}). "
            "Make it a writable folder of yours, or set JUPYTER_COMPUTE_HOME to one.",
        ) from None
    return home


def private_file(path: Path) -> None:
    """Create ``path`` 0600 if it is missing, or narrow it to 0600 if it is ours. SQLite then gives
    its -wal and -shm files the same mode."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, _PRIVATE_FILE)
    os.close(fd)
    _narrow(path, _PRIVATE_FILE)
    for companion in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        with contextlib.suppress(FileNotFoundError):
            _narrow(companion, _PRIVATE_FILE)


def _narrow(path: Path, mode: int) -> None:
    info = path.stat()
    if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) & ~mode:
        path.chmod(mode)


def local_token(home: Path) -> str:
    """The token of the local workspace whose state is in ``home``, made on first use."""
    private_folder(home)
    path = home / TOKEN_FILE
    try:
        if not path.exists():
            _create(path)
        _narrow(path, _PRIVATE_FILE)
        token = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise LocalStoreError(
            "LocalStoreUnavailable",
            f"The local workspace's token file {path} cannot be read or written "
            f"({getattr(exc, 'strerror', None) or exc}). Make its folder writable, or set JUPYTER_COMPUTE_HOME "
            "to a writable folder of yours.",
        ) from None
    if not token:
        raise LocalStoreError(
            "LocalStoreUnavailable",
            f"The local workspace's token file {path} is empty. Delete it and a new token will be made.",
        )
    return token


def _create(path: Path) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _PRIVATE_FILE)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(secrets.token_urlsafe(32) + "\n")
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):  # another process won the race: use its token
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def same_token(given: str, expected: str) -> bool:
    """Compare in constant time, so response timing does not leak how much of a guess was right."""
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode("ascii"))
