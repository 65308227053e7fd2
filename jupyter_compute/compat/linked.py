"""v1's linked services (``azureml.core.LinkedService``), as far as attaching a Synapse Spark pool needs them.

v1 registered a link from the Azure ML workspace to a Synapse workspace (``workspaces/{ws}/linkedServices``,
a preview API), then attached a pool as ``<the linked Synapse workspace>/bigDataPools/<pool>``. Today's API
(2025-12-01) has no linked services: the pool is attached directly by that resource id. So ``register``
sends nothing and keeps the link in this process, for ``SynapseCompute.attach_configuration``; ``get``
and ``list`` see the links registered here.
"""

from __future__ import annotations

from typing import Any

from .exceptions import UserErrorException

_SYNAPSE_WORKSPACE = "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Synapse/workspaces/{}"


class LinkedServiceConfiguration:
    """v1's base of linked service configurations."""


class SynapseWorkspaceLinkedServiceConfiguration(LinkedServiceConfiguration):
    """A Synapse workspace to link (v1: subscription_id, resource_group, name)."""

    def __init__(self, subscription_id: str, resource_group: str, name: str) -> None:
        self.subscription_id = subscription_id
        self.resource_group = resource_group
        self.name = name

    def _get_resource_id(self) -> str:
        return _SYNAPSE_WORKSPACE.format(self.subscription_id, self.resource_group, self.name)


# (the workspace's ARM path, the link's name) -> the link, for get and list in this process
_LINKS: dict[tuple[str, str], LinkedService] = {}


class LinkedService:
    """A Synapse workspace linked to an Azure ML workspace (v1 ``LinkedService``)."""

    def __init__(
        self,
        workspace: Any,
        name: str,
        type: str,  # noqa: A002 - v1's keyword
        linked_service_resource_id: str,
        system_assigned_identity_principal_id: str | None,
    ) -> None:
        self._workspace = workspace
        self._name = name
        self._type = type
        self._linked_service_resource_id = linked_service_resource_id
        self._system_assigned_identity_principal_id = system_assigned_identity_principal_id

    @property
    def name(self) -> str:
        return self._name

    @property
    def type(self) -> str:
        return self._type

    @property
    def linked_service_resource_id(self) -> str:
        return self._linked_service_resource_id

    @property
    def system_assigned_identity_principal_id(self) -> str | None:
        """None: with no link resource there is no link identity; the attached pool's compute takes one."""
        return self._system_assigned_identity_principal_id

    @staticmethod
    def register(workspace: Any, name: str, linked_service_config: LinkedServiceConfiguration) -> LinkedService:
        """The link, kept in this process (nothing is sent: see the module's docstring)."""
        if not isinstance(linked_service_config, SynapseWorkspaceLinkedServiceConfiguration):
            raise UserErrorException("Currently only synapse workspace linked service is supported.")
        link = LinkedService(workspace, name, "Synapse", linked_service_config._get_resource_id(), None)
        _LINKS[(_key(workspace), name)] = link
        return link

    @staticmethod
    def get(workspace: Any, name: str) -> LinkedService:
        link = _LINKS.get((_key(workspace), name))
        if link is None:
            raise UserErrorException(
                f"No linked service {name!r} was registered in this session. Azure Machine Learning no longer "
                "keeps linked services: call LinkedService.register(workspace, name, "
                "SynapseWorkspaceLinkedServiceConfiguration(subscription_id, resource_group, name)) again (it sends "
                "nothing), then SynapseCompute.attach_configuration(linked_service, type='SynapseSpark', pool_name=…)."
            )
        return link

    @staticmethod
    def list(workspace: Any) -> list[LinkedService]:
        return [link for (where, _), link in _LINKS.items() if where == _key(workspace)]

    def unregister(self) -> None:
        _LINKS.pop((_key(self._workspace), self._name), None)

    def __repr__(self) -> str:
        return (
            f"LinkedService(workspace={self._workspace!r}, name={self._name}, type={self._type}, "
            f"linked_service_resource_id={self._linked_service_resource_id}, "
            f"system_assigned_identity_principal_id={self._system_assigned_identity_principal_id}"
        )


def _key(workspace: Any) -> str:
    return f"{workspace.subscription_id}/{workspace.resource_group}/{workspace.name}".lower()
