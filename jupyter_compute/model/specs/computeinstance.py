"""Compute instance (``ComputeInstance``): a personal, managed development VM."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from ...data import catalogue
from ...errors import Problem
from . import _fields as f
from ._base import ComputeSpec, WireContext, WithIdentity
from ._fields import spec_field
from ._instance_parts import (
    SCHEDULE_PARTS,
    SETUP_SCRIPT_PARTS,
    CustomApplication,
    Schedule,
    SetupScripts,
    custom_applications,
    schedules,
    schedules_from_form,
    setup_scripts,
    setup_scripts_from_form,
)
from ._network import WithNetwork

DEFAULT_SIZE = "Standard_DS3_v2"  # azure-ai-ml's ComputeDefaults.VMSIZE, as the catalogue spells it


@dataclass(frozen=True, kw_only=True)
class ComputeInstanceSpec(WithNetwork, WithIdentity, ComputeSpec, kind="instance"):
    """A compute instance: ``az ml compute create --type computeinstance`` / v1 ``ComputeInstance``."""

    READ_ONLY: ClassVar[frozenset[str]] = ComputeSpec.READ_ONLY | {
        "state",
        "last_operation",
        "services",
        "os_image_metadata",
        "ssh_settings.admin_username",
        "ssh_settings.ssh_port",
        "network_settings.public_ip_address",
        "network_settings.private_ip_address",
    }
    # preview-only in az ml (not in API 2025-12-01); `az ml compute show` writes them with these defaults
    DEFAULTED: ClassVar[Mapping[str, Any]] = {
        "enable_root_access": True,
        "release_quota_on_stop": False,
        "enable_os_patching": False,
    }

    size: str = spec_field(
        f.vm_size,
        "VM size",
        default=DEFAULT_SIZE,
        yaml="size",
        v1=("vm_size",),
        cli=f.SIZE_FLAGS,
    )
    ssh_public_access_enabled: bool | None = spec_field(
        f.boolean,
        "Open the public SSH port (needs an SSH public key)",
        yaml="ssh_public_access_enabled",
        v1=("ssh_public_access",),
        cli=("--ssh-public-access-enabled",),
        label="SSH public access",
    )
    ssh_key_value: str | None = spec_field(
        f.ssh_public_key,
        "SSH public key for the azureuser account (the .pub text)",
        yaml="ssh_settings.ssh_key_value",
        v1=("admin_user_ssh_public_key",),
        cli=("--ssh-key-value",),
        label="SSH public key",
    )
    idle_time_before_shutdown: str | None = spec_field(
        f.minutes_duration(15, 3 * 24 * 60),
        "Stop after this much inactivity: minutes, or ISO-8601 (PT60M); 15 minutes to 3 days",
        yaml="idle_time_before_shutdown_minutes",
        # az ml's older ISO key; with both, the minutes win (azure-ai-ml ComputeInstance._to_rest_object)
        yaml_also=("idle_time_before_shutdown",),
        v1=("idle_time_before_shutdown",),
        cli=f.IDLE_SHUTDOWN_FLAGS,
        metavar="MINUTES",
        label="Idle before shutdown",
    )
    user_tenant_id: str | None = spec_field(
        f.guid,
        "Create on behalf of this user: their Entra tenant id",
        yaml="create_on_behalf_of.user_tenant_id",
        v1=("assigned_user_tenant_id",),
        cli=("--user-tenant-id",),
        advanced=True,
    )
    user_object_id: str | None = spec_field(
        f.guid,
        "Create on behalf of this user: their Entra object id",
        yaml="create_on_behalf_of.user_object_id",
        v1=("assigned_user_object_id",),
        cli=("--user-object-id",),
        advanced=True,
    )
    schedules: tuple[Schedule, ...] = spec_field(
        schedules,
        "Start/stop schedules (YAML: schedules.compute_start_stop)",
        default=(),
        yaml="schedules.compute_start_stop",
        advanced=True,
        parts=SCHEDULE_PARTS,
        compose=schedules_from_form,
        label="Schedules",
    )
    setup_scripts: SetupScripts | None = spec_field(
        setup_scripts,
        "Creation and startup scripts from the workspace file share",
        yaml="setup_scripts",
        advanced=True,
        parts=SETUP_SCRIPT_PARTS,
        compose=setup_scripts_from_form,
        label="Setup scripts",
    )
    custom_applications: tuple[CustomApplication, ...] = spec_field(
        custom_applications,
        "Docker applications to run on the instance",
        default=(),
        yaml="custom_applications",
        advanced=True,
    )
    enable_node_public_ip: bool | None = spec_field(
        f.boolean,
        "Give the instance a public IP (false: private only, in a subnet or a managed network)",
        yaml="enable_node_public_ip",
        cli=("--enable-node-public-ip",),
        advanced=True,
        label="Node public IP",
    )
    enable_sso: bool | None = spec_field(
        f.boolean,
        "Single sign-on for the instance's applications",
        yaml="enable_sso",
        cli=("--enable-sso",),
        advanced=True,
        label="Single sign-on",
    )
    application_sharing_policy: str | None = spec_field(
        f.choice({"personal": "Personal", "shared": "Shared"}, ("Personal", "Shared")),
        "Who may use the instance's applications",
        yaml="application_sharing_policy",
        cli=("--application-sharing-policy",),
        choices=("Personal", "Shared"),
        advanced=True,
        label="Application sharing",
    )
    authorization_type: str | None = spec_field(
        f.choice({"personal": "personal"}, ("personal",)),
        "Authorization type (only personal)",
        yaml="authorization_type",
        cli=("--authorization-type",),
        choices=("personal",),
        advanced=True,
    )

    def check(self) -> list[Problem]:
        problems = super().check() + self.network_problems()
        if self.ssh_public_access_enabled and not self.ssh_key_value:
            problems.append(
                Problem(
                    "ssh_key_value",
                    "is required when ssh_public_access_enabled is true "
                    "(give an OpenSSH public key such as 'ssh-rsa AAAA... user')",
                    form="enter an SSH public key ('ssh-rsa AAAA... user') to open SSH public access",
                )
            )
        if (self.user_tenant_id is None) != (self.user_object_id is None):
            problems.append(
                Problem("user_object_id", "create_on_behalf_of needs both user_tenant_id and user_object_id")
            )
        return problems

    def to_yaml_dict(self) -> dict[str, Any]:
        """As the base, but whole minutes go under ``idle_time_before_shutdown_minutes`` (an integer, as az
        ml's schema wants) and other durations under the ISO key ``idle_time_before_shutdown``."""
        doc = super().to_yaml_dict()
        iso = doc.pop("idle_time_before_shutdown_minutes", None)
        if iso is not None:
            match = re.fullmatch(r"PT(\d+)M", str(iso))
            doc["idle_time_before_shutdown_minutes" if match else "idle_time_before_shutdown"] = (
                int(match.group(1)) if match else iso
            )
        return doc

    def _properties_to_arm(self, ctx: WireContext) -> dict[str, Any]:
        props: dict[str, Any] = {"vmSize": self.size}
        subnet = self.subnet_id(ctx)
        if subnet:
            props["subnet"] = {"id": subnet}
        if self.application_sharing_policy:
            props["applicationSharingPolicy"] = self.application_sharing_policy
        if self.ssh_public_access_enabled is not None or self.ssh_key_value:
            ssh: dict[str, Any] = {}
            if self.ssh_public_access_enabled is not None:
                ssh["sshPublicAccess"] = "Enabled" if self.ssh_public_access_enabled else "Disabled"
            if self.ssh_key_value:
                ssh["adminPublicKey"] = self.ssh_key_value
            props["sshSettings"] = ssh
        if self.authorization_type:
            props["computeInstanceAuthorizationType"] = self.authorization_type
        if self.user_object_id and self.user_tenant_id:
            props["personalComputeInstanceSettings"] = {
                "assignedUser": {"objectId": self.user_object_id, "tenantId": self.user_tenant_id}
            }
        if self.idle_time_before_shutdown:
            props["idleTimeBeforeShutdown"] = self.idle_time_before_shutdown
        if self.schedules:
            props["schedules"] = {"computeStartStop": [s.to_arm() for s in self.schedules]}
        if self.setup_scripts:
            props["setupScripts"] = self.setup_scripts.to_arm()
        if self.custom_applications:
            props["customServices"] = [a.to_arm() for a in self.custom_applications]
        if self.enable_node_public_ip is not None:
            props["enableNodePublicIp"] = self.enable_node_public_ip
        if self.enable_sso is not None:
            props["enableSSO"] = self.enable_sso
        return {"properties": props}

    @classmethod
    def _fields_from_arm(cls, props: Mapping[str, Any]) -> dict[str, Any]:
        inner = props.get("properties") or {}
        ssh = inner.get("sshSettings") or {}
        user = (inner.get("personalComputeInstanceSettings") or {}).get("assignedUser") or {}
        access = ssh.get("sshPublicAccess")
        return {
            "size": catalogue.size_name(str(inner.get("vmSize") or DEFAULT_SIZE)),
            "ssh_public_access_enabled": {"Enabled": True, "Disabled": False}.get(access or ""),
            "ssh_key_value": ssh.get("adminPublicKey"),
            "idle_time_before_shutdown": inner.get("idleTimeBeforeShutdown"),
            "user_tenant_id": user.get("tenantId"),
            "user_object_id": user.get("objectId"),
            "schedules": tuple(
                Schedule.from_arm(s) for s in (inner.get("schedules") or {}).get("computeStartStop") or ()
            ),
            "setup_scripts": SetupScripts.from_arm(inner["setupScripts"]) if inner.get("setupScripts") else None,
            "custom_applications": tuple(CustomApplication.from_arm(a) for a in inner.get("customServices") or ()),
            "enable_node_public_ip": inner.get("enableNodePublicIp"),
            "enable_sso": inner.get("enableSSO"),
            "application_sharing_policy": inner.get("applicationSharingPolicy"),
            "authorization_type": inner.get("computeInstanceAuthorizationType"),
            **cls.network_from_arm(inner.get("subnet")),
        }
