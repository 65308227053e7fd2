"""Computes of kinds this package lists but does not create (AKS inference clusters, Data Factory)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ...errors import Problem
from . import _fields as f
from ._base import ComputeSpec, WireContext


@dataclass(frozen=True, kw_only=True)
class OtherComputeSpec(ComputeSpec):
    """A compute read from the service whose type we show but do not build (kept verbatim)."""

    YAML_TYPE: ClassVar[str] = "other"
    COMPUTE_TYPE: ClassVar[str] = "Other"
    TITLE: ClassVar[str] = "compute"

    compute_type: str = "Other"
    raw_properties: Mapping[str, Any] = field(default_factory=lambda: f.FrozenMap())

    def check(self) -> list[Problem]:
        return [Problem("type", f"{self.compute_type} computes cannot be created here")]

    def to_arm(self, ctx: WireContext) -> dict[str, Any]:
        body = super().to_arm(ctx)
        body["properties"]["computeType"] = self.compute_type
        return body

    def _properties_to_arm(self, ctx: WireContext) -> dict[str, Any]:
        return {k: v for k, v in f.thaw(self.raw_properties).items() if k not in ("computeType", "description")}

    @classmethod
    def _fields_from_arm(cls, props: Mapping[str, Any]) -> dict[str, Any]:
        kept = {k: v for k, v in props.items() if k not in ("computeLocation", "disableLocalAuth")}
        return {"compute_type": str(props.get("computeType") or "Other"), "raw_properties": f.free_mapping(kept)}
