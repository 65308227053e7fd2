"""jupyter-compute: create and manage Azure Machine Learning compute from Jupyter.

Importing this package is light: the API, ipywidgets, requests and azure-identity load on
first use. ``%load_ext jupyter_compute`` registers the ``%compute`` magics.

This module is also where display is wired in, above every layer: the model and the service do not
know how they are shown. When the public API first hands out a Workspace, an Operation or a compute,
computes get their text tables, and inside IPython operations get their live bar and computes their
HTML tables (:mod:`jupyter_compute.ui.formatters`); ``%load_ext`` does the same for its shell.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from .version import __version__ as __version__

# Names whose objects are displayed: handing one out wires display in (see the module docstring).
_DISPLAYED = frozenset({"Workspace", "Operation", "Compute", "ComputeList", "all_workspaces"})

_LAZY = {
    "Workspace": "service.workspace",
    "Compute": "model.resource",
    "ComputeList": "model.resource",
    "Operation": "service.operation",
    "Progress": "model.progress",
    "Secret": "model.secrets",
    "ComputeError": "errors",
    "ValidationError": "errors",
    "ServiceError": "errors",
    "NotFound": "errors",
    "Conflict": "errors",
    "QuotaExceeded": "errors",
    "OperationFailed": "errors",
    "TransportError": "errors",
    "PricesUnavailable": "errors",
    "Costs": "model.costs",
    "ComputeCost": "model.costs",
    "Estimate": "model.costs",
    "RegionPrices": "model.prices",
    "SizePrice": "model.prices",
    "AuthenticationError": "errors",
    "UnexpectedAnswer": "errors",
    "UntrustedLink": "errors",
    "UsageError": "errors",
    "HelpRequested": "errors",
    "LocalStoreError": "errors",
    "StoppedWatching": "errors",
    "UnsupportedComputeType": "errors",
    "AmlComputeSpec": "model.specs",
    "ComputeInstanceSpec": "model.specs",
    "VirtualMachineSpec": "model.specs",
    "HDInsightSpec": "model.specs",
    "DatabricksSpec": "model.specs",
    "DataLakeAnalyticsSpec": "model.specs",
    "SynapseSparkSpec": "model.specs",
    "KubernetesSpec": "model.specs",
    "spec_from_yaml": "model.documents",
    "spec_class": "model.specs",
    "all_workspaces": "service.account",
    "AllWorkspaces": "model.everywhere",
}
# What `from jupyter_compute import *` gives: the lazy table's names and the two extension hooks, sorted.
__all__ = [
    "AllWorkspaces",
    "AmlComputeSpec",
    "AuthenticationError",
    "Compute",
    "ComputeCost",
    "ComputeError",
    "ComputeInstanceSpec",
    "ComputeList",
    "Conflict",
    "Costs",
    "DataLakeAnalyticsSpec",
    "DatabricksSpec",
    "Estimate",
    "HDInsightSpec",
    "HelpRequested",
    "KubernetesSpec",
    "LocalStoreError",
    "NotFound",
    "Operation",
    "OperationFailed",
    "PricesUnavailable",
    "Progress",
    "QuotaExceeded",
    "RegionPrices",
    "Secret",
    "ServiceError",
    "SizePrice",
    "StoppedWatching",
    "SynapseSparkSpec",
    "TransportError",
    "UnexpectedAnswer",
    "UnsupportedComputeType",
    "UntrustedLink",
    "UsageError",
    "ValidationError",
    "VirtualMachineSpec",
    "Workspace",
    "_jupyter_labextension_paths",
    "_jupyter_server_extension_points",
    "all_workspaces",
    "load_ipython_extension",
    "spec_class",
    "spec_from_yaml",
]

if TYPE_CHECKING:
    from .errors import (
        AuthenticationError,
        ComputeError,
        Conflict,
        HelpRequested,
        LocalStoreError,
        NotFound,
        OperationFailed,
        PricesUnavailable,
        QuotaExceeded,
        ServiceError,
        StoppedWatching,
        TransportError,
        UnexpectedAnswer,
        UnsupportedComputeType,
        UntrustedLink,
        UsageError,
        ValidationError,
    )
    from .model.costs import ComputeCost, Costs, Estimate
    from .model.documents import spec_from_yaml
    from .model.everywhere import AllWorkspaces
    from .model.prices import RegionPrices, SizePrice
    from .model.progress import Progress
    from .model.resource import Compute, ComputeList
    from .model.secrets import Secret
    from .model.specs import (
        AmlComputeSpec,
        ComputeInstanceSpec,
        DatabricksSpec,
        DataLakeAnalyticsSpec,
        HDInsightSpec,
        KubernetesSpec,
        SynapseSparkSpec,
        VirtualMachineSpec,
        spec_class,
    )
    from .service.account import all_workspaces
    from .service.operation import Operation
    from .service.workspace import Workspace


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'jupyter_compute' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    if name in _DISPLAYED:
        _wire_display()
    globals()[name] = value
    return value


def load_ipython_extension(ipython: Any) -> None:
    from .frontends.magics import register

    register(ipython)
    _wire_display(ipython)


def _wire_display(shell: Any = None) -> None:
    """Computes print as text tables; in IPython (``shell``, else the running one, if any) operations show
    as their live bar and computes as HTML tables. Idempotent."""
    from .model.resource import set_text_renderer
    from .render.tables import computes_text

    set_text_renderer(computes_text)
    if shell is None:
        ipython = sys.modules.get("IPython")  # never imported here: without it there is no shell to wire
        shell = ipython.get_ipython() if ipython is not None else None
    if shell is not None:
        from .ui.formatters import install

        install(shell)


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "jupyter-compute"}]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    """The Compute tab's first paint (:mod:`.frontends.server`), enabled by the package's
    etc/jupyter/jupyter_server_config.d/jupyter_compute.json."""
    return [{"module": "jupyter_compute.frontends.server"}]
