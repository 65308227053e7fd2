"""SQLite state of the local workspace, shared safely by every process (WAL, immediate transactions).

Rows hold what was asked and when (the stored resource body and a list of timeline events);
nothing ticks in the background. Every reader derives the current state from the stored
timestamps and the wall clock, so all processes see the same timeline. Each write is one
transaction: a process killed mid-request leaves either the old or the new row, never half.

The file is 0600 in a 0700 folder (see ``access.py``). When SQLite cannot serve (the file is damaged,
truncated or not a database, the disk is full, the file or folder is read-only), every entry point
raises :class:`LocalStoreError`, naming the file and saying what to do, and nothing is half-written:
the transaction rolls back, and the file is never replaced or deleted for the user.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import LocalStoreError
from .access import private_file, private_folder

SCHEMA = """
CREATE TABLE IF NOT EXISTS computes (
    workspace TEXT NOT NULL,
    name TEXT NOT NULL COLLATE NOCASE,
    body TEXT NOT NULL,
    events TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (workspace, name)
);
CREATE TABLE IF NOT EXISTS operations (
    id TEXT PRIMARY KEY,
    workspace TEXT NOT NULL,
    compute TEXT NOT NULL,
    action TEXT NOT NULL,
    started REAL NOT NULL,
    ends REAL NOT NULL,
    outcome TEXT NOT NULL,
    error TEXT
);
"""


def default_home() -> Path:
    configured = os.environ.get("JUPYTER_COMPUTE_HOME")
    if configured:
        return Path(configured).expanduser()
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "jupyter-compute"


@dataclass
class ComputeRow:
    workspace: str
    name: str
    body: dict[str, Any]
    events: list[dict[str, Any]] = field(default_factory=list)
    created: float = 0.0


@dataclass
class OperationRow:
    id: str
    workspace: str
    compute: str
    action: str
    started: float
    ends: float
    outcome: str  # Succeeded | Failed | Canceled
    error: dict[str, Any] | None = None

    def status(self, now: float) -> str:
        return "InProgress" if now < self.ends else self.outcome


class Store:
    def __init__(self, home: Path | None = None) -> None:
        """Open (or create) the store in ``home``, and check it is whole (``PRAGMA quick_check``: a truncated
        file otherwise reads as empty). Raises LocalStoreError if it cannot serve."""
        self.home = private_folder(home or default_home())
        self.path = self.home / "local-workspace.sqlite3"
        try:
            private_file(self.path)
            db = self._connect()
            try:
                db.execute("PRAGMA journal_mode=WAL")
                problems = [row[0] for row in db.execute("PRAGMA quick_check").fetchall()]
                if problems != ["ok"]:
                    raise sqlite3.DatabaseError("database disk image is malformed: " + "; ".join(problems[:3]))
                db.executescript(SCHEMA)
            finally:
                db.close()
        except (sqlite3.Error, OSError) as exc:
            raise store_error(exc, self.path) from None

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.execute("PRAGMA busy_timeout=30000")
        db.execute("PRAGMA synchronous=NORMAL")
        return db

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A connection for reading; SQLite failures inside become LocalStoreError."""
        try:
            db = self._connect()
            try:
                yield db
            finally:
                db.close()
        except sqlite3.Error as exc:
            raise store_error(exc, self.path) from None

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One immediate transaction: readers never see half a change. On any failure it rolls back
        (a full disk or a read-only file leaves the old state) and SQLite errors become LocalStoreError."""
        try:
            db = self._connect()
            try:
                db.execute("BEGIN IMMEDIATE")
                yield db
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    with suppress(sqlite3.Error):  # SQLite may have rolled back by itself (e.g. SQLITE_FULL)
                        db.execute("ROLLBACK")
                raise
            finally:
                db.close()
        except sqlite3.Error as exc:
            raise store_error(exc, self.path) from None

    # --- computes ----------------------------------------------------------------------------

    @staticmethod
    def get_compute(db: sqlite3.Connection, workspace: str, name: str) -> ComputeRow | None:
        row = db.execute(
            "SELECT workspace, name, body, events, created FROM computes WHERE workspace=? AND name=?",
            (workspace, name),
        ).fetchone()
        return _compute(row) if row else None

    @staticmethod
    def list_computes(db: sqlite3.Connection, workspace: str) -> list[ComputeRow]:
        rows = db.execute(
            "SELECT workspace, name, body, events, created FROM computes WHERE workspace=? ORDER BY created, name",
            (workspace,),
        ).fetchall()
        return [_compute(r) for r in rows]

    @staticmethod
    def all_computes(db: sqlite3.Connection) -> list[ComputeRow]:
        rows = db.execute("SELECT workspace, name, body, events, created FROM computes").fetchall()
        return [_compute(r) for r in rows]

    @staticmethod
    def put_compute(db: sqlite3.Connection, row: ComputeRow) -> None:
        db.execute(
            "INSERT OR REPLACE INTO computes (workspace, name, body, events, created) VALUES (?, ?, ?, ?, ?)",
            (row.workspace, row.name, json.dumps(row.body), json.dumps(row.events), row.created),
        )

    @staticmethod
    def remove_compute(db: sqlite3.Connection, workspace: str, name: str) -> None:
        db.execute("DELETE FROM computes WHERE workspace=? AND name=?", (workspace, name))

    # --- operations --------------------------------------------------------------------------

    @staticmethod
    def add_operation(db: sqlite3.Connection, op: OperationRow) -> None:
        db.execute(
            "INSERT INTO operations (id, workspace, compute, action, started, ends, outcome, error) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                op.id,
                op.workspace,
                op.compute,
                op.action,
                op.started,
                op.ends,
                op.outcome,
                json.dumps(op.error) if op.error else None,
            ),
        )

    @staticmethod
    def get_operation(db: sqlite3.Connection, op_id: str) -> OperationRow | None:
        row = db.execute(
            "SELECT id, workspace, compute, action, started, ends, outcome, error FROM operations WHERE id=?",
            (op_id,),
        ).fetchone()
        if row is None:
            return None
        return OperationRow(
            id=row[0],
            workspace=row[1],
            compute=row[2],
            action=row[3],
            started=row[4],
            ends=row[5],
            outcome=row[6],
            error=json.loads(row[7]) if row[7] else None,
        )

    @staticmethod
    def prune_operations(db: sqlite3.Connection, older_than: float) -> None:
        db.execute("DELETE FROM operations WHERE ends < ?", (older_than,))


def _compute(row: tuple[Any, ...]) -> ComputeRow:
    return ComputeRow(row[0], row[1], json.loads(row[2]), json.loads(row[3]), row[4])


def store_error(exc: sqlite3.Error | OSError, path: Path) -> LocalStoreError:
    """One paragraph for a store that cannot serve: which file, what is wrong, what to do."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    reason = str(exc) if isinstance(exc, sqlite3.Error) else (exc.strerror or str(exc))
    elsewhere = "or set JUPYTER_COMPUTE_HOME to another folder"
    if name in ("SQLITE_NOTADB", "SQLITE_CORRUPT") or isinstance(exc, sqlite3.DatabaseError) and "malformed" in reason:
        code, what = (
            "LocalStoreCorrupt",
            f"is damaged or not an SQLite database ({reason}). It was left as it is: move it aside (the local "
            f"workspace then starts afresh) or restore it from a backup, {elsewhere}.",
        )
    elif name == "SQLITE_FULL" or "full" in reason or (name.startswith("SQLITE_IOERR") and _no_room(path)):
        code, what = (
            "LocalStoreFull",
            f"cannot grow: its disk is full ({reason}). Nothing was changed. Free space on that disk, "
            f"{elsewhere} with room, and try again.",
        )
    elif (
        name.startswith("SQLITE_READONLY")
        or "readonly" in reason
        or "read-only" in reason.lower()
        or (name.startswith(("SQLITE_CANTOPEN", "SQLITE_IOERR")) and _unwritable(path))
    ):
        code, what = (
            "LocalStoreReadOnly",
            f"is read-only ({reason}). Nothing was changed. Make the file and its folder writable for "
            f"your user, {elsewhere}.",
        )
    elif name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        code, what = (
            "LocalStoreBusy",
            f"stayed locked by another process for 30 s ({reason}). Nothing was changed. Try again, or "
            "stop the process that holds it.",
        )
    else:
        code, what = (
            "LocalStoreUnavailable",
            f"cannot be opened or written ({reason}). Nothing was changed. Check that the file and its "
            f"folder exist and are writable for your user, {elsewhere}.",
        )
    return LocalStoreError(code, f"The local workspace's store {path} {what}")


def _no_room(path: Path) -> bool:
    """Whether the store's disk is (nearly) full: SQLite then fails to size its -shm file, a 'disk I/O error'."""
    try:
        return shutil.disk_usage(path.parent).free < 256 * 1024
    except OSError:
        return False


def _unwritable(path: Path) -> bool:
    """Whether the store or its folder cannot be written (SQLite then says only 'unable to open database file')."""
    return not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK))


def now() -> float:
    return time.time()
