"""What the service says is left of the subscription's budgets, read as the recordings show the headers."""

from __future__ import annotations

from jupyter_compute.transport.ratelimit import MAX_PACE, RateLimits, bucket


def test_each_method_counts_against_its_bucket_and_the_lower_of_the_twins_is_the_budget() -> None:
    rates = RateLimits()
    # azure-ai-ml 1.24's recording: GET compute, 1099 + 16499
    rates.observe(
        "GET",
        200,
        {
            "x-ms-ratelimit-remaining-subscription-reads": "1099",
            "x-ms-ratelimit-remaining-subscription-global-reads": "16499",
        },
    )
    rates.observe("POST", 202, {"x-ms-ratelimit-remaining-subscription-writes": "1199"})
    rates.observe("DELETE", 202, {"X-MS-RATELIMIT-REMAINING-SUBSCRIPTION-DELETES": "799"})
    assert (rates.left("reads"), rates.left("writes"), rates.left("deletes")) == (1099, 1199, 799)
    assert [bucket(m) for m in ("GET", "HEAD", "PUT", "PATCH", "POST", "DELETE")] == [
        "reads",
        "reads",
        "writes",
        "writes",
        "writes",
        "deletes",
    ]


def test_the_pace_slows_before_the_reads_run_out_and_holds_back_after_a_429() -> None:
    now = [0.0]
    rates = RateLimits(clock=lambda: now[0])
    paces = []
    for left in (249, 100, 60, 20, 11, 10, 0):
        rates.observe("GET", 200, {"x-ms-ratelimit-remaining-subscription-reads": str(left)})
        paces.append(rates.pace())
    assert paces == [1.0, 1.0, 2.0, 10.0, 60.0, MAX_PACE, MAX_PACE]
    rates.observe("GET", 200, {"x-ms-ratelimit-remaining-subscription-reads": "5000"})
    rates.observe("GET", 429, {"Retry-After": "30"})
    assert rates.pace() == MAX_PACE
    now[0] = 31.0
    assert rates.pace() == 1.0
