"""Prices and the running bill of one workspace: what a spec would cost an hour, and what its computes
cost now, from the VM prices of its cloud (:class:`~jupyter_compute.service.prices.PriceBook`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from .. import settings
from ..errors import AuthenticationError, ServiceError, TransportError
from ..model.costs import Costs, Estimate, estimate, running_costs
from ..model.kinds import CLUSTER, INSTANCE
from ..model.prices import DEDICATED, LOW_PRIORITY, RegionPrices, unknown
from ..model.resource import Compute
from ..model.specs import ComputeSpec
from .prices import PriceBook
from .ref import WorkspaceRef

UNREADABLE = (TransportError, AuthenticationError, ServiceError)  # the workspace's region could not be read


class Bill:
    """The prices of the workspace ``ref``; ``location(quick=…)`` reads its region."""

    def __init__(self, ref: WorkspaceRef, location: Callable[..., str]) -> None:
        self.ref = ref
        self._location = location
        self._lock = threading.Lock()
        self._book: PriceBook | None = None

    @property
    def price_book(self) -> PriceBook:
        """The VM prices of this workspace's cloud (the local workspace's stand-in for the local one)."""
        with self._lock:
            if self._book is None:
                from ..transport.prices import local_endpoint

                current = settings.current()
                folder = current.home / "prices"
                if self.ref.local:
                    self._book = PriceBook(local_endpoint, folder, source="local-workspace-stand-in")
                else:
                    self._book = PriceBook(current.prices_url, folder)
            return self._book

    def prices(self, location: str | None = None) -> RegionPrices:
        """The VM prices per hour of a region (default: the workspace's); never raises."""
        try:
            region = location or self._location()
        except UNREADABLE as exc:
            return unknown(location or "", f"the workspace's region could not be read ({type(exc).__name__})")
        return self.price_book.region(region)

    def estimate(self, spec: ComputeSpec, *, quick: bool = False) -> Estimate:
        """What a cluster or instance of ``spec`` would cost an hour (at most, and always on)."""
        cluster = spec.COMPUTE_TYPE == CLUSTER.compute_type
        region = spec.location or ""
        if not region:
            try:
                region = self._location(quick=quick)
            except UNREADABLE:
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
        self, computes: Sequence[Compute], now: float | None = None, *, prices_deadline: float | None = None
    ) -> Costs:
        """The running bill of ``computes``, by the prices of each region they are in (cached for a day), all
        by one deadline (``prices_deadline``, on ``time.monotonic``; default: this lookup's own)."""
        try:
            default = self._location()
        except UNREADABLE:
            default = ""
        regions = {(c.location or default).lower() for c in computes if c.location or default}
        prices = self.price_book.regions(sorted(regions), deadline=prices_deadline)  # side by side, one deadline
        return running_costs(computes, prices, default, time.time() if now is None else now)
