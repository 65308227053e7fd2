"""The command grammar shared by ``%compute`` and ``jupyter compute`` (DESIGN.md, "Command grammar").

One parser, one set of verbs. ``parse(argv)`` turns words into a :class:`Command`, which
``verbs.execute`` runs against the Python API. The create/attach options are generated from the
spec field tables, so every spec field with a flag is reachable, with its v1 alias. Rendering
helpers shared by the front ends (errors, dry runs, "copy as magic / YAML") live here too.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import json
import re
import shlex
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

from ..errors import ComputeError, LocalStoreError, Problem, ServiceError, UntrustedLink, ValidationError
from ..inputs import MAX_YAML_BYTES, YAML_LIMITS, load_yaml, read_text
from ..model.secrets import Secret
from ..model.specs import GRAMMAR_WORDS, KINDS, ComputeSpec, document_kind, spec_class, spec_from_yaml
from ..model.specs._fields import FieldInfo
from ..model.specs.batch import refuse_batch

OUTPUTS = ("table", "json", "yaml")
CREATE_KINDS = ("cluster", "instance")
ATTACH_KINDS = ("vm", "hdinsight", "databricks", "adla", "synapse", "kubernetes")
VERBS = (
    "create",
    "attach",
    "list",
    "show",
    "nodes",
    "sizes",
    "usage",
    "delete",
    "detach",
    "start",
    "stop",
    "restart",
    "wait",
    "resize",
    "identity",
    "ops",
    "panel",
    "workspace",
    "emulator",
)
CLI_ONLY = ("emulator",)

USAGE = """\
create  [cluster|instance] NAME [options] | --file F.yml     (%%compute create: YAML body)
attach  vm|hdinsight|databricks|adla|synapse|kubernetes NAME [options] | --file F.yml
list [--type T] · show NAME · nodes NAME · sizes [--location L] · usage
delete NAME [--yes] · detach NAME · start|stop|restart NAME · wait NAME
resize NAME [--min-nodes N] [--max-nodes M] [--idle-time-before-scale-down SECONDS]
identity NAME (--system-assigned | --user-assigned ID ...)
ops · panel · workspace [--local | --subscription S --resource-group G --workspace W | --config PATH]
emulator [--port P] [--data DIR]            (command line only)
common: --dry-run · --wait/--no-wait · -o/--output table|json|yaml
'VERB --help' shows the options of a verb; 'create cluster --help' those of a kind."""


class UsageError(ValidationError):
    """The words do not fit the grammar. Nothing was sent."""

    def __init__(self, message: str, usage: str = "") -> None:
        self.usage = usage
        super().__init__([Problem("usage", message)])

    def _text(self) -> str:
        text = self.problems[0].message
        return f"{text}\n{self.usage}" if self.usage else text


class HelpRequested(Exception):
    """``--help`` was asked for; the text is the help to print."""


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so the magic and the CLI share it. Call it through
    :func:`parse_words`, which keeps secret values away from it."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}", self.short_usage())

    def short_usage(self) -> str:
        """argparse's usage line, or one line pointing at --help when that runs over a few lines."""
        usage = self.format_usage().strip()
        if usage.count("\n") < 3:
            return usage
        words = [a.metavar if a.nargs != "?" else f"[{a.metavar}]" for a in self._get_positional_actions()]
        return f"usage: {self.prog} {' '.join(map(str, words + ['[options]']))}; '{self.prog} --help' lists them."

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        raise HelpRequested(message or "")

    def print_help(self, file: Any = None) -> None:
        raise HelpRequested(self.format_help())


@dataclass(frozen=True)
class WorkspaceChoice:
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
    verb: str
    name: str | None = None
    spec: ComputeSpec | None = None
    output: str = "table"
    dry_run: bool = False
    wait: bool | None = None  # None: the front end's default
    yes: bool = False
    skip_preflight: bool = False
    workspace: WorkspaceChoice = WorkspaceChoice()
    options: Mapping[str, Any] = field(default_factory=dict)
    inline_secrets: tuple[str, ...] = ()


# --- building the parsers -------------------------------------------------------------------


def _common(parser: argparse.ArgumentParser, *, writes: bool) -> None:
    group = parser.add_argument_group("common")
    group.add_argument("-o", "--output", choices=OUTPUTS, default=None, help="output format (default: table)")
    if writes:
        group.add_argument("--dry-run", action="store_true", help="print the request instead of sending it")
        wait = group.add_mutually_exclusive_group()
        wait.add_argument("--wait", dest="wait", action="store_true", default=None, help="wait for the end")
        wait.add_argument("--no-wait", dest="wait", action="store_false", help="return at once")
    ws = parser.add_argument_group("workspace (default: config.json, AZUREML_ARM_* env, else local)")
    ws.add_argument("--subscription", dest="ws_subscription", help="Azure subscription id")
    ws.add_argument("--resource-group", dest="ws_resource_group", help="resource group of the Azure ML workspace")
    ws.add_argument("--workspace", dest="ws_workspace", help="Azure ML workspace name")
    ws.add_argument("--cloud", dest="ws_cloud", help="AzureCloud (default), AzureChinaCloud or AzureUSGovernment")
    ws.add_argument("--local", dest="ws_local", action="store_true", help="use the embedded local workspace")


def _new(prog: str, description: str = "") -> _Parser:
    return _Parser(
        prog=prog,
        description=description,
        add_help=True,
        allow_abbrev=False,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _is_bool(info: FieldInfo) -> bool:
    return getattr(info.parse, "__name__", "") in ("boolean", "_ssh_access")


def kind_parser(prog: str, cls: type[ComputeSpec]) -> _Parser:
    """The parser of `create KIND` / `attach KIND`: one option per spec field with a flag."""
    parser = _new(prog, f"{cls.__doc__}\n\nOptions take the az ml names; v1 SDK names are accepted as aliases.")
    parser.add_argument("name", nargs="?", metavar="NAME", help="name of the compute")
    parser.add_argument("-f", "--file", help="az ml compute YAML file; options given here override its keys")
    if not cls.ATTACHED:
        parser.add_argument(
            "--skip-preflight", action="store_true", help="do not check the size and vCPU quota before creating"
        )
    main = parser.add_argument_group(f"{cls.TITLE} options")
    advanced = parser.add_argument_group("advanced options")
    for name, info in cls.fields_info():
        if not info.cli or name == "name":
            continue
        group = advanced if info.advanced else main
        if info.secret:
            _secret_options(group, name, info)
        elif _is_bool(info):
            group.add_argument(*info.cli, dest=name, nargs="?", const="true", metavar="true|false", help=info.help)
        elif name in ("tags", "user_assigned_identities"):
            group.add_argument(*info.cli, dest=name, nargs="+", metavar=info.metavar or "VALUE", help=info.help)
        else:
            group.add_argument(
                *info.cli,
                dest=name,
                metavar=info.metavar or name.upper(),
                choices=None,
                help=info.help + (f" ({', '.join(info.choices)})" if info.choices else ""),
            )
    _common(parser, writes=True)
    return parser


# More names of a secret's flags: az ml calls the attach password --admin-password.
SECRET_FLAG_ALIASES = {"--password": ("--admin-password",)}


def _secret_options(group: Any, name: str, info: FieldInfo) -> None:
    base = info.cli[0]
    if base.endswith("-private-key"):
        group.add_argument(f"{base}-file", dest=f"{name}__file", metavar="FILE", help=info.help)
        group.add_argument(f"{base}-env", dest=f"{name}__env", metavar="VAR", help="… from an environment variable")
        return
    names = (base, *SECRET_FLAG_ALIASES.get(base, ()))
    group.add_argument(
        *(f"{n}-env" for n in names),
        dest=f"{name}__env",
        metavar="VAR",
        help=f"{info.help}, from an environment variable",
    )
    group.add_argument(
        *(f"{n}-file" for n in names), dest=f"{name}__file", metavar="FILE", help=f"{info.help}, from a file"
    )
    group.add_argument(
        *names,
        dest=f"{name}__inline",
        metavar="VALUE",
        help="inline value (accepted with a warning; prefer -env or -file)",
    )


def verb_parser(verb: str, prog: str) -> _Parser:
    """Parsers of the verbs other than create/attach."""
    p = _new(f"{prog} {verb}")
    if verb in ("show", "nodes", "delete", "detach", "start", "stop", "restart", "wait", "resize", "identity"):
        p.add_argument("name", metavar="NAME")
    writes = verb in ("delete", "detach", "start", "stop", "restart", "resize", "identity")
    if verb == "list":
        p.add_argument("--type", dest="type", help="only this kind (cluster, instance, vm, kubernetes …)")
    elif verb in ("sizes", "usage"):
        p.add_argument("--location", help="region (default: the workspace's)")
    elif verb == "delete":
        p.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    elif verb == "resize":
        p.add_argument("--min-nodes", "--min-instances", dest="min_nodes", metavar="N")
        p.add_argument("--max-nodes", "--max-instances", dest="max_nodes", metavar="M")
        p.add_argument(
            "--idle-time-before-scale-down", "--idle-seconds-before-scaledown", dest="idle_seconds", metavar="SECONDS"
        )
    elif verb == "identity":
        which = p.add_mutually_exclusive_group(required=True)
        which.add_argument("--system-assigned", action="store_true", help="add a system-assigned identity")
        which.add_argument("--user-assigned", nargs="+", metavar="ID", help="add user-assigned identities")
    elif verb == "workspace":
        p.add_argument(
            "--config",
            dest="ws_config",
            metavar="PATH",
            help="a config.json (subscription_id, resource_group, workspace_name)",
        )
    elif verb == "emulator":
        p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
        p.add_argument("--data", metavar="DIR", help="state folder (default: $JUPYTER_COMPUTE_HOME)")
    elif verb == "wait":
        p.add_argument("--timeout", type=float, default=None, metavar="SECONDS")
    _common(p, writes=writes)
    return p


# --- parsing ----------------------------------------------------------------------------------

# Flags whose value may be a secret: --admin-password, --access-token, --ssh-key-passphrase, and any
# unknown flag that looks like one (its value must not be echoed by "unrecognized arguments").
SECRET_LIKE_FLAG = re.compile(r"pas+w|pass|pwd|token|secret|key|cred", re.IGNORECASE)


def _secret_like(flag: str, parser: _Parser) -> bool:
    """A flag whose value must not be shown: it says so by name, or it is a misspelling of a secret flag."""
    if SECRET_LIKE_FLAG.search(flag):
        return True
    secret_flags = [f for a in parser._actions if "__" in (a.dest or "") for f in a.option_strings]
    return flag not in parser._option_string_actions and bool(difflib.get_close_matches(flag, secret_flags, cutoff=0.8))


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
        message, usage = failure.problems[0].message, failure.usage
    else:
        tails = any(match.group(1) for word in extras for match in _TOKEN.finditer(word))
        hint = " (a value with spaces needs quotes)" if tails else ""
        message, usage = f"{parser.prog}: unrecognized arguments: {' '.join(extras)}{hint}", parser.short_usage()
    raise UsageError(_TOKEN.sub("***", message), usage)  # raised here, outside `except`: no chained context


def _mask_secret_values(parser: _Parser, words: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    """(words with secret-like values replaced by stand-in tokens, token -> the real word)."""
    known = parser._option_string_actions
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
# The secret to ask for when an attach has no credential from a flag, env var, file or YAML.
PROMPTED_SECRETS = {
    "virtualmachine": ("admin_password", "ssh_private_key_file"),
    "hdinsight": ("admin_password", "ssh_private_key_file"),
    "databricks": ("access_token",),
}


def parse(
    argv: Sequence[str] | str,
    prog: str = "jupyter compute",
    yaml_body: str | None = None,
    prompt: Prompt | None = None,
) -> Command:
    """Words (or one string, split like a shell) -> Command. Raises UsageError / ValidationError / HelpRequested."""
    words = _split(argv) if isinstance(argv, str) else list(argv)
    if not words or words[0] in ("-h", "--help", "help"):
        raise HelpRequested(f"usage: {prog} VERB ...\n\n{USAGE}")
    verb, rest = words[0], words[1:]
    if verb not in VERBS:
        close = difflib.get_close_matches(verb, VERBS, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise UsageError(f"{verb!r} is not a verb.{hint}", f"verbs: {', '.join(VERBS)}")
    if verb in ("create", "attach"):
        return _parse_create(verb, rest, prog, yaml_body, prompt)
    if yaml_body is not None and yaml_body.strip():
        raise UsageError(f"a YAML cell body goes with create or attach, not {verb}")
    ns = parse_words(verb_parser(verb, prog), rest)
    opts = {k: v for k, v in vars(ns).items() if k not in _COMMON_DESTS and k != "name"}
    if verb == "workspace":
        choice = _workspace_choice(ns)
        return Command(verb, workspace=choice, output=ns.output or "table")
    return Command(
        verb,
        name=getattr(ns, "name", None),
        output=ns.output or "table",
        dry_run=getattr(ns, "dry_run", False),
        wait=getattr(ns, "wait", None),
        yes=getattr(ns, "yes", False),
        workspace=_workspace_choice(ns),
        options=opts,
    )


_COMMON_DESTS = {
    "output",
    "dry_run",
    "wait",
    "ws_subscription",
    "ws_resource_group",
    "ws_workspace",
    "ws_cloud",
    "ws_local",
    "ws_config",
}


def _workspace_choice(ns: argparse.Namespace) -> WorkspaceChoice:
    return WorkspaceChoice(
        local=getattr(ns, "ws_local", False),
        subscription=getattr(ns, "ws_subscription", None),
        resource_group=getattr(ns, "ws_resource_group", None),
        workspace=getattr(ns, "ws_workspace", None),
        config=getattr(ns, "ws_config", None),
        cloud=getattr(ns, "ws_cloud", None),
    )


def _parse_create(verb: str, rest: list[str], prog: str, yaml_body: str | None, prompt: Prompt | None) -> Command:
    words = list(rest)
    kinds = CREATE_KINDS if verb == "create" else ATTACH_KINDS
    kind_word: str | None = None
    if words and not words[0].startswith("-"):
        first = words[0].lower()
        if first == "batch" or (verb == "attach" and first in ("batchcompute", "azurebatch")):
            refuse_batch()
        if first in kinds or first in KINDS:
            kind_word = first
            words = words[1:]
        elif verb == "attach":
            close = difflib.get_close_matches(first, kinds, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise UsageError(f"attach needs a kind first: {', '.join(kinds)} (batch is no longer accepted).{hint}")
    document = _read_document(words, yaml_body)
    if kind_word is None:
        if document is not None and (named := document_kind(document)):
            kind_word = named
        elif verb == "create":
            if words and words[0] in ("-h", "--help"):
                raise HelpRequested(
                    f"usage: {prog} create [cluster|instance] NAME [options]\n\n'{prog} create "
                    f"cluster --help' and '{prog} create instance --help' list the options."
                )
            kind_word = "cluster"
        else:
            raise UsageError(f"attach needs a kind: {', '.join(kinds)}")
    cls = spec_class(kind_word)
    if verb == "create" and cls.ATTACHED:
        raise UsageError(f"{kind_word} is attached, not created: use 'attach {GRAMMAR_WORDS[cls.KIND]}'")
    if verb == "attach" and not cls.ATTACHED:
        raise UsageError(f"{kind_word} is created, not attached: use 'create {GRAMMAR_WORDS[cls.KIND]}'")
    parser = kind_parser(f"{prog} {verb} {GRAMMAR_WORDS[cls.KIND]}", cls)
    ns = parse_words(parser, words)
    keywords, inline, flags = _keywords(ns, cls, parser)
    wanted = _secret_to_ask(cls, keywords, document) if prompt is not None and not ns.dry_run else None
    if prompt is not None and wanted is not None:
        # Check every other flag and YAML key first: a typo is reported before anyone types a password.
        _build_spec(cls, ns.name, document, {**keywords, wanted: Secret(None, source="prompt")}, flags)
        keywords.update(_ask_for_secret(cls, wanted, prompt, ns.name, flags))
    spec = _build_spec(cls, ns.name, document, keywords, flags)
    return Command(
        verb,
        name=spec.name,
        spec=spec,
        output=ns.output or ("json" if ns.dry_run else "table"),
        dry_run=ns.dry_run,
        wait=ns.wait,
        skip_preflight=getattr(ns, "skip_preflight", False),
        workspace=_workspace_choice(ns),
        inline_secrets=tuple(inline),
    )


def _secret_to_ask(
    cls: type[ComputeSpec], keywords: Mapping[str, Any], document: Mapping[str, Any] | None
) -> str | None:
    """The field of the credential an attach needs when none came by flag, env, file or YAML, else None."""
    wanted = PROMPTED_SECRETS.get(cls.KIND)
    if not wanted or any(k in keywords for k in wanted):
        return None
    yaml_keys = {n: info.yaml for n, info in cls.fields_info()}
    flat = _flat_keys(document or {})
    if any(yaml_keys.get(k) in flat for k in wanted):
        return None
    return wanted[0]


def _ask_for_secret(
    cls: type[ComputeSpec], wanted: str, prompt: Prompt, name: str | None, flags: Mapping[str, str]
) -> dict[str, Secret]:
    """Ask (password prompt) for ``wanted``. A front end that cannot ask (a kernel started without stdin)
    gets an error saying which options give the credential instead."""
    label = {"admin_password": "administrator password", "access_token": "access token"}[wanted]
    value = prompt(f"{label.capitalize()} for {name or 'the compute'} (not echoed): ")
    if value is None:
        options = [
            f"{flags[f'{field}__{kind}']} {'VAR' if kind == 'env' else 'F'}"
            for field in PROMPTED_SECRETS[cls.KIND]
            for kind in ("env", "file")
            if f"{field}__{kind}" in flags
        ]
        raise ValidationError.one(
            flags.get(f"{wanted}__env", wanted),
            f"the {label} is needed and this front end cannot ask for it (no input prompt); "
            f"give {', '.join(options[:-1])} or {options[-1]}",
            cls.TITLE,
        )
    return {wanted: Secret(value, source="prompt")} if value else {}


def _flat_keys(document: Mapping[str, Any], prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for key, value in document.items():
        keys.add(f"{prefix}{key}")
        if isinstance(value, Mapping):
            keys |= _flat_keys(value, f"{prefix}{key}.")
    return keys


def _read_document(words: list[str], yaml_body: str | None) -> dict[str, Any] | None:
    path = None
    for i, word in enumerate(words):
        if word in ("-f", "--file") and i + 1 < len(words):
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
    loaded = load_yaml(text, "yaml" if path is None else f"--file {path}")
    if loaded is None:
        return None
    if not isinstance(loaded, dict):
        raise ValidationError.one("yaml", "the document must be a mapping of settings")
    return loaded


def _keywords(
    ns: argparse.Namespace, cls: type[ComputeSpec], parser: argparse.ArgumentParser
) -> tuple[dict[str, Any], list[str], dict[str, str]]:
    """Namespace -> spec keywords; also the names of inline secrets and the flag each field came from."""
    flags = {a.dest: a.option_strings[0] for a in parser._actions if a.option_strings}
    keywords: dict[str, Any] = {}
    inline: list[str] = []
    problems: list[Problem] = []
    for name, info in cls.fields_info():
        if not info.cli:
            continue
        if info.secret:
            sources = {kind: getattr(ns, f"{name}__{kind}", None) for kind in ("env", "file", "inline")}
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
            return spec_from_yaml({**document, "type": cls.KIND}, **({"name": name} if name else {}), **keywords)
        return cls.from_keywords(**({"name": name} if name else {}), **keywords)
    except ValidationError as exc:
        if isinstance(exc, UsageError):
            raise
        relabelled = [
            Problem(flags.get(p.field, "NAME" if p.field == "name" else p.field), p.message) for p in exc.problems
        ]
        raise ValidationError(relabelled, exc.subject) from None


def help_text(argv: Sequence[str] | str, prog: str = "jupyter compute") -> str | None:
    """The help a line asks for, or None if it does not ask for help."""
    try:
        parse(argv, prog)
    except HelpRequested as asked:
        return str(asked.args[0]) if asked.args else ""
    except ValidationError:
        return None
    return None


# --- rendering helpers shared by front ends ---------------------------------------------------


def render_data(data: Any, output: str) -> str:
    if output == "yaml":
        import yaml  # weight: only -o yaml needs PyYAML

        return yaml.safe_dump(data, sort_keys=False).rstrip()
    return json.dumps(data, indent=2, default=str)


def error_text(exc: ComputeError) -> str:
    """The one paragraph a front end shows for an error (no traceback, no control characters)."""
    from ..render.terminal import clean

    if isinstance(exc, LocalStoreError):  # our own files, not the service's answer
        return clean(f"error: the local workspace cannot serve: {exc}")
    if isinstance(exc, UntrustedLink):  # the service answered, but we refused to follow it
        return clean(f"error: {exc}")
    if isinstance(exc, ServiceError):
        return clean(f"error: the service refused: {exc}")
    return clean(f"error: {exc}")


def inline_secret_warning(flags: Iterable[str]) -> str:
    names = ", ".join(flags)
    return (
        f"warning: a secret was given inline ({names}); it is redacted everywhere we print, but it may stay "
        f"in your shell or notebook history. Prefer the -env or -file form."
    )


def spec_yaml(spec: ComputeSpec) -> str:
    """The az ml YAML of a spec (secrets masked): 'Copy as YAML'."""
    import yaml  # weight: only YAML output needs PyYAML

    return yaml.safe_dump(spec.to_yaml_dict(), sort_keys=False).rstrip()


def spec_line(spec: ComputeSpec, verb: str = "create") -> str:
    """The equivalent command line (secrets as env references): 'Copy as magic'."""
    cls = type(spec)
    words = [verb, GRAMMAR_WORDS[cls.KIND], spec.name]
    for name, info in cls.fields_info():
        value = getattr(spec, name)
        default = next(f.default for f in dataclasses.fields(cls) if f.name == name)
        if not info.cli or name == "name" or value is None or value == () or value == default:
            continue
        if info.secret and isinstance(value, Secret):
            if value.source == "env":
                words += [f"{info.cli[0]}-env", value.origin]
            elif value.source == "file":
                words += [f"{info.cli[0]}-file", value.origin]
            else:
                words += [f"{info.cli[0]}-env", name.upper()]
            continue
        flag = info.cli[0]
        if isinstance(value, bool):
            words += [flag, "true" if value else "false"]
        elif name == "tags":
            words += [flag, *(f"{k}={v}" for k, v in value)]
        elif isinstance(value, tuple):
            words += [flag, *map(str, value)]
        else:
            words += [flag, str(value)]
    return " ".join(shlex.quote(w) for w in words)
