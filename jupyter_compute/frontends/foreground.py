"""What a terminal (the CLI, terminal IPython) runs in the foreground, where a notebook shows a widget:

- ``workspace --pick``: a numbered prompt. The workspaces are listed with a progress line on stderr,
  numbered on stdout; the answer is read from stdin (a terminal, or a pipe). Choosing one makes it the
  session's workspace, and with ``--save`` writes its config.json, asking before it replaces a file (a
  file is never replaced without a yes).
- ``login``: the link and code on stderr as soon as the sign-in service gives them, then who signed in.
- ``list|costs --all-workspaces``: a progress line on stderr while every workspace is listed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from ..errors import ValidationError
from ..model.everywhere import AllWorkspaces
from ..render.everywhere import progress_line
from ..render.signin import prompt_line, sign_in_line
from ..render.terminal import clean
from ..service.account import Choice, Survey
from ..service.ref import WorkspaceRef
from ..service.signin import SignIn

Ask = Callable[[str], str]


def _progress(done: int, total: int) -> None:
    _line("subscriptions", done, total)


def _line(stage: str, done: int, total: int) -> None:
    """The progress line, redrawn in place on a terminal (a line each elsewhere, the last one only)."""
    if sys.stderr.isatty():
        print(f"\r{progress_line(stage, done, total)}", end="\n" if done == total else "", file=sys.stderr, flush=True)
    elif done == total:
        print(progress_line(stage, done, total), file=sys.stderr, flush=True)


def pick_in_terminal(choice: Choice, ask: Ask | None = None, *, can_ask_again: bool = True) -> WorkspaceRef | None:
    """Offer ``choice``'s workspaces as a numbered list and apply the answer; None when the user chose none.
    ``can_ask_again``: whether a second question (replace an existing config.json?) may be asked."""
    ask = ask or input
    directory = choice.load(progress=_progress)
    for line in (f"not listed: {u.line()}" for u in directory.unlisted):
        print(clean(line), file=sys.stderr)
    if not directory.workspaces:
        print("No Azure ML workspace in the subscriptions this sign-in sees.", file=sys.stderr)
        return None
    for number, found in enumerate(directory.workspaces, 1):
        print(clean(f"{number:>3}  {found.label()}"))
    try:
        answer = ask(f"Workspace number (1-{len(directory.workspaces)}; Enter: keep the current one): ").strip()
    except EOFError:
        answer = ""
    if not answer:
        return None
    if not answer.isdigit() or not 1 <= int(answer) <= len(directory.workspaces):
        raise ValidationError.one("--pick", f"{answer!r} is not a number from 1 to {len(directory.workspaces)}")
    found = directory.workspaces[int(answer) - 1]
    ref = choice.pick(found)
    print(clean(f"Workspace: {ref.describe()}"))
    target = choice.target()
    if target is not None:
        replace = choice.replace
        if target.exists() and not replace and can_ask_again:
            try:
                replace = ask(f"{target} exists. Replace it? [y/N] ").strip().lower() in ("y", "yes")
            except EOFError:
                replace = False
            if not replace:
                print(f"{target} was left as it is.", file=sys.stderr)
                return ref
        print(clean(f"Saved as {choice.save(found, replace=replace)}"))
    return ref


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


def survey_in_terminal(survey: Survey) -> AllWorkspaces:
    """Every workspace's computes and bill, with the progress line on stderr."""
    return survey.run(progress=_line)
