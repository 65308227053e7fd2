"""``%compute login`` in a notebook: a quiet card with the link (clickable) and the code (with a copy button),
updated from the sign-in's own thread, ending with who signed in. The kernel stays free meanwhile.

The card is an anywidget whose front end is ``static/signin.js``; its traits are plain text (the link,
the code, one message line), set by :meth:`SignInCard.update` as the :class:`SignIn` moves on. Its plain
text repr says the same, for front ends that draw no widgets.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anywidget
import traitlets

from ..render.signin import STARTING, sign_in_line
from ..service.signin import SignIn


class SignInCard(anywidget.AnyWidget):
    _esm = Path(__file__).with_name("static") / "signin.js"
    state = traitlets.Unicode("starting").tag(sync=True)
    link = traitlets.Unicode("").tag(sync=True)
    code = traitlets.Unicode("").tag(sync=True)
    message = traitlets.Unicode(STARTING).tag(sync=True)

    def __init__(self, sign_in: SignIn, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sign_in = sign_in

    def update(self, sign_in: SignIn) -> None:
        """Show where ``sign_in`` is (called on its thread: traits only, never print)."""
        with self.hold_sync():
            self.state = sign_in.state
            if sign_in.prompt is not None:
                self.link, self.code = sign_in.prompt.verification_uri, sign_in.prompt.user_code
            self.message = sign_in_line(sign_in)

    def __repr__(self) -> str:
        if self.state == "waiting":
            return f"Open {self.link} and enter the code {self.code} to sign in."
        return self.message


def show_sign_in(sign_in: SignIn) -> SignInCard:
    """The card of ``sign_in``, with the sign-in started (the card follows it)."""
    card = SignInCard(sign_in)
    sign_in.start(on_change=card.update)
    return card
