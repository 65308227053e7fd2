"""The v1 compute classes: ``AmlCompute``, ``ComputeInstance`` and the attached kinds, with azureml-core
1.61's signatures (``azureml/core/compute/*.py``).

Where v1 did what today's service no longer takes, the class fails before sending and says what to do
instead: a VM or HDInsight cluster named by its address (the service needs its resource id), Batch (no
such compute type any more).
"""

from __future__ import annotations

import time
from typing import Any

from ..model.kinds import BATCH_MESSAGE
from ..model.specs.scale import SCALE_SETTINGS
from .core import ComputeTarget, ProvisioningConfiguration, Workspace, poll_until
from .exceptions import ComputeTargetException, translated
from .linked import LinkedService
from .status import AmlComputeStatus, ComputeInstanceStatus, KubernetesComputeStatus, ScaleSettings

# v1's AmlCompute.wait_for_completion default
WAIT_MINUTES = 25


class AmlCompute(ComputeTarget, kind="cluster"):
    """A compute cluster (v1 ``AmlCompute``)."""

    @staticmethod
    def provisioning_configuration(
        vm_size: str = "",
        vm_priority: str = "dedicated",
        min_nodes: int = 0,
        max_nodes: int | None = None,
        idle_seconds_before_scaledown: int | str | None = None,
        admin_username: str | None = None,
        admin_user_password: str | None = None,
        admin_user_ssh_key: str | None = None,
        vnet_resourcegroup_name: str | None = None,
        vnet_name: str | None = None,
        subnet_name: str | None = None,
        tags: dict[str, str] | None = None,
        description: str | None = None,
        remote_login_port_public_access: str = "NotSpecified",
        identity_type: str | None = None,
        identity_id: list[str] | None = None,
        location: str | None = None,
        enable_node_public_ip: bool = True,
    ) -> ProvisioningConfiguration:
        keywords = dict(locals())
        if remote_login_port_public_access == "NotSpecified":
            del keywords["remote_login_port_public_access"]
        if enable_node_public_ip:
            del keywords["enable_node_public_ip"]  # the service's default: sent only when turned off
        return AmlCompute._configuration(keywords)

    # --- status ---------------------------------------------------------------------------------

    @property
    def status(self) -> AmlComputeStatus | None:
        """v1's ``status``: set once the cluster is provisioned (Succeeded or Updating)."""
        if self.provisioning_state not in ("Succeeded", "Updating"):
            return None
        return AmlComputeStatus.deserialize(self._properties)

    @property
    def vm_size(self) -> str | None:
        return self._inner.get("vmSize")

    @property
    def vm_priority(self) -> str | None:
        return self._inner.get("vmPriority")

    @property
    def scale_settings(self) -> ScaleSettings | None:
        return ScaleSettings.deserialize(self._inner.get(SCALE_SETTINGS))

    @property
    def identity_type(self) -> str | None:
        identity = self._compute.body.get("identity") or {}
        return identity.get("type")

    @property
    def _inner(self) -> dict[str, Any]:
        return dict(self._properties.get("properties") or {})

    def get_status(self) -> AmlComputeStatus | None:
        """The cluster's detailed status, read now; None (with v1's line) while it is not provisioned."""
        self._refresh()
        status = self.status
        if status is None:
            state = self.provisioning_state.capitalize()
            if state == "Creating":
                print("AmlCompute is getting created. Consider calling wait_for_completion() first\n")
            elif state == "Failed":
                print("AmlCompute is in a failed state, try deleting and recreating\n")
            else:
                print(f'Current provisioning state of AmlCompute is "{state}"\n')
        return status

    # --- waiting --------------------------------------------------------------------------------

    def wait_for_completion(  # type: ignore[override]  # v1's own signature, wider than its parent's
        self,
        show_output: bool = False,
        min_node_count: int | None = None,
        timeout_in_minutes: float = WAIT_MINUTES,
        is_delete_operation: bool = False,
    ) -> None:
        """v1's wait: the current operation to its end (its failure raises), then until the cluster has at
        least ``min_node_count`` nodes (default: its minimum), fails, reports errors, or ``timeout_in_minutes``
        pass. As in v1 a timeout does not raise: with show_output it prints 'Wait timeout has been reached'
        and the state; read ``get_status()`` after."""
        deadline = time.monotonic() + timeout_in_minutes * 60
        if self._operation is not None:
            if not self._wait_operation(show_output, is_delete_operation, max(0.0, deadline - time.monotonic())):
                self._report_timeout(show_output)
                return
        if is_delete_operation:
            return

        def settled() -> bool:
            self._refresh()
            return self._nodes_reached(min_node_count) or self._ended_badly()

        finished = poll_until(self.workspace, settled, max(0.0, deadline - time.monotonic()))
        if show_output:
            print("AmlCompute wait for completion finished\n")
        if self._nodes_reached(min_node_count):
            if show_output:
                print("Minimum number of nodes requested have been provisioned")
        elif not finished:
            self._report_timeout(show_output)
        elif self._ended_badly() and show_output:
            state = self.provisioning_state.capitalize()
            print(f'Terminal state of "{state}" has been reached\n')
            if state == "Failed":
                print(f"Provisioning errors: {self.provisioning_errors}\n")
            errors = (self.status.errors if self.status else None) or self.provisioning_errors
            if errors and state != "Failed":
                print(f"There were errors reported from AmlCompute:\n{errors}")

    def _report_timeout(self, show_output: bool) -> None:
        if not show_output:
            return
        print("Wait timeout has been reached")
        status = self.status
        if status is not None and status.provisioning_state:
            print(
                f'Current provisioning state of AmlCompute is "{status.provisioning_state.capitalize()}" and current '
                f'node count is "{status.current_node_count}"'
            )
        else:
            print(f'Current provisioning state of AmlCompute is "{self.provisioning_state.capitalize()}"')

    def _nodes_reached(self, min_node_count: int | None) -> bool:
        status = self.status
        if not min_node_count and status is not None and status.scale_settings is not None:
            min_node_count = status.scale_settings.minimum_node_count
        return (
            min_node_count is not None
            and status is not None
            and status.current_node_count is not None
            and status.current_node_count >= min_node_count
        )

    def _ended_badly(self) -> bool:
        status = self.status
        return self.provisioning_state.capitalize() in ("Failed", "Canceled") or bool(
            (status is not None and status.errors) or self.provisioning_errors
        )

    # --- changing -------------------------------------------------------------------------------

    def update(
        self,
        min_nodes: int | None = None,
        max_nodes: int | None = None,
        idle_seconds_before_scaledown: int | None = None,
    ) -> None:
        """Changes the scale settings (v1 sends the PATCH and returns; ``wait_for_completion`` follows it)."""
        if min_nodes is None and max_nodes is None and idle_seconds_before_scaledown is None:
            return
        with translated():
            self._operation = self.workspace.api.resize(
                self.name, min_nodes=min_nodes, max_nodes=max_nodes, idle_seconds=idle_seconds_before_scaledown
            )
            self._operation.submitted()

    def add_identity(self, identity_type: str, identity_id: list[str] | None = None) -> None:
        """Adds a managed identity; raises ComputeTargetException when the service refuses it."""
        if identity_type not in ("UserAssigned", "SystemAssigned"):
            raise ComputeTargetException(
                "Invalid configuration, identity_type must be set to 'UserAssigned' or 'SystemAssigned'."
            )
        if identity_type == "UserAssigned" and (not isinstance(identity_id, list) or not identity_id):
            raise ComputeTargetException(
                "Invalid configuration, please pass the identity_id of the user assigned identity as a list "
                "(eg. ['resource_ID1','resourceID2',...])"
            )
        if identity_type != "UserAssigned" and identity_id:
            raise ComputeTargetException(
                "Invalid configuration, identity_id cannot be set when identity type is not user assigned."
            )
        with translated():
            op = self.workspace.api.add_identity(
                self.name, system_assigned=identity_type == "SystemAssigned", user_assigned=tuple(identity_id or ())
            )
            self._operation = op
            op.result()
        self._refresh()

    def list_nodes(self) -> list[dict[str, Any]]:
        with translated():
            return self.workspace.api.nodes(self.name)

    @staticmethod
    def supported_vmsizes(workspace: Workspace, location: str | None = None) -> list[dict[str, Any]]:
        """The sizes a cluster can use in the region (default: the workspace's), as v1 lists them."""
        return _sizes(AmlCompute, workspace, location)


class ComputeInstance(ComputeTarget, kind="instance"):
    """A compute instance (v1 ``ComputeInstance``)."""

    @staticmethod
    def provisioning_configuration(
        vm_size: str = "",
        ssh_public_access: bool = False,
        admin_user_ssh_public_key: str | None = None,
        vnet_resourcegroup_name: str | None = None,
        vnet_name: str | None = None,
        subnet_name: str | None = None,
        tags: dict[str, str] | None = None,
        description: str | None = None,
        assigned_user_object_id: str | None = None,
        assigned_user_tenant_id: str | None = None,
    ) -> ProvisioningConfiguration:
        return ComputeInstance._configuration(dict(locals()))

    @property
    def status(self) -> ComputeInstanceStatus | None:
        return ComputeInstanceStatus.deserialize(self._properties)

    @property
    def vm_size(self) -> str | None:
        return self._compute.size or None

    @staticmethod
    def supported_vmsizes(workspace: Workspace, location: str | None = None) -> list[dict[str, Any]]:
        """The sizes an instance can use in the region (default: the workspace's), as v1 lists them."""
        return _sizes(ComputeInstance, workspace, location)

    def get_status(self) -> ComputeInstanceStatus | None:
        """The instance's detailed status (``state``, ``errors``, ``vm_size`` …), read now."""
        self._refresh()
        return self.status

    def start(self, wait_for_completion: bool = False, show_output: bool = False) -> None:
        self._power("start", wait_for_completion, show_output)

    def stop(self, wait_for_completion: bool = False, show_output: bool = False) -> None:
        self._power("stop", wait_for_completion, show_output)

    def restart(self, wait_for_completion: bool = False, show_output: bool = False) -> None:
        self._power("restart", wait_for_completion, show_output)

    def _power(self, action: str, wait: bool, show_output: bool) -> None:
        """v1 refuses at once what the state does not allow (a stopped instance's stop, a running one's
        start); the service's refusal raises here too."""
        with translated():
            self._operation = getattr(self.workspace.api, action)(self.name)
            self._operation.submitted()
        if wait:
            self.wait_for_completion(show_output)


# What v1's supported_vmsizes keeps of each size (azureml/_compute/_util.py get_paginated_compute_supported_vms)
_SIZE_KEYS = ("name", "vCPUs", "gpus", "memoryGB", "maxResourceVolumeMB")


def _sizes(cls: type[ComputeTarget], workspace: Workspace, location: str | None) -> list[dict[str, Any]]:
    wanted = cls._kind().compute_type
    with translated():
        sizes = workspace.api.sizes(location)
    return [{k: s.get(k) for k in _SIZE_KEYS} for s in sizes if wanted in (s.get("supportedComputeTypes") or [])]


class RemoteCompute(ComputeTarget, kind="vm"):
    """An attached virtual machine (v1 ``RemoteCompute``)."""

    @staticmethod
    def attach_configuration(
        username: str,
        subscription_id: str | None = None,
        resource_group: str | None = None,
        vm_name: str | None = None,
        resource_id: str | None = None,
        address: str | None = None,
        ssh_port: int = 22,
        password: str = "",
        private_key_file: str = "",
        private_key_passphrase: str = "",
    ) -> ProvisioningConfiguration:
        given = dict(locals())
        from ..model.specs import VirtualMachineSpec  # the attach kinds' specs load on first use

        return _ssh_attach(RemoteCompute, VirtualMachineSpec.RESOURCE_TYPES[0], "vm_name", given)


class HDInsightCompute(ComputeTarget, kind="hdinsight"):
    """An attached HDInsight cluster (v1 ``HDInsightCompute``)."""

    @staticmethod
    def attach_configuration(
        username: str,
        subscription_id: str | None = None,
        resource_group: str | None = None,
        cluster_name: str | None = None,
        resource_id: str | None = None,
        address: str | None = None,
        ssh_port: int | str = "22",
        password: str = "",
        private_key_file: str = "",
        private_key_passphrase: str = "",
    ) -> ProvisioningConfiguration:
        given = dict(locals())
        from ..model.specs import HDInsightSpec  # the attach kinds' specs load on first use

        return _ssh_attach(HDInsightCompute, HDInsightSpec.RESOURCE_TYPES[0], "cluster_name", given)


def _ssh_attach(
    cls: type[ComputeTarget], provider: str, name_keyword: str, given: dict[str, Any]
) -> ProvisioningConfiguration:
    """A VM's or HDInsight cluster's configuration from v1's keywords: the resource id as v1 took it
    (given, or built from subscription, group and name: ``provider`` is its resource type), the SSH
    account as it is."""
    what = cls._kind().title.removeprefix("attached ")
    subscription_id, resource_group, name = given["subscription_id"], given["resource_group"], given[name_keyword]
    resource_id, address = given["resource_id"], given["address"]
    if subscription_id and resource_group and name:
        if resource_id or address:
            raise ComputeTargetException(
                f"If subscription_id, resource_group, {name_keyword} are provided, please do not provide "
                f"{'resource_id' if resource_id else 'address'}."
            )
        resource_id = f"/subscriptions/{subscription_id}/resourceGroups/{resource_group}/providers/{provider}/{name}"
    elif resource_id and address:
        raise ComputeTargetException("Since resource_id is provided, please do not provide address.")
    elif address:
        raise ComputeTargetException(
            f"address: Azure Machine Learning no longer attaches a {what} by its address ({address!r}); it needs "
            f"the {what}'s Azure resource id. Give resource_id='/subscriptions/<subscription_id>/resourceGroups/"
            f"<resource_group>/providers/{provider}/<name>' (`az resource show -g <resource_group> -n <name> "
            f"--resource-type {provider} --query id` prints it), or subscription_id=, resource_group= and "
            f"{name_keyword}= instead of address=; the username, ssh_port, password or private_key_file stay as "
            "they are. Nothing was sent."
        )
    elif not resource_id:
        raise ComputeTargetException(
            f"Please provide subscription_id, resource_group, {name_keyword} or provide resource_id for the {what} "
            "being attached."
        )
    port = given["ssh_port"]
    return cls._configuration(
        {
            "username": given["username"],
            "resource_id": resource_id,
            "ssh_port": int(port) if str(port).isdigit() else port,  # HDInsight's v1 default was the text "22"
            "password": given["password"],
            "private_key_file": given["private_key_file"],
            "private_key_passphrase": given["private_key_passphrase"],
        }
    )


class DatabricksCompute(ComputeTarget, kind="databricks"):
    """An attached Databricks workspace (v1 ``DatabricksCompute``)."""

    @staticmethod
    def attach_configuration(
        resource_group: str | None = None,
        workspace_name: str | None = None,
        resource_id: str | None = None,
        access_token: str = "",
    ) -> ProvisioningConfiguration:
        return DatabricksCompute._configuration(dict(locals()))


class AdlaCompute(ComputeTarget, kind="adla"):
    """An attached Data Lake Analytics account (v1 ``AdlaCompute``)."""

    @staticmethod
    def attach_configuration(
        resource_group: str | None = None, account_name: str | None = None, resource_id: str | None = None
    ) -> ProvisioningConfiguration:
        return AdlaCompute._configuration(dict(locals()))


# The azureml-contrib-k8s preview's keyword (its docs: Azure/AML-Kubernetes docs/attach-kubernetes-sdk.md).
PREVIEW_K8S_CONFIG = "aml_k8s_config"


class KubernetesCompute(ComputeTarget, kind="kubernetes"):
    """An attached Kubernetes cluster (v1 ``KubernetesCompute``, from azureml-core 1.38)."""

    @staticmethod
    def attach_configuration(
        resource_id: str | None = None,
        namespace: str | None = None,
        identity_type: str | None = None,
        identity_ids: list[str] | None = None,
        default_instance_type: str | None = None,
        instance_types: dict[str, Any] | None = None,
        **preview: Any,
    ) -> ProvisioningConfiguration:
        """azureml-core's keywords (the AKS or Arc cluster's resource id, the namespace for jobs, a managed
        identity: ``identity_type`` SystemAssigned or UserAssigned with ``identity_ids``) and the two the v1
        docs' Arc how-to adds (``default_instance_type``, ``instance_types``: {name: {nodeSelector,
        resources}}), which the service still takes. The contrib preview's ``aml_k8s_config`` is taken
        when empty, as its docs show it, and refused with why otherwise."""
        config = preview.pop(PREVIEW_K8S_CONFIG, None)
        if preview:
            raise ComputeTargetException(
                f"{', '.join(sorted(preview))}: not keywords of KubernetesCompute.attach_configuration; v1's are "
                "resource_id, namespace, identity_type, identity_ids, default_instance_type and instance_types. "
                "Nothing was sent."
            )
        if config:
            raise ComputeTargetException(
                f"{PREVIEW_K8S_CONFIG}: this keyword came from the azureml-contrib-k8s preview, whose settings "
                "the service no longer reads from it. Give them as keywords instead: namespace=, "
                "default_instance_type=, instance_types={name: {'nodeSelector': {...}, 'resources': {...}}}, "
                "identity_type= and identity_ids=. Nothing was sent."
            )
        if not resource_id:
            raise ComputeTargetException("Missing argument: resource_id.")
        return KubernetesCompute._configuration(
            {
                "resource_id": resource_id,
                "namespace": namespace,
                "identity_type": identity_type,
                "identity_id": identity_ids,
                "default_instance_type": default_instance_type,
                "instance_types": instance_types,
            }
        )

    @property
    def status(self) -> KubernetesComputeStatus | None:
        if self.provisioning_state not in ("Succeeded", "Updating"):
            return None
        return KubernetesComputeStatus.deserialize(self._properties)

    def get_status(self) -> KubernetesComputeStatus | str:
        """The detailed status once attached, else the provisioning state (as v1)."""
        self._refresh()
        return self.status or self.provisioning_state.capitalize()


class SynapseCompute(ComputeTarget, kind="synapse"):
    """An attached Synapse Spark pool (v1 ``SynapseCompute``)."""

    @staticmethod
    def attach_configuration(
        linked_service: LinkedService,
        type: str,
        pool_name: str,  # noqa: A002 - v1's keyword
    ) -> ProvisioningConfiguration:
        """The pool ``pool_name`` of the Synapse workspace ``linked_service`` names (see :class:`LinkedService`)."""
        if not isinstance(linked_service, LinkedService):
            raise ComputeTargetException("A valid linked_service object is required to attach compute.")
        if type != "SynapseSpark":
            raise ComputeTargetException("Only SynapseSpark type is supported now.")
        if not pool_name:
            raise ComputeTargetException("pool_name must be provided to attach synapse compute")
        pool = f"{linked_service.linked_service_resource_id}/bigDataPools/{pool_name}"
        return SynapseCompute._configuration({"resource_id": pool})


class AksCompute(ComputeTarget):
    """v1's AKS inference cluster: refused before anything is sent, saying what to use instead."""

    _WHY = (
        "AksCompute (an AKS cluster for v1 model deployment) is not managed by this package: v1's web service "
        "deployment is retired with azureml-core. To use an AKS cluster as a compute target, install the Azure "
        "Machine Learning extension on it (az k8s-extension create --extension-type Microsoft.AzureML.Kubernetes) "
        "and attach it with KubernetesCompute.attach_configuration(resource_id=<the AKS cluster's resource id>, "
        "namespace=...). Nothing was sent."
    )

    @staticmethod
    def provisioning_configuration(**_v1_keywords: Any) -> ProvisioningConfiguration:
        raise ComputeTargetException(AksCompute._WHY)

    @staticmethod
    def attach_configuration(**_v1_keywords: Any) -> ProvisioningConfiguration:
        raise ComputeTargetException(AksCompute._WHY)


class BatchCompute(ComputeTarget):
    """Refused before anything is sent: the service no longer accepts Batch compute."""

    @staticmethod
    def attach_configuration(
        resource_group: str | None = None, account_name: str | None = None, resource_id: str | None = None
    ) -> ProvisioningConfiguration:
        raise ComputeTargetException(
            BATCH_MESSAGE.replace(
                "(`%compute create cluster NAME --size SIZE --max-instances N`)",
                "(AmlCompute.provisioning_configuration(vm_size=..., min_nodes=0, max_nodes=N) with "
                "ComputeTarget.create)",
            )
            + " (SynapseCompute, DatabricksCompute). Nothing was sent."
        )
