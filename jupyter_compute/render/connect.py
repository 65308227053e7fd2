"""How to connect to a compute instance: its application links and its ``ssh`` command, under "Connect".

The links and the command come from :meth:`Compute.links` and :meth:`Compute.ssh_command`, which keep
only http(s) links and a command made of a plain user name, an IP address and a port. What the service
wrote is still not trusted here: text loses its control characters, HTML is built only from escaped
text (:func:`.markup.html`), and a link that is not http(s) is shown as nothing rather than as a link.
In the local workspace an instance is a simulation: its addresses have the service's shape but nothing
answers at them, so the section says so and each link's label ends in "(emulated)".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import kinds
from .markup import Markup, html
from .terminal import one_line

if TYPE_CHECKING:
    from ..model.resource import Compute

HEADING = "Connect"
NO_SSH = "public access not enabled"
SSH_NOT_YET = "public access enabled; no user, address and port to use yet"
_WEB = ("https://", "http://")
_LABEL_WIDTH = 24  # a longer label pushes its own value only
EMULATED_WORD = "emulated"
EMULATED = f"{EMULATED_WORD}: the local workspace runs no real instance, so nothing answers at these addresses"


def link_label(label: str, emulated: bool) -> str:
    """An application link's label: "Jupyter Lab", or "Jupyter Lab (emulated)" in the local workspace."""
    return f"{label} ({EMULATED_WORD})" if emulated else label


def _links(compute: Compute) -> list[tuple[str, str]]:
    return [
        (link_label(one_line(link["label"]), compute.emulated), link["url"])
        for link in compute.links()
        if link["url"].lower().startswith(_WEB)
    ]


def _no_ssh(compute: Compute) -> str:
    return SSH_NOT_YET if compute.ssh_enabled else NO_SSH


def _note(compute: Compute) -> str:
    """Why the links do not answer (an emulated instance), may not answer yet, or why there are none (the
    instance's state), else ""."""
    state = one_line(compute.state)
    if not (compute.links() or compute.ssh_command()):
        return "" if compute.state == "Running" else f"nothing yet: the instance is {state}"
    notes = [] if compute.state == "Running" else [f"the instance is {state}; start it to connect"]
    return "; ".join([*notes, EMULATED] if compute.emulated else notes)


def connect_text(compute: Compute) -> str:
    """The "Connect" section of an instance as plain text (URLs and the command as they are, to copy);
    "" for other kinds of compute."""
    if compute.compute_type != kinds.INSTANCE.compute_type:
        return ""
    note = _note(compute)
    lines = [f"{HEADING} ({note})" if note else HEADING]
    entries = [*_links(compute), ("SSH", one_line(compute.ssh_command()) or _no_ssh(compute))]
    width = min(_LABEL_WIDTH, max(len(label) for label, _ in entries))
    lines += [f"  {label.ljust(width)}  {value}" for label, value in entries]
    return "\n".join(lines)


def connect_html(compute: Compute) -> Markup:
    """The "Connect" section of an instance for notebooks: each application a link that opens in a new
    tab, the ``ssh`` command as code; empty for other kinds of compute."""
    if compute.compute_type != kinds.INSTANCE.compute_type:
        return Markup("")
    note = _note(compute)
    items = [
        html("<li><a href='{}' target='_blank' rel='noopener noreferrer'>{}</a></li>", url, label)
        for label, url in _links(compute)
    ]
    ssh = compute.ssh_command()
    items.append(html("<li>SSH: <code>{}</code></li>", ssh) if ssh else html("<li>SSH: {}</li>", _no_ssh(compute)))
    return html(
        "<div class='jupyter-compute-connect'><strong>{}</strong>{}<ul>{}</ul></div>",
        HEADING,
        html(" <span>({})</span>", note) if note else "",
        Markup("").join(items),
    )
