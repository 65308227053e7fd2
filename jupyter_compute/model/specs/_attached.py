"""What every attached compute shares: the resource id of the thing being attached, and SSH access."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar

from ...errors import Problem, ValidationError
from ..secrets import Secret
from . import _fields as f
from ._base import ComputeSpec, WireContext
from ._fields import Invalid, spec_field


def _key_file(value: Any) -> Secret:
    """A private key is only taken from a file (or a Secret): never inline text."""
    if isinstance(value, Secret):
        return value
    path = f.text(value)
    if "PRIVATE KEY" in path:
        raise Invalid("give the path of the private key file, not the key itself")
    return Secret.from_file(path)


@dataclass(frozen=True, kw_only=True)
class AttachedSpec(ComputeSpec):
    """An existing Azure resource linked to the workspace (detached, never deleted, by us)."""

    RESOURCE_TYPES: ClassVar[tuple[str, ...]]

    resource_id: str | None = spec_field(
        f.text,
        "ARM resource id of the resource to attach",
        yaml="resource_id",
        v1=("resource_id",),
        cli=("--resource-id",),
    )

    def check(self) -> list[Problem]:
        problems = super().check()
        if self.resource_id is None:
            if not self.can_build_resource_id():
                problems.append(
                    Problem(
                        "resource_id",
                        "is required: the ARM id of the " + " or ".join(self.RESOURCE_TYPES) + " to attach",
                        form="enter the resource ID of the " + " or ".join(self.RESOURCE_TYPES) + " to attach",
                    )
                )
        else:
            try:
                f.resource_id(*self.RESOURCE_TYPES)(self.resource_id)
            except Invalid as exc:
                problems.append(Problem("resource_id", str(exc)))
        return problems

    def can_build_resource_id(self) -> bool:
        return False

    def full_resource_id(self, ctx: WireContext) -> str:
        if self.resource_id is None:
            raise ValidationError.one("resource_id", "is required", self.TITLE)
        return self.resource_id

    def _base_attach(self, ctx: WireContext) -> dict[str, Any]:
        return {"resourceId": self.full_resource_id(ctx)}


@dataclass(frozen=True, kw_only=True)
class WithSshAccess:
    """Administrator SSH access to a VM or an HDInsight head node."""

    ssh_port: int = spec_field(
        f.integer(1, 65535),
        "SSH port",
        default=22,
        yaml="ssh_settings.ssh_port",
        v1=("ssh_port",),
        cli=("--ssh-port",),
    )
    address: str | None = spec_field(
        f.text,
        "Public IP address or DNS name (read from the resource when omitted)",
        yaml="address",
        v1=("address",),
        cli=("--address",),
        advanced=True,
    )
    admin_username: str | None = spec_field(
        f.bounded_text(64),
        "Administrator user name",
        yaml="ssh_settings.admin_username",
        v1=("username",),
        cli=("--admin-username", "--username"),
    )
    admin_password: Secret | None = spec_field(
        f.secret,
        "Administrator password",
        yaml="ssh_settings.admin_password",
        v1=("password",),
        cli=("--password",),
        secret=True,
    )
    ssh_private_key_file: Secret | None = spec_field(
        _key_file,
        "File with the administrator's SSH private key",
        yaml="ssh_settings.ssh_private_key_file",
        v1=("private_key_file",),
        cli=("--ssh-private-key",),
        secret=True,
        label="SSH private key file",
    )
    ssh_key_passphrase: Secret | None = spec_field(
        f.secret,
        "Passphrase of an encrypted private key (used locally to decrypt it; never sent)",
        yaml="ssh_settings.ssh_key_passphrase",
        v1=("private_key_passphrase",),
        cli=("--ssh-key-passphrase",),
        secret=True,
        advanced=True,
    )
    ssh_public_key: str | None = spec_field(
        f.ssh_public_key,
        "Administrator's SSH public key",
        yaml="ssh_settings.ssh_public_key",
        v1=("public_key",),
        cli=("--ssh-public-key",),
        advanced=True,
    )

    def ssh_problems(self) -> list[Problem]:
        problems = []
        spec = ComputeSpec if not isinstance(self, ComputeSpec) else type(self)
        if not self.admin_username:
            problems.append(
                spec.required("admin_username", message="is required to attach (the administrator user name)")
            )
        if self.admin_password is None and self.ssh_private_key_file is None:
            problems.append(
                spec.required(
                    "admin_password",
                    "ssh_private_key_file",
                    message="a password or an SSH private key file is required; "
                    "give --password-env VAR, --password-file F or --ssh-private-key-file F",
                )
            )
        if self.ssh_key_passphrase is not None and self.ssh_private_key_file is None:
            problems.append(Problem("ssh_key_passphrase", "a passphrase needs an SSH private key file"))
        return problems

    def ssh_secrets_resolved(self) -> dict[str, Secret | None]:
        """Resolve the key with its passphrase (decrypted locally: the API has no passphrase field)."""
        key = self.ssh_private_key_file
        if key is not None and self.ssh_key_passphrase is not None and key.source == "file":
            key = Secret.from_file(key.origin, passphrase=self.ssh_key_passphrase)
        return {
            "admin_password": self.admin_password.resolve("admin_password") if self.admin_password else None,
            "ssh_private_key_file": key.resolve("ssh_private_key_file") if key else None,
        }

    def ssh_to_arm(self) -> dict[str, Any]:
        account: dict[str, Any] = {"username": self.admin_username}
        if self.admin_password is not None:
            account["password"] = self.admin_password
        if self.ssh_public_key:
            account["publicKeyData"] = self.ssh_public_key
        if self.ssh_private_key_file is not None:
            account["privateKeyData"] = self.ssh_private_key_file
        props: dict[str, Any] = {"sshPort": self.ssh_port, "administratorAccount": account}
        if self.address:
            props["address"] = self.address
        return props

    @staticmethod
    def ssh_from_arm(inner: dict[str, Any]) -> dict[str, Any]:
        account = inner.get("administratorAccount") or {}
        return {
            "ssh_port": inner.get("sshPort") or 22,
            "address": inner.get("address"),
            "admin_username": account.get("username"),
            "admin_password": Secret(account["password"]) if account.get("password") else None,
            "ssh_private_key_file": Secret(account["privateKeyData"]) if account.get("privateKeyData") else None,
            "ssh_public_key": account.get("publicKeyData"),
        }


def resolve_ssh(spec: Any) -> Any:
    """``resolve_secrets`` for kinds with SSH access: the key is decrypted with its passphrase."""
    problems: list[Problem] = []
    resolved: dict[str, Secret | None] = {}
    try:
        resolved = spec.ssh_secrets_resolved()
    except ValidationError as exc:
        problems += exc.problems
    if problems:
        raise ValidationError(problems, spec.TITLE)
    return dataclasses.replace(spec, **{k: v for k, v in resolved.items() if v is not None})
