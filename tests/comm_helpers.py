"""Counting what widgets send the page, without a kernel: every comm created records its messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import comm
import pytest
from comm.base_comm import BaseComm


class Sent(NamedTuple):
    t: float  # the test's clock when it was sent
    comm_id: str
    msg_type: str  # comm_open | comm_msg | comm_close
    data: dict[str, Any]


def record_comms(monkeypatch: pytest.MonkeyPatch, clock: Callable[[], float] = lambda: 0.0) -> list[Sent]:
    """From now on (for the test), widgets' comms record what they send in the returned list."""
    sent: list[Sent] = []

    class Recorded(BaseComm):
        def publish_msg(
            self, msg_type: str, data: Any = None, metadata: Any = None, buffers: Any = None, **_: Any
        ) -> None:
            sent.append(Sent(clock(), self.comm_id, msg_type, data or {}))

    monkeypatch.setattr(comm, "create_comm", lambda *a, **k: Recorded(*a, **k))
    return sent
