"""One typed contract between Python and the panel list's front end: the row is declared once (the TypedDicts
``Row``, ``Link`` and ``BarData``); Python's rows are exactly that; the TypeScript twin ``static/row.d.ts``
is generated from it; and every key ``static/table.js`` reads of a row, a bar or a link is declared."""

from __future__ import annotations

import importlib.util
import re
import types
import typing
from pathlib import Path
from typing import Any

from jupyter_compute.model.progress import Progress
from jupyter_compute.model.resource import Compute
from jupyter_compute.render.describe import BarData, describe
from jupyter_compute.ui.rows import Link, Row, row_of

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "jupyter_compute" / "ui" / "panel" / "static"


def conforms(value: Any, hint: Any, where: str = "row") -> list[str]:
    """Where ``value`` is not of the declared type ``hint`` (a TypedDict: exactly its keys)."""
    if typing.is_typeddict(hint):
        if not isinstance(value, dict):
            return [f"{where}: not an object"]
        hints = typing.get_type_hints(hint)
        wrong = [f"{where}: keys {sorted(set(value) ^ set(hints))}"] if set(value) != set(hints) else []
        return wrong + [p for key in hints.keys() & value.keys() for p in conforms(value[key], hints[key], key)]
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return [] if any(not conforms(value, arg, where) for arg in args) else [f"{where}: {value!r}"]
    if origin is list:
        return (
            [f"{where}: not a list"]
            if not isinstance(value, list)
            else [p for v in value for p in conforms(v, args[0], where)]
        )
    if origin is dict:
        ok = isinstance(value, dict) and all(isinstance(k, str) and not conforms(v, args[1]) for k, v in value.items())
        return [] if ok else [f"{where}: {value!r}"]
    if hint is float:
        return [] if isinstance(value, int | float) and not isinstance(value, bool) else [f"{where}: {value!r}"]
    return [] if isinstance(value, hint) else [f"{where}: {value!r} is not {hint}"]


def test_a_row_and_its_bar_are_exactly_the_declaration() -> None:
    instance = Compute(
        {
            "name": "ci",
            "properties": {
                "computeType": "ComputeInstance",
                "provisioningState": "Succeeded",
                "createdOn": "2026-12-01T10:00:00Z",
                "properties": {
                    "state": "Running",
                    "vmSize": "STANDARD_DS3_V2",
                    "applications": [{"displayName": "Jupyter Lab", "endpointUri": "https://ci.example.net/lab"}],
                },
            },
        }
    )
    row = row_of(instance)
    assert conforms(row, Row) == []
    assert row["links"] == [{"label": "Jupyter Lab", "url": "https://ci.example.net/lab"}]
    row["bar"] = describe(Progress("Allocating nodes", 0.5, 1, 2, {"idle": 1}, 10.0, 20.0)).bar()
    assert conforms(row, Row) == []
    assert conforms({**row, "tone ": ""}, Row) != [], "a key typo is caught"
    assert conforms(row["bar"], BarData) == [] and conforms(row["links"][0], Link) == []


def test_the_typescript_declaration_is_generated_from_the_python_one() -> None:
    spec = importlib.util.spec_from_file_location("row_types", ROOT / "scripts" / "row_types.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert (STATIC / "row.d.ts").read_text() == script.render(), "stale: run python scripts/row_types.py"
    assert "rows: IRow[];" in (ROOT / "labextension" / "src" / "preview.ts").read_text(), "the first paint uses it"


def test_table_js_reads_only_declared_keys() -> None:
    source = (STATIC / "table.js").read_text()
    for variable, declared in (("row", Row), ("bar", BarData), ("link", Link)):
        read = set(re.findall(rf"\b{variable}\.(\w+)", source))
        assert read, f"table.js reads no {variable}.key: the check would prove nothing"
        assert read <= set(typing.get_type_hints(declared)), (
            f"{variable}: {read - set(typing.get_type_hints(declared))}"
        )


def test_the_entry_points_the_lab_extension_calls_are_jupyter_compute_panels() -> None:
    """labextension/src/entry.ts builds every call into the panel's kernel: each name it may call is public."""
    import jupyter_compute.panel as panel

    source = (ROOT / "labextension" / "src" / "entry.ts").read_text()
    declared = re.search(r"export type EntryPoint = ([^;]+);", source)
    assert declared, "entry.ts declares the EntryPoint names"
    names = set(re.findall(r"'(\w+)'", declared.group(1)))
    assert names and names <= set(panel.__all__), names - set(panel.__all__)
    others = [p.name for p in (ROOT / "labextension" / "src").glob("*.ts") if p.name != "entry.ts"]
    assert not [n for n in others if "jupyter_compute.panel import" in (ROOT / "labextension" / "src" / n).read_text()]


def test_a_json_string_literal_is_the_same_python_string() -> None:
    """entry.ts writes each argument with JSON.stringify (its exact output: labextension/test/entry.test.mjs),
    which for a string is what json.dumps(ensure_ascii=False) writes: Python reads it back unchanged."""
    import ast
    import json

    for tricky in ('x")\nimport os; os.system("boom")  # \\ \' \u00e9 \u2028', "cluster", "\t\x00\U0001f600"):
        assert ast.literal_eval(json.dumps(tricky, ensure_ascii=False)) == tricky
