"""Field descriptions and value parsers shared by every compute kind.

Each spec field carries a :class:`FieldInfo` in its dataclass metadata: its ``az ml`` YAML
key (dotted for nested groups), its v1 SDK keyword aliases, its command-line flags, how it takes
input there (:data:`Input`) and a parser that turns user input into the typed value or raises
:class:`Invalid` with what is allowed. The engine in ``_base.py`` reads these tables, and the
command grammar and the panel's forms are generated from them; no kind hand-writes input handling.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from ...data import catalogue
from ..secrets import Secret

T = TypeVar("T")
Parser = Callable[[Any], Any]
Input = Literal["value", "flag", "many"]
"""How a field takes input on a command line or in a form: one ``value``; a ``flag`` (true/false, given
alone meaning true: a yes/no choice in a form); ``many`` words (a list or KEY=VALUE pairs)."""


class Invalid(Exception):
    """Raised by a parser; the message says what was wrong and what is allowed."""


@dataclass(frozen=True)
class FormPart:
    """One input of a field that a form takes in parts (a schedule's start and stop times): ``compose``
    of the field's :class:`FieldInfo` turns the parts' texts into the value its parser reads."""

    key: str
    label: str
    help: str


@dataclass(frozen=True)
class FieldInfo:
    parse: Parser
    help: str
    yaml: str | None = None
    yaml_also: tuple[str, ...] = ()  # other az ml YAML keys read into this field; ``yaml`` wins over them
    v1: tuple[str, ...] = ()
    cli: tuple[str, ...] = ()
    secret: bool = False
    advanced: bool = False
    choices: tuple[str, ...] = ()
    metavar: str | None = None
    input: Input = "value"
    label: str | None = None  # what a form calls the field, when its name's words do not say it well
    parts: tuple[FormPart, ...] = ()  # a form's inputs for a field with no one-line input (YAML-shaped values)
    compose: Callable[[Mapping[str, str]], Any] | None = None  # the parts' texts -> the value, or None if empty


def spec_field(
    parse: Parser,
    help: str,
    *,
    default: Any = None,
    yaml: str | None = None,
    yaml_also: Sequence[str] = (),
    v1: Sequence[str] = (),
    cli: Sequence[str] = (),
    secret: bool = False,
    advanced: bool = False,
    choices: Sequence[str] = (),
    metavar: str | None = None,
    input: Input | None = None,
    label: str | None = None,
    parts: Sequence[FormPart] = (),
    compose: Callable[[Mapping[str, str]], Any] | None = None,
) -> Any:
    """A dataclass field described by a :class:`FieldInfo`. ``input`` defaults to what ``parse`` takes:
    :func:`boolean` a flag, :func:`string_map` and :func:`text_list` many words, any other one value."""
    info = FieldInfo(
        parse=parse,
        help=help,
        yaml=yaml,
        yaml_also=tuple(yaml_also),
        v1=tuple(v1),
        cli=tuple(cli),
        secret=secret,
        advanced=advanced,
        choices=tuple(choices),
        metavar=metavar,
        input=input or _PARSER_INPUT.get(parse, "value"),
        label=label,
        parts=tuple(parts),
        compose=compose,
    )
    if isinstance(default, (list, dict, set)):
        raise TypeError("use an immutable default")
    return field(default=default, metadata={"info": info})


_ACRONYMS = {"ssh": "SSH", "vm": "VM", "ip": "IP", "id": "ID", "url": "URL", "sso": "SSO", "os": "OS", "vnet": "VNet"}


def field_label(name: str, info: FieldInfo) -> str:
    """What a form calls a field: its ``label``, or its name as words ("min_instances" -> "Min instances",
    "ssh_port" -> "SSH port")."""
    if info.label:
        return info.label
    words = [_ACRONYMS.get(word, word) for word in name.split("_")]
    return " ".join([words[0][:1].upper() + words[0][1:], *words[1:]])


def field_words(name: str, info: FieldInfo) -> str:
    """The field named in a sentence, with its article: "a password", "an SSH private key file"."""
    label = field_label(name, info)
    first = label.split()[0]
    shown = label if first.isupper() or first[1:2].isupper() else label[:1].lower() + label[1:]
    article = "an" if shown[:1].lower() in "aeio" or first in ("SSH", "SSO", "VM", "URL") else "a"
    return f"{article} {shown}"


def show(value: Any) -> str:
    """A short, safe rendering of a user value for error messages."""
    if isinstance(value, Secret):
        return str(value)
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# --- parsers -------------------------------------------------------------------------------


def text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise Invalid(f"expected text, got {show(value)}")
    result = str(value).strip()
    if not result:
        raise Invalid("must not be empty")
    return result


def bounded_text(max_len: int) -> Parser:
    def parse(value: Any) -> str:
        result = text(value)
        if len(result) > max_len:
            raise Invalid(f"is {len(result)} characters long; at most {max_len} are allowed")
        return result

    return parse


def named(pattern: str, rule: str) -> Parser:
    """Text that is a whole match of ``pattern`` (an Azure naming rule, said in words by ``rule``)."""
    compiled = re.compile(pattern)

    def parse(value: Any) -> str:
        result = text(value)
        if not compiled.fullmatch(result):
            raise Invalid(f"{show(result)} is not allowed; {rule}")
        return result

    return parse


# Azure's resource group rule (Microsoft.Resources naming): \w is Unicode letters, digits and '_'.
RESOURCE_GROUP = named(
    r"[-\w.()]{0,89}[-\w()]", "1 to 90 characters: letters, digits, '-', '_', '.', '(' and ')', not ending in '.'"
)


def integer(low: int | None = None, high: int | None = None) -> Parser:
    def parse(value: Any) -> int:
        if isinstance(value, bool):
            raise Invalid(f"expected a whole number, got {show(value)}")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
            value = int(value)
        if not isinstance(value, int):
            raise Invalid(f"expected a whole number, got {show(value)}")
        if low is not None and value < low or high is not None and value > high:
            raise Invalid(f"{value} is out of range; allowed: {_range_text(low, high)}")
        return value

    return parse


def _range_text(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"{low} to {high}"
    if low is not None:
        return f"{low} or more"
    return f"{high} or less"


_TRUE = {"true", "yes", "on", "1", "enabled", "enable"}
_FALSE = {"false", "no", "off", "0", "disabled", "disable"}


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        word = str(value).strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    raise Invalid(f"expected true or false, got {show(value)}")


def choice(mapping: Mapping[str, str], shown: Sequence[str]) -> Parser:
    """Case-insensitive choice; ``mapping`` maps accepted spellings to the canonical value."""
    lowered = {k.lower().replace("-", "_"): v for k, v in mapping.items()}

    def parse(value: Any) -> str:
        if isinstance(value, str):
            canonical = lowered.get(value.strip().lower().replace("-", "_"))
            if canonical is not None:
                return canonical
        raise Invalid(f"{show(value)} is not allowed; allowed: {', '.join(shown)}")

    return parse


def secret(value: Any) -> Secret:
    if isinstance(value, Secret):
        return value
    if isinstance(value, str) and value:
        return Secret(value)
    raise Invalid("expected a secret value (text), or a Secret from an environment variable or file")


def string_map(value: Any) -> tuple[tuple[str, str], ...]:
    """Tags and similar: a mapping of text to text, kept sorted and immutable."""
    if isinstance(value, str):
        value = _parse_pairs(value)
    elif isinstance(value, (list, tuple)):
        value = _pairs_from_items(value)
    if not isinstance(value, Mapping):
        raise Invalid(f"expected a mapping of names to values, got {show(value)}")
    pairs: list[tuple[str, str]] = []
    for key, item in value.items():
        if not isinstance(key, str) or not key:
            raise Invalid(f"keys must be non-empty text, got {show(key)}")
        if item is None or isinstance(item, (dict, list)):
            raise Invalid(f"the value of {key!r} must be text, got {show(item)}")
        pairs.append((key, str(item).lower() if isinstance(item, bool) else str(item)))
    return tuple(sorted(pairs))


def _pairs_from_items(items: Sequence[Any]) -> dict[str, Any]:
    """('k', 'v') pairs or 'k=v' strings, as given by the command line or a frozen spec."""
    result: dict[str, Any] = {}
    for item in items:
        if isinstance(item, str):
            result.update(_parse_pairs(item))
        elif isinstance(item, (list, tuple)) and len(item) == 2:
            result[str(item[0])] = item[1]
        else:
            raise Invalid(f"expected KEY=VALUE pairs, got {show(item)}")
    return result


def _parse_pairs(raw: str) -> dict[str, str]:
    result: dict[str, str] = {}
    for part in re.split(r"[,\s]+", raw.strip()):
        if not part:
            continue
        if "=" not in part:
            raise Invalid(f"expected KEY=VALUE pairs, got {show(part)}")
        key, _, item = part.partition("=")
        result[key] = item
    return result


def text_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [v for v in re.split(r"[,\s]+", value) if v]
    if not isinstance(value, (list, tuple)):
        raise Invalid(f"expected a list, got {show(value)}")
    return tuple(text(v) for v in value)


def free_mapping(value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise Invalid(f"expected a mapping, got {show(value)}")
    for key in value:
        if not isinstance(key, str):
            raise Invalid(f"keys must be text, got {show(key)}")
    frozen: Mapping[str, Any] = _freeze(value)
    return frozen


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return FrozenMap({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    return value


class FrozenMap(dict[str, Any]):
    """A dict that refuses changes, so specs stay immutable and hashable by identity."""

    def _refuse(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("spec values are immutable")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse  # type: ignore[assignment]

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted(self.items(), key=lambda kv: kv[0])).__repr__())


def thaw(value: Any) -> Any:
    """Plain JSON-able copy of a frozen value."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    return value


# The shared parsers that take other than one value; a field with its own parser says so with ``input``.
_PARSER_INPUT: dict[Parser, Input] = {boolean: "flag", string_map: "many", text_list: "many"}


# --- durations -----------------------------------------------------------------------------

_ISO_DURATION = re.compile(
    r"^P(?!$)(?:(?P<days>\d+(?:\.\d+)?)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


_UNIT_SECONDS = {"days": 86400, "hours": 3600, "minutes": 60, "seconds": 1}


def iso_duration_seconds(raw: str) -> float:
    """Seconds of an ISO-8601 duration (days and smaller units). Sums plain floats rather than building
    a ``timedelta``, so a duration too long to represent (P99999999999D) comes back as a large number
    or ``inf`` for the caller's range check, never an OverflowError."""
    match = _ISO_DURATION.match(raw.strip().upper())
    if not match:
        raise Invalid(f"{show(raw)} is not an ISO-8601 duration such as PT5M or PT120S")
    return sum(float(v) * _UNIT_SECONDS[k] for k, v in match.groupdict().items() if v)


def seconds_to_iso(seconds: int) -> str:
    """120 -> 'PT2M', 100 -> 'PT1M40S', 3600 -> 'PT1H' (the form azure-ai-ml sends)."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    out = "PT"
    if hours:
        out += f"{hours}H"
    if minutes:
        out += f"{minutes}M"
    if secs or out == "PT":
        out += f"{secs}S"
    return out


def seconds(low: int, high: int) -> Parser:
    """A whole number of seconds, or an ISO-8601 duration (``PT5M``)."""

    def parse(value: Any) -> int:
        if isinstance(value, str) and value.strip().upper().startswith("P"):
            total = iso_duration_seconds(value)
        else:
            total = integer()(value)
        if not low <= total <= high:  # also catches inf: the range check comes before any int()
            raise Invalid(f"{show(value)} is out of range; allowed: {low} to {high} seconds")
        if total != int(total):
            raise Invalid(f"{show(value)} is not a whole number of seconds")
        return int(total)

    return parse


def minutes_duration(low_min: int, high_min: int) -> Parser:
    """An ISO-8601 duration kept as given, or minutes as a number (-> ``PT{n}M``)."""

    def parse(value: Any) -> str:
        if isinstance(value, str) and value.strip().upper().startswith("P"):
            iso = value.strip().upper()
            total = iso_duration_seconds(iso)
        else:
            minutes = integer()(value)
            iso, total = f"PT{minutes}M", minutes * 60.0
        if not low_min * 60 <= total <= high_min * 60:
            raise Invalid(f"{show(value)} is out of range; allowed: {low_min} minutes to {high_min // 1440} days")
        return iso

    return parse


# --- names and resource ids ----------------------------------------------------------------

COMPUTE_NAME = re.compile(r"^[a-zA-Z](?![a-zA-Z0-9-]*-\d+$)[a-zA-Z0-9\-]{2,23}$")
COMPUTE_NAME_RULE = (
    "3 to 24 characters: letters, digits and '-', starting with a letter, and not ending in '-' followed by digits"
)


def compute_name(value: Any) -> str:
    name = text(value)
    if not COMPUTE_NAME.match(name):
        raise Invalid(f"{show(name)} is not a valid compute name; allowed: {COMPUTE_NAME_RULE}")
    return name


_SIZE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{1,63}$")

# The option names of fields `update` changes after `create` set them: both verbs take the same ones.
SIZE_FLAGS = ("--size", "--vm-size")
IDLE_SHUTDOWN_FLAGS = ("--idle-time-before-shutdown-minutes", "--idle-time-before-shutdown")
DESCRIPTION_FLAGS = ("--description",)
TAGS_FLAGS = ("--tags",)


def vm_size(value: Any) -> str:
    """A VM size name in any case, spelled as the catalogue spells it (``standard_ds3_v2`` ->
    ``Standard_DS3_v2``); one the catalogue does not list stays as typed (the region may offer it)."""
    size = text(value)
    if not _SIZE.match(size):
        raise Invalid(
            f"{show(size)} is not a VM size name; sizes look like Standard_DS3_v2 "
            "(`jupyter compute sizes` lists the sizes of the workspace's region)"
        )
    return catalogue.size_name(size)


_GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
GUID = re.compile(f"^{_GUID}$")


def guid(value: Any) -> str:
    result = text(value)
    if not GUID.match(result):
        raise Invalid(f"{show(result)} is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)")
    return result


def resource_id(*providers: str) -> Parser:
    """An ARM resource id whose type is one of ``providers`` (e.g. 'Microsoft.Compute/virtualMachines')."""
    patterns = [
        re.compile(
            rf"^/subscriptions/{_GUID}/resourceGroups/[-\w.()]{{1,90}}/providers/{_type_pattern(p)}$", re.IGNORECASE
        )
        for p in providers
    ]
    shapes = ["/subscriptions/<guid>/resourceGroups/<group>/providers/" + _shape(p) for p in providers]

    def parse(value: Any) -> str:
        rid = text(value)
        if not any(p.match(rid) for p in patterns):
            raise Invalid(f"{show(rid)} is not a resource id of the form {' or '.join(shapes)}")
        return rid

    return parse


def _type_pattern(provider: str) -> str:
    # 'Microsoft.Synapse/workspaces/bigDataPools' -> 'Microsoft\.Synapse/workspaces/[^/]+/bigDataPools/[^/]+'
    namespace, *types = provider.split("/")
    return re.escape(namespace) + "".join(f"/{re.escape(t)}/[^/]+" for t in types)


def _shape(provider: str) -> str:
    namespace, *types = provider.split("/")
    return namespace + "".join(f"/{t}/<name>" for t in types)


SUBNET_ID = resource_id("Microsoft.Network/virtualNetworks/subnets")
USER_IDENTITY_ID = resource_id("Microsoft.ManagedIdentity/userAssignedIdentities")


_SSH_PUBLIC_KEY = re.compile(
    r"^(ssh-rsa|ssh-ed25519|ssh-dss|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521|"
    r"sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}( [^\r\n]*)?$"
)


def ssh_public_key(value: Any) -> str:
    key = text(value)
    if "PRIVATE KEY" in key:
        raise Invalid("this is a private key; give the public key (the .pub file), e.g. 'ssh-rsa AAAA... user'")
    match = _SSH_PUBLIC_KEY.match(key)
    if not match or not _key_blob_names_its_type(key.split()[1], match.group(1)):
        raise Invalid(
            "is not an OpenSSH public key; expected one line such as 'ssh-rsa AAAAB3... user@host' "
            "(types: ssh-rsa, ssh-ed25519, ecdsa-sha2-nistp256/384/521)"
        )
    return key


def _key_blob_names_its_type(blob: str, key_type: str) -> bool:
    """An OpenSSH key blob starts with its own type name, length-prefixed."""
    import base64
    import binascii

    try:
        raw = base64.b64decode(blob, validate=True)
    except (binascii.Error, ValueError):
        return False
    if len(raw) < 4:
        return False
    length = int.from_bytes(raw[:4], "big")
    return raw[4 : 4 + length] == key_type.encode()
