"""The local workspace server answers each request of a kept-alive connection in one send, with Nagle's
algorithm off. Written as headers then body, the body waited for the client's delayed ACK: about 40 ms on
every request after a connection's first."""

from __future__ import annotations

import http.client
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from jupyter_compute.local.server import LocalServer

WS = "/subscriptions/s-1/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws"


class CountingSocket(socket.socket):
    """The server's end of a connection, noting each write it hands to the kernel (before it does, so that
    the note is there once the client has the bytes)."""

    sends: list[int]

    def send(self, data: bytes, flags: int = 0) -> int:  # type: ignore[override]
        self.sends.append(len(data))
        return super().send(data, flags)

    def sendall(self, data: bytes, flags: int = 0) -> None:  # type: ignore[override]
        self.sends.append(len(data))
        super().sendall(data, flags)


@pytest.fixture
def server(isolated_state: Path) -> Iterator[LocalServer]:
    srv = LocalServer(home=isolated_state / "server")  # not started: the test hands it one connection
    yield srv
    srv.httpd.server_close()


def test_each_answer_of_a_kept_alive_connection_leaves_in_one_send_without_nagle(server: LocalServer) -> None:
    """Given one kept-alive connection, when three requests are sent on it, then each answer reaches the
    socket in a single send, and the socket has TCP_NODELAY set."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port), timeout=30)
    accepted, address = listener.accept()
    listener.close()
    served = CountingSocket(fileno=accepted.detach())
    served.sends = []
    handling = threading.Thread(target=server.httpd.finish_request, args=(served, address), daemon=True)
    handling.start()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.sock = client
    answers = []
    try:
        for path in (WS, f"{WS}/computes", WS):
            before = len(served.sends)
            connection.request(
                "GET", f"{path}?api-version=2025-12-01", headers={"Authorization": f"Bearer {server.token}"}
            )
            response = connection.getresponse()
            answers.append((response.status, json.loads(response.read())))
            assert served.sends[before:] == [served.sends[before]], served.sends[before:]
        assert served.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    finally:
        connection.close()
        handling.join(30)
        served.close()
    assert [status for status, _ in answers] == [200, 200, 200]
    assert answers[1][1] == {"value": []} and answers[0][1]["name"] == "ws"
