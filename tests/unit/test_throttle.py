"""The UI's one throttle: at most one run per interval, the rest coalesced into one trailing run, urgent
runs at once, deferred runs on the scheduler; driven by a fake clock, never by sleeping."""

from __future__ import annotations

import contextvars
import threading

from jupyter_compute.ui.throttle import Scheduler, Throttle


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def manual() -> tuple[FakeClock, Scheduler]:
    clock = FakeClock()
    return clock, Scheduler(clock, thread=False)


def test_the_first_request_runs_at_once_and_a_burst_becomes_one_trailing_run() -> None:
    clock, scheduler = manual()
    runs: list[float] = []
    throttle = Throttle(lambda: runs.append(clock()), 0.25, scheduler=scheduler)

    throttle.request()
    assert runs == [100.0]
    for _ in range(10):
        clock.advance(0.01)
        throttle.request()
    assert runs == [100.0], "requests inside the interval wait"
    assert scheduler.pending() == 1 and scheduler.next_due() == 100.25, "one run, when the interval is up"
    assert scheduler.run_due() == 0
    clock.advance(0.15)
    assert scheduler.run_due() == 1
    assert runs == [100.0, clock.now]


def test_a_request_after_a_quiet_interval_runs_at_once() -> None:
    clock, scheduler = manual()
    runs: list[float] = []
    throttle = Throttle(lambda: runs.append(clock()), 0.25, scheduler=scheduler)
    throttle.request()
    clock.advance(0.3)
    throttle.request()
    assert runs == [100.0, 100.3] and scheduler.pending() == 0


def test_an_urgent_request_runs_at_once_and_drops_the_waiting_run() -> None:
    clock, scheduler = manual()
    runs: list[str] = []
    throttle = Throttle(lambda: runs.append("run"), 0.25, scheduler=scheduler)
    throttle.request()
    clock.advance(0.05)
    throttle.request()
    assert scheduler.pending() == 1
    throttle.request(urgent=True)
    assert runs == ["run", "run"] and scheduler.pending() == 0
    clock.advance(1.0)
    assert scheduler.run_due() == 0 and runs == ["run", "run"]


def test_at_most_one_run_per_interval_whatever_the_rate_of_requests() -> None:
    clock, scheduler = manual()
    runs: list[float] = []
    throttle = Throttle(lambda: runs.append(clock()), 0.25, scheduler=scheduler)
    for _ in range(1000):  # 1000 requests over 10 s
        throttle.request()
        clock.advance(0.01)
        scheduler.run_due()
    assert 38 <= len(runs) <= 41
    gaps = [b - a for a, b in zip(runs, runs[1:], strict=False)]
    assert min(gaps) >= 0.25 - 1e-9


def test_deferred_runs_never_run_in_the_requesting_call() -> None:
    clock, scheduler = manual()
    runs: list[str] = []
    throttle = Throttle(lambda: runs.append("run"), 0.25, scheduler=scheduler, defer=True)
    throttle.request()
    throttle.request(urgent=True)
    assert runs == [] and scheduler.pending() == 1, "both requests share the one run"
    assert scheduler.run_due() == 1 and runs == ["run"]
    throttle.request()
    assert scheduler.next_due() == 100.25
    throttle.request(urgent=True)
    assert scheduler.next_due() == 100.0, "urgent moves the waiting run to now"
    scheduler.run_due()
    assert runs == ["run", "run"]


def test_cancel_drops_the_waiting_run() -> None:
    clock, scheduler = manual()
    runs: list[str] = []
    throttle = Throttle(lambda: runs.append("run"), 0.25, scheduler=scheduler)
    throttle.request()
    throttle.request()
    throttle.cancel()
    clock.advance(1.0)
    assert scheduler.run_due() == 0 and runs == ["run"]


def test_a_scheduled_call_runs_in_the_context_it_was_scheduled_in_and_failures_do_not_stop_others() -> None:
    clock, scheduler = manual()
    cell: contextvars.ContextVar[str] = contextvars.ContextVar("cell", default="none")
    seen: list[str] = []

    def broken() -> None:
        raise RuntimeError("a broken redraw")

    def schedule() -> None:
        cell.set("cell 7")
        scheduler.call_later(0.1, broken)
        scheduler.call_later(0.2, lambda: seen.append(cell.get()))

    contextvars.copy_context().run(schedule)
    clock.advance(0.2)
    assert scheduler.run_due() == 2
    assert seen == ["cell 7"]


def test_the_scheduler_thread_runs_due_calls() -> None:
    scheduler = Scheduler()
    ran = threading.Event()
    scheduler.call_later(0.0, ran.set)
    assert ran.wait(10)
    before = threading.active_count()
    done = [threading.Event() for _ in range(20)]
    for event in done:
        scheduler.call_later(0.0, event.set)
    assert all(event.wait(10) for event in done)
    assert threading.active_count() == before, "one thread for every call"


def test_a_deferred_throttle_asked_here_runs_in_the_asking_thread_only_when_due() -> None:
    """``here``: a poll's tick draws on the tick when the last draw is an interval old; else its run waits
    for the interval, shared with the others (issue 29: ticks no longer bypass the rate)."""
    clock, scheduler = manual()
    runs: list[str] = []
    throttle = Throttle(lambda: runs.append(threading.current_thread().name), 0.5, scheduler=scheduler, defer=True)
    throttle.request(here=True)
    assert runs == [threading.current_thread().name] and scheduler.pending() == 0
    clock.advance(0.1)
    for _ in range(5):
        throttle.request(here=True)
        throttle.request()
    assert len(runs) == 1 and scheduler.pending() == 1 and scheduler.next_due() == 100.5
    clock.advance(0.4)
    assert scheduler.run_due() == 1 and len(runs) == 2
