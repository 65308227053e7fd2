"""The panel's list sends the page only what changed (issue 29, point 2): counted comm messages, no timing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from comm_helpers import Sent, record_comms

from jupyter_compute.ui.panel.table import ComputeTable


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[Sent]:
    return record_comms(monkeypatch)


def row(i: int, nodes: int = 0) -> dict[str, Any]:
    return {"name": f"c-{i:03d}x", "kind": "cluster", "state": "Succeeded", "nodes": f"{nodes} (0-4)", "bar": None}


def messages(sent: list[Sent]) -> list[dict[str, Any]]:
    return [m.data for m in sent if m.msg_type == "comm_msg"]


def test_a_few_changed_rows_go_as_one_patch_of_those_rows(sent: list[Sent]) -> None:
    """Given a list of 200 rows, when one row changes, then the page gets one message with that row and the
    order (a few KB), not the 200 rows again (it was the whole list, about 40 KB here, each time)."""
    table = ComputeTable()
    rows = [row(i) for i in range(200)]
    table.show_rows(rows)
    full = messages(sent)
    assert len(full) == 1 and len(full[0]["state"]["rows"]) == 200
    sent.clear()
    changed = [*rows[:7], row(7, nodes=2), *rows[8:]]
    table.show_rows(changed)
    (patch,) = messages(sent)
    assert patch["method"] == "custom" and patch["content"]["patch"] == [row(7, nodes=2)]
    assert patch["content"]["order"] == [r["name"] for r in changed]
    assert len(json.dumps(patch)) < len(json.dumps(full[0])) / 4
    assert table.rows == changed  # a view opened now (a reload) gets the whole list from the trait
    assert table.get_state("rows")["rows"] == changed
    sent.clear()
    table.show_rows(list(changed))
    assert messages(sent) == [], "nothing changed, nothing sent"


def test_a_deleted_row_goes_as_a_shorter_order_and_most_rows_changed_as_the_whole_list(
    sent: list[Sent],
) -> None:
    table = ComputeTable()
    rows = [row(i) for i in range(10)]
    table.show_rows(rows)
    sent.clear()
    table.show_rows(rows[1:])
    (patch,) = messages(sent)
    assert patch["content"] == {"patch": [], "order": [r["name"] for r in rows[1:]]}
    sent.clear()
    everything = [row(i, nodes=1) for i in range(10)]
    table.show_rows(everything)
    (update,) = messages(sent)
    assert update["method"] == "update" and update["state"]["rows"] == everything
