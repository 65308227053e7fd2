"""Fault injection's grammar, which requests a rule picks, and what the server answers for each fault."""

from __future__ import annotations

from typing import Any

import pytest

from jupyter_compute.local.faults import ANSWERS, KINDS, Delay, Drop, Fault, Faults, Reply, parse_rules

GRAMMAR = [
    ("", []),
    (" , ", []),
    ("drop", [{"kind": "drop", "every": 1, "times": None}]),
    ("throttle:every=3:retry_after=1.5", [{"kind": "throttle", "every": 3, "retry_after": 1.5}]),
    ("error500:every=4, error503:every=5", [{"kind": "error500", "every": 4}, {"kind": "error503", "every": 5}]),
    ("latency:ms=200", [{"kind": "latency", "ms": 200.0}]),
    ("unauthorized:times=1", [{"kind": "unauthorized", "times": 1}]),
    ("drop:methods=get+put", [{"kind": "drop", "methods": frozenset({"GET", "PUT"})}]),
    ("drop:every=0", [{"kind": "drop", "every": 1}]),  # every=0 would never fire: it means every request
]


@pytest.mark.parametrize(("text", "expected"), GRAMMAR)
def test_rules_read_as_written(text: str, expected: list[dict[str, Any]]) -> None:
    rules = parse_rules(text)
    assert [{key: getattr(rule, key) for key in want} for rule, want in zip(rules, expected, strict=True)] == expected


REFUSED = [
    ("teapot", "unknown fault 'teapot'; known: throttle, error500, error503, latency, drop, unauthorized"),
    ("drop:often=2", "unknown fault option 'often'; known: every, times, retry_after, ms, methods"),
    ("drop:every=x", "fault option every='x' is not a whole number"),
    ("latency:ms=soon", "fault option ms='soon' is not a number"),
    ("throttle:times=1.5", "fault option times='1.5' is not a whole number"),
]


@pytest.mark.parametrize(("text", "message"), REFUSED)
def test_a_rule_that_cannot_be_read_names_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_rules(text)
    assert str(raised.value) == message


def fired(faults: Faults, requests: list[str]) -> list[list[str]]:
    return [[f.kind for f in faults.pick(method, "/p")] for method in requests]


def test_every_picks_the_nth_request_and_times_caps_it() -> None:
    assert fired(Faults("error500:every=3"), ["GET"] * 7) == [[], [], ["error500"], [], [], ["error500"], []]
    assert fired(Faults("drop:every=2:times=1"), ["GET"] * 6) == [[], ["drop"], [], [], [], []]


def test_methods_limit_a_rule_and_only_those_requests_count() -> None:
    faults = Faults("throttle:every=2:methods=PUT")
    assert fired(faults, ["GET", "PUT", "GET", "PUT", "PUT"]) == [[], [], [], ["throttle"], []]


def test_latency_comes_before_the_fault_that_answers() -> None:
    assert fired(Faults("error503,latency:ms=5"), ["GET"]) == [["latency", "error503"]]


def test_configure_replaces_the_rules_and_the_log_and_snapshot_shows_them() -> None:
    faults = Faults("drop")
    faults.pick("GET", "/a")
    assert faults.snapshot()["log"] == [{"kind": "drop", "method": "GET", "path": "/a"}]
    faults.configure("error500:every=2")
    assert faults.snapshot() == {"rules": [{"kind": "error500", "every": 2, "times": None, "fired": 0}], "log": []}


ACTIONS = [
    (Fault("latency", ms=250), Delay(0.25)),
    (Fault("drop"), Drop()),
    (
        Fault("throttle", retry_after=1.0),
        Reply(429, {"Retry-After": "1"}, "TooManyRequests", "The request was throttled. Retry after 1.0 seconds."),
    ),
    (
        Fault("throttle", retry_after=0.5),
        Reply(429, {"Retry-After": "0.5"}, "TooManyRequests", "The request was throttled. Retry after 0.5 seconds."),
    ),
    (Fault("error500"), Reply(500, {}, "InternalServerError", "Injected server error.")),
    (Fault("error503"), Reply(503, {"Retry-After": "1"}, "ServiceUnavailable", "Injected server error.")),
    (
        Fault("unauthorized"),
        Reply(
            401,
            {"WWW-Authenticate": 'Bearer error="invalid_token"'},
            "ExpiredAuthenticationToken",
            "The access token expiry UTC time is earlier than current UTC time.",
        ),
    ),
]


@pytest.mark.parametrize(("fault", "action"), ACTIONS, ids=lambda v: getattr(v, "kind", ""))
def test_each_fault_has_its_answer(fault: Fault, action: Any) -> None:
    assert fault.action() == action


def test_every_kind_has_an_answer_and_an_answer_test() -> None:
    assert set(KINDS) == set(ANSWERS) == {fault.kind for fault, _ in ACTIONS}


def test_a_ratelimit_rule_sets_the_budget_says_what_is_left_and_refuses_past_it() -> None:
    faults = Faults("ratelimit:reads=2,latency:ms=1")
    answers = [faults.take("GET") for _ in range(3)]
    left = [headers["x-ms-ratelimit-remaining-subscription-reads"] for headers, _ in answers]
    assert left == ["1", "0", "0"] and [allowed for _, allowed in answers] == [True, True, False]
    assert answers[0][0]["x-ms-ratelimit-remaining-subscription-global-reads"] == "29"
    assert int(answers[2][0]["Retry-After"]) >= 1 and "Retry-After" not in answers[1][0]
    writes, allowed = faults.take("POST")  # listNodes, stop: ARM counts a POST as a write
    assert allowed and writes["x-ms-ratelimit-remaining-subscription-writes"] == "1199"
    assert faults.snapshot()["budget"] == {
        "limits": {"reads": 2, "writes": 1200, "deletes": 15000},
        "used": {"reads": 2, "writes": 1, "deletes": 0},
        "refused": 1,
    }
    assert [rule.kind for rule in faults.rules] == ["latency"]


def test_without_a_ratelimit_rule_the_headers_are_sent_and_nothing_is_refused() -> None:
    faults = Faults("")
    headers, allowed = faults.take("DELETE")
    assert allowed and headers == {
        "x-ms-ratelimit-remaining-subscription-deletes": "14999",
        "x-ms-ratelimit-remaining-subscription-global-deletes": "224999",
    }
    assert "budget" not in faults.snapshot()
    with pytest.raises(ValueError, match="unknown ratelimit option 'reeds'"):
        Faults("ratelimit:reeds=3")
