"""Attached computes: remote VM, HDInsight, Databricks, Data Lake Analytics, Synapse Spark, Kubernetes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from ...errors import Problem
from ..secrets import Secret
from . import _fields as f
from ._attached import AttachedSpec, WithSshAccess, resolve_ssh
from ._base import WireContext, WithIdentity
from ._fields import Invalid, spec_field


def _instance_types(value: Any) -> Mapping[str, Any]:
    """{name: {nodeSelector: {label: value}, resources: {requests: {cpu: "1"}, limits: {...}}}}."""
    if not isinstance(value, Mapping) or not value:
        raise Invalid(f"expected a mapping of instance type names to settings, got {f.show(value)}")
    checked: dict[str, Any] = {}
    for name, settings in value.items():
        if not isinstance(name, str) or not name:
            raise Invalid(f"instance type names must be non-empty text, got {f.show(name)}")
        where = f"instance_types.{name}"
        if not isinstance(settings, Mapping) or set(settings) - {"nodeSelector", "resources"}:
            raise Invalid(
                f"{where}: expected {{nodeSelector: {{...}}, resources: {{requests: {{...}}, "
                f"limits: {{...}}}}}}, got {f.show(settings)}"
            )
        entry: dict[str, Any] = {}
        if settings.get("nodeSelector") is not None:
            entry["nodeSelector"] = dict(f.string_map(settings["nodeSelector"]))
        resources = settings.get("resources")
        if resources is not None:
            if not isinstance(resources, Mapping) or set(resources) - {"requests", "limits"}:
                raise Invalid(f"{where}.resources: expected requests and/or limits, got {f.show(resources)}")
            entry["resources"] = {k: dict(f.string_map(v)) for k, v in resources.items() if v is not None}
        checked[name] = entry
    return f.free_mapping(checked)


@dataclass(frozen=True, kw_only=True)
class VirtualMachineSpec(WithSshAccess, AttachedSpec, kind="vm"):
    """An existing Linux VM reached over SSH (v1 ``RemoteCompute``; az ml ``virtualmachine``)."""

    RESOURCE_TYPES: ClassVar[tuple[str, ...]] = ("Microsoft.Compute/virtualMachines",)

    virtual_machine_size: str | None = spec_field(
        f.vm_size,
        "Size of the VM (informational)",
        yaml="virtual_machine_size",
        cli=("--vm-size",),
        advanced=True,
        label="VM size",
    )
    notebook_server_port: int | None = spec_field(
        f.integer(1, 65535),
        "Port of a notebook server on the VM",
        yaml="notebook_server_port",
        cli=("--notebook-server-port",),
        advanced=True,
    )
    is_notebook_instance_compute: bool | None = spec_field(
        f.boolean,
        "The VM is used to run notebooks",
        yaml="is_notebook_instance_compute",
        cli=("--is-notebook-instance-compute",),
        advanced=True,
        label="Notebook instance",
    )

    def check(self) -> list[Problem]:
        return super().check() + self.ssh_problems()

    def resolve_secrets(self) -> VirtualMachineSpec:
        result: VirtualMachineSpec = resolve_ssh(self)
        return result

    def _properties_to_arm(self, ctx: WireContext) -> dict[str, Any]:
        inner = self.ssh_to_arm()
        if self.virtual_machine_size:
            inner["virtualMachineSize"] = self.virtual_machine_size
        if self.notebook_server_port is not None:
            inner["notebookServerPort"] = self.notebook_server_port
        if self.is_notebook_instance_compute is not None:
            inner["isNotebookInstanceCompute"] = self.is_notebook_instance_compute
        return {**self._base_attach(ctx), "properties": inner}

    @classmethod
    def _fields_from_arm(cls, props: Mapping[str, Any]) -> dict[str, Any]:
        inner = dict(props.get("properties") or {})
        return {
            "resource_id": props.get("resourceId"),
            "virtual_machine_size": inner.get("virtualMachineSize"),
            "notebook_server_port": inner.get("notebookServerPort"),
            "is_notebook_instance_compute": inner.get("isNotebookInstanceCompute"),
            **cls.ssh_from_arm(inner),
        }


@dataclass(frozen=True, kw_only=True)
class HDInsightSpec(WithSshAccess, AttachedSpec, kind="hdinsight"):
    """An HDInsight cluster reached over SSH on its head node (v1 ``HDInsightCompute``)."""

    RESOURCE_TYPES: ClassVar[tuple[str, ...]] = ("Microsoft.HDInsight/clusters",)

    def check(self) -> list[Problem]:
        return super().check() + self.ssh_problems()

    def resolve_secrets(self) -> HDInsightSpec:
        result: HDInsightSpec = resolve_ssh(self)
        return result

    def _properties_to_arm(self, ctx: WireContext) -> dict[str, Any]:
        return {**self._base_attach(ctx), "properties": self.ssh_to_arm()}

    @classmethod
    def _fields_from_arm(cls, props: Mapping[str, Any]) -> dict[str, Any]:
        return {"resource_id": props.get("resourceId"), **cls.ssh_from_arm(dict(props.get("properties") or {}))}


@dataclass(frozen=True, kw_only=True)
class _ByGroupAndName(AttachedSpec):
    """Kinds that v1 let you name by resource group + resource name instead of a full id."""

    PROVIDER: ClassVar[str]
    resource_group: str | None = spec_field(
        f.RESOURCE_GROUP,
        "Resource group of the resource (with its name, instead of its full resource ID)",
        yaml="resource_group",
        v1=("resource_group",),
        cli=("--target-resource-group",),
        advanced=True,
    )

    def _short_name(self) -> str | None:
        raise NotImplementedError

    def can_build_resource_id(self) -> bool:
        return bool(self.resource_group and self._short_name())

    def check(self) -> list[Problem]:
        problems = super().check()
        if self.resource_id and (self.resource_group or self._short_name()):
            problems.append(Problem("resource_id", "give either resource_id or resource_group with a name, not both"))
        elif not self.resource_id and bool(self.resource_group) != bool(self._short_name()):
            problems.append(Problem("resource_group", "resource_group and the resource name go together"))
        return problems

    def full_resource_id(self, ctx: WireContext) -> str:
        if self.resource_id:
            return self.resource_id
        return (
            f"/subscriptions/{ctx.subscription_id}/resourceGroups/{self.resource_group}/providers/"
            f"{self.PROVIDER}/{self._short_name()}"
        )


@dataclass(frozen=True, kw_only=True)
class DatabricksSpec(_ByGroupAndName, kind="databricks"):
    """An Azure Databricks workspace, used with an access token (v1 ``DatabricksCompute``)."""

    RESOURCE_TYPES: ClassVar[tuple[str, ...]] = ("Microsoft.Databricks/workspaces",)
    PROVIDER: ClassVar[str] = "Microsoft.Databricks/workspaces"

    workspace_name: str | None = spec_field(
        f.named(r"[A-Za-z0-9_-]{3,64}", "3 to 64 characters: letters, digits, '_' and '-'"),
        "Databricks workspace name (with its resource group, instead of its full resource ID)",
        yaml="workspace_name",
        v1=("workspace_name",),
        cli=("--workspace-name",),
    )
    access_token: Secret | None = spec_field(
        f.secret,
        "Databricks personal access token",
        yaml="access_token",
        v1=("access_token",),
        cli=("--access-token",),
        secret=True,
    )
    workspace_url: str | None = spec_field(
        f.text,
        "Workspace URL (adb-….azuredatabricks.net)",
        yaml="workspace_url",
        cli=("--workspace-url",),
        advanced=True,
    )

    def _short_name(self) -> str | None:
        return self.workspace_name

    def check(self) -> list[Problem]:
        problems = super().check()
        if self.access_token is None:
            problems.append(
                self.required(
                    "access_token", message="is required; give --access-token-env VAR or --access-token-file F"
                )
            )
        return problems

    def _properties_to_arm(self, ctx: WireContext) -> dict[str, Any]:
        inner: dict[str, Any] = {"databricksAccessToken": self.access_token}
        if self.workspace_url:
            inner["workspaceUrl"] = self.workspace_url
        return {**self._base_attach(ctx), "properties": inner}

    @classmethod
    def _fields_from_arm(cls, props: Mapping[str, Any]) -> dict[str, Any]:
        inner = props.get("properties") or {}
        token = inner.get("databricksAccessToken")
        return {
            "resource_id": props.get("resourceId"),
            "access_token": Secret(token) if token else None,
            "workspace_url": inner.get("workspaceUrl"),
        }


@dataclass(frozen=True, kw_only=True)
class DataLakeAnalyticsSpec(_ByGroupAndName, kind="adla"):
    """An Azure Data Lake Analytics account (v1 ``AdlaCompute``)."""

    RESOURCE_TYPES: ClassVar[tuple[str, ...]] = ("Microsoft.DataLakeAnalytics/accounts",)
    PROVIDER: ClassVar[str] = "Microsoft.DataLakeAnalytics/accounts"

    account_name: str | None = spec_field(
        f.named(r"[a-z0-9]{3,24}", "3 to 24 characters: lower-case letters and digits"),
        "Data Lake Analytics account name (with its resource group, instead of its full resource ID)",
        yaml="account_name",
        v1=("account_name",),
        cli=("--account-name",),
    )
    data_lake_store_account_name: str | None = spec_field(
        f.bounded_text(64),
        "Default Data Lake Store account",
        yaml="data_lake_store_account_name",
        cli=("--data-lake-store-account-name",),
        advanced=True,
        label="Data Lake Store account",
    )

    def _short_name(self) -> str | None:
        return self.account_name

    def _properties_to_arm(self, ctx: WireContext) -> dict[str, Any]:
        out = self._base_attach(ctx)
        if self.data_lake_store_account_name:
            out["properties"] = {"dataLakeStoreAccountName": self.data_lake_store_account_name}
        return out

    @classmethod
    def _fields_from_arm(cls, props: Mapping[str, Any]) -> dict[str, Any]:
        inner = props.get("properties") or {}
        return {
            "resource_id": props.get("resourceId"),
            "data_lake_store_account_name": inner.get("dataLakeStoreAccountName"),
        }


@dataclass(frozen=True, kw_only=True)
class SynapseSparkSpec(WithIdentity, AttachedSpec, kind="synapse"):
    """A Synapse Spark pool (az ml ``synapsespark``); its settings are read from the pool itself."""

    ONE_IDENTITY_TYPE: ClassVar[bool] = True
    # az ml shows the pool's own settings; they are read from the pool, never set here
    READ_ONLY: ClassVar[frozenset[str]] = AttachedSpec.READ_ONLY | {
        "node_family",
        "node_size",
        "node_count",
        "spark_version",
        "scale_settings",
        "auto_pause_settings",
    }
    RESOURCE_TYPES: ClassVar[tuple[str, ...]] = ("Microsoft.Synapse/workspaces/bigDataPools",)

    def check(self) -> list[Problem]:
        problems = super().check()
        if self.identity_type == "SystemAssigned,UserAssigned":
            problems.append(
                Problem(
                    "identity_type",
                    "a Synapse Spark pool takes one kind of identity; allowed: system_assigned, user_assigned, none",
                )
            )
        return problems

    def _properties_to_arm(self, ctx: WireContext) -> dict[str, Any]:
        return self._base_attach(ctx)

    @classmethod
    def _fields_from_arm(cls, props: Mapping[str, Any]) -> dict[str, Any]:
        return {"resource_id": props.get("resourceId")}


@dataclass(frozen=True, kw_only=True)
class KubernetesSpec(WithIdentity, AttachedSpec, kind="kubernetes"):
    """An AKS or Arc-enabled Kubernetes cluster with the Azure ML extension (az ml ``kubernetes``)."""

    ONE_IDENTITY_TYPE: ClassVar[bool] = True
    RESOURCE_TYPES: ClassVar[tuple[str, ...]] = (
        "Microsoft.ContainerService/managedClusters",
        "Microsoft.Kubernetes/connectedClusters",
    )

    namespace: str = spec_field(
        f.bounded_text(63),
        "Kubernetes namespace for jobs",
        default="default",
        yaml="namespace",
        cli=("--namespace",),
    )
    default_instance_type: str | None = spec_field(
        f.bounded_text(63),
        "Default instance type",
        yaml="properties.default_instance_type",
        cli=("--default-instance-type",),
        advanced=True,
    )
    instance_types: Mapping[str, Any] | None = spec_field(
        _instance_types,
        "Instance types: {name: {nodeSelector, resources: {requests, limits}}}",
        yaml="properties.instance_types",
        advanced=True,
    )
    extension_instance_release_train: str | None = spec_field(
        f.text,
        "Release train of the Azure ML extension",
        yaml="properties.extension_instance_release_train",
        advanced=True,
    )
    vc_name: str | None = spec_field(f.text, "VC name", yaml="properties.vc_name", advanced=True)
    extension_principal_id: str | None = spec_field(
        f.text,
        "Principal id of the extension",
        yaml="properties.extension_principal_id",
        advanced=True,
    )
    relay_connection_string: Secret | None = spec_field(
        f.secret,
        "Relay connection string",
        yaml="properties.relay_connection_string",
        secret=True,
        advanced=True,
    )
    service_bus_connection_string: Secret | None = spec_field(
        f.secret,
        "Service Bus connection string",
        yaml="properties.service_bus_connection_string",
        secret=True,
        advanced=True,
    )

    def _properties_to_arm(self, ctx: WireContext) -> dict[str, Any]:
        inner: dict[str, Any] = {"namespace": self.namespace}
        optional = {
            "defaultInstanceType": self.default_instance_type,
            "instanceTypes": f.thaw(self.instance_types) if self.instance_types is not None else None,
            "extensionInstanceReleaseTrain": self.extension_instance_release_train,
            "vcName": self.vc_name,
            "extensionPrincipalId": self.extension_principal_id,
            "relayConnectionString": self.relay_connection_string,
            "serviceBusConnectionString": self.service_bus_connection_string,
        }
        inner.update({k: v for k, v in optional.items() if v is not None})
        out = {**self._base_attach(ctx), "properties": inner}
        if self.location and self.compute_location is None:
            out["computeLocation"] = self.location  # az ml sends location as both
        return out

    @classmethod
    def _fields_from_arm(cls, props: Mapping[str, Any]) -> dict[str, Any]:
        inner = props.get("properties") or {}
        types = inner.get("instanceTypes")
        relay, bus = inner.get("relayConnectionString"), inner.get("serviceBusConnectionString")
        return {
            "resource_id": props.get("resourceId"),
            "namespace": inner.get("namespace") or "default",
            "default_instance_type": inner.get("defaultInstanceType"),
            # the service reports unset resources as null, which its own schema refuses on a PUT
            "instance_types": f.free_mapping(_drop_nulls(types)) if isinstance(types, Mapping) else None,
            "extension_instance_release_train": inner.get("extensionInstanceReleaseTrain"),
            "vc_name": inner.get("vcName"),
            "extension_principal_id": inner.get("extensionPrincipalId"),
            "relay_connection_string": Secret(relay) if relay else None,
            "service_bus_connection_string": Secret(bus) if bus else None,
        }

    @classmethod
    def from_arm(cls, body: Mapping[str, Any]) -> KubernetesSpec:
        spec = super().from_arm(body)
        if spec.compute_location and spec.compute_location == spec.location:
            from dataclasses import replace

            return replace(spec, compute_location=None)  # it was the az ml mirror of location
        return spec


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    return value
