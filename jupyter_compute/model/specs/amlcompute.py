"""Compute cluster (``AmlCompute``): autoscaling VM pools for training jobs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from ...data import catalogue
from ...errors import Problem
from ..secrets import Secret
from . import _fields as f
from . import scale as scale_settings
from ._base import ComputeSpec, WireContext, WithIdentity
from ._fields import spec_field
from ._network import WithNetwork

DEFAULT_SIZE = "Standard_DS3_v2"  # azure-ai-ml's ComputeDefaults.VMSIZE, as the catalogue spells it
MAX_NODES = 10_000
TIERS = {"dedicated": "Dedicated", "low_priority": "LowPriority"}
_TIER_SPELLINGS = {"dedicated": "dedicated", "low_priority": "low_priority", "lowpriority": "low_priority"}


def _ssh_access(value: Any) -> bool | None:
    """True/False, or v1's remote_login_port_public_access 'Enabled'/'Disabled'/'NotSpecified'."""
    if isinstance(value, str) and value.strip().lower().replace("_", "") == "notspecified":
        return None
    return f.boolean(value)


@dataclass(frozen=True, kw_only=True)
class AmlComputeSpec(WithNetwork, WithIdentity, ComputeSpec, kind="cluster"):
    """A compute cluster: ``az ml compute create --type amlcompute`` / v1 ``AmlCompute``."""

    ONE_IDENTITY_TYPE: ClassVar[bool] = True
    READ_ONLY: ClassVar[frozenset[str]] = ComputeSpec.READ_ONLY | {
        "network_settings.public_ip_address",
        "network_settings.private_ip_address",
    }

    size: str = spec_field(
        f.vm_size,
        "VM size of the nodes",
        default=DEFAULT_SIZE,
        yaml="size",
        v1=("vm_size",),
        cli=f.SIZE_FLAGS,
    )
    tier: str = spec_field(
        f.choice(_TIER_SPELLINGS, ("dedicated", "low_priority")),
        "dedicated or low_priority VMs",
        default="dedicated",
        yaml="tier",
        v1=("vm_priority",),
        cli=("--tier", "--vm-priority"),
        choices=("dedicated", "low_priority"),
    )
    min_instances: int = spec_field(
        f.integer(0, MAX_NODES),
        "Minimum number of nodes (kept running)",
        default=0,
        yaml="min_instances",
        v1=("min_nodes",),
        cli=("--min-instances", "--min-nodes"),
        label="Min nodes",
    )
    max_instances: int = spec_field(
        f.integer(1, MAX_NODES),
        "Maximum number of nodes",
        default=1,
        yaml="max_instances",
        v1=("max_nodes",),
        cli=("--max-instances", "--max-nodes"),
        label="Max nodes",
    )
    idle_time_before_scale_down: int | None = spec_field(
        f.seconds(0, 7 * 24 * 3600),
        "Seconds a node stays idle before it is released (or ISO-8601, PT2M)",
        yaml="idle_time_before_scale_down",
        v1=("idle_seconds_before_scaledown",),
        cli=("--idle-time-before-scale-down", "--idle-seconds-before-scaledown"),
        metavar="SECONDS",
        label="Idle before scale-down",
    )
    ssh_public_access_enabled: bool | None = spec_field(
        _ssh_access,
        "Open the nodes' public SSH port (unset: open unless in a VNet)",
        yaml="ssh_public_access_enabled",
        v1=("remote_login_port_public_access",),
        cli=("--ssh-public-access-enabled",),
        advanced=True,
        input="flag",
        label="SSH public access",
    )
    admin_username: str | None = spec_field(
        f.bounded_text(64),
        "Administrator user created on every node",
        yaml="ssh_settings.admin_username",
        v1=("admin_username",),
        cli=("--admin-username",),
        advanced=True,
    )
    admin_password: Secret | None = spec_field(
        f.secret,
        "Administrator password",
        yaml="ssh_settings.admin_password",
        v1=("admin_user_password",),
        cli=("--admin-password",),
        secret=True,
        advanced=True,
    )
    ssh_key_value: str | None = spec_field(
        f.ssh_public_key,
        "Administrator SSH public key (the .pub text)",
        yaml="ssh_settings.ssh_key_value",
        v1=("admin_user_ssh_key",),
        cli=("--ssh-key-value",),
        advanced=True,
        label="SSH public key",
    )
    enable_node_public_ip: bool = spec_field(
        f.boolean,
        "Give nodes public IPs (false: private only, in a subnet or a managed network)",
        default=True,
        yaml="enable_node_public_ip",
        v1=("enable_node_public_ip",),
        cli=("--enable-node-public-ip",),
        advanced=True,
        label="Node public IP",
    )
    os_type: str | None = spec_field(
        f.choice({"linux": "Linux", "windows": "Windows"}, ("Linux", "Windows")),
        "Operating system of the nodes",
        yaml="os_type",
        cli=("--os-type",),
        choices=("Linux", "Windows"),
        advanced=True,
    )
    virtual_machine_image: str | None = spec_field(
        f.text,
        "Resource id of a custom (Windows) VM image",
        yaml="virtual_machine_image",
        cli=("--virtual-machine-image",),
        advanced=True,
        label="VM image",
    )
    isolated_network: bool | None = spec_field(
        f.boolean,
        "Isolated network",
        yaml="isolated_network",
        cli=("--isolated-network",),
        advanced=True,
    )
    property_bag: Mapping[str, Any] | None = spec_field(
        f.free_mapping,
        "Free-form service properties",
        yaml="property_bag",
        advanced=True,
    )

    def check(self) -> list[Problem]:
        problems = super().check() + self.network_problems()
        if self.min_instances > self.max_instances:
            problems.append(
                Problem(
                    "min_instances",
                    f"{self.min_instances} is more than max_instances "
                    f"{self.max_instances}; allowed: 0 <= min_instances <= max_instances",
                    form=f"is more than Max nodes ({self.max_instances}); enter at most {self.max_instances}",
                )
            )
        if (self.admin_password or self.ssh_key_value) and not self.admin_username:
            problems.append(
                Problem(
                    "admin_username",
                    "is required with an admin password or SSH key",
                    form="enter an admin username (for the password or SSH key)",
                )
            )
        if self.admin_username and not (self.admin_password or self.ssh_key_value):
            problems.append(
                Problem(
                    "admin_password",
                    "an admin password or an SSH public key (ssh_key_value) is required with admin_username",
                    form=self.required("admin_password", "ssh_key_value", message="").form,
                )
            )
        if self.identity_type == "SystemAssigned,UserAssigned":
            problems.append(
                Problem(
                    "identity_type",
                    "a compute cluster takes a system-assigned or user-assigned "
                    "identity, not both; allowed: system_assigned, user_assigned, none",
                )
            )
        return problems

    def _properties_to_arm(self, ctx: WireContext) -> dict[str, Any]:
        scale = scale_settings.wire(self.min_instances, self.max_instances, self.idle_time_before_scale_down)
        props: dict[str, Any] = {
            "vmSize": self.size,
            "vmPriority": self.tier_wire,
            scale_settings.SCALE_SETTINGS: scale,
            "remoteLoginPortPublicAccess": {None: "NotSpecified", True: "Enabled", False: "Disabled"}[
                self.ssh_public_access_enabled
            ],
            "enableNodePublicIp": self.enable_node_public_ip,
        }
        if self.admin_username:
            creds: dict[str, Any] = {"adminUserName": self.admin_username}
            if self.ssh_key_value:
                creds["adminUserSshPublicKey"] = self.ssh_key_value
            if self.admin_password:
                creds["adminUserPassword"] = self.admin_password
            props["userAccountCredentials"] = creds
        subnet = self.subnet_id(ctx)
        if subnet:
            props["subnet"] = {"id": subnet}
        if self.os_type:
            props["osType"] = self.os_type
        if self.virtual_machine_image:
            props["virtualMachineImage"] = {"id": self.virtual_machine_image}
        if self.isolated_network is not None:
            props["isolatedNetwork"] = self.isolated_network
        if self.property_bag is not None:
            props["propertyBag"] = f.thaw(self.property_bag)
        return {"properties": props}

    @property
    def tier_wire(self) -> str:
        return TIERS[self.tier]

    @classmethod
    def _fields_from_arm(cls, props: Mapping[str, Any]) -> dict[str, Any]:
        inner = props.get("properties") or {}
        scale = scale_settings.of(inner)
        creds = inner.get("userAccountCredentials") or {}
        idle = scale.get(scale_settings.IDLE)
        access = inner.get("remoteLoginPortPublicAccess")
        image = inner.get("virtualMachineImage") or {}
        bag = inner.get("propertyBag")
        return {
            "size": catalogue.size_name(str(inner.get("vmSize") or DEFAULT_SIZE)),
            "tier": "low_priority" if inner.get("vmPriority") == "LowPriority" else "dedicated",
            "min_instances": scale.get(scale_settings.MIN_NODES) or 0,
            "max_instances": scale.get(scale_settings.MAX_NODES)
            if scale.get(scale_settings.MAX_NODES) is not None
            else 1,
            "idle_time_before_scale_down": int(f.iso_duration_seconds(idle)) if idle else None,
            "ssh_public_access_enabled": {"Enabled": True, "Disabled": False}.get(access or ""),
            "admin_username": creds.get("adminUserName"),
            "admin_password": Secret(creds["adminUserPassword"]) if creds.get("adminUserPassword") else None,
            "ssh_key_value": creds.get("adminUserSshPublicKey"),
            "enable_node_public_ip": inner.get("enableNodePublicIp", True) is not False,
            "os_type": inner.get("osType"),
            "virtual_machine_image": image.get("id"),
            "isolated_network": inner.get("isolatedNetwork"),
            "property_bag": f.free_mapping(bag) if isinstance(bag, Mapping) else None,
            **cls.network_from_arm(inner.get("subnet")),
        }
