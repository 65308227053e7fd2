"""Which workspace: explicit, config.json, environment, or the embedded local one (first match wins).

A :class:`WorkspaceRef` says where requests go (ARM endpoint and the workspace's ARM path);
it does no I/O except :func:`resolve`, which reads config.json files and the environment.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import quote, urlencode

from .. import settings
from ..errors import Problem, ValidationError
from ..model.specs import GUID, WireContext
from ..model.wire import API_VERSION
from ..transport.clouds import Cloud, cloud

LOCAL_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
LOCAL_RESOURCE_GROUP = "local"
LOCAL_WORKSPACE = "local"
WORKSPACE_NAME_RULE = "3 to 33 characters: letters, digits, '_' and '-', starting with a letter or digit"
RESOURCE_GROUP_RULE = "1 to 90 characters: letters, digits, '-', '_', '.', '(' and ')', not ending in '.'"
# Azure's own rules (Microsoft.Resources naming): \w is Unicode letters, digits and '_', as the service allows.
_RESOURCE_GROUP = re.compile(r"[-\w.()]{0,89}[-\w()]")
_WORKSPACE_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}")
Origin = Literal["explicit", "config", "environment", "local"]
LOCAL_NOTICE = "jupyter-compute: no Azure workspace configured; using the local workspace (offline)."
_announced = False


def _to_stderr(text: str) -> None:
    print(text, file=sys.stderr)


_notice: Callable[[str], None] = _to_stderr


def _segment(value: str) -> str:
    """One ARM path segment, percent-encoded (nothing is safe: not '/', not '(' or ')')."""
    return quote(value, safe="")


@dataclass(frozen=True)
class WorkspaceRef:
    subscription_id: str
    resource_group: str
    workspace_name: str
    cloud_name: str = "AzureCloud"
    endpoint: str | None = None  # None: the cloud's ARM endpoint (or, for local, the running server's)
    local: bool = False
    origin: Origin = "explicit"

    @classmethod
    def azure(
        cls,
        subscription_id: str,
        resource_group: str,
        workspace_name: str,
        *,
        cloud_name: str | None = None,
        endpoint: str | None = None,
        origin: Origin = "explicit",
    ) -> WorkspaceRef:
        problems = []
        if not GUID.fullmatch(str(subscription_id or "")):
            problems.append(Problem("subscription", f"{subscription_id!r} is not a subscription id (a GUID)"))
        if not _RESOURCE_GROUP.fullmatch(str(resource_group or "")):
            problems.append(
                Problem("resource_group", f"{resource_group!r} is not a resource group name; {RESOURCE_GROUP_RULE}")
            )
        if not _WORKSPACE_NAME.fullmatch(str(workspace_name or "")):
            problems.append(Problem("workspace", f"{workspace_name!r} is not a workspace name; {WORKSPACE_NAME_RULE}"))
        if problems:
            raise ValidationError(problems, "workspace")
        chosen = cloud(cloud_name)
        return cls(
            subscription_id,
            resource_group,
            workspace_name,
            chosen.name,
            endpoint or settings.current().arm_endpoint,
            False,
            origin,
        )

    @classmethod
    def named(
        cls,
        subscription_id: str,
        resource_group: str,
        workspace_name: str,
        *,
        cloud_name: str | None = None,
        origin: Origin = "explicit",
    ) -> WorkspaceRef:
        """The workspace these ids name: the local workspace for its own ids (a config.json written for
        it, or v1 code given them), unless an ARM endpoint is configured; else an Azure workspace."""
        own = (LOCAL_SUBSCRIPTION, LOCAL_RESOURCE_GROUP, LOCAL_WORKSPACE)
        given = (str(subscription_id).lower(), str(resource_group).lower(), str(workspace_name).lower())
        if given == own and settings.current().arm_endpoint is None:
            return cls.local_workspace()
        return cls.azure(subscription_id, resource_group, workspace_name, cloud_name=cloud_name, origin=origin)

    @classmethod
    def local_workspace(cls) -> WorkspaceRef:
        return cls(LOCAL_SUBSCRIPTION, LOCAL_RESOURCE_GROUP, LOCAL_WORKSPACE, "AzureCloud", None, True, "local")

    @property
    def cloud(self) -> Cloud:
        return cloud(self.cloud_name)

    @property
    def wire_context(self) -> WireContext:
        return WireContext(self.subscription_id, self.resource_group, self.workspace_name)

    @property
    def arm_path(self) -> str:
        """The workspace's ARM path, every segment percent-encoded (a '/' or '?' in a name stays in it)."""
        return (
            f"/subscriptions/{_segment(self.subscription_id)}/resourceGroups/{_segment(self.resource_group)}"
            f"/providers/Microsoft.MachineLearningServices/workspaces/{_segment(self.workspace_name)}"
        )

    def base_url(self) -> str:
        """Where the workspace's URLs start: the endpoint, else the cloud's ARM endpoint; ``""`` for the
        local workspace, whose URLs are paths: only the transport knows (and starts) its server."""
        if self.endpoint:
            return self.endpoint.rstrip("/")
        if self.local:
            return ""
        return self.cloud.arm_endpoint

    def url(self, path: str, **query: str) -> str:
        params = {"api-version": API_VERSION, **query}
        return f"{self.base_url()}{path}?{urlencode(params)}"

    def workspace_url(self) -> str:
        return self.url(self.arm_path)

    def computes_url(self) -> str:
        return self.url(f"{self.arm_path}/computes")

    def compute_url(self, name: str, action: str | None = None, **query: str) -> str:
        path = f"{self.arm_path}/computes/{_segment(name)}"
        if action:
            path += f"/{action}"
        return self.url(path, **query)

    def location_url(self, location: str, what: str) -> str:
        path = (
            f"/subscriptions/{_segment(self.subscription_id)}/providers/Microsoft.MachineLearningServices"
            f"/locations/{_segment(location)}/{what}"
        )
        return self.url(path)

    def short(self) -> str:
        """The workspace in a few words: ``the local workspace``, ``workspace NAME``."""
        return "the local workspace" if self.local else f"workspace {self.workspace_name}"

    def config_json(self) -> dict[str, str]:
        """Its ``config.json`` in Azure ML's own format (azureml-core's and azure-ai-ml's keys), with ``cloud``
        outside the public cloud (as :func:`read_config` reads it)."""
        data = {
            "subscription_id": self.subscription_id,
            "resource_group": self.resource_group,
            "workspace_name": self.workspace_name,
        }
        if self.cloud_name != "AzureCloud":
            data["cloud"] = self.cloud_name
        return data

    @property
    def is_default_local(self) -> bool:
        """The local workspace used when none is configured (not another one its directory lists)."""
        ids = (self.subscription_id, self.resource_group, self.workspace_name)
        return self.local and ids == (LOCAL_SUBSCRIPTION, LOCAL_RESOURCE_GROUP, LOCAL_WORKSPACE)

    def describe(self) -> str:
        if self.local and self.is_default_local:
            return "the local workspace (offline; nothing reaches Azure)"
        if self.local:
            return (
                f"{self.workspace_name} (subscription {self.subscription_id}, resource group {self.resource_group}) "
                "in the local workspace (offline; nothing reaches Azure)"
            )
        where = f"{self.workspace_name} (subscription {self.subscription_id}, resource group {self.resource_group})"
        if self.endpoint:
            where += f" at {self.endpoint}"
        elif self.cloud_name != "AzureCloud":
            where += f" in {self.cloud_name}"
        return where


def read_config(path: str | os.PathLike[str], *, found: bool = False) -> WorkspaceRef:
    """A v1/v2 ``config.json``: subscription_id, resource_group, workspace_name.

    ``found``: the file was found by :func:`find_config`, not named by the user, so its errors say
    where it came from and how to choose another workspace (it would otherwise stop every command).
    """
    file = Path(path)
    try:
        return _read_config(file)
    except ValidationError as exc:
        if not found:
            raise
        subject = (
            f"workspace in {file} (found from the current folder upwards; fix or move it, or choose a "
            "workspace with --local or `workspace --config PATH`)"
        )
        problems = exc.problems
    raise ValidationError(problems, subject)


def _read_config(file: Path) -> WorkspaceRef:
    from ..inputs import read_text

    text = read_text(file, "config")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError.one("config", f"{file} is not valid JSON ({exc.msg} at line {exc.lineno})") from None
    except RecursionError:
        raise ValidationError.one("config", f"{file} is nested too deeply to be a config.json") from None
    if not isinstance(data, Mapping):
        raise ValidationError.one("config", f"{file} must hold a JSON object")
    scope = data.get("Scope")
    if isinstance(scope, str) and scope and not data.get("subscription_id"):
        # azureml-core's own write_config wrote {"Id": null, "Scope": "/subscriptions/S/resourceGroups/G/…/W"}
        pieces = scope.split("/")
        if len(pieces) != 9 or pieces[1].lower() != "subscriptions" or pieces[3].lower() != "resourcegroups":
            raise ValidationError.one("config", f"{file}: Scope is not a workspace's resource id")
        data = {"subscription_id": pieces[2], "resource_group": pieces[4], "workspace_name": pieces[8]}
    missing = [k for k in ("subscription_id", "resource_group", "workspace_name") if not data.get(k)]
    if missing:
        raise ValidationError.one("config", f"{file} lacks {', '.join(missing)}")
    return WorkspaceRef.named(
        str(data["subscription_id"]),
        str(data["resource_group"]),
        str(data["workspace_name"]),
        cloud_name=data.get("cloud"),
        origin="config",
    )


def find_config(start: Path | None = None) -> Path | None:
    """config.json from ``start`` upwards, also in each folder's .azureml/ (as the v1 SDK looks)."""
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        for name in ("config.json", ".azureml/config.json"):
            path = candidate / name
            if path.is_file():
                return path
    return None


def resolve(explicit: WorkspaceRef | None = None, start: Path | None = None, *, announce: bool = True) -> WorkspaceRef:
    """DESIGN's order: explicit, config.json upwards, AZUREML_ARM_* env, else local (announced once)."""
    if explicit is not None:
        return explicit
    config = find_config(start)
    if config is not None:
        return read_config(config, found=True)
    ids = settings.current().azureml_workspace_ids
    if ids is not None:
        return WorkspaceRef.azure(*ids, origin="environment")
    if announce:
        announce_local()
    return WorkspaceRef.local_workspace()


def show_notices_with(show: Callable[[str], None]) -> None:
    """How the once-per-process notice is shown: a line on stderr (the CLI, terminal IPython) unless a
    front end says otherwise (the magics in a kernel show it as a quiet display, not a stderr box)."""
    global _notice
    _notice = show


def announce_local() -> None:
    global _announced
    if not _announced:
        _announced = True
        _notice(LOCAL_NOTICE)


def config_path(path: str | os.PathLike[str]) -> Path:
    """Where ``--save PATH`` writes: PATH itself, or ``PATH/config.json`` when PATH is a folder."""
    target = Path(path).expanduser()
    return target / "config.json" if target.is_dir() or str(path).endswith(("/", os.sep)) else target


def write_config(ref: WorkspaceRef, path: str | os.PathLike[str], *, replace: bool = False) -> Path:
    """Write ``ref`` as a ``config.json`` in Azure ML's own format (``subscription_id``, ``resource_group``,
    ``workspace_name``, as azureml-core's ``write_config`` and azure-ai-ml read it), plus ``cloud`` outside
    the public cloud. An existing file is replaced only with ``replace``; the local workspace has none."""
    if ref.local and ref.is_default_local:
        raise ValidationError.one(
            "--save", "the local workspace needs no config.json (it is used when none is found); choose an Azure one"
        )
    target = config_path(path)
    if target.exists() and not replace:
        raise ValidationError.one(
            "--save", f"{target} exists; it was left as it is. Give --yes to replace it, or another path"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(ref.config_json(), indent=2) + "\n")
    return target
