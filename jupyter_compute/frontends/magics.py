"""``%compute`` and ``%%compute``: the command grammar in a notebook. Parse, call, display; nothing else.

The line magic returns the Python object (``op = %compute create …`` gives the Operation, whose
rich display is the live progress bar); ``%%compute create`` takes an az ml YAML body. Bad input
prints one short paragraph and no traceback; a service error prints its code and message.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from IPython.core.magic import Magics, line_cell_magic, magics_class

from ..errors import ComputeError, ValidationError
from .grammar import HelpRequested, error_text, parse
from .verbs import Session, execute


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
        """Create and manage Azure ML compute. `%compute --help` lists the verbs; `%compute VERB --help` their
        options. `%%compute create` / `%%compute attach` take an az ml compute YAML body."""
        try:
            command = parse(line, prog="%compute", yaml_body=cell, prompt=_prompt)
            if command.verb == "emulator":
                raise ValidationError.one("emulator", "runs in a terminal: `jupyter compute emulator`")
            if command.verb == "panel":
                from ..ui.panel import show_panel

                return show_panel(self.session)
            outcome = execute(command, self.session)
        except HelpRequested as asked:
            print(asked.args[0] if asked.args else "")
            return None
        except ComputeError as exc:
            print(error_text(exc), file=sys.stderr)
            return None
        for warning in outcome.warnings:
            print(warning, file=sys.stderr)
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
                outcome.data, outcome.text = op.to_dict(), op.summary()
            if command.output in ("json", "yaml"):
                print(outcome.render(command.output))
                mark_shown(op)
            elif not in_kernel() and (command.wait is None or command.wait) and not op.done():
                from ..render.text import follow

                follow(op)  # a terminal has no live display: wait here with a text bar
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
