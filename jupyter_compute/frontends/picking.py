"""``workspace --pick`` where there is no widget: a numbered prompt (the CLI, terminal IPython).

The workspaces are listed with a progress line on stderr, numbered on stdout; the answer is read from
stdin (a terminal, or a pipe). Choosing one makes it the session's workspace, and with ``--save`` writes
its config.json, asking before it replaces a file (a file is never replaced without a yes).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from ..errors import ValidationError
from ..render.terminal import clean
from ..service.account import Choice
from ..service.ref import WorkspaceRef

Ask = Callable[[str], str]


def _progress(done: int, total: int) -> None:
    end = "\n" if done == total else ""
    print(
        f"\rListing the workspaces of {total} subscription{'s' if total != 1 else ''}: {done}/{total}",
        end=end,
        file=sys.stderr,
        flush=True,
    )


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
