"""The azureml-core (v1) compute API on this package's backend: change only the imports.

    from jupyter_compute.compat import Workspace, ComputeTarget, AmlCompute, ComputeTargetException

    ws = Workspace.from_config()
    try:
        cluster = ComputeTarget(workspace=ws, name="cpu-cluster")
    except ComputeTargetException:
        config = AmlCompute.provisioning_configuration(vm_size="STANDARD_D2_V2", max_nodes=4)
        cluster = ComputeTarget.create(ws, "cpu-cluster", config)
    cluster.wait_for_completion(show_output=True)

Configurations carry the v1 keyword names; they become the same specs, and so the same requests, as
the magics and the command line build. ``wait_for_completion(show_output=True)`` shows our progress
bar (a widget in notebooks, a text line elsewhere) instead of v1's dots. Batch is refused, as the
service no longer takes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .errors import ComputeError, NotFound
from .model.kinds import Kind, find, refuse_batch
from .model.resource import Compute
from .model.secrets import Secret
from .model.specs import ComputeSpec, spec_class
from .service.operation import Operation
from .service.ref import WorkspaceRef, read_config
from .service.workspace import Workspace as _Workspace

_SECRET_KEYWORDS = {"password", "admin_user_password", "access_token", "private_key_passphrase"}


class ComputeTargetException(ComputeError):
    """v1's exception for compute lookups and operations (also raised when a compute does not exist)."""


class Workspace:
    """v1 ``azureml.core.Workspace``, as far as compute needs it."""

    def __init__(self, subscription_id: str, resource_group: str, workspace_name: str, **_ignored: Any) -> None:
        self._ws = _Workspace.shared(WorkspaceRef.azure(subscription_id, resource_group, workspace_name))

    @classmethod
    def _wrap(cls, ws: _Workspace) -> Workspace:
        self = cls.__new__(cls)
        self._ws = ws
        return self

    @classmethod
    def from_config(cls, path: str | None = None, **_ignored: Any) -> Workspace:
        """config.json as v1 finds it; with none anywhere, the local workspace (announced once)."""
        if path is not None:
            return cls._wrap(_Workspace.shared(read_config(path)))
        return cls._wrap(_Workspace.resolve())

    @classmethod
    def get(cls, name: str, subscription_id: str, resource_group: str, **_ignored: Any) -> Workspace:
        return cls(subscription_id, resource_group, name)

    @classmethod
    def local(cls) -> Workspace:
        return cls._wrap(_Workspace.local())

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
        return self._ws.location()

    @property
    def compute_targets(self) -> dict[str, ComputeTarget]:
        return {c.name: ComputeTarget._from_compute(self, c) for c in self._ws.list()}

    @property
    def api(self) -> _Workspace:
        """This package's Workspace behind it."""
        return self._ws

    def __repr__(self) -> str:
        return (
            f"Workspace.create(name='{self.name}', subscription_id='{self.subscription_id}', "
            f"resource_group='{self.resource_group}')"
        )


@dataclass
class ProvisioningConfiguration:
    """What v1's ``provisioning_configuration`` / ``attach_configuration`` return: a kind and its keywords."""

    kind: str
    keywords: dict[str, Any] = field(default_factory=dict)

    def validate_configuration(self) -> None:
        """Raises ComputeTargetException listing every problem (v1 called this before sending)."""
        try:
            spec_class(self.kind).from_keywords(name="validation-only", **self.keywords)
        except ComputeError as exc:
            raise ComputeTargetException(str(exc)) from None

    def __repr__(self) -> str:
        shown = {k: ("***" if k in _SECRET_KEYWORDS or isinstance(v, Secret) else v) for k, v in self.keywords.items()}
        return f"{type(self).__name__}(kind={self.kind!r}, {shown})"


def _given(keywords: Mapping[str, Any]) -> dict[str, Any]:
    """v1 used '' and None for 'not given'; secrets typed inline become Secrets at once."""
    out = {}
    for key, value in keywords.items():
        if value is None or value == "":
            continue
        out[key] = Secret(value) if key in _SECRET_KEYWORDS and isinstance(value, str) else value
    return out


# The v1 class of each computeType, filled as the classes below name their kinds.
_BY_TYPE: dict[str, type[ComputeTarget]] = {}


class ComputeTarget:
    """v1 ``ComputeTarget``: ``ComputeTarget(workspace, name)`` looks a compute up (the right subclass),
    raising ComputeTargetException when it does not exist.

    Each v1 subclass names its kind once, as a class keyword (``class AmlCompute(ComputeTarget,
    kind="cluster")``); its computeType, the kind its configurations build and the lookup by type all
    come from that kind's row in the kinds table."""

    _KIND: ClassVar[Kind | None] = None

    def __init_subclass__(cls, kind: str | None = None, **options: Any) -> None:
        super().__init_subclass__(**options)
        if kind is not None:
            cls._KIND = find(kind)
            _BY_TYPE[cls._KIND.compute_type] = cls

    def __new__(cls, workspace: Workspace, name: str) -> ComputeTarget:
        try:
            compute = workspace._ws.get(name)
        except NotFound:
            raise ComputeTargetException(
                f"ComputeTargetNotFound: Compute Target with name {name} not found in provided workspace"
            ) from None
        wanted = cls._KIND
        if wanted is not None and compute.compute_type != wanted.compute_type:
            raise ComputeTargetException(f"{name} is a {compute.compute_type}, not a {wanted.compute_type}")
        return cls._from_compute(workspace, compute)

    @classmethod
    def _kind(cls) -> Kind:
        if cls._KIND is None:
            raise TypeError(f"{cls.__name__} stands for no kind of compute")
        return cls._KIND

    @classmethod
    def _configuration(cls, keywords: Mapping[str, Any]) -> ProvisioningConfiguration:
        """A configuration of this class's kind from v1 keywords (what ``provisioning_configuration``
        and ``attach_configuration`` return)."""
        return ProvisioningConfiguration(cls._kind().word, _given(keywords))

    def __init__(self, workspace: Workspace, name: str) -> None:  # the work is done in __new__
        pass

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
    _compute: Compute | None
    _operation: Operation | None

    # --- creating -------------------------------------------------------------------------------

    @staticmethod
    def create(workspace: Workspace, name: str, provisioning_configuration: ProvisioningConfiguration) -> Any:
        spec = _spec(name, provisioning_configuration)
        return ComputeTarget._started(workspace, spec, workspace._ws.create(spec))

    @staticmethod
    def attach(workspace: Workspace, name: str, attach_configuration: ProvisioningConfiguration) -> Any:
        spec = _spec(name, attach_configuration)
        return ComputeTarget._started(workspace, spec, workspace._ws.attach(spec))

    @staticmethod
    def _started(workspace: Workspace, spec: ComputeSpec, op: Operation) -> ComputeTarget:
        body = dict(op.resource or {"name": spec.name, "properties": {"computeType": spec.COMPUTE_TYPE}})
        body.setdefault("name", spec.name)
        return ComputeTarget._from_compute(workspace, Compute(body), op)

    # --- following ------------------------------------------------------------------------------

    def wait_for_completion(
        self, show_output: bool = False, is_delete_operation: bool = False, timeout_in_minutes: float | None = None
    ) -> None:
        """Block until the current operation ends; with show_output, show our progress bar meanwhile."""
        op = self._operation or self.workspace._ws.follow(self.name)
        timeout = timeout_in_minutes * 60 if timeout_in_minutes else None
        if show_output:
            from .ui.show import in_kernel, show

            if in_kernel():
                show(op)
                op.wait(timeout)
            else:
                from .render.text import follow

                follow(op, timeout=timeout)
        else:
            op.wait(timeout)
        self._operation = op
        if not is_delete_operation and op.resource is not None:
            self._compute = Compute(op.resource)
        if op.error is not None:
            raise ComputeTargetException(str(op.error))

    def refresh_state(self) -> None:
        self._compute = self.workspace._ws.get(self.name)

    def get_status(self) -> Compute:
        self.refresh_state()
        assert self._compute is not None
        return self._compute

    @property
    def provisioning_state(self) -> str:
        return self._compute.provisioning_state if self._compute else "Unknown"

    @property
    def provisioning_errors(self) -> list[Any] | None:
        return (self._compute.provisioning_errors or None) if self._compute else None

    @property
    def type(self) -> str:
        return self._compute.compute_type if self._compute else ""

    # --- changing -------------------------------------------------------------------------------

    def delete(self, wait_for_completion: bool = False, show_output: bool = False) -> None:
        self._operation = self.workspace._ws.delete(self.name)
        if wait_for_completion:
            self.wait_for_completion(show_output, is_delete_operation=True)

    def detach(self) -> None:
        self._operation = self.workspace._ws.detach(self.name)

    def add_identity(self, identity_type: str, identity_id: list[str] | None = None) -> None:
        kinds = identity_type.replace(" ", "").split(",")
        self._operation = self.workspace._ws.add_identity(
            self.name, system_assigned="SystemAssigned" in kinds, user_assigned=tuple(identity_id or ())
        )
        self._operation.wait()

    def serialize(self) -> dict[str, Any]:
        return self._compute.to_dict() if self._compute else {}

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(workspace={self.workspace!r}, name={self.name}, "
            f"provisioning_state={self.provisioning_state}, type={self.type})"
        )


def _spec(name: str, config: ProvisioningConfiguration) -> ComputeSpec:
    try:
        return spec_class(config.kind).from_keywords(name=name, **config.keywords)
    except ComputeError as exc:
        raise ComputeTargetException(str(exc)) from None


class AmlCompute(ComputeTarget, kind="cluster"):
    @classmethod
    def provisioning_configuration(
        cls,
        vm_size: str = "",
        vm_priority: str = "dedicated",
        min_nodes: int = 0,
        max_nodes: int | None = None,
        idle_seconds_before_scaledown: int | None = None,
        **keywords: Any,
    ) -> ProvisioningConfiguration:
        return cls._configuration(
            {
                "vm_size": vm_size,
                "vm_priority": vm_priority,
                "min_nodes": min_nodes,
                "max_nodes": max_nodes,
                "idle_seconds_before_scaledown": idle_seconds_before_scaledown,
                **keywords,
            }
        )

    def update(
        self,
        min_nodes: int | None = None,
        max_nodes: int | None = None,
        idle_seconds_before_scaledown: int | None = None,
    ) -> None:
        self._operation = self.workspace._ws.resize(
            self.name, min_nodes=min_nodes, max_nodes=max_nodes, idle_seconds=idle_seconds_before_scaledown
        )

    def list_nodes(self) -> list[dict[str, Any]]:
        return self.workspace._ws.nodes(self.name)

    @classmethod
    def supported_vmsizes(cls, workspace: Workspace, location: str | None = None) -> list[dict[str, Any]]:
        wanted = cls._kind().compute_type
        return [s for s in workspace._ws.sizes(location) if wanted in (s.get("supportedComputeTypes") or [])]


class ComputeInstance(ComputeTarget, kind="instance"):
    @classmethod
    def provisioning_configuration(
        cls, vm_size: str = "", ssh_public_access: bool = False, **keywords: Any
    ) -> ProvisioningConfiguration:
        return cls._configuration({"vm_size": vm_size, "ssh_public_access": ssh_public_access, **keywords})

    def start(self, wait_for_completion: bool = False, show_output: bool = False) -> None:
        self._operation = self.workspace._ws.start(self.name)
        if wait_for_completion:
            self.wait_for_completion(show_output)

    def stop(self, wait_for_completion: bool = False, show_output: bool = False) -> None:
        self._operation = self.workspace._ws.stop(self.name)
        if wait_for_completion:
            self.wait_for_completion(show_output)

    def restart(self, wait_for_completion: bool = False, show_output: bool = False) -> None:
        self._operation = self.workspace._ws.restart(self.name)
        if wait_for_completion:
            self.wait_for_completion(show_output)


class RemoteCompute(ComputeTarget, kind="vm"):
    @classmethod
    def attach_configuration(cls, **keywords: Any) -> ProvisioningConfiguration:
        return cls._configuration(keywords)


class HDInsightCompute(ComputeTarget, kind="hdinsight"):
    @classmethod
    def attach_configuration(cls, **keywords: Any) -> ProvisioningConfiguration:
        return cls._configuration(keywords)


class DatabricksCompute(ComputeTarget, kind="databricks"):
    @classmethod
    def attach_configuration(cls, **keywords: Any) -> ProvisioningConfiguration:
        return cls._configuration(keywords)


class AdlaCompute(ComputeTarget, kind="adla"):
    @classmethod
    def attach_configuration(cls, **keywords: Any) -> ProvisioningConfiguration:
        return cls._configuration(keywords)


class KubernetesCompute(ComputeTarget, kind="kubernetes"):
    @classmethod
    def attach_configuration(cls, **keywords: Any) -> ProvisioningConfiguration:
        return cls._configuration(keywords)


class SynapseCompute(ComputeTarget, kind="synapse"):
    @classmethod
    def attach_configuration(cls, **keywords: Any) -> ProvisioningConfiguration:
        return cls._configuration(keywords)


class BatchCompute(ComputeTarget):
    """Refused before anything is sent: the service no longer accepts Batch compute."""

    @staticmethod
    def attach_configuration(**keywords: Any) -> ProvisioningConfiguration:
        refuse_batch()
