"""The command grammar is generated from the verbs' declarations: given each declared verb, its parser, its
line of the usage and its --help come from that one declaration, and the dispatch follows it; given each
spec field, its options take input as its FieldInfo says. No server: parsing sends nothing."""

from __future__ import annotations

import types
import typing

import pytest

from jupyter_compute import errors
from jupyter_compute.errors import ComputeError, HelpRequested, UsageError, ValidationError
from jupyter_compute.frontends import cli, magics
from jupyter_compute.frontends.command import Command, Session
from jupyter_compute.frontends.grammar import kind_parser, parse, usage, verb_parser
from jupyter_compute.frontends.registry import Arg, OneOf, Registry
from jupyter_compute.frontends.verbs import VERBS, execute, runs_itself
from jupyter_compute.model import kinds
from jupyter_compute.model.specs import kind_of, spec_class
from jupyter_compute.render.spec import spec_line

from kinds import ADLA_ID, DBX_ID, UAI, VM_ID


def help_of(line: str, prog: str = "jupyter compute") -> str:
    with pytest.raises(HelpRequested) as asked:
        parse(line, prog)
    return asked.value.text


def test_the_usage_has_one_entry_per_declared_verb_in_declaration_order() -> None:
    text = help_of("--help")
    positions = [text.index(f"\n  {verb.synopsis()}") for verb in VERBS]
    assert positions == sorted(positions), "listed in the order they are declared"
    for verb in VERBS:
        assert verb.help.split()[0] in text
    assert VERBS.names()[:2] == ("create", "attach"), "stacked declarations keep their reading order"
    assert VERBS.names().index("start") < VERBS.names().index("stop") < VERBS.names().index("restart")
    assert "resize NAME [--min-nodes N] [--max-nodes M] [--idle-time-before-scale-down SECONDS]" in text
    assert "identity NAME (--system-assigned | --user-assigned ID ...)" in text
    assert "delete NAME [--yes]" in text
    assert "emulator [--port PORT] [--data DIR]" in text and "Ctrl-C (command line only)" in " ".join(text.split())
    assert text == usage("jupyter compute") == help_of("help")


@pytest.mark.parametrize("name", VERBS.names())
def test_each_verbs_help_is_its_declaration(name: str) -> None:
    verb = VERBS[name]
    text = help_of(f"{name} --help")
    assert " ".join(verb.help.split()[1:4]) in " ".join(text.split()), "the declared help is the description"
    assert help_of(f"help {name}") == text
    if verb.kinds:
        for kind in verb.kinds:
            assert kind.word in text
        return
    for arg in verb.arguments():
        for flag in arg.flags if not arg.positional else ():
            assert flag in text
    assert ("--dry-run" in text) == verb.dry_run
    assert ("--no-wait" in text) == verb.writes
    # The workspace flags come together (`workspaces` has a --subscription of its own, which narrows its list).
    assert ("--resource-group" in text) == verb.workspace
    assert ("--output" in text) == verb.output


def test_the_parser_takes_what_the_declaration_says_and_nothing_else() -> None:
    command = parse("resize big-cl --min-instances 1 --max-nodes 4 --idle-seconds-before-scaledown PT2M -o json")
    assert command == Command(
        "resize",
        name="big-cl",
        output="json",
        options={"min_nodes": "1", "max_nodes": "4", "idle_seconds": "PT2M"},
    )
    assert parse("wait big-cl --timeout 2.5").timeout == 2.5
    assert parse("list --type cluster").options == {"type": "cluster", "outdated": False, "all_workspaces": False}
    assert parse("list --outdated").options == {"type": None, "outdated": True, "all_workspaces": False}
    assert parse("costs --all-workspaces").options == {"all_workspaces": True}
    assert parse("workspace --config ws.json").workspace.config == "ws.json"
    assert parse("delete big-cl -y --no-wait").yes and parse("delete big-cl -y --no-wait").wait is False
    assert parse("identity x1a --user-assigned a b").options == {"system_assigned": False, "user_assigned": ["a", "b"]}


@pytest.mark.parametrize(
    "line,needle",
    [
        # resize and identity read the compute before they change it: a dry run cannot show their request
        ("resize big-cl --max-nodes 3 --dry-run", "unrecognized arguments: --dry-run"),
        ("identity big-cl --system-assigned --dry-run", "unrecognized arguments: --dry-run"),
        ("panel --local", "unrecognized arguments: --local"),
        ("emulator -o json", "unrecognized arguments: -o json"),
        ("identity big-cl", "one of the arguments --system-assigned --user-assigned is required"),
        ("show", "the following arguments are required: NAME"),
    ],
)
def test_what_a_verb_does_not_declare_is_refused(line: str, needle: str) -> None:
    with pytest.raises(UsageError) as refused:
        parse(line)
    assert needle in str(refused.value)


def test_create_and_attach_help_without_a_kind_list_the_kinds() -> None:
    assert "'%compute create cluster --help' and '%compute create instance --help'" in help_of(
        "create --help", "%compute"
    )
    text = help_of("attach --help")
    assert "attach vm|hdinsight|databricks|adla|synapse|kubernetes NAME" in text
    assert "KIND: vm, hdinsight, databricks, adla, synapse, kubernetes" in text


@pytest.mark.parametrize(
    "line,needle",
    [
        ("create virtualmachine vm1", "vm is attached, not created: use 'attach vm'"),
        ("attach amlcompute cl1", "cluster is created, not attached: use 'create cluster'"),
        ("attach vmm vm1", "attach needs a kind first: vm, hdinsight"),
        ("attach --resource-id x", "attach needs a kind: vm, hdinsight, databricks, adla, synapse, kubernetes"),
        ("create azurebatch b1", "no longer accepts Batch"),
        ("frobnicate", "'frobnicate' is not a verb"),
    ],
)
def test_kind_words_are_checked_against_the_verb(line: str, needle: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse(line)
    assert needle in str(refused.value)


def test_front_end_verbs_run_only_where_declared() -> None:
    owned = {fe: {v.name for v in VERBS if v.only_in == fe} for fe in ("cli", "magic")}
    assert owned == {"cli": set(cli.OWN_VERBS), "magic": set(magics.OWN_VERBS)}
    assert runs_itself(parse("emulator"), "cli") and runs_itself(parse("panel"), "magic")
    assert not runs_itself(parse("list"), "cli")
    with pytest.raises(UsageError, match="the panel lives in JupyterLab"):
        runs_itself(parse("panel"), "cli")
    with pytest.raises(UsageError, match="runs in a terminal: `jupyter compute emulator`"):
        runs_itself(parse("emulator"), "magic")
    with pytest.raises(UsageError, match="the panel lives in JupyterLab"):
        execute(parse("panel"), Session())


def test_the_magics_docstring_is_the_generated_usage() -> None:
    assert usage("%compute") in (magics.ComputeMagics.compute.__doc__ or "")


def test_a_registry_refuses_a_verb_twice_and_keeps_stacked_order() -> None:
    registry = Registry()

    @registry.verb("one", help="first")
    @registry.verb("two", OneOf(Arg("--a", action="store_true"), Arg("--b", metavar="B")), help="second")
    def handler(ws: typing.Any, command: Command) -> typing.Any:
        return None

    registry.front_end_verb("three", help="third", only_in="cli", elsewhere="in a terminal")
    assert registry.names() == ("one", "two", "three")
    assert registry["two"].synopsis() == "two [--a | --b B]"
    with pytest.raises(ValueError, match="declared twice"):
        registry.verb("one", help="again")(handler)
    assert verb_parser(registry["two"], "p").parse_args(["--b", "x"]).b == "x"


# --- spec fields: how each takes input ------------------------------------------------------


def every_cli_field() -> list[typing.Any]:
    return [
        pytest.param(spec_class(kind), name, info, id=f"{kind.word}-{name}")
        for kind in (*kinds.creatable(), *kinds.attachable())
        for name, info in spec_class(kind).fields_info()
        if info.cli and not info.secret
    ]


@pytest.mark.parametrize("cls,name,info", every_cli_field())
def test_a_field_takes_input_as_its_type_says(cls: type, name: str, info: typing.Any) -> None:
    """Given every field with a flag, its FieldInfo.input agrees with its type: a bool is a flag, a tuple
    many words, anything else one value; and the generated option takes that many words."""
    hint = typing.get_type_hints(cls)[name]
    members = set(typing.get_args(hint)) if typing.get_origin(hint) in (typing.Union, types.UnionType) else {hint}
    expected = "flag" if bool in members else "many" if any(typing.get_origin(m) is tuple for m in members) else "value"
    assert info.input == expected
    kind = kind_of(cls)
    action = kind_parser(VERBS[kind.verb], kind, "p").flags[info.cli[0]]
    assert action.nargs == {"flag": "?", "many": "+", "value": None}[info.input]


def test_flag_and_many_fields_from_words_and_back() -> None:
    """A spec with flags, tags and identities goes to a command line and parses back to the same spec."""
    command = parse(
        "create cluster round-trip --tags team=ml cost=7 --enable-node-public-ip false --isolated-network "
        f"--identity-type user_assigned --user-assigned-identities {UAI} --ssh-public-access-enabled no"
    )
    spec = command.spec
    assert spec is not None
    assert spec.tags == (("cost", "7"), ("team", "ml"))  # type: ignore[attr-defined]
    assert spec.isolated_network is True and spec.enable_node_public_ip is False  # type: ignore[attr-defined]
    line = spec_line(spec)
    assert "--tags cost=7 team=ml" in line and "--isolated-network true" in line
    assert parse(line).spec == spec
    attached = parse(f"attach adla ad1x --resource-id {ADLA_ID}").spec
    assert attached is not None and spec_line(attached).startswith("attach adla ad1x "), "an attached kind's verb"


def test_a_prompted_secret_that_cannot_be_asked_names_the_flags_that_give_it() -> None:
    with pytest.raises(ValidationError) as refused:
        parse(f"attach databricks dbx1 --resource-id {DBX_ID}", prompt=lambda message: None)
    text = str(refused.value)
    assert "the access token is needed" in text
    assert "--access-token-env VAR or --access-token-file F" in text
    asked: list[str] = []
    parse(f"attach vm vm1 --resource-id {VM_ID} --admin-username me", prompt=lambda m: asked.append(m) or "pw-1")
    assert asked == ["Administrator password for vm1 (not echoed): "]


# --- errors -----------------------------------------------------------------------------------


def test_usage_errors_and_help_are_in_the_error_tree() -> None:
    assert issubclass(UsageError, ValidationError) and issubclass(HelpRequested, ComputeError)
    assert "UsageError" in (errors.__doc__ or "") and "HelpRequested" in (errors.__doc__ or "")
    refused = UsageError("show: NAME is missing", "usage: show NAME")
    assert str(refused) == "show: NAME is missing\nusage: show NAME" and refused.problems[0].field == "usage"


# --- issue 22, point 14: the options a user types ------------------------------------------------


@pytest.mark.parametrize(
    ("line", "meant"),
    [
        ("create cluster cpu --max-instance 3", "--max-instances"),
        ("update ci1 --idle-time-before-shutdwn 30", "--idle-time-before-shutdown"),
        ("update ci1 --idle-shutdown=30 --add-schedul x", "--add-schedule"),
        ("resize cpu --max-node 3", "--max-nodes"),
        ("list --typ cluster", "--type"),
    ],
)
def test_a_mistyped_option_gets_a_did_you_mean_as_a_mistyped_verb_does(line: str, meant: str) -> None:
    with pytest.raises(UsageError) as refused:
        parse(line)
    assert f"Did you mean {meant!r}?" in str(refused.value)


def test_a_mistyped_secret_option_gets_a_hint_but_its_value_is_never_shown() -> None:
    with pytest.raises(UsageError) as refused:
        parse(f"attach vm v1 --resource-id {VM_ID} --admin-pasword hunter2-secret")
    assert "Did you mean '--admin-password" in str(refused.value) and "hunter2-secret" not in str(refused.value)


def test_an_option_close_to_none_gets_no_guess() -> None:
    with pytest.raises(UsageError) as refused:
        parse("list --zzzzzz")
    assert "Did you mean" not in str(refused.value)


@pytest.mark.parametrize(
    ("kind", "field", "dest"),
    [
        (kinds.INSTANCE, "idle_time_before_shutdown", "idle_shutdown"),
        (kinds.INSTANCE, "size", "size"),
        (kinds.CLUSTER, "description", "description"),
        (kinds.CLUSTER, "tags", "tags"),
    ],
)
def test_update_takes_every_option_name_create_takes_for_the_same_field(
    kind: kinds.Kind, field: str, dest: str
) -> None:
    create_flags = set(dict(spec_class(kind).fields_info())[field].cli)
    update_flags = {f for arg in VERBS["update"].arguments() if arg.dest == dest for f in arg.flags}
    assert create_flags <= update_flags


@pytest.mark.parametrize(
    "words",
    [
        "--idle-time-before-shutdown PT45M",
        "--idle-time-before-shutdown-minutes PT45M",
        "--idle-shutdown PT45M",
    ],
)
def test_updates_idle_shutdown_takes_creates_names_minutes_or_iso(words: str) -> None:
    assert parse(f"update ci1 {words}").options["idle_shutdown"] == "PT45M"
    create = parse(f"create instance ci1 {words.replace('--idle-shutdown', '--idle-time-before-shutdown')}")
    assert create.spec is not None and create.spec.idle_time_before_shutdown == "PT45M"  # type: ignore[attr-defined]


def test_version_prints_the_packages_version() -> None:
    from jupyter_compute import __version__

    assert help_of("--version") == f"jupyter compute {__version__}"
    assert help_of("--version", "%compute") == f"%compute {__version__}"
    assert "'--version' the version" in help_of("--help")
