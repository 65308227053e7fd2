"""The Python API every front end calls: a Workspace with one method per verb.

    ws = Workspace.resolve()            # explicit > config.json > AZUREML_ARM_* env > local
    op = ws.create(AmlComputeSpec.from_keywords(name="cpu", size="Standard_DS3_v2", max_instances=4))
    op.wait(); ws.list(); ws.delete("cpu")

Long verbs return an :class:`~jupyter_compute.service.operation.Operation` at once, whatever the
network: only the checks that need no request run before (spec and schema validation, names,
secrets). The checks that need the service (does the compute exist, and with the same settings;
is the size offered and does it fit the quota) and the request itself run in the operation's
background as its first phases, and a failure there ends it refused, with nothing sent after it.
The workspace's single tracker then follows every operation. Nothing here prints or renders: front
ends do.

A facade: each verb is a few lines over the modules that own its parts, :mod:`.connection` (the client,
the region, the reads), :mod:`.submission` (the background and its order), :mod:`.creation` (a create's
checks), :mod:`.planning` (the requests, pure), :mod:`.changes` (what ``update`` changes),
:mod:`.regions` (the pre-flight's facts), :mod:`.bill` (prices), :mod:`.following` (a compute caught
mid-change), :mod:`.registry` (one Workspace per workspace) and the tracker.
"""

from __future__ import annotations

import builtins
import logging
import threading
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import AuthenticationError, NotFound, ServiceError, TransportError, ValidationError
from ..model.costs import Costs, Estimate, sized
from ..model.doctor import Diagnosis, diagnose, start_note
from ..model.kinds import CLUSTER, find
from ..model.resource import Compute, ComputeList
from ..model.schema import Shape
from ..model.specs import ComputeSpec, Schedule, identity_ids, with_identity
from ..model.specs.scale import ScaleSettings
from ..model.wire import ArmRequest
from . import creation, planning, registry
from . import preflight as checks
from .bill import Bill
from .changes import Changes
from .connection import WRITTEN, Connection, TrackerSource
from .following import caught
from .operation import Operation, Updater
from .planning import compare
from .prices import PriceBook
from .ref import WorkspaceRef, read_config, resolve
from .regions import Regions
from .submission import Submissions, Work, accepted, checked
from .tracker import Poller, list_interval, poll_interval

if TYPE_CHECKING:
    from ..model.prices import RegionPrices
    from ..transport.arm import ArmClient

REGION_LATER = "the workspace's region will be filled in when sent"

log = logging.getLogger(__name__)
__all__ = ["Workspace", "compare"]


class Workspace:
    """One Azure ML workspace (or the local one): every compute verb, over one ARM client and one tracker."""

    def __init__(self, ref: WorkspaceRef) -> None:
        self.ref = ref
        self._connection = Connection(ref)
        self._submissions = Submissions()
        self._regions = Regions(self.sizes, self.usage, self._submissions.beside)
        self._bill = Bill(ref, self.location)
        self._poller: Poller | None = None
        self._lock = threading.Lock()

    # --- finding a workspace -------------------------------------------------------------------

    @classmethod
    def shared(cls, ref: WorkspaceRef) -> Workspace:
        """The shared Workspace of ``ref`` in this process (so all front ends share one poller)."""
        return registry.shared(ref, cls)

    @classmethod
    def forget_shared(cls) -> builtins.list[Workspace]:
        """Forget every shared Workspace (the next ``shared`` makes a new one, which reads its region
        again); those forgotten. For tests, which start afresh."""
        return [ws for ws in registry.clear() if isinstance(ws, Workspace)]

    @classmethod
    def resolve(cls, explicit: WorkspaceRef | None = None, *, announce: bool = True) -> Workspace:
        return cls.shared(resolve(explicit, announce=announce))

    @classmethod
    def configured(cls, start: Path | None = None) -> tuple[Workspace, ValidationError | None]:
        """The workspace a notebook in ``start`` (default: here) would use, or the local one and why when
        the configuration (config.json, environment) is invalid: the panel still opens and says what is
        wrong. Never announces the local workspace (the panel's header names it)."""
        try:
            return cls.shared(resolve(start=start, announce=False)), None
        except ValidationError as exc:
            return cls.local(), exc

    @classmethod
    def local(cls) -> Workspace:
        return cls.shared(WorkspaceRef.local_workspace())

    @classmethod
    def azure(
        cls, subscription_id: str, resource_group: str, workspace_name: str, *, cloud: str | None = None
    ) -> Workspace:
        return cls.shared(WorkspaceRef.azure(subscription_id, resource_group, workspace_name, cloud_name=cloud))

    @classmethod
    def from_config(cls, path: str | None = None) -> Workspace:
        if path is None:
            from .ref import find_config

            found = find_config()
            if found is None:
                raise ValidationError.one("config", "no config.json found in this folder, its parents or .azureml/")
            path = str(found)
        return cls.shared(read_config(path))

    # --- plumbing ------------------------------------------------------------------------------

    def _client(self) -> ArmClient:
        return self._connection.client()

    @property
    def poller(self) -> Poller:
        with self._lock:
            if self._poller is None:
                interval = poll_interval(self.ref.local, self._connection.speed())
                source = TrackerSource(self._connection)
                pace = self._connection.pace
                self._poller = Poller(source, interval, list_every=list_interval(interval), pace=pace)
            return self._poller

    def stop_watching(self) -> None:
        """Stop watching every operation followed here (they go on in the service); makes no poller."""
        with self._lock:
            poller = self._poller
        for op in poller.in_flight() if poller is not None else ():
            op.cancel()

    def location(self, *, quick: bool = False) -> str:
        """The workspace's region, read once per Workspace and kept ("" if the workspace names none).

        ``quick``: one try with a short timeout and no retries (for previews); the error of that one
        try is raised as usual (TransportError, AuthenticationError, ServiceError)."""
        return self._connection.location(quick=quick)

    def details(self) -> dict[str, Any]:
        """The workspace's ARM resource as the service reports it now (id, location, tags, sku,
        properties …); read on every call, as v1's ``get_details()`` does. Its region is kept."""
        return self._connection.details()

    def list_bodies(self) -> builtins.list[dict[str, Any]]:
        """One listing of the workspace's computes as the service answers them (the panel draws its rows and
        its bill from one such listing; :meth:`list` wraps them as computes)."""
        return self._connection.list_computes()

    def _launch(self, action: str, name: str, work: Work, compute_type: str = "") -> Operation:
        """An operation of ``action`` on ``name``, in flight at once, ``work`` submitted in its background."""
        return self._submissions.launch(self._new(action, name, compute_type), work, self.poller.track)

    def _new(self, action: str, name: str, compute_type: str = "", min_nodes: int = 0) -> Updater:
        return Updater(
            action,
            name,
            compute_type,
            resource_url=self.ref.compute_url(name),
            typical=self._connection.typical(action, compute_type, min_nodes),
            clock=self.poller.clock,
        )

    # --- requests (also used by --dry-run) -------------------------------------------------------

    def plan_create(self, spec: ComputeSpec) -> ArmRequest:
        """The exact PUT a create or attach sends (secrets still wrapped). Its ``location`` is the
        spec's, else the workspace's region (read once), as az ml, azure-ai-ml and azureml-core send it."""
        return planning.put(self.ref, spec, spec.location or self.location() or None)

    def preview_create(self, spec: ComputeSpec) -> tuple[ArmRequest, str | None]:
        """For --dry-run: the request :meth:`plan_create` gives, and a note when it cannot be complete.

        The region is read with one quick try (:meth:`location` ``quick``); if the workspace cannot be
        reached, the request comes without ``location`` and the note says it will be filled in when sent."""
        if spec.location:
            return planning.put(self.ref, spec, spec.location), None
        try:
            region = self.location(quick=True)
        except (TransportError, AuthenticationError, ServiceError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            return planning.put(
                self.ref, spec, None
            ), f"note: location: {REGION_LATER} (could not read it now: {reason})"
        return planning.put(self.ref, spec, region or None), None

    def plan_delete(self, name: str, action: str = "Delete") -> ArmRequest:
        return planning.delete(self.ref, name, action)

    def plan_power(self, name: str, action: str) -> ArmRequest:
        return planning.power(self.ref, name, action)

    def plan_resize(self, name: str, scale: Mapping[str, Any]) -> ArmRequest:
        return planning.resize(self.ref, name, scale)

    def plan_update(self, name: str, **changes: Any) -> ArmRequest:
        """For --dry-run: the request :meth:`update` would send now (reads the compute; sends nothing)."""
        compute = self.get(name)
        return planning.update(self.ref, Changes.checked(**changes).plan(self.ref, compute), compute)

    # --- create and attach ---------------------------------------------------------------------

    def create(self, spec: ComputeSpec, *, preflight: bool = True) -> Operation:
        """Create a cluster or instance. Never replaces: an existing compute with the same settings is
        reported and followed (nothing is sent); one with different settings refuses the operation with
        what differs. With ``preflight``, the size and the vCPU quota are checked before the PUT."""
        if spec.ATTACHED:
            raise ValidationError.one("type", f"a {spec.TITLE} is attached, not created; use attach")
        return self._put(spec, "create", preflight)

    def attach(self, spec: ComputeSpec) -> Operation:
        if not spec.ATTACHED:
            raise ValidationError.one("type", f"a {spec.TITLE} is created, not attached; use create")
        return self._put(spec, "attach", False)

    def _put(self, spec: ComputeSpec, action: str, preflight: bool) -> Operation:
        spec = spec.resolve_secrets()
        # The schema check needs no request: with the region unknown yet, the body is checked without it.
        known = self._connection.known_location
        planned = planning.put(self.ref, spec, spec.location or known or None)
        work = creation.work(
            spec,
            connection=self._connection,
            submissions=self._submissions,
            regions=self._regions,
            preflight=preflight and checks.applies(spec),
            planned=planned if spec.location or known is not None else None,
            after=lambda updates: self._price_later(updates, spec) if action == "create" and sized(spec) else None,
        )
        min_nodes = int(getattr(spec, "min_instances", 0) or 0)
        updates = self._new(action, spec.name, spec.COMPUTE_TYPE, min_nodes)
        return self._submissions.launch(updates, work, self.poller.track)

    def preflight(self, spec: ComputeSpec) -> None:
        """Refuse a create whose size is not offered in the region (ValidationError) or whose vCPUs do
        not fit the quota (QuotaExceeded). Reads the region, its sizes and its usages."""
        if not checks.applies(spec):
            return
        location = spec.location or self.location()
        self._regions.check(spec, location, self._regions.facts(location))

    # --- reading ------------------------------------------------------------------------------

    def get(self, name: str) -> Compute:
        return self._connection.get(name)

    def list(self, kind: str | None = None, *, outdated: bool = False) -> ComputeList:
        """The workspace's computes; only those of ``kind``; only ``outdated`` instances (an OS image that is
        not the latest, by the service's ``osImageMetadata``)."""
        computes = ComputeList(Compute(body, emulated=self.ref.local) for body in self.list_bodies())
        if kind:
            wanted = find(kind).compute_type
            computes = ComputeList(c for c in computes if c.compute_type == wanted)
        if outdated:
            computes = ComputeList(c for c in computes if c.outdated_image)
        return computes

    def nodes(self, name: str) -> builtins.list[dict[str, Any]]:
        url = self.ref.compute_url(name, "listNodes")
        return list(self._client().list_all(url, "nodes", method="POST", expect=Shape("AmlComputeNodesInformation")))

    def sizes(self, location: str | None = None) -> builtins.list[dict[str, Any]]:
        url = self.ref.location_url(location or self.location(), "vmSizes")
        body = self._client().get(url, expect=Shape("VirtualMachineSizeListResult")).body or {}
        return list(body.get("value") or [])

    def usage(self, location: str | None = None) -> builtins.list[dict[str, Any]]:
        url = self.ref.location_url(location or self.location(), "usages")
        return list(self._client().list_all(url, expect=Shape("ListUsagesResult")))

    def quotas(self, location: str | None = None) -> builtins.list[dict[str, Any]]:
        url = self.ref.location_url(location or self.location(), "quotas")
        return list(self._client().list_all(url, expect=Shape("ListWorkspaceQuotas")))

    def doctor(self, name: str | None = None, *, now: datetime | None = None) -> builtins.list[Diagnosis]:
        """Why ``name`` (or, with no name, each compute of the workspace) is in the state it is, and what to
        do (:mod:`..model.doctor`). One compute: it, its nodes (a cluster) and its region's usages and sizes
        (a cluster that may grow). The workspace: one list, and its region's usages and sizes once."""
        from datetime import timezone

        when = now or datetime.now(timezone.utc)
        if name is not None:
            compute = self.get(name)
            nodes = self.nodes(name) if compute.compute_type == CLUSTER.compute_type else None
            usages, sizes = self._quota_facts([compute])
            return [diagnose(compute, when, nodes=nodes, usages=usages, sizes=sizes)]
        computes = self.list()
        usages, sizes = self._quota_facts(computes)
        return [diagnose(c, when, usages=usages, sizes=sizes) for c in computes]

    def _quota_facts(
        self, computes: Sequence[Compute]
    ) -> tuple[builtins.list[dict[str, Any]] | None, builtins.list[dict[str, Any]] | None]:
        """The region's usages and sizes when a cluster of ``computes`` may grow (else None: not read)."""
        if not any(c.compute_type == CLUSTER.compute_type and not c.attached for c in computes):
            return None, None
        return self.usage(), self.sizes()

    # --- prices and the running bill -------------------------------------------------------------

    @property
    def price_book(self) -> PriceBook:
        """The VM prices of this workspace's cloud (the local workspace's stand-in for the local one)."""
        return self._bill.price_book

    def prices(self, location: str | None = None) -> RegionPrices:
        """The VM prices per hour of a region (default: the workspace's); never raises for prices that
        cannot be had: the answer's ``problem`` says why."""
        return self._bill.prices(location)

    def estimate(self, spec: ComputeSpec, *, quick: bool = False) -> Estimate:
        """What a cluster or instance of ``spec`` would cost an hour (at most, and always on)."""
        return self._bill.estimate(spec, quick=quick)

    def costs(
        self,
        *,
        now: float | None = None,
        listed: Sequence[Mapping[str, Any]] | None = None,
        prices_deadline: float | None = None,
    ) -> Costs:
        """The running bill: for each cluster and instance what runs now × its price an hour, the total,
        and the instances running with neither idle shutdown nor a stop schedule. One list request (none
        when ``listed``, a listing the caller has, such as the poller's last, is given), and the prices
        of each region the computes are in (cached for a day), all by one deadline (``prices_deadline``, on
        ``time.monotonic``: a command's over several workspaces; default: this lookup's own)."""
        computes = (
            self.list() if listed is None else ComputeList(Compute(body, emulated=self.ref.local) for body in listed)
        )
        return self._bill.costs(computes, now, prices_deadline=prices_deadline)

    def _price_later(self, updates: Updater, spec: ComputeSpec) -> None:
        """Price the compute ``updates`` creates in the submissions' pool, after the request: pricing never
        delays it. A script that exits right after its creates leaves the pool shut to new jobs while the
        requests finish: the creates stand, unpriced (nobody is left to show it)."""

        def price() -> None:
            try:
                updates.estimated(self.estimate(spec))
            except Exception:  # a defect of ours must not touch the operation; it leaves a trace
                log.warning("jupyter-compute: pricing %s failed", spec.name, exc_info=True)

        if not self._submissions.later(price):
            log.debug("jupyter-compute: %s not priced: the interpreter is exiting", spec.name)

    # --- changing ---------------------------------------------------------------------------------

    def delete(self, name: str) -> Operation:
        """Delete a compute this workspace created (cluster, instance). Attached ones are refused: detach them."""
        return self._launch("delete", name, lambda updates: self._delete(updates, name, "delete"))

    def detach(self, name: str) -> Operation:
        return self._launch("detach", name, lambda updates: self._delete(updates, name, "detach"))

    def _delete(self, updates: Updater, name: str, action: str) -> None:
        compute = checked(self._connection, updates, name)
        planning.refuse_unless_owned(compute, action)
        updates.send()
        response = self._connection.send(self.plan_delete(compute.name, action.capitalize()))
        if response.status == 204:
            raise NotFound("NotFound", f"{compute.name} does not exist (it may have just been deleted)")
        accepted(self._connection, updates, response, compute.body)

    def start(self, name: str) -> Operation:
        return self._power(name, "start")

    def stop(self, name: str) -> Operation:
        return self._power(name, "stop")

    def restart(self, name: str) -> Operation:
        return self._power(name, "restart")

    def _power(self, name: str, action: str) -> Operation:
        def work(updates: Updater) -> None:
            compute = checked(self._connection, updates, name)
            planning.refuse_unless_taken(compute, action)
            updates.noted(start_note(compute, action) or updates.operation.note)
            updates.send()
            accepted(self._connection, updates, self._connection.send(self.plan_power(name, action)), compute.body)

        return self._launch(action, name, work)

    def resize(
        self,
        name: str,
        *,
        min_nodes: int | str | None = None,
        max_nodes: int | str | None = None,
        idle_seconds: int | str | None = None,
    ) -> Operation:
        """Change a cluster's min/max nodes or idle time before scale-down (PATCH scaleSettings).
        The values are checked at once; then, in the background, the cluster is read, the merged
        settings checked (min <= max) and the PATCH sent."""
        changes = ScaleSettings.checked(min_nodes=min_nodes, max_nodes=max_nodes, idle_seconds=idle_seconds)

        def work(updates: Updater) -> None:
            compute = checked(self._connection, updates, name)
            planning.refuse_unless_taken(compute, "resize")
            merged = changes.onto(compute.scale_settings)
            updates.send()
            response = self._connection.send(self.plan_resize(name, merged), expect=WRITTEN)
            accepted(self._connection, updates, response, response.body)

        return self._launch("resize", name, work, CLUSTER.compute_type)

    def update(
        self,
        name: str,
        *,
        idle_shutdown: int | str | None = None,
        schedules: Sequence[Schedule | Mapping[str, Any]] | Mapping[str, Any] | None = None,
        add_schedules: Sequence[Schedule | Mapping[str, Any]] = (),
        remove_schedules: Sequence[int | str] = (),
        size: str | None = None,
        description: str | None = None,
        tags: Mapping[str, str] | Sequence[str] | str | None = None,
        custom_applications: Sequence[Mapping[str, Any]] | Mapping[str, Any] | None = None,
        enable_sso: bool | None = None,
    ) -> Operation:
        """Change a compute after its creation (see :mod:`.changes` for what goes by which request):

        * an instance's ``idle_shutdown`` (minutes, or ISO-8601 ``PT60M``; 15 minutes to 3 days);
        * its start/stop ``schedules`` in the az ml YAML form (the whole list; ``[]`` removes them all),
          or ``add_schedules`` and ``remove_schedules`` (positions from 1, as ``show`` numbers them);
        * its ``size``, while it is stopped (alone);
        * its ``custom_applications`` in the az ml YAML form (the whole list; ``[]`` removes them all; alone);
        * its single sign-on, ``enable_sso`` True or False (az ml's ``compute enable-sso``; alone);
        * a cluster's ``description`` and ``tags`` (a mapping; ``{}`` removes them all).

        The values are checked at once; the compute is read in the background, and what the service does
        not allow (an instance's size while it runs, a cluster's size, an instance's description …) ends
        the operation refused, naming the field, before anything is sent."""
        changes = Changes.checked(
            idle_shutdown=idle_shutdown,
            schedules=schedules,
            add_schedules=add_schedules,
            remove_schedules=remove_schedules,
            size=size,
            description=description,
            tags=tags,
            custom_applications=custom_applications,
            enable_sso=enable_sso,
        )

        def work(updates: Updater) -> None:
            compute = checked(self._connection, updates, name)
            plan = changes.plan(self.ref, compute)
            if plan.action != updates.operation.action:
                updates.retarget(
                    action=plan.action, typical=self._connection.typical(plan.action, compute.compute_type)
                )
            request = planning.update(self.ref, plan, compute)
            updates.send()
            response = self._connection.send(request, expect=WRITTEN)
            accepted(self._connection, updates, response, response.body or compute.body)

        return self._launch("resize" if changes.size else "update", name, work)

    def add_identity(self, name: str, *, system_assigned: bool = False, user_assigned: Sequence[str] = ()) -> Operation:
        """Add a system- or user-assigned managed identity to an existing compute (PUT of the same compute).
        The identity ids are checked at once; the compute is read and merged with them in the background."""
        ids = identity_ids(system_assigned=system_assigned, user_assigned=user_assigned)

        def work(updates: Updater) -> None:
            compute = checked(self._connection, updates, name)
            spec = with_identity(compute.spec, system_assigned=system_assigned, user_assigned=ids, kind=compute.kind)
            updates.send()
            response = self._connection.send(planning.replace(self.ref, spec), expect=WRITTEN)
            accepted(self._connection, updates, response, response.body)

        return self._launch("update", name, work)

    # --- what only the local workspace can be made to do (demos, tests) ----------------------------

    def simulate_new_image(self, version: str) -> str:
        """Publish OS image ``version`` (YY.MM.DD) in the local workspace: instances made before it are no
        longer on the latest image; new ones get it. Refused for an Azure workspace."""
        body = self._control("images", {"latest": version})
        return str(body.get("latest") or "")

    def simulate_job(self, cluster: str, run_id: str | None, nodes: int = 1) -> builtins.list[dict[str, Any]]:
        """Mark ``nodes`` idle nodes of ``cluster`` in the local workspace busy with job ``run_id`` (None: no
        job runs on them any more); its nodes as listed after. Refused for an Azure workspace."""
        path = self.ref.compute_url(cluster).split("?", 1)[0].removeprefix(self.ref.base_url())
        body = self._control("jobs", {"compute": path, "runId": run_id, "nodes": nodes})
        return list(body.get("nodes") or [])

    def _control(self, endpoint: str, body: Mapping[str, Any]) -> Mapping[str, Any]:
        if not self.ref.local:
            raise ValidationError.one(
                "workspace", f"{self.ref.describe()} is an Azure workspace: only the local workspace simulates"
            )
        answer = self._connection.send(ArmRequest("POST", f"{self.ref.base_url()}/_emulator/{endpoint}", body)).body
        return answer if isinstance(answer, Mapping) else {}

    # --- following ---------------------------------------------------------------------------------

    def operations(self) -> builtins.list[Operation]:
        """Operations in flight: those started here, and computes caught mid-change (after a restart)."""
        ops = self.poller.in_flight()
        followed = {op.target.lower() for op in ops}
        for body in self.list_bodies():
            action = Compute(body).transitional
            name = str(body.get("name", ""))
            if action and name.lower() not in followed:
                ops.append(self.follow(name, body))
        return ops

    def follow(self, name: str, body: Mapping[str, Any] | None = None) -> Operation:
        """An Operation that follows whatever ``name`` is doing now to its end (used by wait and ops).
        A request for ``name`` still being submitted here (an operation no longer watched) is waited for."""
        running = self.poller.following(name)
        if running is not None:
            return running
        self._submissions.wait_for(name)
        body = body if body is not None else self.get(name).body
        url = self.ref.compute_url(name)
        updates = caught(name, body, resource_url=url, typical=self._connection.typical, clock=self.poller.clock)
        if updates.operation.done():
            return updates.operation
        return self.poller.track(updates, found=True)

    def wait(self, name: str, timeout: float | None = None) -> Operation:
        return self.follow(name).wait(timeout)

    def __repr__(self) -> str:
        return f"<Workspace {self.ref.describe()}>"
