"""``jupyter compute …`` (console script ``jupyter-compute``): parse, execute, print, exit 0/1/2.

Exit status: 0 success (and ``--help``); 1 the operation failed or the service refused (a
ServiceError, also one found before sending, such as the pre-flight quota check); 2 bad input,
nothing sent (a ValidationError, a usage error, a refused confirmation).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .. import settings
from ..errors import ComputeError, HelpRequested, ValidationError
from ..render.output import error_text, render_data
from ..render.terminal import clean
from ..render.text import summary
from .command import Command, Session
from .grammar import parse
from .registry import FrontEnd
from .verbs import VERBS, Deferred, deferred, execute, runs_itself

if TYPE_CHECKING:
    from ..service.operation import Operation

EXIT_OK, EXIT_SERVICE, EXIT_INPUT = 0, 1, 2
FRONT_END: FrontEnd = "cli"


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    try:
        command = parse(words, prog="jupyter compute")
        settings.current()  # a bad variable is one paragraph and exit 2 here, before any request
        if runs_itself(command, FRONT_END):
            return OWN_VERBS[command.verb](command)
        question = VERBS[command.verb].confirm
        if question and not command.yes and not command.dry_run and not _confirm(command, question):
            print("Nothing was sent (give --yes to skip this question).", file=sys.stderr)
            return EXIT_INPUT
        outcome = execute(command, Session())
        for line in outcome.warnings + outcome.notes:
            print(line, file=sys.stderr)
        later = deferred(command)
        if later is not None:
            return _in_foreground(later, command, outcome.value)
        op = outcome.operation
        if op is not None:  # the checks that need the service, and the request: a refusal is an error as any
            op.submitted()
            outcome.data, outcome.text = op.to_dict(), summary(op)
        wait = command.wait if command.wait is not None else True
        if op is not None and wait and not op.done():
            from ..render.text import follow

            follow(op, final=False, timeout=command.timeout)
            return _print_final(op, command.output)
        if op is not None and op.done():
            return _print_final(op, command.output)
        print(outcome.render(command.output))
        return EXIT_OK
    except HelpRequested as asked:
        print(asked.text)
        return EXIT_OK
    except ComputeError as exc:
        print(error_text(exc), file=sys.stderr)
        return EXIT_INPUT if isinstance(exc, ValidationError) else EXIT_SERVICE
    except KeyboardInterrupt:
        return 130


def _in_foreground(later: Deferred, command: Command, value: Any) -> int:
    """Run what ``execute`` returned unstarted (a pick, a sign-in, every workspace's list) and print it."""
    from . import foreground

    if later == "login":
        return EXIT_OK if foreground.follow_sign_in(value) else EXIT_SERVICE
    if later == "pick":
        foreground.pick_in_terminal(value, can_ask_again=sys.stdin.isatty())
        return EXIT_OK
    survey = foreground.survey_in_terminal(value)
    if command.output in ("json", "yaml"):
        print(render_data(survey.to_dict(), command.output))
    else:
        from ..render.everywhere import all_computes_text, all_costs_text

        print(clean(all_costs_text(survey) if command.verb == "costs" else all_computes_text(survey)))
    return EXIT_OK


def _emulator(command: Command) -> int:
    from ..local.server import serve

    serve(int(command.options.get("port") or 0), command.options.get("data"))
    return EXIT_OK


# The verbs declared as run by this front end itself (Verb.only_in == "cli").
OWN_VERBS: dict[str, Callable[[Command], int]] = {"emulator": _emulator}


def _confirm(command: Command, question: str) -> bool:
    if not sys.stdin.isatty():
        print(f"error: {command.verb} {command.name} needs --yes when not run from a terminal.", file=sys.stderr)
        return False
    answer = input(f"{question.format(name=command.name)} [y/N] ")
    return answer.strip().lower() in ("y", "yes")


def _print_final(op: Operation, output: str) -> int:
    from ..render.text import final_line

    if output == "table":
        print(final_line(op), file=sys.stderr if op.error or op.status != "Succeeded" else sys.stdout)
    else:
        data = op.to_dict()
        print(render_data(data, output))
    # Failed, Canceled (also a create whose compute was deleted meanwhile) and not-followed-to-the-end exit 1.
    return EXIT_OK if op.status == "Succeeded" and op.error is None else EXIT_SERVICE


if __name__ == "__main__":
    sys.exit(main())
