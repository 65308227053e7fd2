"""VM prices of a region, cached on disk for a day: one request chain per region, not per size.

:class:`PriceBook` answers :meth:`~PriceBook.region` from ``$JUPYTER_COMPUTE_HOME/prices/`` when the
file there was fetched less than a day ago (by the injectable ``clock``), else fetches the region once
(:func:`~jupyter_compute.transport.prices.fetch_region`) and writes the file (0600, folder 0700, as the
rest of the state; written whole to a temporary file and renamed, so a reader never sees half of it).
Concurrent askers of one region in a process wait for the one fetch. Prices that cannot be had are a
:class:`~jupyter_compute.model.prices.RegionPrices` whose ``problem`` says why (nothing is raised): the
front ends show "price unknown", never a guess. A failed fetch is not cached: the next ask tries again.

Prices are optional information, so a lookup has one deadline, the settings' ``prices_deadline`` (10 s),
however many regions and pages it takes: :meth:`PriceBook.regions` (``costs``) fetches the regions side by
side, at most :data:`MOST_AT_ONCE` at a time, all by the same deadline, and answers when they are in or the
deadline has passed; a region still out then, or not yet started, is "price unknown" (:data:`LATE`). A lookup
of one region (``sizes``, a dry run's price line) has the same one deadline for its whole chain of pages.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import TYPE_CHECKING

from .. import settings
from ..errors import PricesUnavailable
from ..model.prices import DAY, LATE, PriceAnswerError, RegionPrices, region_prices, unknown

if TYPE_CHECKING:
    from ..transport.prices import Fetched

# fetch(endpoint, region, deadline): ``deadline`` on time.monotonic, as the transport reads it.
Fetch = Callable[[str, str, float], "Fetched"]
_REGION = re.compile(r"^[a-z0-9]{1,40}$")
MOST_AT_ONCE = 8  # regions fetched side by side by one lookup (a workspace's computes are in a few)
GLANCE = 0.1  # seconds: how often a lookup of several regions reads its deadline's clock while it waits


class Lookup:
    """One command's price lookup over several workspaces (``costs --all-workspaces``): its one deadline, on
    ``monotonic``, starts at the first ask (:meth:`deadline`), so prices that are not to be had cost the command
    one deadline however many workspaces ask; prices that came in are cached and still read after it."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._until: float | None = None

    def deadline(self) -> float:
        with self._lock:
            if self._until is None:
                self._until = self._monotonic() + settings.current().prices_deadline
            return self._until


class PriceBook:
    """The prices of ``endpoint``, cached under ``folder`` by ``source`` (default: the endpoint itself; the
    local workspace's stand-in moves port with each process, so it gives a name that does not)."""

    def __init__(
        self,
        endpoint: str | Callable[[], str],
        folder: Path,
        *,
        clock: Callable[[], float] = time.time,
        max_age: float = DAY,
        fetch: Fetch | None = None,
        source: str | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """``clock`` dates the prices (their day in the cache); ``monotonic`` measures lookups' deadlines."""
        self._endpoint = endpoint
        if source is None and not isinstance(endpoint, str):
            raise ValueError("a PriceBook over an endpoint that moves needs a source name")
        self.source = source or str(endpoint)
        self.folder = folder
        self.clock = clock
        self.monotonic = monotonic
        self.max_age = max_age
        self._fetch = fetch
        self._lock = threading.Lock()
        self._region_locks: dict[str, threading.Lock] = {}
        self._memory: dict[str, RegionPrices] = {}
        self.fetches = 0  # request chains started by this book (tests count them)

    @property
    def endpoint(self) -> str:
        return self._endpoint if isinstance(self._endpoint, str) else self._endpoint()

    def deadline(self) -> float:
        """A new lookup's one deadline, on :attr:`monotonic`: now + the settings' ``prices_deadline``."""
        return self.monotonic() + settings.current().prices_deadline

    def regions(self, regions: Iterable[str], *, deadline: float | None = None) -> dict[str, RegionPrices]:
        """Each region's prices (keyed as given) by one ``deadline`` (default: :meth:`deadline`): the regions
        are fetched side by side, at most :data:`MOST_AT_ONCE` at a time, and the answer comes when all are in
        or the deadline has passed; those still out then are unknown (:data:`LATE`), their fetches give up by
        the same deadline in the background."""
        names = list(dict.fromkeys(regions))
        held = {name: prices for name in names if (prices := self._held(name)) is not None}
        asked = [name for name in names if name not in held]  # the panel's bill asks each tick: most are held
        until = self.deadline() if deadline is None else deadline
        if len(asked) <= 1:
            return {name: held.get(name) or self.region(name, deadline=until) for name in names}
        pool = ThreadPoolExecutor(min(len(asked), MOST_AT_ONCE), thread_name_prefix="jupyter-compute-prices")
        try:
            futures: dict[Future[RegionPrices], str] = {
                pool.submit(self.region, name, deadline=until): name for name in asked
            }
            pending = set(futures)
            while pending and self.monotonic() < until:
                # Woken by each region that comes in, and at least every GLANCE to read the clock again (an
                # injected one may jump).
                slice_ = min(GLANCE, max(0.0, until - self.monotonic()))
                _, pending = wait(pending, timeout=slice_, return_when=FIRST_COMPLETED)
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
        done = {futures[f]: f.result() for f in futures if f.done() and not f.cancelled()}
        held.update(done)
        return {name: held.get(name) or self._held(name) or unknown(name, LATE, self.source) for name in names}

    def _held(self, region: str) -> RegionPrices | None:
        """The region's prices if they came in (a fetch that ended as the deadline passed), else None."""
        held = self._memory.get(region.strip().lower())
        return held if held is not None and held.fresh(self.clock(), self.max_age) else None

    def region(self, region: str, *, deadline: float | None = None) -> RegionPrices:
        """The region's prices: fresh from memory or the cache file, else fetched now (and cached), all by
        ``deadline`` (on :attr:`monotonic`; default: a deadline of its own, :meth:`deadline`, from when the
        fetch starts). A lookup whose deadline has passed before its fetch could start sends nothing."""
        name = region.strip().lower()
        if not _REGION.match(name):
            return unknown(region, f"{region!r} is not an Azure region name")
        with self._lock:
            lock = self._region_locks.setdefault(name, threading.Lock())
        with lock:
            now = self.clock()
            held = self._memory.get(name)
            if held is not None and held.fresh(now, self.max_age):
                return held
            try:
                endpoint = self.endpoint
            except Exception as exc:  # the stand-in's server could not start: prices are unknown, not an error
                return unknown(name, f"the prices stand-in is not available ({exc})")
            path = self._path(name)
            cached = _read(path)
            if cached is not None and cached.source == self.source and cached.fresh(now, self.max_age):
                self._memory[name] = cached
                return cached
            until = self.deadline() if deadline is None else deadline
            if self.monotonic() >= until:
                return unknown(name, LATE, self.source)
            fetched = self._fetched(endpoint, name, now, until)
            if fetched.known:
                self._memory[name] = fetched
                self._write(path, fetched)
            return fetched

    def _fetched(self, endpoint: str, region: str, now: float, until: float) -> RegionPrices:
        from ..transport.prices import fetch_region

        with self._lock:  # regions are fetched side by side
            self.fetches += 1
        deadline = time.monotonic() + (until - self.monotonic())  # the transport reads time.monotonic
        try:
            if self._fetch is not None:
                got = self._fetch(endpoint, region, deadline)
            else:  # prices are optional: the whole chain of pages has the lookup's deadline, then "price unknown"
                got = fetch_region(endpoint, region, deadline=deadline)
            return region_prices(got.items, region, fetched=now, source=self.source, emulated=got.emulated)
        except PricesUnavailable as exc:
            return unknown(region, str(exc), self.source)
        except PriceAnswerError as exc:
            return unknown(region, f"the prices answer was refused: {exc}", self.source)

    def _path(self, region: str) -> Path:
        digest = hashlib.sha256(self.source.encode()).hexdigest()[:12]
        return self.folder / f"{region}-{digest}.json"

    def _write(self, path: Path, prices: RegionPrices) -> None:
        """Best effort: prices not written are fetched again next time."""
        with contextlib.suppress(OSError):
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".prices-", suffix=".tmp")  # 0600
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    json.dump(prices.to_json(), out)
                os.replace(tmp, path)
            except OSError:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise


def _read(path: Path) -> RegionPrices | None:
    """The cache file's prices, None when it is missing, unreadable or not ours (then it is fetched again)."""
    try:
        if path.stat().st_size > 16 * 1024 * 1024:
            return None
        return RegionPrices.from_json(json.loads(path.read_text(encoding="utf-8"), parse_constant=_no_constant))
    except (OSError, ValueError):
        return None


def _no_constant(name: str) -> float:
    raise ValueError(name)
