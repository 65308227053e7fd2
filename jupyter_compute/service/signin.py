"""Signing in from a notebook or a terminal: azure-identity's device code flow, on a thread of its own.

    sign_in = SignIn(tenant=None, cloud_name=None)
    sign_in.start(on_change=lambda s: ...)   # s.prompt: the link and code to show; s.user once signed in
    sign_in.wait()

The link and code come from the sign-in service through ``prompt_callback``; the user signs in with them
in any browser, on any machine, while the kernel stays free. On success the :class:`AuthenticationRecord`
(who signed in where, no token) is saved 0600 in a 0700 folder under the settings' home, and
azure-identity keeps the tokens in its persistent cache: every later kernel, restart and CLI run uses
that sign-in (``transport.auth``: after the settings' token, before ``DefaultAzureCredential``).
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from ..errors import AuthenticationError, ComputeError
from ..transport import auth
from ..transport.clouds import Cloud, cloud

State = Literal["starting", "waiting", "signed-in", "failed"]


@dataclass(frozen=True)
class Prompt:
    """What the user needs to sign in: the page to open and the code to type there."""

    verification_uri: str
    user_code: str
    expires_on: datetime | None = None


@dataclass(frozen=True)
class Who:
    """Who is signed in, from the saved record (no token)."""

    user: str
    tenant: str
    cloud: str


class SignIn:
    """One device-code sign-in. ``state`` moves starting → waiting (``prompt`` set) → signed-in (``who`` set)
    or failed (``error`` set); ``on_change`` is called on the sign-in's thread at each step."""

    def __init__(self, tenant: str | None = None, cloud_name: str | None = None) -> None:
        self.cloud: Cloud = cloud(cloud_name)
        self.tenant = tenant
        self.state: State = "starting"
        self.prompt: Prompt | None = None
        self.who: Who | None = None
        self.error: ComputeError | None = None
        self._done = threading.Event()
        self._on_change: Callable[[SignIn], None] | None = None

    def start(self, on_change: Callable[[SignIn], None] | None = None) -> SignIn:
        """Run the sign-in on its own thread (under the caller's context: what it shows stays in its cell)."""
        self._on_change = on_change
        ctx = contextvars.copy_context()
        threading.Thread(target=ctx.run, args=(self._run,), name="jupyter-compute-login", daemon=True).start()
        return self

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    def done(self) -> bool:
        return self._done.is_set()

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change(self)

    def _prompted(self, verification_uri: str, user_code: str, expires_on: Any) -> None:
        self.prompt = Prompt(verification_uri, user_code, expires_on if isinstance(expires_on, datetime) else None)
        self.state = "waiting"
        self._changed()

    def _run(self) -> None:
        try:
            credential = auth.device_code_credential(self.cloud, tenant=self.tenant, prompt=self._prompted)
            record = credential.authenticate(scopes=[self.cloud.scope])
            auth.save_record(self.cloud, record)
            self.who = Who(record.username, record.tenant_id, self.cloud.name)
            self.state = "signed-in"
        except Exception as exc:  # azure-identity's and MSAL's own types; one sentence, never a traceback
            reason = (str(exc).splitlines() or [type(exc).__name__])[0][:300]
            self.error = AuthenticationError(f"the sign-in to {self.cloud.name} did not complete: {reason}")
            self.state = "failed"
        finally:
            self._done.set()
            self._changed()

    def __repr__(self) -> str:
        if self.who is not None:
            return f"<SignIn: signed in as {self.who.user} (tenant {self.who.tenant})>"
        return f"<SignIn to {self.cloud.name}: {self.state}>"


def signed_in(cloud_name: str | None = None) -> Who | None:
    """Who the saved sign-in of the cloud is, if there is one."""
    chosen = cloud(cloud_name)
    record = auth.saved_record(chosen)
    return Who(record.username, record.tenant_id, chosen.name) if record is not None else None


def sign_out(cloud_name: str | None = None) -> Who | None:
    """Forget the saved sign-in of the cloud (and our unencrypted token cache file, if that is where it
    is); who it was, or None if there was none."""
    chosen = cloud(cloud_name)
    who = signed_in(cloud_name)
    auth.forget(chosen)
    for path in auth.plain_cache_files():
        path.unlink(missing_ok=True)
    return who
