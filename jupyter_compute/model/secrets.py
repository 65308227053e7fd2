"""Secret values (passwords, private keys, access tokens) that never show themselves.

A :class:`Secret` renders as ``***`` in repr, str, format and the dry-run JSON. Only the
transport calls :meth:`Secret.reveal` when it serialises a request body. Values may come
inline (accepted with a warning by the front ends), from an environment variable or from a
file; env and file sources are read when the secret is resolved, just before sending, and
errors name the source, never the value.
"""

from __future__ import annotations

import os
from typing import Any, Literal

from ..errors import ValidationError

Source = Literal["inline", "env", "file", "prompt"]
MASK = "***"


class Secret:
    """A secret string that only the transport may see."""

    __slots__ = ("_value", "_source", "_origin", "_passphrase")

    def __init__(
        self,
        value: str | None,
        *,
        source: Source = "inline",
        origin: str = "",
        passphrase: Secret | None = None,
    ) -> None:
        self._value = value
        self._source: Source = source
        self._origin = origin
        self._passphrase = passphrase

    @classmethod
    def from_env(cls, variable: str) -> Secret:
        return cls(None, source="env", origin=variable)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], passphrase: Secret | None = None) -> Secret:
        return cls(None, source="file", origin=os.fspath(path), passphrase=passphrase)

    @classmethod
    def coerce(cls, value: object) -> Secret:
        if isinstance(value, Secret):
            return value
        if isinstance(value, str):
            return cls(value)
        raise TypeError("a secret must be a string or a Secret")

    @property
    def source(self) -> Source:
        return self._source

    @property
    def origin(self) -> str:
        """Where the value comes from (variable name or file path), never the value."""
        return self._origin

    def describe(self) -> str:
        if self._source == "env":
            return f"from environment variable {self._origin}"
        if self._source == "file":
            return f"from file {self._origin}"
        return self._source

    def resolve(self, field: str) -> Secret:
        """Read env/file sources now; raise ValidationError naming the field and source."""
        if self._value is not None:
            return self
        if self._source == "env":
            value = os.environ.get(self._origin)
            if not value:
                raise ValidationError.one(field, f"environment variable {self._origin} is not set or empty")
            return Secret(value, source="env", origin=self._origin)
        if self._source == "file":
            from ..inputs import read_text

            text = read_text(self._origin, field, what="file")
            if self._passphrase is not None:
                text = _decrypt_private_key(text, self._passphrase.resolve(field).reveal(), field)
            if not text.strip():
                raise ValidationError.one(field, f"file {self._origin} is empty")
            return Secret(text, source="file", origin=self._origin)
        raise ValidationError.one(field, "no value was given")

    def reveal(self) -> str:
        """The plain value. Only the transport calls this."""
        if self._value is None:
            raise ValueError(f"secret {self.describe()} has not been resolved")
        return self._value

    def __repr__(self) -> str:
        return f"Secret({MASK})" if self._source in ("inline", "prompt") else f"Secret({self.describe()})"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return (self._value, self._source, self._origin) == (other._value, other._source, other._origin)

    def __hash__(self) -> int:
        return hash((self._source, self._origin))

    def __reduce__(self) -> Any:
        raise TypeError("secrets cannot be pickled")


def _decrypt_private_key(pem: str, passphrase: str, field: str) -> str:
    """Decrypt an encrypted PEM key locally: the current REST API has no passphrase field."""
    from cryptography.hazmat.primitives import serialization

    try:
        key = serialization.load_pem_private_key(pem.encode(), password=passphrase.encode())
    except (ValueError, TypeError):
        raise ValidationError.one(field, "the private key could not be decrypted with the given passphrase") from None
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    ).decode()
