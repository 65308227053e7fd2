"""One Workspace per workspace in this process, so that every front end shares its poller and its
client. :func:`clear` forgets them all (a test starts afresh; a fresh workspace reads its region again)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from .ref import WorkspaceRef

W = TypeVar("W")
_shared: dict[WorkspaceRef, object] = {}
_lock = threading.Lock()


def shared(ref: WorkspaceRef, make: Callable[[WorkspaceRef], W]) -> W:
    """The workspace of ``ref`` in this process, made by ``make`` the first time."""
    with _lock:
        if ref not in _shared:
            _shared[ref] = make(ref)
        found: W = _shared[ref]  # type: ignore[assignment]  # only ``make`` (Workspace) puts values here
        return found


def clear() -> list[object]:
    """Forget every shared workspace; the workspaces forgotten (so their operations can be let go)."""
    with _lock:
        forgotten = list(_shared.values())
        _shared.clear()
    return forgotten
