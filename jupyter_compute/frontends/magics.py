"""``%compute`` and ``%%compute``: the command grammar in a notebook. Parse, call, display; nothing else.

The line magic returns the Python object (``op = %compute create …`` gives the Operation, whose
rich display is the live progress bar); ``%%compute create`` takes an az ml YAML body. Bad input
prints one short paragraph and no traceback; a service error prints its code and message.
``%compute?`` shows the same usage as ``%compute --help``, generated from the verbs' declarations.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

from IPython.core.magic import Magics, line_cell_magic, magics_class

from .. import settings
from ..errors import ComputeError, HelpRequested
from ..render.output import error_text
from ..render.text import summary
from .command import Command, Session
from .grammar import parse, usage
from .registry import FrontEnd
from .verbs import Deferred, deferred, execute, runs_itself

FRONT_END: FrontEnd = "magic"


class RequestPreview(dict[str, Any]):
    """A dry-run request: a dict, shown as its JSON."""

    def __repr__(self) -> str:
        return json.dumps(self, indent=2)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


@magics_class
class ComputeMagics(Magics):
    def __init__(self, shell: Any) -> None:
        super().__init__(shell)
        self.session = Session()

    @line_cell_magic
    def compute(self, line: str, cell: str | None = None) -> Any:
        try:
            command = parse(line, prog="%compute", yaml_body=cell, prompt=_prompt)
            settings.current()  # a bad variable is one paragraph here, before any request
            if runs_itself(command, FRONT_END):
                return OWN_VERBS[command.verb](self, command)
            outcome = execute(command, self.session)
        except HelpRequested as asked:
            print(asked.text)
            return None
        except ComputeError as exc:
            print(error_text(exc), file=sys.stderr)
            return None
        for warning in outcome.warnings:
            print(warning, file=sys.stderr)
        if outcome.notes:
            from ..ui.show import note

            for line in outcome.notes:
                note(line)
        later = deferred(command)
        if later is not None:
            return _deferred(later, command, outcome.value)
        if command.dry_run:
            preview = RequestPreview(outcome.data)
            if command.output == "yaml":
                print(outcome.render("yaml"))
                return None
            return preview
        op = outcome.operation
        if op is not None:
            from ..ui.show import in_kernel, mark_shown, show

            if not in_kernel() or command.output in ("json", "yaml"):  # no live bar: report as the CLI does
                try:
                    op.submitted()
                except ComputeError as exc:
                    print(error_text(exc), file=sys.stderr)
                    return None
                outcome.data, outcome.text = op.to_dict(), summary(op)
            if command.output in ("json", "yaml"):
                print(outcome.render(command.output))
                mark_shown(op)
            elif not in_kernel() and (command.wait is None or command.wait) and not op.done():
                from ..render.text import follow

                follow(op, timeout=command.timeout)  # a terminal has no live display: wait here with a text bar
                mark_shown(op)
            else:
                show(op)  # shown even when assigned (`op = %compute create …`)
                if command.wait:
                    op.wait()
            return op  # returning it does not show it a second time in this cell
        if command.output in ("json", "yaml"):
            print(outcome.render(command.output))
            return None
        return outcome.value


def _deferred(later: Deferred, command: Command, value: Any) -> Any:
    """In a notebook a widget, returned at once and filled from a thread of its own (a sign-in's card, the
    workspace dropdown, every workspace's tables); in a terminal the same in the foreground."""
    from ..ui.show import in_kernel

    if in_kernel():
        from ..ui import deferred as widgets

        if later == "login":
            return widgets.show_sign_in(value)
        if later == "pick":
            return widgets.WorkspacePicker(value)
        return widgets.SurveyView(value, costs=command.verb == "costs")
    from . import foreground

    try:
        if later == "login":
            foreground.follow_sign_in(value)
            return None
        if later == "pick":
            return foreground.pick_in_terminal(value)
        return foreground.survey_in_terminal(value)
    except ComputeError as exc:
        print(error_text(exc), file=sys.stderr)
        return None


def _panel(magics: ComputeMagics, command: Command) -> Any:
    from ..ui.panel import show_panel

    return show_panel(magics.session)


# The verbs declared as run by this front end itself (Verb.only_in == "magic").
OWN_VERBS: dict[str, Callable[[ComputeMagics, Command], Any]] = {"panel": _panel}

# As IPython's magic_arguments does: the declarations are the help (`%compute?`).
ComputeMagics.compute.__doc__ = (
    "Create and manage Azure ML compute. `%compute VERB --help` shows the options of a verb;\n"
    "`%%compute create` / `%%compute attach` take an az ml compute YAML body, `%%compute update NAME` the\n"
    "settings to change in az ml YAML.\n\n" + usage("%compute")
)


def _prompt(message: str) -> str | None:
    """A password prompt, or None when there is no one to ask: a kernel whose front end does not
    take input (ipykernel's getpass raises StdinNotImplementedError) or a closed stdin."""
    import getpass

    from IPython.core.error import StdinNotImplementedError

    try:
        return getpass.getpass(message)
    except (StdinNotImplementedError, EOFError, OSError):
        return None


def register(ipython: Any) -> None:
    ipython.register_magics(ComputeMagics)
    if getattr(ipython, "kernel", None) is not None:  # terminal IPython keeps the line on stderr
        from ..service.ref import show_notices_with
        from ..ui.show import note

        show_notices_with(note)
