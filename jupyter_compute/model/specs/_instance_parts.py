"""Nested settings of a compute instance: start/stop schedules, setup scripts, custom applications.

Each part is parsed from its ``az ml`` YAML shape, checked key by key (unknown keys get a
"did you mean"), and converted to and from its REST shape.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .. import triggers
from . import _fields as f
from ._fields import Invalid

WEEK_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
FREQUENCIES = ("Minute", "Hour", "Day", "Week", "Month")


def _mapping(value: Any, where: str, allowed: Sequence[str], required: Sequence[str] = ()) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise Invalid(f"{where}: expected a mapping, got {f.show(value)}")
    for key in value:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), list(allowed), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else f"; allowed: {', '.join(allowed)}"
            raise Invalid(f"{where}.{key} is not a known setting{hint}")
    for key in required:
        if value.get(key) is None:
            raise Invalid(f"{where}.{key} is required")
    return value


def _at(where: str, parse: f.Parser, value: Any) -> Any:
    try:
        return parse(value)
    except Invalid as exc:
        raise Invalid(f"{where}: {exc}") from None


def _local_time(value: Any) -> str:
    try:
        return triggers.local_start_time(f.text(value))
    except ValueError as exc:
        raise Invalid(str(exc)) from None


def _zone(value: Any) -> str:
    """A time zone :mod:`..triggers` knows (a Windows id or an IANA name), as given."""
    name = f.text(value)
    try:
        triggers.zone(name)
    except triggers.UnknownZone as exc:
        raise Invalid(f"{exc} (e.g. 'W. Europe Standard Time', 'Europe/Berlin' or UTC)") from None
    return name


def _int_list(low: int, high: int) -> f.Parser:
    def parse(value: Any) -> tuple[int, ...]:
        items = value if isinstance(value, (list, tuple)) else [value]
        return tuple(f.integer(low, high)(v) for v in items)

    return parse


def _cron(value: Any) -> str:
    """A cron expression as the service (and ``show``'s next run, :mod:`..triggers`) reads it, as given."""
    expression = f.text(value)
    if len(expression.split()) not in (5, 6):
        raise Invalid(f"{f.show(expression)} is not a cron expression (5 fields: minute hour day month weekday)")
    try:
        triggers.cron(expression)
    except ValueError as exc:
        raise Invalid(f"{f.show(expression)} is not a cron expression the service takes: {exc}") from None
    return expression


@dataclass(frozen=True)
class Schedule:
    """One ``compute_start_stop`` entry: start or stop the instance on a cron or recurrence trigger."""

    action: str  # Start | Stop
    trigger_type: str  # Cron | Recurrence
    status: str = "Enabled"
    start_time: str | None = None
    time_zone: str | None = None
    expression: str | None = None  # cron
    frequency: str | None = None  # recurrence
    interval: int | None = None
    hours: tuple[int, ...] = ()
    minutes: tuple[int, ...] = ()
    week_days: tuple[str, ...] = ()
    month_days: tuple[int, ...] = ()

    @classmethod
    def from_yaml(cls, value: Any, where: str) -> Schedule:
        item = _mapping(value, where, ("action", "state", "trigger"), ("action", "trigger"))
        action = _at(f"{where}.action", f.choice({"start": "Start", "stop": "Stop"}, ("start", "stop")), item["action"])
        status = _at(
            f"{where}.state",
            f.choice({"enabled": "Enabled", "disabled": "Disabled"}, ("enabled", "disabled")),
            item.get("state", "enabled"),
        )
        tw = f"{where}.trigger"
        trigger = _mapping(
            item["trigger"],
            tw,
            ("type", "start_time", "time_zone", "expression", "frequency", "interval", "schedule"),
            ("type",),
        )
        kind = _at(
            f"{tw}.type",
            f.choice({"cron": "Cron", "recurrence": "Recurrence"}, ("cron", "recurrence")),
            trigger["type"],
        )
        common: dict[str, Any] = {
            "action": action,
            "status": status,
            "trigger_type": kind,
            "start_time": _at(f"{tw}.start_time", _local_time, trigger["start_time"])
            if trigger.get("start_time") is not None
            else None,
            "time_zone": _at(f"{tw}.time_zone", _zone, trigger["time_zone"])
            if trigger.get("time_zone") is not None
            else None,
        }
        if kind == "Cron":
            if trigger.get("expression") is None:
                raise Invalid(f"{tw}.expression is required for a cron trigger")
            for extra in ("frequency", "interval", "schedule"):
                if extra in trigger:
                    raise Invalid(f"{tw}.{extra} belongs to a recurrence trigger, not cron")
            return cls(expression=_at(f"{tw}.expression", _cron, trigger["expression"]), **common)
        if "expression" in trigger:
            raise Invalid(f"{tw}.expression belongs to a cron trigger, not recurrence")
        for key in ("frequency", "interval", "schedule"):
            if trigger.get(key) is None:
                raise Invalid(f"{tw}.{key} is required for a recurrence trigger")
        sw = f"{tw}.schedule"
        sched = _mapping(trigger["schedule"], sw, ("hours", "minutes", "week_days", "month_days"), ("hours", "minutes"))
        days = sched.get("week_days") or ()
        return cls(
            frequency=_at(
                f"{tw}.frequency",
                f.choice({d.lower(): d for d in FREQUENCIES}, [d.lower() for d in FREQUENCIES]),
                trigger["frequency"],
            ),
            interval=_at(f"{tw}.interval", f.integer(1, 1000), trigger["interval"]),
            hours=_at(f"{sw}.hours", _int_list(0, 23), sched["hours"]),
            minutes=_at(f"{sw}.minutes", _int_list(0, 59), sched["minutes"]),
            week_days=tuple(
                _at(f"{sw}.week_days", f.choice({d.lower(): d for d in WEEK_DAYS}, [d.lower() for d in WEEK_DAYS]), d)
                for d in (days if isinstance(days, (list, tuple)) else [days])
            ),
            month_days=_at(f"{sw}.month_days", _int_list(1, 31), sched.get("month_days") or ()),
            **common,
        )

    def to_arm(self) -> dict[str, Any]:
        timing: dict[str, Any] = {}
        if self.start_time:
            timing["startTime"] = self.start_time
        if self.time_zone:
            timing["timeZone"] = self.time_zone
        out: dict[str, Any] = {"status": self.status, "action": self.action, "triggerType": self.trigger_type}
        if self.trigger_type == "Cron":
            out["cron"] = {"expression": self.expression, **timing}
        else:
            schedule: dict[str, Any] = {"hours": list(self.hours), "minutes": list(self.minutes)}
            if self.week_days:
                schedule["weekDays"] = list(self.week_days)
            if self.month_days:
                schedule["monthDays"] = list(self.month_days)
            out["recurrence"] = {"frequency": self.frequency, "interval": self.interval, **timing, "schedule": schedule}
        return out

    @classmethod
    def from_arm(cls, data: Mapping[str, Any]) -> Schedule:
        kind = data.get("triggerType") or ("Cron" if data.get("cron") else "Recurrence")
        timing = data.get("cron") if kind == "Cron" else data.get("recurrence")
        timing = timing or {}
        schedule = timing.get("schedule") or {}
        return cls(
            action=data.get("action") or "Stop",
            status=data.get("status") or "Enabled",
            trigger_type=kind,
            start_time=timing.get("startTime"),
            time_zone=timing.get("timeZone"),
            expression=timing.get("expression") if kind == "Cron" else None,
            frequency=timing.get("frequency") if kind != "Cron" else None,
            interval=timing.get("interval") if kind != "Cron" else None,
            hours=tuple(schedule.get("hours") or ()),
            minutes=tuple(schedule.get("minutes") or ()),
            week_days=tuple(schedule.get("weekDays") or ()),
            month_days=tuple(schedule.get("monthDays") or ()),
        )

    def to_yaml(self) -> dict[str, Any]:
        trigger: dict[str, Any] = {"type": self.trigger_type.lower()}
        if self.start_time:
            trigger["start_time"] = self.start_time
        if self.time_zone:
            trigger["time_zone"] = self.time_zone
        if self.trigger_type == "Cron":
            trigger["expression"] = self.expression
        else:
            schedule: dict[str, Any] = {"hours": list(self.hours), "minutes": list(self.minutes)}
            if self.week_days:
                schedule["week_days"] = [d.lower() for d in self.week_days]
            if self.month_days:
                schedule["month_days"] = list(self.month_days)
            trigger.update(frequency=(self.frequency or "").lower(), interval=self.interval, schedule=schedule)
        return {"action": self.action.lower(), "state": self.status.lower(), "trigger": trigger}


def schedules(value: Any) -> tuple[Schedule, ...]:
    """YAML ``schedules: {compute_start_stop: [...]}`` or a bare list of schedules."""
    if isinstance(value, Mapping):
        value = _mapping(value, "schedules", ("compute_start_stop",)).get("compute_start_stop") or []
    if isinstance(value, Schedule):
        value = [value]
    if not isinstance(value, (list, tuple)):
        raise Invalid(f"expected a list under compute_start_stop, got {f.show(value)}")
    return tuple(
        v if isinstance(v, Schedule) else Schedule.from_yaml(v, f"compute_start_stop[{i}]") for i, v in enumerate(value)
    )


SCHEDULE_PARTS = (
    f.FormPart("start", "Start at", "A time (08:00, or 08:00 on Monday Friday) or a cron expression (0 8 * * 1-5)"),
    f.FormPart("stop", "Stop at", "A time (19:00, or 19:00 on Friday) or a cron expression (0 19 * * *)"),
    f.FormPart("time_zone", "Time zone", "Of the start and stop times, e.g. UTC or W. Europe Standard Time"),
)
_FORM_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?:\s+on\s+(.+))?$", re.IGNORECASE)


def schedules_from_form(parts: Mapping[str, str]) -> list[dict[str, Any]] | None:
    """A form's start and stop texts as ``compute_start_stop`` entries: "08:00" a daily recurrence,
    "08:00 on Monday Friday" a weekly one, anything else a cron expression; each checked here so the
    form says which input is wrong, in its own words."""
    zone = parts.get("time_zone", "").strip()
    if zone:
        _at(SCHEDULE_PARTS[2].label, _zone, zone)
    items = []
    for part in SCHEDULE_PARTS[:2]:
        given = parts.get(part.key, "").strip()
        if not given:
            continue
        trigger: dict[str, Any] = {"type": "cron", "expression": given}
        match = _FORM_TIME.match(given)
        if match:
            days = [d for d in re.split(r"[,\s]+", match.group(3) or "") if d]
            trigger = {
                "type": "recurrence",
                "frequency": "week" if days else "day",
                "interval": 1,
                "schedule": {
                    "hours": [match.group(1)],
                    "minutes": [match.group(2)],
                    **({"week_days": days} if days else {}),
                },
            }
        if zone:
            trigger["time_zone"] = zone
        item = {"action": part.key, "trigger": trigger}
        try:
            Schedule.from_yaml(item, part.key)
        except Invalid:
            if not match and len(given.split()) in (5, 6):  # it reads as cron: say what the service would refuse
                _at(part.label, _cron, given)
            raise Invalid(
                f"{part.label}: {f.show(given)} is neither a time (08:00, or 08:00 on Monday Friday) "
                "nor a cron expression (five fields: minute hour day month weekday)"
            ) from None
        items.append(item)
    if zone and not items:
        raise Invalid("a time zone needs a start or a stop time")
    return items or None


SETUP_SCRIPT_PARTS = (
    f.FormPart("creation_script", "Creation script", "Path in the workspace file share; runs once, when created"),
    f.FormPart("startup_script", "Startup script", "Path in the workspace file share; runs at every start"),
)


def setup_scripts_from_form(parts: Mapping[str, str]) -> dict[str, str] | None:
    given = {p.key: parts.get(p.key, "").strip() for p in SETUP_SCRIPT_PARTS}
    return {key: path for key, path in given.items() if path} or None


@dataclass(frozen=True)
class ScriptReference:
    """A setup script stored in the workspace's file share."""

    path: str
    command: str | None = None
    timeout_minutes: int | None = None
    source: str = "workspaceStorage"

    @classmethod
    def from_yaml(cls, value: Any, where: str) -> ScriptReference:
        if isinstance(value, str):
            value = {"path": value}
        item = _mapping(value, where, ("path", "command", "timeout_minutes"), ("path",))
        return cls(
            path=_at(f"{where}.path", f.text, item["path"]),
            command=_at(f"{where}.command", f.text, item["command"]) if item.get("command") is not None else None,
            timeout_minutes=_at(f"{where}.timeout_minutes", f.integer(1, 1440), item["timeout_minutes"])
            if item.get("timeout_minutes") is not None
            else None,
        )

    def to_arm(self) -> dict[str, Any]:
        out: dict[str, Any] = {"scriptSource": self.source, "scriptData": self.path}
        if self.command:
            out["scriptArguments"] = self.command
        if self.timeout_minutes is not None:
            out["timeout"] = f"{self.timeout_minutes}m"
        return out

    @classmethod
    def from_arm(cls, data: Mapping[str, Any]) -> ScriptReference:
        timeout = str(data.get("timeout") or "")
        match = re.fullmatch(r"(\d+)m", timeout)
        return cls(
            path=data.get("scriptData") or "",
            command=data.get("scriptArguments"),
            timeout_minutes=int(match.group(1)) if match else None,
            source=data.get("scriptSource") or "workspaceStorage",
        )

    def to_yaml(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path}
        if self.command:
            out["command"] = self.command
        if self.timeout_minutes is not None:
            out["timeout_minutes"] = self.timeout_minutes
        return out


@dataclass(frozen=True)
class SetupScripts:
    creation_script: ScriptReference | None = None
    startup_script: ScriptReference | None = None

    def to_arm(self) -> dict[str, Any]:
        scripts: dict[str, Any] = {}
        if self.creation_script:
            scripts["creationScript"] = self.creation_script.to_arm()
        if self.startup_script:
            scripts["startupScript"] = self.startup_script.to_arm()
        return {"scripts": scripts}

    @classmethod
    def from_arm(cls, data: Mapping[str, Any]) -> SetupScripts:
        scripts = data.get("scripts") or {}
        return cls(
            creation_script=ScriptReference.from_arm(scripts["creationScript"])
            if scripts.get("creationScript")
            else None,
            startup_script=ScriptReference.from_arm(scripts["startupScript"]) if scripts.get("startupScript") else None,
        )

    def to_yaml(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.creation_script:
            out["creation_script"] = self.creation_script.to_yaml()
        if self.startup_script:
            out["startup_script"] = self.startup_script.to_yaml()
        return out


def setup_scripts(value: Any) -> SetupScripts:
    if isinstance(value, SetupScripts):
        return value
    item = _mapping(value, "setup_scripts", ("creation_script", "startup_script"))
    if not item:
        raise Invalid("give a creation_script, a startup_script or both")
    return SetupScripts(
        creation_script=ScriptReference.from_yaml(item["creation_script"], "setup_scripts.creation_script")
        if item.get("creation_script") is not None
        else None,
        startup_script=ScriptReference.from_yaml(item["startup_script"], "setup_scripts.startup_script")
        if item.get("startup_script") is not None
        else None,
    )


@dataclass(frozen=True)
class CustomApplication:
    """A Docker application the instance runs next to Jupyter (``custom_applications``)."""

    name: str
    image: str
    endpoints: tuple[tuple[int, int], ...]  # (target, published)
    environment_variables: tuple[tuple[str, str], ...] = ()
    bind_mounts: tuple[tuple[str, str], ...] = ()  # (source, target)

    @classmethod
    def from_yaml(cls, value: Any, where: str) -> CustomApplication:
        item = _mapping(
            value,
            where,
            ("name", "type", "image", "endpoints", "environment_variables", "bind_mounts"),
            ("name", "image", "endpoints"),
        )
        if str(item.get("type", "docker")).lower() != "docker":
            raise Invalid(f"{where}.type: only docker is supported")
        image = _mapping(item["image"], f"{where}.image", ("type", "reference"), ("reference",))
        endpoints = []
        for i, ep in enumerate(item["endpoints"] or ()):
            ew = f"{where}.endpoints[{i}]"
            ep = _mapping(ep, ew, ("target", "published", "protocol", "name"), ("target", "published"))
            endpoints.append(
                (
                    _at(f"{ew}.target", f.integer(1, 65535), ep["target"]),
                    _at(f"{ew}.published", f.integer(1024, 65535), ep["published"]),
                )
            )
        if not endpoints:
            raise Invalid(f"{where}.endpoints: at least one endpoint is required")
        mounts = []
        for i, mount in enumerate(item.get("bind_mounts") or ()):
            mw = f"{where}.bind_mounts[{i}]"
            mount = _mapping(mount, mw, ("source", "target"), ("source", "target"))
            mounts.append((_at(f"{mw}.source", f.text, mount["source"]), _at(f"{mw}.target", f.text, mount["target"])))
        return cls(
            name=_at(f"{where}.name", f.bounded_text(64), item["name"]),
            image=_at(f"{where}.image.reference", f.text, image["reference"]),
            endpoints=tuple(endpoints),
            environment_variables=_at(
                f"{where}.environment_variables", f.string_map, item.get("environment_variables") or {}
            ),
            bind_mounts=tuple(mounts),
        )

    def to_arm(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "image": {"type": "docker", "reference": self.image},
            "endpoints": [
                {"protocol": "http", "name": "connect", "target": t, "published": p} for t, p in self.endpoints
            ],
        }
        if self.environment_variables:
            out["environmentVariables"] = {k: {"type": "local", "value": v} for k, v in self.environment_variables}
        if self.bind_mounts:
            out["volumes"] = [
                {"type": "bind", "readOnly": False, "source": s, "target": t} for s, t in self.bind_mounts
            ]
        return out

    @classmethod
    def from_arm(cls, data: Mapping[str, Any]) -> CustomApplication:
        env = data.get("environmentVariables") or {}
        return cls(
            name=data.get("name") or "",
            image=(data.get("image") or {}).get("reference") or "",
            endpoints=tuple((e.get("target"), e.get("published")) for e in data.get("endpoints") or ()),
            environment_variables=tuple(sorted((k, (v or {}).get("value", "")) for k, v in env.items())),
            bind_mounts=tuple((v.get("source"), v.get("target")) for v in data.get("volumes") or ()),
        )

    def to_yaml(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "type": "docker",
            "image": {"reference": self.image},
            "endpoints": [{"target": t, "published": p} for t, p in self.endpoints],
        }
        if self.environment_variables:
            out["environment_variables"] = dict(self.environment_variables)
        if self.bind_mounts:
            out["bind_mounts"] = [{"source": s, "target": t} for s, t in self.bind_mounts]
        return out


def custom_applications(value: Any) -> tuple[CustomApplication, ...]:
    if not isinstance(value, (list, tuple)):
        raise Invalid(f"expected a list of applications, got {f.show(value)}")
    apps = tuple(
        v if isinstance(v, CustomApplication) else CustomApplication.from_yaml(v, f"custom_applications[{i}]")
        for i, v in enumerate(value)
    )
    names = [a.name for a in apps]
    if len(set(names)) != len(names):
        raise Invalid("application names must be unique")
    return apps
