"""SQLite state of the local workspace, shared safely by every process (WAL, immediate transactions).

Rows hold what was asked and when (the stored resource body and a list of timeline events);
nothing ticks in the background. Every reader derives the current state from the stored
timestamps and the wall clock, so all processes see the same timeline. Each write is one
transaction: a process killed mid-request leaves either the old or the new row, never half.
A write also stores what its timeline implies for readers that must not replay every compute:
when the compute is gone (lists page over the live ones) and the vCPUs it holds over time (quotas
sum them).

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
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from .. import settings
from ..errors import LocalStoreError
from .access import private_file, private_folder
from .events import Event, gone_at

SCHEMA = """
CREATE TABLE IF NOT EXISTS computes (
    workspace TEXT NOT NULL,
    name TEXT NOT NULL COLLATE NOCASE,
    body TEXT NOT NULL,
    events TEXT NOT NULL,
    created REAL NOT NULL,
    gone REAL,
    settles REAL,
    accounted INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace, name)
);
CREATE INDEX IF NOT EXISTS computes_in_order ON computes (workspace, created, name);
CREATE TABLE IF NOT EXISTS usage (
    workspace TEXT NOT NULL,
    name TEXT NOT NULL COLLATE NOCASE,
    subscription TEXT NOT NULL,
    family TEXT NOT NULL,
    tier TEXT NOT NULL,
    vcpus INTEGER NOT NULL,
    start REAL NOT NULL,
    until REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS usage_of_compute ON usage (workspace, name);
CREATE INDEX IF NOT EXISTS usage_by_subscription ON usage (subscription, until);
CREATE TABLE IF NOT EXISTS operations (
    id TEXT PRIMARY KEY,
    workspace TEXT NOT NULL,
    compute TEXT NOT NULL,
    action TEXT NOT NULL,
    started REAL NOT NULL,
    ends REAL NOT NULL,
    outcome TEXT NOT NULL,
    error TEXT,
    seen REAL
);
CREATE TABLE IF NOT EXISTS facts (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS computes_gone ON computes (gone);
CREATE INDEX IF NOT EXISTS operations_by_end ON operations (ends);
"""
# Columns older versions did not have, by table; added in place when such a store is opened.
ADDED_COLUMNS = {
    "computes": (("gone", "REAL"), ("settles", "REAL"), ("accounted", "INTEGER NOT NULL DEFAULT 0")),
    "operations": (("seen", "REAL"),),
}
# Compact when at least this many pages (4 KB) are free and they are a quarter of the file.
FREE_PAGES_KEPT = 64
_COLUMNS = "workspace, name, body, events, created"
_LISTED = _COLUMNS + ", settles"
_LIVE = "(gone IS NULL OR gone > ?)"  # NULL: written by an older version, not yet accounted

PageKey = tuple[float, str]  # (created, name): the order lists are paged in


def default_home() -> Path:
    """The state folder of the local workspace (``Settings.home``)."""
    return settings.current().home


@dataclass
class ComputeRow:
    workspace: str  # Scope.key: the workspace's ARM path, lower case
    name: str
    body: dict[str, Any]
    events: list[Event] = field(default_factory=list)
    created: float = 0.0

    @property
    def key(self) -> PageKey:
        return (self.created, self.name)


class Listed(NamedTuple):
    """A compute row as a list reads it, not yet decoded. Its two JSON texts are its version; from
    ``settles`` on (if known), what it shows no longer changes with time."""

    workspace: str
    name: str
    body: str
    events: str
    created: float
    settles: float | None

    @property
    def key(self) -> PageKey:
        return (self.created, self.name)


@dataclass(frozen=True)
class Usage:
    """``vcpus`` of a VM family and tier that a compute holds from ``start`` until ``until`` (exclusive)."""

    family: str
    tier: str  # Dedicated | LowPriority
    vcpus: int
    start: float
    until: float


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
    seen: float | None = None  # when a poll last read it finished (it is kept a retention from then)

    def status(self, now: float) -> str:
        return "InProgress" if now < self.ends else self.outcome


class Store:
    """The SQLite store in ``home`` (default: ``Settings.home``).

    Each compute row keeps, beside what was asked, two facts its writer worked out from the timeline,
    so that readers need not replay every compute: when it is ``gone`` (its deletion ended), and the
    vCPUs it holds over time (the ``usage`` table). ``rows_read`` counts the compute rows decoded, so
    tests and benches can see how much a request reads.

    What is no longer needed is pruned by the writers (:meth:`prune`), from stored timestamps only, so
    every process agrees; the file is kept compact (incremental vacuum after a write that freed pages).
    """

    def __init__(self, home: Path | None = None) -> None:
        """Open (or create) the store in ``home``, and check it is whole (``PRAGMA quick_check``: a truncated
        file otherwise reads as empty). Raises LocalStoreError if it cannot serve."""
        self.home = private_folder(home or default_home())
        self.path = self.home / "local-workspace.sqlite3"
        self.rows_read = 0
        self._count_lock = threading.Lock()
        self._freed = 0  # rows pruned since the file was last compacted
        try:
            private_file(self.path)
            db = self._connect()
            try:
                db.execute("PRAGMA auto_vacuum=INCREMENTAL")  # takes effect on a new file; older ones below
                db.execute("PRAGMA journal_mode=WAL")
                problems = [row[0] for row in db.execute("PRAGMA quick_check").fetchall()]
                if problems != ["ok"]:
                    raise sqlite3.DatabaseError("database disk image is malformed: " + "; ".join(problems[:3]))
                _add_missing_columns(db)
                db.executescript(SCHEMA)
                if db.execute("PRAGMA auto_vacuum").fetchone()[0] != 2:
                    db.execute("VACUUM")  # once, for a store an older version made: it then vacuums incrementally
            finally:
                db.close()
        except (sqlite3.Error, OSError) as exc:
            raise store_error(exc, self.path) from None

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.execute("PRAGMA busy_timeout=30000")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA journal_size_limit=4194304")  # the WAL file shrinks back after a burst
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
                self._compact(db)
            except BaseException:
                if db.in_transaction:
                    with suppress(sqlite3.Error):  # SQLite may have rolled back by itself (e.g. SQLITE_FULL)
                        db.execute("ROLLBACK")
                raise
            finally:
                db.close()
        except sqlite3.Error as exc:
            raise store_error(exc, self.path) from None

    def _compact(self, db: sqlite3.Connection) -> None:
        """After a write that pruned rows: give free pages back to the disk when they are many (outside
        the transaction; SQLite takes the write lock for it as for any write, so readers are unaffected)."""
        with self._count_lock:
            if not self._freed:
                return
            self._freed = 0
        free = db.execute("PRAGMA freelist_count").fetchone()[0]
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        if free >= FREE_PAGES_KEPT and free * 4 >= pages:
            db.executescript("PRAGMA incremental_vacuum;")  # executescript steps it to the end

    def prune(self, db: sqlite3.Connection, before: float) -> int:
        """Forget what ended before ``before``: computes whose deletion ended (and their vCPUs), and
        operations that finished, unless a poll read them since. Returns how many rows went. Only stored
        timestamps decide, so a process whose clock reads a little behind still agrees with what went."""
        gone = "SELECT workspace, name FROM computes WHERE gone < ?"
        db.execute(f"DELETE FROM usage WHERE (workspace, name) IN ({gone})", (before,))
        pruned = db.execute("DELETE FROM computes WHERE gone < ?", (before,)).rowcount
        pruned += db.execute(
            "DELETE FROM operations WHERE ends < ? AND (seen IS NULL OR seen < ?)", (before, before)
        ).rowcount
        if pruned:
            with self._count_lock:
                self._freed += pruned
        return pruned

    def size(self) -> int:
        """Bytes the store takes on disk (the file and its write-ahead log)."""
        wal = self.path.with_name(self.path.name + "-wal")
        return sum(p.stat().st_size for p in (self.path, wal) if p.exists())

    # --- computes ----------------------------------------------------------------------------

    def get_compute(self, db: sqlite3.Connection, workspace: str, name: str) -> ComputeRow | None:
        """The stored row, whether or not the compute is gone."""
        row = db.execute(
            f"SELECT {_COLUMNS} FROM computes WHERE workspace=? AND name=?",
            (workspace, name),
        ).fetchone()
        return self._decode(row) if row else None

    def page(
        self, db: sqlite3.Connection, workspace: str, now: float, limit: int, after: PageKey | None = None
    ) -> tuple[list[Listed], bool]:
        """Up to ``limit`` computes not gone at ``now``, in (created, name) order after ``after``; and
        whether more follow. Reads only those rows, whatever the size of the workspace."""
        where = f"workspace=? AND {_LIVE}"
        params: list[Any] = [workspace, now]
        if after is not None:
            where += " AND (created, name) > (?, ?)"
            params += [after[0], after[1]]
        found = db.execute(
            f"SELECT {_LISTED} FROM computes WHERE {where} ORDER BY created, name LIMIT ?",
            (*params, limit + 1),
        ).fetchall()
        return [Listed(*row) for row in found[:limit]], len(found) > limit

    def page_at(
        self, db: sqlite3.Connection, workspace: str, now: float, limit: int, offset: int
    ) -> tuple[list[Listed], bool]:
        """Like :meth:`page`, from the ``offset``-th compute (``$skip``, the paging of older versions)."""
        found = db.execute(
            f"SELECT {_LISTED} FROM computes WHERE workspace=? AND {_LIVE} ORDER BY created, name LIMIT ? OFFSET ?",
            (workspace, now, limit + 1, offset),
        ).fetchall()
        return [Listed(*row) for row in found[:limit]], len(found) > limit

    def decode(self, listed: Listed) -> ComputeRow:
        return self._decode(listed)

    def put_compute(self, db: sqlite3.Connection, row: ComputeRow, usage: Iterable[Usage], settles: float) -> None:
        """Store ``row`` with the vCPUs it holds over time (replacing what it held before), and the time from
        which what it shows no longer changes."""
        db.execute(
            f"INSERT OR REPLACE INTO computes ({_COLUMNS}, gone, settles, accounted) VALUES (?, ?, ?, ?, ?, ?, ?, 1)",
            (
                row.workspace,
                row.name,
                json.dumps(row.body),
                json.dumps([event.to_json() for event in row.events]),
                row.created,
                gone_at(row.events),
                settles,
            ),
        )
        db.execute("DELETE FROM usage WHERE workspace=? AND name=?", (row.workspace, row.name))
        subscription = subscription_of(row.workspace)
        db.executemany(
            "INSERT INTO usage (workspace, name, subscription, family, tier, vcpus, start, until) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(row.workspace, row.name, subscription, u.family, u.tier, u.vcpus, u.start, u.until) for u in usage],
        )

    def remove_compute(self, db: sqlite3.Connection, workspace: str, name: str) -> None:
        db.execute("DELETE FROM computes WHERE workspace=? AND name=?", (workspace, name))
        db.execute("DELETE FROM usage WHERE workspace=? AND name=?", (workspace, name))

    @staticmethod
    def prune_usage(db: sqlite3.Connection, subscription: str, now: float) -> None:
        """Forget vCPUs whose holding ended before ``now`` (they can no longer count)."""
        db.execute("DELETE FROM usage WHERE subscription=? AND until<=?", (subscription.lower(), now))

    def unaccounted(self, db: sqlite3.Connection) -> list[ComputeRow]:
        """Rows an older version wrote, whose gone time and usage are still to be worked out."""
        return [self._decode(row) for row in db.execute(f"SELECT {_COLUMNS} FROM computes WHERE accounted=0")]

    # --- vCPU usage --------------------------------------------------------------------------

    def usage(
        self, db: sqlite3.Connection, subscription: str, now: float, exclude: tuple[str, str] | None = None
    ) -> dict[tuple[str, str], int]:
        """vCPUs held at ``now`` in a subscription, by (family, tier); ``exclude``: a (workspace, name) not
        to count. An indexed sum over what is held now, not a replay of every compute."""
        query = "SELECT family, tier, SUM(vcpus) FROM usage WHERE subscription=? AND until>? AND start<=?"
        params: tuple[Any, ...] = (subscription.lower(), now, now)
        if exclude is not None:
            query += " AND NOT (workspace=? AND name=?)"
            params += exclude
        return {
            (family, tier): int(total) for family, tier, total in db.execute(query + " GROUP BY family, tier", params)
        }

    # --- the service's own facts (the latest OS image) ------------------------------------------

    @staticmethod
    def fact(db: sqlite3.Connection, key: str) -> str | None:
        row = db.execute("SELECT value FROM facts WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row[0])

    @staticmethod
    def set_fact(db: sqlite3.Connection, key: str, value: str) -> None:
        db.execute(
            "INSERT INTO facts (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=?", (key, value, value)
        )

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
            "SELECT id, workspace, compute, action, started, ends, outcome, error, seen FROM operations WHERE id=?",
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
            seen=row[8],
        )

    @staticmethod
    def saw_operation(db: sqlite3.Connection, op_id: str, t: float) -> None:
        """A poll read the operation finished at ``t``: it is kept a retention from then."""
        db.execute("UPDATE operations SET seen=max(coalesce(seen, 0), ?) WHERE id=?", (t, op_id))

    def _decode(self, row: tuple[Any, ...] | Listed) -> ComputeRow:
        with self._count_lock:
            self.rows_read += 1
        events = [Event.from_json(e) for e in json.loads(row[3])]
        return ComputeRow(row[0], row[1], json.loads(row[2]), events, row[4])


def subscription_of(workspace: str) -> str:
    """The subscription id of a workspace key (``/subscriptions/<id>/resourcegroups/…``), lower case."""
    return workspace.split("/")[2].lower()


def _add_missing_columns(db: sqlite3.Connection) -> None:
    """Bring a store an older version made up to date, once, in one transaction (two processes opening it
    at the same moment: the second finds the work done). A current store is only read."""

    def missing() -> list[tuple[str, str, str]]:
        found = []
        for table, columns in ADDED_COLUMNS.items():
            have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
            found += [(table, *column) for column in columns if have and column[0] not in have]
        return found

    if not missing():
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        for table, name, declaration in missing():
            db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {declaration}")
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


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
