"""The kinds of compute: one row each, the one owner of every fact about a kind.

A :class:`Kind` row says what the wire calls it (the az ml YAML ``type``, the ARM ``computeType``),
what users call it (its title), whether it is attached, and what the front ends need: the grammar word
(``create cluster``), other spellings, the panel's form label, the verbs it takes beyond show and
delete/detach, whether it runs on the region's VM sizes (and so has a size and vCPU pre-flight), the
secret to ask for when an attach has none, and the module under :mod:`.specs` whose spec class names
this row (``class AmlComputeSpec(ComputeSpec, kind="cluster")`` takes its wire facts from it).

Every reader derives from :data:`KINDS`: the grammar's kind words, the documents (:mod:`.documents`),
the panel's kind menu (:func:`forms`, which the lab extension asks the kernel for), its row actions,
the v1 compat classes' registry and the service's per-kind checks. The table imports no spec: a kind's
spec module loads when that kind is first used (:func:`jupyter_compute.model.specs.spec_class`), so the
first ``%compute create cluster`` does not pay for the attach kinds.

"kind" means one thing in names: the grammar word (``"cluster"``, ``"vm"``). A new kind of compute is
one spec module plus one row in :data:`KINDS`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, NoReturn

from ..errors import Problem, UnsupportedComputeType, ValidationError

POWER_ACTIONS = ("start", "stop", "restart")
BATCH_NAMES = frozenset({"batch", "batchcompute", "azurebatch"})
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


def normalise(name: str) -> str:
    """How a typed kind name is compared: lower case, no '-', '_' kept, no spaces."""
    return str(name).strip().lower().replace("-", "").replace(" ", "")


@dataclass(frozen=True)
class Kind:
    """One kind of compute: its wire facts and what the front ends need."""

    word: str  # the grammar word: `create cluster`, `attach vm`
    module: str  # its spec module under model/specs, loaded when the kind is first used
    yaml_type: str  # the az ml YAML `type`
    compute_type: str  # the wire `computeType`
    title: str  # what users call it: "compute cluster"
    form_label: str  # the panel's kind menu
    attached: bool = False  # an existing resource linked to the workspace (attach/detach, never deleted by us)
    aliases: tuple[str, ...] = ()  # other spellings, where a kind is named by value (--type, a document, v1)
    actions: tuple[str, ...] = ()  # verbs besides show and delete/detach (the panel's row actions)
    sized: bool = False  # runs on the region's VM sizes: a size menu, and the size and vCPU quota pre-flight
    prompted_secrets: tuple[str, ...] = ()  # asked for (in this order of preference) when an attach has none
    resource: str = "resource"  # what an attached compute is outside the workspace, in a word or two

    @property
    def verb(self) -> str:
        """How a compute of this kind comes to the workspace: ``create`` or ``attach``."""
        return "attach" if self.attached else "create"

    @property
    def names(self) -> tuple[str, ...]:
        """Every spelling that names this kind, normalised (see :func:`normalise`)."""
        return tuple(dict.fromkeys((self.word, self.yaml_type, normalise(self.compute_type), *self.aliases)))


_SSH_SECRETS = ("admin_password", "ssh_private_key_file")

KINDS: tuple[Kind, ...] = (
    Kind(
        "cluster",
        "amlcompute",
        "amlcompute",
        "AmlCompute",
        "compute cluster",
        "Compute cluster",
        aliases=("aml_compute",),
        actions=("resize",),
        sized=True,
    ),
    Kind(
        "instance",
        "computeinstance",
        "computeinstance",
        "ComputeInstance",
        "compute instance",
        "Compute instance",
        aliases=("ci",),
        actions=POWER_ACTIONS,
        sized=True,
    ),
    Kind(
        "vm",
        "attach",
        "virtualmachine",
        "VirtualMachine",
        "attached virtual machine",
        "Attach a VM",
        attached=True,
        aliases=("remote",),
        prompted_secrets=_SSH_SECRETS,
        resource="VM",
    ),
    Kind(
        "hdinsight",
        "attach",
        "hdinsight",
        "HDInsight",
        "attached HDInsight cluster",
        "Attach HDInsight",
        attached=True,
        aliases=("hdi",),
        prompted_secrets=_SSH_SECRETS,
        resource="HDInsight cluster",
    ),
    Kind(
        "databricks",
        "attach",
        "databricks",
        "Databricks",
        "attached Databricks workspace",
        "Attach Databricks",
        attached=True,
        prompted_secrets=("access_token",),
        resource="Databricks workspace",
    ),
    Kind(
        "adla",
        "attach",
        "datalakeanalytics",
        "DataLakeAnalytics",
        "attached Data Lake Analytics account",
        "Attach Data Lake Analytics",
        attached=True,
        resource="Data Lake Analytics account",
    ),
    Kind(
        "synapse",
        "attach",
        "synapsespark",
        "SynapseSpark",
        "attached Synapse Spark pool",
        "Attach Synapse Spark",
        attached=True,
        resource="Synapse Spark pool",
    ),
    Kind(
        "kubernetes",
        "attach",
        "kubernetes",
        "Kubernetes",
        "attached Kubernetes cluster",
        "Attach Kubernetes",
        attached=True,
        aliases=("k8s",),
        resource="Kubernetes cluster",
    ),
)

_BY_NAME: dict[str, Kind] = {name: kind for kind in KINDS for name in kind.names}
_BY_COMPUTE_TYPE: dict[str, Kind] = {kind.compute_type: kind for kind in KINDS}
_BY_WORD: dict[str, Kind] = {kind.word: kind for kind in KINDS}
CLUSTER = _BY_WORD["cluster"]
INSTANCE = _BY_WORD["instance"]


def find(name: str) -> Kind:
    """The kind named by any of its spellings; Batch is refused with why, anything else lists the words."""
    key = normalise(name)
    if key in BATCH_NAMES:
        refuse_batch()
    kind = _BY_NAME.get(key)
    if kind is None:
        close = difflib.get_close_matches(key, list(_BY_NAME), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        allowed = ", ".join(sorted({k.word for k in KINDS} | {k.yaml_type for k in KINDS}))
        raise ValidationError([Problem("type", f"{name!r} is not a kind of compute{hint} Allowed: {allowed}")])
    return kind


def by_word(word: str) -> Kind:
    """The row of a grammar word (``"cluster"``); a KeyError for anything else (a programming error)."""
    return _BY_WORD[word]


def lookup(name: str) -> Kind | None:
    """The kind named by any of its spellings, or None (no error, Batch included)."""
    return _BY_NAME.get(normalise(name))


def of_compute_type(compute_type: str) -> Kind | None:
    """The kind of an ARM ``computeType`` (``AmlCompute`` → cluster); None for types this package only lists."""
    return _BY_COMPUTE_TYPE.get(str(compute_type))


def yaml_types() -> list[str]:
    """Every az ml YAML ``type`` this package manages, sorted (what a document's ``type`` may say)."""
    return sorted(k.yaml_type for k in KINDS)


def compute_types() -> list[str]:
    """Every ARM ``computeType`` this package manages, sorted."""
    return sorted(_BY_COMPUTE_TYPE)


def word_of(compute_type: str) -> str:
    """``AmlCompute`` → ``cluster``; a type this package only lists is shown as it is."""
    kind = of_compute_type(compute_type)
    return kind.word if kind else compute_type


def creatable() -> tuple[Kind, ...]:
    """The kinds ``create`` makes, in table order."""
    return tuple(k for k in KINDS if not k.attached)


def attachable() -> tuple[Kind, ...]:
    """The kinds ``attach`` adds, in table order."""
    return tuple(k for k in KINDS if k.attached)


def taking(action: str) -> tuple[Kind, ...]:
    """The kinds an action such as ``resize`` or ``start`` applies to, in table order."""
    return tuple(k for k in KINDS if action in k.actions)


def forms() -> list[dict[str, str]]:
    """The panel's kind menu, in order: what the lab extension asks the kernel for.

    Each entry: ``kind`` (the grammar word, what ``sidebar_form`` takes), ``label`` (the menu's text),
    ``verb`` (``create`` or ``attach``) and ``title`` (what users call it: ``compute cluster``)."""
    return [{"kind": k.word, "label": k.form_label, "verb": k.verb, "title": k.title} for k in KINDS]
