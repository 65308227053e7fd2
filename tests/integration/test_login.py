"""Signing in with the real azure-identity and MSAL against a loopback https stand-in of the sign-in service
(tests/signin_server.py; its certificate authority trusted through REQUESTS_CA_BUNDLE, the authority given as
AZURE_AUTHORITY_HOST with instance discovery off): the device code protocol, the persistent token cache and the
saved AuthenticationRecord are really exercised, and the sign-in then serves every later token, in this process
and in a new one, until `logout`."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from jupyter_compute import settings
from jupyter_compute.errors import AuthenticationError
from jupyter_compute.frontends.command import Session
from jupyter_compute.frontends.grammar import parse
from jupyter_compute.frontends.verbs import execute
from jupyter_compute.local.server import LocalServer
from jupyter_compute.service.signin import SignIn, sign_out, signed_in
from jupyter_compute.transport import auth
from jupyter_compute.transport.auth import AzureTokens
from jupyter_compute.transport.clouds import cloud

from conftest import Cli, until
from signin_server import (
    DEVICE_CODE,
    REFRESH_TOKEN,
    TENANT,
    USER,
    USER_CODE,
    VERIFICATION_URI,
    SignInServer,
    sign_in_server,
)

CLOSED = "http://127.0.0.1:9"  # where DefaultAzureCredential's managed identity would ask: nothing listens


@pytest.fixture
def azure(isolated_state: Path) -> Iterator[LocalServer]:
    """The local workspace as the Azure endpoint; its token is what the sign-in stand-in mints."""
    server = LocalServer(home=isolated_state / "azure").start()
    yield server
    server.stop()


@pytest.fixture
def stand_in(tmp_path: Path, azure: LocalServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[SignInServer]:
    """The sign-in stand-in as this process's authority; HOME (where azure-identity's cache lives) is the test's."""
    home = tmp_path / "user-home"
    home.mkdir()
    with sign_in_server(tmp_path / "ca", azure.token) as server:
        env = {
            "HOME": str(home),
            "REQUESTS_CA_BUNDLE": str(server.ca),
            "AZURE_AUTHORITY_HOST": server.url,
            "IDENTITY_ENDPOINT": CLOSED,
            "MSI_ENDPOINT": CLOSED,
            "JUPYTER_COMPUTE_ARM_ENDPOINT": azure.url,
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        with settings.override(authority_host=server.url, arm_endpoint=azure.url):
            yield server


def test_login_shows_the_link_and_code_then_saves_who_signed_in_and_no_token(
    stand_in: SignInServer, azure: LocalServer, isolated_state: Path, tmp_path: Path
) -> None:
    changes: list[str] = []
    sign_in = execute(parse("login"), Session()).value
    assert isinstance(sign_in, SignIn) and stand_in.seen == []  # nothing is asked before the sign-in starts
    sign_in.start(on_change=lambda s: changes.append(s.state))
    until(lambda: sign_in.state == "waiting")
    assert sign_in.prompt is not None
    assert (sign_in.prompt.verification_uri, sign_in.prompt.user_code) == (VERIFICATION_URI, USER_CODE)
    until(lambda: stand_in.count("/token", grant="urn:ietf:params:oauth:grant-type:device_code") >= 1)
    assert not sign_in.done()  # authorization_pending: MSAL keeps polling
    stand_in.approve()
    assert sign_in.wait(30)
    assert sign_in.state == "signed-in", sign_in.error
    assert sign_in.who is not None and (sign_in.who.user, sign_in.who.tenant) == (USER, TENANT)
    assert changes == ["waiting", "signed-in"]
    assert stand_in.count("/devicecode") == 1
    # The record: who, where; 0600 in a 0700 folder; no token of any kind.
    record = auth.record_path(cloud(None))
    assert record.parent == isolated_state / "sign-in"
    assert stat.S_IMODE(record.stat().st_mode) == 0o600 and stat.S_IMODE(record.parent.stat().st_mode) == 0o700
    text = record.read_text()
    assert json.loads(text)["username"] == USER
    for secret in (azure.token, REFRESH_TOKEN, DEVICE_CODE):
        assert secret not in text
    # azure-identity's persistent cache: a file only the user can read (no keyring here).
    cache = auth.plain_cache_files()
    assert cache and all(p.is_relative_to(Path(os.environ["HOME"])) for p in cache)
    assert all(stat.S_IMODE(p.stat().st_mode) & 0o077 == 0 for p in cache)
    assert signed_in() is not None and signed_in().user == USER  # type: ignore[union-attr]


def test_the_saved_sign_in_gives_tokens_here_and_in_a_new_process_until_logout(
    stand_in: SignInServer, azure: LocalServer
) -> None:
    sign_in = SignIn().start()
    until(lambda: sign_in.state == "waiting")
    stand_in.approve()
    assert sign_in.wait(30) and sign_in.state == "signed-in"
    devicecodes = stand_in.count("/devicecode")
    # This process: a token from the cache (no new device code, nobody asked).
    assert AzureTokens(cloud(None)).token() == azure.token
    # A new process (the CLI): the record and the cache serve it; the workspaces list runs on that sign-in.
    cli = Cli(dict(os.environ))
    listed = cli.json("workspaces", "--subscription", "Research (local)")
    assert {w["name"] for w in listed["workspaces"]} >= {"vision-hub", "vision-project"}
    assert stand_in.count("/devicecode") == devicecodes
    assert azure.token not in json.dumps(listed)
    # logout forgets it: the next token comes from nowhere, and the error says how to sign in.
    result = cli("logout")
    assert f"Signed out {USER}" in result.stdout
    assert not auth.record_path(cloud(None)).exists() and auth.plain_cache_files() == []
    with pytest.raises(AuthenticationError, match="%compute login"):
        AzureTokens(cloud(None)).token()
    refused = cli("workspaces", code=1)
    assert "%compute login" in refused.stderr and azure.token not in refused.stderr + refused.stdout
    assert sign_out() is None  # nothing left to forget


def test_the_cli_prints_the_link_and_code_and_who_signed_in(stand_in: SignInServer, tmp_path: Path) -> None:
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, "-m", "jupyter_compute.frontends.cli", "login", "--tenant", TENANT],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    try:
        until(lambda: stand_in.count("/devicecode") == 1, 60)
        stand_in.approve()
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert f"open {VERIFICATION_URI} in any browser and enter the code {USER_CODE}" in err
    assert f"Signed in as {USER} (tenant {TENANT})" in out
    assert any(s.path.startswith(f"/{TENANT}/") for s in stand_in.seen)  # --tenant chose the authority's tenant
    assert DEVICE_CODE not in out + err


def test_a_declined_sign_in_ends_in_one_paragraph_and_saves_nothing(stand_in: SignInServer) -> None:
    sign_in = SignIn().start()
    until(lambda: sign_in.state == "waiting")
    stand_in.decline()
    assert sign_in.wait(30)
    assert sign_in.state == "failed" and sign_in.error is not None
    text = str(sign_in.error)
    assert "did not complete" in text and "Traceback" not in text and "\n" not in text
    assert not auth.record_path(cloud(None)).exists()


def test_the_panels_sign_in_shows_the_card_and_then_finds_the_workspaces(stand_in: SignInServer) -> None:
    from jupyter_compute import Workspace
    from jupyter_compute.ui.panel import SIGN_IN, ComputePanel

    panel = ComputePanel(Workspace.local())
    try:
        panel.workspace_choice.value = SIGN_IN
        assert panel.workspace_choice.value == "local"  # the menu goes back to the workspace shown
        (card,) = panel.sign_in_box.children
        until(lambda: card.code == USER_CODE)
        assert card.link == VERIFICATION_URI and card.state == "waiting"
        stand_in.approve()
        until(lambda: card.state == "signed-in")
        assert f"Signed in as {USER}" in card.message
        until(lambda: "workspaces found" in panel.message.value)
        labels = [label for label, _ in panel.workspace_choice.options]
        assert "vision-hub (vision) · Research (local), westeurope" in labels
    finally:
        panel.close()
