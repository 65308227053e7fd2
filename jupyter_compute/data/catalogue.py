"""The shipped data: VM sizes, default quotas, typical durations (at speed 1; the speed is a setting)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resources.files("jupyter_compute.data").joinpath(name).read_text())
    return data


def sizes() -> list[dict[str, Any]]:
    return list(_load("vm_sizes.json")["sizes"])


def default_location() -> str:
    return str(_load("vm_sizes.json")["location"])


def size(name: str) -> dict[str, Any] | None:
    """The catalogue's row of a VM size named in any case (``standard_ds3_v2``), or None."""
    return _by_lower_name().get(name.lower())


def size_name(name: str) -> str:
    """A VM size as the catalogue spells it (``Standard_DS3_v2``, however it was typed or the service
    wrote it back); a size the catalogue does not list, as given."""
    found = size(name)
    return str(found["name"]) if found else name


@cache
def _by_lower_name() -> dict[str, dict[str, Any]]:
    return {str(s["name"]).lower(): s for s in _load("vm_sizes.json")["sizes"]}


def retired(name: str) -> dict[str, Any] | None:
    """A retired VM size's row (``retired``: the date, ``use``: sizes to pick instead), else None."""
    wanted = name.lower()
    rows: dict[str, Any] = _load("retired_sizes.json")["retired"]
    return next((row for size, row in rows.items() if size.lower() == wanted), None)


def quotas() -> dict[str, Any]:
    return _load("quotas.json")


def family_quota(family: str) -> dict[str, Any] | None:
    return next((f for f in quotas()["families"] if f["family"] == family), None)


def durations() -> dict[str, float]:
    """Typical durations in seconds at speed 1 (see data/durations.json)."""
    return {k: float(v) for k, v in _load("durations.json").items() if k != "about"}


def windows_zones() -> dict[str, str]:
    """Windows time zone ids -> IANA zone names (see data/windows_zones.json)."""
    return dict(_load("windows_zones.json")["zones"])


def directory() -> dict[str, Any]:
    """The subscriptions and workspaces the local workspace's user sees (see data/directory.json)."""
    return _load("directory.json")
