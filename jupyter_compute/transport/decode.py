"""The one step from an HTTP answer's bytes to JSON, for both clients (ARM and the Retail Prices API).

:func:`read` takes the body off the wire with a size cap and, when given, a deadline that counts the
whole body (a per-read timeout alone lets a server that trickles a byte now and then hold a request
without limit). :func:`decode` parses it as JSON and refuses what no reader here could walk safely:
``NaN``/``Infinity`` (not JSON), and nesting deeper than :data:`MOST_DEPTH` (ARM bodies are about ten
deep; a body tens of thousands deep makes Python's parser, and any recursive walk after it, fail with a
``RecursionError``). Each refusal is an :class:`Unreadable` whose text says what was wrong, never the
body: the ARM client turns it into :class:`~jupyter_compute.errors.UnexpectedAnswer`, the prices client
into :class:`~jupyter_compute.errors.PricesUnavailable`.
"""

from __future__ import annotations

import json
import time
from typing import Any

import requests

MOST_DEPTH = 64
CHUNK = 64 * 1024


class Unreadable(ValueError):
    """An answer's body could not be read as JSON we accept; the text says why (no part of the body)."""


class NotJson(Unreadable):
    """The body is no JSON at all (an HTML gateway page, a truncated answer)."""


class TooSlow(Unreadable):
    """The body did not arrive before the deadline."""


def read(raw: requests.Response, most_bytes: int, deadline: float | None = None) -> bytes:
    """The body of a streamed response (``stream=True``), at most ``most_bytes``; :class:`Unreadable` when it
    is larger, :class:`TooSlow` when it is not whole by ``deadline`` (``time.monotonic()``), and the
    ``requests`` exception when the connection breaks off."""
    source = raw.raw
    if source is None:  # a response built in memory (an adapter that is no socket): its content is all there
        if len(raw.content) > most_bytes:
            raise Unreadable(f"it is larger than {_size(most_bytes)}")
        return raw.content
    data = bytearray()
    while True:
        _before(raw, deadline)
        try:
            chunk = source.read1(CHUNK, decode_content=True)  # what has come, so the deadline is checked
        except Exception as exc:  # urllib3's errors, as requests' iter_content would wrap them
            raise requests.exceptions.ChunkedEncodingError(exc) from None
        if not chunk:
            return bytes(data)
        data += chunk
        if len(data) > most_bytes:
            raise Unreadable(f"it is larger than {_size(most_bytes)}")


def _before(raw: requests.Response, deadline: float | None) -> None:
    """Before each read: past the deadline, stop; else no single read may wait beyond it."""
    if deadline is None:
        return
    left = deadline - time.monotonic()
    if left <= 0:
        raise TooSlow("it did not arrive in time")
    sock = getattr(getattr(raw.raw, "connection", None), "sock", None)
    if sock is not None:
        sock.settimeout(left)


def decode(data: bytes) -> Any:
    """``data`` as JSON (``None`` when empty); :class:`Unreadable` when it is not JSON, holds NaN or Infinity,
    or nests deeper than :data:`MOST_DEPTH`."""
    if not data.strip():
        return None
    try:
        value = json.loads(data, parse_constant=_refuse_constant)
    except RecursionError:
        raise Unreadable(f"it is nested deeper than {MOST_DEPTH} levels") from None
    except ValueError as exc:  # also UnicodeDecodeError
        raise NotJson(f"it is not JSON ({str(exc)[:80]})") from None
    if _depth_over(value, MOST_DEPTH):
        raise Unreadable(f"it is nested deeper than {MOST_DEPTH} levels")
    return value


def _depth_over(value: Any, most: int) -> bool:
    """Whether ``value`` nests lists and objects more than ``most`` deep (walked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > most:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _size(count: int) -> str:
    return f"{count // (1024 * 1024)} MiB" if count >= 1024 * 1024 else f"{count} bytes"
