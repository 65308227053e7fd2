"""A real kernel (jupyter_client) and the iopub messages it sends, for tests of what users see in notebooks."""

from __future__ import annotations

import os
import queue
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_client.manager import KernelManager


@dataclass
class Kernel:
    km: KernelManager
    kc: Any
    messages: list[dict[str, Any]] = field(default_factory=list)
    prompts: list[dict[str, Any]] = field(default_factory=list)

    def execute(self, code: str, timeout: float = 120, answers: list[str] | None = None) -> dict[str, Any]:
        """Run a cell; return its execute_reply. Every iopub message is kept in self.messages.
        ``answers`` are typed, in order, at the cell's input prompts (input_request on the stdin channel)."""
        pending = list(answers or [])
        msg_id = self.kc.execute(code, allow_stdin=bool(pending))
        deadline = time.monotonic() + timeout
        while True:
            if time.monotonic() > deadline:
                raise TimeoutError(code)
            if pending:
                try:
                    request = self.kc.get_stdin_msg(timeout=0.05)
                except queue.Empty:
                    request = None
                if request is not None and request["msg_type"] == "input_request":
                    self.prompts.append(request["content"])
                    self.kc.input(pending.pop(0))
            try:
                reply = self.kc.get_shell_msg(timeout=0.05)
            except queue.Empty:
                continue
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        self.drain_until_idle(msg_id, deadline)
        reply["received"] = time.monotonic()
        reply["sent"] = _timestamp(reply["header"].get("date"))
        started = next(
            (
                m
                for m in self.messages
                if m["parent_header"].get("msg_id") == msg_id
                and m["msg_type"] == "status"
                and m["content"]["execution_state"] == "busy"
            ),
            None,
        )
        reply["started"] = started["sent"] if started else reply["sent"]
        return dict(reply)

    def drain_until_idle(self, msg_id: str, deadline: float) -> None:
        while time.monotonic() < deadline:
            msg = self.iopub(0.5)
            if msg is None:
                continue
            if (
                msg["msg_type"] == "status"
                and msg["parent_header"].get("msg_id") == msg_id
                and msg["content"]["execution_state"] == "idle"
            ):
                return
        raise TimeoutError("the kernel did not go idle")

    def iopub(self, timeout: float) -> dict[str, Any] | None:
        try:
            msg = self.kc.get_iopub_msg(timeout=timeout)
        except queue.Empty:
            return None
        msg["received"] = time.monotonic()
        msg["sent"] = _timestamp(msg["header"].get("date"))
        self.messages.append(msg)
        return dict(msg)

    def collect(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.iopub(0.1)

    def collect_until(self, check: Callable[[list[dict[str, Any]]], bool], timeout: float = 60) -> bool:
        """Keep every iopub message until ``check(self.messages)`` holds (or ``timeout`` seconds): a
        condition, not a guess at how long the kernel takes."""
        deadline = time.monotonic() + timeout
        while not check(self.messages) and time.monotonic() < deadline:
            self.iopub(0.1)
        return check(self.messages)

    def outputs(self, reply: dict[str, Any]) -> list[dict[str, Any]]:
        parent = reply["parent_header"]["msg_id"]
        return [
            m
            for m in self.messages
            if m["parent_header"].get("msg_id") == parent
            and m["msg_type"] in ("stream", "display_data", "execute_result", "error")
        ]

    def text(self, reply: dict[str, Any]) -> str:
        """What the cell showed as text: stream chunks joined as written (a print may arrive in pieces)."""
        out = ""
        for m in self.outputs(reply):
            c = m["content"]
            if m["msg_type"] == "stream":
                out += c.get("text", "")
            else:
                rich = c.get("data", {}).get("text/plain", "") or "\n".join(c.get("traceback", []))
                out += ("" if not out or out.endswith("\n") else "\n") + rich + "\n"
        return out

    def widget_states(self) -> dict[str, dict[str, Any]]:
        """comm id -> the latest state of each widget model, from comm_open and comm_msg updates."""
        states: dict[str, dict[str, Any]] = {}
        for m in self.messages:
            if m["msg_type"] == "comm_open":
                states[m["content"]["comm_id"]] = dict(m["content"]["data"].get("state", {}))
            elif m["msg_type"] == "comm_msg" and m["content"]["data"].get("method") in ("update", "echo_update"):
                states.setdefault(m["content"]["comm_id"], {}).update(m["content"]["data"].get("state", {}))
        return states

    def updates(self, comm_id: str) -> list[dict[str, Any]]:
        return [
            m
            for m in self.messages
            if m["msg_type"] == "comm_msg"
            and m["content"]["comm_id"] == comm_id
            and m["content"]["data"].get("method") == "update"
        ]

    def restart(self) -> None:
        self.km.restart_kernel(now=True)
        self.kc.wait_for_ready(timeout=60)
        self.messages.clear()


def _timestamp(value: Any) -> float:
    """Kernel-side send time of a message (seconds since the epoch)."""
    from datetime import datetime

    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, str):
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    return time.time()


def kernel_env(home: Path, **extra: str) -> dict[str, str]:
    (home / "ipython").mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(
        {
            "JUPYTER_COMPUTE_HOME": str(home),
            "IPYTHONDIR": str(home / "ipython"),
            "JUPYTER_COMPUTE_POLL_INTERVAL": "0.1",
            **extra,
        }
    )
    return env


@contextmanager
def running_kernel(home: Path, **extra: str) -> Iterator[Kernel]:
    home.mkdir(parents=True, exist_ok=True)
    km = KernelManager(kernel_name="python3")
    km.start_kernel(env=kernel_env(home, **extra), cwd=str(home))
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        yield Kernel(km, kc)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
