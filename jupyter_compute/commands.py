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
import shlex
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import yaml

from .errors import ComputeError, Problem, ServiceError, ValidationError
from .secrets import Secret
from .specs import GRAMMAR_WORDS, KINDS, ComputeSpec, document_kind, spec_class, spec_from_yaml
from .specs._fields import FieldInfo
from .specs.batch import refuse_batch

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
    """argparse that raises instead of exiting, so the magic and the CLI share it."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}", self.format_usage().strip())

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


def _secret_options(group: Any, name: str, info: FieldInfo) -> None:
    base = info.cli[0]
    if base.endswith("-private-key"):
        group.add_argument(f"{base}-file", dest=f"{name}__file", metavar="FILE", help=info.help)
        group.add_argument(f"{base}-env", dest=f"{name}__env", metavar="VAR", help="… from an environment variable")
        return
    group.add_argument(
        f"{base}-env", dest=f"{name}__env", metavar="VAR", help=f"{info.help}, from an environment variable"
    )
    group.add_argument(f"{base}-file", dest=f"{name}__file", metavar="FILE", help=f"{info.help}, from a file")
    group.add_argument(
        base,
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


Prompt = Callable[[str], str]
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
    words = shlex.split(argv) if isinstance(argv, str) else list(argv)
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
    ns = verb_parser(verb, prog).parse_args(rest)
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
    ns = parser.parse_args(words)
    keywords, inline, flags = _keywords(ns, cls, parser)
    if prompt is not None and not ns.dry_run:
        _prompt_for_secret(cls, keywords, document, prompt, ns.name)
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


def _prompt_for_secret(
    cls: type[ComputeSpec],
    keywords: dict[str, Any],
    document: Mapping[str, Any] | None,
    prompt: Prompt,
    name: str | None,
) -> None:
    """Ask (password prompt) for the credential an attach needs when none came by flag, env, file or YAML."""
    wanted = PROMPTED_SECRETS.get(cls.KIND)
    if not wanted or any(k in keywords for k in wanted):
        return
    yaml_keys = {n: info.yaml for n, info in cls.fields_info()}
    flat = _flat_keys(document or {})
    if any(yaml_keys.get(k) in flat for k in wanted):
        return
    label = {"admin_password": "administrator password", "access_token": "access token"}[wanted[0]]
    value = prompt(f"{label.capitalize()} for {name or 'the compute'} (not echoed): ")
    if value:
        keywords[wanted[0]] = Secret(value, source="prompt")


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
        try:
            text = Path(path).expanduser().read_text(encoding="utf-8")
        except OSError as exc:
            raise ValidationError.one("--file", f"cannot read {path} ({exc.strerror})") from None
    if text is None:
        return None
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ValidationError.one("yaml", f"{getattr(exc, 'problem', None) or 'not valid YAML'}{where}") from None
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
        return yaml.safe_dump(data, sort_keys=False).rstrip()
    return json.dumps(data, indent=2, default=str)


def error_text(exc: ComputeError) -> str:
    """The one paragraph a front end shows for an error (no traceback)."""
    if isinstance(exc, ServiceError):
        return f"error: the service refused: {exc}"
    return f"error: {exc}"


def inline_secret_warning(flags: Iterable[str]) -> str:
    names = ", ".join(flags)
    return (
        f"warning: a secret was given inline ({names}); it is redacted everywhere we print, but it may stay "
        f"in your shell or notebook history. Prefer the -env or -file form."
    )


def spec_yaml(spec: ComputeSpec) -> str:
    """The az ml YAML of a spec (secrets masked): 'Copy as YAML'."""
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
