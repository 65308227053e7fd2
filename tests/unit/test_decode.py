"""The one decoding step at the transport's edge (transport/decode.py) and the masking of secrets we sent
(model/wire.py): what is refused, and at which bound."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jupyter_compute.model.secrets import Secret
from jupyter_compute.model.wire import ArmRequest, hidden, secret_values
from jupyter_compute.transport import decode
from jupyter_compute.transport.arm import ArmClient

from conftest import examples
from prices_server import PricesServer, serving


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


class Token:
    def token(self, refresh: bool = False) -> str:
        return "t"


def test_an_answer_broken_off_half_way_is_retried_as_a_dropped_connection() -> None:
    body = json.dumps({"value": [{"name": "c1"}]}).encode()

    def answer(path: str, server: PricesServer) -> tuple[int, bytes, dict[str, str]]:
        whole = len(server.seen) > 1  # the first answer promises the whole body and sends half of it
        return 200, body if whole else body[: len(body) // 2], {"Content-Length": str(len(body))}

    with serving(answer) as server:
        client = ArmClient(server.url, Token(), sleep=lambda seconds: None)
        assert client.get(server.url + "/computes").body == {"value": [{"name": "c1"}]}
    assert len(server.seen) == 2


def test_an_answer_larger_than_the_cap_is_refused_without_reading_it_all(monkeypatch: pytest.MonkeyPatch) -> None:
    from jupyter_compute.errors import UnexpectedAnswer
    from jupyter_compute.transport import arm

    monkeypatch.setattr(arm, "MOST_BYTES", 1000)
    with serving(lambda path, server: (200, b"[" + b"0," * 100_000 + b"0]")) as server:
        with pytest.raises(UnexpectedAnswer, match="it is larger than 1000 bytes"):
            ArmClient(server.url, Token()).get(server.url + "/computes")


def test_the_secrets_of_a_request_are_found_as_sent_and_as_json_would_quote_them() -> None:
    key = "-----BEGIN KEY-----\nAAAA\n-----END KEY-----"
    body = {"a": Secret("hunter2-pass"), "b": [{"k": Secret(key)}], "c": Secret("abc"), "d": Secret.from_env("X")}
    found = secret_values(body)
    assert found == {"hunter2-pass", key, json.dumps(key)[1:-1]}  # "abc" is too short to look for; X never read
    quoted = {"message": f"bad body {json.dumps({'p': 'hunter2-pass', 'k': key})}", "list": [key], key: 1}
    assert "hunter2" not in json.dumps(hidden(quoted, found)) and "AAAA" not in json.dumps(hidden(quoted, found))
    assert ArmRequest("PUT", "/x", body).dry_run()["body"]["a"] == "***"
