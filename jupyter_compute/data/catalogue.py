"""The shipped data of the local workspace: VM sizes, default quotas, typical durations."""

from __future__ import annotations

import json
import os
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
    wanted = name.lower()
    return next((s for s in sizes() if s["name"].lower() == wanted), None)


def quotas() -> dict[str, Any]:
    return _load("quotas.json")


def family_quota(family: str) -> dict[str, Any] | None:
    return next((f for f in quotas()["families"] if f["family"] == family), None)


def durations() -> dict[str, float]:
    """Typical durations in seconds at speed 1 (see data/durations.json)."""
    return {k: float(v) for k, v in _load("durations.json").items() if k != "about"}


def speed() -> float:
    """JUPYTER_COMPUTE_SPEED: how many times faster than the typical durations the timeline runs."""
    try:
        value = float(os.environ.get("JUPYTER_COMPUTE_SPEED", "1"))
    except ValueError:
        return 1.0
    return value if value > 0 else 1.0
