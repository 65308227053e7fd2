"""A document of compute settings, from a cell, a --file or Python: one reading, one error for each way it
can be wrong, naming where it came from."""

from __future__ import annotations

import pytest

from jupyter_compute.errors import ValidationError
from jupyter_compute.frontends.grammar import parse
from jupyter_compute.inputs import settings_document
from jupyter_compute.model.documents import spec_from_yaml


def test_a_settings_document_is_a_mapping_or_an_error_on_its_field() -> None:
    assert settings_document("name: a1b\nmax_instances: 2\n", "yaml") == {"name": "a1b", "max_instances": 2}
    assert settings_document("# only a comment\n", "yaml") == {}
    assert settings_document({"name": "a1b"}, "yaml") == {"name": "a1b"}
    for wrong in ("- a\n- b\n", ["a"], "just words"):
        with pytest.raises(ValidationError) as refused:
            settings_document(wrong, "--file c.yml")
        assert str(refused.value) == (
            "Invalid input: --file c.yml: the document must be a mapping of settings. Nothing was sent."
        )
    with pytest.raises(ValidationError, match=r"yaml: .* at line \d+, column \d+"):
        settings_document("a: [1,\n", "yaml")


def test_the_grammar_and_the_specs_read_a_document_the_same_way(tmp_path: object) -> None:
    with pytest.raises(ValidationError, match="yaml: the document must be a mapping"):
        spec_from_yaml("- type: amlcompute\n")
    with pytest.raises(ValidationError, match="yaml: the document must be a mapping"):
        parse("create cluster", yaml_body="- type: amlcompute\n")
    from pathlib import Path

    listed = Path(str(tmp_path)) / "list.yml"
    listed.write_text("- type: amlcompute\n")
    with pytest.raises(ValidationError, match=f"--file {listed}: the document must be a mapping"):
        parse(["create", "--file", str(listed)])
    assert parse("create cluster c1x", yaml_body="# nothing set here\n").spec == parse("create cluster c1x").spec
