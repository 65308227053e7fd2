"""Every environment variable jupyter-compute reads, in one place, read once.

:func:`current` reads the environment the first time it is asked and keeps the answer for the
process; the README's table lists the same variables. Code that needs a knob takes a
:class:`Settings` (or asks :func:`current`), never ``os.environ``. Tests build ``Settings(...)``
and pass it, or use :func:`override` for code that asks :func:`current`; they do not mutate the
process environment.

A value that cannot be read is a :class:`~jupyter_compute.errors.ValidationError` naming the
variable and what it accepts, raised when the settings are first read, before any request.
The access token is kept out of the repr.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .errors import Problem, ValidationError

#: name → (attribute, what it does): the table the README shows.
VARIABLES: dict[str, tuple[str, str]] = {
    "JUPYTER_COMPUTE_ARM_ENDPOINT": (
        "arm_endpoint",
        "ARM endpoint for Azure workspaces (https, or http on a loopback address); default: the cloud's",
    ),
    "JUPYTER_COMPUTE_ACCESS_TOKEN": ("access_token", "a bearer token to send instead of azure-identity's"),
    "JUPYTER_COMPUTE_SPEED": ("speed", "how many times faster than typical the local workspace runs (> 0; default 1)"),
    "JUPYTER_COMPUTE_POLL_INTERVAL": (
        "poll_interval",
        "seconds between the poller's ticks; an operation asks its compute every 1, 2, 2, then 6 ticks "
        "(≥ 0.05; default: 5, faster on a sped-up local workspace)",
    ),
    "JUPYTER_COMPUTE_LIST_INTERVAL": (
        "list_interval",
        "seconds between a visible panel's listings of the workspace (≥ 0.05; default: 6 ticks, 30 s)",
    ),
    "JUPYTER_COMPUTE_REGION_CACHE": (
        "region_cache",
        "seconds a region's VM sizes and quota usages are kept for a create's pre-flight (≥ 0; default 60)",
    ),
    "JUPYTER_COMPUTE_HOME": ("home", "folder of the local workspace's state (default: $XDG_DATA_HOME/jupyter-compute)"),
    "JUPYTER_COMPUTE_FAULTS": ("faults", "faults the local workspace injects, e.g. throttle:every=3,latency:ms=200"),
    "JUPYTER_COMPUTE_EMULATOR_LOG": ("emulator_log", "1: the local workspace logs each request to stderr"),
    "JUPYTER_COMPUTE_ACCESS_LOG": ("access_log", "file the local workspace appends one line per request to"),
    "JUPYTER_COMPUTE_LOCAL_PAGE_SIZE": (
        "local_page_size",
        "computes per local list page (≥ 1; default 100)",
    ),
    "JUPYTER_COMPUTE_LOCAL_RETENTION": (
        "local_retention",
        "seconds the local workspace keeps a finished operation and a deleted compute (≥ 1; default 3600, ÷ speed)",
    ),
    "JUPYTER_COMPUTE_PRICES_URL": (
        "prices_url",
        "the Azure Retail Prices API for Azure workspaces (https, or http on loopback; no token is sent there); "
        "default: https://prices.azure.com/api/retail/prices",
    ),
    "AZURE_AUTHORITY_HOST": (
        "authority_host",
        "the sign-in authority of `login` and the saved sign-in (azure-identity's variable; https); "
        "default: the cloud's",
    ),
    "JUPYTER_COMPUTE_PRICES_DEADLINE": (
        "prices_deadline",
        "seconds one command's price lookup may take in all (every region, side by side, and every page), after "
        "which the prices not in show as unknown (> 0; default 10)",
    ),
    "AZUREML_ARM_SUBSCRIPTION": (
        "azureml_subscription",
        "with the next two: the workspace, as Azure ML jobs set them",
    ),
    "AZUREML_ARM_RESOURCEGROUP": ("azureml_resource_group", "the workspace's resource group"),
    "AZUREML_ARM_WORKSPACE_NAME": ("azureml_workspace", "the workspace's name"),
}


PRICES_URL = "https://prices.azure.com/api/retail/prices"


def _default_home(environ: Mapping[str, str]) -> Path:
    data = environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "jupyter-compute"


@dataclass(frozen=True)
class Settings:
    """The environment's knobs, checked. Build one directly in tests; :meth:`from_env` reads them."""

    arm_endpoint: str | None = None
    access_token: str | None = field(default=None, repr=False)
    speed: float = 1.0
    poll_interval: float | None = None
    list_interval: float | None = None
    region_cache: float = 60.0
    home: Path = field(default_factory=lambda: _default_home(os.environ))
    faults: str = ""
    emulator_log: bool = False
    access_log: Path | None = None
    local_page_size: int = 100
    local_retention: float = 3600.0
    prices_url: str = PRICES_URL
    authority_host: str | None = None
    prices_deadline: float = 10.0
    azureml_subscription: str | None = None
    azureml_resource_group: str | None = None
    azureml_workspace: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read and check every variable; all problems at once, each naming its variable."""
        env = os.environ if environ is None else environ
        problems: list[Problem] = []
        values: dict[str, Any] = {}

        def text(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        def number(name: str, low: float, strict: bool) -> float | None:
            raw = text(name)
            if raw is None:
                return None
            try:
                value = float(raw)
            except ValueError:
                value = float("nan")
            ok = value > low if strict else value >= low
            if not ok:  # also NaN
                bound = f"greater than {low:g}" if strict else f"at least {low:g}"
                problems.append(Problem(name, f"{raw!r} is not a number {bound}"))
                return None
            return value

        values["arm_endpoint"] = text("JUPYTER_COMPUTE_ARM_ENDPOINT")
        values["access_token"] = text("JUPYTER_COMPUTE_ACCESS_TOKEN")
        speed = number("JUPYTER_COMPUTE_SPEED", 0, strict=True)
        if speed is not None:
            values["speed"] = speed
        values["poll_interval"] = number("JUPYTER_COMPUTE_POLL_INTERVAL", 0.05, strict=False)
        values["list_interval"] = number("JUPYTER_COMPUTE_LIST_INTERVAL", 0.05, strict=False)
        cache = number("JUPYTER_COMPUTE_REGION_CACHE", 0, strict=False)
        if cache is not None:
            values["region_cache"] = cache
        home = text("JUPYTER_COMPUTE_HOME")
        values["home"] = Path(home).expanduser() if home else _default_home(env)
        values["faults"] = text("JUPYTER_COMPUTE_FAULTS") or ""
        log = (text("JUPYTER_COMPUTE_EMULATOR_LOG") or "").lower()
        if log not in ("", "0", "1", "true", "false", "yes", "no"):
            problems.append(Problem("JUPYTER_COMPUTE_EMULATOR_LOG", f"{log!r} is not one of 1, 0, true, false"))
        values["emulator_log"] = log in ("1", "true", "yes")
        access_log = text("JUPYTER_COMPUTE_ACCESS_LOG")
        values["access_log"] = Path(access_log).expanduser() if access_log else None
        page = text("JUPYTER_COMPUTE_LOCAL_PAGE_SIZE")
        if page is not None:
            if page.isdigit() and int(page) >= 1:
                values["local_page_size"] = int(page)
            else:
                problems.append(Problem("JUPYTER_COMPUTE_LOCAL_PAGE_SIZE", f"{page!r} is not a whole number ≥ 1"))
        retention = number("JUPYTER_COMPUTE_LOCAL_RETENTION", 1, strict=False)
        if retention is not None:
            values["local_retention"] = retention
        prices = text("JUPYTER_COMPUTE_PRICES_URL")
        if prices is not None:
            if prices.lower().startswith(("https://", "http://")):
                values["prices_url"] = prices
            else:
                problems.append(Problem("JUPYTER_COMPUTE_PRICES_URL", f"{prices!r} is not an http(s):// URL"))
        authority = text("AZURE_AUTHORITY_HOST")
        if authority is not None:
            if authority.lower().startswith("https://") or "://" not in authority:
                values["authority_host"] = authority
            else:
                problems.append(Problem("AZURE_AUTHORITY_HOST", f"{authority!r} is not an https:// URL or a host name"))
        deadline = number("JUPYTER_COMPUTE_PRICES_DEADLINE", 0, strict=True)
        if deadline is not None:
            values["prices_deadline"] = deadline
        values["azureml_subscription"] = text("AZUREML_ARM_SUBSCRIPTION")
        values["azureml_resource_group"] = text("AZUREML_ARM_RESOURCEGROUP")
        values["azureml_workspace"] = text("AZUREML_ARM_WORKSPACE_NAME")
        if problems:
            raise ValidationError(problems, "environment")
        return cls(**values)

    def replace(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    @property
    def azureml_workspace_ids(self) -> tuple[str, str, str] | None:
        """The three AZUREML_ARM_* values when all are set, else None."""
        ids = (self.azureml_subscription, self.azureml_resource_group, self.azureml_workspace)
        return (ids[0], ids[1], ids[2]) if ids[0] and ids[1] and ids[2] else None


_lock = threading.Lock()
_current: Settings | None = None


def current() -> Settings:
    """The process's settings, read from the environment the first time."""
    global _current
    with _lock:
        if _current is None:
            _current = Settings.from_env()
        return _current


@contextmanager
def override(settings: Settings | None = None, **changes: Any) -> Iterator[Settings]:
    """Within the block, :func:`current` answers ``settings`` (or the current ones with ``changes``)."""
    global _current
    chosen = settings if settings is not None else current().replace(**changes)
    with _lock:
        previous, _current = _current, chosen
    try:
        yield chosen
    finally:
        with _lock:
            _current = previous


def reset() -> None:
    """Forget what was read, so the next :func:`current` reads the environment again (a test's fresh process)."""
    global _current
    with _lock:
        _current = None
