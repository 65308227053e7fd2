"""v1's ``Workspace`` and ``ComputeTarget`` over this package's :class:`~jupyter_compute.Workspace`.

Signatures, attributes and what is printed follow azureml-core 1.61 (``azureml/core/workspace.py``,
``azureml/core/compute/compute.py``). Every failure, authentication included, is raised as v1 code
catches it (:mod:`.exceptions`). The kinds (``AmlCompute`` …) are in :mod:`.targets`.
"""

from __future__ import annotations

import builtins
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from ..errors import NotFound
from ..model.kinds import Kind, find
from ..model.resource import Compute
from ..model.secrets import Secret
from ..model.specs import ComputeSpec, spec_class
from ..service.operation import Operation
from ..service.ref import WorkspaceRef, find_config, read_config
from ..service.workspace import Workspace as _Workspace
from .exceptions import ComputeTargetException, UserErrorException, WorkspaceException, translated
from .status import when

_SECRET_KEYWORDS = {"password", "admin_user_password", "access_token", "private_key_passphrase"}
# v1 refused these names for any compute (compute.py ComputeTarget.create)
_RESERVED = ("amlcompute", "local", "containerinstance")
# The keys of v1's get_details(): the flattened attributes of its workspace model, camel-cased, in its order
# (azureml/_base_sdk_common/workspace/models/workspace.py _attribute_map), and where the ARM body keeps each.
_DETAILS = (
    ("id", "id"),
    ("name", "name"),
    ("identity", "identity"),
    ("location", "location"),
    ("type", "type"),
    ("tags", "tags"),
    ("sku", "sku.tier"),
    ("workspaceid", "properties.workspaceId"),
    ("sdkTelemetryAppInsightsKey", "properties.sdkTelemetryAppInsightsKey"),
    ("description", "properties.description"),
    ("friendlyName", "properties.friendlyName"),
    ("creationTime", "properties.creationTime"),
    ("containerRegistry", "properties.containerRegistry"),
    ("adbWorkspace", "properties.adbWorkspace"),
    ("keyVault", "properties.keyVault"),
    ("applicationInsights", "properties.applicationInsights"),
    ("storageAccount", "properties.storageAccount"),
    ("encryption", "properties.encryption"),
    ("hbiWorkspace", "properties.hbiWorkspace"),
    ("allowPublicAccessWhenBehindVnet", "properties.allowPublicAccessWhenBehindVnet"),
    ("provisioningState", "properties.provisioningState"),
    ("imageBuildCompute", "properties.imageBuildCompute"),
    ("serviceProvisionedResourceGroup", "properties.serviceProvisionedResourceGroup"),
    ("discoveryUrl", "properties.discoveryUrl"),
    ("privateEndpointConnections", "properties.privateEndpointConnections"),
    ("notebookInfo", "properties.notebookInfo"),
    ("serviceManagedResourcesSettings", "properties.serviceManagedResourcesSettings"),
    ("primaryUserAssignedIdentity", "properties.primaryUserAssignedIdentity"),
    ("systemDatastoresAuthMode", "properties.systemDatastoresAuthMode"),
    ("v1LegacyMode", "properties.v1LegacyMode"),
)


def _dig(body: Mapping[str, Any], path: str) -> Any:
    value: Any = body
    for key in path.split("."):
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def _snake(value: Any) -> Any:
    """Nested objects as v1's model ``as_dict()`` gives them: snake_case keys."""
    if isinstance(value, Mapping):
        return {re.sub(r"(?<!^)(?=[A-Z])", "_", str(k)).lower(): _snake(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_snake(v) for v in value]
    return value


class Workspace:
    """v1 ``azureml.core.Workspace``, as far as compute code uses it. The ids of the local workspace
    (``00000000-0000-0000-0000-000000000000``, ``local``, ``local``) open the local workspace."""

    def __init__(
        self,
        subscription_id: str,
        resource_group: str,
        workspace_name: str,
        auth: Any = None,
        _location: str | None = None,
        _disable_service_check: bool = False,
        _workspace_id: str | None = None,
        sku: str = "basic",
        tags: Mapping[str, str] | None = None,
        _cloud: str = "AzureCloud",
    ) -> None:
        with translated(WorkspaceException):
            ref = WorkspaceRef.named(subscription_id, resource_group, workspace_name, cloud_name=_cloud)
        self._ws = _Workspace.shared(ref)
        if not _disable_service_check:
            self._checked()

    @classmethod
    def _wrap(cls, ws: _Workspace) -> Workspace:
        self = cls.__new__(cls)
        self._ws = ws
        return self

    @classmethod
    def local(cls) -> Workspace:
        """The local workspace (not in v1)."""
        return cls._wrap(_Workspace.local())

    @staticmethod
    def get(
        name: str,
        auth: Any = None,
        subscription_id: str | None = None,
        resource_group: str | None = None,
        location: str | None = None,
        cloud: str = "AzureCloud",
        id: str | None = None,  # noqa: A002 - v1's keyword
    ) -> Workspace:
        if not subscription_id or not resource_group:
            raise WorkspaceException(
                f"Workspace.get({name!r}) needs subscription_id= and resource_group=: this package does not search "
                "every subscription and resource group for the name. Give both, or use Workspace.from_config() "
                "with the config.json the Azure ML studio offers for download."
            )
        return Workspace(subscription_id, resource_group, name, _cloud=cloud)

    @staticmethod
    def create(name: str, *_v1_arguments: Any, **_v1_keywords: Any) -> Workspace:
        """Refused, saying how to get a workspace: this package manages compute, not workspaces."""
        raise WorkspaceException(
            f"Workspace.create({name!r}): this package does not create workspaces. Create one with "
            "`az ml workspace create --name NAME --resource-group GROUP` or in the Azure portal, then open it with "
            "Workspace.get(name, subscription_id=..., resource_group=...) or Workspace.from_config() (its "
            "config.json); without one, Workspace.from_config() opens the local workspace. Nothing was sent."
        )

    @staticmethod
    def from_config(
        path: str | None = None, auth: Any = None, _logger: Any = None, _file_name: str | None = None
    ) -> Workspace:
        """v1's search: ``path`` is the config file or the folder to search from (default: here), upwards,
        also in ``.azureml/``. With no ``path`` and no config.json anywhere, the local workspace (announced
        once); a ``path`` that holds none raises UserErrorException, as v1 does."""
        with translated(UserErrorException):
            if path is None and _file_name is None:
                return Workspace._wrap(_Workspace.resolve())._checked()
            start = Path(path or ".")
            if start.is_file():
                return Workspace._wrap(_Workspace.shared(read_config(start)))._checked()
            found = _find(start, _file_name)
            if found is None:
                raise UserErrorException(
                    f"The workspace configuration file {_file_name or 'config.json'}, could not be found in "
                    f"{start.resolve()} or its parent directories. Please check whether the workspace configuration "
                    "file exists, or provide the full path to the configuration file as an argument. You can "
                    "download a configuration file for your workspace, via http://ml.azure.com and clicking on "
                    "the name of your workspace in the right top."
                )
            return Workspace._wrap(_Workspace.shared(read_config(found)))._checked()

    def _checked(self) -> Workspace:
        """Reads the workspace, as v1 did when it opened one: a wrong id or no sign-in raises here."""
        with translated(WorkspaceException):
            self._ws.details()
        return self

    def write_config(self, path: str | None = None, file_name: str | None = None) -> None:
        """Writes ``path/.azureml/config.json`` (v1's place; ``file_name`` another name) in the format the
        Azure ML studio offers for download, which v1 and this package read."""
        folder = Path(path or ".") / ".azureml"
        name = file_name or "config.json"
        if not name.endswith(".json"):
            name += ".json"
        ids = self._ws.ref.config_json()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(json.dumps(ids, indent=4) + "\n", encoding="utf-8")
        except OSError as exc:
            raise UserErrorException(f"Could not write the config file to: {folder / name}\n{exc}") from None

    @property
    def name(self) -> str:
        return self._ws.ref.workspace_name

    @property
    def subscription_id(self) -> str:
        return self._ws.ref.subscription_id

    @property
    def resource_group(self) -> str:
        return self._ws.ref.resource_group

    @property
    def location(self) -> str:
        with translated(WorkspaceException):
            return self._ws.location()

    def get_details(self) -> dict[str, Any]:
        """The workspace as v1's ``get_details()`` returns it: its keys (``id``, ``name``, ``location``,
        ``sku``, ``workspaceid``, ``friendlyName`` …), those the service does not report left out."""
        with translated(WorkspaceException):
            body = self._ws.details()
        details = {key: _snake(_dig(body, where)) for key, where in _DETAILS}
        return {key: value for key, value in details.items() if value is not None}

    @property
    def tags(self) -> dict[str, str]:
        return dict(self.get_details().get("tags") or {})

    @property
    def sku(self) -> str:
        return str(self.get_details().get("sku") or "Basic")

    @property
    def _workspace_id(self) -> str:
        """The workspace's id (a GUID), which the compute-instance how-to builds a unique name from."""
        return str(self.get_details().get("workspaceid") or "")

    @property
    def compute_targets(self) -> dict[str, ComputeTarget]:
        return {target.name: target for target in ComputeTarget.list(self)}

    @property
    def api(self) -> _Workspace:
        """This package's Workspace behind it."""
        return self._ws

    def __repr__(self) -> str:
        return (
            f"Workspace.create(name='{self.name}', subscription_id='{self.subscription_id}', "
            f"resource_group='{self.resource_group}')"
        )


def _find(start: Path, file_name: str | None) -> Path | None:
    if file_name is None:
        return find_config(start)
    folder = start.resolve()
    for candidate in (folder, *folder.parents):
        for where in (candidate / ".azureml" / file_name, candidate / "aml_config" / file_name, candidate / file_name):
            if where.is_file():
                return where
    return None


@dataclass
class ProvisioningConfiguration:
    """What v1's ``provisioning_configuration`` / ``attach_configuration`` return: a kind and its keywords."""

    kind: str
    keywords: dict[str, Any] = field(default_factory=dict)

    def validate_configuration(self) -> None:
        """Raises ComputeTargetException listing every problem (v1 called this before sending)."""
        with translated():
            spec_class(self.kind).from_keywords(name="validation-only", **self.keywords)

    def __repr__(self) -> str:
        shown = {k: ("***" if k in _SECRET_KEYWORDS or isinstance(v, Secret) else v) for k, v in self.keywords.items()}
        return f"{type(self).__name__}(kind={self.kind!r}, {shown})"


def given(keywords: Mapping[str, Any]) -> dict[str, Any]:
    """v1 used '' and None for 'not given'; secrets typed inline become Secrets at once."""
    out = {}
    for key, value in keywords.items():
        if value is None or value == "":
            continue
        out[key] = Secret(value) if key in _SECRET_KEYWORDS and isinstance(value, str) else value
    return out


# The v1 class of each computeType, filled as the classes in .targets name their kinds.
_BY_TYPE: dict[str, type[ComputeTarget]] = {}


class ComputeTarget:
    """v1 ``ComputeTarget``: ``ComputeTarget(workspace, name)`` looks a compute up (the right subclass),
    raising ComputeTargetException when it does not exist.

    Each v1 subclass names its kind once, as a class keyword (``class AmlCompute(ComputeTarget,
    kind="cluster")``); its computeType, the kind its configurations build and the lookup by type all
    come from that kind's row in the kinds table. The attributes v1 sets (``id``, ``location``,
    ``provisioning_state``, ``cluster_resource_id`` …) are read from the compute as last fetched."""

    _KIND: ClassVar[Kind | None] = None

    def __init_subclass__(cls, kind: str | None = None, **options: Any) -> None:
        super().__init_subclass__(**options)
        if kind is not None:
            cls._KIND = find(kind)
            _BY_TYPE[cls._KIND.compute_type] = cls

    def __new__(cls, workspace: Workspace, name: str) -> ComputeTarget:
        compute = _lookup(workspace, name)
        wanted = cls._KIND
        if wanted is not None and compute.compute_type != wanted.compute_type:
            raise ComputeTargetException(f"{name} is a {compute.compute_type}, not a {wanted.compute_type}")
        return cls._from_compute(workspace, compute)

    def __init__(self, workspace: Workspace, name: str) -> None:  # the work is done in __new__
        pass

    @classmethod
    def _kind(cls) -> Kind:
        if cls._KIND is None:
            raise TypeError(f"{cls.__name__} stands for no kind of compute")
        return cls._KIND

    @classmethod
    def _configuration(cls, keywords: Mapping[str, Any]) -> ProvisioningConfiguration:
        """A configuration of this class's kind from v1 keywords (what ``provisioning_configuration``
        and ``attach_configuration`` return)."""
        return ProvisioningConfiguration(cls._kind().word, given(keywords))

    @classmethod
    def _from_compute(cls, workspace: Workspace, compute: Compute, op: Operation | None = None) -> ComputeTarget:
        target_cls = _BY_TYPE.get(compute.compute_type, ComputeTarget)
        self = object.__new__(target_cls)
        self.workspace = workspace
        self.name = compute.name
        self._compute = compute
        self._operation = op
        return self

    workspace: Workspace
    name: str
    _compute: Compute
    _operation: Operation | None

    @staticmethod
    def list(workspace: Workspace) -> builtins.list[ComputeTarget]:
        """Every compute of the workspace, each as its v1 class."""
        with translated():
            computes = workspace.api.list()
        return [ComputeTarget._from_compute(workspace, c) for c in computes]

    # --- what v1 sets on a compute target -----------------------------------------------------------

    @property
    def _properties(self) -> Mapping[str, Any]:
        return self._compute.body.get("properties") or {}

    @property
    def id(self) -> str:
        return str(self._compute.body.get("id") or "")

    @property
    def location(self) -> str:
        return self._compute.location

    @property
    def type(self) -> str:
        return self._compute.compute_type

    @property
    def tags(self) -> dict[str, str] | None:
        return self._compute.body.get("tags")

    @property
    def description(self) -> str | None:
        return self._properties.get("description")

    @property
    def created_on(self) -> datetime | None:
        return when(self._properties.get("createdOn"))

    @property
    def modified_on(self) -> datetime | None:
        return when(self._properties.get("modifiedOn"))

    @property
    def provisioning_state(self) -> str:
        return self._compute.provisioning_state

    @property
    def provisioning_errors(self) -> builtins.list[Any] | None:
        return self._compute.provisioning_errors or None

    @property
    def cluster_resource_id(self) -> str | None:
        """The ARM id of the resource behind the compute (an attached one's, or the service's own)."""
        return self._properties.get("resourceId")

    @property
    def cluster_location(self) -> str | None:
        return self._properties.get("computeLocation")

    @property
    def is_attached(self) -> bool:
        return self._compute.attached

    # --- creating -------------------------------------------------------------------------------

    @staticmethod
    def create(workspace: Workspace, name: str, provisioning_configuration: ProvisioningConfiguration) -> Any:
        """Sends the create and returns once the service took it: a refusal (an existing compute with
        other settings, a size the region does not offer, too little quota, no sign-in) raises here."""
        if name in _RESERVED:
            raise UserErrorException(f"Please specify a different target name. {name} is a reserved name.")
        with translated():
            spec = _spec(name, provisioning_configuration)
            return ComputeTarget._started(workspace, spec, workspace.api.create(spec))

    @staticmethod
    def attach(workspace: Workspace, name: str, attach_configuration: ProvisioningConfiguration) -> Any:
        with translated():
            spec = _spec(name, attach_configuration)
            return ComputeTarget._started(workspace, spec, workspace.api.attach(spec))

    @staticmethod
    def _started(workspace: Workspace, spec: ComputeSpec, op: Operation) -> ComputeTarget:
        op.submitted()  # v1 sent the PUT before returning, so its refusal raised here
        body = dict(op.resource or {"name": spec.name, "properties": {"computeType": spec.COMPUTE_TYPE}})
        body.setdefault("name", spec.name)
        return ComputeTarget._from_compute(workspace, Compute(body), op)

    # --- following ------------------------------------------------------------------------------

    def wait_for_completion(self, show_output: bool = False, is_delete_operation: bool = False) -> None:
        """Block until the current operation ends (with show_output, our progress bar meanwhile), then
        print v1's line; a failed operation raises ComputeTargetException with v1's text."""
        self._wait_operation(show_output, is_delete_operation, None)

    def _wait_operation(self, show_output: bool, is_delete_operation: bool, timeout: float | None) -> bool:
        """Wait for this target's operation (or what the compute is doing now); False if ``timeout`` passed."""
        with translated():
            op = self._operation or self.workspace.api.follow(self.name)
            _follow(op, show_output, timeout)
        self._operation = op
        if not op.done():
            return False
        print(f'Provisioning operation finished, operation "{op.status}"')
        if not is_delete_operation:
            if op.resource is not None:
                self._compute = Compute(op.resource)
            if op.error is None and op.status == "Succeeded":
                self._refresh()
        if op.error is not None or op.status != "Succeeded":
            raise ComputeTargetException(
                "Compute object provisioning polling reached non-successful terminal state, current provisioning "
                f"state: {self.provisioning_state}\nProvisioning operation error:\n{op.error}",
                op.error,
            )
        return True

    def _refresh(self) -> None:
        self._compute = _lookup(self.workspace, self.name)

    def refresh_state(self) -> None:
        """Reads the compute again (v1: an in-place update of its properties)."""
        self._refresh()

    def get_status(self) -> Any:
        """The provisioning state, read now (the kinds with a detailed status return that instead)."""
        self._refresh()
        return self.provisioning_state

    # --- changing -------------------------------------------------------------------------------

    def delete(self, wait_for_completion: bool = False, show_output: bool = False) -> None:
        if self._kind().attached:
            raise ComputeTargetException(
                f"Delete is not supported for {type(self).__name__} object. Try to use detach instead."
            )
        with translated():
            self._operation = self.workspace.api.delete(self.name)
            self._operation.submitted()
        if wait_for_completion:
            self.wait_for_completion(show_output, is_delete_operation=True)

    def detach(self) -> None:
        if not self._kind().attached:
            raise ComputeTargetException(
                f"Detach is not supported for {type(self).__name__} object. Try to use delete instead."
            )
        with translated():
            self._operation = self.workspace.api.detach(self.name)
            self._operation.submitted()

    def serialize(self) -> dict[str, Any]:
        """The compute as the service reports it, secrets masked."""
        return self._compute.to_dict()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(workspace={self.workspace!r}, name={self.name}, id={self.id}, "
            f"type={self.type}, provisioning_state={self.provisioning_state}, location={self.location}, "
            f"tags={self.tags})"
        )


def _lookup(workspace: Workspace, name: str) -> Compute:
    try:
        with translated():
            return workspace.api.get(name)
    except ComputeTargetException as exc:
        if isinstance(exc.error, NotFound):
            raise ComputeTargetException(
                f"ComputeTargetNotFound: Compute Target with name {name} not found in provided workspace", exc.error
            ) from None
        raise


def _spec(name: str, config: ProvisioningConfiguration) -> ComputeSpec:
    if not isinstance(config, ProvisioningConfiguration):
        raise ComputeTargetException(
            f"expected the configuration a provisioning_configuration() or attach_configuration() returns, "
            f"got {type(config).__name__}"
        )
    return spec_class(config.kind).from_keywords(name=name, **config.keywords)


def _follow(op: Operation, show_output: bool, timeout: float | None) -> None:
    """Wait for ``op``; with show_output our live bar (a widget in a kernel, a text line elsewhere)."""
    if not show_output:
        op.wait(timeout)
        return
    from ..ui.show import in_kernel, show

    if in_kernel():
        show(op)
        op.wait(timeout)
    else:
        from ..render.text import follow

        follow(op, timeout=timeout)


def poll_until(
    workspace: Workspace, done: Callable[[], bool], timeout: float, clock: Callable[[], float] = time.monotonic
) -> bool:
    """Call ``done`` at the workspace's poll interval until it is true (True) or ``timeout`` s pass (False)."""
    deadline = clock() + timeout
    interval = workspace.api.poller.interval
    while not done():
        left = deadline - clock()
        if left <= 0:
            return False
        time.sleep(min(interval, left))
    return True
