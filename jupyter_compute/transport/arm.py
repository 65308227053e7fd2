"""The ARM transport: one ``requests`` session per workspace endpoint, auth, retries, errors, paging.

- Inputs are plain values: the endpoint (requests go to its origin only), a token source
  (``auth.py``), a retry policy (urllib3's ``Retry``) and how to wait (``sleep``: tests pass a fake).
  :func:`connect` builds the client of a workspace from its endpoint, cloud and whether it is the local
  workspace; it is the one place that starts the local workspace's server.
- URLs are absolute, or relative to the endpoint (the local workspace's: only the transport knows where
  its server listens).
- Auth: a 401 asks the token source for a fresh token and resends once; a second 401 is an
  :class:`AuthenticationError`.
- Retries: driven here, above the HTTP adapter, by urllib3's ``Retry``: 429, 500, 502, 503, 504 and
  dropped connections, with capped exponential backoff and jitter, waiting what ``Retry-After`` asks.
  The local workspace is on this machine: its failures do not heal in minutes, so it gets a few quick tries.
- Errors: the ARM envelope ``{"error": {code, message, target, details}}`` becomes a
  :class:`ServiceError` subclass, once, here.
- Answers: each body is read once (:mod:`.decode`: at most :data:`MOST_BYTES`, JSON, at most
  ``MOST_DEPTH`` deep) and, when the caller names the spec's shape it expects (``expect``), checked against
  it (types only: :func:`~jupyter_compute.model.schema.answer_problems`). An answer that fails either is
  one :class:`UnexpectedAnswer` naming the request and its request id, never a Python exception later.
- Secrets: every secret value a request of this client carried is masked (``***``) in every answer it
  reads afterwards, the error messages included: a service that quotes the body quotes no password.
- Redirects: followed only on the endpoint's origin, at most :data:`MOST_REDIRECTS` in a row; one to
  another origin is an :class:`UntrustedLink`, and nothing (body, token) is sent there.
- Paging: :meth:`ArmClient.list_all` follows ``nextLink`` (resolved against the page's URL).
- The token goes only to the ARM endpoint: every request's URL must have the endpoint's origin
  (scheme, host, port); a ``nextLink`` or status URL elsewhere is an :class:`UntrustedLink`,
  raised before anything is sent. The endpoint itself must be https, except on loopback addresses.
- Rate limits: every answer's ``x-ms-ratelimit-remaining-*`` headers (and a 429's ``Retry-After``) go to
  :attr:`ArmClient.rates` (:mod:`.ratelimit`), which the poller asks how much slower to go.
- Request ids: each logical request carries one ``x-ms-client-request-id`` (the same on its retries
  and on the resend after a 401); errors quote the service's ``x-ms-request-id``.
Secrets are revealed only in :meth:`ArmClient.send`, when the body is serialised.
"""

from __future__ import annotations

import ipaddress
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import InvalidHeader, MaxRetryError, ProtocolError
from urllib3.response import HTTPResponse
from urllib3.util.retry import Retry

from ..errors import (
    AuthenticationError,
    Conflict,
    ErrorDetail,
    NotFound,
    QuotaExceeded,
    ServiceError,
    TransportError,
    UnexpectedAnswer,
    UntrustedLink,
    ValidationError,
)
from ..model.schema import Shape
from ..model.wire import ArmRequest, hidden, revealed, secret_values
from ..version import __version__
from . import decode
from .auth import TokenSource, token_source
from .clouds import Cloud
from .ratelimit import RateLimits

RETRY_STATUSES = (429, 500, 502, 503, 504)
USER_AGENT = f"jupyter-compute/{__version__}"
# Failures a new try may cure: the connection failed, dropped or timed out (requests' wrappers of urllib3's).
RETRYABLE = (requests.exceptions.ConnectionError, requests.exceptions.Timeout, requests.exceptions.ChunkedEncodingError)
MOST_BYTES = 64 * 1024 * 1024  # a list page of 100 computes is about 300 KB
MOST_REDIRECTS = 3  # same-origin only; ARM itself sends none
REDIRECTS = frozenset({301, 302, 303, 307, 308})
Content = bytes | decode.Unreadable  # an answer's body, or why it was not read whole


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


class ArmClient:
    """Sends ARM requests to one endpoint; thread-safe (the poller shares it).

    ``retry``: the policy of each logical request (default :func:`retry_policy`); ``sleep``: how the
    client waits between tries (``time.sleep``; a test passes a recorder)."""

    def __init__(
        self,
        endpoint: str,
        tokens: TokenSource,
        *,
        retry: Retry | None = None,
        timeout: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.origin = endpoint_origin(endpoint)
        self.tokens = tokens
        self.retry = retry if retry is not None else retry_policy()
        self.timeout = timeout
        self.sleep = sleep
        self.session = requests.Session()
        adapter = HTTPAdapter(max_retries=0, pool_maxsize=16)  # one try per call: send() retries, over any adapter
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.requests_sent = 0
        self._count_lock = threading.Lock()
        self.on_request: Callable[[str, str], None] | None = None
        self.rates = RateLimits()  # what the service says is left of the subscription's budgets
        self._sent_secrets: frozenset[str] = frozenset()  # masked in every answer read from now on

    def check_link(self, url: str, what: str) -> str:
        """``url`` (a link the service gave, or a path, resolved against the endpoint) if it is on the ARM
        endpoint's origin; else :class:`UntrustedLink` naming the host: the token must not be sent there."""
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

    def send(self, request: ArmRequest, *, link: str = "request URL", expect: Shape | None = None) -> Response:
        """Send one logical request (retried by :attr:`retry`); ``link`` names where its URL came from, for
        the error when that URL is not on the ARM endpoint; ``expect`` is the shape a successful answer must have
        (the spec's ``ComputeResource``, …), else it is an :class:`UnexpectedAnswer`."""
        url = self.check_link(request.url, link)
        data = json.dumps(revealed(request.body)) if request.body is not None else None
        self._remember(secret_values(request.body))
        client_request_id = str(uuid.uuid4())  # one per logical request: retries and the 401 resend share it
        raw, content, url, method = self._exchange(request.method, url, data, client_request_id)
        response = Response(raw.status_code, dict(raw.headers), None, url, client_request_id)
        response.body = self._body(content, method, response, expect)
        if raw.status_code == 401:  # refused again with a fresh token: the sign-in itself is stale or wrong
            refused = error_from_response(response)
            raise AuthenticationError(
                f"the service refused the access token ({refused.code}: {refused.message}); sign in again "
                "with `%compute login` (`jupyter compute login` in a terminal), or set "
                f"JUPYTER_COMPUTE_ACCESS_TOKEN to a valid token (request id: {response.request_id})"
            )
        if raw.status_code >= 400:
            raise error_from_response(response)
        return response

    def _exchange(
        self, method: str, url: str, data: str | None, client_request_id: str
    ) -> tuple[requests.Response, Content, str, str]:
        """The final answer to ``method url`` and its content, the URL and method that got it: a 401 resent
        once with a fresh token, redirects followed on the endpoint's origin only (a 303, or a 301/302 of a
        POST, becomes a GET without the body, as browsers and requests do)."""
        for _hop in range(MOST_REDIRECTS + 1):
            raw, content = self._with_retries(method, url, data, client_request_id, refresh=False)
            if raw.status_code == 401:  # the token expired or was replaced: once more with a fresh one
                raw, content = self._with_retries(method, url, data, client_request_id, refresh=True)
            location = raw.headers.get("Location")
            if raw.status_code not in REDIRECTS or not location:
                return raw, content, url, method
            url = self.check_link(urljoin(url, location), f"redirect (HTTP {raw.status_code})")
            if raw.status_code == 303 or (raw.status_code in (301, 302) and method == "POST"):
                method, data = "GET", None
        raise TransportError(
            f"{self._where(url)} redirected more than {MOST_REDIRECTS} times in a row; not followed further "
            f"(client request id: {client_request_id})"
        )

    def _body(self, content: Content, method: str, response: Response, expect: Shape | None) -> Any:
        """The answer's JSON with the secrets this client sent masked; a success's is of the ``expect``ed shape.
        An error's body that cannot be read becomes its text (an HTML gateway page) or why it was refused."""
        status = response.status
        try:
            if isinstance(content, decode.Unreadable):
                raise content
            body = decode.decode(content)
        except decode.Unreadable as exc:
            if status < 400:
                raise UnexpectedAnswer(
                    method, response.url, str(exc), status=status, request_id=response.request_id
                ) from None
            text = content.decode("utf-8", "replace").strip() if isinstance(content, bytes) else ""
            body = {"_text": text[:2000] if isinstance(exc, decode.NotJson) and text else f"an answer that {exc}"}
        body = hidden(body, self._sent_secrets)
        if expect is not None and status < 300 and status != 204:
            problems = expect.problems(body)
            if problems:
                more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
                first = problems[0] if len(problems[0]) <= 200 else problems[0][:199] + "…"  # a key may be long
                raise UnexpectedAnswer(
                    method, response.url, first + more, status=status, request_id=response.request_id
                )
        return body

    def _remember(self, secrets: frozenset[str]) -> None:
        if secrets - self._sent_secrets:
            with self._count_lock:
                self._sent_secrets = self._sent_secrets | secrets

    def _with_retries(
        self, method: str, url: str, data: str | None, client_request_id: str, *, refresh: bool
    ) -> tuple[requests.Response, Content]:
        """The response of the last try (a success, a status not worth retrying, or the last one the
        policy allows) and its content; :class:`TransportError` when the last try got no whole answer."""
        token = self.tokens.token(refresh=refresh)
        self._remember(frozenset({token}) if len(token) >= 8 else frozenset())
        headers = {
            "Authorization": f"Bearer {token}",
            "x-ms-client-request-id": client_request_id,
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
        }
        if data is not None:
            headers["Content-Type"] = "application/json"
        retry, tries = self.retry, 0
        while True:
            tries += 1
            try:
                raw = self.session.request(
                    method, url, data=data, headers=headers, timeout=self.timeout, stream=True, allow_redirects=False
                )
                self.rates.observe(method, raw.status_code, raw.headers)
                following = None
                if retry.is_retry(method, raw.status_code, bool(raw.headers.get("Retry-After"))):
                    view = HTTPResponse(headers=dict(raw.headers), status=raw.status_code, preload_content=False)
                    following = _after(retry, method, url, response=view)
                if following is None:
                    return raw, _content(raw)  # an answer that breaks off is retried as a dropped connection
                raw.close()  # its body is not read: the connection goes back to the pool only once closed
                retry, wait = following, _retry_after(following, raw) or following.get_backoff_time()
            except RETRYABLE as exc:
                cause = _cause(exc)
                following = _after(retry, method, url, error=cause)
                if following is None:
                    raise TransportError(
                        f"could not reach {self._where(url)}: {_reason(cause)}, after {_tries(tries)} "
                        f"(client request id: {client_request_id})"
                    ) from None
                retry, wait = following, following.get_backoff_time()
            except requests.exceptions.RequestException as exc:
                raise TransportError(
                    f"could not reach {self._where(url)}: {_reason(_cause(exc))} "
                    f"(client request id: {client_request_id})"
                ) from None
            finally:
                self._count(method, url)
            if wait > 0:
                self.sleep(wait)

    def _count(self, method: str, url: str) -> None:
        with self._count_lock:
            self.requests_sent += 1
        if self.on_request is not None:
            self.on_request(method, url)

    def _where(self, url: str) -> str:
        return url.split("/subscriptions/")[0] or url

    def get(self, url: str, *, link: str = "request URL", expect: Shape | None = None) -> Response:
        return self.send(ArmRequest("GET", url), link=link, expect=expect)

    def list_all(
        self, url: str, item_key: str = "value", method: str = "GET", *, expect: Shape | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every item of a pageable list, following nextLink (only on the ARM endpoint's origin); each page of
        the ``expect``ed shape (the spec's ``PaginatedComputeResourcesList``, …), else an :class:`UnexpectedAnswer`."""
        next_url: str | None = url
        seen: set[str] = set()
        link = "request URL"
        while next_url:
            if next_url in seen:
                raise TransportError(f"the service returned the same nextLink twice: {next_url}")
            seen.add(next_url)
            response = self.send(ArmRequest(method, next_url), link=link, expect=expect)
            body = response.body if isinstance(response.body, Mapping) else {}
            yield from body.get(item_key) or []
            following = body.get("nextLink") or None
            next_url = urljoin(response.url, str(following)) if following else None
            link = "nextLink"

    def close(self) -> None:
        self.session.close()


def connect(endpoint: str, cloud: Cloud, *, local: bool, timeout: float = 60.0, retries: int = 8) -> ArmClient:
    """The client of a workspace: at ``endpoint`` (empty: the local workspace's server, started here if
    need be, or else the cloud's ARM endpoint), with the workspace's tokens and retry policy."""
    if not endpoint:
        if local:
            from ..local import server  # for weight: the local workspace's server loads only when used

            endpoint = server.ensure_running()
        else:
            endpoint = cloud.arm_endpoint
    policy = local_retry_policy() if local else retry_policy(retries)
    return ArmClient(endpoint, token_source(cloud, local=local), retry=policy, timeout=timeout)


def _content(raw: requests.Response) -> Content:
    """The whole body (the connection goes back to the pool), or why it is refused (larger than MOST_BYTES)."""
    with raw:
        try:
            return decode.read(raw, MOST_BYTES)
        except decode.Unreadable as exc:
            return exc


def _after(
    retry: Retry, method: str, url: str, *, error: Exception | None = None, response: HTTPResponse | None = None
) -> Retry | None:
    """The policy for the next try after this failed one, or ``None`` when the policy allows no more."""
    try:
        return retry.increment(method, url, response=response, error=error)
    except MaxRetryError:
        return None
    except Exception as exc:
        if error is not None and exc is error:  # urllib3 re-raises an error its policy does not retry
            return None
        raise


def _retry_after(retry: Retry, raw: requests.Response) -> float:
    """The seconds ``Retry-After`` asks for (0 when absent, unreadable or not honoured)."""
    value = raw.headers.get("Retry-After")
    if not value or not retry.respect_retry_after_header:
        return 0.0
    try:
        return float(retry.parse_retry_after(value))
    except InvalidHeader:
        return 0.0


def _cause(exc: requests.exceptions.RequestException) -> Exception:
    """The urllib3 error inside requests' wrapper (what urllib3's policy classifies)."""
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
    if isinstance(inner, MaxRetryError) and inner.reason is not None:
        return inner.reason
    return inner


def _tries(count: int) -> str:
    return "1 try" if count == 1 else f"{count} tries"


def _reason(cause: BaseException) -> str:
    """The last clause of a connection error, e.g. ``[Errno 111] Connection refused``."""
    if isinstance(cause, ProtocolError) and len(cause.args) > 1:  # ('Connection aborted.', ConnectionResetError(...))
        cause = cause.args[1] if isinstance(cause.args[1], BaseException) else cause
    text = str(cause)
    return text.split(": ")[-1].strip() or type(cause).__name__


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
