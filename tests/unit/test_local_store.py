"""The local workspace's store: WAL and whole transactions, the stored JSON of older versions, paging that
reads only the page, and vCPU accounting that answers as replaying every compute did, without doing so.

The service is driven through ``LocalService.handle`` (no HTTP) with a fixed clock."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from jupyter_compute.data import catalogue
from jupyter_compute.local.events import Event
from jupyter_compute.local.routes import Answer, Request
from jupyter_compute.local.service import LocalService
from jupyter_compute.local.simulation import change_times, derive
from jupyter_compute.local.store import ComputeRow, Store
from jupyter_compute.model.kinds import CLUSTER, INSTANCE
from jupyter_compute.model.resource import Compute
from jupyter_compute.settings import Settings

PROVIDER = "Microsoft.MachineLearningServices"
SUB_A, SUB_B = "aaaaaaaa-0000-0000-0000-000000000001", "bbbbbbbb-0000-0000-0000-000000000002"
T0 = 1_800_000_000.0


def ws_path(sub: str = SUB_A, ws: str = "ws") -> str:
    return f"/subscriptions/{sub}/resourceGroups/rg/providers/{PROVIDER}/workspaces/{ws}"


class Clock:
    def __init__(self) -> None:
        self.t = T0

    def __call__(self) -> float:
        return self.t


class Workspace:
    """A LocalService over a fresh store, with its clock, and a one-line way to send it a request."""

    def __init__(self, home: Path, page_size: int = 100, retention: float = 3600.0) -> None:
        self.clock = Clock()
        self.store = Store(home)
        knobs = Settings(home=home, speed=1.0, local_page_size=page_size, local_retention=retention)
        self.service = LocalService(self.store, knobs, self.clock)

    def call(self, method: str, path: str, body: Any = None, **query: str) -> Answer:
        request = Request(method, path, {"api-version": "2025-12-01", **query}, body, "http://127.0.0.1:1")
        return self.service.handle(request)

    def ok(self, method: str, path: str, body: Any = None, **query: str) -> Any:
        status, _, answer = self.call(method, path, body, **query)
        assert status < 300, answer
        return answer


def cluster_body(size: str = "Standard_D1_v2", low: int = 0, high: int = 2, **inner: Any) -> dict[str, Any]:
    scale = {"minNodeCount": low, "maxNodeCount": high, "nodeIdleTimeBeforeScaleDown": "PT1M"}
    return {
        "location": "eastus",
        "properties": {"computeType": "AmlCompute", "properties": {"vmSize": size, "scaleSettings": scale, **inner}},
    }


def instance_body(size: str = "Standard_DS3_v2") -> dict[str, Any]:
    return {"location": "eastus", "properties": {"computeType": "ComputeInstance", "properties": {"vmSize": size}}}


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path / "state")


# --- SQLite: WAL, whole transactions ---------------------------------------------------------------


def test_the_store_is_in_wal_mode(ws: Workspace) -> None:
    with ws.store.read() as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_failed_write_leaves_nothing_of_itself(ws: Workspace) -> None:
    """Given a write that fails half-way, then neither the compute nor its vCPUs were stored."""
    row = ComputeRow(ws_path().lower(), "half-cl", {"properties": {}}, [Event(T0, "create", 1.0)], T0)
    with pytest.raises(RuntimeError), ws.store.write() as db:
        ws.store.put_compute(db, row, [], row.events[0].end)
        raise RuntimeError("the process is interrupted here")
    with ws.store.read() as db:
        assert db.execute("SELECT count(*) FROM computes").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM usage").fetchone() == (0,)


def test_events_are_stored_in_the_json_older_versions_wrote(ws: Workspace) -> None:
    """The typed events keep the stored form: a flat object with only the keys that are set."""
    ws.ok("PUT", f"{ws_path()}/computes/json-cl", cluster_body(low=1))
    ws.clock.t += 60
    ws.ok(
        "PATCH",
        f"{ws_path()}/computes/json-cl",
        {"properties": {"properties": {"scaleSettings": {"minNodeCount": 2, "maxNodeCount": 2}}}},
    )
    with ws.store.read() as db:
        (stored,) = db.execute("SELECT events FROM computes").fetchone()
    durations = catalogue.durations()
    assert json.loads(stored) == [
        {
            "t": T0,
            "kind": "create",
            "duration": durations["cluster_create"],
            "min": 1,
            "idle": 60.0,
            "prepare": durations["node_prepare"],
            "leave": durations["node_leave"],
        },
        {"t": T0 + 60, "kind": "resize", "duration": durations["cluster_update"], "min": 2, "idle": 60.0},
    ]
    assert [Event.from_json(e).to_json() for e in json.loads(stored)] == json.loads(stored)


OLD_SCHEMA = """
CREATE TABLE computes (workspace TEXT NOT NULL, name TEXT NOT NULL COLLATE NOCASE, body TEXT NOT NULL,
    events TEXT NOT NULL, created REAL NOT NULL, PRIMARY KEY (workspace, name));
CREATE TABLE operations (id TEXT PRIMARY KEY, workspace TEXT NOT NULL, compute TEXT NOT NULL, action TEXT NOT NULL,
    started REAL NOT NULL, ends REAL NOT NULL, outcome TEXT NOT NULL, error TEXT);
"""


def test_a_store_an_older_version_wrote_is_brought_up_to_date(tmp_path: Path) -> None:
    """Given a store with the older schema (no gone time, no usage), when the service opens it, then its
    computes list, the deleted one is gone, and their nodes count against the quota."""
    home = tmp_path / "old"
    home.mkdir(mode=0o700)
    db = sqlite3.connect(home / "local-workspace.sqlite3")
    db.executescript(OLD_SCHEMA)
    key = ws_path().lower()
    created = T0 - 1000
    create = {"t": created, "kind": "create", "duration": 20.0, "min": 2, "idle": 120.0, "prepare": 30.0, "leave": 10.0}
    for name, extra in (("kept-cl", []), ("deleted-cl", [{"t": created + 500, "kind": "delete", "duration": 12.0}])):
        db.execute(
            "INSERT INTO computes VALUES (?, ?, ?, ?, ?)",
            (key, name, json.dumps(cluster_body(low=2)), json.dumps([create, *extra]), created),
        )
    db.commit()
    db.close()
    ws = Workspace(home)
    assert [c["name"] for c in ws.ok("GET", f"{ws_path()}/computes")["value"]] == ["kept-cl"]
    usage = ws.ok("GET", f"/subscriptions/{SUB_A}/providers/{PROVIDER}/locations/eastus/usages")["value"]
    assert usage[0]["name"]["value"] == "Total Cluster Dedicated Regional vCPUs" and usage[0]["currentValue"] == 2
    with ws.store.read() as db:
        assert db.execute("SELECT count(*) FROM computes WHERE accounted=0").fetchone() == (0,)
        assert db.execute("PRAGMA auto_vacuum").fetchone() == (2,)  # incremental from now on
        assert "seen" in {row[1] for row in db.execute("PRAGMA table_info(operations)")}


# --- paging ---------------------------------------------------------------------------------------


def fill(ws: Workspace, count: int) -> None:
    """``count`` clusters, stored in one transaction as creates would store them (1 s apart)."""
    key = ws_path().lower()
    with ws.store.write() as db:
        for i in range(count):
            t = T0 + i
            row = ComputeRow(key, f"c-{i:04d}x", cluster_body(), [Event(t, "create", 20.0, min=0, idle=60.0)], t)
            ws.store.put_compute(db, row, [], row.events[0].end)


def pages(ws: Workspace, on_page: Callable[[int], None] = lambda _: None) -> list[list[str]]:
    """Every page of the list, following nextLink; ``on_page(n)`` runs after the n-th page."""
    out: list[list[str]] = []
    query: dict[str, str] = {}
    while True:
        answer = ws.ok("GET", f"{ws_path()}/computes", **query)
        out.append([c["name"] for c in answer["value"]])
        on_page(len(out))
        if "nextLink" not in answer:
            return out
        query = {k: v for k, v in parse_qsl(urlsplit(answer["nextLink"]).query) if k != "api-version"}


@pytest.mark.parametrize("count", [120, 360])
def test_a_page_reads_only_its_own_computes(tmp_path: Path, count: int) -> None:
    """Given a workspace of 120 or 360 computes, when each 50-compute page is listed, then each page reads
    50 compute rows from the store, whatever the workspace's size (it used to replay all of them)."""
    ws = Workspace(tmp_path / "state", page_size=50)
    fill(ws, count)
    ws.clock.t = T0 + count + 100
    read: list[int] = []
    before = ws.store.rows_read

    def count_rows(_: int) -> None:
        nonlocal before
        read.append(ws.store.rows_read - before)
        before = ws.store.rows_read

    listed = pages(ws, count_rows)
    assert sum(listed, []) == [f"c-{i:04d}x" for i in range(count)]
    assert read == [len(page) for page in listed] and max(read) == 50


def test_pages_stay_whole_while_computes_go(tmp_path: Path) -> None:
    """Given a list being paged, when a compute on a page already read is deleted (and gone) before the next
    page is asked for, then no compute is skipped or listed twice."""
    ws = Workspace(tmp_path / "state", page_size=10)
    fill(ws, 25)
    ws.clock.t = T0 + 200

    def delete_one(page: int) -> None:
        if page == 1:
            ws.call("DELETE", f"{ws_path()}/computes/c-0003x", underlyingResourceAction="Delete")
            ws.clock.t += 60  # the deletion has ended

    listed = sum(pages(ws, delete_one), [])
    assert listed == [f"c-{i:04d}x" for i in range(25)]


def test_a_compute_that_no_longer_changes_is_rendered_once_and_again_when_written(tmp_path: Path) -> None:
    """Given 30 computes past their last change, when the list is read twice, then the second read decodes
    none of them; when one is resized, the next list shows its new scale (and its nodes preparing), and
    once it has settled it is no longer decoded either."""
    ws = Workspace(tmp_path / "state")
    fill(ws, 30)
    ws.clock.t = T0 + 500

    def listed() -> tuple[int, dict[str, Any]]:
        before = ws.store.rows_read
        (names,) = pages(ws)
        assert len(names) == 30
        answer = ws.ok("GET", f"{ws_path()}/computes")["value"]
        return ws.store.rows_read - before, next(c for c in answer if c["name"] == "c-0007x")

    assert listed()[0] == 30
    assert listed()[0] == 0
    scale = {"minNodeCount": 1, "maxNodeCount": 2}
    ws.ok("PATCH", f"{ws_path()}/computes/c-0007x", {"properties": {"properties": {"scaleSettings": scale}}})
    ws.clock.t += 10
    decoded, resized = listed()
    assert decoded == 2  # the resized one, in each of the two reads: its nodes are still preparing
    inner = resized["properties"]["properties"]
    assert inner["scaleSettings"]["minNodeCount"] == 1 and inner["nodeStateCounts"]["preparingNodeCount"] == 1
    ws.clock.t += 600
    assert listed()[0] == 1  # settled now: rendered once more, then kept
    decoded, settled = listed()
    assert decoded == 0 and settled["properties"]["properties"]["nodeStateCounts"]["idleNodeCount"] == 1


def test_a_skip_token_this_workspace_did_not_give_is_refused(ws: Workspace) -> None:
    status, _, answer = ws.call("GET", f"{ws_path()}/computes", **{"$skipToken": "not-ours"})
    assert status == 400 and "$skipToken" in answer["error"]["message"]


# --- vCPU accounting ----------------------------------------------------------------------------------


def stored(store: Store) -> list[ComputeRow]:
    with store.read() as db:
        keys = db.execute("SELECT workspace, name FROM computes").fetchall()
        return [row for key in keys if (row := store.get_compute(db, *key)) is not None]


def full_scan(
    store: Store, sub: str, t: float, exclude: tuple[str, str] | None = None, rows: list[ComputeRow] | None = None
) -> dict[tuple[str, str], int]:
    """An oracle apart from local/quota.py: replay every compute of the store at ``t`` and read each body the
    service would answer with the client's reader (:class:`~jupyter_compute.model.resource.Compute`), counting
    what Azure ML's quota docs say holds vCPUs: a cluster's current nodes, an instance that is not stopped."""
    rows = stored(store) if rows is None else rows
    used: dict[tuple[str, str], int] = {}
    for row in rows:
        if not row.workspace.startswith(f"/subscriptions/{sub}/".lower()):
            continue
        if exclude and (row.workspace, row.name.lower()) == exclude:
            continue
        body = derive(row, t, catalogue.durations()).body
        if body is None:
            continue
        compute = Compute(body)
        size = catalogue.size(compute.size)
        if size is None:
            continue
        if compute.compute_type == CLUSTER.compute_type:
            count, tier = compute.node_counts.current, compute.vm_priority or "Dedicated"
        elif compute.compute_type == INSTANCE.compute_type:
            count, tier = int(compute.instance_state not in ("Stopped", "CreateFailed")), "Dedicated"
        else:
            continue
        used[(size["family"], tier)] = used.get((size["family"], tier), 0) + count * int(size["vCPUs"])
    return {k: v for k, v in used.items() if v}


def mixed_workspace(ws: Workspace, meanwhile: Callable[[float, float], None] = lambda _a, _b: None) -> float:
    """Clusters that allocate, grow, shrink, go low-priority, fail and are deleted; instances that stop and
    start; an attached VM; a second workspace and another subscription. Before each write,
    ``meanwhile(since, until)`` sees the store as it stood between the previous write and this one.
    Returns the time of the last write."""
    last = T0

    def at(seconds: float, method: str, path: str, body: Any = None, **query: str) -> None:
        nonlocal last
        meanwhile(last, T0 + seconds)
        ws.clock.t = last = T0 + seconds
        status, _, answer = ws.call(method, path, body, **query)
        assert status < 300 or answer["error"]["code"] == "QuotaExceeded", answer

    a, a2, b = ws_path(SUB_A), ws_path(SUB_A, "other"), ws_path(SUB_B)
    at(0, "PUT", f"{a}/computes/grows-cl", cluster_body("Standard_D2_v2", 1, 4))
    at(5, "PUT", f"{a}/computes/low-cl", cluster_body("Standard_D1_v2", 2, 3, vmPriority="LowPriority"))
    at(10, "PUT", f"{a}/computes/gone-cl", cluster_body("Standard_DS3_v2", 2, 2))
    at(12, "PUT", f"{a}/computes/huge-cl", cluster_body("Standard_ND96asr_v4", 1, 100))  # refused: fails
    at(15, "PUT", f"{a}/computes/box-ci", instance_body())
    at(20, "PUT", f"{a2}/computes/next-cl", cluster_body("Standard_D2_v2", 3, 3))
    at(25, "PUT", f"{b}/computes/away-cl", cluster_body("Standard_D2_v2", 2, 2))
    at(30, "PUT", f"{a}/computes/a-vm", {"properties": {"computeType": "VirtualMachine", "resourceId": "/x/vm"}})
    at(
        90,
        "PATCH",
        f"{a}/computes/grows-cl",
        {"properties": {"properties": {"scaleSettings": {"minNodeCount": 3, "maxNodeCount": 4}}}},
    )
    at(100, "POST", f"{a}/computes/box-ci/stop")
    at(150, "DELETE", f"{a}/computes/gone-cl", underlyingResourceAction="Delete")
    at(
        200,
        "PATCH",
        f"{a}/computes/grows-cl",
        {"properties": {"properties": {"scaleSettings": {"minNodeCount": 0, "maxNodeCount": 4}}}},
    )
    at(220, "POST", f"{a}/computes/box-ci/start")
    at(260, "PUT", f"{a}/computes/gone-cl", cluster_body("Standard_DS3_v2", 1, 1))  # the name again, once gone
    at(300, "PUT", f"{a2}/computes/next-cl", cluster_body("Standard_D2_v2", 1, 3))  # an update with new scale
    at(320, "DELETE", f"{a}/computes/box-ci", underlyingResourceAction="Delete")
    return last


def test_quota_accounting_answers_as_the_full_scan_did(ws: Workspace) -> None:
    """Given a mixed workspace, every 3 s of its timeline, at and just before each change of any compute and
    each write, the vCPUs in use of each subscription (with and without one compute) are those the full
    replay of every compute gave."""
    checked: list[float] = []
    exclude = (ws_path(SUB_A).lower(), "grows-cl")

    def compare(since: float, until: float) -> None:
        rows = stored(ws.store)
        changes = {t for row in rows for t in change_times(row, catalogue.durations()) if since <= t < until}
        grid = {since + i for i in range(0, int(until - since), 3)}
        times = sorted(grid | changes | {t - 0.001 for t in changes if t - 0.001 >= since} | {until - 0.001})
        with ws.store.read() as db:
            for t in times:
                for sub in (SUB_A, SUB_B):
                    assert ws.store.usage(db, sub, t) == full_scan(ws.store, sub, t, rows=rows), (sub, t - T0)
                expected = full_scan(ws.store, SUB_A, t, exclude, rows)
                assert ws.store.usage(db, SUB_A, t, exclude) == expected, t - T0
        checked.extend(times)

    last = mixed_workspace(ws, compare)
    compare(last, last + 400)
    assert len(checked) > 200
    assert any(full_scan(ws.store, SUB_A, t) for t in checked)  # there was something to count
    assert any(full_scan(ws.store, SUB_B, t) for t in checked)


def test_a_refused_request_says_what_the_full_scan_says_is_in_use(ws: Workspace) -> None:
    """Given the mixed workspace, a create and a resize that exceed the family's quota are refused with
    the in-use figure of the full replay (grows-cl's own nodes do not count against its resize)."""
    mixed_workspace(ws)
    ws.clock.t = T0 + 400
    in_use = full_scan(ws.store, SUB_A, ws.clock.t).get(("standardDv2Family", "Dedicated"), 0)
    status, _, answer = ws.call("PUT", f"{ws_path()}/computes/more-cl", cluster_body("Standard_D2_v2", 0, 60))
    assert status == 201, answer  # the service takes the request, and the create fails
    ws.clock.t += 60
    body = ws.ok("GET", f"{ws_path()}/computes/more-cl")
    assert body["properties"]["provisioningState"] == "Failed"
    assert f"Current in use: {in_use}, Additional requested: 120" in json.dumps(body)
    exclude = (ws_path().lower(), "grows-cl")
    in_use_but_itself = full_scan(ws.store, SUB_A, ws.clock.t, exclude).get(("standardDv2Family", "Dedicated"), 0)
    status, _, answer = ws.call(
        "PATCH",
        f"{ws_path()}/computes/grows-cl",
        {"properties": {"properties": {"scaleSettings": {"maxNodeCount": 50}}}},
    )
    assert status == 400 and answer["error"]["code"] == "QuotaExceeded"
    assert f"Current in use: {in_use_but_itself}, Additional requested: 100" in answer["error"]["message"]


def test_a_create_reads_no_other_compute(tmp_path: Path) -> None:
    """Given 300 computes, when one more is created and its quota checked, then the store decodes no other
    compute row (it used to replay every compute of the subscription, under the write lock)."""
    ws = Workspace(tmp_path / "state")
    fill(ws, 300)
    ws.clock.t = T0 + 400
    before = ws.store.rows_read
    status, _, answer = ws.call("PUT", f"{ws_path()}/computes/one-more", cluster_body(low=1, high=2))
    assert status == 201, answer
    assert ws.store.rows_read - before == 0


# --- what the store keeps (issue 29) --------------------------------------------------------------


def operation_id(answer: Answer) -> str:
    return urlsplit(answer[1]["Azure-AsyncOperation"]).path.rsplit("/", 1)[1]


def operation(ws: Workspace, op_id: str) -> Answer:
    path = f"/subscriptions/{SUB_A}/providers/{PROVIDER}/locations/eastus/computeOperationsStatus/{op_id}"
    return ws.call("GET", path)


def counts(store: Store) -> tuple[int, int, int]:
    with store.read() as db:
        return tuple(  # type: ignore[return-value]
            db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in ("computes", "operations", "usage")
        )


def churn(ws: Workspace, cycles: int, live: int, start: int = 0) -> None:
    """``cycles`` creates and deletes among ``live`` kept computes, each a new name (as a soak makes them),
    1,000 s of the injected clock apart (every step has ended by the next)."""
    for i in range(start, start + cycles):
        name = f"churn-{i:05d}x"
        ws.ok("PUT", f"{ws_path()}/computes/{name}", {**cluster_body(), "tags": {"note": "x" * 2000}})
        ws.clock.t += 1000
        ws.ok("GET", f"{ws_path()}/computes")  # listed once settled: its rendering is kept for a while
        ws.ok("DELETE", f"{ws_path()}/computes/{name}", underlyingResourceAction="Delete")
        ws.clock.t += 1000


def test_deleted_computes_and_finished_operations_are_pruned_and_the_file_stays_compact(tmp_path: Path) -> None:
    """Given 20 live computes and a retention of 60 s, when 300 more are created and deleted, then the store
    holds the live ones and what ended within the retention only, and its file does not grow from the 100th
    cycle to the 300th (it used to keep every deleted row until its name was reused, and operations 7 days)."""
    ws = Workspace(tmp_path / "state", retention=60)
    for i in range(20):
        ws.ok("PUT", f"{ws_path()}/computes/live-{i:02d}x", cluster_body())
    ws.clock.t += 1000
    churn(ws, 100, live=20)
    size_at_100 = ws.store.size()
    churn(ws, 200, live=20, start=100)
    computes, operations, usage = counts(ws.store)
    # the live 20, and the last deleted compute's row with its delete operation (they end within the clock's step)
    assert computes <= 20 + 1 and operations <= 2 and usage <= 20
    assert ws.store.size() <= size_at_100
    names = [c["name"] for c in ws.ok("GET", f"{ws_path()}/computes")["value"]]
    assert names == [f"live-{i:02d}x" for i in range(20)]
    # the list's kept renderings: the live ones and the last listed churn compute, not all 300
    assert len(ws.service.computes._settled) <= 20 + 1


def test_a_deleted_compute_and_its_operation_stay_for_the_retention(ws: Workspace) -> None:
    """Given the default retention (an hour at speed 1), a deleted compute's row and the operations stay
    readable for that hour after they end (or after a poll last read the operation), and are pruned by the
    first write after it."""
    create = ws.call("PUT", f"{ws_path()}/computes/short-cl", cluster_body())
    ws.clock.t += 1000
    delete = ws.call("DELETE", f"{ws_path()}/computes/short-cl", underlyingResourceAction="Delete")
    ws.clock.t += 1000  # the deletion has ended
    ws.ok("PUT", f"{ws_path()}/computes/other-cl", cluster_body())
    assert operation(ws, operation_id(delete))[2] == {"status": "Succeeded", "percentComplete": 100.0}
    assert counts(ws.store)[:2] == (2, 3)
    ws.clock.t += 3601  # an hour after the poll read the delete's outcome
    ws.ok("PUT", f"{ws_path()}/computes/third-cl", cluster_body())
    assert operation(ws, operation_id(create))[0] == 404
    assert operation(ws, operation_id(delete))[0] == 404
    assert counts(ws.store)[:2] == (2, 2)  # other-cl and third-cl, and their creates


def test_an_operation_still_polled_is_never_pruned(tmp_path: Path) -> None:
    """Given a retention of 60 s, an operation a poller (say another process) reads every 25 s stays readable
    for an hour while writes prune around it; once nobody reads it, it goes a retention later."""
    ws = Workspace(tmp_path / "state", retention=60)
    followed = operation_id(ws.call("PUT", f"{ws_path()}/computes/polled-cl", cluster_body()))
    for i in range(150):  # 3,750 s: a retention many times over
        ws.clock.t += 25
        assert operation(ws, followed)[0] == 200
        ws.ok("PUT", f"{ws_path()}/computes/busy-{i:03d}x", cluster_body())
    ws.clock.t += 61
    ws.ok("PUT", f"{ws_path()}/computes/last-cl", cluster_body())
    assert operation(ws, followed)[0] == 404
