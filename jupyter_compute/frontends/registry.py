"""Declaring a verb of the command grammar once: its name, arguments, help and what kind of verb it is.

``@VERBS.verb("resize", NAME, Arg("--min-nodes", metavar="N"), writes=True, help="…")`` on the verb's
handler is its whole declaration, as IPython's ``magic_arguments`` keeps a magic's arguments beside
the magic: the grammar builds the verb's parser, its line of the usage and its ``--help`` from it, and
``execute`` dispatches on it. Stacked declarations on one handler (start, stop, restart) keep the
order they are read in. A verb that a front end runs itself (the panel, the emulator) is declared with
:meth:`Registry.front_end_verb` and says which front end that is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from ..model.kinds import Kind
from .command import Command, Outcome, Session

if TYPE_CHECKING:
    from ..service.workspace import Workspace

FrontEnd = Literal["cli", "magic"]  # jupyter compute, %compute
Handler = Callable[["Workspace", Command], Outcome]
SessionHandler = Callable[[Command, Session], Outcome]  # a verb that chooses its workspace itself, or needs none
H = TypeVar("H", bound=Handler)
S = TypeVar("S", bound=SessionHandler)


class Arg:
    """One argument of a verb: the flags (or the one name of a positional) and the keywords of
    argparse's ``add_argument``, kept as given."""

    def __init__(self, *flags: str, **options: Any) -> None:
        if not flags:
            raise TypeError("an Arg needs a name or at least one flag")
        self.flags = flags
        self.options = options

    @property
    def positional(self) -> bool:
        return not self.flags[0].startswith("-")

    @property
    def dest(self) -> str:
        """The attribute argparse stores it under (its own rule: ``dest``, else the first long flag)."""
        if self.positional:
            return self.flags[0]
        long = next((f for f in self.flags if f.startswith("--")), self.flags[0])
        return str(self.options.get("dest") or long.lstrip("-").replace("-", "_"))

    @property
    def metavar(self) -> str:
        return str(self.options.get("metavar") or self.dest.upper())

    def words(self) -> str:
        """How it reads in a usage line, without the brackets of an optional argument."""
        if self.positional:
            return self.metavar
        flag = next((f for f in self.flags if f.startswith("--")), self.flags[0])
        if self.options.get("action") in ("store_true", "store_false", "store_const"):
            return flag
        nargs = self.options.get("nargs")
        if nargs in ("+", "*"):
            return f"{flag} {self.metavar} ..."
        return f"{flag} [{self.metavar}]" if nargs == "?" else f"{flag} {self.metavar}"

    def synopsis(self) -> str:
        optional = self.options.get("nargs") == "?" if self.positional else not self.options.get("required")
        return f"[{self.words()}]" if optional else self.words()


class OneOf:
    """Arguments of which at most one is given (exactly one if ``required``)."""

    def __init__(self, *args: Arg, required: bool = False) -> None:
        self.args = args
        self.required = required

    def synopsis(self) -> str:
        inner = " | ".join(a.words() for a in self.args)
        return f"({inner})" if self.required else f"[{inner}]"


Declared = Arg | OneOf

NAME = Arg("name", metavar="NAME", help="name of the compute")
YES = Arg("-y", "--yes", action="store_true", help="do not ask for confirmation")
CLOUD = Arg(
    "--cloud", dest="ws_cloud", metavar="CLOUD", help="AzureCloud (default), AzureChinaCloud or AzureUSGovernment"
)
TIMEOUT = Arg("--timeout", type=float, metavar="SECONDS", help="stop following after SECONDS (the operation goes on)")


@dataclass(frozen=True)
class Verb:
    """One verb. ``writes``: it starts an operation, which front ends follow (``--wait/--no-wait``);
    ``dry_run``: it can print its request instead (``--dry-run``); ``confirm``: the question the command
    line asks first (``{name}`` is the compute; ``--yes`` skips it); ``workspace`` / ``output``: it takes
    the workspace flags / ``-o``; ``session_handler``: it runs with the session rather than a workspace
    (it chooses the workspace itself, or needs none);
    ``kinds``: it takes a kind word and that kind's spec options (``default_kind`` when the word is left
    out); ``only_in``: the one front end that runs it, and ``elsewhere`` what the others say."""

    name: str
    help: str
    args: tuple[Declared, ...] = ()
    handler: Handler | None = None
    writes: bool = False
    dry_run: bool = False
    confirm: str = ""
    workspace: bool = True
    output: bool = True
    session_handler: SessionHandler | None = None
    kinds: tuple[Kind, ...] = ()
    default_kind: str | None = None
    only_in: FrontEnd | None = None
    elsewhere: str = ""
    body: str = ""

    def declared(self) -> tuple[Declared, ...]:
        """Its arguments as a parser takes them: the declared ones, then ``--yes`` if it asks first."""
        return (*self.args, YES) if self.confirm else self.args

    def arguments(self) -> Iterator[Arg]:
        """Every single argument, the members of a :class:`OneOf` included."""
        for declared in self.declared():
            yield from declared.args if isinstance(declared, OneOf) else (declared,)

    def synopsis(self) -> str:
        """Its words in a usage line, e.g. ``resize NAME [--min-nodes N] …`` (the shared options left out)."""
        if self.kinds:
            words = "|".join(k.word for k in self.kinds)
            return f"{self.name} {f'[{words}]' if self.default_kind else words} NAME [options] | --file F.yml"
        return " ".join([self.name, *(d.synopsis() for d in self.declared())])


class Registry:
    """The verbs in the order they were declared; ``registry[name]`` is one, iterating gives them all."""

    def __init__(self) -> None:
        self._verbs: list[Verb] = []

    def verb(self, name: str, *args: Declared, help: str, **kind: Any) -> Callable[[H], H]:
        """Declare a verb run by ``execute`` with the decorated handler (keywords: those of :class:`Verb`)."""

        def declare(handler: H) -> H:
            self._add(Verb(name, help, args, handler, **kind))
            return handler

        return declare

    def session_verb(self, name: str, *args: Declared, help: str, **kind: Any) -> Callable[[S], S]:
        """Declare a verb run by ``execute`` with the decorated ``(command, session)`` handler."""

        def declare(handler: S) -> S:
            self._add(Verb(name, help, args, session_handler=handler, **kind))
            return handler

        return declare

    def front_end_verb(
        self, name: str, *args: Declared, help: str, only_in: FrontEnd, elsewhere: str, **kind: Any
    ) -> None:
        """Declare a verb that the front end ``only_in`` runs itself; ``elsewhere`` is the error others give."""
        self._add(Verb(name, help, args, None, only_in=only_in, elsewhere=elsewhere, **kind))

    def _add(self, verb: Verb) -> None:
        if verb.name in self:
            raise ValueError(f"the verb {verb.name!r} is declared twice")
        # Decorators apply bottom-up; a verb stacked above others on the same handler goes before them.
        same = [i for i, v in enumerate(self._verbs) if verb.handler is not None and v.handler is verb.handler]
        self._verbs.insert(same[0] if same else len(self._verbs), verb)

    def __getitem__(self, name: str) -> Verb:
        for verb in self._verbs:
            if verb.name == name:
                return verb
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        return any(v.name == name for v in self._verbs)

    def __iter__(self) -> Iterator[Verb]:
        return iter(tuple(self._verbs))

    def names(self) -> tuple[str, ...]:
        return tuple(v.name for v in self._verbs)
