"""Virtual-network placement shared by clusters and instances (``network_settings`` in az ml)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...errors import Problem
from . import _fields as f
from ._base import WireContext
from ._fields import spec_field

_SUBNET_NAME = f.bounded_text(1024)  # a name, or a full subnet resource id


@dataclass(frozen=True, kw_only=True)
class WithNetwork:
    vnet_name: str | None = spec_field(
        f.bounded_text(64),
        "Virtual network name (in the workspace's resource group unless another is given)",
        yaml="network_settings.vnet_name",
        v1=("vnet_name",),
        cli=("--vnet-name",),
        advanced=True,
    )
    subnet: str | None = spec_field(
        _SUBNET_NAME,
        "Subnet name within the virtual network, or a full subnet resource ID",
        yaml="network_settings.subnet",
        v1=("subnet_name",),
        cli=("--subnet", "--subnet-name"),
        advanced=True,
    )
    vnet_resource_group: str | None = spec_field(
        f.bounded_text(90),
        "Resource group of the virtual network, if not the workspace's",
        v1=("vnet_resourcegroup_name",),
        cli=("--vnet-resource-group", "--vnet-resourcegroup-name"),
        advanced=True,
    )

    def network_problems(self) -> list[Problem]:
        if self.subnet is None:
            if self.vnet_name or self.vnet_resource_group:
                return [Problem("subnet", "is required when a virtual network is given")]
            return []
        if self.subnet.startswith("/"):
            try:
                f.SUBNET_ID(self.subnet)
            except f.Invalid as exc:
                return [Problem("subnet", str(exc))]
            if self.vnet_name or self.vnet_resource_group:
                return [Problem("vnet_name", "must not be given when subnet is a full resource id")]
            return []
        if not self.vnet_name:
            return [Problem("vnet_name", f"is required with subnet {self.subnet!r} (or give the subnet's full id)")]
        return []

    def subnet_id(self, ctx: WireContext) -> str | None:
        if self.subnet is None:
            return None
        if self.subnet.startswith("/"):
            return self.subnet
        group = self.vnet_resource_group or ctx.resource_group
        return (
            f"/subscriptions/{ctx.subscription_id}/resourceGroups/{group}/providers/Microsoft.Network"
            f"/virtualNetworks/{self.vnet_name}/subnets/{self.subnet}"
        )

    @staticmethod
    def network_from_arm(subnet: Any) -> dict[str, Any]:
        if isinstance(subnet, dict) and subnet.get("id"):
            return {"subnet": subnet["id"]}
        return {}
