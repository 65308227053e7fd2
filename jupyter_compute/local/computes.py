"""The local workspace's compute requests: list, get, create or update, scale, delete, and the actions.

Each write is one store transaction that appends an event to the compute's timeline, saves the
compute with what it now holds (``quota.holdings``), and records an operation whose status URL goes
back in ``Azure-AsyncOperation``, as the service answers (PUT 201, PATCH 200, DELETE and
start/stop/restart 202).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from ..data import catalogue
from ..model.schema import API_VERSION
from ..model.schema import problems as schema_problems
from ..settings import Settings
from . import quota, resources, rules
from .events import Event, Kind
from .routes import PROVIDER, Answer, ArmFailure, Page, Request, Scope, Target, bad_request, busy, not_found
from .simulation import FIRST_IMAGE, LOCAL, Derived, derive, instance_state, settles_at
from .store import ComputeRow, Listed, OperationRow, PageKey, Store, subscription_of

CREATABLE = (
    "AmlCompute",
    "ComputeInstance",
    "VirtualMachine",
    "HDInsight",
    "Databricks",
    "DataLakeAnalytics",
    "SynapseSpark",
    "Kubernetes",
)
LATEST_IMAGE = "latest_image"  # the store's fact: the OS image new instances get
#: What the service adds to each schedule it stores; a request that carries them is the GET's echo.
SCHEDULE_ECHO = ("id", "provisioningStatus")
# The one api-version whose client has POST …/enableSso (azure-ai-ml's vendored v2024_04_01_preview); written
# here, not imported, so the local workspace checks what the client sends rather than agreeing with it.
SSO_API_VERSION = "2024-04-01-preview"
RETENTION_FLOOR = 60.0  # seconds: however fast the workspace runs, a poller has this long to read an outcome
DEFAULT_IDLE = 120.0  # nodeIdleTimeBeforeScaleDown when none is given
SETTLED_KEPT = 20_000  # settled renderings kept for lists (a few KB each)
_POWER: dict[str, Kind] = {"start": "start", "stop": "stop", "restart": "restart"}


@dataclass
class Write:
    """A live compute opened for a write: the transaction, the row, its state at ``t``."""

    db: sqlite3.Connection
    row: ComputeRow
    derived: Derived
    t: float


class Computes:
    """The handlers of the compute routes, over the store. ``settings`` and ``clock`` are asked on each
    request (the speed, the page size; the time)."""

    def __init__(
        self, store: Store, settings: Callable[[], Settings], clock: Callable[[], float], location: str
    ) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.location = location
        # (workspace path, name) -> ((body, events, latest OS image) as stored, (its resource, as JSON), last listed):
        # settled rows, least recently listed first; one not listed for a retention (deleted, say) is let go
        self._settled_lock = threading.Lock()
        self._settled: dict[tuple[str, str], tuple[tuple[str, str, str], tuple[dict[str, Any], str], float]] = {}

    # --- reads -----------------------------------------------------------------------------------

    def list(self, request: Request, target: Target) -> Answer:
        """One page of the workspace's computes. Only the page's own computes are read and replayed; the
        ``nextLink`` carries the key of the page's last compute (``$skipToken``), so pages stay stable
        while computes come and go."""
        scope, t = target.workspace, self.clock()
        size = self.settings().local_page_size
        skip = request.query.get("$skip")
        with self.store.read() as db:
            if skip is not None and "$skipToken" not in request.query:
                rows, more = self.store.page_at(db, scope.key, t, size, _offset(skip))
            else:
                rows, more = self.store.page(db, scope.key, t, size, _page_key(request.query.get("$skipToken")))
            latest = self.latest_image(db)
        durations = catalogue.durations()
        items = [item for listed in rows if (item := self._listed(listed, scope, t, durations, latest)) is not None]
        link = None
        if more and rows:
            query = {"api-version": request.query["api-version"], "$skipToken": _token(rows[-1].key)}
            link = f"{request.base_url}{request.path}?{urlencode(query)}"
        return 200, {}, Page(items, link)

    def _listed(
        self, listed: Listed, scope: Scope, t: float, durations: dict[str, float], latest: str
    ) -> tuple[dict[str, Any], str] | None:
        """The resource of a listed row and its JSON text (None once gone). A row past its last change reads
        the same at any later time, so its rendering is kept (per version of the row) for later lists."""
        key = (scope.path, listed.name)
        version = (listed.body, listed.events, latest)
        settled = listed.settles is not None and t >= listed.settles
        kept = self._settled.get(key)
        if settled and kept is not None and kept[0] == version:
            with self._settled_lock:
                if self._settled.pop(key, None) is not None:
                    self._settled[key] = (version, kept[1], t)
            return kept[1]
        derived = derive(self.store.decode(listed), t, durations)
        if derived.body is None:
            return None
        resource = resources.render(listed.name, derived.body, scope, self.location, latest_image=latest)
        item = (resource, json.dumps(resource))
        if settled:
            with self._settled_lock:  # requests are served on several threads
                self._settled.pop(key, None)
                self._settled[key] = (version, item, t)
                self._let_go(t - retention(self.settings()))
        return item

    def _let_go(self, unlisted_since: float) -> None:
        """Drop the oldest renderings beyond SETTLED_KEPT and those not listed since ``unlisted_since`` (under
        the lock): a process that lists all day keeps only what it still lists."""
        while self._settled:
            oldest = next(iter(self._settled))
            if len(self._settled) <= SETTLED_KEPT and self._settled[oldest][2] >= unlisted_since:
                return
            del self._settled[oldest]

    def get(self, request: Request, target: Target) -> Answer:
        with self.store.read() as db:
            row, derived = self._live(db, target.workspace, target.name, self.clock())
            latest = self.latest_image(db)
        if row is None or derived.body is None:
            raise not_found(target.name)
        return 200, {}, resources.render(row.name, derived.body, target.workspace, self.location, latest_image=latest)

    def latest_image(self, db: sqlite3.Connection) -> str:
        """The OS image the service gives new instances now."""
        return self.store.fact(db, LATEST_IMAGE) or FIRST_IMAGE

    # --- what the local workspace's control endpoints change (tests, demos) ------------------------

    def publish_image(self, version: str) -> str:
        """A newer OS image: instances created from now on get it; the others are no longer the latest."""
        if not re.fullmatch(r"\d{2}\.\d{2}\.\d{2}", version):
            raise bad_request(f"An OS image version is YY.MM.DD, as the service writes them; got {version!r}.")
        with self.store.write() as db:
            self.store.set_fact(db, LATEST_IMAGE, version)
        return version

    def mark_jobs(self, scope: Scope, name: str, run_id: str | None, count: int) -> Any:
        """Mark ``count`` idle nodes of cluster ``name`` busy with job ``run_id`` (None: clear every job on it);
        its nodes as ``listNodes`` then gives them."""
        with self._writable(scope, name, "AmlCompute", "Jobs run on compute clusters' nodes") as write:
            local = write.row.body.setdefault(LOCAL, {})
            jobs: dict[str, str] = dict(local.get("jobs") or {})
            if run_id is None:
                jobs = {}
            else:
                idle = [node.id for node, state in write.derived.nodes if state == "idle"]
                if count < 1 or count > len(idle):
                    raise bad_request(f"{name} has {len(idle)} idle nodes; cannot run a job on {count}.")
                jobs.update({node: run_id for node in idle[:count]})
            local["jobs"] = jobs
            self._save(write.db, write.row, write.t)
        return self._list_nodes(scope, name)[2]["nodes"]

    def action(self, request: Request, target: Target) -> Answer:
        if target.action == "listnodes":
            return self._list_nodes(target.workspace, target.name)
        if target.action == "listkeys":
            row, _ = self._existing(target.workspace, target.name)
            if row is None:
                raise not_found(target.name)
            return 200, {}, {"computeType": row.body["properties"]["computeType"]}
        if target.action == "updateidleshutdownsetting":
            return self._idle_shutdown(request, target.workspace, target.name)
        if target.action == "resize":
            return self._resize_instance(request, target.workspace, target.name)
        if target.action == "customservices":
            return self._custom_services(request, target.workspace, target.name)
        if target.action == "enablesso":
            return self._enable_sso(request, target.workspace, target.name)
        return self._power(request, target.workspace, target.name, target.action)

    def _list_nodes(self, scope: Scope, name: str) -> Answer:
        row, derived = self._existing(scope, name)
        if row is None:
            raise not_found(name)
        _require_type(row, "AmlCompute", "Nodes can only be listed for compute clusters")
        jobs = (row.body.get(LOCAL) or {}).get("jobs") or {}
        nodes = [
            {
                "nodeId": node.id,
                "privateIpAddress": f"10.0.0.{4 + i}",
                "publicIpAddress": "127.0.0.1",
                "port": 50000 + i,
                "nodeState": state,
                # The service leaves the key out on a node with no job (recording), and names the job on a busy one.
                **({"runId": jobs[node.id]} if node.id in jobs and state == "running" else {}),
            }
            for i, (node, state) in enumerate(derived.nodes)
        ]
        return 200, {}, {"computeType": "AmlCompute", "nodes": nodes}

    # --- create or update ------------------------------------------------------------------------

    def put(self, request: Request, target: Target) -> Answer:
        scope, name = target.workspace, target.name
        if not rules.valid_compute_name(name):
            raise bad_request(
                f"Compute name '{name}' is not available. Reason: Invalid. "
                f"Message: A compute name must be {rules.NAME_RULE}."
            )
        body = request.body
        if not isinstance(body, Mapping):
            raise bad_request("The request content must be a JSON object.", "InvalidRequestContent")
        _refuse_echoed_schedules(body)
        _check_schema(body, "ComputeResource")
        props = body["properties"]
        compute_type = props["computeType"]
        if compute_type not in CREATABLE:
            raise bad_request(f"Creating computes of type {compute_type} is not supported by the local workspace.")
        size = self._check_size(props)
        _check_schedules(props)
        t = self.clock()
        with self.store.write() as db:
            existing, derived = self._live(db, scope, name, t)
            if existing is not None:
                return self._update(request, scope, Write(db, existing, derived, t), body)
            self.store.remove_compute(db, scope.key, name)  # a compute whose deletion ended
            failure = quota.failure(props, size, self._used(db, scope, t)) if size else None
            stored = resources.without_secrets(body)
            stored.setdefault("location", self.location)
            stored[LOCAL] = {"image": self.latest_image(db)} if compute_type == "ComputeInstance" else {}
            row = ComputeRow(scope.key, name, stored, [self._create_event(compute_type, props, t, failure)], t)
            self._save(db, row, t)
            op = self._operation(db, row, "create", t, row.events[0].duration, failure)
        return 201, self._async_headers(request, scope, op), self._render_submitted(row, scope, t)

    def _update(self, request: Request, scope: Scope, write: Write, body: Mapping[str, Any]) -> Answer:
        row, t = write.row, write.t
        if write.derived.busy:
            raise busy(row.name, write.derived.busy)
        old_type = row.body["properties"]["computeType"]
        if body["properties"]["computeType"] != old_type:
            raise bad_request(f"The compute {row.name} is a {old_type}; its type cannot change.")
        if old_type == "ComputeInstance":
            before = str((row.body["properties"].get("properties") or {}).get("vmSize") or "")
            after = str((body["properties"].get("properties") or {}).get("vmSize") or before)
            if before.lower() != after.lower():
                raise bad_request(
                    f"The size of the compute instance {row.name} cannot change with PUT; resize it "
                    "(POST .../resize) while it is stopped."
                )
        stored = resources.without_secrets(body)
        stored.setdefault("location", row.body.get("location", self.location))
        stored[LOCAL] = row.body.get(LOCAL) or {}  # the image it was created with, the jobs on its nodes
        row.body = stored
        speed = self.settings().speed
        duration = catalogue.durations()["cluster_update"] / speed
        scale = (stored["properties"].get("properties") or {}).get("scaleSettings")
        if old_type == "AmlCompute" and scale:
            event = Event(
                t, "update", duration, min=_min_nodes(scale), idle=_idle_seconds(scale) / speed, delay=duration
            )
        else:
            event = Event(t, "update", duration)
        row.events.append(event)
        self._save(write.db, row, t)
        op = self._operation(write.db, row, "update", t, duration, None)
        return 201, self._async_headers(request, scope, op), self._render_submitted(row, scope, t)

    def patch(self, request: Request, target: Target) -> Answer:
        scope, name = target.workspace, target.name
        _check_schema(request.body, "ClusterUpdateParameters")
        scale = (((request.body or {}).get("properties") or {}).get("properties") or {}).get("scaleSettings")
        if not scale:
            raise bad_request("Only properties.properties.scaleSettings can be updated with PATCH.")
        with self._writable(scope, name, "AmlCompute", "Scale settings apply to compute clusters") as write:
            row, t = write.row, write.t
            if write.derived.busy in ("create", "delete", "update"):
                raise busy(name, write.derived.busy)
            inner = row.body["properties"].setdefault("properties", {})
            merged = {**(inner.get("scaleSettings") or {}), **scale}
            if _min_nodes(merged) > int(merged["maxNodeCount"]):
                raise bad_request("minNodeCount must not be larger than maxNodeCount.")
            size = catalogue.size(str(inner.get("vmSize", "")))
            if size:
                asked = {"properties": {**inner, "scaleSettings": merged}}
                failure = quota.failure(asked, size, self._used(write.db, scope, t, exclude=name))
                if failure:
                    raise bad_request(failure["message"], failure["code"])
            inner["scaleSettings"] = merged
            speed = self.settings().speed
            duration = catalogue.durations()["cluster_update"] / speed
            row.events.append(Event(t, "resize", duration, min=_min_nodes(merged), idle=_idle_seconds(merged) / speed))
            self._save(write.db, row, t)
            op = self._operation(write.db, row, "resize", t, duration, None)
        rendered = resources.render(row.name, derive(row, t, catalogue.durations()).body or {}, scope, self.location)
        return 200, self._async_headers(request, scope, op), rendered

    # --- delete and power --------------------------------------------------------------------------

    def delete(self, request: Request, target: Target) -> Answer:
        scope, name = target.workspace, target.name
        action = request.query.get("underlyingResourceAction")
        if action not in ("Delete", "Detach"):
            raise bad_request(
                "The underlyingResourceAction query parameter is required; allowed values: Delete, Detach."
            )
        t = self.clock()
        with self.store.write() as db:
            row, derived = self._live(db, scope, name, t)
            if row is None:
                return 204, {}, None
            attached = row.events[0].attached
            if action == "Delete" and attached:
                raise bad_request(
                    f"{name} is an attached compute; Delete would remove a resource "
                    "this workspace does not own. Use underlyingResourceAction=Detach."
                )
            if action == "Detach" and not attached:
                raise bad_request(
                    f"{name} was created by Azure Machine Learning; it can be "
                    "deleted (underlyingResourceAction=Delete), not detached."
                )
            if derived.busy in ("delete", "detach"):
                raise busy(name, derived.busy)
            kind: Kind = "delete" if action == "Delete" else "detach"
            base = {"AmlCompute": "cluster_delete", "ComputeInstance": "instance_delete"}.get(
                row.body["properties"]["computeType"], "detach"
            )
            duration = catalogue.durations()[base] / self.settings().speed
            row.events.append(Event(t, kind, duration))
            self._save(db, row, t)
            op = self._operation(db, row, kind, t, duration, None)
        return 202, self._async_headers(request, scope, op), None

    def _power(self, request: Request, scope: Scope, name: str, action: str) -> Answer:
        with self._writable(scope, name, "ComputeInstance", f"{action} applies to compute instances") as write:
            state = instance_state(write.derived)
            if write.derived.busy:
                raise busy(name, write.derived.busy)
            allowed = {"start": "Stopped", "stop": "Running", "restart": "Running"}[action]
            if state != allowed:
                code = {
                    "start": "StartComputeInstanceOnlyAllowedInStoppedState",
                    "stop": "StopComputeInstanceOnlyAllowedInRunningState",
                    "restart": "RestartComputeInstanceOnlyAllowedInRunningState",
                }[action]
                raise bad_request(
                    f"{action.capitalize()} Azure ML Compute Instance is only allowed when "
                    f"the instance {name} is in '{allowed.lower()}' state; it is '{state}'.",
                    code,
                )
            duration = catalogue.durations()[f"instance_{action}"] / self.settings().speed
            write.row.events.append(Event(write.t, _POWER[action], duration))
            self._save(write.db, write.row, write.t)
            op = self._operation(write.db, write.row, action, write.t, duration, None)
        return 202, self._async_headers(request, scope, op), None

    def _idle_shutdown(self, request: Request, scope: Scope, name: str) -> Answer:
        """``POST …/updateIdleShutdownSetting`` ``{"idleTimeBeforeShutdown": "PT60M"}``: 200 with no body; the
        instance's ``idleTimeBeforeShutdown`` reads the new value from then on."""
        body = request.body if isinstance(request.body, Mapping) else {}
        value = body.get("idleTimeBeforeShutdown")
        if set(body) - {"idleTimeBeforeShutdown"} or not isinstance(value, str):
            raise bad_request(
                'The request content must be {"idleTimeBeforeShutdown": "<ISO-8601 duration>"}.',
                "InvalidRequestContent",
            )
        seconds = rules.duration_seconds(value)
        if seconds is None:
            raise bad_request(f"idleTimeBeforeShutdown {value!r} is not an ISO-8601 duration such as PT60M.")
        if not rules.IDLE_SHUTDOWN_MIN <= seconds <= rules.IDLE_SHUTDOWN_MAX:
            raise bad_request(
                f"idleTimeBeforeShutdown {value} is out of range: the minimum is 15 minutes, the maximum 3 days."
            )
        with self._writable(scope, name, "ComputeInstance", "Idle shutdown applies to compute instances") as write:
            if write.derived.busy in ("create", "delete"):
                raise busy(name, write.derived.busy)
            write.row.body["properties"].setdefault("properties", {})["idleTimeBeforeShutdown"] = value
            self._save(write.db, write.row, write.t)
        return 200, {}, None

    def _custom_services(self, request: Request, scope: Scope, name: str) -> Answer:
        """``POST …/customServices`` with a list of ``CustomService``: 200 with no body; the list replaces the
        instance's (azure-ai-ml: "The list of custom services provided shall be overwritten")."""
        services = request.body
        if not isinstance(services, list):
            raise bad_request("The request content must be a JSON array of custom services.", "InvalidRequestContent")
        for i, service in enumerate(services):
            problems = schema_problems(service, "CustomService", "request")
            if problems:
                raise bad_request(f"customServices[{i}]: " + "; ".join(problems), "InvalidRequestContent")
        names = [str((s or {}).get("name") or "") for s in services]
        if "" in names or len(set(names)) != len(names):
            raise bad_request("Each custom service needs a name of its own.", "InvalidRequestContent")
        with self._writable(scope, name, "ComputeInstance", "Custom applications run on compute instances") as write:
            if write.derived.busy in ("create", "delete"):
                raise busy(name, write.derived.busy)
            write.row.body["properties"].setdefault("properties", {})["customServices"] = services
            self._save(write.db, write.row, write.t)
        return 200, {}, None

    def _enable_sso(self, request: Request, scope: Scope, name: str) -> Answer:
        """``POST …/enableSso`` ``{"enableSSO": true|false}`` (``SsoSetting``), served with api-version
        2024-04-01-preview only, the one client version that has the route (azure-ai-ml's vendored
        ``v2024_04_01_preview``; no public spec): 200 with no body; the instance's ``enableSSO`` reads the
        new value from then on. Any other version is refused (the service's words for it are not recorded)."""
        version = request.query.get("api-version")
        if version != SSO_API_VERSION:
            raise bad_request(
                f"The enableSso action is not served with api-version {version}; it is served with {SSO_API_VERSION}.",
                "InvalidApiVersionParameter",
            )
        problems = schema_problems(request.body, "SsoSetting", "request")
        if problems or not isinstance(request.body, Mapping) or "enableSSO" not in request.body:
            raise bad_request(
                'The request content must be {"enableSSO": true|false}'
                + (": " + "; ".join(problems) if problems else "."),
                "InvalidRequestContent",
            )
        with self._writable(scope, name, "ComputeInstance", "Single sign-on applies to compute instances") as write:
            if write.derived.busy in ("create", "delete"):
                raise busy(name, write.derived.busy)
            write.row.body["properties"].setdefault("properties", {})["enableSSO"] = request.body["enableSSO"]
            self._save(write.db, write.row, write.t)
        return 200, {}, None

    def _resize_instance(self, request: Request, scope: Scope, name: str) -> Answer:
        """``POST …/resize`` ``{"targetVMSize": …}``: only a Stopped instance changes size (202; Resizing, then
        Stopped with the new size)."""
        body = request.body if isinstance(request.body, Mapping) else {}
        target = body.get("targetVMSize")
        if set(body) - {"targetVMSize"} or not isinstance(target, str) or not target:
            raise bad_request('The request content must be {"targetVMSize": "<VM size>"}.', "InvalidRequestContent")
        applies = "Resize applies to compute instances (a cluster's scale settings change with PATCH)"
        with self._writable(scope, name, "ComputeInstance", applies) as write:
            if write.derived.busy:
                raise busy(name, write.derived.busy)
            state = instance_state(write.derived)
            if state != "Stopped":
                raise bad_request(
                    f"Resize Azure ML Compute Instance is only allowed when the instance {name} is in 'stopped' "
                    f"state; it is '{state}'.",
                    "ResizeComputeInstanceOnlyAllowedInStoppedState",
                )
            size = catalogue.size(target)
            if size is None or "ComputeInstance" not in size["supportedComputeTypes"]:
                raise bad_request(
                    f"The specified vm size {target} is not supported for ComputeInstance in region {self.location}."
                )
            write.row.body["properties"].setdefault("properties", {})["vmSize"] = size["name"]
            duration = catalogue.durations()["instance_resize"] / self.settings().speed
            write.row.events.append(Event(write.t, "resize", duration))
            self._save(write.db, write.row, write.t)
            op = self._operation(write.db, write.row, "resize", write.t, duration, None)
        return 202, self._async_headers(request, scope, op), None

    # --- shared steps ------------------------------------------------------------------------------

    @contextmanager
    def _writable(self, scope: Scope, name: str, compute_type: str, applies: str) -> Iterator[Write]:
        """Open the write transaction on the live compute ``name``: 404 if there is none, 400 (``applies``;
        ``name`` is a …) if it is not a ``compute_type``. The transaction commits when the block ends."""
        t = self.clock()
        with self.store.write() as db:
            row, derived = self._live(db, scope, name, t)
            if row is None:
                raise not_found(name)
            _require_type(row, compute_type, applies)
            yield Write(db, row, derived, t)

    def _existing(self, scope: Scope, name: str) -> tuple[ComputeRow | None, Derived]:
        with self.store.read() as db:
            return self._live(db, scope, name, self.clock())

    def _live(self, db: sqlite3.Connection, scope: Scope, name: str, t: float) -> tuple[ComputeRow | None, Derived]:
        """The stored compute and its state at ``t``; (None, …) if it does not exist or its deletion ended."""
        row = self.store.get_compute(db, scope.key, name)
        derived = derive(row, t, catalogue.durations()) if row is not None else Derived(None, None, [])
        return (row if derived.body is not None else None), derived

    def _save(self, db: sqlite3.Connection, row: ComputeRow, t: float) -> None:
        """Every write goes through here."""
        save(self.store, db, row)
        self.store.prune_usage(db, subscription_of(row.workspace), t)

    def _used(self, db: sqlite3.Connection, scope: Scope, t: float, exclude: str | None = None) -> quota.InUse:
        skipped = (scope.key, exclude) if exclude else None
        return self.store.usage(db, subscription_of(scope.key), t, skipped)

    def _render_submitted(self, row: ComputeRow, scope: Scope, t: float) -> dict[str, Any]:
        body = derive(row, t, catalogue.durations()).body or {}
        with self.store.read() as db:
            latest = self.latest_image(db)
        return resources.render(row.name, body, scope, self.location, submitted_at=t, latest_image=latest)

    def _check_size(self, props: Mapping[str, Any]) -> dict[str, Any] | None:
        compute_type = props["computeType"]
        if compute_type not in ("AmlCompute", "ComputeInstance"):
            return None
        inner = props.get("properties") or {}
        requested = str(inner.get("vmSize") or "STANDARD_DS3_V2")
        size = catalogue.size(requested)
        if size is None or compute_type not in size["supportedComputeTypes"]:
            raise bad_request(
                f"The specified vm size {requested} is not supported for "
                f"{compute_type} in region {self.location}. List the supported sizes with the "
                "vmSizes API (`jupyter compute sizes`)."
            )
        if inner.get("vmPriority") == "LowPriority" and not size["lowPriorityCapable"]:
            raise bad_request(f"{size['name']} is not available with low priority.")
        return size

    def _create_event(
        self, compute_type: str, props: Mapping[str, Any], t: float, failure: dict[str, Any] | None
    ) -> Event:
        durations, speed = catalogue.durations(), self.settings().speed
        inner = props.get("properties") or {}
        if compute_type == "AmlCompute":
            scale = inner.get("scaleSettings") or {}
            event = Event(
                t,
                "create",
                durations["cluster_create"] / speed,
                min=_min_nodes(scale),
                idle=_idle_seconds(scale) / speed,
                prepare=durations["node_prepare"] / speed,
                leave=durations["node_leave"] / speed,
            )
        elif compute_type == "ComputeInstance":
            setup = durations["instance_setup"] / speed
            event = Event(t, "create", durations["instance_create"] / speed + setup, setup=setup)
        else:
            event = Event(t, "create", durations["attach"] / speed, attached=True)
        if failure:  # a failed create ends soon, with the error
            duration = min(event.duration, durations["attach"] / speed)
            event = replace(event, duration=duration, failed=failure)
        return event

    def _operation(
        self,
        db: sqlite3.Connection,
        row: ComputeRow,
        action: str,
        t: float,
        duration: float,
        failure: dict[str, Any] | None,
    ) -> OperationRow:
        op = OperationRow(
            str(uuid.uuid4()),
            row.workspace,
            row.name,
            action,
            t,
            t + duration,
            "Failed" if failure else "Succeeded",
            failure,
        )
        self.store.add_operation(db, op)
        self.store.prune(db, t - retention(self.settings()))
        return op

    def _async_headers(self, request: Request, scope: Scope, op: OperationRow) -> dict[str, str]:
        query = urlencode({"api-version": request.query.get("api-version", API_VERSION), "service": "new"})
        url = (
            f"{request.base_url}/subscriptions/{scope.sub}/providers/{PROVIDER}/locations/{self.location}"
            f"/computeOperationsStatus/{op.id}?{query}"
        )
        return {"Azure-AsyncOperation": url}


def retention(settings: Settings) -> float:
    """Seconds a finished operation (from its end, or from the last poll that read it) and a deleted compute
    (from its deletion's end) are kept: ``local_retention`` divided by the speed, never under a minute."""
    return max(settings.local_retention / settings.speed, RETENTION_FLOOR)


def save(store: Store, db: sqlite3.Connection, row: ComputeRow) -> None:
    """Store ``row`` with what its timeline implies for readers: the vCPUs it holds, when it settles."""
    durations = catalogue.durations()
    store.put_compute(db, row, quota.holdings(row, durations), settles_at(row, durations))


def _require_type(row: ComputeRow, compute_type: str, applies: str) -> None:
    actual = row.body["properties"]["computeType"]
    if actual != compute_type:
        raise bad_request(f"{applies}; {row.name} is a {actual}.")


def _refuse_echoed_schedules(body: Mapping[str, Any]) -> None:
    """A PUT whose schedules carry what the service adds to them (``id``, ``provisioningStatus``): the GET's
    echo. Refused as the service is reported to refuse a redeployed body with schedules (a schedule-format
    error: azure-quickstart-templates #11830, azure-sdk-for-python #35156); its exact text is not recorded."""
    inner = (body.get("properties") or {}).get("properties") if isinstance(body.get("properties"), Mapping) else None
    holder = inner.get("schedules") if isinstance(inner, Mapping) else None
    items = holder.get("computeStartStop") if isinstance(holder, Mapping) else None
    for i, item in enumerate(items if isinstance(items, list) else []):
        echoed = [key for key in SCHEDULE_ECHO if isinstance(item, Mapping) and key in item]
        if echoed:
            raise ArmFailure(
                400,
                "BadRequest",
                f"Schedule format is invalid: computeStartStop[{i}] carries {' and '.join(echoed)}, which the service "
                "sets; send each schedule as a create takes it.",
                [
                    {
                        "code": "InvalidScheduleFormat",
                        "target": f"properties.properties.schedules.computeStartStop[{i}]",
                        "message": f"{', '.join(echoed)} are read-only",
                    }
                ],
            )


def _check_schedules(props: Mapping[str, Any]) -> None:
    """An instance's start/stop schedules, refused as the service refuses them (400, nothing stored)."""
    schedules = ((props.get("properties") or {}).get("schedules") or {}).get("computeStartStop") or []
    for i, schedule in enumerate(schedules if isinstance(schedules, list) else [], 1):
        problem = rules.schedule_problem(schedule)
        if problem:
            raise bad_request(f"Schedule {i} of computeStartStop is invalid: {problem}.")


def _check_schema(body: Any, root: str) -> None:
    problems = schema_problems(body, root, "request")
    if problems:
        details = [
            {"code": "InvalidRequestContent", "target": p.split(":", 1)[0], "message": p.split(":", 1)[1].strip()}
            for p in problems
        ]
        raise ArmFailure(400, "BadRequest", "The request content is invalid: " + "; ".join(problems), details)


def _min_nodes(scale: Mapping[str, Any]) -> int:
    return int(scale.get("minNodeCount") or 0)


def _idle_seconds(scale: Mapping[str, Any]) -> float:
    raw = scale.get("nodeIdleTimeBeforeScaleDown")
    if not raw:
        return DEFAULT_IDLE
    seconds = rules.duration_seconds(str(raw))
    if seconds is None:
        raise bad_request(
            f"nodeIdleTimeBeforeScaleDown {raw!r} is not an ISO-8601 duration such as PT2M.", "InvalidRequestContent"
        )
    return seconds


def _token(key: PageKey) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")


def _page_key(token: str | None) -> PageKey | None:
    if token is None:
        return None
    try:
        created, name = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        return float(created), str(name)
    except (ValueError, TypeError, binascii.Error):
        raise bad_request(
            f"The $skipToken {token!r} is not one this workspace gave; follow nextLink as given."
        ) from None


def _offset(skip: str) -> int:
    if not skip:
        return 0
    if not skip.isdigit():
        raise bad_request(f"$skip must be a whole number; got {skip!r}.")
    return int(skip)
