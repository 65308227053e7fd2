"""A cluster's scale settings: the one owner of their wire keys (``scaleSettings`` of an AmlCompute).

The cluster spec writes and reads them here, :class:`~jupyter_compute.model.resource.Compute` reads a
listed cluster's here, and ``resize`` checks the values it is given and merges them onto the cluster's
current settings here: ``minNodeCount``, ``maxNodeCount`` and ``nodeIdleTimeBeforeScaleDown`` are
written nowhere else in the package (the local workspace, an independent oracle, has its own).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from ...errors import Problem, ValidationError
from ._fields import Invalid, integer, seconds, seconds_to_iso

SCALE_SETTINGS = "scaleSettings"  # the key of the settings in an AmlCompute's inner properties
MIN_NODES = "minNodeCount"
MAX_NODES = "maxNodeCount"
IDLE = "nodeIdleTimeBeforeScaleDown"  # ISO-8601 (PT120S)
#: Each field of :class:`ScaleSettings` and its wire key.
WIRE_KEYS: Mapping[str, str] = {"min_nodes": MIN_NODES, "max_nodes": MAX_NODES, "idle_seconds": IDLE}
_PARSERS = {
    "min_nodes": integer(0, 10_000),
    "max_nodes": integer(1, 10_000),
    "idle_seconds": seconds(0, 7 * 24 * 3600),
}


def of(inner: Mapping[str, Any]) -> Mapping[str, Any]:
    """The scale settings of an AmlCompute's inner properties as the service wrote them ({} if none)."""
    scale = inner.get(SCALE_SETTINGS)
    return scale if isinstance(scale, Mapping) else {}


def wire(min_nodes: int, max_nodes: int, idle_seconds: int | None) -> dict[str, Any]:
    """The settings a cluster is created with (its spec's ``scaleSettings``)."""
    scale: dict[str, Any] = {MAX_NODES: max_nodes, MIN_NODES: min_nodes}
    if idle_seconds is not None:
        scale[IDLE] = seconds_to_iso(idle_seconds)
    return scale


def shown(scale: Mapping[str, Any]) -> dict[str, str]:
    """Each field's current value as written by the service ("" when not set): what a form starts from."""
    return {name: str(scale.get(key, "")) for name, key in WIRE_KEYS.items()}


@dataclass(frozen=True)
class ScaleSettings:
    """The scale settings a ``resize`` changes (None: left as they are), checked when made."""

    min_nodes: int | None = None
    max_nodes: int | None = None
    idle_seconds: int | None = None

    @classmethod
    def checked(
        cls,
        *,
        min_nodes: int | str | None = None,
        max_nodes: int | str | None = None,
        idle_seconds: int | str | None = None,
    ) -> ScaleSettings:
        """Read the user's values (numbers, or text); a ValidationError names each bad one, or says that
        none was given."""
        problems = []
        values: dict[str, int] = {}
        for name, raw in (("min_nodes", min_nodes), ("max_nodes", max_nodes), ("idle_seconds", idle_seconds)):
            if raw is None:
                continue
            try:
                values[name] = _PARSERS[name](raw)
            except Invalid as exc:
                problems.append(Problem(name, str(exc)))
        if min_nodes is None and max_nodes is None and idle_seconds is None:
            problems.append(Problem("resize", "give --min-nodes, --max-nodes or --idle-time-before-scale-down"))
        if problems:
            raise ValidationError(problems, "resize")
        return cls(**values)

    def to_arm(self) -> dict[str, Any]:
        """The wire form of the settings given (only those)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None:
                out[WIRE_KEYS[f.name]] = seconds_to_iso(value) if f.name == "idle_seconds" else value
        return out

    def onto(self, current: Mapping[str, Any]) -> dict[str, Any]:
        """These settings over a cluster's ``current`` ones (wire form): what the PATCH sends. Refused
        (ValidationError) when the min nodes would then be more than the max."""
        merged = {**dict(current), **self.to_arm()}
        if int(merged.get(MIN_NODES) or 0) > int(merged.get(MAX_NODES) or 0):
            raise ValidationError.one(
                "min_nodes",
                f"{merged.get(MIN_NODES)} is more than max nodes {merged.get(MAX_NODES)}; allowed: 0 <= min <= max",
                "resize",
            )
        return merged
