"""Which web links a compute's row, ``show`` and the panel may carry: one rule, in two languages.

The panel's front end (``ui/panel/static/table.js``, ``safeHref``) follows the same rule, and both are
run against one table of cases (``tests/data/links.json``). A link is kept, as written, when:

* it is at most 2048 characters of RFC 3986 (printable ASCII without spaces, quotes, angle brackets or
  backslashes);
* it reads ``http://`` or ``https://`` then an authority without credentials (no ``@``): a host and
  perhaps a port;
* its host is written as a URL parser writes it back (the browser's ``new URL``, Python's ``urlsplit``):
  a DNS name (dot-separated labels of letters, digits and ``-``), a dotted-quad IPv4 address in its
  plain form, or ``[::1]``; no number in another base, no trailing dot, nothing percent-encoded;
* it is https, or http to a loopback host (127.0.0.0/8, ``[::1]``, ``localhost``): the local workspace.

A string prefix does not do: ``http://127.0.0.1.example.org/`` and ``http://127.0.0.1@example.org/``
start like the local workspace and go elsewhere.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

MAX_URL = 2048
_TEXT = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&()*+,;=%]+")  # RFC 3986's characters but the quote
_AUTHORITY = re.compile(r"(https?)://([^/?#]*)", re.IGNORECASE)
_HOST_PORT = re.compile(r"([A-Za-z0-9.-]+|\[::1\])(?::\d*)?")
_DNS = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)*")
_NUMBER = re.compile(r"\d+|0x[0-9a-f]*")  # a last label a URL parser reads as an IPv4 address


def web_link(value: object) -> str | None:
    """``value`` when it is a web link a page may show (the rule above), else None."""
    if not isinstance(value, str) or len(value) > MAX_URL or not _TEXT.fullmatch(value):
        return None
    written = _AUTHORITY.match(value)
    host_port = _HOST_PORT.fullmatch(written.group(2)) if written else None
    if written is None or host_port is None:
        return None
    host = host_port.group(1).lower()
    if host != "[::1]" and not _plain_host(host):
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (a port out of range raises)
    except ValueError:
        return None
    if parts.hostname != host.strip("[]") or parts.username is not None:
        return None
    scheme = written.group(1).lower()
    return value if scheme == "https" or (scheme == "http" and loopback(host)) else None


def _plain_host(host: str) -> bool:
    """A DNS name, or a dotted-quad IPv4 address as a parser writes it (a URL parser reads a name whose
    last label is a number as an address: ``127.1``, ``0x7f.0.0.1`` and ``2130706433`` are 127.0.0.1)."""
    if not _DNS.fullmatch(host):
        return False
    if not _NUMBER.fullmatch(host.rsplit(".", 1)[-1]):
        return True
    try:
        return str(ipaddress.IPv4Address(host)) == host
    except ValueError:
        return False


def loopback(host: str) -> bool:
    """127.0.0.0/8, ``[::1]`` or ``localhost`` (a host as :func:`web_link` checked it, lower case)."""
    if host in ("localhost", "[::1]"):
        return True
    try:
        return ipaddress.IPv4Address(host) in ipaddress.IPv4Network("127.0.0.0/8")
    except ValueError:
        return False
