"""What a notebook shows at once and fills from a thread of its own (started under the cell's context, so
it stays in its cell), setting traits only: the kernel stays free meanwhile.

- :class:`WorkspacePicker` (``workspace --pick``): a dropdown of the workspaces the sign-in sees.
  Choosing one makes it the session's workspace; with ``--save`` a "Save as config.json" button writes
  it, and an existing file is replaced only after a second, explicit "Replace" click.
- :class:`SignInCard` (``login``): the link (clickable) and the code (with a copy button), then who
  signed in. An anywidget whose front end is ``static/signin.js``; its plain-text repr says the same.
- :class:`SurveyView` (``list|costs --all-workspaces``, the panel's "all workspaces"): a progress line,
  then the tables.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anywidget
import traitlets

from ..errors import ComputeError
from ..render.everywhere import all_computes_html, all_costs_html, progress_line
from ..render.markup import html
from ..render.output import error_text
from ..render.signin import STARTING, sign_in_line
from ..service.signin import SignIn
from .assets import source

if TYPE_CHECKING:
    from ..model.directory import FoundWorkspace
    from ..model.everywhere import AllWorkspaces
    from ..service.account import Choice, Survey


def _in_background(work: Callable[[], None], name: str) -> None:
    ctx = contextvars.copy_context()
    threading.Thread(target=ctx.run, args=(work,), name=name, daemon=True).start()


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
        _in_background(self._load, "jupyter-compute-pick")

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


class SignInCard(anywidget.AnyWidget):
    _esm = source(Path(__file__).with_name("static") / "signin.js")
    state = traitlets.Unicode("starting").tag(sync=True)
    link = traitlets.Unicode("").tag(sync=True)
    code = traitlets.Unicode("").tag(sync=True)
    message = traitlets.Unicode(STARTING).tag(sync=True)

    def __init__(self, sign_in: SignIn, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sign_in = sign_in

    def update(self, sign_in: SignIn) -> None:
        """Show where ``sign_in`` is (called on its thread: traits only, never print)."""
        with self.hold_sync():
            self.state = sign_in.state
            if sign_in.prompt is not None:
                self.link, self.code = sign_in.prompt.verification_uri, sign_in.prompt.user_code
            self.message = sign_in_line(sign_in)

    def __repr__(self) -> str:
        if self.state == "waiting":
            return f"Open {self.link} and enter the code {self.code} to sign in."
        return self.message


def show_sign_in(sign_in: SignIn) -> SignInCard:
    """The card of ``sign_in``, with the sign-in started (the card follows it)."""
    card = SignInCard(sign_in)
    sign_in.start(on_change=card.update)
    return card


class SurveyView:
    """Every workspace's computes (or bill, ``costs``): a progress line, then the tables; ``result`` once done."""

    def __init__(self, survey: Survey, *, costs: bool = False, both: bool = False) -> None:
        """``costs``: the bill instead of the computes; ``both``: the computes, then the bill."""
        import ipywidgets as widgets

        self.survey = survey
        self.costs = costs
        self.both = both
        self.result: AllWorkspaces | None = None
        self.done = threading.Event()
        self.html = widgets.HTML(str(html("<span>{}</span>", progress_line("subscriptions", 0, 0))))
        _in_background(self._run, "jupyter-compute-survey")

    def _progress(self, stage: str, done: int, total: int) -> None:
        self.html.value = str(html("<span>{}</span>", progress_line(stage, done, total)))

    def _run(self) -> None:
        try:
            self.result = self.survey.run(progress=self._progress)
            if self.both:
                shown = all_computes_html(self.result) + all_costs_html(self.result)
            else:
                shown = all_costs_html(self.result) if self.costs else all_computes_html(self.result)
            self.html.value = str(shown)
        except ComputeError as exc:
            self.html.value = str(html("<span style='color:#c62828'>{}</span>", error_text(exc)))
        finally:
            self.done.set()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.html)  # type: ignore[no-untyped-call]
