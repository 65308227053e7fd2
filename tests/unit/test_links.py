"""One rule for the web links a row, ``show`` and the panel may carry (issue 22, point 8), in Python
(:func:`jupyter_compute.model.links.web_link`) and in the panel's JavaScript (``safeHref`` in
ui/panel/static/table.js), both run against one table: tests/data/links.json (here in Python;
labextension/test/links.test.mjs under ``node --test``, which tests/unit/test_js.py runs).

Given a link the service (or an attacker posing as it) sends, when either side checks it, then it is kept
exactly when the table says; a string prefix would keep ``http://127.0.0.1.example.org/``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from jupyter_compute.model.links import web_link
from jupyter_compute.model.resource import Compute

TESTS = Path(__file__).resolve().parent.parent
CASES: list[dict[str, Any]] = json.loads((TESTS / "data" / "links.json").read_text(encoding="utf-8"))["cases"]


def padded(case: dict[str, Any]) -> Any:
    url, pad_to = case["url"], case.get("pad_to")
    return url + "a" * (pad_to - len(url)) if pad_to else url


@pytest.mark.parametrize("case", CASES, ids=[f"{str(c['url'])[:50]!r}" for c in CASES])
def test_python_keeps_a_link_exactly_when_the_table_says(case: dict[str, Any]) -> None:
    url = padded(case)
    assert web_link(url) == (url if case["kept"] else None), case["why"]


@pytest.mark.parametrize("case", CASES, ids=[f"{str(c['url'])[:50]!r}" for c in CASES])
def test_an_instances_links_are_the_ones_the_rule_keeps(case: dict[str, Any]) -> None:
    url = padded(case)
    body = {
        "name": "ci1",
        "properties": {
            "computeType": "ComputeInstance",
            "properties": {"state": "Running", "applications": [{"displayName": "Jupyter", "endpointUri": url}]},
        },
    }
    assert Compute(body).links() == ([{"label": "Jupyter", "url": url}] if case["kept"] else [])
