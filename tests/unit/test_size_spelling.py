"""One spelling of a VM size everywhere (issue 22, point 13): the size catalogue's (``Standard_DS3_v2``).

Given a size typed in any case, or none (the default the panel's form sends), when a spec is built, then
its request carries the catalogue's spelling; given a compute the service wrote back in another case
(``STANDARD_DS3_V2``, as recorded), when it is shown (its row, the panel's row, ``show``'s text and YAML,
the bill of ``costs``), then the size reads as the catalogue spells it. A size the catalogue does not list
is kept as typed (the region may offer it)."""

from __future__ import annotations

from typing import Any

import pytest

from jupyter_compute.model.costs import running_costs
from jupyter_compute.model.documents import spec_from_arm
from jupyter_compute.model.prices import RegionPrices
from jupyter_compute.model.resource import Compute
from jupyter_compute.model.specs import AmlComputeSpec, ComputeInstanceSpec, WireContext
from jupyter_compute.render.prices import costs_text
from jupyter_compute.render.spec import spec_yaml
from jupyter_compute.render.tables import computes_text
from jupyter_compute.service.changes import Changes
from jupyter_compute.ui.rows import row_of

CTX = WireContext("00000000-0000-0000-0000-000000000001", "rg", "ws")


def sent_size(spec: Any) -> str:
    return str(spec.to_arm(CTX)["properties"]["properties"]["vmSize"])


@pytest.mark.parametrize("typed", ["Standard_DS3_v2", "STANDARD_DS3_V2", "standard_ds3_v2", "sTaNdArD_dS3_V2"])
def test_a_size_typed_in_any_case_is_sent_as_the_catalogue_spells_it(typed: str) -> None:
    assert sent_size(AmlComputeSpec.from_keywords(name="cpu", size=typed)) == "Standard_DS3_v2"
    assert sent_size(ComputeInstanceSpec.from_keywords(name="ci1", vm_size=typed)) == "Standard_DS3_v2"
    assert Changes.checked(size=typed).size == "Standard_DS3_v2"


def test_the_default_size_is_the_catalogues_spelling_too() -> None:
    """The panel's form leaves the size to its default; the magic and the CLI type it: one spelling."""
    assert sent_size(AmlComputeSpec.from_keywords(name="cpu")) == "Standard_DS3_v2"
    assert sent_size(ComputeInstanceSpec.from_keywords(name="ci1")) == "Standard_DS3_v2"


def test_a_size_the_catalogue_does_not_list_is_kept_as_typed() -> None:
    assert sent_size(AmlComputeSpec.from_keywords(name="cpu", size="Standard_HB120rs_v3")) == "Standard_HB120rs_v3"


def written_back(size: str) -> Compute:
    return Compute(
        {
            "name": "ci1",
            "location": "westeurope",
            "properties": {
                "computeType": "ComputeInstance",
                "provisioningState": "Succeeded",
                "properties": {"vmSize": size, "state": "Running", "idleTimeBeforeShutdown": "PT60M"},
            },
        }
    )


def test_a_size_the_service_writes_back_in_capitals_is_shown_as_the_catalogue_spells_it() -> None:
    compute = written_back("STANDARD_DS3_V2")
    assert compute.size == "Standard_DS3_v2"
    assert compute.row()["size"] == row_of(compute)["size"] == "Standard_DS3_v2"
    assert spec_from_arm(compute.body).size == "Standard_DS3_v2"
    shown = computes_text(compute) + spec_yaml(compute.spec)
    assert "Standard_DS3_v2" in shown and "STANDARD_DS3_V2" not in shown
    prices = RegionPrices("westeurope", "USD", {}, fetched=1.0, source="test", emulated=True)
    bill = costs_text(running_costs([compute], {"westeurope": prices}, "westeurope", 1_800_000_000.0))
    assert "Standard_DS3_v2" in bill and "STANDARD_DS3_V2" not in bill
