"""What the service reports about computes: read-only views for tables, reprs and the panel.

The model has no layout of its own: how computes print as text is set from above
(:func:`set_text_renderer`; the package's top sets its text tables), and how they show in notebooks is
registered with IPython by the UI. Until then they print as a plain repr of their names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .documents import spec_from_arm
from .kinds import word_of
from .progress import describe_state
from .specs import ComputeSpec
from .wire import masked


@dataclass(frozen=True)
class Compute:
    """A compute as the service reports it (read-only view of the ARM body)."""

    body: Mapping[str, Any]

    @property
    def name(self) -> str:
        return str(self.body.get("name", ""))

    @property
    def compute_type(self) -> str:
        return str(self._props.get("computeType", ""))

    @property
    def kind(self) -> str:
        """The grammar word of its kind ('cluster'); a type this package only lists, as the service names it."""
        return word_of(self.compute_type)

    @property
    def _props(self) -> Mapping[str, Any]:
        return self.body.get("properties") or {}

    @property
    def _inner(self) -> Mapping[str, Any]:
        return self._props.get("properties") or {}

    @property
    def size(self) -> str:
        return str(self._inner.get("vmSize") or self._inner.get("virtualMachineSize") or "")

    @property
    def state(self) -> str:
        return describe_state(self.body)

    @property
    def provisioning_state(self) -> str:
        return str(self._props.get("provisioningState") or "Unknown")

    @property
    def provisioning_errors(self) -> list[Any]:
        return list(self._props.get("provisioningErrors") or [])

    @property
    def nodes(self) -> str:
        if self.compute_type != "AmlCompute":
            return ""
        scale = self._inner.get("scaleSettings") or {}
        current = self._inner.get("currentNodeCount") or 0
        return f"{current} ({scale.get('minNodeCount', 0)}-{scale.get('maxNodeCount', '?')})"

    @property
    def current_nodes(self) -> int:
        return int(self._inner.get("currentNodeCount") or 0)

    @property
    def created(self) -> str:
        return str(self._props.get("createdOn") or "")[:19].replace("T", " ")

    @property
    def location(self) -> str:
        return str(self.body.get("location") or "")

    @property
    def attached(self) -> bool:
        return bool(self._props.get("isAttachedCompute"))

    @property
    def spec(self) -> ComputeSpec:
        return spec_from_arm(self.body)

    def row(self) -> dict[str, str]:
        return {
            "name": self.name,
            "kind": self.kind,
            "size": self.size,
            "state": self.state,
            "nodes": self.nodes,
            "created": self.created,
        }

    def to_dict(self) -> dict[str, Any]:
        return dict(masked(self.body))

    def __str__(self) -> str:
        return _text(self)


class ComputeList(list[Compute]):
    """Computes of a workspace; an HTML table in notebooks, a text table in terminals."""

    COLUMNS = ("name", "kind", "size", "state", "nodes", "created")

    def rows(self) -> list[dict[str, str]]:
        return [c.row() for c in self]

    def names(self) -> list[str]:
        return [c.name for c in self]

    def __str__(self) -> str:
        return _text(self)

    def __repr__(self) -> str:
        return _text(self)


TextRenderer = Callable[[Compute | ComputeList], str]


def _names(computes: Compute | ComputeList) -> str:
    """The text of computes before a renderer is set: their names, as repr (which escapes controls)."""
    if isinstance(computes, ComputeList):
        return f"ComputeList({computes.names()!r})"
    return f"Compute({computes.name!r})"


_text: TextRenderer = _names


def set_text_renderer(render: TextRenderer) -> None:
    """How computes print as text from now on (``str`` of a compute, ``str`` and ``repr`` of a list)."""
    global _text
    _text = render
