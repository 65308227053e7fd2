"""The kinds table: every spelling the package ever accepted still names the same kind, and every reader
of kind facts (the grammar, documents, the v1 classes, the panel's menu and row actions, the service's
per-kind checks, prompted secrets) answers what the table says, so a kind is one row and no second
table can drift from it."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
import yaml

from jupyter_compute import compat
from jupyter_compute import panel as panel_entry
from jupyter_compute.errors import UnsupportedComputeType, ValidationError
from jupyter_compute.frontends import grammar
from jupyter_compute.frontends.verbs import VERBS
from jupyter_compute.model import kinds
from jupyter_compute.model.documents import spec_from_arm, spec_from_yaml
from jupyter_compute.model.resource import Compute
from jupyter_compute.model.specs import OtherComputeSpec, kind_of, spec_class
from jupyter_compute.render.spec import spec_line
from jupyter_compute.service.planning import refuse_unless_taken
from jupyter_compute.ui.rows import actions_for, kind_actions

from kinds import EXAMPLES

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
# What v1 (azureml-core) called each kind: a fact about v1, so written out here rather than derived.
V1_CLASSES = {
    "AmlCompute": "cluster",
    "ComputeInstance": "instance",
    "RemoteCompute": "vm",
    "HDInsightCompute": "hdinsight",
    "DatabricksCompute": "databricks",
    "AdlaCompute": "adla",
    "SynapseCompute": "synapse",
    "KubernetesCompute": "kubernetes",
}
ALL = pytest.mark.parametrize("kind", kinds.KINDS, ids=lambda k: k.word)


def body(kind: kinds.Kind | str, name: str = "c1") -> dict[str, Any]:
    compute_type = kind.compute_type if isinstance(kind, kinds.Kind) else kind
    attached = isinstance(kind, kinds.Kind) and kind.attached
    return {"name": name, "properties": {"computeType": compute_type, "isAttachedCompute": attached}}


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_each_spelling_names_its_kind(spelling: str) -> None:
    assert kinds.find(spelling).yaml_type == SPELLINGS[spelling]
    assert spec_class(spelling) is spec_class(kinds.find(spelling))


def test_one_row_per_kind_and_every_wire_type_maps_back() -> None:
    for attribute in ("word", "yaml_type", "compute_type", "form_label"):
        values = [getattr(k, attribute) for k in kinds.KINDS]
        assert len(set(values)) == len(values), attribute
    names = [name for k in kinds.KINDS for name in k.names]
    assert len(set(names)) == len(names), "one spelling names one kind"
    for kind in kinds.KINDS:
        assert kinds.of_compute_type(kind.compute_type) is kind
        assert kinds.word_of(kind.compute_type) == kind.word
        assert kind_of(spec_class(kind)) is kind
        assert kinds.lookup(kind.word) is kind
    assert kinds.word_of("AKS") == "AKS" and kinds.of_compute_type("AKS") is None
    assert kinds.yaml_types() == sorted(k.yaml_type for k in kinds.KINDS)
    assert kinds.compute_types() == sorted(k.compute_type for k in kinds.KINDS)


def test_a_spec_class_takes_its_wire_facts_from_its_row() -> None:
    for kind in kinds.KINDS:
        cls = spec_class(kind)
        assert cls.KIND is kind
        assert cls.__module__ == f"jupyter_compute.model.specs.{kind.module}"
        assert (cls.YAML_TYPE, cls.COMPUTE_TYPE, cls.TITLE, cls.ATTACHED) == (
            kind.yaml_type,
            kind.compute_type,
            kind.title,
            kind.attached,
        )
    with pytest.raises(TypeError, match="not a kind"):
        kind_of(OtherComputeSpec)


def test_the_first_create_loads_only_its_own_kinds_spec_module() -> None:
    """%load_ext and a first `create cluster` import the cluster's spec module, not the instance's or
    the six attach kinds' (bench/first_magic.py measures what that saves)."""
    code = """
import json, sys
from jupyter_compute.frontends import grammar, magics
loaded = lambda: sorted(m for m in sys.modules if m.startswith("jupyter_compute.model.specs."))
at_load = loaded()
grammar.parse("create cluster cpu-cluster --max-instances 2")
print(json.dumps([at_load, loaded()]))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    at_load, after_create = (set(modules) for modules in json.loads(out))
    kind_modules = {f"jupyter_compute.model.specs.{k.module}" for k in kinds.KINDS}
    assert not at_load & kind_modules
    assert after_create & kind_modules == {"jupyter_compute.model.specs.amlcompute"}


def test_created_and_attached_kinds_and_the_form_menu() -> None:
    assert [k.word for k in kinds.creatable()] == ["cluster", "instance"]
    assert [k.word for k in kinds.attachable()] == ["vm", "hdinsight", "databricks", "adla", "synapse", "kubernetes"]
    assert kinds.forms()[0] == {
        "kind": "cluster",
        "label": "Compute cluster",
        "verb": "create",
        "title": "compute cluster",
    }
    assert [k.word for k in kinds.taking("start")] == ["instance"]
    assert [k.word for k in kinds.taking("resize")] == ["cluster"]


def test_batch_is_refused_and_an_unknown_word_lists_the_allowed_ones() -> None:
    with pytest.raises(UnsupportedComputeType):
        kinds.find("Batch")
    assert kinds.lookup("batch") is None
    with pytest.raises(ValidationError) as caught:
        kinds.find("clustr")
    assert "did you mean 'cluster'?" in str(caught.value) and "kubernetes" in str(caught.value)


# --- every reader follows the table ---------------------------------------------------------------


def test_the_grammar_kind_words_are_the_tables() -> None:
    by_name = {verb.name: verb for verb in VERBS}
    assert by_name["create"].kinds == kinds.creatable()
    assert by_name["attach"].kinds == kinds.attachable()
    page = grammar.usage("jupyter compute")
    for kind in kinds.KINDS:
        assert f"{kind.verb} " in page and kind.word in page


@ALL
def test_the_grammar_takes_each_kind_under_its_verb_and_names_it_by_its_word(kind: kinds.Kind) -> None:
    for spelling in (kind.word, kind.yaml_type):
        with pytest.raises(grammar.HelpRequested) as shown:
            grammar.parse([kind.verb, spelling, "--help"])
        assert f"jupyter compute {kind.verb} {kind.word}" in str(shown.value)
    other = "create" if kind.attached else "attach"
    with pytest.raises(grammar.UsageError) as refused:
        grammar.parse([other, kind.yaml_type, "x"])
    assert f"use '{kind.verb} {kind.word}'" in str(refused.value)


@ALL
def test_documents_read_each_kind_by_its_yaml_type_and_its_compute_type(kind: kinds.Kind) -> None:
    spec = spec_from_yaml(EXAMPLES[kind.yaml_type][2])
    assert type(spec) is spec_class(kind)
    assert spec_line(spec, kind.verb).startswith(f"{kind.verb} {kind.word} ")
    assert type(spec_from_arm(body(kind))) is spec_class(kind)
    assert Compute(body(kind)).kind == kind.word


def test_a_type_this_package_only_lists_reads_as_other() -> None:
    assert isinstance(spec_from_arm(body("AKS")), OtherComputeSpec)
    assert Compute(body("AKS")).kind == "AKS"
    with pytest.raises(ValidationError, match="'AKS' cannot be created here; allowed: AmlCompute, ComputeInstance"):
        spec_from_yaml({"name": "x", "properties": {"computeType": "AKS"}})


@ALL
def test_the_prompted_secret_is_the_tables(kind: kinds.Kind) -> None:
    """An attach without its credential asks for the kind's first prompted secret; other kinds never ask."""
    document = yaml.safe_load(EXAMPLES[kind.yaml_type][2])
    fields = dict(spec_class(kind).fields_info())
    for name in kind.prompted_secrets:
        assert fields[name].secret, f"{kind.word}: {name} is not a secret field"
        *parents, leaf = fields[name].yaml.split(".")
        holder = document
        for key in parents:
            holder = holder.get(key) or {}
        holder.pop(leaf, None)
    asked: list[str] = []

    def prompt(question: str) -> str:
        asked.append(question)
        return "typed-secret-value"

    command = grammar.parse([kind.verb], yaml_body=yaml.safe_dump(document), prompt=prompt)
    assert type(command.spec) is spec_class(kind)
    assert len(asked) == (1 if kind.prompted_secrets else 0), asked
    if kind.prompted_secrets:
        first = kind.prompted_secrets[0]
        secret = getattr(command.spec, first)
        assert secret is not None and secret.reveal() == "typed-secret-value"


def test_the_v1_classes_are_registered_by_their_kind() -> None:
    for class_name, word in V1_CLASSES.items():
        cls = getattr(compat, class_name)
        kind = kinds.find(word)
        assert cls._KIND is kind
        assert compat._BY_TYPE[kind.compute_type] is cls
    assert set(compat._BY_TYPE) <= set(kinds.compute_types())
    assert {cls.__name__ for cls in compat._BY_TYPE.values()} == set(V1_CLASSES)
    assert compat.AmlCompute.provisioning_configuration(vm_size="STANDARD_D2_V2", max_nodes=1).kind == "cluster"
    assert compat.ComputeInstance.provisioning_configuration(vm_size="STANDARD_D2_V2").kind == "instance"
    link = compat.LinkedService.register(
        compat.Workspace.local(),
        "syn",
        compat.SynapseWorkspaceLinkedServiceConfiguration("00000000-0000-0000-0000-000000000001", "rg", "syn"),
    )
    # each attached kind's attach_configuration with v1's own signature (username first for VMs and HDInsight)
    v1_attach_arguments: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {
        "vm": (("azureuser",), {"resource_id": "x", "password": "p"}),
        "hdinsight": (("sshuser",), {"resource_id": "x", "password": "p"}),
        "synapse": ((link, "SynapseSpark", "pool"), {}),
    }
    for class_name, word in V1_CLASSES.items():
        cls = getattr(compat, class_name)
        if kinds.find(word).attached:
            args, keywords = v1_attach_arguments.get(word, ((), {"resource_id": "x"}))
            assert cls.attach_configuration(*args, **keywords).kind == word


def test_the_panel_menu_is_the_tables() -> None:
    menu = panel_entry.forms()
    assert menu == kinds.forms()
    assert [(f["kind"], f["label"], f["verb"], f["title"]) for f in menu] == [
        (k.word, k.form_label, k.verb, k.title) for k in kinds.KINDS
    ]


@ALL
def test_row_actions_and_the_service_checks_follow_the_kinds_actions(kind: kinds.Kind) -> None:
    compute = Compute(body(kind))
    edit = ["edit"] if kind.word in ("cluster", "instance") else []  # the panel's edit pane (update)
    assert kind_actions(compute) == [*kind.actions, *edit, "details", "detach" if kind.attached else "delete"]
    for action in {a for k in kinds.KINDS for a in k.actions}:
        if action in kind.actions:
            refuse_unless_taken(compute, action)
        else:
            with pytest.raises(ValidationError, match=f"c1 is a {kind.word}; {action} applies to compute"):
                refuse_unless_taken(compute, action)


def test_a_listed_only_type_has_only_details_and_delete() -> None:
    compute = Compute(body("AKS"))
    assert actions_for(compute) == ["details", "delete"]
    with pytest.raises(ValidationError, match="c1 is a AKS; start applies to compute instances"):
        refuse_unless_taken(compute, "start")


@ALL
def test_the_detach_sentence_names_what_the_kinds_row_says_it_is_outside(kind: kinds.Kind) -> None:
    """The noun for the resource an attached compute stands for is the kind's row (no table beside it)."""
    from jupyter_compute.ui.rows import confirm_for

    said = confirm_for(Compute(body(kind)))
    if kind.attached:
        assert kind.resource != "resource", f"{kind.word}: give its row a resource noun"
        assert f"detaching leaves the {kind.resource} itself untouched" in said["detach"]
    else:
        assert "detach" not in said
