"""Every compute in every workspace a sign-in sees, and what it all costs an hour (pure: no I/O).

:class:`AllWorkspaces` holds each listed workspace's computes and bill (:class:`WorkspaceBill`), and one
line per subscription or workspace that could not be listed, which never fails the whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .costs import ComputeCost, Costs
from .directory import FoundWorkspace
from .resource import ComputeList


@dataclass(frozen=True)
class WorkspaceBill:
    workspace: FoundWorkspace
    computes: ComputeList
    costs: Costs

    @property
    def where(self) -> str:
        return f"{self.workspace.name} ({self.workspace.resource_group}, {self.workspace.subscription_name})"


@dataclass
class AllWorkspaces:
    """``bills``: the workspaces listed, in the directory's order; ``failures``: (what, why) of the
    subscriptions and workspaces that could not be listed."""

    bills: list[WorkspaceBill] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)

    def rows(self) -> list[dict[str, Any]]:
        """Every compute's table row, its workspace first."""
        return [
            {"workspace": bill.workspace.name, **{k: str(v) for k, v in row.items()}}
            for bill in self.bills
            for row in bill.computes.rows()
        ]

    @property
    def currency(self) -> str:
        found = {b.costs.currency for b in self.bills if b.costs.computes}
        return next(iter(found)) if len(found) == 1 else ("USD" if not found else "mixed")

    @property
    def total_per_hour(self) -> float:
        return round(sum(b.costs.total_per_hour for b in self.bills), 6)

    @property
    def unknown(self) -> int:
        return sum(b.costs.unknown for b in self.bills)

    @property
    def emulated(self) -> bool:
        return any(b.costs.emulated for b in self.bills)

    @property
    def flagged(self) -> list[tuple[WorkspaceBill, ComputeCost]]:
        """Instances running with neither idle shutdown nor a stop schedule, wherever they are."""
        return [(bill, cost) for bill in self.bills for cost in bill.costs.flagged]

    def to_dict(self) -> dict[str, Any]:
        return {
            "workspaces": [
                {
                    "subscription_id": b.workspace.subscription_id,
                    "subscription": b.workspace.subscription_name,
                    "resource_group": b.workspace.resource_group,
                    "workspace": b.workspace.name,
                    "computes": [c.to_dict() for c in b.computes],
                    "costs": b.costs.to_dict(),
                }
                for b in self.bills
            ],
            "total_per_hour": self.total_per_hour,
            "currency": self.currency,
            "unknown": self.unknown,
            "flagged": [{"workspace": b.workspace.name, "name": c.name} for b, c in self.flagged],
            "failures": [{"what": what, "reason": why} for what, why in self.failures],
        }
