"""``jupyter compute …`` (console script ``jupyter-compute``): parse, execute, print, exit 0/1/2."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..errors import ComputeError, ValidationError
from .grammar import HelpRequested, error_text, parse
from .verbs import Session, execute

if TYPE_CHECKING:
    from ..service.operation import Operation

EXIT_OK, EXIT_SERVICE, EXIT_INPUT = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    try:
        command = parse(words, prog="jupyter compute")
        if command.verb == "emulator":
            from ..local.server import serve

            serve(int(command.options.get("port") or 0), command.options.get("data"))
            return EXIT_OK
        if command.verb == "panel":
            print(
                "The panel lives in JupyterLab: open the Compute tab in the left sidebar, or run "
                "%compute panel in a notebook.",
                file=sys.stderr,
            )
            return EXIT_INPUT
        if command.verb == "delete" and not command.yes and not command.dry_run and not _confirm(command.name):
            print("Nothing was deleted (give --yes to skip this question).", file=sys.stderr)
            return EXIT_INPUT
        outcome = execute(command, Session())
        for warning in outcome.warnings:
            print(warning, file=sys.stderr)
        op = outcome.operation
        if op is not None:  # the checks that need the service, and the request: a refusal is an error as any
            op.submitted()
            outcome.data, outcome.text = op.to_dict(), op.summary()
        wait = command.wait if command.wait is not None else True
        if op is not None and wait and not op.done():
            from ..render.text import follow

            follow(op, final=False)
            return _print_final(op, command.output)
        if op is not None and op.done():
            return _print_final(op, command.output)
        print(outcome.render(command.output))
        return EXIT_OK
    except HelpRequested as asked:
        print(asked.args[0] if asked.args else "")
        return EXIT_OK
    except ComputeError as exc:
        print(error_text(exc), file=sys.stderr)
        return EXIT_INPUT if isinstance(exc, ValidationError) else EXIT_SERVICE
    except KeyboardInterrupt:
        return 130


def _confirm(name: str | None) -> bool:
    if not sys.stdin.isatty():
        print(f"error: delete {name} needs --yes when not run from a terminal.", file=sys.stderr)
        return False
    answer = input(f"Delete {name} and the resources it holds? [y/N] ")
    return answer.strip().lower() in ("y", "yes")


def _print_final(op: Operation, output: str) -> int:
    from ..render.text import final_line
    from .grammar import render_data

    if output == "table":
        print(final_line(op), file=sys.stderr if op.error or op.status != "Succeeded" else sys.stdout)
    else:
        data = op.to_dict()
        print(render_data(data, output))
    # Failed, Canceled (also a create whose compute was deleted meanwhile) and not-followed-to-the-end exit 1.
    return EXIT_OK if op.status == "Succeeded" and op.error is None else EXIT_SERVICE


if __name__ == "__main__":
    sys.exit(main())
