"""The kinds of compute: one row each, the one owner of every fact about a kind.

A spec class owns the wire facts (its az ml YAML ``type`` as ``YAML_TYPE``, the ARM ``computeType``
as ``COMPUTE_TYPE``, its ``TITLE``, whether it is ``ATTACHED``); a :class:`Kind` row adds what the
front ends need: the grammar word (``create cluster``), other spellings, the panel's form label, the
verbs it takes beyond show and delete/detach, whether it runs on the region's VM sizes (and so has a
size and vCPU pre-flight), and the secret to ask for when an attach has none.

Every reader derives from :data:`KINDS`: the grammar's kind words, :func:`spec_class`, the documents
(:mod:`.documents`), the panel's kind menu (:func:`forms`, which the lab extension asks the kernel
for), its row actions, the v1 compat classes' registry and the service's per-kind checks.

"kind" means one thing in names: the grammar word (``"cluster"``, ``"vm"``). A new kind of compute is
one spec module plus one row in :data:`KINDS`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from ..errors import Problem, ValidationError
from .specs import (
    AmlComputeSpec,
    ComputeInstanceSpec,
    ComputeSpec,
    DatabricksSpec,
    DataLakeAnalyticsSpec,
    HDInsightSpec,
    KubernetesSpec,
    SynapseSparkSpec,
    VirtualMachineSpec,
)
from .specs.batch import refuse_batch

POWER_ACTIONS = ("start", "stop", "restart")
BATCH_NAMES = frozenset({"batch", "batchcompute", "azurebatch"})


def normalise(name: str) -> str:
    """How a typed kind name is compared: lower case, no '-', '_' kept, no spaces."""
    return str(name).strip().lower().replace("-", "").replace(" ", "")


@dataclass(frozen=True)
class Kind:
    """One kind of compute as the front ends know it; its wire facts come from its spec class."""

    word: str  # the grammar word: `create cluster`, `attach vm`
    spec: type[ComputeSpec]
    form_label: str  # the panel's kind menu
    aliases: tuple[str, ...] = ()  # other spellings, where a kind is named by value (--type, a document, v1)
    actions: tuple[str, ...] = ()  # verbs besides show and delete/detach (the panel's row actions)
    sized: bool = False  # runs on the region's VM sizes: a size menu, and the size and vCPU quota pre-flight
    prompted_secrets: tuple[str, ...] = ()  # asked for (in this order of preference) when an attach has none

    @property
    def yaml_type(self) -> str:
        return self.spec.YAML_TYPE

    @property
    def compute_type(self) -> str:
        return self.spec.COMPUTE_TYPE

    @property
    def title(self) -> str:
        return self.spec.TITLE

    @property
    def attached(self) -> bool:
        return self.spec.ATTACHED

    @property
    def verb(self) -> str:
        """How a compute of this kind comes to the workspace: ``create`` or ``attach``."""
        return "attach" if self.attached else "create"

    @property
    def names(self) -> tuple[str, ...]:
        """Every spelling that names this kind, normalised (see :func:`normalise`)."""
        return tuple(dict.fromkeys((self.word, self.yaml_type, normalise(self.compute_type), *self.aliases)))


KINDS: tuple[Kind, ...] = (
    Kind("cluster", AmlComputeSpec, "Compute cluster", aliases=("aml_compute",), actions=("resize",), sized=True),
    Kind("instance", ComputeInstanceSpec, "Compute instance", aliases=("ci",), actions=POWER_ACTIONS, sized=True),
    Kind(
        "vm",
        VirtualMachineSpec,
        "Attach a VM",
        aliases=("remote",),
        prompted_secrets=("admin_password", "ssh_private_key_file"),
    ),
    Kind(
        "hdinsight",
        HDInsightSpec,
        "Attach HDInsight",
        aliases=("hdi",),
        prompted_secrets=("admin_password", "ssh_private_key_file"),
    ),
    Kind("databricks", DatabricksSpec, "Attach Databricks", prompted_secrets=("access_token",)),
    Kind("adla", DataLakeAnalyticsSpec, "Attach Data Lake Analytics"),
    Kind("synapse", SynapseSparkSpec, "Attach Synapse Spark"),
    Kind("kubernetes", KubernetesSpec, "Attach Kubernetes", aliases=("k8s",)),
)

_BY_NAME: dict[str, Kind] = {name: kind for kind in KINDS for name in kind.names}
_BY_COMPUTE_TYPE: dict[str, Kind] = {kind.compute_type: kind for kind in KINDS}
_BY_SPEC: dict[type[ComputeSpec], Kind] = {kind.spec: kind for kind in KINDS}


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


def lookup(name: str) -> Kind | None:
    """The kind named by any of its spellings, or None (no error, Batch included)."""
    return _BY_NAME.get(normalise(name))


def of_compute_type(compute_type: str) -> Kind | None:
    """The kind of an ARM ``computeType`` (``AmlCompute`` → cluster); None for types this package only lists."""
    return _BY_COMPUTE_TYPE.get(str(compute_type))


def of_spec(spec: ComputeSpec | type[ComputeSpec]) -> Kind:
    """The row of a spec class (or of a spec); every managed spec class has one."""
    cls = spec if isinstance(spec, type) else type(spec)
    return _BY_SPEC[cls]


def spec_class(name: str) -> type[ComputeSpec]:
    """The spec class of a kind, by any of its names. Batch is refused with an explanation."""
    return find(name).spec


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
