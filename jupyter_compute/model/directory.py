"""What a sign-in can see: subscriptions and Azure ML workspaces, read from their ARM bodies (pure).

:func:`subscription_of` and :func:`workspace_of` are the one reader of a ``GET /subscriptions`` item
and of a workspace list item; :class:`Directory` is the answer of a discovery: the workspaces found,
in a stable order, and one :class:`Unlisted` line per subscription that could not be listed (refused,
disabled, unreachable), which never fails the whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

# Subscription states whose resources can be read (ARM: Enabled, Warned, PastDue are readable; Disabled,
# Expired and Deleted are not listed: their reads fail or are empty).
READABLE_STATES = frozenset({"enabled", "warned", "pastdue"})


@dataclass(frozen=True)
class Subscription:
    id: str
    name: str
    state: str = "Enabled"
    tenant: str = ""

    @property
    def readable(self) -> bool:
        return self.state.lower() in READABLE_STATES

    @property
    def label(self) -> str:
        return f"{self.name} ({self.id})" if self.name and self.name != self.id else self.id


@dataclass(frozen=True)
class FoundWorkspace:
    """One Azure ML workspace as a list names it; ``local``: it lives in the local workspace's server."""

    subscription_id: str
    subscription_name: str
    resource_group: str
    name: str
    location: str = ""
    kind: str = "Default"
    local: bool = False

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.subscription_id.lower(), self.resource_group.lower(), self.name.lower())

    def label(self) -> str:
        """How a picker names it: workspace, then where it is."""
        where = ", ".join(p for p in (self.resource_group, self.location, self.kind.lower()) if p)
        return f"{self.name} — {self.subscription_name or self.subscription_id} ({where})"

    def row(self) -> dict[str, str]:
        return {
            "subscription": self.subscription_name or self.subscription_id,
            "resource group": self.resource_group,
            "workspace": self.name,
            "region": self.location,
            "kind": self.kind,
        }


@dataclass(frozen=True)
class Unlisted:
    """A subscription whose workspaces are not in the answer, and why (one line)."""

    subscription: Subscription
    reason: str

    def line(self) -> str:
        return f"{self.subscription.label}: {self.reason}"


@dataclass
class Directory:
    """The workspaces found and the subscriptions that could not be listed."""

    workspaces: list[FoundWorkspace] = field(default_factory=list)
    unlisted: list[Unlisted] = field(default_factory=list)
    subscriptions: list[Subscription] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.workspaces.sort(key=lambda w: (w.subscription_name.lower(), w.resource_group.lower(), w.name.lower()))
        self.unlisted.sort(key=lambda u: u.subscription.name.lower())

    def rows(self) -> list[dict[str, str]]:
        return [w.row() for w in self.workspaces]

    def to_dict(self) -> dict[str, Any]:
        return {
            "workspaces": [asdict(w) for w in self.workspaces],
            "unlisted": [
                {"subscription_id": u.subscription.id, "subscription": u.subscription.name, "reason": u.reason}
                for u in self.unlisted
            ],
        }

    def find(self, text: str) -> list[FoundWorkspace]:
        """The workspaces named ``text`` (case does not matter)."""
        return [w for w in self.workspaces if w.name.lower() == text.lower()]


def subscription_of(item: Mapping[str, Any]) -> Subscription:
    sub_id = str(item.get("subscriptionId") or str(item.get("id") or "").rsplit("/", 1)[-1])
    return Subscription(
        sub_id, str(item.get("displayName") or ""), str(item.get("state") or ""), str(item.get("tenantId") or "")
    )


def workspace_of(item: Mapping[str, Any], subscription: Subscription, *, local: bool = False) -> FoundWorkspace:
    """A workspace list item; its resource group and subscription come from its ``id``, as ARM spells them."""
    parts = str(item.get("id") or "").split("/")
    lowered = [p.lower() for p in parts]
    group = parts[lowered.index("resourcegroups") + 1] if "resourcegroups" in lowered[:-1] else ""
    return FoundWorkspace(
        subscription.id,
        subscription.name,
        group,
        str(item.get("name") or ""),
        str(item.get("location") or ""),
        str(item.get("kind") or "Default"),
        local,
    )


def narrowed(subscriptions: Iterable[Subscription], wanted: str) -> list[Subscription]:
    """The subscriptions whose id or display name is ``wanted`` (case does not matter)."""
    text = wanted.strip().lower()
    return [s for s in subscriptions if text in (s.id.lower(), s.name.lower())]
