"""Bearer tokens for the ARM client: where each workspace's token comes from, and when it is asked again.

A :class:`TokenSource` answers ``token(refresh=False)``; the client asks with ``refresh=True`` once,
after the service refused a token with 401, and a source then gets a new token instead of its cached one.

- :class:`AzureTokens`: ``JUPYTER_COMPUTE_ACCESS_TOKEN`` (the settings' ``access_token``) when set,
  else azure-identity's ``DefaultAzureCredential`` (imported on first use) for the cloud's scope, kept
  until five minutes before it expires.
- :class:`LocalTokens`: the local workspace's own token, in its state folder; whatever the environment
  says (an access token meant for Azure or a test server is never sent to the local workspace).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from .. import settings
from ..errors import AuthenticationError
from .clouds import Cloud

# A token is renewed this long before azure-identity says it expires (as azure-core's BearerTokenCredentialPolicy).
EARLY_RENEWAL = 300.0


class TokenSource(Protocol):
    def token(self, refresh: bool = False) -> str:
        """A bearer token; ``refresh``: the last one was refused, get another."""
        ...


class Credential(Protocol):
    """What azure-identity's credentials offer (``get_token(scope)`` → ``.token``, ``.expires_on``)."""

    def get_token(self, *scopes: str) -> Any: ...


class AzureTokens:
    """Tokens for an Azure workspace in ``cloud``: the settings' access token, else azure-identity's.

    ``credential``: an azure-identity credential to use instead of ``DefaultAzureCredential`` (made on the
    first token asked for); ``clock``: seconds since the epoch, as ``expires_on`` counts them."""

    def __init__(self, cloud: Cloud, *, credential: Credential | None = None, clock: Callable[[], float] = time.time):
        self.cloud = cloud
        self._credential = credential
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires = 0.0

    def token(self, refresh: bool = False) -> str:
        override = settings.current().access_token
        if override:
            return override
        with self._lock:
            if refresh or self._token is None or self._clock() > self._expires - EARLY_RENEWAL:
                try:
                    access = self._get_credential().get_token(self.cloud.scope)
                except Exception as exc:  # azure-identity raises its own exception types
                    raise AuthenticationError(
                        f"could not get an Azure token for {self.cloud.name}: sign in with `az login`, or "
                        "set JUPYTER_COMPUTE_ACCESS_TOKEN (" + (str(exc).splitlines() or [""])[0][:200] + ")"
                    ) from None
                self._token, self._expires = access.token, float(access.expires_on)
            return self._token

    def _get_credential(self) -> Credential:
        if self._credential is None:
            from azure.identity import DefaultAzureCredential

            # azure-identity logs each credential it tried as a WARNING: with no logging configured,
            # Python's last-resort handler dumps that list on stderr. We say it once, in one
            # paragraph (AuthenticationError); a user who configures logging still gets azure's records.
            logging.getLogger("azure.identity").addHandler(logging.NullHandler())
            self._credential = DefaultAzureCredential(authority=self.cloud.authority_host)
        return self._credential


class LocalTokens:
    """The token file of the local workspace's state folder, read once (and again after a 401: the
    folder's token may have been replaced since)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._token: str | None = None

    def token(self, refresh: bool = False) -> str:
        with self._lock:
            if refresh or self._token is None:
                # For weight: the local workspace's modules (SQLite) load only for the local workspace.
                from ..local.access import local_token
                from ..local.store import default_home

                self._token = local_token(default_home())
            return self._token


def token_source(cloud: Cloud, *, local: bool) -> TokenSource:
    """The tokens a workspace's requests carry: the local workspace's own, else Azure's for ``cloud``."""
    return LocalTokens() if local else AzureTokens(cloud)
