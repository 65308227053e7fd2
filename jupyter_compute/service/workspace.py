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
"""

from __future__ import annotations

import builtins
import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .. import settings
from ..errors import (
    AuthenticationError,
    Conflict,
    NotFound,
    Problem,
    QuotaExceeded,
    ServiceError,
    TransportError,
    UntrustedLink,
    ValidationError,
)
from ..model.costs import Costs, Estimate, estimate, running_costs, sized
from ..model.doctor import Diagnosis, diagnose, start_note
from ..model.documents import spec_from_arm
from ..model.kinds import CLUSTER, INSTANCE, find, of_compute_type, taking, word_of
from ..model.prices import DEDICATED, LOW_PRIORITY, RegionPrices, unknown
from ..model.progress import typical_duration
from ..model.resource import Compute, ComputeList
from ..model.schema import Shape
from ..model.specs import ComputeSpec
from ..model.specs._base import WithIdentity, _identity_problems
from ..model.specs._fields import USER_IDENTITY_ID, Invalid, integer, seconds, seconds_to_iso
from ..model.specs._instance_parts import Schedule
from ..model.wire import ArmRequest, masked
from ..transport import lro
from . import preflight as checks
from .changes import Changes, Plan
from .operation import Operation, State
from .prices import PriceBook
from .ref import WorkspaceRef, read_config, resolve
from .tracker import Poller, list_interval, poll_interval

if TYPE_CHECKING:
    from ..transport.arm import ArmClient, Response

# A preview reads the workspace's region once, without the transport's retries: a dry run must not wait
# through minutes of backoff for a workspace it cannot reach.
PREVIEW_TIMEOUT = 10.0
REGION_LATER = "the workspace's region will be filled in when sent"
THE_WORKSPACE = Shape("Workspace")  # the workspace's GET (its region)
COMPUTE = Shape("ComputeResource")  # a compute's GET
WRITTEN = Shape("ComputeResource", may_be_empty=True)  # a PUT's or PATCH's answer
SUBMISSIONS = 8  # submissions of one workspace under way at once (more wait their turn, already shown)
READS = 8  # a submission's reads under way at once (they wait on nothing: a pool of their own cannot deadlock)

log = logging.getLogger(__name__)
T = TypeVar("T")
_instances: dict[WorkspaceRef, Workspace] = {}
_instances_lock = threading.Lock()


class Workspace:
    """One Azure ML workspace (or the local one): every compute verb, over one ARM client and one tracker."""

    def __init__(self, ref: WorkspaceRef) -> None:
        self.ref = ref
        self._arm: ArmClient | None = None
        self._poller: Poller | None = None
        self._location: str | None = None
        self._lock = threading.Lock()
        self._submitting: set[Operation] = set()  # operations whose checks and request are under way
        self._pool: ThreadPoolExecutor | None = None
        self._reads: ThreadPoolExecutor | None = None
        self._regions: dict[str, tuple[float, builtins.list[dict[str, Any]], builtins.list[dict[str, Any]]]] = {}
        self._prices: PriceBook | None = None

    # --- finding a workspace -------------------------------------------------------------------

    @classmethod
    def shared(cls, ref: WorkspaceRef) -> Workspace:
        """The shared Workspace of ``ref`` in this process (so all front ends share one poller)."""
        with _instances_lock:
            if ref not in _instances:
                _instances[ref] = cls(ref)
            return _instances[ref]

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
        with self._lock:
            if self._arm is None:
                from ..transport.arm import connect

                self._arm = connect(self.ref.base_url(), self.ref.cloud, local=self.ref.local)
            return self._arm

    @property
    def poller(self) -> Poller:
        with self._lock:
            if self._poller is None:
                interval = poll_interval(self.ref.local, self._speed())
                self._poller = Poller(_Source(self), interval, list_every=list_interval(interval), pace=self._pace)
            return self._poller

    def _pace(self) -> float:
        """How many times slower to poll: what the service said is left of the subscription's reads."""
        arm = self._arm
        return arm.rates.pace() if arm is not None else 1.0

    def _speed(self) -> float:
        return settings.current().speed if self.ref.local else 1.0

    def location(self, *, quick: bool = False) -> str:
        """The workspace's region, read once per Workspace and kept ("" if the workspace names none).

        ``quick``: one try with a short timeout and no retries (for previews); the error of that one
        try is raised as usual (TransportError, AuthenticationError, ServiceError)."""
        if self._location is None:
            if quick:
                from ..transport.arm import connect

                ref = self.ref
                client = connect(ref.base_url(), ref.cloud, local=ref.local, timeout=PREVIEW_TIMEOUT, retries=0)
                try:
                    body = client.get(self.ref.workspace_url(), expect=THE_WORKSPACE).body or {}
                finally:
                    client.close()
            else:
                body = self._client().get(self.ref.workspace_url(), expect=THE_WORKSPACE).body or {}
            self._location = str(body.get("location") or "")
        return self._location

    def details(self) -> dict[str, Any]:
        """The workspace's ARM resource as the service reports it now (id, location, tags, sku,
        properties …); read on every call, as v1's ``get_details()`` does. Its region is kept."""
        body: dict[str, Any] = dict(self._client().get(self.ref.workspace_url(), expect=THE_WORKSPACE).body or {})
        if self._location is None:
            self._location = str(body.get("location") or "")
        return body

    def _list_raw(self) -> builtins.list[dict[str, Any]]:
        return list(self._client().list_all(self.ref.computes_url(), expect=Shape("PaginatedComputeResourcesList")))

    def list_bodies(self) -> builtins.list[dict[str, Any]]:
        """One listing of the workspace's computes as the service answers them (the panel draws its rows and
        its bill from one such listing; :meth:`list` wraps them as computes)."""
        return self._list_raw()

    def _get_raw(self, name: str) -> dict[str, Any] | None:
        try:
            body: dict[str, Any] = self._client().get(self.ref.compute_url(name), expect=COMPUTE).body
            return body
        except NotFound:
            return None

    # --- operations: made at once, submitted in their background ---------------------------------

    def _new(self, action: str, name: str, compute_type: str = "", min_nodes: int = 0) -> Operation:
        return Operation(
            action,
            name,
            compute_type,
            resource_url=self.ref.compute_url(name),
            typical=self._typical(action, compute_type, min_nodes),
            clock=self.poller.clock,
        )

    def _typical(self, action: str, compute_type: str, min_nodes: int = 0) -> float:
        from ..data import catalogue

        return typical_duration(action, compute_type, catalogue.durations(), min_nodes) / self._speed()

    def _launch(self, op: Operation, work: Callable[[Operation], None]) -> Operation:
        """Follow ``op`` from now (it is in flight at once) and run ``work`` in its background: the checks
        that need the service, then the request, ending with :meth:`_accepted`. What ``work`` raises ends
        ``op`` refused; it must raise before the request, so that nothing is half-done. Submissions for one
        compute go in the order of the calls (a delete right after a create checks after the create's PUT)."""
        with self._lock:
            earlier = [o for o in self._submitting if o.target.lower() == op.target.lower()]
            self._submitting.add(op)

        def in_turn(op: Operation) -> None:
            for before in earlier:
                if not before._settled.is_set():
                    op._phase(f"Waiting for the {before.action} of {before.target}")
                    before._settled.wait()
                    op._phase("Checking")
            work(op)

        def over() -> None:
            with self._lock:
                self._submitting.discard(op)

        self.poller.track(op)
        return op._submit(in_turn, over, runner=self._submitter().submit)

    def _submitter(self) -> ThreadPoolExecutor:
        """The pool submissions run in: its idle threads take the next one at once (starting a thread
        waits for it to run, which a busy process can make slow). Its threads are not daemons: the
        interpreter finishes their requests before it exits."""
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(SUBMISSIONS, thread_name_prefix="jupyter-compute-submit")
            return self._pool

    def _accepted(self, op: Operation, response: Response, resource: Mapping[str, Any] | None) -> None:
        """The service accepted ``op``'s request: follow it by the strategy its response chose. A status URL
        off the ARM endpoint ends it at once, Failed (the token is not sent there)."""
        strategy = lro.choose(response.headers, op.resource_url)
        op._accept(strategy, resource)
        try:
            self._client().check_link(strategy.url, strategy.link)
        except UntrustedLink as exc:
            op.note = f"The {op.action} was accepted and may go on in the service: 'show {op.target}' tells how it is."
            op._finish(State.FAILED, exc)

    def _checked(self, op: Operation, name: str) -> Compute:
        """The compute ``op`` acts on, read in its background. None by that name refuses ``op`` (NotFound,
        found before its request: "no compute named NAME in WORKSPACE", never "no longer exists")."""
        try:
            compute = self.get(name)
        except NotFound as exc:
            raise NotFound(
                exc.code,
                f"no compute named {name} in {self.ref.short()}",
                status=exc.status,
                request_id=exc.request_id,
                by_client=True,
            ) from None
        op._retarget(
            compute_type=compute.compute_type,
            typical=self._typical(op.action, compute.compute_type),
            resource=compute.body,
        )
        return compute

    # --- requests (also used by --dry-run) -------------------------------------------------------

    def plan_create(self, spec: ComputeSpec) -> ArmRequest:
        """The exact PUT a create or attach sends (secrets still wrapped). Its ``location`` is the
        spec's, else the workspace's region (read once), as az ml, azure-ai-ml and azureml-core send it."""
        return self._plan_put(spec, spec.location or self.location() or None)

    def preview_create(self, spec: ComputeSpec) -> tuple[ArmRequest, str | None]:
        """For --dry-run: the request :meth:`plan_create` gives, and a note when it cannot be complete.

        The region is read with one quick try (:meth:`location` ``quick``); if the workspace cannot be
        reached, the request comes without ``location`` and the note says it will be filled in when sent."""
        if spec.location:
            return self._plan_put(spec, spec.location), None
        try:
            region = self.location(quick=True)
        except (TransportError, AuthenticationError, ServiceError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            return self._plan_put(spec, None), f"note: location: {REGION_LATER} (could not read it now: {reason})"
        return self._plan_put(spec, region or None), None

    def _plan_put(self, spec: ComputeSpec, region: str | None) -> ArmRequest:
        from ..model import schema as wire_schema

        if region and not spec.location:
            located: ComputeSpec = dataclasses.replace(spec, location=region)
            spec = located
        body = spec.to_arm(self.ref.wire_context)
        problems = wire_schema.problems(masked(body))
        if problems:
            raise ValidationError(
                [Problem(p.split(":", 1)[0], p.split(":", 1)[1].strip()) for p in problems], f"{spec.TITLE} request"
            )
        return ArmRequest("PUT", self.ref.compute_url(spec.name), body)

    def plan_delete(self, name: str, action: str = "Delete") -> ArmRequest:
        return ArmRequest("DELETE", self.ref.compute_url(name, underlyingResourceAction=action))

    def plan_power(self, name: str, action: str) -> ArmRequest:
        return ArmRequest("POST", self.ref.compute_url(name, action))

    def plan_resize(self, name: str, scale: Mapping[str, Any]) -> ArmRequest:
        return ArmRequest(
            "PATCH", self.ref.compute_url(name), {"properties": {"properties": {"scaleSettings": dict(scale)}}}
        )

    def plan_update(self, name: str, **changes: Any) -> ArmRequest:
        """For --dry-run: the request :meth:`update` would send now (reads the compute; sends nothing)."""
        compute = self.get(name)
        return self._update_request(Changes.checked(**changes).plan(self.ref, compute), compute)

    def _update_request(self, plan: Plan, compute: Compute) -> ArmRequest:
        if plan.request is not None:
            return plan.request
        assert plan.spec is not None
        request = self._plan_put(plan.spec, plan.spec.location or compute.location or None)
        if not plan.no_schedules:
            return request
        body = dict(request.body or {})
        props = dict(body["properties"])
        props["properties"] = {**props.get("properties", {}), "schedules": {"computeStartStop": []}}
        body["properties"] = props
        return ArmRequest(request.method, request.url, body)

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
        planned = self._plan_put(spec, spec.location or self._location or None)
        located = bool(spec.location) or self._location is not None
        min_nodes = int(getattr(spec, "min_instances", 0) or 0)
        op = self._new(action, spec.name, spec.COMPUTE_TYPE, min_nodes)
        checked = preflight and checks.applies(spec)

        def work(op: Operation) -> None:
            # The existence check and the pre-flight (the region, its sizes and usages: cached) go at once.
            exists = self._beside(self._get_raw, spec.name)
            waiting = {"name"}
            lock = threading.Lock()

            def answered(what: str) -> None:
                # Under the lock: a late callback must not say "Checking" after "Submitting".
                with lock:
                    waiting.discard(what)
                    if waiting == {"quota"}:
                        op._phase("Checking quota")
                    elif waiting == {"name"}:
                        op._phase("Checking")

            exists.add_done_callback(lambda _f: answered("name"))
            facts: tuple[str, Any] | None = None
            failed: Exception | None = None
            if checked and not self._warm(spec):
                with lock:
                    waiting.add("quota")
                    op._phase("Checking name and quota" if "name" in waiting else "Checking quota")
            try:
                if checked:
                    location = spec.location or self.location()
                    facts = (location, self._region_facts(location))
                elif not located:
                    self.location()
            except Exception as exc:  # the existence check decides first: an existing compute is no create
                failed = exc
            finally:
                answered("quota")
            existing = exists.result()
            if existing is not None:
                self._existing(op, spec, existing)
                return
            if failed is not None:
                raise failed
            if facts is not None:
                self._check_region(spec, *facts)
            request = planned if located else self.plan_create(spec)
            with lock:
                waiting.add("sent")
            op._send()
            try:
                response = self._client().send(request, expect=WRITTEN)
            except QuotaExceeded:
                self._refresh_region(facts[0] if facts else spec.location or self._location or "")
                raise
            self._accepted(op, response, response.body)
            self._refresh_region(facts[0] if facts else spec.location or self._location or "")
            if action == "create" and sized(spec):  # after the request, on its own: pricing never delays it
                self._price_later(op, spec)

        return self._launch(op, work)

    def _reader(self) -> ThreadPoolExecutor:
        """The pool a submission's reads run in beside it (the existence check, a region's sizes): its jobs
        wait on nothing, so a submission may wait on them."""
        with self._lock:
            if self._reads is None:
                self._reads = ThreadPoolExecutor(READS, thread_name_prefix="jupyter-compute-read")
            return self._reads

    def _beside(self, read: Callable[..., T], *args: Any) -> Future[T]:
        """``read(*args)`` on the reader pool, beside the caller; at interpreter exit, when concurrent.futures
        takes no new work, here and now (a script that ends right after its creates still sends them)."""
        try:
            return self._reader().submit(read, *args)
        except RuntimeError:
            done: Future[T] = Future()
            try:
                done.set_result(read(*args))
            except Exception as exc:
                done.set_exception(exc)
            return done

    def _warm(self, spec: ComputeSpec) -> bool:
        """Whether the pre-flight of ``spec`` needs no request now (the region and its facts are cached)."""
        location = spec.location or self._location
        if not location:
            return False
        with self._lock:
            cached = self._regions.get(location.lower())
        return cached is not None and time.monotonic() - cached[0] < settings.current().region_cache

    def _region_facts(
        self, location: str, *, fresh: bool = False
    ) -> tuple[builtins.list[dict[str, Any]], builtins.list[dict[str, Any]]]:
        """A region's VM sizes and quota usages, kept JUPYTER_COMPUTE_REGION_CACHE seconds; read together."""
        key = location.lower()
        with self._lock:
            cached = self._regions.get(key)
        if not fresh and cached is not None and time.monotonic() - cached[0] < settings.current().region_cache:
            return cached[1], cached[2]
        sizes = self._beside(self.sizes, location)
        usages = self.usage(location)
        facts = (sizes.result(), usages)
        with self._lock:
            self._regions[key] = (time.monotonic(), *facts)
        return facts

    def _refresh_region(self, location: str) -> None:
        """After a create or a quota refusal the usages changed: a region kept is read again, in the
        background (the next create's pre-flight stays warm and fresh)."""
        key = location.lower()
        with self._lock:
            if key not in self._regions:
                return
            del self._regions[key]

        def again() -> None:
            try:
                self._region_facts(location, fresh=True)
            except Exception as exc:  # the next create reads it itself
                log.debug("jupyter-compute: refreshing %s's sizes and usages failed: %s", location, exc)

        try:
            threading.Thread(target=again, name="jupyter-compute-region", daemon=True).start()
        except RuntimeError:  # the interpreter is exiting
            pass

    def _check_region(
        self,
        spec: ComputeSpec,
        location: str,
        facts: tuple[builtins.list[dict[str, Any]], builtins.list[dict[str, Any]]],
    ) -> None:
        """Refuse ``spec`` by the region's facts (a size not offered, a quota shortfall); a shortfall
        refreshes them (it may have been read before a delete freed quota)."""
        size = checks.find_size(spec, location, facts[0])
        shortfall = checks.quota_shortfall(spec, size, location, facts[1])
        if shortfall is not None:
            self._refresh_region(location)
            raise shortfall

    def _existing(self, op: Operation, spec: ComputeSpec, body: Mapping[str, Any]) -> None:
        differences = compare(spec, body)
        if differences:
            raise Conflict(
                "ComputeExists",
                f"{spec.name} already exists with other settings, and creating it "
                "again would replace it: " + "; ".join(differences) + ". Delete it first, or pick "
                "another name.",
                by_client=True,
            )
        compute = Compute(body)
        compute_type = compute.compute_type or spec.COMPUTE_TYPE
        transitional = compute.transitional
        action = transitional or op.action
        op._retarget(action=action, compute_type=compute_type, typical=self._typical(action, compute_type))
        op.note = f"{spec.name} already exists with these settings; nothing was sent."
        if transitional:  # followed to its end by the tracker, from the listed resource
            op._accept(lro.ResourceState(op.resource_url), body)
            return
        op._observe(body)
        failed = compute.provisioning_state == "Failed"
        op._finish(State.FAILED if failed else State.SUCCEEDED, lro.resource_error(body) if failed else None)

    def preflight(self, spec: ComputeSpec) -> None:
        """Refuse a create whose size is not offered in the region (ValidationError) or whose vCPUs do
        not fit the quota (QuotaExceeded). Reads the region, its sizes and its usages."""
        if not checks.applies(spec):
            return
        location = spec.location or self.location()
        self._check_region(spec, location, self._region_facts(location))

    # --- reading ------------------------------------------------------------------------------

    def get(self, name: str) -> Compute:
        return Compute(self._client().get(self.ref.compute_url(name), expect=COMPUTE).body, emulated=self.ref.local)

    def list(self, kind: str | None = None, *, outdated: bool = False) -> ComputeList:
        """The workspace's computes; only those of ``kind``; only ``outdated`` instances (an OS image that is
        not the latest, by the service's ``osImageMetadata``)."""
        computes = ComputeList(Compute(body, emulated=self.ref.local) for body in self._list_raw())
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
        with self._lock:
            if self._prices is None:
                from ..transport.prices import local_endpoint

                current = settings.current()
                folder = current.home / "prices"
                if self.ref.local:
                    self._prices = PriceBook(local_endpoint, folder, source="local-workspace-stand-in")
                else:
                    self._prices = PriceBook(current.prices_url, folder)
            return self._prices

    def prices(self, location: str | None = None) -> RegionPrices:
        """The VM prices per hour of a region (default: the workspace's); never raises for prices that
        cannot be had: the answer's ``problem`` says why."""
        try:
            region = location or self.location()
        except (TransportError, AuthenticationError, ServiceError) as exc:
            return unknown(location or "", f"the workspace's region could not be read ({type(exc).__name__})")
        return self.price_book.region(region)

    def _price_later(self, op: Operation, spec: ComputeSpec) -> None:
        """Price ``op``'s compute in the pool. A script that exits right after its creates leaves the pool
        shut to new jobs while the requests finish: the creates stand, unpriced (nobody is left to show it)."""
        try:
            self._submitter().submit(self._price, op, spec)
        except RuntimeError:  # "cannot schedule new futures after (interpreter) shutdown"
            log.debug("jupyter-compute: %s not priced: the interpreter is exiting", spec.name)

    def _price(self, op: Operation, spec: ComputeSpec) -> None:
        try:
            op._estimated(self.estimate(spec))
        except Exception:  # a defect of ours must not touch the operation; it leaves a trace
            log.warning("jupyter-compute: pricing %s failed", spec.name, exc_info=True)

    def estimate(self, spec: ComputeSpec, *, quick: bool = False) -> Estimate:
        """What a cluster or instance of ``spec`` would cost an hour (at most, and always on)."""
        cluster = spec.COMPUTE_TYPE == CLUSTER.compute_type
        region = spec.location or ""
        if not region:
            try:
                region = self.location(quick=quick)
            except (TransportError, AuthenticationError, ServiceError):
                region = ""
        tier = str(getattr(spec, "tier", "") or "")
        return estimate(
            CLUSTER.word if cluster else INSTANCE.word,
            str(getattr(spec, "size", "") or ""),
            region,
            LOW_PRIORITY if tier == "low_priority" else DEDICATED,
            int(getattr(spec, "max_instances", 1) or 1) if cluster else 1,
            int(getattr(spec, "min_instances", 0) or 0) if cluster else 1,
            self.price_book.region(region) if region else unknown("", "the workspace's region could not be read"),
        )

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
        import time

        computes = (
            self.list() if listed is None else ComputeList(Compute(body, emulated=self.ref.local) for body in listed)
        )
        try:
            default = self.location()
        except (TransportError, AuthenticationError, ServiceError):
            default = ""
        regions = {(c.location or default).lower() for c in computes if c.location or default}
        prices = self.price_book.regions(sorted(regions), deadline=prices_deadline)  # side by side, one deadline
        return running_costs(computes, prices, default, time.time() if now is None else now)

    # --- changing ---------------------------------------------------------------------------------

    def delete(self, name: str) -> Operation:
        """Delete a compute this workspace created (cluster, instance). Attached ones are refused: detach them."""

        def work(op: Operation) -> None:
            compute = self._checked(op, name)
            if compute.attached:
                raise ValidationError.one(
                    "name",
                    f"{name} is an attached {compute.kind}: detach it (`detach {name}`); "
                    "delete would remove a resource this workspace does not own",
                )
            self._delete(op, compute, "Delete")

        return self._launch(self._new("delete", name), work)

    def detach(self, name: str) -> Operation:
        def work(op: Operation) -> None:
            compute = self._checked(op, name)
            if not compute.attached:
                raise ValidationError.one(
                    "name", f"{name} is a {compute.kind} created by Azure ML: delete it, it cannot be detached"
                )
            self._delete(op, compute, "Detach")

        return self._launch(self._new("detach", name), work)

    def _delete(self, op: Operation, compute: Compute, action: str) -> None:
        op._send()
        response = self._client().send(self.plan_delete(compute.name, action))
        if response.status == 204:
            raise NotFound("NotFound", f"{compute.name} does not exist (it may have just been deleted)")
        self._accepted(op, response, compute.body)

    def start(self, name: str) -> Operation:
        return self._power(name, "start")

    def stop(self, name: str) -> Operation:
        return self._power(name, "stop")

    def restart(self, name: str) -> Operation:
        return self._power(name, "restart")

    def _power(self, name: str, action: str) -> Operation:
        def work(op: Operation) -> None:
            compute = self._checked(op, name)
            _refuse_unless_taken(compute, action)
            op.note = start_note(compute, action) or op.note
            op._send()
            response = self._client().send(self.plan_power(name, action))
            self._accepted(op, response, compute.body)

        return self._launch(self._new(action, name), work)

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
        problems = []
        scale: dict[str, Any] = {}
        for field, raw, parse in (
            ("min_nodes", min_nodes, integer(0, 10_000)),
            ("max_nodes", max_nodes, integer(1, 10_000)),
            ("idle_seconds", idle_seconds, seconds(0, 7 * 24 * 3600)),
        ):
            if raw is None:
                continue
            try:
                value = parse(raw)
            except Invalid as exc:
                problems.append(Problem(field, str(exc)))
                continue
            key = {"min_nodes": "minNodeCount", "max_nodes": "maxNodeCount"}.get(field)
            scale[key or "nodeIdleTimeBeforeScaleDown"] = value if key else seconds_to_iso(value)
        if min_nodes is None and max_nodes is None and idle_seconds is None:
            problems.append(Problem("resize", "give --min-nodes, --max-nodes or --idle-time-before-scale-down"))
        if problems:
            raise ValidationError(problems, "resize")
        changes = scale

        def work(op: Operation) -> None:
            compute = self._checked(op, name)
            _refuse_unless_taken(compute, "resize")
            merged = {**dict(compute._inner.get("scaleSettings") or {}), **changes}
            if int(merged.get("minNodeCount") or 0) > int(merged.get("maxNodeCount") or 0):
                raise ValidationError.one(
                    "min_nodes",
                    f"{merged.get('minNodeCount')} is more than max nodes "
                    f"{merged.get('maxNodeCount')}; allowed: 0 <= min <= max",
                    "resize",
                )
            op._send()
            response = self._client().send(self.plan_resize(name, merged), expect=WRITTEN)
            self._accepted(op, response, response.body)

        return self._launch(self._new("resize", name, CLUSTER.compute_type), work)

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

        def work(op: Operation) -> None:
            compute = self._checked(op, name)
            plan = changes.plan(self.ref, compute)
            if plan.action != op.action:
                op._retarget(action=plan.action, typical=self._typical(plan.action, compute.compute_type))
            request = self._update_request(plan, compute)
            op._send()
            response = self._client().send(request, expect=WRITTEN)
            self._accepted(op, response, response.body or compute.body)

        return self._launch(self._new("resize" if changes.size else "update", name), work)

    def add_identity(self, name: str, *, system_assigned: bool = False, user_assigned: Sequence[str] = ()) -> Operation:
        """Add a system- or user-assigned managed identity to an existing compute (PUT of the same compute).
        The identity ids are checked at once; the compute is read and merged with them in the background."""
        problems = []
        ids = []
        for rid in user_assigned:
            try:
                ids.append(USER_IDENTITY_ID(rid))
            except Invalid as exc:
                problems.append(Problem("user_assigned", str(exc)))
        if not system_assigned and not ids and not problems:
            problems.append(Problem("identity", "give --system-assigned or --user-assigned ID"))
        if problems:
            raise ValidationError(problems, "identity")

        def work(op: Operation) -> None:
            compute = self._checked(op, name)
            self._send_identity(op, compute, system_assigned, ids)

        return self._launch(self._new("update", name), work)

    def _send_identity(self, op: Operation, compute: Compute, system_assigned: bool, ids: Sequence[str]) -> None:
        name = compute.name
        spec = compute.spec
        if not isinstance(spec, WithIdentity):
            raise ValidationError.one("name", f"{name} is a {compute.kind}, which takes no managed identity")
        kinds = set((spec.identity_type or "None").replace("None", "").split(",")) - {""}
        if system_assigned:
            kinds.add("SystemAssigned")
        if ids:
            kinds.add("UserAssigned")
        new_type = ",".join(k for k in ("SystemAssigned", "UserAssigned") if k in kinds)
        merged = tuple(dict.fromkeys((*spec.user_assigned_identities, *ids)))
        problems = _identity_problems(new_type, merged)
        if new_type == "SystemAssigned,UserAssigned" and spec.ONE_IDENTITY_TYPE:
            problems.append(
                Problem(
                    "identity",
                    f"a {compute.kind} takes a system-assigned or user-assigned "
                    f"identity, not both; {name} already has {spec.identity_type}",
                )
            )
        if problems:
            raise ValidationError(problems, "identity")
        changes: dict[str, Any] = {"identity_type": new_type, "user_assigned_identities": merged}
        updated: ComputeSpec = dataclasses.replace(spec, **changes)
        op._send()
        response = self._client().send(
            ArmRequest("PUT", self.ref.compute_url(name), updated.to_arm(self.ref.wire_context)), expect=WRITTEN
        )
        self._accepted(op, response, response.body)

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
        answer = self._client().send(ArmRequest("POST", f"{self.ref.base_url()}/_emulator/{endpoint}", body)).body
        return answer if isinstance(answer, Mapping) else {}

    # --- following ---------------------------------------------------------------------------------

    def operations(self) -> builtins.list[Operation]:
        """Operations in flight: those started here, and computes caught mid-change (after a restart)."""
        ops = self.poller.in_flight()
        followed = {op.target.lower() for op in ops}
        for body in self._list_raw():
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
        with self._lock:
            pending = [op for op in self._submitting if op.target.lower() == name.lower()]
        for op in pending:
            op._settled.wait()
        body = body if body is not None else self.get(name).body
        compute = Compute(body)
        action = compute.transitional
        create = self._typical("create", compute.compute_type, compute.min_nodes)
        if action == "resize" and compute.node_counts.target == compute.min_nodes and _age(compute.created_at, create):
            action = "create"  # made moments ago and going to its minimum nodes: these are its create's nodes
        typical = create if action in (None, "create") else self._typical(action, compute.compute_type)
        clock = self.poller.clock
        op = Operation(
            action or "create",
            name,
            compute.compute_type,
            resource_url=self.ref.compute_url(name),
            resource=body,
            resumed=True,
            typical=typical,
            clock=clock,
            phase="Submitted",
            started=clock() - _age(compute.created_at if action == "create" else compute.modified_at, typical),
        )._following()
        op._observe(body)
        if action is None:
            failed = compute.provisioning_state == "Failed"
            op._finish(State.FAILED if failed else State.SUCCEEDED, lro.resource_error(body) if failed else None)
            return op
        return self.poller.track(op)

    def wait(self, name: str, timeout: float | None = None) -> Operation:
        return self.follow(name).wait(timeout)

    def __repr__(self) -> str:
        return f"<Workspace {self.ref.describe()}>"


@dataclass(frozen=True)
class _Source:
    """What the tracker may ask of a workspace (:class:`~jupyter_compute.service.tracker.Source`)."""

    workspace: Workspace

    def list_computes(self) -> builtins.list[dict[str, Any]]:
        return self.workspace._list_raw()

    def get(self, url: str, link: str) -> Response:
        return self.workspace._client().get(url, link=link, expect=lro.ANSWERS.get(link))


def _age(when: float | None, typical: float) -> float:
    """How long ago ``when`` (a time the service wrote, seconds since the epoch) was: so an operation
    followed from another process (the panel's kernel) counts its elapsed time and time left from the
    start the process that asked for it counts from (a create from ``createdOn``, another change from
    ``modifiedOn``, which says when it was asked for). 0 when the body gives no time, one in the future
    (clock skew), or one too long ago to be this change (more than three times its typical duration)."""
    age = time.time() - when if when is not None else 0.0
    return age if 0.0 < age <= 3 * typical else 0.0


def _refuse_unless_taken(compute: Compute, action: str) -> None:
    """A power action or resize on a kind that takes none: refused before anything is sent."""
    kind = of_compute_type(compute.compute_type)
    if kind is None or action not in kind.actions:
        applies = ", ".join(f"{k.title}s" for k in taking(action))
        raise ValidationError.one("name", f"{compute.name} is a {compute.kind}; {action} applies to {applies}")


def compare(spec: ComputeSpec, body: Mapping[str, Any]) -> builtins.list[str]:
    """What the user asked for that the existing compute does not have (secrets and defaults ignored)."""
    existing_type = str((body.get("properties") or {}).get("computeType", ""))
    if existing_type != spec.COMPUTE_TYPE:
        return [f"it is a {word_of(existing_type)}, not a {word_of(spec.COMPUTE_TYPE)}"]
    existing = spec_from_arm(body)
    defaults = {f.name: f.default for f in dataclasses.fields(type(spec))}
    differences = []
    for name, info in spec.fields_info():
        asked = getattr(spec, name)
        if info.secret or name in ("name", "location", "compute_location") or asked == defaults.get(name):
            continue
        have = getattr(existing, name, None)
        if _same(asked, have):
            continue
        differences.append(f"{name} asked {_show(asked)}, exists with {_show(have)}")
    return differences


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.lower() == b.lower()
    return bool(a == b)


def _show(value: Any) -> str:
    if isinstance(value, tuple) and value and isinstance(value[0], tuple):
        return ", ".join(f"{k}={v}" for k, v in value)
    return repr(value)
