"""The Compute panel's decisions without widgets (ui/panel/state.py): which computes are shown and as what,
each row's bar, busy action and message, when a finished bar goes, which bars stand above the list, when a
panel nobody looks at pauses, whether a row action is allowed now, and what each row action does. Tables of
listings, operations and instants on a fake clock: no widget, no kernel, no waiting."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from jupyter_compute import Workspace
from jupyter_compute.model import kinds
from jupyter_compute.model.resource import Compute
from jupyter_compute.service.operation import TERMINAL_STATES, State
from jupyter_compute.ui.panel.state import FINISHED_BAR_SECONDS, PANES, ROW_ACTIONS, PanelState
from jupyter_compute.ui.rows import kind_actions


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def instance(name: str, state: str = "Running", provisioning: str = "Succeeded") -> dict[str, Any]:
    return {
        "name": name,
        "properties": {
            "computeType": "ComputeInstance",
            "provisioningState": provisioning,
            "properties": {"state": state, "vmSize": "Standard_DS3_v2"},
        },
    }


def cluster(name: str, provisioning: str = "Succeeded") -> dict[str, Any]:
    return {
        "name": name,
        "properties": {
            "computeType": "AmlCompute",
            "provisioningState": provisioning,
            "properties": {"vmSize": "Standard_DS3_v2", "scaleSettings": {"minNodeCount": 0, "maxNodeCount": 2}},
        },
    }


@dataclass
class Op:
    """An operation as the panel reads it (the Followed protocol)."""

    action: str
    target: str
    state: State = State.RUNNING
    resource: Mapping[str, Any] | None = None
    refused: bool = False
    error: Any = None
    said: list[str] = field(default_factory=list)

    def done(self) -> bool:
        return self.state in TERMINAL_STATES


def state(clock: FakeClock | None = None) -> PanelState:
    return PanelState(
        clock=clock or FakeClock(),
        bar_of=lambda op: {"title": f"{op.action} {op.target}", "state": op.state.value},  # type: ignore[typeddict-item]
        error_of=lambda op: f"refused: {op.action} of {op.target}",
    )


def names(panel: PanelState, in_flight: list[Op] | None = None) -> list[str]:
    return [row["name"] for row in panel.draw(in_flight or []).rows]


# --- which computes are shown, and as what -----------------------------------------------------------

SHOWN_CASES = [
    # (what the row's last operation is, the names shown, the state of "b" shown)
    ("none", ["a", "b"], "Running"),
    ("a create of c accepted, not listed yet", ["a", "b", "c"], "Running"),
    ("a create of c still submitting", ["a", "b"], "Running"),
    ("a create of c refused", ["a", "b"], "Running"),
    ("a stop of b in flight, read Stopping", ["a", "b"], "Stopping"),
    ("a stop of b ended, read Stopped: the listing stands", ["a", "b"], "Running"),
]


@pytest.mark.parametrize(("case", "shown", "b_state"), SHOWN_CASES, ids=[c[0] for c in SHOWN_CASES])
def test_the_computes_shown_are_the_listing_and_what_operations_here_read_fresher(
    case: str, shown: list[str], b_state: str
) -> None:
    panel = state()
    panel.listing([instance("a"), instance("b")], [])
    ops = {
        "a create of c accepted, not listed yet": Op("create", "c", resource=cluster("c", "Creating")),
        "a create of c still submitting": Op("create", "c", State.SUBMITTING, resource=cluster("c", "Creating")),
        "a create of c refused": Op("create", "c", State.FAILED, resource=cluster("c"), refused=True),
        "a stop of b in flight, read Stopping": Op("stop", "b", resource=instance("b", "Stopping")),
        "a stop of b ended, read Stopped: the listing stands": Op(
            "stop", "b", State.SUCCEEDED, resource=instance("b", "Stopped")
        ),
    }
    if case in ops:
        panel.follow(ops[case])
    assert [c.name for c in panel.shown()] == shown
    assert next(c for c in panel.shown() if c.name == "b").state == b_state


def test_an_ended_operation_shows_its_compute_as_it_read_it_until_the_next_listing() -> None:
    panel = state()
    panel.listing([instance("b")], [])
    panel.ended(Op("stop", "b", State.SUCCEEDED, resource=instance("b", "Stopped")))
    assert [c.state for c in panel.listed] == ["Stopped"]
    panel.ended(Op("delete", "b", State.SUCCEEDED, resource=instance("b", "Deleting")))
    assert [c.state for c in panel.listed] == ["Stopped"], "a delete leaves the row to the listing"
    panel.listing([instance("b", "Running")], [])
    assert [c.state for c in panel.listed] == ["Running"]


def test_a_listing_hands_back_the_transitions_nobody_follows() -> None:
    panel = state()
    follow = panel.listing(
        [cluster("new", "Creating"), instance("going", "Stopping"), instance("mine", "Starting"), instance("still")],
        [Op("start", "mine")],
    )
    assert [c.name for c in follow] == ["new", "going"]
    panel.listing_failed()
    assert panel.list_failed and panel.listed == [] and names(panel) == []
    panel.listing([instance("still")], [])
    assert not panel.list_failed


# --- bars, busy rows, messages, and when a finished bar goes ---------------------------------------------

EXPIRY_CASES = [
    # (seconds after the end was first drawn, the bar still shown)
    (0.0, True),
    (FINISHED_BAR_SECONDS, True),
    (FINISHED_BAR_SECONDS + 0.001, False),
    (3600.0, False),
]


@pytest.mark.parametrize(("after", "shown"), EXPIRY_CASES)
def test_a_finished_bar_stays_on_its_row_a_minute_after_it_was_first_drawn_ended(after: float, shown: bool) -> None:
    clock = FakeClock()
    panel = state(clock)
    panel.listing([instance("b")], [])
    op = Op("stop", "b")
    panel.follow(op)
    assert panel.draw([op]).rows[0]["bar"] is not None and panel.draw([op]).rows[0]["busy"] == "stop"
    clock.now += 500  # however long it ran: the minute counts from its end
    op.state = State.SUCCEEDED
    (row,) = panel.draw([]).rows
    assert row["busy"] == "" and row["bar"] == {"title": "stop b", "state": "succeeded"}
    clock.now += after
    (row,) = panel.draw([]).rows
    assert (row["bar"] is not None) is shown
    assert ("b" in panel.recent) is shown, "an expired operation is forgotten"


def test_the_clock_at_zero_still_counts_a_finished_bar() -> None:
    clock = FakeClock()
    clock.now = 0.0
    panel = state(clock)
    panel.listing([instance("b")], [])
    panel.follow(Op("stop", "b", State.SUCCEEDED))
    assert panel.draw([]).rows[0]["bar"] is not None
    clock.now = FINISHED_BAR_SECONDS + 1
    assert panel.draw([]).rows[0]["bar"] is None


MESSAGE_CASES = [
    # (a sentence said on the row, the last operation refused, the message shown)
    ("", False, ""),
    ("", True, "refused: start of b"),
    (
        "b is Running: it cannot start now. Nothing was sent.",
        True,
        "b is Running: it cannot start now. Nothing was sent.",
    ),
    ("said", False, "said"),
]


@pytest.mark.parametrize(("said", "refused", "shown"), MESSAGE_CASES)
def test_a_rows_message_is_what_was_said_on_it_else_its_operations_refusal(
    said: str, refused: bool, shown: str
) -> None:
    panel = state()
    panel.listing([instance("b")], [])
    panel.follow(Op("start", "b", State.FAILED, refused=refused))
    panel.say("B", said)
    assert panel.draw([]).rows[0]["message"] == shown


def test_an_operation_started_here_takes_the_rows_old_message_away() -> None:
    panel = state()
    panel.listing([instance("b")], [])
    panel.say("b", "an old sentence")
    panel.started(Op("stop", "b"))
    assert panel.draw([]).rows[0]["message"] == "" and panel.draw([]).rows[0]["busy"] == "stop"


def test_operations_in_flight_whose_compute_is_not_listed_stand_above_the_list() -> None:
    panel = state()
    panel.listing([instance("b")], [])
    away, here, ended = Op("create", "away", State.SUBMITTING), Op("stop", "b"), Op("delete", "x", State.SUCCEEDED)
    drawn = panel.draw([away, here, ended])
    assert drawn.pending == [away] and [row["busy"] for row in drawn.rows] == ["stop"]
    assert panel.recent["b"][0] is here, "in flight: the row's last operation"


def test_a_deleted_computes_row_and_last_bar_go_with_it() -> None:
    panel = state()
    panel.listing([instance("a"), instance("b")], [])
    gone = Op("delete", "b", State.SUCCEEDED)
    panel.follow(gone)
    panel.draw([])
    panel.listing([instance("a")], [])
    assert names(panel) == ["a"] and "b" not in panel.recent
    deleting = Op("delete", "a")
    panel.follow(deleting)
    panel.listing([], [deleting])
    assert names(panel, [deleting]) == [] and panel.recent["a"][0] is deleting, "still in flight: kept"


def test_an_unchanged_row_is_the_same_object_from_draw_to_draw() -> None:
    panel = state()
    panel.listing([instance("a"), instance("b")], [])
    first = panel.draw([]).rows
    panel.listing([instance("a"), instance("b", "Stopped")], [])
    second = panel.draw([]).rows
    assert second[0] is first[0] and second[1] is not first[1] and second[1]["state"] == "Stopped"


# --- row actions ---------------------------------------------------------------------------------------

ALLOWED_CASES = [
    # (the instance's state, the action, the operation in flight on it, the refusal ("" allowed))
    ("Running", "stop", None, ""),
    ("Running", "edit", None, ""),
    ("Stopped", "stop", None, "b is Stopped: it cannot stop now (only when Running). Nothing was sent."),
    ("Running", "resize", None, "b is a instance; it has no resize."),
    ("Running", "stop", "stop", "stop of b is already under way. Nothing was sent."),
    ("Running", "restart", "stop", ""),
    ("Deleting", "details", None, "b is being deleted; nothing else can be done with it. Nothing was sent."),
]


@pytest.mark.parametrize(("compute_state", "action", "in_flight", "why"), ALLOWED_CASES)
def test_a_row_action_is_allowed_by_the_computes_state_and_what_is_under_way(
    compute_state: str, action: str, in_flight: str | None, why: str
) -> None:
    panel = state()
    panel.listing([instance("b", compute_state)], [])
    if in_flight:
        panel.follow(Op(in_flight, "b"))
    compute, said = panel.allowed(action, "B")
    assert compute is not None and compute.name == "b"
    assert said == why


def test_no_row_action_on_a_compute_not_shown_or_while_the_workspace_cannot_be_listed() -> None:
    panel = state()
    panel.listing([instance("b")], [])
    assert panel.allowed("stop", "nope") == (None, "")
    panel.listing_failed()
    assert panel.allowed("stop", "b") == (None, "")


def test_every_row_action_any_kind_offers_is_in_the_one_action_table() -> None:
    offered: set[str] = set()
    for kind in kinds.KINDS:
        body = {"name": "x", "properties": {"computeType": kind.compute_type, "properties": {}}}
        offered.update(kind_actions(Compute(body)))
        offered.update(kind_actions(Compute({**body, "properties": {**body["properties"], "isAttachedCompute": True}})))
    assert offered == set(ROW_ACTIONS), "no action without a handler, no handler without an action"
    for name, action in ROW_ACTIONS.items():
        assert action.pane is (name in PANES)
        if action.run is not None:
            assert action.run is getattr(Workspace, name), f"{name} starts Workspace.{name}"
    assert {a for kind in kinds.KINDS for a in kind.actions} <= set(ROW_ACTIONS)


# --- a panel nobody looks at ------------------------------------------------------------------------------

UNSEEN_CASES = [
    # (seconds since a view was last seen, pause after, unseen)
    (0.0, 120.0, False),
    (119.9, 120.0, False),
    (120.0, 120.0, True),
    (10_000.0, None, False),
]


@pytest.mark.parametrize(("since", "pause_after", "unseen"), UNSEEN_CASES)
def test_a_panel_is_unseen_once_no_view_said_it_is_shown_for_pause_after(
    since: float, pause_after: float | None, unseen: bool
) -> None:
    clock = FakeClock()
    panel = state(clock)
    clock.now += 50
    panel.seen()
    clock.now += since
    assert panel.unseen(pause_after) is unseen


def test_clearing_for_another_workspace_forgets_everything() -> None:
    panel = state()
    panel.listing([instance("b")], [])
    panel.follow(Op("stop", "b"))
    panel.say("b", "x")
    panel.listing_failed()
    panel.clear()
    assert (panel.listed, panel.recent, panel.messages, panel.list_failed) == ([], {}, {}, False)
