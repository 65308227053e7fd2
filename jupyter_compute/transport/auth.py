"""Bearer tokens for the ARM client: where each workspace's token comes from, and when it is asked again.

A :class:`TokenSource` answers ``token(refresh=False)``; the client asks with ``refresh=True`` once,
after the service refused a token with 401, and a source then gets a new token instead of its cached one.

- :class:`AzureTokens`: in this order, ``JUPYTER_COMPUTE_ACCESS_TOKEN`` (the settings' ``access_token``)
  when set; the user's saved sign-in (``login``: azure-identity's ``DeviceCodeCredential`` over its
  persistent token cache, with the saved :class:`AuthenticationRecord`, never asking the user again);
  then azure-identity's ``DefaultAzureCredential`` (imported on first use). Tokens are for the cloud's
  scope, kept until five minutes before they expire.
- :class:`LocalTokens`: the local workspace's own token, in its state folder; whatever the environment
  says (an access token meant for Azure or a test server is never sent to the local workspace).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .. import settings
from ..errors import AuthenticationError
from .clouds import Cloud

if TYPE_CHECKING:
    from azure.identity import AuthenticationRecord, DeviceCodeCredential

# A token is renewed this long before azure-identity says it expires (as azure-core's BearerTokenCredentialPolicy).
EARLY_RENEWAL = 300.0
CACHE_NAME = "jupyter-compute"  # azure-identity's persistent token cache of our sign-ins (ours alone)
SIGN_IN_FOLDER = "sign-in"  # under the settings' home: one AuthenticationRecord per cloud, 0600 in 0700
SIGN_IN_HINT = "sign in with `%compute login` (`jupyter compute login` in a terminal)"


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
        self._default: Credential | None = None
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
                access = self._first_token()
                self._token, self._expires = access.token, float(access.expires_on)
            return self._token

    def _first_token(self) -> Any:
        """The first credential's token, in the documented order; one paragraph when none gives one."""
        reasons = []
        for name, credential in self._credentials():
            try:
                return credential.get_token(self.cloud.scope)
            except Exception as exc:  # azure-identity raises its own exception types
                reasons.append(f"{name}: " + (str(exc).splitlines() or [""])[0][:200])
        raise AuthenticationError(
            f"could not get an Azure token for {self.cloud.name}: {SIGN_IN_HINT}, or set "
            "JUPYTER_COMPUTE_ACCESS_TOKEN (" + "; ".join(reasons) + ")"
        ) from None

    def _credentials(self) -> list[tuple[str, Credential]]:
        if self._credential is not None:
            return [("credential", self._credential)]
        found: list[tuple[str, Credential]] = []
        record = saved_record(self.cloud)
        if record is not None:
            found.append(("saved sign-in", saved_credential(self.cloud, record)))
        found.append(("DefaultAzureCredential", self._get_credential()))
        return found

    def _get_credential(self) -> Credential:
        if self._default is None:
            from azure.identity import DefaultAzureCredential

            # azure-identity logs each credential it tried as a WARNING: with no logging configured,
            # Python's last-resort handler dumps that list on stderr. We say it once, in one
            # paragraph (AuthenticationError); a user who configures logging still gets azure's records.
            logging.getLogger("azure.identity").addHandler(logging.NullHandler())
            self._default = DefaultAzureCredential(authority=self.cloud.authority_host)
        return self._default


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


# --- the saved sign-in (``login``) -----------------------------------------------------------


def authority(cloud: Cloud) -> tuple[str, bool]:
    """The sign-in authority for ``cloud`` (``AZURE_AUTHORITY_HOST`` wins, as in azure-identity) and whether
    instance discovery is off: it is for an authority that is not a Microsoft cloud's (a stand-in)."""
    from .clouds import CLOUDS

    chosen = settings.current().authority_host or cloud.authority_host
    host = chosen.split("://", 1)[-1].split("/", 1)[0].lower()
    return chosen, host not in {c.authority_host for c in CLOUDS.values()}


def cache_options() -> Any:
    """azure-identity's persistent cache, ours by name; where no keyring can encrypt it (Linux without
    libsecret) a file only the user can read, as az CLI keeps its tokens."""
    from azure.identity import TokenCachePersistenceOptions

    return TokenCachePersistenceOptions(name=CACHE_NAME, allow_unencrypted_storage=True)


def device_code_credential(
    cloud: Cloud,
    *,
    tenant: str | None = None,
    prompt: Callable[[str, str, Any], None] | None = None,
    record: AuthenticationRecord | None = None,
) -> DeviceCodeCredential:
    """azure-identity's device code credential for ``cloud``, over our persistent cache. With a ``record`` it
    never asks the user (it raises instead, and ``login`` is needed again)."""
    from azure.identity import DeviceCodeCredential

    logging.getLogger("azure.identity").addHandler(logging.NullHandler())
    where, private = authority(cloud)
    options: dict[str, Any] = {
        "authority": where,
        "cache_persistence_options": cache_options(),
        "disable_instance_discovery": private,
    }
    if record is not None:  # the record names its authority, tenant and client: azure-identity takes them from it
        options.update(authentication_record=record, disable_automatic_authentication=True)
        del options["authority"]
    if tenant:
        options["tenant_id"] = tenant
    if prompt is not None:
        options["prompt_callback"] = prompt
    return DeviceCodeCredential(**options)


def saved_credential(cloud: Cloud, record: AuthenticationRecord) -> DeviceCodeCredential:
    return device_code_credential(cloud, record=record)


def record_path(cloud: Cloud) -> Path:
    """The file of ``cloud``'s saved sign-in: who signed in where (no token; the tokens are in azure-identity's
    cache)."""
    return settings.current().home / SIGN_IN_FOLDER / f"{cloud.name}.json"


def saved_record(cloud: Cloud) -> AuthenticationRecord | None:
    """The saved sign-in of ``cloud``, or None (none saved, or a file that is not one)."""
    path = record_path(cloud)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    from azure.identity import AuthenticationRecord

    try:
        return AuthenticationRecord.deserialize(text)
    except (ValueError, KeyError, TypeError):
        return None


def save_record(cloud: Cloud, record: AuthenticationRecord) -> Path:
    """Write the record 0600 in a 0700 folder (replaced whole: another process never reads half of it)."""
    path = record_path(cloud)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    text = record.serialize()  # username, authority, homeAccountId, tenantId, clientId: no token
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(temporary, path)
    return path


def forget(cloud: Cloud) -> bool:
    """Forget ``cloud``'s saved sign-in; True if there was one. azure-identity's cache keeps the account's
    tokens until they expire; with no record they are never used (``logout`` also removes the cache file
    where it is a plain file)."""
    path = record_path(cloud)
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def plain_cache_files() -> list[Path]:
    """The files of our persistent cache where it is kept unencrypted (``~/.IdentityService/jupyter-compute*``)."""
    folder = Path(os.path.expanduser(os.path.join("~", ".IdentityService")))
    return sorted(folder.glob(CACHE_NAME + "*")) if folder.is_dir() else []
