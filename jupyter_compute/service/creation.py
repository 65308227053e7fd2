"""A create's (or attach's) submission, in its operation's background: whether the compute exists (and
with the same settings), the region's sizes and quota (the pre-flight), then the PUT. The existence check
and the pre-flight go at once, side by side; the phases say which is still awaited."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import Conflict, QuotaExceeded
from ..model.resource import Compute
from ..model.specs import ComputeSpec
from ..model.wire import ArmRequest
from ..transport import lro
from . import planning
from .connection import WRITTEN, Connection
from .operation import State, Updater
from .regions import Facts, Regions
from .submission import Submissions, Work, accepted


def work(
    spec: ComputeSpec,
    *,
    connection: Connection,
    submissions: Submissions,
    regions: Regions,
    preflight: bool,
    planned: ArmRequest | None,
    after: Callable[[Updater], None] = lambda _updates: None,
) -> Work:
    """The submission of a PUT of ``spec``: ``planned`` is its request when the region was known (None: it
    is planned once the region is read); with ``preflight``, the size and the quota are checked first.
    ``after`` runs once the service accepted it (pricing what it creates)."""

    def submit(updates: Updater) -> None:
        exists = submissions.beside(connection.find, spec.name)
        waiting = {"name"}
        lock = threading.Lock()

        def answered(what: str) -> None:
            # Under the lock: a late callback must not say "Checking" after "Submitting".
            with lock:
                waiting.discard(what)
                if waiting == {"quota"}:
                    updates.phase("Checking quota")
                elif waiting == {"name"}:
                    updates.phase("Checking")

        exists.add_done_callback(lambda _f: answered("name"))
        facts: tuple[str, Facts] | None = None
        failed: Exception | None = None
        if preflight and not regions.warm(spec.location or connection.known_location):
            with lock:
                waiting.add("quota")
                updates.phase("Checking name and quota" if "name" in waiting else "Checking quota")
        try:
            if preflight:
                location = spec.location or connection.location()
                facts = (location, regions.facts(location))
            elif planned is None:
                connection.location()
        except Exception as exc:  # the existence check decides first: an existing compute is no create
            failed = exc
        finally:
            answered("quota")
        existing = exists.result()
        if existing is not None:
            _existing(connection, updates, spec, existing)
            return
        if failed is not None:
            raise failed
        if facts is not None:
            regions.check(spec, *facts)
        if planned is not None:
            request = planned
        else:
            request = planning.put(connection.ref, spec, spec.location or connection.location() or None)
        with lock:
            waiting.add("sent")
        updates.send()

        def region() -> str:
            return facts[0] if facts else spec.location or connection.known_location or ""

        try:
            response = connection.send(request, expect=WRITTEN)
        except QuotaExceeded:
            regions.refresh(region())
            raise
        accepted(connection, updates, response, response.body)
        regions.refresh(region())
        after(updates)

    return submit


def _existing(connection: Connection, updates: Updater, spec: ComputeSpec, body: Mapping[str, Any]) -> None:
    """The compute exists: the same settings are reported and followed (nothing is sent); others refuse."""
    differences = planning.compare(spec, body)
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
    action = transitional or updates.operation.action
    updates.retarget(action=action, compute_type=compute_type, typical=connection.typical(action, compute_type))
    updates.noted(f"{spec.name} already exists with these settings; nothing was sent.")
    if transitional:  # followed to its end by the tracker, from the listed resource
        updates.accept(lro.ResourceState(updates.operation.resource_url), body)
        return
    updates.observe(body)
    failed = compute.provisioning_state == "Failed"
    updates.finish(State.FAILED if failed else State.SUCCEEDED, lro.resource_error(body) if failed else None)
