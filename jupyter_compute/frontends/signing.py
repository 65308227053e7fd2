"""``login`` where there is no widget (the CLI, terminal IPython): the link and code on stderr as soon as
the sign-in service gives them, then who signed in. Ctrl-C stops waiting (the code simply expires)."""

from __future__ import annotations

import sys

from ..render.signin import prompt_line, sign_in_line
from ..render.terminal import clean
from ..service.signin import SignIn


def follow_sign_in(sign_in: SignIn) -> bool:
    """Run ``sign_in`` in the foreground, saying what to do; True once signed in."""

    def changed(current: SignIn) -> None:
        if current.state == "waiting" and current.prompt is not None:
            print(clean(prompt_line(current.prompt.verification_uri, current.prompt.user_code)), file=sys.stderr)

    sign_in.start(on_change=changed)
    sign_in.wait()
    line = clean(sign_in_line(sign_in))
    print(line, file=sys.stdout if sign_in.state == "signed-in" else sys.stderr)
    return sign_in.state == "signed-in"
