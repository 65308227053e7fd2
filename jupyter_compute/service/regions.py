"""A region's VM sizes and quota usages, kept for the pre-flight of creates (JUPYTER_COMPUTE_REGION_CACHE
seconds): read together, refreshed in the background after a create or a quota refusal changed them."""

from __future__ import annotations

import builtins
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from .. import settings
from ..model.specs import ComputeSpec
from . import preflight as checks

log = logging.getLogger(__name__)
Rows = builtins.list[dict[str, Any]]
Facts = tuple[Rows, Rows]  # (VM sizes, quota usages)


class Regions:
    """The facts of the regions a workspace's creates went to, by the readers of sizes and usages;
    ``beside`` runs a read beside the caller (the sizes are read while the usages are)."""

    def __init__(
        self,
        sizes: Callable[[str], Rows],
        usages: Callable[[str], Rows],
        beside: Callable[[Callable[[str], Rows], str], Future[Rows]],
    ) -> None:
        self._sizes = sizes
        self._usages = usages
        self._beside = beside
        self._lock = threading.Lock()
        self._kept: dict[str, tuple[float, Rows, Rows]] = {}

    def warm(self, location: str | None) -> bool:
        """Whether the facts of ``location`` are kept and fresh (a pre-flight there needs no request)."""
        if not location:
            return False
        with self._lock:
            cached = self._kept.get(location.lower())
        return cached is not None and time.monotonic() - cached[0] < settings.current().region_cache

    def facts(self, location: str, *, fresh: bool = False) -> Facts:
        """A region's VM sizes and quota usages, kept JUPYTER_COMPUTE_REGION_CACHE seconds; read together."""
        key = location.lower()
        with self._lock:
            cached = self._kept.get(key)
        if not fresh and cached is not None and time.monotonic() - cached[0] < settings.current().region_cache:
            return cached[1], cached[2]
        sizes = self._beside(self._sizes, location)
        usages = self._usages(location)
        facts = (sizes.result(), usages)
        with self._lock:
            self._kept[key] = (time.monotonic(), *facts)
        return facts

    def refresh(self, location: str) -> None:
        """After a create or a quota refusal the usages changed: a region kept is read again, in the
        background (the next create's pre-flight stays warm and fresh)."""
        key = location.lower()
        with self._lock:
            if key not in self._kept:
                return
            del self._kept[key]

        def again() -> None:
            try:
                self.facts(location, fresh=True)
            except Exception as exc:  # the next create reads it itself
                log.debug("jupyter-compute: refreshing %s's sizes and usages failed: %s", location, exc)

        try:
            threading.Thread(target=again, name="jupyter-compute-region", daemon=True).start()
        except RuntimeError:  # the interpreter is exiting
            pass

    def check(self, spec: ComputeSpec, location: str, facts: Facts) -> None:
        """Refuse ``spec`` by the region's facts (a size not offered, a quota shortfall); a shortfall
        refreshes them (it may have been read before a delete freed quota)."""
        size = checks.find_size(spec, location, facts[0])
        shortfall = checks.quota_shortfall(spec, size, location, facts[1])
        if shortfall is not None:
            self.refresh(location)
            raise shortfall
