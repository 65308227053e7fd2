"""What the text front ends print for data and errors: only what the service itself answered reads "the
service refused"; what this package found before sending says what is wrong and that nothing was sent."""

from __future__ import annotations

import pytest

from jupyter_compute.errors import (
    Conflict,
    LocalStoreError,
    QuotaExceeded,
    ServiceError,
    UntrustedLink,
    ValidationError,
)
from jupyter_compute.render.output import error_text, render_data


@pytest.mark.parametrize(
    "error,head",
    [
        (
            QuotaExceeded("QuotaExceeded", "needs 96 vCPUs. Nothing was created.", by_client=True),
            "error: needs 96 vCPUs. Nothing was created. (QuotaExceeded)",
        ),
        (
            Conflict("ComputeExists", "cl1 already exists with other settings", by_client=True),
            "error: cl1 already exists with other settings (ComputeExists)",
        ),
        (QuotaExceeded("QuotaExceeded", "Maximum allowed: 96", status=400), "error: the service refused: Quota"),
        (ServiceError("BadRequest", "no such size", status=400), "error: the service refused: BadRequest"),
        (LocalStoreError("LocalStoreFull", "the disk is full"), "error: the local workspace cannot serve: Local"),
        (UntrustedLink("UntrustedLink", "http://elsewhere"), "error: UntrustedLink"),
        (ValidationError.one("--size", "is required"), "error: Invalid input: --size: is required"),
    ],
)
def test_error_text_says_where_the_error_was_found(error: ServiceError | ValidationError, head: str) -> None:
    assert error_text(error).startswith(head)


def test_error_text_drops_control_characters_and_data_renders_as_asked() -> None:
    assert (
        error_text(ServiceError("Bad\x1b]0;title\x07Request", "x\x1b[2J"))
        == "error: the service refused: BadRequest: x"
    )
    assert render_data({"a": [1]}, "yaml") == "a:\n- 1"
    assert render_data({"a": [1]}, "json") == '{\n  "a": [\n    1\n  ]\n}'
