"""The one decoding step at the transport's edge (transport/decode.py) and the masking of secrets we sent
(model/wire.py): what is refused, and at which bound."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jupyter_compute.model.secrets import Secret
from jupyter_compute.model.wire import ArmRequest, hidden, secret_values
from jupyter_compute.transport import decode
from jupyter_compute.transport.arm import ArmClient

from conftest import examples


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def test_json_up_to_64_deep_is_read_and_deeper_is_refused() -> None:
    assert decode.decode(nested(64)) is not None
    for depth in (65, 1000, 50_000):
        with pytest.raises(decode.Unreadable, match="nested deeper than 64 levels"):
            decode.decode(nested(depth))


def test_nan_and_infinity_and_non_json_are_refused_as_not_json() -> None:
    for text in (b'{"a": NaN}', b"[Infinity]", b"<html>502 Bad Gateway</html>", b"\xff\xfe"):
        with pytest.raises(decode.NotJson):
            decode.decode(text)
    assert decode.decode(b"  ") is None


@settings(max_examples=examples(100), deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_decode_or_are_refused_in_one_error(data: bytes) -> None:
    try:
        decode.decode(data)
    except decode.Unreadable:
        pass


@contextmanager
def serving(body: bytes, break_first: bool = False) -> Iterator[tuple[str, list[str]]]:
    """A loopback server answering ``body`` (the first answer broken off half-way when ``break_first``)."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2] if break_first and len(seen) == 1 else body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


class Token:
    def token(self, refresh: bool = False) -> str:
        return "t"


def test_an_answer_broken_off_half_way_is_retried_as_a_dropped_connection() -> None:
    body = json.dumps({"value": [{"name": "c1"}]}).encode()
    with serving(body, break_first=True) as (url, seen):
        client = ArmClient(url, Token(), sleep=lambda seconds: None)
        assert client.get(url + "/computes").body == {"value": [{"name": "c1"}]}
    assert len(seen) == 2


def test_an_answer_larger_than_the_cap_is_refused_without_reading_it_all(monkeypatch: pytest.MonkeyPatch) -> None:
    from jupyter_compute.errors import UnexpectedAnswer
    from jupyter_compute.transport import arm

    monkeypatch.setattr(arm, "MOST_BYTES", 1000)
    with serving(b"[" + b"0," * 100_000 + b"0]") as (url, _):
        with pytest.raises(UnexpectedAnswer, match="it is larger than 1000 bytes"):
            ArmClient(url, Token()).get(url + "/computes")


def test_the_secrets_of_a_request_are_found_as_sent_and_as_json_would_quote_them() -> None:
    key = "-----BEGIN KEY-----\nAAAA\n-----END KEY-----"
    body = {"a": Secret("hunter2-pass"), "b": [{"k": Secret(key)}], "c": Secret("abc"), "d": Secret.from_env("X")}
    found = secret_values(body)
    assert found == {"hunter2-pass", key, json.dumps(key)[1:-1]}  # "abc" is too short to look for; X never read
    quoted = {"message": f"bad body {json.dumps({'p': 'hunter2-pass', 'k': key})}", "list": [key], key: 1}
    assert "hunter2" not in json.dumps(hidden(quoted, found)) and "AAAA" not in json.dumps(hidden(quoted, found))
    assert ArmRequest("PUT", "/x", body).dry_run()["body"]["a"] == "***"
