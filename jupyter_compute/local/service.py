"""ARM semantics of the local workspace: what Azure ML answers, for each compute request.

``LocalService.handle(request)`` returns ``(status, headers, body)``. It checks requests as the
service does (schema of the REST spec, name rules, sizes, vCPU quota, conflicts) and answers with
ARM error envelopes and the long-running-operation headers the real service sends (recordings:
PUT 201, DELETE/start/stop/restart 202, all with ``Azure-AsyncOperation`` pointing at a
subscription-scoped ``computeOperationsStatus`` URL). Which handler answers is one table of
(method, route); a path no route knows is 404, a method its route does not take is 405. It also
answers what the user can see (:mod:`.directory`): the subscriptions, their workspaces in several
regions and kinds, and a subscription that refuses with 403.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from .. import settings as settings_module
from ..data import catalogue
from ..settings import Settings
from . import quota
from .computes import Computes, retention, save
from .directory import Directory
from .routes import PROVIDER, Answer, ArmFailure, Request, Target, method_not_allowed, resolve
from .store import Store

Handler = Callable[[Request, Target], Answer]
# The RBAC action word of each method, for the 403 of a subscription that refuses.
_ACTIONS = {"GET": "read", "PUT": "write", "PATCH": "write", "DELETE": "delete", "POST": "action"}

__all__ = ["ArmFailure", "LocalService", "Request"]


class LocalService:
    """The workspace over ``store``. ``settings``: the knobs to use (default: ``settings.current()``, asked
    on each request); ``clock``: seconds since the epoch (tests pass a fixed one)."""

    def __init__(self, store: Store, settings: Settings | None = None, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self._settings = settings
        self.clock = clock
        self.location = catalogue.default_location()
        self.computes = Computes(store, lambda: self.settings, clock, self.location)
        self.directory = Directory(lambda: self.settings, self.location)
        self.handlers: dict[tuple[str, str], Handler] = {
            ("GET", "subscriptions"): self.directory.subscriptions,
            ("GET", "workspaces"): self.directory.workspaces,
            ("GET", "workspace"): self._workspace,
            ("GET", "computes"): self.computes.list,
            ("GET", "compute"): self.computes.get,
            ("PUT", "compute"): self.computes.put,
            ("PATCH", "compute"): self.computes.patch,
            ("DELETE", "compute"): self.computes.delete,
            ("POST", "action"): self.computes.action,
            ("GET", "location"): self._location,
            ("GET", "operation_status"): self._operation_status,
        }
        self._account_older_rows()

    @property
    def settings(self) -> Settings:
        return self._settings if self._settings is not None else settings_module.current()

    def handle(self, request: Request) -> Answer:
        """The answer to ``request``. Its body is for reading or sending only: lists share the renderings of
        computes that no longer change between answers."""
        try:
            if "api-version" not in request.query:
                raise ArmFailure(
                    400,
                    "MissingApiVersionParameter",
                    "The api-version query parameter (?api-version=) is required for all requests.",
                )
            target = resolve(request.path)
            if target is None:
                raise ArmFailure(404, "InvalidResourceType", f"The resource path '{request.path}' is not known.")
            handler = self.handlers.get((request.method, target.route))
            if handler is None:
                raise method_not_allowed(request)
            self.directory.refuse_if_barred(target, f"{PROVIDER}/workspaces/{_ACTIONS[request.method]}")
            return handler(request, target)
        except ArmFailure as failure:
            return failure.answer()

    def _account_older_rows(self) -> None:
        """Work out the gone time and vCPUs of rows an older version stored without them (once)."""
        with self.store.read() as db:
            pending = self.store.unaccounted(db)
        if not pending:
            return
        with self.store.write() as db:  # read again inside the transaction: another process may have done it
            for row in self.store.unaccounted(db):
                save(self.store, db, row)

    # --- the workspace and its region --------------------------------------------------------------

    def _workspace(self, request: Request, target: Target) -> Answer:
        """A workspace the directory lists answers as listed (its region and kind); any other path answers
        as the local workspace, in the default region (so a workspace named in a test exists)."""
        scope = target.workspace
        entry = self.directory.find(scope)
        if entry is not None:
            return 200, {}, self.directory.workspace_body(entry)
        return (
            200,
            {},
            {
                "id": scope.path,
                "name": scope.ws,
                "type": f"{PROVIDER}/workspaces",
                "location": self.location,
                "tags": {},
                "kind": "Default",
                "sku": {"name": "Basic", "tier": "Basic"},
                "properties": {
                    "friendlyName": scope.ws,
                    "provisioningState": "Succeeded",
                    "description": "jupyter-compute local workspace",
                    # stable for a workspace path, as the service's is for a workspace
                    "workspaceId": str(uuid.uuid5(uuid.NAMESPACE_URL, scope.key)),
                },
            },
        )

    def _location(self, request: Request, target: Target) -> Answer:
        if target.what == "vmsizes":
            return 200, {}, {"value": catalogue.sizes()}
        with self.store.read() as db:
            used = self.store.usage(db, target.sub, self.clock())
        usage = quota.usages(target.sub, used, self.location)
        if target.what == "usages":
            return 200, {}, {"value": usage}
        return 200, {}, {"value": quota.quotas(usage, target.location)}

    def _operation_status(self, request: Request, target: Target) -> Answer:
        with self.store.read() as db:
            op = self.store.get_operation(db, target.operation)
        if op is None:
            raise ArmFailure(404, "NotFound", f"The operation {target.operation} was not found.")
        t = self.clock()
        status = op.status(t)
        if status != "InProgress" and (op.seen is None or op.seen < t - retention(self.settings) / 2):
            with self.store.write() as db:  # still followed: kept a retention from now (one write per half)
                self.store.saw_operation(db, op.id, t)
        body: dict[str, Any] = {"status": status}
        if status == "Succeeded":
            body["percentComplete"] = 100.0
        elif status in ("Failed", "Canceled"):
            body["error"] = op.error or {"code": "OperationFailed", "message": "The operation failed."}
        return 200, {}, body
