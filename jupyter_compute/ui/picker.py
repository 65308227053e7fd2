"""``%compute workspace --pick`` in a notebook: a dropdown of the workspaces the sign-in sees.

The widget shows at once; the workspaces are listed on a thread of its own (started under the cell's
context), which sets the dropdown's options and the status line as traits: the kernel stays free.
Choosing one makes it the session's workspace; with ``--save`` a "Save as config.json" button writes it,
and an existing file is replaced only after a second, explicit "Replace" click.
"""

from __future__ import annotations

import contextvars
import threading
from typing import TYPE_CHECKING, Any

from ..errors import ComputeError
from ..render.markup import html
from ..render.output import error_text

if TYPE_CHECKING:
    from ..model.directory import FoundWorkspace
    from ..service.account import Choice

LOADING = "Listing the workspaces your sign-in sees…"


class WorkspacePicker:
    """The dropdown, its status line and (with a save path) the save buttons, over a :class:`Choice`."""

    def __init__(self, choice: Choice) -> None:
        import ipywidgets as widgets

        self.choice = choice
        self.dropdown = widgets.Dropdown(
            options=[("…", None)],
            value=None,
            description="Workspace",
            disabled=True,
            layout=widgets.Layout(width="100%"),
            style={"description_width": "initial"},
        )
        self.status = widgets.HTML(str(html("<span>{}</span>", LOADING)))
        self.save_button = widgets.Button(description="Save as config.json", disabled=True, icon="save")
        self.replace_button = widgets.Button(description="Replace it", button_style="warning")
        self.replace_button.layout.display = "none"
        children: list[Any] = [self.dropdown, self.status]
        if choice.save_to:
            children.append(widgets.HBox([self.save_button, self.replace_button]))
        self.box = widgets.VBox(children, layout=widgets.Layout(max_width="60em"))
        self.dropdown.observe(self._picked, "value")
        self.save_button.on_click(lambda _: self._save(replace=choice.replace))
        self.replace_button.on_click(lambda _: self._save(replace=True))
        self.loaded = threading.Event()
        ctx = contextvars.copy_context()
        threading.Thread(target=ctx.run, args=(self._load,), name="jupyter-compute-pick", daemon=True).start()

    def _say(self, text: str, colour: str = "") -> None:
        style = f"color:{colour}" if colour else ""
        self.status.value = str(html("<span style='{}'>{}</span>", style, text))

    def _load(self) -> None:
        try:
            found = self.choice.load(progress=lambda done, total: self._say(f"{LOADING} {done}/{total} subscriptions"))
        except ComputeError as exc:
            self._say(error_text(exc), "#c62828")
            self.loaded.set()
            return
        options: list[tuple[str, FoundWorkspace | None]] = [("Choose a workspace…", None)]
        options += [(w.label(), w) for w in found.workspaces]
        with self.dropdown.hold_trait_notifications():
            self.dropdown.options = options
            self.dropdown.value = None
            self.dropdown.disabled = not found.workspaces
        notes = [f"not listed: {u.line()}" for u in found.unlisted]
        count = len(found.workspaces)
        self._say("; ".join([f"{count} workspace{'s' if count != 1 else ''} found", *notes]))
        self.loaded.set()

    def _picked(self, change: dict[str, Any]) -> None:
        found = change["new"]
        if found is None:
            return
        ref = self.choice.pick(found)
        self.save_button.disabled = False
        self.replace_button.layout.display = "none"
        self._say(f"Workspace: {ref.describe()}")

    def _save(self, *, replace: bool) -> None:
        found = self.dropdown.value
        if found is None:
            return
        target = self.choice.target()
        if target is not None and target.exists() and not replace:
            self.replace_button.layout.display = ""
            self._say(f"{target} exists; it was left as it is. Click “Replace it” to write over it.", "#ef6c00")
            return
        try:
            written = self.choice.save(found, replace=replace)
        except ComputeError as exc:
            self._say(error_text(exc), "#c62828")
            return
        self.replace_button.layout.display = "none"
        self._say(f"Saved as {written}")

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.box)  # type: ignore[no-untyped-call]
