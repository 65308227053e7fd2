"""ARM semantics of the local workspace: what Azure ML answers, for each compute request.

``LocalService.handle(method, path, query, body, base_url)`` returns ``(status, headers, body)``.
It checks requests as the service does (schema of the REST spec, name rules, sizes, vCPU
quota, conflicts) and answers with ARM error envelopes and the long-running-operation
headers the real service sends (recordings: PUT 201, DELETE/start/stop/restart 202, all with
``Azure-AsyncOperation`` pointing at a subscription-scoped ``computeOperationsStatus`` URL).
"""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from ..data import catalogue
from ..model import schema as wire_schema
from ..model.specs._fields import COMPUTE_NAME, COMPUTE_NAME_RULE, iso_duration_seconds
from ..model.wire import API_VERSION
from .simulation import Derived, derive, instance_state, iso
from .store import ComputeRow, OperationRow, Store, now

PROVIDER = "Microsoft.MachineLearningServices"
WS = (
    rf"^/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<rg>[^/]+)/providers/{PROVIDER}"
    r"/workspaces/(?P<ws>[^/]+)"
)
LOC = rf"^/subscriptions/(?P<sub>[^/]+)/providers/{PROVIDER}/locations/(?P<loc>[^/]+)"
ROUTES = [
    ("workspace", re.compile(WS + "$", re.I)),
    ("computes", re.compile(WS + "/computes$", re.I)),
    ("compute", re.compile(WS + "/computes/(?P<name>[^/]+)$", re.I)),
    ("action", re.compile(WS + "/computes/(?P<name>[^/]+)/(?P<action>listNodes|listKeys|start|stop|restart)$", re.I)),
    ("location", re.compile(LOC + "/(?P<what>vmSizes|usages|quotas)$", re.I)),
    ("operation_status", re.compile(LOC + "/computeOperationsStatus/(?P<op>[^/]+)$", re.I)),
]
SECRET_KEYS = {
    "adminUserPassword",
    "password",
    "privateKeyData",
    "databricksAccessToken",
    "relayConnectionString",
    "serviceBusConnectionString",
}
PAGE_SIZE_ENV = "JUPYTER_COMPUTE_LOCAL_PAGE_SIZE"

Answer = tuple[int, dict[str, str], Any]


class ArmFailure(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.details = details or []
        self.headers = headers or {}

    def answer(self) -> Answer:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            error["details"] = self.details
        return self.status, dict(self.headers), {"error": error}


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    base_url: str


class LocalService:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.location = catalogue.default_location()

    # --- dispatch ----------------------------------------------------------------------------

    def handle(self, request: Request) -> Answer:
        try:
            if "api-version" not in request.query:
                raise ArmFailure(
                    400,
                    "MissingApiVersionParameter",
                    "The api-version query parameter (?api-version=) is required for all requests.",
                )
            for route, pattern in ROUTES:
                match = pattern.match(request.path)
                if match:
                    answer: Answer = getattr(self, f"_{route}")(request, **match.groupdict())
                    return answer
            raise ArmFailure(404, "InvalidResourceType", f"The resource path '{request.path}' is not known.")
        except ArmFailure as failure:
            return failure.answer()

    def _workspace_key(self, sub: str, rg: str, ws: str) -> str:
        return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{PROVIDER}/workspaces/{ws}".lower()

    def _workspace(self, request: Request, sub: str, rg: str, ws: str) -> Answer:
        if request.method != "GET":
            raise _method_not_allowed(request)
        path = f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{PROVIDER}/workspaces/{ws}"
        return (
            200,
            {},
            {
                "id": path,
                "name": ws,
                "type": f"{PROVIDER}/workspaces",
                "location": self.location,
                "properties": {
                    "friendlyName": ws,
                    "provisioningState": "Succeeded",
                    "description": "jupyter-compute local workspace",
                },
            },
        )

    # --- computes collection -----------------------------------------------------------------

    def _computes(self, request: Request, sub: str, rg: str, ws: str) -> Answer:
        if request.method != "GET":
            raise _method_not_allowed(request)
        key = self._workspace_key(sub, rg, ws)
        t = now()
        with self.store.read() as db:
            rows = self.store.list_computes(db, key)
        bodies = [self._resource(row, d, sub, rg, ws) for row in rows if (d := self._derive(row, t)).body]
        size = _page_size()
        start = int(request.query.get("$skip") or 0)
        page = bodies[start : start + size]
        result: dict[str, Any] = {"value": page}
        if start + size < len(bodies):
            query = {"api-version": request.query["api-version"], "$skip": str(start + size)}
            result["nextLink"] = f"{request.base_url}{request.path}?{urlencode(query)}"
        return 200, {}, result

    # --- one compute ---------------------------------------------------------------------------

    def _compute(self, request: Request, sub: str, rg: str, ws: str, name: str) -> Answer:
        key = self._workspace_key(sub, rg, ws)
        if request.method == "GET":
            row, derived = self._existing(key, name)
            if row is None:
                raise _not_found(name)
            return 200, {}, self._resource(row, derived, sub, rg, ws)
        if request.method == "PUT":
            return self._put(request, key, sub, rg, ws, name)
        if request.method == "PATCH":
            return self._patch(request, key, sub, rg, ws, name)
        if request.method == "DELETE":
            return self._delete(request, key, sub, name)
        raise _method_not_allowed(request)

    def _put(self, request: Request, key: str, sub: str, rg: str, ws: str, name: str) -> Answer:
        if not COMPUTE_NAME.match(name):
            raise ArmFailure(
                400,
                "BadRequest",
                f"Compute name '{name}' is not available. Reason: Invalid. "
                f"Message: A compute name must be {COMPUTE_NAME_RULE}.",
            )
        body = request.body
        if not isinstance(body, Mapping):
            raise ArmFailure(400, "InvalidRequestContent", "The request content must be a JSON object.")
        self._check_schema(body, "ComputeResource")
        props = body["properties"]
        compute_type = props["computeType"]
        if compute_type not in (
            "AmlCompute",
            "ComputeInstance",
            "VirtualMachine",
            "HDInsight",
            "Databricks",
            "DataLakeAnalytics",
            "SynapseSpark",
            "Kubernetes",
        ):
            raise ArmFailure(
                400, "BadRequest", f"Creating computes of type {compute_type} is not supported by the local workspace."
            )
        size = self._check_size(props)
        speed, durations = catalogue.speed(), catalogue.durations()
        t = now()
        with self.store.write() as db:
            existing = self.store.get_compute(db, key, name)
            derived = self._derive(existing, t) if existing else None
            if existing is not None and derived is not None and derived.body is not None:
                return self._update(db, request, existing, derived, body, sub, rg, ws, t, speed, durations)
            if existing is not None:
                self.store.remove_compute(db, key, name)
            failure = self._quota_failure(db, key, props, size) if size else None
            create = self._create_event(compute_type, props, t, speed, durations, failure)
            stored = _without_secrets(body)
            stored.setdefault("location", self.location)
            row = ComputeRow(key, name, stored, [create], t)
            self.store.put_compute(db, row)
            op = self._operation(db, key, name, "create", t, float(create["duration"]), failure)
        response = self._resource(row, self._derive(row, t), sub, rg, ws, initial=True)
        return 201, self._async_headers(request, sub, op), response

    def _update(
        self,
        db: Any,
        request: Request,
        row: ComputeRow,
        derived: Derived,
        body: Mapping[str, Any],
        sub: str,
        rg: str,
        ws: str,
        t: float,
        speed: float,
        durations: dict[str, float],
    ) -> Answer:
        if derived.busy:
            raise _busy(row.name, derived.busy)
        old_type = row.body["properties"]["computeType"]
        if body["properties"]["computeType"] != old_type:
            raise ArmFailure(400, "BadRequest", f"The compute {row.name} is a {old_type}; its type cannot change.")
        stored = _without_secrets(body)
        stored.setdefault("location", row.body.get("location", self.location))
        row.body = stored
        duration = durations["cluster_update"] / speed
        event: dict[str, Any] = {"t": t, "kind": "update", "duration": duration}
        scale = (stored["properties"].get("properties") or {}).get("scaleSettings")
        if old_type == "AmlCompute" and scale:
            event.update(min=int(scale.get("minNodeCount") or 0), idle=_idle(scale) / speed, delay=duration)
        row.events.append(event)
        self.store.put_compute(db, row)
        op = self._operation(db, row.workspace, row.name, "update", t, duration, None)
        response = self._resource(row, self._derive(row, t), sub, rg, ws, initial=True)
        return 201, self._async_headers(request, sub, op), response

    def _patch(self, request: Request, key: str, sub: str, rg: str, ws: str, name: str) -> Answer:
        self._check_schema(request.body, "ClusterUpdateParameters")
        scale = (((request.body or {}).get("properties") or {}).get("properties") or {}).get("scaleSettings")
        if not scale:
            raise ArmFailure(400, "BadRequest", "Only properties.properties.scaleSettings can be updated with PATCH.")
        speed, durations = catalogue.speed(), catalogue.durations()
        t = now()
        with self.store.write() as db:
            row, derived = self._live(db, key, name, t)
            if row is None:
                raise _not_found(name)
            if row.body["properties"]["computeType"] != "AmlCompute":
                raise ArmFailure(
                    400,
                    "BadRequest",
                    f"Scale settings apply to compute clusters; {name} is a {row.body['properties']['computeType']}.",
                )
            if derived.busy in ("create", "delete", "update"):
                raise _busy(name, derived.busy)
            inner = row.body["properties"].setdefault("properties", {})
            merged = {**(inner.get("scaleSettings") or {}), **scale}
            if int(merged.get("minNodeCount") or 0) > int(merged["maxNodeCount"]):
                raise ArmFailure(400, "BadRequest", "minNodeCount must not be larger than maxNodeCount.")
            size = catalogue.size(str(inner.get("vmSize", "")))
            failure = (
                self._quota_failure(db, key, {"properties": {**inner, "scaleSettings": merged}}, size, exclude=name)
                if size
                else None
            )
            if failure:
                raise ArmFailure(400, failure["code"], failure["message"])
            inner["scaleSettings"] = merged
            duration = durations["cluster_update"] / speed
            row.events.append(
                {
                    "t": t,
                    "kind": "resize",
                    "duration": duration,
                    "min": int(merged.get("minNodeCount") or 0),
                    "idle": _idle(merged) / speed,
                }
            )
            self.store.put_compute(db, row)
            op = self._operation(db, key, name, "resize", t, duration, None)
        return 200, self._async_headers(request, sub, op), self._resource(row, self._derive(row, t), sub, rg, ws)

    def _delete(self, request: Request, key: str, sub: str, name: str) -> Answer:
        action = request.query.get("underlyingResourceAction")
        if action not in ("Delete", "Detach"):
            raise ArmFailure(
                400,
                "BadRequest",
                "The underlyingResourceAction query parameter is required; allowed values: Delete, Detach.",
            )
        speed, durations = catalogue.speed(), catalogue.durations()
        t = now()
        with self.store.write() as db:
            row, derived = self._live(db, key, name, t)
            if row is None:
                return 204, {}, None
            attached = bool(row.events[0].get("attached"))
            if action == "Delete" and attached:
                raise ArmFailure(
                    400,
                    "BadRequest",
                    f"{name} is an attached compute; Delete would remove a resource "
                    "this workspace does not own. Use underlyingResourceAction=Detach.",
                )
            if action == "Detach" and not attached:
                raise ArmFailure(
                    400,
                    "BadRequest",
                    f"{name} was created by Azure Machine Learning; it can be "
                    "deleted (underlyingResourceAction=Delete), not detached.",
                )
            if derived.busy in ("delete", "detach"):
                raise _busy(name, derived.busy)
            kind = action.lower()
            kind_type = row.body["properties"]["computeType"]
            base = {"AmlCompute": "cluster_delete", "ComputeInstance": "instance_delete"}.get(kind_type, "detach")
            duration = durations[base] / speed
            row.events.append({"t": t, "kind": kind, "duration": duration})
            self.store.put_compute(db, row)
            op = self._operation(db, key, name, kind, t, duration, None)
        return 202, self._async_headers(request, sub, op), None

    # --- actions ------------------------------------------------------------------------------

    def _action(self, request: Request, sub: str, rg: str, ws: str, name: str, action: str) -> Answer:
        if request.method != "POST":
            raise _method_not_allowed(request)
        key = self._workspace_key(sub, rg, ws)
        action = action.lower()
        if action == "listnodes":
            return self._list_nodes(key, name)
        if action == "listkeys":
            row, derived = self._existing(key, name)
            if row is None:
                raise _not_found(name)
            return 200, {}, {"computeType": row.body["properties"]["computeType"]}
        return self._power(request, key, sub, name, action)

    def _list_nodes(self, key: str, name: str) -> Answer:
        row, derived = self._existing(key, name)
        if row is None:
            raise _not_found(name)
        if row.body["properties"]["computeType"] != "AmlCompute":
            raise ArmFailure(
                400,
                "BadRequest",
                f"Nodes can only be listed for compute clusters; {name} is a {row.body['properties']['computeType']}.",
            )
        nodes = [
            {
                "nodeId": node.id,
                "privateIpAddress": f"10.0.0.{4 + i}",
                "publicIpAddress": "127.0.0.1",
                "port": 50000 + i,
                "nodeState": state,
                "runId": None,
            }
            for i, (node, state) in enumerate(derived.nodes)
        ]
        return 200, {}, {"computeType": "AmlCompute", "nodes": nodes}

    def _power(self, request: Request, key: str, sub: str, name: str, action: str) -> Answer:
        speed, durations = catalogue.speed(), catalogue.durations()
        t = now()
        with self.store.write() as db:
            row, derived = self._live(db, key, name, t)
            if row is None:
                raise _not_found(name)
            if row.body["properties"]["computeType"] != "ComputeInstance":
                raise ArmFailure(
                    400,
                    "BadRequest",
                    f"{action} applies to compute instances; {name} is a {row.body['properties']['computeType']}.",
                )
            state = instance_state(derived)
            if derived.busy:
                raise _busy(name, derived.busy)
            allowed = {"start": "Stopped", "stop": "Running", "restart": "Running"}[action]
            if state != allowed:
                code = {
                    "start": "StartComputeInstanceOnlyAllowedInStoppedState",
                    "stop": "StopComputeInstanceOnlyAllowedInRunningState",
                    "restart": "RestartComputeInstanceOnlyAllowedInRunningState",
                }[action]
                raise ArmFailure(
                    400,
                    code,
                    f"{action.capitalize()} Azure ML Compute Instance is only allowed when "
                    f"the instance {name} is in '{allowed.lower()}' state; it is '{state}'.",
                )
            duration = durations[f"instance_{action}"] / speed
            row.events.append({"t": t, "kind": action, "duration": duration})
            self.store.put_compute(db, row)
            op = self._operation(db, key, name, action, t, duration, None)
        return 202, self._async_headers(request, sub, op), None

    # --- location-scoped ---------------------------------------------------------------------------

    def _location(self, request: Request, sub: str, loc: str, what: str) -> Answer:
        if request.method != "GET":
            raise _method_not_allowed(request)
        what = what.lower()
        if what == "vmsizes":
            return 200, {}, {"value": catalogue.sizes()}
        usage = self._usage(sub)
        if what == "usages":
            return 200, {}, {"value": usage}
        quotas = [
            {
                "id": u["id"].replace("/usages/", "/quotas/"),
                "type": f"{PROVIDER}/vmFamily/quotas",
                "limit": u["limit"],
                "name": u["name"],
                "unit": "Count",
                "amlWorkspaceLocation": loc,
            }
            for u in usage
            if u["type"].endswith("vmFamily/usages")
        ]
        return 200, {}, {"value": quotas}

    def _usage(self, sub: str) -> list[dict[str, Any]]:
        quota = catalogue.quotas()
        used = self._cores_in_use(prefix=f"/subscriptions/{sub}/".lower())
        dedicated = sum(v for (fam, tier), v in used.items() if tier == "Dedicated")
        low = sum(v for (fam, tier), v in used.items() if tier == "LowPriority")
        base = f"/subscriptions/{sub}/usages"
        rows = [
            _usage_row(
                base,
                "dedicatedCores",
                "Total Cluster Dedicated Regional vCPUs",
                dedicated,
                quota["totalDedicatedCores"],
                self.location,
            ),
            _usage_row(
                base,
                "lowPriorityCores",
                "Total Cluster LowPriority Regional vCPUs",
                low,
                quota["totalLowPriorityCores"],
                self.location,
            ),
        ]
        for family in quota["families"]:
            name = family["usageName"] + " Cluster Dedicated vCPUs"
            rows.append(
                _usage_row(
                    f"{base}/{name.replace(' ', '_')}",
                    "vmFamily",
                    name,
                    used.get((family["family"], "Dedicated"), 0),
                    family["dedicatedLimit"],
                    self.location,
                )
            )
        return rows

    def _cores_in_use(
        self, prefix: str = "", exclude: tuple[str, str] | None = None, db: Any = None
    ) -> dict[tuple[str, str], int]:
        """vCPUs held right now, by (family, tier): cluster nodes and running instances."""
        t = now()
        if db is None:
            with self.store.read() as conn:
                rows = self.store.all_computes(conn)
        else:
            rows = self.store.all_computes(db)
        used: dict[tuple[str, str], int] = {}
        for row in rows:
            if not row.workspace.startswith(prefix) or (exclude and (row.workspace, row.name.lower()) == exclude):
                continue
            derived = self._derive(row, t)
            if derived.body is None:
                continue
            inner = derived.body["properties"].get("properties") or {}
            size = catalogue.size(str(inner.get("vmSize", "")))
            if size is None:
                continue
            kind = derived.body["properties"]["computeType"]
            if kind == "AmlCompute":
                count = int(inner.get("currentNodeCount") or 0)
                tier = inner.get("vmPriority") or "Dedicated"
            elif kind == "ComputeInstance":
                count = 0 if instance_state(derived) in ("Stopped", "CreateFailed") else 1
                tier = "Dedicated"
            else:
                continue
            key = (size["family"], tier)
            used[key] = used.get(key, 0) + count * int(size["vCPUs"])
        return used

    def _quota_failure(
        self, db: Any, key: str, props: Mapping[str, Any], size: dict[str, Any], exclude: str | None = None
    ) -> dict[str, Any] | None:
        inner = props.get("properties") or {}
        compute_type = props.get("computeType", "AmlCompute")
        if compute_type == "ComputeInstance":
            needed, tier = int(size["vCPUs"]), "Dedicated"
        else:
            scale = inner.get("scaleSettings") or {}
            needed = int(scale.get("maxNodeCount") or 0) * int(size["vCPUs"])
            tier = inner.get("vmPriority") or "Dedicated"
        quota = catalogue.quotas()
        sub_prefix = "/".join(key.split("/")[:3]) + "/"
        used = self._cores_in_use(sub_prefix, (key, exclude.lower()) if exclude else None, db)
        if tier == "LowPriority":
            in_use = sum(v for (_, t), v in used.items() if t == "LowPriority")
            limit, label = int(quota["totalLowPriorityCores"]), "Total Cluster LowPriority Regional vCPUs"
        else:
            family = catalogue.family_quota(size["family"])
            limit = int(family["dedicatedLimit"]) if family else 0
            in_use = used.get((size["family"], "Dedicated"), 0)
            label = (family["usageName"] if family else size["family"]) + " Cluster Dedicated vCPUs"
            total_used = sum(v for (_, t), v in used.items() if t == "Dedicated")
            if needed + total_used > int(quota["totalDedicatedCores"]) and needed + in_use <= limit:
                limit, in_use = int(quota["totalDedicatedCores"]), total_used
                label = "Total Cluster Dedicated Regional vCPUs"
        if needed + in_use <= limit:
            return None
        return {
            "code": "QuotaExceeded",
            "message": (
                f"Operation results in exceeding quota limits of {label}. Maximum allowed: {limit}, "
                f"Current in use: {in_use}, Additional requested: {needed}. Request a quota increase or "
                "choose a smaller size or fewer nodes."
            ),
        }

    # --- operations -----------------------------------------------------------------------------

    def _operation(
        self, db: Any, key: str, name: str, action: str, t: float, duration: float, failure: dict[str, Any] | None
    ) -> OperationRow:
        op = OperationRow(
            str(uuid.uuid4()), key, name, action, t, t + duration, "Failed" if failure else "Succeeded", failure
        )
        self.store.add_operation(db, op)
        self.store.prune_operations(db, t - 7 * 24 * 3600)
        return op

    def _async_headers(self, request: Request, sub: str, op: OperationRow) -> dict[str, str]:
        query = urlencode({"api-version": request.query.get("api-version", API_VERSION), "service": "new"})
        url = (
            f"{request.base_url}/subscriptions/{sub}/providers/{PROVIDER}/locations/{self.location}"
            f"/computeOperationsStatus/{op.id}?{query}"
        )
        return {"Azure-AsyncOperation": url}

    def _operation_answer(self, op: OperationRow) -> Answer:
        status = op.status(now())
        body: dict[str, Any] = {"status": status}
        if status == "Succeeded":
            body["percentComplete"] = 100.0
        elif status in ("Failed", "Canceled"):
            body["error"] = op.error or {"code": "OperationFailed", "message": "The operation failed."}
        return 200, {}, body

    def _operation_status(self, request: Request, sub: str, loc: str, op: str) -> Answer:
        if request.method != "GET":
            raise _method_not_allowed(request)
        with self.store.read() as db:
            row = self.store.get_operation(db, op)
        if row is None:
            raise ArmFailure(404, "NotFound", f"The operation {op} was not found.")
        return self._operation_answer(row)

    # --- helpers ----------------------------------------------------------------------------------

    def _existing(self, key: str, name: str) -> tuple[ComputeRow | None, Derived]:
        with self.store.read() as db:
            return self._live(db, key, name, now())

    def _live(self, db: Any, key: str, name: str, t: float) -> tuple[ComputeRow | None, Derived]:
        """The stored compute and its state at ``t``; (None, …) if it does not exist or its deletion ended."""
        row = self.store.get_compute(db, key, name)
        derived = self._derive(row, t) if row is not None else Derived(None, None, [])
        return (row if derived.body is not None else None), derived

    def _derive(self, row: ComputeRow, t: float) -> Derived:
        return derive(row, t, _scaled(catalogue.durations(), row))

    def _check_schema(self, body: Any, root: str) -> None:
        problems = wire_schema.problems(body, root, "request")
        if problems:
            details = [
                {"code": "InvalidRequestContent", "target": p.split(":", 1)[0], "message": p.split(":", 1)[1].strip()}
                for p in problems
            ]
            raise ArmFailure(400, "BadRequest", "The request content is invalid: " + "; ".join(problems), details)

    def _check_size(self, props: Mapping[str, Any]) -> dict[str, Any] | None:
        compute_type = props["computeType"]
        if compute_type not in ("AmlCompute", "ComputeInstance"):
            return None
        inner = props.get("properties") or {}
        requested = str(inner.get("vmSize") or "STANDARD_DS3_V2")
        size = catalogue.size(requested)
        if size is None or compute_type not in size["supportedComputeTypes"]:
            raise ArmFailure(
                400,
                "BadRequest",
                f"The specified vm size {requested} is not supported for "
                f"{compute_type} in region {self.location}. List the supported sizes with the "
                "vmSizes API (`jupyter compute sizes`).",
            )
        if inner.get("vmPriority") == "LowPriority" and not size["lowPriorityCapable"]:
            raise ArmFailure(400, "BadRequest", f"{size['name']} is not available with low priority.")
        return size

    def _create_event(
        self,
        compute_type: str,
        props: Mapping[str, Any],
        t: float,
        speed: float,
        durations: dict[str, float],
        failure: dict[str, Any] | None,
    ) -> dict[str, Any]:
        inner = props.get("properties") or {}
        event: dict[str, Any] = {"t": t, "kind": "create"}
        if compute_type == "AmlCompute":
            scale = inner.get("scaleSettings") or {}
            event.update(
                duration=durations["cluster_create"] / speed,
                min=int(scale.get("minNodeCount") or 0),
                idle=_idle(scale) / speed,
                prepare=durations["node_prepare"] / speed,
                leave=durations["node_leave"] / speed,
            )
        elif compute_type == "ComputeInstance":
            setup = durations["instance_setup"] / speed
            event.update(duration=durations["instance_create"] / speed + setup, setup=setup)
        else:
            event.update(duration=durations["attach"] / speed, attached=True)
        if failure:
            event["duration"] = min(float(event["duration"]), durations["attach"] / speed)
            event["failed"] = failure
        return event

    def _resource(
        self, row: ComputeRow, derived: Derived, sub: str, rg: str, ws: str, initial: bool = False
    ) -> dict[str, Any]:
        body = copy.deepcopy(derived.body or row.body)
        path = f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{PROVIDER}/workspaces/{ws}/computes/{row.name}"
        props = body.setdefault("properties", {})
        resource = {
            "id": path,
            "name": row.name,
            "type": f"{PROVIDER}/workspaces/computes",
            "location": body.get("location") or self.location,
            "tags": body.get("tags") or {},
            "properties": props,
        }
        if body.get("identity"):
            identity = dict(body["identity"])
            if "SystemAssigned" in identity.get("type", ""):
                identity["principalId"] = str(uuid.uuid5(uuid.NAMESPACE_URL, path))
                identity["tenantId"] = "00000000-0000-0000-0000-0000000000aa"
            if identity.get("userAssignedIdentities"):
                identity["userAssignedIdentities"] = {
                    k: {
                        "principalId": str(uuid.uuid5(uuid.NAMESPACE_URL, k)),
                        "clientId": str(uuid.uuid5(uuid.NAMESPACE_DNS, k)),
                    }
                    for k in identity["userAssignedIdentities"]
                }
            resource["identity"] = identity
        props.setdefault("computeLocation", resource["location"])
        props.setdefault("resourceId", None)
        props.setdefault("provisioningErrors", None)
        props.setdefault("description", None)
        if initial:
            props["provisioningState"] = "Creating"
            props["modifiedOn"] = iso(now())
        _null_secrets(props)
        return resource


def _scaled(durations: dict[str, float], row: ComputeRow) -> dict[str, float]:
    create = row.events[0]
    out = dict(durations)
    if "prepare" in create:
        out["node_prepare"] = float(create["prepare"])
    if "leave" in create:
        out["node_leave"] = float(create["leave"])
    return out


def _idle(scale: Mapping[str, Any]) -> float:
    raw = scale.get("nodeIdleTimeBeforeScaleDown")
    return iso_duration_seconds(str(raw)) if raw else 120.0


def _without_secrets(body: Mapping[str, Any]) -> dict[str, Any]:
    copied = copy.deepcopy(dict(body))
    _null_secrets(copied)
    return copied


def _null_secrets(node: Any) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in SECRET_KEYS and value is not None:
                node[key] = None
            else:
                _null_secrets(value)
    elif isinstance(node, list):
        for item in node:
            _null_secrets(item)


def _usage_row(rid: str, kind: str, name: str, current: int, limit: int, location: str) -> dict[str, Any]:
    return {
        "id": rid,
        "amlWorkspaceLocation": location,
        "type": f"{PROVIDER}/{kind}/usages",
        "unit": "Count",
        "currentValue": current,
        "limit": limit,
        "name": {"value": name, "localizedValue": name},
    }


def _page_size() -> int:
    import os

    try:
        return max(1, int(os.environ.get(PAGE_SIZE_ENV, "100")))
    except ValueError:
        return 100


def _not_found(name: str) -> ArmFailure:
    return ArmFailure(404, "NotFound", f"The compute {name} was not found in this workspace.")


def _busy(name: str, busy: str) -> ArmFailure:
    return ArmFailure(
        409, "Conflict", f"The compute {name} is busy with another operation ({busy}); try again when it has finished."
    )


def _method_not_allowed(request: Request) -> ArmFailure:
    return ArmFailure(405, "MethodNotAllowed", f"{request.method} is not allowed on {request.path}.")
