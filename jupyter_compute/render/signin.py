"""How a sign-in reads, in the notebook's card and on a terminal: one line for where it is."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .output import error_text

if TYPE_CHECKING:
    from ..service.signin import SignIn

STARTING = "Asking the sign-in service for a code…"


def sign_in_line(sign_in: SignIn) -> str:
    """Where ``sign_in`` is, in one line (never a token; the code only in the prompt)."""
    if sign_in.state == "signed-in" and sign_in.who is not None:
        return (
            f"Signed in as {sign_in.who.user} (tenant {sign_in.who.tenant}); this sign-in is saved for later sessions."
        )
    if sign_in.state == "failed" and sign_in.error is not None:
        return error_text(sign_in.error)
    if sign_in.state == "waiting":
        return "Waiting for you to sign in in the browser; the notebook stays usable meanwhile."
    return STARTING


def prompt_line(link: str, code: str) -> str:
    return f"To sign in, open {link} in any browser and enter the code {code}"
