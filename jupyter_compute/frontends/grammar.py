"""The command grammar shared by ``%compute`` and ``jupyter compute``: words in, a :class:`Command` out.

Nothing here names a verb. Each verb's parser, its line of the usage (``--help``) and its ``VERB --help``
are generated from its declaration in :mod:`.verbs`; the options of ``create KIND`` / ``attach KIND``
from the spec's field table, so every spec field with a flag is reachable, with its v1 alias, and
takes input the way its :class:`~jupyter_compute.model.specs.FieldInfo` says. argparse never sees a
secret's value (:func:`parse_words`), and errors are :class:`~jupyter_compute.errors.UsageError` or
:class:`~jupyter_compute.errors.ValidationError`, raised before anything is sent.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import re
import shlex
import textwrap
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NoReturn

from ..errors import HelpRequested, Problem, UsageError, ValidationError
from ..inputs import MAX_YAML_BYTES, YAML_LIMITS, read_text, settings_document
from ..model import kinds
from ..model.documents import document_kind, spec_from_yaml
from ..model.kinds import Kind, refuse_batch
from ..model.secrets import Secret
from ..model.specs import ComputeSpec, FieldInfo, spec_class
from ..version import __version__
from .command import Command, WorkspaceChoice
from .registry import CLOUD, Arg, Declared, OneOf, Verb
from .verbs import VERBS

OUTPUTS = ("table", "json", "yaml")

# --- the options every verb shares (each verb's declaration says which it takes) --------------

OUTPUT = Arg(
    "-o", "--output", choices=OUTPUTS, default=None, metavar="table|json|yaml", help="output format (default: table)"
)
DRY_RUN = Arg("--dry-run", action="store_true", help="print the request instead of sending it")
WAIT = OneOf(
    Arg("--wait", dest="wait", action="store_true", default=None, help="wait for the end"),
    Arg("--no-wait", dest="wait", action="store_false", help="return at once"),
)
LOCAL = Arg("--local", dest="ws_local", action="store_true", help="use the embedded local workspace")
SUBSCRIPTION = Arg("--subscription", dest="ws_subscription", metavar="ID", help="Azure subscription id")
RESOURCE_GROUP = Arg(
    "--resource-group", dest="ws_resource_group", metavar="GROUP", help="resource group of the Azure ML workspace"
)
WORKSPACE = Arg("--workspace", dest="ws_workspace", metavar="NAME", help="Azure ML workspace name")
WORKSPACE_FLAGS = (SUBSCRIPTION, RESOURCE_GROUP, WORKSPACE, CLOUD, LOCAL)
WORKSPACE_DEFAULT = "default: config.json, AZUREML_ARM_* env, else local"
VERSION = Arg("--version", action="store_true", help="print the version and exit")
FILE = Arg("-f", "--file", help="az ml compute YAML file; options given here override its keys")
SKIP_PREFLIGHT = Arg(
    "--skip-preflight", action="store_true", help="do not check the size and vCPU quota before creating"
)
# More names of a secret's flags: az ml calls the attach password --admin-password.
SECRET_FLAG_ALIASES = {"--password": ("--admin-password",)}
# Command's fields that are not options a user gives by name.
_NOT_OPTIONS = {"verb", "spec", "workspace", "options", "inline_secrets"}


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so the magic and the CLI share it. Arguments are added
    through :meth:`add`, which keeps the flag table the secret masking reads. Call it through
    :func:`parse_words`, which keeps secret values away from it."""

    def __init__(self, prog: str, description: str = "") -> None:
        super().__init__(
            prog=prog,
            description=description,
            add_help=False,
            allow_abbrev=False,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        self.flags: dict[str, argparse.Action] = {}
        self.positionals: list[argparse.Action] = []
        self.add(self, Arg("-h", "--help", action="help", help="show this help message and exit"))

    def add(self, container: Any, declared: Declared) -> None:
        """Add an Arg (or a OneOf, as a mutually exclusive group) to ``container``: this parser or a group of it."""
        if isinstance(declared, OneOf):
            group = container.add_mutually_exclusive_group(required=declared.required)
            for arg in declared.args:
                self.add(group, arg)
            return
        action = container.add_argument(*declared.flags, **declared.options)
        for flag in action.option_strings:
            self.flags[flag] = action
        if not action.option_strings:
            self.positionals.append(action)

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}", self.short_usage())

    def short_usage(self) -> str:
        """argparse's usage line, or one line pointing at --help when that runs over a few lines."""
        usage = self.format_usage().strip()
        if usage.count("\n") < 3:
            return usage
        words = [a.metavar if a.nargs != "?" else f"[{a.metavar}]" for a in self.positionals]
        return f"usage: {self.prog} {' '.join(map(str, words + ['[options]']))}; '{self.prog} --help' lists them."

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        raise HelpRequested(message or "")

    def print_help(self, file: Any = None) -> None:
        raise HelpRequested(self.format_help())


# --- parsers and usage, generated from the declarations ---------------------------------------


def _shared(parser: _Parser, verb: Verb) -> None:
    """The shared options the verb's declaration asks for, in the groups its --help shows."""
    if verb.output or verb.dry_run or verb.writes:
        group = parser.add_argument_group("common")
        if verb.output:
            parser.add(group, OUTPUT)
        if verb.dry_run:
            parser.add(group, DRY_RUN)
        if verb.writes:
            parser.add(group, WAIT)
    if verb.workspace:
        group = parser.add_argument_group(f"workspace ({WORKSPACE_DEFAULT})")
        for arg in WORKSPACE_FLAGS:
            parser.add(group, arg)


def verb_parser(verb: Verb, prog: str) -> _Parser:
    """The parser of a verb that takes no kind: its declared arguments, then the shared options."""
    parser = _Parser(f"{prog} {verb.name}", _description(verb))
    for declared in verb.declared():
        parser.add(parser, declared)
    _shared(parser, verb)
    return parser


def kind_parser(verb: Verb, kind: Kind, prog: str) -> _Parser:
    """The parser of ``create KIND`` / ``attach KIND``: NAME, --file, then one option per spec field with a flag."""
    cls = spec_class(kind)
    parser = _Parser(
        f"{prog} {verb.name} {kind.word}",
        f"{cls.__doc__}\n\nOptions take the az ml names; v1 SDK names are accepted as aliases.",
    )
    parser.add(parser, Arg("name", nargs="?", metavar="NAME", help="name of the compute"))
    parser.add(parser, FILE)
    if not cls.ATTACHED:
        parser.add(parser, SKIP_PREFLIGHT)
    main = parser.add_argument_group(f"{cls.TITLE} options")
    advanced = parser.add_argument_group("advanced options")
    for name, info in cls.fields_info():
        if info.cli and name != "name":
            for arg in field_args(name, info):
                parser.add(advanced if info.advanced else main, arg)
    _shared(parser, verb)
    return parser


def field_args(name: str, info: FieldInfo) -> list[Arg]:
    """The options of one spec field, by how it takes input; a secret's come as -env, -file and inline."""
    if info.secret:
        return _secret_args(name, info)
    if info.input == "flag":
        return [Arg(*info.cli, dest=name, nargs="?", const="true", metavar="true|false", help=info.help)]
    if info.input == "many":
        return [Arg(*info.cli, dest=name, nargs="+", metavar=info.metavar or "VALUE", help=info.help)]
    choices = f" ({', '.join(info.choices)})" if info.choices else ""
    return [Arg(*info.cli, dest=name, metavar=info.metavar or name.upper(), help=info.help + choices)]


def _secret_args(name: str, info: FieldInfo) -> list[Arg]:
    base = info.cli[0]
    if base.endswith("-private-key"):
        return [
            Arg(f"{base}-file", dest=f"{name}__file", metavar="FILE", help=info.help),
            Arg(f"{base}-env", dest=f"{name}__env", metavar="VAR", help="… from an environment variable"),
        ]
    names = (base, *SECRET_FLAG_ALIASES.get(base, ()))
    return [
        Arg(
            *(f"{n}-env" for n in names),
            dest=f"{name}__env",
            metavar="VAR",
            help=f"{info.help}, from an environment variable",
        ),
        Arg(*(f"{n}-file" for n in names), dest=f"{name}__file", metavar="FILE", help=f"{info.help}, from a file"),
        Arg(
            *names,
            dest=f"{name}__inline",
            metavar="VALUE",
            help="inline value (accepted with a warning; prefer -env or -file)",
        ),
    ]


def _where(verb: Verb) -> str:
    return {"cli": " (command line only)", "magic": " (in a notebook)"}.get(verb.only_in or "", "")


def _description(verb: Verb) -> str:
    return textwrap.fill(verb.help[0].upper() + verb.help[1:] + _where(verb) + ".", _WIDTH)


_WIDTH = 100  # of the usage page
_COLUMN = 32  # where a verb's help starts


def usage(prog: str) -> str:
    """The page ``--help`` prints: one entry per verb (its words and help), then the shared options."""
    lines = [f"usage: {prog} VERB [NAME] [options]", "", "verbs:"]
    for verb in VERBS:
        lines += _entry(verb.synopsis(), verb.help + _where(verb))
    wait = " | ".join(a.words() for a in WAIT.args)
    workspace = f"{LOCAL.words()} | {' '.join(a.words() for a in WORKSPACE_FLAGS[:3])} [{CLOUD.words()}]"
    lines += [
        "",
        "common options:",
        *_entry("/".join(OUTPUT.flags) + f" {OUTPUT.metavar}", str(OUTPUT.options["help"])),
        *_entry(DRY_RUN.words(), f"print the request instead of sending it ({_verbs_that(lambda v: v.dry_run)})"),
        *_entry(wait, f"wait for the end, or return at once ({_verbs_that(lambda v: v.writes)})"),
        f"workspace ({WORKSPACE_DEFAULT}):",
        f"  {workspace}",
        "",
        "'VERB --help' shows the options of a verb; 'create cluster --help' those of a kind; "
        f"'{VERSION.words()}' the version.",
    ]
    return "\n".join(lines)


def _verbs_that(takes: Callable[[Verb], bool]) -> str:
    return ", ".join(v.name for v in VERBS if takes(v))


def _entry(words: str, help: str) -> list[str]:
    """``  words   help`` in two columns; words too long for theirs put the help on the lines below."""
    wrapped = textwrap.wrap(help, _WIDTH - _COLUMN)
    head = f"  {words}"
    if len(head) < _COLUMN - 1:
        return [head.ljust(_COLUMN) + wrapped[0], *(" " * _COLUMN + w for w in wrapped[1:])]
    return [head, *(" " * _COLUMN + w for w in wrapped)]


def _kinds_help(verb: Verb, prog: str) -> str:
    """``create --help`` / ``attach --help``: the verb's words, its help and where each kind's options are."""
    listed = " and ".join(f"'{prog} {verb.name} {k.word} --help'" for k in verb.kinds[:2])
    if len(verb.kinds) > 2:
        listed = f"'{prog} {verb.name} KIND --help' (KIND: {', '.join(k.word for k in verb.kinds)})"
    return f"usage: {prog} {verb.synopsis()}\n\n{_description(verb)}\n\n{listed} list the options."


# --- parsing ----------------------------------------------------------------------------------

# Flags whose value may be a secret: --admin-password, --access-token, --ssh-key-passphrase, and any
# unknown flag that looks like one (its value must not be echoed by "unrecognized arguments").
SECRET_LIKE_FLAG = re.compile(r"pas+w|pass|pwd|token|secret|key|cred", re.IGNORECASE)


def _secret_like(flag: str, parser: _Parser) -> bool:
    """A flag whose value must not be shown: it says so by name, or it is a misspelling of a secret flag."""
    if SECRET_LIKE_FLAG.search(flag):
        return True
    secret_flags = [f for f, action in parser.flags.items() if "__" in (action.dest or "")]
    return flag not in parser.flags and bool(difflib.get_close_matches(flag, secret_flags, cutoff=0.8))


_TOKEN = re.compile(r"\x00(tail)?\d+\x00")  # a stand-in; "tail": a plain word after a secret value


def _split(line: str) -> list[str]:
    """A magic line split like a shell; an unclosed quote is a usage error (not a ValueError)."""
    problem = ""
    try:
        return shlex.split(line)
    except ValueError as exc:
        problem = str(exc).lower()
    quote = "quotation" in problem
    raise UsageError(
        "the line has an unclosed quote; close it, or escape a quote inside a value with a backslash"
        if quote
        else f"the line cannot be split into words ({problem})"
    )


def parse_words(parser: _Parser, words: Sequence[str]) -> argparse.Namespace:
    """``parser.parse_args(words)``, except that argparse never sees a secret-like value.

    The word after a secret-like flag (``--admin-password VALUE`` or ``--admin-password=VALUE``, known
    or not), and the plain words after it up to the next flag (the rest of an unquoted value with
    spaces), reach argparse as stand-in tokens, so no message, exception or traceback of argparse can
    hold them; errors show them as ``***``. The namespace gets the real words back.
    """
    masked, originals = _mask_secret_values(parser, words)
    failure: UsageError | None = None
    try:
        ns, extras = parser.parse_known_args(masked)
    except UsageError as exc:
        failure = exc
    else:
        if not extras:
            return _unmask_namespace(ns, originals)
    if failure is not None:
        message, usage_line = failure.problems[0].message, failure.usage
    else:
        tails = any(match.group(1) for word in extras for match in _TOKEN.finditer(word))
        hint = " (a value with spaces needs quotes)" if tails else ""
        message = f"{parser.prog}: unrecognized arguments: {' '.join(extras)}{hint}{_did_you_mean(parser, extras)}"
        usage_line = parser.short_usage()
    raise UsageError(_TOKEN.sub("***", message), usage_line)  # raised here, outside `except`: no chained context


def _did_you_mean(parser: _Parser, extras: Sequence[str]) -> str:
    """ " Did you mean '--max-instances'?" for the first unknown option close to one the verb takes, as for
    a mistyped verb; "" when none is close."""
    for word in extras:
        flag = word.partition("=")[0]
        if flag.startswith("--") and flag not in parser.flags:
            close = difflib.get_close_matches(flag, [f for f in parser.flags if f.startswith("--")], n=1)
            if close:
                return f". Did you mean {close[0]!r}?"
    return ""


def _mask_secret_values(parser: _Parser, words: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    """(words with secret-like values replaced by stand-in tokens, token -> the real word)."""
    known = parser.flags
    masked: list[str] = []
    originals: dict[str, str] = {}

    def stand_in(word: str, kind: str = "") -> str:
        token = f"\x00{kind}{len(originals)}\x00"
        originals[token] = word
        return token

    value_next = hiding = False
    for word in words:
        if value_next and word not in known:
            masked.append(stand_in(word))
            value_next, hiding = False, True
            continue
        value_next = False
        if word.startswith("-") and len(word) > 1:
            hiding = False
            flag, equals, value = word.partition("=")
            action = known.get(flag)
            if _secret_like(flag, parser) and (action is None or action.nargs != 0):
                if equals:
                    word, hiding = f"{flag}={stand_in(value)}", True
                else:
                    value_next = True
            masked.append(word)
        else:
            masked.append(stand_in(word, "tail") if hiding else word)
    return masked, originals


def _unmask_namespace(ns: argparse.Namespace, originals: Mapping[str, str]) -> argparse.Namespace:
    def real(value: Any) -> Any:
        if isinstance(value, str):
            return originals.get(value, value)
        if isinstance(value, list):
            return [real(item) for item in value]
        return value

    return argparse.Namespace(**{dest: real(value) for dest, value in vars(ns).items()})


Prompt = Callable[[str], "str | None"]  # None: this front end cannot ask (a kernel without stdin)


def parse(
    argv: Sequence[str] | str,
    prog: str = "jupyter compute",
    yaml_body: str | None = None,
    prompt: Prompt | None = None,
) -> Command:
    """Words (or one string, split like a shell) -> Command. Raises UsageError / ValidationError / HelpRequested.

    ``help VERB`` is ``VERB --help``; ``yaml_body`` is a ``%%compute`` cell's body; ``prompt`` asks for a
    secret an attach needs and was not given (None: never ask)."""
    words = _split(argv) if isinstance(argv, str) else list(argv)
    if words[:1] == ["help"]:
        words = [*words[1:2], "--help"] if len(words) > 1 else []
    if not words or words[0] in ("-h", "--help"):
        raise HelpRequested(usage(prog))
    if words[0] in VERSION.flags:
        raise HelpRequested(f"{prog} {__version__}")
    name, rest = words[0], words[1:]
    if name not in VERBS:
        close = difflib.get_close_matches(name, VERBS.names(), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise UsageError(f"{name!r} is not a verb.{hint}", f"verbs: {', '.join(VERBS.names())}")
    verb = VERBS[name]
    if verb.kinds:
        return _parse_spec_verb(verb, rest, prog, yaml_body, prompt)
    body = yaml_body if yaml_body is not None and yaml_body.strip() else None
    if body is not None and not verb.body:
        takes = ", ".join(v.name for v in VERBS if v.kinds or v.body)
        raise UsageError(f"a YAML cell body goes with {takes}, not {name}")
    ns = parse_words(verb_parser(verb, prog), rest)
    command = _command(verb, ns)
    if body is not None:
        command = dataclasses.replace(command, options={**command.options, "body": body})
    return command


def _command(verb: Verb, ns: argparse.Namespace, **more: Any) -> Command:
    """The Command of a parsed namespace: shared options into their fields (by destination), the workspace
    flags into a WorkspaceChoice, the verb's own options into ``options``."""
    values = vars(ns)
    shared = {f.name for f in dataclasses.fields(Command)} - _NOT_OPTIONS
    own = {a.dest for a in verb.arguments()}
    fields = {k: v for k, v in values.items() if k in shared and v is not None}
    fields.setdefault("output", "table")
    options = {k: values[k] for k in own if k in values and k not in shared and not k.startswith("ws_")}
    return Command(verb.name, **{**fields, **more}, workspace=_workspace_choice(values), options=options)


def _workspace_choice(values: Mapping[str, Any]) -> WorkspaceChoice:
    given = {k.removeprefix("ws_"): v for k, v in values.items() if k.startswith("ws_") and v is not None}
    return WorkspaceChoice(**given)


def _done(verb: str) -> str:
    return f"{verb}d" if verb.endswith("e") else f"{verb}ed"


def _parse_spec_verb(verb: Verb, rest: list[str], prog: str, yaml_body: str | None, prompt: Prompt | None) -> Command:
    """``create|attach [KIND] NAME [options]``, ``--file F.yml`` or a cell body: the kind's spec, validated."""
    words = list(rest)
    here = {k.word: k for k in verb.kinds}
    by_yaml_type = {k.yaml_type: k for k in (*kinds.creatable(), *kinds.attachable())}
    kind: Kind | None = None
    if words and not words[0].startswith("-"):
        first = words[0].lower()
        if first in kinds.BATCH_NAMES:
            refuse_batch()
        kind = here.get(first) or by_yaml_type.get(first)
        if kind is not None:
            words = words[1:]
        elif not verb.default_kind:
            close = difflib.get_close_matches(first, list(here), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise UsageError(f"{verb.name} needs a kind first: {', '.join(here)} (batch is no longer accepted).{hint}")
    document = _read_document(words, yaml_body)
    if kind is None:
        if document is not None and (named := document_kind(document)):
            kind = kinds.find(named)
        elif words[:1] in (["-h"], ["--help"]):
            raise HelpRequested(_kinds_help(verb, prog))
        elif verb.default_kind:
            kind = here[verb.default_kind]
        else:
            raise UsageError(f"{verb.name} needs a kind: {', '.join(here)}")
    if kind not in verb.kinds:
        raise UsageError(f"{kind.word} is {_done(kind.verb)}, not {_done(verb.name)}: use '{kind.verb} {kind.word}'")
    cls = spec_class(kind)
    parser = kind_parser(verb, kind, prog)
    ns = parse_words(parser, words)
    keywords, inline, flags = _keywords(ns, cls, parser)
    wanted = _secret_to_ask(kind, keywords, document) if prompt is not None and not ns.dry_run else None
    if prompt is not None and wanted is not None:
        # Check every other flag and YAML key first: a typo is reported before anyone types a password.
        _build_spec(cls, ns.name, document, {**keywords, wanted: Secret(None, source="prompt")}, flags)
        keywords.update(_ask_for_secret(kind, wanted, prompt, ns.name, flags))
    spec = _build_spec(cls, ns.name, document, keywords, flags)
    return _command(
        verb,
        ns,
        name=spec.name,
        spec=spec,
        output=ns.output or ("json" if ns.dry_run else "table"),
        inline_secrets=tuple(inline),
    )


def _secret_to_ask(kind: Kind, keywords: Mapping[str, Any], document: Mapping[str, Any] | None) -> str | None:
    """The field of the credential an attach needs when none came by flag, env, file or YAML, else None."""
    wanted = kind.prompted_secrets
    if not wanted or any(k in keywords for k in wanted):
        return None
    yaml_keys = {n: info.yaml for n, info in spec_class(kind).fields_info()}
    flat = _flat_keys(document or {})
    if any(yaml_keys.get(k) in flat for k in wanted):
        return None
    return wanted[0]


# How a prompt names a secret, shorter than its field's help ("Databricks personal access token").
_PROMPT_LABELS = {"admin_password": "administrator password", "access_token": "access token"}


def _ask_for_secret(
    kind: Kind, wanted: str, prompt: Prompt, name: str | None, flags: Mapping[str, str]
) -> dict[str, Secret]:
    """Ask (password prompt) for ``wanted``. A front end that cannot ask (a kernel started without stdin)
    gets an error saying which options give the credential instead."""
    label = _PROMPT_LABELS.get(wanted) or dict(spec_class(kind).fields_info())[wanted].help.lower()
    value = prompt(f"{label.capitalize()} for {name or 'the compute'} (not echoed): ")
    if value is None:
        options = [
            f"{flags[f'{field}__{source}']} {'VAR' if source == 'env' else 'F'}"
            for field in kind.prompted_secrets
            for source in ("env", "file")
            if f"{field}__{source}" in flags
        ]
        raise ValidationError.one(
            flags.get(f"{wanted}__env", wanted),
            f"the {label} is needed and this front end cannot ask for it (no input prompt); "
            f"give {', '.join(options[:-1])} or {options[-1]}",
            kind.title,
        )
    return {wanted: Secret(value, source="prompt")} if value else {}


def _flat_keys(document: Mapping[str, Any], prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for key, value in document.items():
        keys.add(f"{prefix}{key}")
        if isinstance(value, Mapping):
            keys |= _flat_keys(value, f"{prefix}{key}.")
    return keys


def _read_document(words: list[str], yaml_body: str | None) -> Mapping[str, Any] | None:
    """The YAML document of ``--file F`` or of the cell body (not both), or None when there is none."""
    path = None
    for i, word in enumerate(words):
        if word in FILE.flags and i + 1 < len(words):
            path = words[i + 1]
        elif word.startswith("--file="):
            path = word.split("=", 1)[1]
    text = yaml_body if yaml_body is not None and yaml_body.strip() else None
    if path is not None:
        if text is not None:
            raise UsageError("give the YAML either as the cell body or with --file, not both")
        text = read_text(path, "--file", limit=MAX_YAML_BYTES, note=YAML_LIMITS)
    if text is None:
        return None
    return settings_document(text, "yaml" if path is None else f"--file {path}") or None


def _keywords(
    ns: argparse.Namespace, cls: type[ComputeSpec], parser: _Parser
) -> tuple[dict[str, Any], list[str], dict[str, str]]:
    """Namespace -> spec keywords; also the names of inline secrets and the flag each field came from."""
    flags = {action.dest: action.option_strings[0] for action in parser.flags.values()}
    keywords: dict[str, Any] = {}
    inline: list[str] = []
    problems: list[Problem] = []
    for name, info in cls.fields_info():
        if not info.cli:
            continue
        if info.secret:
            sources = {source: getattr(ns, f"{name}__{source}", None) for source in ("env", "file", "inline")}
            given = {k: v for k, v in sources.items() if v is not None}
            if len(given) > 1:
                problems.append(
                    Problem(flags.get(f"{name}__env", name), "give the secret one way only (-env, -file or inline)")
                )
                continue
            if "env" in given:
                keywords[name] = Secret.from_env(given["env"])
            elif "file" in given:
                keywords[name] = Secret.from_file(given["file"])
            elif "inline" in given:
                keywords[name] = Secret(given["inline"])
                inline.append(flags.get(f"{name}__inline", name))
            if given:
                flags[name] = flags.get(f"{name}__{next(iter(given))}", name)
            continue
        value = getattr(ns, name, None)
        if value is not None:
            keywords[name] = value
    if problems:
        raise ValidationError(problems, cls.TITLE)
    return keywords, inline, flags


def _build_spec(
    cls: type[ComputeSpec],
    name: str | None,
    document: Mapping[str, Any] | None,
    keywords: dict[str, Any],
    flags: Mapping[str, str],
) -> ComputeSpec:
    try:
        if document is not None:
            return spec_from_yaml({**document, "type": cls.YAML_TYPE}, **({"name": name} if name else {}), **keywords)
        return cls.from_keywords(**({"name": name} if name else {}), **keywords)
    except ValidationError as exc:
        if isinstance(exc, UsageError):
            raise
        relabelled = [
            Problem(flags.get(p.field, "NAME" if p.field == "name" else p.field), p.message) for p in exc.problems
        ]
        raise ValidationError(relabelled, exc.subject) from None
