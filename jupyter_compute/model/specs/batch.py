"""Azure Batch: refused with an explanation. The service no longer has a Batch compute type."""

from __future__ import annotations

from typing import Any, NoReturn

from ...errors import Problem, UnsupportedComputeType

BATCH_MESSAGE = (
    "Azure Machine Learning no longer accepts Batch compute: the v1 SDK attached Batch accounts with "
    "computeType 'Batch' at api-version 2019-06-01, and the current REST API (2025-12-01) has no such type, "
    "so the request would be rejected. Use a compute cluster instead (`%compute create cluster NAME --size "
    "SIZE --max-instances N`), which scales out and back to zero like a Batch pool; for Spark workloads "
    "attach Synapse Spark or Databricks"
)


def refuse_batch(**_ignored: Any) -> NoReturn:
    """What ``attach batch`` and v1 ``BatchCompute.attach_configuration`` do: fail before sending."""
    raise UnsupportedComputeType([Problem("type", BATCH_MESSAGE)], "attach")
