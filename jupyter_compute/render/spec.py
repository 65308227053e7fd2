"""A spec as text a user can paste back: its az ml YAML ("Copy as YAML") and the equivalent command
line ("Copy as magic"), both with secrets masked or given as env-var references, never their values."""

from __future__ import annotations

import dataclasses
import shlex
from typing import Any

from ..model.secrets import Secret
from ..model.specs import ComputeSpec, kind_of
from .output import render_data


def spec_yaml(spec: ComputeSpec) -> str:
    """The az ml YAML of a spec (secrets masked): 'Copy as YAML'."""
    return render_data(spec.to_yaml_dict(), "yaml")


def spec_line(spec: ComputeSpec, verb: str | None = None) -> str:
    """The equivalent command line, from the verb on (secrets as env or file references): 'Copy as magic'.
    ``verb`` defaults to how the kind comes to a workspace (create or attach)."""
    cls = type(spec)
    kind = kind_of(cls)
    words = [verb or kind.verb, kind.word, spec.name]
    defaults = {f.name: f.default for f in dataclasses.fields(cls)}
    for name, info in cls.fields_info():
        value = getattr(spec, name)
        if not info.cli or name == "name" or value is None or value == () or value == defaults.get(name):
            continue
        flag = info.cli[0]
        if info.secret and isinstance(value, Secret):
            if value.source in ("env", "file"):
                words += [f"{flag}-{value.source}", value.origin]
            else:
                words += [f"{flag}-env", name.upper()]
        elif info.input == "flag":
            words += [flag, "true" if value else "false"]
        elif info.input == "many":
            words += [flag, *map(_word, value)]
        else:
            words += [flag, str(value)]
    return " ".join(shlex.quote(w) for w in words)


def _word(item: Any) -> str:
    """One word of a many-word field: a (key, value) pair of a map as KEY=VALUE, anything else as text."""
    if isinstance(item, tuple) and len(item) == 2:
        return f"{item[0]}={item[1]}"
    return str(item)
