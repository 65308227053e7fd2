"""Following what a compute is doing when this process did not start it: a compute caught mid-change
(listed by ``ops``, or named by ``wait``), perhaps asked for by another process (the panel's kernel)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from ..model.resource import Compute
from ..transport import lro
from .operation import State, Updater

Typical = Callable[..., float]  # typical(action, compute_type, min_nodes=0): seconds it takes


def caught(
    name: str,
    body: Mapping[str, Any],
    *,
    resource_url: str,
    typical: Typical,
    clock: Callable[[], float],
) -> Updater:
    """The updater of an operation that follows whatever the compute ``body`` is doing now: RUNNING, its
    elapsed time counted from when the service says the change began; ended at once when it does nothing
    (Succeeded, or Failed with the compute's error)."""
    compute = Compute(body)
    action = compute.transitional
    create = typical("create", compute.compute_type, compute.min_nodes)
    if action == "resize" and compute.node_counts.target == compute.min_nodes and age(compute.created_at, create):
        action = "create"  # made moments ago and going to its minimum nodes: these are its create's nodes
    expected = create if action in (None, "create") else typical(action, compute.compute_type)
    updates = Updater(
        action or "create",
        name,
        compute.compute_type,
        resource_url=resource_url,
        resource=body,
        resumed=True,
        typical=expected,
        clock=clock,
        phase="Submitted",
        started=clock() - age(compute.created_at if action == "create" else compute.modified_at, expected),
    ).following()
    updates.observe(body)
    if action is None:
        failed = compute.provisioning_state == "Failed"
        updates.finish(State.FAILED if failed else State.SUCCEEDED, lro.resource_error(body) if failed else None)
    return updates


def age(when: float | None, typical: float) -> float:
    """How long ago ``when`` (a time the service wrote, seconds since the epoch) was: so an operation
    followed from another process (the panel's kernel) counts its elapsed time and time left from the
    start the process that asked for it counts from (a create from ``createdOn``, another change from
    ``modifiedOn``, which says when it was asked for). 0 when the body gives no time, one in the future
    (clock skew), or one too long ago to be this change (more than three times its typical duration)."""
    elapsed = time.time() - when if when is not None else 0.0
    return elapsed if 0.0 < elapsed <= 3 * typical else 0.0
