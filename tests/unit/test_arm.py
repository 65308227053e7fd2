"""The ARM client at its transport seam, with no server: a scripted ``requests`` adapter answers, a fake
token source hands out tokens and the client's waits are recorded instead of slept.

Retries (429 with Retry-After, 503, dropped and refused connections), the 401 refresh, paging (nextLink,
and a nextLink off the endpoint refused), each ARM error envelope mapped to its error class, the token
sources, and the rule that only the transport reaches the local workspace's server."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.client import RemoteDisconnected
from pathlib import Path
from typing import Any

import pytest
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError

from jupyter_compute import settings
from jupyter_compute.errors import (
    AuthenticationError,
    ComputeError,
    Conflict,
    NotFound,
    QuotaExceeded,
    ServiceError,
    TransportError,
    UntrustedLink,
    ValidationError,
)
from jupyter_compute.local.access import TOKEN_FILE
from jupyter_compute.model.secrets import Secret
from jupyter_compute.model.wire import ArmRequest
from jupyter_compute.service.ref import WorkspaceRef
from jupyter_compute.transport.arm import ArmClient, connect, local_retry_policy, retry_policy, service_error
from jupyter_compute.transport.auth import AzureTokens, LocalTokens, token_source
from jupyter_compute.transport.clouds import cloud

ENDPOINT = "https://arm.example"
COMPUTES = "/subscriptions/s/resourceGroups/g/providers/Microsoft.MachineLearningServices/workspaces/w/computes"
URL = f"{ENDPOINT}{COMPUTES}/cpu?api-version=1"


@dataclass
class Answer:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    text: str | None = None  # a body that is not JSON


Script = Answer | Exception | Callable[[requests.PreparedRequest], Answer]


class ScriptedAdapter(BaseAdapter):
    """A requests transport: answers each request with the next scripted answer (the last repeats),
    raising it if it is an exception, and records what was sent."""

    def __init__(self, *script: Script) -> None:
        super().__init__()
        self.script = list(script)
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        self.sent.append(request)
        step = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(step, Exception):
            raise step
        answer = step if isinstance(step, Answer) else step(request)
        response = requests.Response()
        response.status_code = answer.status
        response.headers = CaseInsensitiveDict({"x-ms-request-id": f"rid-{len(self.sent)}", **answer.headers})
        text = answer.text if answer.text is not None else json.dumps(answer.body) if answer.body is not None else ""
        response._content = text.encode()
        response._content_consumed = True  # all in memory: no socket to read or close
        response.encoding = "utf-8"
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        pass

    def header(self, name: str) -> list[str | None]:
        return [sent.headers.get(name) for sent in self.sent]


class Tokens:
    """A token source that hands out ``tokens`` in turn and records each ask's ``refresh``."""

    def __init__(self, *tokens: str) -> None:
        self.tokens = list(tokens or ["token-1"])
        self.asked: list[bool] = []

    def token(self, refresh: bool = False) -> str:
        self.asked.append(refresh)
        return self.tokens[min(len(self.asked), len(self.tokens)) - 1]


@dataclass
class Rig:
    client: ArmClient
    adapter: ScriptedAdapter
    tokens: Tokens
    waits: list[float]


def rig(*script: Script, retry: Any = None, tokens: Tokens | None = None, endpoint: str = ENDPOINT) -> Rig:
    waits: list[float] = []
    source = tokens or Tokens()
    client = ArmClient(endpoint, source, retry=retry, sleep=waits.append)
    adapter = ScriptedAdapter(*script)
    client.session.mount("https://", adapter)
    client.session.mount("http://", adapter)
    return Rig(client, adapter, source, waits)


def error(code: str, message: str = "it failed", **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def dropped() -> requests.exceptions.ConnectionError:
    """What requests raises when the server closes the connection without an answer."""
    cause = ProtocolError("Connection aborted.", RemoteDisconnected("Remote end closed connection without response"))
    return requests.exceptions.ConnectionError(cause)


def refused() -> requests.exceptions.ConnectionError:
    """What requests raises when nothing listens on the port."""
    reason = NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused")
    return requests.exceptions.ConnectionError(MaxRetryError(None, URL, reason))


STEADY = retry_policy().new(backoff_jitter=0.0)  # the default policy without its random jitter


# --- retries ---------------------------------------------------------------------------------------------


def test_a_429_is_retried_after_the_seconds_retry_after_asks_under_the_same_request_id() -> None:
    r = rig(Answer(429, error("TooManyRequests"), {"Retry-After": "7"}), Answer(200, {"name": "cpu"}))
    assert r.client.get(URL).body == {"name": "cpu"}
    assert r.waits == [7.0]
    ids = r.adapter.header("x-ms-client-request-id")
    assert len(ids) == 2 and ids[0] and len(set(ids)) == 1


def test_a_503_is_retried_at_once_then_with_exponential_backoff_capped_at_30_seconds() -> None:
    r = rig(*[Answer(503, error("ServiceUnavailable"))] * 8, Answer(200, {"name": "cpu"}), retry=STEADY)
    assert r.client.get(URL).status == 200
    assert len(r.adapter.sent) == 9
    assert r.waits == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]  # the first retry does not wait


def test_the_backoff_has_jitter_of_up_to_0_3_seconds() -> None:
    r = rig(Answer(503), Answer(503), Answer(200, {}))
    r.client.get(URL)
    assert len(r.waits) == 1 and 1.0 <= r.waits[0] <= 1.3


def test_an_unreadable_retry_after_is_taken_as_absent() -> None:
    soon = Answer(429, headers={"Retry-After": "soon"})
    r = rig(soon, soon, Answer(200), retry=STEADY)
    assert r.client.get(URL).status == 200
    assert r.waits == [1.0]  # the backoff, as without the header


def test_after_the_last_retry_the_services_error_is_raised_with_its_request_id() -> None:
    r = rig(Answer(503, error("ServiceUnavailable", "busy")), retry=STEADY)
    with pytest.raises(ServiceError) as caught:
        r.client.get(URL)
    assert len(r.adapter.sent) == 9  # the first try and 8 retries
    assert caught.value.status == 503 and caught.value.code == "ServiceUnavailable"
    assert str(caught.value).endswith("(request id: rid-9)")


@pytest.mark.parametrize("status", [400, 403, 404, 409, 501])
def test_an_answer_no_retry_can_change_is_not_retried(status: int) -> None:
    r = rig(Answer(status, error("Nope")), Answer(200))
    with pytest.raises(ServiceError):
        r.client.get(URL)
    assert len(r.adapter.sent) == 1 and r.waits == []


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "POST", "PATCH"])
def test_a_dropped_connection_is_retried_under_the_same_request_id(method: str) -> None:
    r = rig(dropped(), Answer(200, {"name": "cpu"}))
    assert r.client.send(ArmRequest(method, URL, {"a": 1} if method in ("PUT", "PATCH") else None)).status == 200
    assert [s.method for s in r.adapter.sent] == [method, method]
    assert len(set(r.adapter.header("x-ms-client-request-id"))) == 1
    assert r.adapter.sent[0].body == r.adapter.sent[1].body


def test_a_refused_connection_gets_three_retries_then_a_transport_error_naming_the_cause() -> None:
    r = rig(refused(), retry=STEADY)
    with pytest.raises(TransportError) as caught:
        r.client.get(URL)
    assert len(r.adapter.sent) == 4
    text = str(caught.value)
    assert "could not reach https://arm.example" in text and "[Errno 111] Connection refused" in text, text
    assert "after 4 tries" in text and r.adapter.header("x-ms-client-request-id")[0] in text


def test_connections_that_keep_dropping_use_up_the_retries() -> None:
    r = rig(dropped(), retry=STEADY)
    with pytest.raises(TransportError, match="Remote end closed connection without response, after 9 tries"):
        r.client.get(URL)


def test_an_error_no_retry_can_cure_fails_at_once() -> None:
    r = rig(requests.exceptions.InvalidURL("no host in the URL"))
    with pytest.raises(TransportError, match="no host in the URL"):
        r.client.get(URL)
    assert len(r.adapter.sent) == 1


def test_without_retries_a_request_is_sent_once() -> None:
    r = rig(Answer(503, error("ServiceUnavailable")), retry=retry_policy(0))
    with pytest.raises(ServiceError, match="ServiceUnavailable"):
        r.client.get(URL)
    assert len(r.adapter.sent) == 1
    r = rig(refused(), retry=retry_policy(0))
    with pytest.raises(TransportError, match="after 1 try"):
        r.client.get(URL)


@pytest.mark.parametrize("jitter", [False, True])
def test_the_local_workspace_gets_a_few_quick_tries(jitter: bool) -> None:
    policy = local_retry_policy() if jitter else local_retry_policy().new(backoff_jitter=0.0)
    r = rig(Answer(503, error("LocalStoreBusy")), retry=policy, endpoint="http://127.0.0.1:9")
    with pytest.raises(ServiceError):
        r.client.get("http://127.0.0.1:9/x")
    assert len(r.adapter.sent) == 5
    if not jitter:
        assert r.waits == [0.2, 0.4, 0.8]
    else:  # each wait capped at 1 s; in all, under 2.3 s (the backoff plus at most 0.3 s of jitter each)
        assert len(r.waits) == 3 and max(r.waits) <= 1.0 and sum(r.waits) <= 0.2 + 0.4 + 0.8 + 3 * 0.3


# --- the 401 refresh ---------------------------------------------------------------------------------------


def test_a_401_asks_the_token_source_for_a_fresh_token_and_resends_once_under_the_same_request_id() -> None:
    tokens = Tokens("stale", "fresh")
    r = rig(Answer(401, error("ExpiredAuthenticationToken")), Answer(200, {"name": "cpu"}), tokens=tokens)
    assert r.client.get(URL).body == {"name": "cpu"}
    assert tokens.asked == [False, True]
    assert r.adapter.header("Authorization") == ["Bearer stale", "Bearer fresh"]
    ids = r.adapter.header("x-ms-client-request-id")
    assert len(ids) == 2 and len(set(ids)) == 1


def test_a_second_401_is_an_authentication_error_with_the_code_and_request_id() -> None:
    tokens = Tokens("stale", "still-bad")
    r = rig(Answer(401, error("InvalidAuthenticationToken", "the token is invalid")), tokens=tokens)
    with pytest.raises(AuthenticationError) as caught:
        r.client.get(URL)
    assert len(r.adapter.sent) == 2 and tokens.asked == [False, True]
    text = str(caught.value)
    assert "InvalidAuthenticationToken: the token is invalid" in text and "%compute login" in text
    assert text.endswith("(request id: rid-2)"), text
    assert "still-bad" not in text and "stale" not in text


def test_a_retried_503_then_a_401_stay_one_logical_request() -> None:
    r = rig(Answer(503), Answer(401, error("ExpiredAuthenticationToken")), Answer(200, {}))
    r.client.get(URL)
    assert len(r.adapter.sent) == 3 and len(set(r.adapter.header("x-ms-client-request-id"))) == 1
    assert r.tokens.asked == [False, True]


def test_each_logical_request_has_its_own_request_id() -> None:
    r = rig(Answer(200, {}))
    for _ in range(3):
        r.client.get(URL)
    assert len(set(r.adapter.header("x-ms-client-request-id"))) == 3


def test_secrets_are_revealed_only_in_the_body_sent() -> None:
    r = rig(Answer(200, {}))
    request = ArmRequest("PUT", URL, {"properties": {"password": Secret("pw-4821")}})
    r.client.send(request)
    assert json.loads(r.adapter.sent[0].body or b"") == {"properties": {"password": "pw-4821"}}
    assert "pw-4821" not in repr(request) and "pw-4821" not in request.dry_run_json()


# --- paging and the origin ---------------------------------------------------------------------------------


def page(*names: str, next_link: str | None = None) -> Answer:
    body: dict[str, Any] = {"value": [{"name": n} for n in names]}
    if next_link is not None:
        body["nextLink"] = next_link
    return Answer(200, body)


def test_list_all_follows_next_links_absolute_and_relative() -> None:
    r = rig(
        page("a", "b", next_link=f"{ENDPOINT}{COMPUTES}?api-version=1&$skip=2"),
        page("c", next_link=f"{COMPUTES}?api-version=1&$skip=3"),
        page("d"),
    )
    names = [item["name"] for item in r.client.list_all(f"{ENDPOINT}{COMPUTES}?api-version=1")]
    assert names == ["a", "b", "c", "d"]
    assert [s.url for s in r.adapter.sent][1:] == [
        f"{ENDPOINT}{COMPUTES}?api-version=1&$skip=2",
        f"{ENDPOINT}{COMPUTES}?api-version=1&$skip=3",
    ]


def test_list_all_reads_the_item_key_it_is_given() -> None:
    r = rig(Answer(200, {"nodes": [{"nodeId": "n1"}]}))
    assert list(r.client.list_all(URL, "nodes", method="POST")) == [{"nodeId": "n1"}]
    assert r.adapter.sent[0].method == "POST"


@pytest.mark.parametrize(
    "link",
    [
        "https://attacker.example/subscriptions/s?$skip=1",
        "http://arm.example/subscriptions/s?$skip=1",  # the same host without TLS
        "https://arm.example:8443/subscriptions/s?$skip=1",
        "//attacker.example/subscriptions/s",  # scheme-relative
    ],
)
def test_a_next_link_off_the_endpoint_is_refused_before_it_is_sent(link: str) -> None:
    r = rig(page("a", next_link=link), page("b"))
    items = r.client.list_all(f"{ENDPOINT}{COMPUTES}?api-version=1")
    assert next(items) == {"name": "a"}
    with pytest.raises(UntrustedLink) as caught:
        next(items)
    assert len(r.adapter.sent) == 1
    text = str(caught.value)
    assert "nextLink" in text and "not sent" in text and "arm.example:443" in text, text


def test_the_same_next_link_twice_ends_the_listing() -> None:
    again = f"{ENDPOINT}{COMPUTES}?api-version=1&$skip=1"
    r = rig(page("a", next_link=again), page("b", next_link=again))
    with pytest.raises(TransportError, match="the same nextLink twice"):
        list(r.client.list_all(f"{ENDPOINT}{COMPUTES}?api-version=1"))
    assert len(r.adapter.sent) == 2


def test_a_request_url_off_the_endpoint_is_refused_and_a_path_goes_to_the_endpoint() -> None:
    r = rig(Answer(200, {}))
    with pytest.raises(UntrustedLink, match="status URL"):
        r.client.get("https://elsewhere.example/operations/1", link="status URL")
    assert r.adapter.sent == [] and r.tokens.asked == []
    assert r.client.get(f"{COMPUTES}?api-version=1").url == f"https://arm.example:443{COMPUTES}?api-version=1"
    assert r.adapter.sent[0].url == f"https://arm.example:443{COMPUTES}?api-version=1"


@pytest.mark.parametrize("endpoint", ["http://arm.example", "ftp://127.0.0.1", "arm.example"])
def test_an_endpoint_that_would_send_the_token_in_clear_is_refused_before_any_request(endpoint: str) -> None:
    with pytest.raises(ValidationError, match="JUPYTER_COMPUTE_ARM_ENDPOINT"):
        ArmClient(endpoint, Tokens())


# --- error mapping -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "kind", "code"),
    [
        (404, error("ResourceNotFound", "no compute cpu"), NotFound, "ResourceNotFound"),
        (400, error("NotFound", "gone"), NotFound, "NotFound"),
        (409, error("Conflict", "it is being deleted"), Conflict, "Conflict"),
        (400, error("Conflict", "busy"), Conflict, "Conflict"),
        (400, error("QuotaExceeded", "not enough cores"), QuotaExceeded, "QuotaExceeded"),
        (
            400,
            error("BadRequest", "Operation could not be completed as it results in exceeding approved quota"),
            QuotaExceeded,
            "BadRequest",
        ),  # fmt: skip
        (400, error("BadRequest", "the name is taken"), ServiceError, "BadRequest"),
        (403, error("AuthorizationFailed", "no role"), ServiceError, "AuthorizationFailed"),
        (400, {"code": "ValidationError", "message": "top-level envelope"}, ServiceError, "ValidationError"),
        (400, {"error": {"error": {"code": "UserError", "message": "nested, pre-2019"}}}, ServiceError, "UserError"),
    ],
)
def test_each_arm_envelope_becomes_its_error_class(
    status: int, body: Mapping[str, Any], kind: type[ServiceError], code: str
) -> None:
    r = rig(Answer(status, body, {"x-ms-request-id": "rid-abc"}), retry=retry_policy(0))
    with pytest.raises(ComputeError) as caught:
        r.client.get(URL)
    assert type(caught.value) is kind
    assert isinstance(caught.value, ServiceError)
    assert caught.value.code == code and caught.value.status == status and caught.value.request_id == "rid-abc"
    assert str(caught.value).startswith(f"{code}: ") and str(caught.value).endswith("(request id: rid-abc)")


def test_target_and_details_are_in_the_text_and_the_request_id_on_its_own_line() -> None:
    body = error("BadRequest", "invalid", target="properties", details=[{"code": "Range", "message": "too big"}])
    r = rig(Answer(400, body, {"x-ms-request-id": "rid-7"}))
    with pytest.raises(ServiceError) as caught:
        r.client.get(URL)
    assert str(caught.value) == "BadRequest: invalid (target: properties)\n  - Range: too big\n  (request id: rid-7)"
    assert caught.value.details[0].code == "Range"


def test_a_body_that_is_not_json_keeps_the_status_and_its_text() -> None:
    r = rig(Answer(502, text="<html>Bad Gateway</html>"), retry=retry_policy(0))
    with pytest.raises(ServiceError) as caught:
        r.client.get(URL)
    assert caught.value.code == "HTTP502" and "Bad Gateway" in caught.value.message


@pytest.mark.parametrize(
    ("headers", "quoted"),
    [
        ({"x-ms-request-id": "rid-1", "x-ms-correlation-request-id": "corr-1"}, "rid-1"),
        ({"x-ms-request-id": "", "x-ms-correlation-request-id": "corr-1"}, "corr-1"),
    ],
)
def test_the_error_quotes_the_request_id_else_the_correlation_id(headers: dict[str, str], quoted: str) -> None:
    r = rig(Answer(400, error("BadRequest"), headers))
    with pytest.raises(ServiceError, match=rf"\(request id: {quoted}\)$"):
        r.client.get(URL)


def test_without_any_service_id_the_error_quotes_the_id_we_sent() -> None:
    r = rig(Answer(400, error("BadRequest"), {"x-ms-request-id": ""}))
    with pytest.raises(ServiceError) as caught:
        r.client.get(URL)
    assert caught.value.request_id == r.adapter.header("x-ms-client-request-id")[0]


@pytest.mark.parametrize(
    ("reported", "kind", "code"),
    [
        (None, ServiceError, "OperationFailed"),
        ({"code": "OK", "message": "it broke"}, ServiceError, "OperationFailed"),
        ({"error": {"code": "ResourceNotFound", "message": "gone"}}, NotFound, "ResourceNotFound"),
        ({"code": "QuotaExceeded", "message": "no cores"}, QuotaExceeded, "QuotaExceeded"),
    ],
)
def test_an_operations_error_object_becomes_its_error_class(reported: Any, kind: type, code: str) -> None:
    made = service_error(reported, request_id="rid-op")
    assert type(made) is kind and made.code == code and made.request_id == "rid-op"


# --- the token sources ---------------------------------------------------------------------------------------


@dataclass
class AccessToken:
    token: str
    expires_on: int


class Credential:
    """An azure-identity credential that hands out tok-1, tok-2, … each valid for an hour from ``now``."""

    def __init__(self, now: list[float], fails: bool = False) -> None:
        self.now = now
        self.fails = fails
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str) -> AccessToken:
        self.scopes.append(scopes)
        if self.fails:
            raise RuntimeError("DefaultAzureCredential failed to retrieve a token.\nAttempted credentials: ...")
        return AccessToken(f"tok-{len(self.scopes)}", int(self.now[0]) + 3600)


def test_an_azure_token_is_kept_until_five_minutes_before_it_expires() -> None:
    now = [1_000_000.0]
    credential = Credential(now)
    tokens = AzureTokens(cloud("china"), credential=credential, clock=lambda: now[0])
    assert tokens.token() == "tok-1"
    now[0] += 3600 - 301
    assert tokens.token() == "tok-1"
    now[0] += 2
    assert tokens.token() == "tok-2"
    assert credential.scopes == [("https://management.chinacloudapi.cn/.default",)] * 2


def test_a_refresh_gets_a_new_azure_token_at_once() -> None:
    now = [1_000_000.0]
    tokens = AzureTokens(cloud(None), credential=Credential(now), clock=lambda: now[0])
    assert [tokens.token(), tokens.token(refresh=True), tokens.token()] == ["tok-1", "tok-2", "tok-2"]


def test_the_access_token_setting_wins_over_azure_identity() -> None:
    credential = Credential([0.0])
    tokens = AzureTokens(cloud(None), credential=credential)
    with settings.override(access_token="from-settings"):
        assert tokens.token() == tokens.token(refresh=True) == "from-settings"
    assert credential.scopes == []


def test_no_azure_sign_in_is_one_line_naming_the_cloud_and_what_to_do() -> None:
    tokens = AzureTokens(cloud("usgov"), credential=Credential([0.0], fails=True))
    with pytest.raises(AuthenticationError) as caught:
        tokens.token()
    text = str(caught.value)
    assert "\n" not in text and "AzureUSGovernment" in text and "%compute login" in text
    assert "JUPYTER_COMPUTE_ACCESS_TOKEN" in text and "failed to retrieve a token" in text
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_the_local_workspace_sends_its_own_token_whatever_the_settings_say(isolated_state: Path) -> None:
    tokens = LocalTokens()
    with settings.override(access_token="meant-for-azure"):
        first = tokens.token()
    assert first != "meant-for-azure" and first == (isolated_state / TOKEN_FILE).read_text().strip()
    (isolated_state / TOKEN_FILE).write_text("replaced-token\n")
    assert tokens.token() == first  # read once …
    assert tokens.token(refresh=True) == "replaced-token"  # … and again after a 401


def test_token_source_chooses_by_workspace() -> None:
    assert isinstance(token_source(cloud(None), local=True), LocalTokens)
    chosen = token_source(cloud("china"), local=False)
    assert isinstance(chosen, AzureTokens) and chosen.cloud.name == "AzureChinaCloud"


# --- only the transport reaches the local workspace's server --------------------------------------------------


@pytest.fixture
def no_local_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The local server's start, replaced by a recorder that answers a closed loopback port."""
    from jupyter_compute.local import server

    started: list[str] = []

    def ensure_running() -> str:
        started.append("started")
        return "http://127.0.0.1:9"

    monkeypatch.setattr(server, "ensure_running", ensure_running)
    yield started


def test_the_local_workspaces_urls_are_paths_and_start_no_server(no_local_server: list[str]) -> None:
    ref = WorkspaceRef.local_workspace()
    urls = [ref.workspace_url(), ref.computes_url(), ref.compute_url("cpu", "start"), ref.location_url("l", "usages")]
    assert all(url.startswith("/subscriptions/00000000-0000-0000-0000-000000000000/") for url in urls), urls
    assert no_local_server == []


def test_connect_starts_the_local_server_and_sends_the_local_token(no_local_server: list[str]) -> None:
    client = connect("", cloud(None), local=True)
    assert no_local_server == ["started"]
    assert str(client.origin) == "http://127.0.0.1:9" and isinstance(client.tokens, LocalTokens)
    assert client.retry.total == local_retry_policy().total


def test_connect_goes_to_the_clouds_endpoint_or_the_one_given(no_local_server: list[str]) -> None:
    assert str(connect("", cloud("china"), local=False).origin) == "https://management.chinacloudapi.cn:443"
    given = connect("http://127.0.0.2:8000/", cloud(None), local=False, retries=0)
    assert str(given.origin) == "http://127.0.0.2:8000" and given.retry.total == 0
    assert isinstance(given.tokens, AzureTokens) and no_local_server == []
