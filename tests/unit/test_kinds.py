"""The kinds table: every spelling the package ever accepted still names the same kind."""

from __future__ import annotations

import pytest

from jupyter_compute.errors import UnsupportedComputeType, ValidationError
from jupyter_compute.model import kinds

SPELLINGS = {
    "cluster": "amlcompute",
    "amlcompute": "amlcompute",
    "aml_compute": "amlcompute",
    "AmlCompute": "amlcompute",
    "instance": "computeinstance",
    "computeinstance": "computeinstance",
    "Compute-Instance": "computeinstance",
    "ci": "computeinstance",
    "vm": "virtualmachine",
    "virtualmachine": "virtualmachine",
    "remote": "virtualmachine",
    "hdinsight": "hdinsight",
    "hdi": "hdinsight",
    "databricks": "databricks",
    "adla": "datalakeanalytics",
    "datalakeanalytics": "datalakeanalytics",
    "synapse": "synapsespark",
    "synapsespark": "synapsespark",
    "kubernetes": "kubernetes",
    "k8s": "kubernetes",
}


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_each_spelling_names_its_kind(spelling: str) -> None:
    assert kinds.find(spelling).yaml_type == SPELLINGS[spelling]


def test_one_row_per_kind_and_every_wire_type_maps_back() -> None:
    assert len({k.word for k in kinds.KINDS}) == len(kinds.KINDS)
    for kind in kinds.KINDS:
        assert kinds.of_compute_type(kind.compute_type) is kind
        assert kinds.word_of(kind.compute_type) == kind.word
        assert kinds.of_spec(kind.spec) is kind
    assert kinds.word_of("AKS") == "AKS"


def test_created_and_attached_kinds_and_the_form_menu() -> None:
    assert [k.word for k in kinds.creatable()] == ["cluster", "instance"]
    assert [k.word for k in kinds.attachable()] == ["vm", "hdinsight", "databricks", "adla", "synapse", "kubernetes"]
    assert kinds.forms()[0] == {"kind": "cluster", "label": "Compute cluster", "verb": "create"}


def test_batch_is_refused_and_an_unknown_word_lists_the_allowed_ones() -> None:
    with pytest.raises(UnsupportedComputeType):
        kinds.find("Batch")
    with pytest.raises(ValidationError) as caught:
        kinds.find("clustr")
    assert "did you mean 'cluster'?" in str(caught.value) and "kubernetes" in str(caught.value)
