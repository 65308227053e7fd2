"""`%compute login` in a real kernel: the cell returns at once showing a card with the link and the code (the
widget's state, as a notebook front end receives it), the kernel answers other cells while the user signs in,
and the card ends saying who signed in. The sign-in service is the loopback https stand-in."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kernel_helpers import running_kernel
from signin_server import DEVICE_CODE, REFRESH_TOKEN, TENANT, USER, USER_CODE, VERIFICATION_URI, sign_in_server

pytestmark = pytest.mark.kernel
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
CLOSED = "http://127.0.0.1:9"


def test_login_shows_link_and_code_and_the_kernel_answers_while_waiting(isolated_state: Path, tmp_path: Path) -> None:
    home = tmp_path / "user-home"
    home.mkdir()
    with sign_in_server(tmp_path / "ca", "minted-access-token-3c9e") as stand_in:
        env = {
            "HOME": str(home),
            "REQUESTS_CA_BUNDLE": str(stand_in.ca),
            "AZURE_AUTHORITY_HOST": stand_in.url,
            "IDENTITY_ENDPOINT": CLOSED,
            "MSI_ENDPOINT": CLOSED,
        }
        with running_kernel(isolated_state, **env) as kernel:
            kernel.execute("%load_ext jupyter_compute")
            shown = kernel.execute("%compute login")
            assert shown["content"]["status"] == "ok"
            views = [m for m in kernel.outputs(shown) if WIDGET_VIEW in m["content"].get("data", {})]
            assert len(views) == 1, kernel.outputs(shown)
            card = views[0]["content"]["data"][WIDGET_VIEW]["model_id"]

            def state() -> dict[str, object]:
                kernel.collect(0.2)
                return kernel.widget_states().get(card, {})

            deadline = time.monotonic() + 60
            while state().get("code") != USER_CODE:
                assert time.monotonic() < deadline, state()
            assert state()["link"] == VERIFICATION_URI and state()["state"] == "waiting"
            # The user has not signed in yet, and the kernel runs other cells.
            answered = kernel.execute("print(40 + 2)")
            assert kernel.text(answered).strip() == "42" and not stand_in.approved.is_set()
            stand_in.approve()
            deadline = time.monotonic() + 60
            while state().get("state") != "signed-in":
                assert time.monotonic() < deadline, state()
            assert f"Signed in as {USER} (tenant {TENANT})" in str(state()["message"])
            everything = str(kernel.messages)
            for secret in ("minted-access-token-3c9e", REFRESH_TOKEN, DEVICE_CODE):
                assert secret not in everything
            again = kernel.execute("from jupyter_compute.service.signin import signed_in; print(signed_in().user)")
            assert kernel.text(again).strip() == USER
