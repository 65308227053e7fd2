"""When a compute instance stops and starts by itself, and why it last did: ``show``'s "Stopping and starting".

The section says the instance's idle shutdown, each start/stop schedule with its next fire time, the next
start and the next stop (in the user's time zone: the machine's, or the one given), and the last operation
with what triggered it (a user, a schedule, idle shutdown), so "why did my instance stop?" has an answer.
:func:`power_rows` gathers the words once; :func:`power_text` (terminals: control characters stripped) and
:func:`power_html` (notebooks: escaped) only arrange them. Every value is the service's, so never trusted.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING, Any

from ..model.kinds import INSTANCE
from ..model.schedule_times import UnknownZone, next_fire
from ..model.specs import Invalid, Schedule, iso_duration_seconds
from .markup import Markup, html
from .terminal import one_line

if TYPE_CHECKING:
    from ..model.resource import Compute

HEADING = "Stopping and starting"
TRIGGERS = {"User": "by a user", "Schedule": "by a schedule", "IdleShutdown": "by idle shutdown"}
_LABEL_WIDTH = 16


def power_rows(compute: Compute, now: datetime | None = None, tz: tzinfo | None = None) -> list[tuple[str, str]]:
    """(label, value) rows of an instance's section; [] for other kinds. ``now`` (aware) and ``tz`` default
    to the clock and the machine's zone."""
    if compute.compute_type != INSTANCE.compute_type:
        return []
    now = now or datetime.now(timezone.utc)
    tz = tz or datetime.now().astimezone().tzinfo or timezone.utc
    inner = _inner(compute)
    rows = [("Idle shutdown", _idle(inner.get("idleTimeBeforeShutdown")))]
    schedules = _schedules(inner)
    if not schedules:
        rows.append(("Schedules", "none"))
    nexts: dict[str, datetime] = {}
    for i, (schedule, problem) in enumerate(schedules, 1):
        if problem:
            rows.append((f"Schedule {i}", problem))
            continue
        assert schedule is not None
        when, note = _next(schedule, now)
        if when is not None and (schedule.action not in nexts or when < nexts[schedule.action]):
            nexts[schedule.action] = when
        timing = f"next {_at(when, tz)}" if when is not None else note
        rows.append((f"Schedule {i}", f"{_describe(schedule)} · {timing}"))
    for action in ("Start", "Stop"):
        if action in nexts:
            rows.append((f"Next {action.lower()}", _at(nexts[action], tz)))
    rows.append(("Last operation", _last(inner.get("lastOperation"), tz)))
    return [(label, one_line(value)) for label, value in rows]


def power_text(compute: Compute, now: datetime | None = None, tz: tzinfo | None = None) -> str:
    """The section as plain text; "" for other kinds."""
    rows = power_rows(compute, now, tz)
    if not rows:
        return ""
    return "\n".join([HEADING, *(f"  {label.ljust(_LABEL_WIDTH)}  {value}" for label, value in rows)])


def power_html(compute: Compute, now: datetime | None = None, tz: tzinfo | None = None) -> Markup:
    """The section for notebooks (escaped); empty for other kinds."""
    rows = power_rows(compute, now, tz)
    if not rows:
        return Markup("")
    items = Markup("").join(html("<li><strong>{}</strong>: {}</li>", label, value) for label, value in rows)
    return html("<div class='jupyter-compute-power'><strong>{}</strong><ul>{}</ul></div>", HEADING, items)


def _inner(compute: Compute) -> Mapping[str, Any]:
    props = compute.body.get("properties")
    inner = props.get("properties") if isinstance(props, Mapping) else None
    return inner if isinstance(inner, Mapping) else {}


def _idle(value: Any) -> str:
    if not value:
        return "off (the instance runs until it is stopped)"
    try:
        minutes = iso_duration_seconds(str(value)) / 60
    except Invalid:
        return f"{value} (not a duration)"
    shown = f"{minutes:g} minutes" if minutes < 120 or minutes % 60 else f"{minutes / 60:g} hours"
    return f"after {shown} of inactivity"


def _schedules(inner: Mapping[str, Any]) -> list[tuple[Schedule | None, str]]:
    holder = inner.get("schedules")
    items = holder.get("computeStartStop") if isinstance(holder, Mapping) else None
    found: list[tuple[Schedule | None, str]] = []
    for item in items if isinstance(items, list) else []:
        try:
            found.append((Schedule.from_arm(item), ""))
        except (AttributeError, TypeError, ValueError):
            found.append((None, "not readable"))
    return found


def _describe(schedule: Schedule) -> str:
    action = schedule.action.lower()
    if schedule.trigger_type == "Cron":
        trigger = f"cron {schedule.expression}"
    else:
        days = ", ".join(schedule.week_days) or ", ".join(map(str, schedule.month_days))
        times = ", ".join(f"{h:02d}:{m:02d}" for h in schedule.hours for m in schedule.minutes)
        every = f"every {schedule.interval or 1} {(schedule.frequency or 'day').lower()}"
        trigger = f"{every}{f' on {days}' if days else ''}{f' at {times}' if times else ''}"
    zone = f" ({schedule.time_zone or 'UTC'})"
    state = "" if schedule.status == "Enabled" else f" [{schedule.status.lower()}]"
    return f"{action} {trigger}{zone}{state}"


def _next(schedule: Schedule, now: datetime) -> tuple[datetime | None, str]:
    if schedule.status != "Enabled":
        return None, "does not fire (disabled)"
    try:
        when = next_fire(schedule, now)
    except UnknownZone as exc:
        return None, f"next {schedule.action.lower()} unknown: {exc}"
    except ValueError as exc:
        return None, f"next {schedule.action.lower()} unknown: {exc}"
    return when, "" if when is not None else "does not fire again"


def _at(when: datetime | None, tz: tzinfo) -> str:
    if when is None:
        return ""
    local = when.astimezone(tz)
    return local.strftime("%a %Y-%m-%d %H:%M %Z").strip()


def _last(value: Any, tz: tzinfo) -> str:
    if not isinstance(value, Mapping) or not value.get("operationName"):
        return "none reported"
    name = str(value.get("operationName"))
    status = str(value.get("operationStatus") or "")
    trigger = str(value.get("operationTrigger") or "")
    by = TRIGGERS.get(trigger, f"by {trigger}" if trigger else "trigger not reported")
    when = ""
    raw = value.get("operationTime")
    if raw:
        try:
            parsed = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
            when = _at(parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc), tz)
        except ValueError:
            when = str(raw)
    parts = [f"{name} ({status})" if status else name, when, by]
    return ", ".join(p for p in parts if p)


#: How far ahead a scheduled stop shows on the panel's row and in ``costs``.
STOP_SOON = timedelta(hours=1)


def stop_soon(compute: Compute, now: datetime | None = None, tz: tzinfo | None = None) -> str:
    """ "stops at 19:00 by schedule, in 25 min" when a running instance's stop schedule fires within
    :data:`STOP_SOON` of ``now`` (aware; default the clock), the time in ``tz`` (default the machine's);
    "" otherwise."""
    if compute.instance_state not in ("Running", "JobRunning"):
        return ""
    now = now or datetime.now(timezone.utc)
    when = compute.next_stop(now)
    if when is None or when - now > STOP_SOON:
        return ""
    tz = tz or datetime.now().astimezone().tzinfo or timezone.utc
    minutes = max(1, round((when - now).total_seconds() / 60))
    return f"stops at {when.astimezone(tz):%H:%M} by schedule, in {minutes} min"
