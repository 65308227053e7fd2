"""The ARM transport: one ``requests`` session per workspace, auth, retries, errors, paging.

- Auth: a bearer token from ``JUPYTER_COMPUTE_ACCESS_TOKEN``, else ``DefaultAzureCredential``
  (imported on first use) for the cloud's scope; the local workspace takes the token in its state
  folder (``local/access.py``), whatever the environment says.
  A 401 refreshes the token once and resends; a second 401 is an :class:`AuthenticationError`.
- Retries: urllib3's ``Retry`` mounted on the session retries 429, 500, 502, 503, 504 and dropped
  connections with capped exponential backoff and jitter, and waits what ``Retry-After`` asks. The
  local workspace is on this machine: its failures do not heal in minutes, so it gets a few quick tries.
- Errors: the ARM envelope ``{"error": {code, message, target, details}}`` becomes a
  :class:`ServiceError` subclass, once, here.
- Paging: :meth:`ArmClient.list_all` follows ``nextLink`` (resolved against the page's URL).
- The token goes only to the ARM endpoint: every request's URL must have the endpoint's origin
  (scheme, host, port); a ``nextLink`` or status URL elsewhere is an :class:`UntrustedLink`,
  raised before anything is sent. The endpoint itself must be https, except on loopback addresses.
- Request ids: each logical request carries one ``x-ms-client-request-id`` (the same on urllib3's
  retries and on the resend after a 401); errors quote the service's ``x-ms-request-id``.
Secrets are revealed only in :meth:`ArmClient.send`, when the body is serialised.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .. import settings
from ..errors import (
    AuthenticationError,
    Conflict,
    ErrorDetail,
    NotFound,
    QuotaExceeded,
    ServiceError,
    TransportError,
    UntrustedLink,
    ValidationError,
)
from ..model.wire import ArmRequest, revealed
from ..service.ref import WorkspaceRef
from ..version import __version__

RETRY_STATUSES = (429, 500, 502, 503, 504)
USER_AGENT = f"jupyter-compute/{__version__}"


@dataclass
class Response:
    status: int
    headers: Mapping[str, str]
    body: Any
    url: str = ""
    client_request_id: str | None = None

    def header(self, name: str) -> str | None:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None

    @property
    def request_id(self) -> str | None:
        """The id to quote to Azure support: the service's request id, else its correlation id,
        else (a server that sends neither) the id we sent."""
        return self.header("x-ms-request-id") or self.header("x-ms-correlation-request-id") or self.client_request_id


class Origin(NamedTuple):
    scheme: str
    host: str
    port: int

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"


def origin_of(url: str) -> Origin:
    """Scheme, lower-case host and port (the scheme's default when absent) of an absolute URL."""
    split = urlsplit(url)
    scheme = split.scheme.lower()
    try:
        port = split.port
    except ValueError:  # e.g. a port out of range: no origin we could match
        port = -1
    default = {"https": 443, "http": 80}.get(scheme, -1)
    return Origin(scheme, (split.hostname or "").lower(), default if port is None else port)


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or ``localhost``: a plain-http endpoint there never leaves the machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def endpoint_origin(endpoint: str) -> Origin:
    """The origin requests may go to; refuses (before any request) an endpoint that would carry the
    token in clear text over the network, or that is no http(s) URL at all."""
    origin = origin_of(endpoint)
    problem = ""
    if origin.scheme not in ("https", "http") or not origin.host or origin.port < 0:
        problem = f"{endpoint!r} is not an https:// URL"
    elif origin.scheme == "http" and not is_loopback(origin.host):
        problem = (
            f"{endpoint} is plain http to {origin.host}, which is not a loopback address; the access token is "
            "sent only over https (http only to 127.0.0.1, ::1 or localhost). Use an https:// endpoint"
        )
    if problem:
        raise ValidationError.one("JUPYTER_COMPUTE_ARM_ENDPOINT", problem, "ARM endpoint")
    return origin


def retry_policy(total: int = 8) -> Retry:
    return Retry(
        total=total,
        connect=min(3, total),  # as azure-core: a refused connection or unknown host rarely heals in minutes
        read=total,
        status=total,
        other=2,
        backoff_factor=0.5,
        backoff_max=30,
        backoff_jitter=0.3,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "PUT", "DELETE", "PATCH", "POST", "HEAD"}),
        respect_retry_after_header=True,
        raise_on_status=False,
        raise_on_redirect=False,
    )


def local_retry_policy() -> Retry:
    """For the local workspace: enough for its injected faults (one in a few requests), but a store that
    cannot serve, or a dead server, fails within about two seconds instead of minutes."""
    policy = retry_policy(4)
    return policy.new(backoff_factor=0.1, backoff_max=1)


class TokenSource:
    """Bearer tokens: the local workspace's own token, env override, or azure-identity (lazily imported)."""

    def __init__(self, ref: WorkspaceRef) -> None:
        self._ref = ref
        self._lock = threading.Lock()
        self._credential: Any = None
        self._token: str | None = None
        self._expires = 0.0

    def token(self, refresh: bool = False) -> str:
        if self._ref.local:  # JUPYTER_COMPUTE_ACCESS_TOKEN is for Azure and test servers, never sent here
            return self._local(refresh)
        override = settings.current().access_token
        if override:
            return override
        with self._lock:
            if refresh or self._token is None or time.time() > self._expires - 300:
                if self._credential is None:
                    from azure.identity import DefaultAzureCredential

                    # azure-identity logs each credential it tried as a WARNING: with no logging configured,
                    # Python's last-resort handler dumps that list on stderr. We say it once, in one
                    # paragraph (below); a user who configures logging still gets azure's records.
                    logging.getLogger("azure.identity").addHandler(logging.NullHandler())
                    self._credential = DefaultAzureCredential(authority=self._ref.cloud.authority_host)
                try:
                    access = self._credential.get_token(self._ref.cloud.scope)
                except Exception as exc:  # azure-identity raises its own exception types
                    raise AuthenticationError(
                        f"could not get an Azure token for {self._ref.cloud.name}: sign in with `az login`, or "
                        "set JUPYTER_COMPUTE_ACCESS_TOKEN (" + str(exc).splitlines()[0][:200] + ")"
                    ) from None
                self._token, self._expires = access.token, float(access.expires_on)
            return self._token

    def _local(self, refresh: bool) -> str:
        """The token file of $JUPYTER_COMPUTE_HOME, read once (again after a 401: it may have been replaced)."""
        with self._lock:
            if refresh or self._token is None:
                from ..local.access import local_token
                from ..local.store import default_home

                self._token = local_token(default_home())
            return self._token


class ArmClient:
    """Sends ARM requests for one workspace; thread-safe (the poller shares it)."""

    def __init__(self, ref: WorkspaceRef, *, timeout: float = 60.0, retries: int = 8) -> None:
        self.ref = ref
        self.origin = endpoint_origin(ref.base_url())
        self.timeout = timeout
        self.tokens = TokenSource(ref)
        self.session = requests.Session()
        policy = local_retry_policy() if ref.local else retry_policy(retries)
        adapter = HTTPAdapter(max_retries=policy, pool_maxsize=16)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.requests_sent = 0
        self._count_lock = threading.Lock()
        self.on_request: Callable[[str, str], None] | None = None

    def check_link(self, url: str, what: str) -> str:
        """``url`` (a link the service gave, resolved against the endpoint) if it is on the ARM endpoint's
        origin; else :class:`UntrustedLink` naming the host: the token must not be sent there."""
        absolute = urljoin(str(self.origin) + "/", url)
        found = origin_of(absolute)
        if found != self.origin:
            raise UntrustedLink(
                "UntrustedLink",
                f"the service's {what} names another host, {found}, not the ARM endpoint {self.origin}; "
                "it was not followed, and the access token was not sent there",
                target=what,
            )
        return absolute

    def send(self, request: ArmRequest, *, link: str = "request URL") -> Response:
        """Send one logical request (urllib3 retries it); ``link`` names where its URL came from, for the
        error when that URL is not on the ARM endpoint."""
        url = self.check_link(request.url, link)
        data = json.dumps(revealed(request.body)) if request.body is not None else None
        client_request_id = str(uuid.uuid4())  # one per logical request: retries and the 401 resend share it
        for attempt in (0, 1):
            headers = {
                "Authorization": f"Bearer {self.tokens.token(refresh=attempt == 1)}",
                "x-ms-client-request-id": client_request_id,
                "User-Agent": USER_AGENT,
                "Accept": "application/json",
            }
            if data is not None:
                headers["Content-Type"] = "application/json"
            try:
                raw = self.session.request(request.method, url, data=data, headers=headers, timeout=self.timeout)
            except requests.exceptions.RequestException as exc:
                raise TransportError(
                    f"could not reach {self._where(url)}: {_reason(exc)} (client request id: {client_request_id})"
                ) from None
            finally:
                self._count(request)
            if raw.status_code == 401 and attempt == 0:
                continue
            break
        response = Response(raw.status_code, dict(raw.headers), _json_or_none(raw), url, client_request_id)
        if raw.status_code == 401:  # refused again with a fresh token: the sign-in itself is stale or wrong
            refused = error_from_response(response)
            raise AuthenticationError(
                f"the service refused the access token ({refused.code}: {refused.message}); sign in again "
                "with `az login`, or set JUPYTER_COMPUTE_ACCESS_TOKEN to a valid token "
                f"(request id: {response.request_id})"
            )
        if raw.status_code >= 400:
            raise error_from_response(response)
        return response

    def _count(self, request: ArmRequest) -> None:
        with self._count_lock:
            self.requests_sent += 1
        if self.on_request is not None:
            self.on_request(request.method, request.url)

    def _where(self, url: str) -> str:
        return url.split("/subscriptions/")[0] or url

    def get(self, url: str, *, link: str = "request URL") -> Response:
        return self.send(ArmRequest("GET", url), link=link)

    def list_all(self, url: str, item_key: str = "value", method: str = "GET") -> Iterator[dict[str, Any]]:
        """Every item of a pageable list, following nextLink (only on the ARM endpoint's origin)."""
        next_url: str | None = url
        seen: set[str] = set()
        link = "request URL"
        while next_url:
            if next_url in seen:
                raise TransportError(f"the service returned the same nextLink twice: {next_url}")
            seen.add(next_url)
            response = self.send(ArmRequest(method, next_url), link=link)
            body = response.body or {}
            yield from body.get(item_key) or []
            following = body.get("nextLink") or None
            next_url = urljoin(response.url, str(following)) if following else None
            link = "nextLink"

    def close(self) -> None:
        self.session.close()


def _json_or_none(raw: requests.Response) -> Any:
    if not raw.content:
        return None
    try:
        return raw.json()
    except ValueError:
        return {"_text": raw.text[:2000]}


def _reason(exc: Exception) -> str:
    text = str(exc)
    if "Max retries exceeded" in text:
        return "connection failed after retries"
    return text.split(":")[-1].strip() or type(exc).__name__


def error_from_response(response: Response) -> ServiceError:
    body = response.body if isinstance(response.body, Mapping) else {}
    error = body.get("error") if isinstance(body.get("error"), Mapping) else None
    if error is None and "code" in body:
        error = body
    if error is not None and isinstance(error.get("error"), Mapping):
        error = error["error"]  # pre-2019 AML nested the error twice
    rid = response.request_id
    if error is None:
        text = body.get("_text") if body else ""
        return _classify(
            response.status, f"HTTP{response.status}", text or f"HTTP status {response.status}", None, (), rid
        )
    detail = ErrorDetail.from_json(error)
    return _classify(response.status, detail.code, detail.message, detail.target, detail.details, rid)


def _classify(
    status: int | None,
    code: str,
    message: str,
    target: str | None,
    details: tuple[ErrorDetail, ...],
    request_id: str | None = None,
) -> ServiceError:
    kind: type[ServiceError] = ServiceError
    if status == 404 or code in ("NotFound", "ResourceNotFound"):
        kind = NotFound
    elif status == 409 or code == "Conflict":
        kind = Conflict
    elif "quota" in code.lower() or "quota" in message.lower():
        kind = QuotaExceeded
    return kind(code, message, status=status, target=target, details=details, request_id=request_id)


def service_error(
    error: Mapping[str, Any] | None, default_code: str = "OperationFailed", request_id: str | None = None
) -> ServiceError:
    """A ServiceError from an async-operation or provisioningErrors error object; ``request_id`` is that of
    the response that reported it."""
    if not error:
        return ServiceError(default_code, "the operation failed without an error message", request_id=request_id)
    if isinstance(error.get("error"), Mapping):
        error = error["error"]
    detail = ErrorDetail.from_json(error)
    code = detail.code if detail.code not in ("", "OK", "Unknown") else default_code
    return _classify(None, code, detail.message, detail.target, detail.details, request_id)
