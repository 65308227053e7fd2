"""What passes between the grammar, the verbs and the front ends: the :class:`Command` a line of words
parses to, the :class:`Outcome` of running it, and the :class:`Session` a front end keeps."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..render.output import render_data
from ..render.terminal import clean

if TYPE_CHECKING:
    from ..model.specs import ComputeSpec
    from ..service.operation import Operation
    from ..service.ref import WorkspaceRef


@dataclass(frozen=True)
class WorkspaceChoice:
    """The workspace flags of a command (``--local``, ``--subscription`` …); none given: the default."""

    local: bool = False
    subscription: str | None = None
    resource_group: str | None = None
    workspace: str | None = None
    config: str | None = None
    cloud: str | None = None

    @property
    def given(self) -> bool:
        return bool(self.local or self.subscription or self.resource_group or self.workspace or self.config)


@dataclass(frozen=True)
class Command:
    """One parsed command. The fields other than ``verb``, ``spec``, ``workspace``, ``options`` and
    ``inline_secrets`` are the grammar's shared options, by the name of their argparse destination; a
    verb's own options are in ``options``, by theirs."""

    verb: str
    name: str | None = None
    spec: ComputeSpec | None = None
    output: str = "table"
    dry_run: bool = False
    wait: bool | None = None  # None: the front end's default
    yes: bool = False
    timeout: float | None = None  # how long a front end follows the operation; None: to its end
    skip_preflight: bool = False
    workspace: WorkspaceChoice = WorkspaceChoice()
    options: Mapping[str, Any] = field(default_factory=dict)
    inline_secrets: tuple[str, ...] = ()


@dataclass
class Outcome:
    """What a command produced: ``value`` for Python (the magic returns it), ``data`` for -o json/yaml,
    ``text`` for tables, and the ``operation`` a front end follows, if the command started one.
    ``warnings`` need attention (a secret given inline); ``notes`` are information (what a create will
    cost, the nudge towards idle shutdown, the dry-run's price line): a terminal prints both on stderr,
    a notebook shows notes as quiet lines, not as the error-coloured stderr box."""

    value: object
    data: Any = None
    text: str = ""
    operation: Operation | None = None
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def render(self, output: str) -> str:
        """What a text front end prints (no control characters from the service: see render.terminal)."""
        if output in ("json", "yaml") and self.data is not None:
            return clean(render_data(self.data, output))
        return clean(self.text)


class Said(str):
    """A verb's answer that is a sentence: shown as itself, without quotes, in a notebook and a terminal."""

    def __repr__(self) -> str:
        return str(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))


@dataclass
class Session:
    """What persists between commands of one front end: the workspace chosen with the `workspace` verb."""

    workspace: WorkspaceRef | None = None
