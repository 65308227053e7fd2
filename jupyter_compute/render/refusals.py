"""What a refusal or failure from the service says, as a sentence: the one table of ARM codes we word.

The service answers a start of a running instance with ``StartComputeInstanceOnlyAllowedInStoppedState``;
a person reads "ci-1 is already running". :data:`SENTENCES` maps each code the service is known to send
(the facts sheet, the recordings and what the local workspace sends for the same cases) to a template
that may name the compute (``{name}``), the state it was last read in (``{state}``) and the service's
own message (``{message}``). :func:`explain` gives the whole text a front end shows, the code and the
request id kept at the end in parentheses for support (``(StartComputeInstance…, request id: …)``);
a code not in the table keeps the service's words (``Code: message (request id: …)``). An error this
package found before sending (``by_client``) is already a sentence of ours: its code goes to the end.

The CLI and the magics (:func:`~jupyter_compute.render.output.error_text`), the bars and the panel's
rows (:func:`~jupyter_compute.render.describe.describe`) all read it from here. ``str(error)`` and
``error.code`` stay the service's, for the Python API and for logs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..errors import ComputeError, ServiceError


@dataclass(frozen=True)
class Sentence:
    """How one code reads. ``text`` names the compute (``{name}``); when the compute's state is known,
    ``by_state`` gives the sentence for that state (``{name} is already running``), else ``with_state``
    (default: ``text`` and ``; it is {state}``). ``contains``: for a generic code (``BadRequest``), the
    row applies only when the service's message contains this (any case)."""

    text: str
    by_state: Mapping[str, str] = field(default_factory=dict)
    with_state: str = "{text}; it is {state}"
    contains: str = ""


TAKEN = "the name {name} is already taken (compute names are unique in the region); pick another name"
NO_QUOTA = "there is not enough vCPU quota for {name}: {message}"

SENTENCES: dict[str, tuple[Sentence, ...]] = {
    # A power action in the wrong state (seen from the service; the local workspace sends the same codes).
    "StartComputeInstanceOnlyAllowedInStoppedState": (
        Sentence(
            "{name} can only be started when it is stopped",
            {"Running": "{name} is already running", "Starting": "{name} is already starting"},
        ),
    ),
    "StopComputeInstanceOnlyAllowedInRunningState": (
        Sentence(
            "{name} can only be stopped when it is running",
            {"Stopped": "{name} is already stopped", "Stopping": "{name} is already stopping"},
        ),
    ),
    "RestartComputeInstanceOnlyAllowedInRunningState": (
        Sentence(
            "{name} can only be restarted when it is running",
            {
                "Stopped": "{name} is stopped: start it rather than restart it",
                "Restarting": "{name} is already restarting",
            },
        ),
    ),
    # 409: busy with another operation (a start, stop, resize or delete while one runs).
    "Conflict": (
        Sentence(
            "{name} is busy with another operation; try again when it has finished",
            with_state="{name} is busy ({state}); try again when that has finished",
        ),
    ),
    # Quota: the service's message carries the numbers (limit, in use, asked for).
    "QuotaExceeded": (Sentence(NO_QUOTA, with_state=NO_QUOTA),),
    "BadRequest": (
        Sentence(NO_QUOTA, with_state=NO_QUOTA, contains="vCPU quota"),  # "total vCPU quota of 0 and cannot …"
        # Names are unique in the region (a compute instance's name is a DNS label).
        Sentence(TAKEN, with_state=TAKEN, contains="Reason: AlreadyExists"),
        Sentence(TAKEN, with_state=TAKEN, contains="already exists"),
        Sentence(TAKEN, with_state=TAKEN, contains="already in use"),
    ),
    "NotFound": (
        Sentence("{name} no longer exists in this workspace (it may have just been deleted)", with_state="{text}"),
    ),
}


def sentence(error: ServiceError) -> str:
    """The sentence for ``error``'s code, or "" when the table has none for it, it names no compute, or
    it is our own (``by_client``: its message is our sentence already)."""
    if not error.compute or error.by_client:
        return ""
    for row in SENTENCES.get(error.code, ()):
        if row.contains and row.contains.lower() not in error.message.lower():
            continue
        values = {"name": error.compute, "state": error.state, "message": error.message.strip().rstrip(".")}
        if not error.state:
            return row.text.format(**values)
        template = row.by_state.get(error.state) or row.with_state.replace("{text}", row.text)
        return template.format(**values)
    return ""


def _support(error: ServiceError) -> str:
    """``(Code, request id: …)``: what Azure support asks for."""
    inside = error.code + (f", request id: {error.request_id}" if error.request_id else "")
    return f" ({inside})"


def headline(error: ComputeError) -> str:
    """One line (what a bar and a row show): the sentence and the code, else the error's own headline."""
    if isinstance(error, ServiceError):
        said = sentence(error)
        if said:
            return said + _support(error)
        if error.by_client and error.message:
            return error.message + _support(error)
    return error.headline


def explain(error: ComputeError) -> str:
    """All of it (what a final line, the CLI and the magics show): the headline, then any details."""
    if not isinstance(error, ServiceError) or not (sentence(error) or (error.by_client and error.message)):
        return str(error)
    text = headline(error)
    for detail in error.details:
        text += f"\n  - {detail.code}: {detail.message}"
    return text
