"""The Compute panel: every compute of the workspace with its live state, and forms to create any kind.

An ipywidgets tree over the Python API (it never talks HTTP itself). The list refreshes on every tick
of the workspace's shared poller, so operations started here, by magics or by other processes show
up with their progress; the header says what runs now costs an hour and how many instances run with
neither idle shutdown nor a stop schedule (from that same listing). The "New" forms are generated
from the spec field tables: common fields visible, the rest under "Advanced", sizes from the
workspace's size list with their price an hour, inline validation from the specs layer, "Preview
request" (secrets hidden), "Copy as magic" / "Copy as YAML", and Create. A row's "edit" opens what
``update`` changes (:mod:`.tools`).
``%compute panel`` shows it in a notebook; the JupyterLab extension docks it in the sidebar.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ...errors import ComputeError, ValidationError
from ...model import kinds
from ...model.costs import Costs
from ...render.bars import bar_html
from ...render.markup import Markup, error, html, output
from ...render.prices import bill_summary, flag_line
from ...render.tables import computes_html, computes_text
from ...service.operation import Operation
from ...service.workspace import Workspace
from ..rows import Row, computes_phrase, unusable_notice
from ..throttle import Scheduler, Throttle
from .form import SpecForm, fill_layout, ipywidgets_module
from .new import KindMenu, NewForm, close_tree
from .state import ROW_ACTIONS, PanelState
from .table import ComputeTable, PanelBox, ViewOnly
from .tools import ComputeTools

if TYPE_CHECKING:
    from ...model.directory import FoundWorkspace
    from ...service.account import Account
    from ...service.signin import SignIn
    from ..deferred import SurveyView

log = logging.getLogger(__name__)
FIND = "find"  # the menu entry that lists the workspaces the sign-in sees
SIGN_IN = "sign-in"  # the menu entry that signs in (login)
ALL = "all"  # the menu entry that shows every workspace's computes and bill
SEARCH_FROM = 12  # found workspaces beyond which the menu gets a search box
FINDING = "Listing the workspaces your sign-in sees…"
RENDERS_PER_SECOND = 2.0  # redraws a second at most, whatever the churn: each is at most a message or two
PAUSE_AFTER_HEARTBEATS = 4  # missed heartbeats of the list's views before the sidebar stops polling


class ComputePanel:
    """The panel's widget tree and behaviour (one per workspace and kernel)."""

    def __init__(
        self,
        workspace: Workspace,
        *,
        form_later: bool = False,
        unusable: ValidationError | None = None,
        scheduler: Scheduler | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``form_later``: build the "New" form in the background once the list is shown (the sidebar
        opens faster: the form is about two hundred widget models). ``unusable``: why the configured
        workspace (config.json, environment) could not be used; said under the header until another
        workspace is chosen. ``scheduler``: where redraws run (default the UI's thread; tests pass one
        with a fake clock). ``clock``: the panel state's (:mod:`.state`: finished bars, unseen views)."""
        w = ipywidgets_module()
        self.ws = workspace
        self._lock = threading.RLock()
        self.state = PanelState(local=workspace.ref.local, clock=clock)  # every decision; the widgets draw it
        self._watched: weakref.WeakSet[Operation] = weakref.WeakSet()  # ids would be reused after GC
        # Redraws on the UI's scheduler thread, at most a few a second (a poller callback never waits for one).
        self._redraw = Throttle(self._render, 1.0 / RENDERS_PER_SECOND, defer=True, scheduler=scheduler)
        self.costs: Costs | None = None  # the header's bill, from the last listing
        self._costing = False
        self.paused = False
        self.hidden = False  # the front end said its tab is hidden (set_visible)
        self.tools: ComputeTools | None = None
        self.header = w.HTML(layout=w.Layout(flex="1 1 auto", min_width="0"))  # it wraps; the button keeps its room
        self.header.add_class("jupyter-compute-header")
        self.notice = w.HTML()
        self.notice.add_class("jupyter-compute-notice")
        if unusable is not None:
            self.notice.value = error(unusable_notice(unusable))
        self.workspace_choice = w.Dropdown(
            description="Workspace", style={"description_width": "6em"}, layout=fill_layout()
        )
        self._azure_fields: dict[str, Any] | None = None  # built when first chosen (_build_azure_box)
        self.azure_box = w.VBox(layout=w.Layout(width="100%", display="none"))
        self.search = w.Combobox(
            placeholder="search your workspaces…",
            ensure_option=True,
            layout=w.Layout(width="100%", display="none"),
        )  # shown when "find" brings more workspaces than a menu reads well
        self.search.observe(self._on_search, names="value")
        self.sign_in_box = w.VBox(layout=w.Layout(width="100%"))  # the sign-in card, once "sign in" is chosen
        self.everywhere_box = w.VBox(layout=w.Layout(width="100%"))  # "all workspaces", once chosen
        self.refresh_button = w.Button(
            icon="refresh",
            tooltip="Refresh the list now",
            layout=w.Layout(width="auto", min_width="2.5em", flex="0 0 auto"),
        )
        self.refresh_button.add_class("jupyter-compute-refresh")
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.table = ComputeTable(layout=w.Layout(width="100%"))
        # The sidebar's kernel outlives the page: with no view alive for this long it stops polling.
        self.pause_after: float | None = PAUSE_AFTER_HEARTBEATS * self.table.heartbeat_seconds if form_later else None
        self.table.on_msg(self._on_table_msg)
        self.tools_box = w.VBox(layout=w.Layout(width="100%"))
        self.ops = w.VBox(layout=w.Layout(width="100%"))
        self.pending = w.HTML(layout=fill_layout())  # bars of operations whose compute is not listed yet
        self.message = w.HTML()
        self.message.add_class("jupyter-compute-message")
        # The sidebar's forms open in main-area tabs: it holds only the kind menu (fewer models to open).
        self.new: NewForm | KindMenu = (
            KindMenu(workspace) if form_later else NewForm(workspace, on_submitted=self._on_tick_soon)
        )
        self._found: list[FoundWorkspace] = []  # the workspaces the sign-in sees, once "find" has listed them
        self._account: Account | None = None
        self._finding = False
        self.save_config_button = w.Button(
            description="Save as config.json",
            icon="save",
            tooltip="Write this workspace as config.json in the panel's folder (notebooks there then use it)",
            layout=w.Layout(width="auto", display="none"),
        )
        self.save_config_button.on_click(lambda _b: self.save_config())
        self._replace_config = False  # the next click replaces an existing config.json (asked once)
        self.widget = PanelBox(
            [
                w.HBox(
                    [self.header, self.refresh_button], layout=w.Layout(justify_content="space-between", width="100%")
                ),
                self.notice,
                self.workspace_choice,
                self.search,
                self.azure_box,
                self.sign_in_box,
                self.save_config_button,
                self.everywhere_box,
                self.ops,
                self.table,
                self.tools_box,
                self.message,
                w.HTML("<hr style='margin:6px 0'>"),
                *self.new.children,
            ],
            fallback=self._fallback,
            layout=w.Layout(width="100%", padding="4px", overflow="hidden auto"),
        )
        self.widget.add_class("jupyter-compute-panel")
        self._choices: dict[str, Workspace] = {}
        self._choosing = False
        self._set_choices(workspace)
        self.workspace_choice.observe(self._on_choice, names="value")
        self._show_workspace()
        if not form_later:
            self.new_form()
        self.refresh()
        workspace.poller.add_listener(self._on_tick, on_error=self._on_list_error)
        workspace.poller.on_track(self._on_tracked)

    # --- the workspace ----------------------------------------------------------------------------

    def _set_choices(self, current: Workspace) -> None:
        """The menu: the local workspace, the configured one, the shown one, those "find" listed; then "an
        Azure workspace…" (typed in) and, until found, "find my Azure workspaces…"."""
        choices = {"local": Workspace.local()}
        resolved, _unusable = Workspace.configured()
        found = [Workspace.shared(self._account_for().ref(f)) for f in self._found] if self._found else []
        for ws in (resolved, current, *found):
            if not ws.ref.is_default_local:
                choices.setdefault(_choice_key(ws), ws)
        self._choices = choices
        labels = [(self._label(ws), key) for key, ws in choices.items()]
        labels.append(("an Azure workspace…", "azure"))
        if not self._found:
            labels.append(("finding your workspaces…" if self._finding else "find my Azure workspaces…", FIND))
        labels.append(("all workspaces: every compute and the bill (read-only)", ALL))
        labels.append(("sign in to Azure…", SIGN_IN))
        current_key = next(key for key, ws in choices.items() if ws is current)
        self._choosing = True  # setting the options moves the value: not a user's choice
        try:
            self.workspace_choice.options = labels
            self.workspace_choice.value = current_key
        finally:
            self._choosing = False

    @property
    def azure_fields(self) -> dict[str, Any]:
        """The subscription, resource group and workspace fields of "an Azure workspace…"."""
        return self._build_azure_box()

    def _build_azure_box(self) -> dict[str, Any]:
        """The fields of "an Azure workspace…" and its button, built the first time they are needed (the
        panel opens with fewer widget models)."""
        if self._azure_fields is None:
            w = ipywidgets_module()
            fields = {
                key: w.Text(description=label, style={"description_width": "6em"}, layout=fill_layout())
                for key, label in (
                    ("subscription_id", "subscription"),
                    ("resource_group", "group"),
                    ("name", "workspace"),
                )
            }
            use = w.Button(description="Use this workspace", layout=w.Layout(width="auto"))
            use.on_click(lambda _b: self.use_azure())
            self.azure_box.children = (*fields.values(), use)
            self._azure_fields = fields
        return self._azure_fields

    def _on_choice(self, change: Mapping[str, Any]) -> None:
        key = change["new"]
        if self._choosing:
            return
        if key == "azure":
            self._build_azure_box()
        self.azure_box.layout.display = "flex" if key == "azure" else "none"
        if key == FIND:
            self.find_workspaces()
        if key == SIGN_IN:
            self.sign_in()
        if key == ALL:
            self.show_all_workspaces()
        if key in self._choices and self._choices[key] is not self.ws:
            self.switch(self._choices[key])

    def _account_for(self) -> Account:
        """Whose workspaces "find" lists: the sign-in's, in the cloud of the workspace shown."""
        if self._account is None:
            from ...service.account import Account

            self._account = Account(self.ws.ref.cloud_name)
        return self._account

    def find_workspaces(self) -> threading.Thread | None:
        """List the workspaces the sign-in sees on a thread of its own (the kernel stays free); they join
        the menu, and the message line says how far it got and which subscriptions were not listed."""
        with self._lock:
            if self._finding:
                return None
            self._finding = True
        self.message.value = html("<span>{}</span>", FINDING)

        def run() -> None:
            try:
                found = self._account_for().workspaces(
                    progress=lambda done, total: setattr(
                        self.message, "value", str(html("<span>{} {}/{}</span>", FINDING, done, total))
                    )
                )
            except ComputeError as exc:
                self.message.value = error(exc)
                with self._lock:
                    self._finding = False
                self._set_choices(self.ws)
                return
            with self._lock:
                self._found, self._finding = list(found.workspaces), False
            self._set_choices(self.ws)
            if len(found.workspaces) > SEARCH_FROM:
                self.search.options = [label for label, key in self.workspace_choice.options if key in self._choices]
                self.search.layout.display = ""
            lines = [f"{len(found.workspaces)} workspaces found: choose one above."]
            lines += [f"not listed: {u.line()}" for u in found.unlisted]
            self.message.value = Markup("").join(html("<div>{}</div>", line) for line in lines)

        ctx = contextvars.copy_context()
        thread = threading.Thread(target=ctx.run, args=(run,), name="jupyter-compute-find", daemon=True)
        thread.start()
        return thread

    def show_all_workspaces(self) -> SurveyView:
        """Every compute in every workspace the sign-in sees and the bill, read-only (its rows act on no
        workspace: switch to one from the menu to act there), under the menu, with a Close button; filled
        from a thread of its own."""
        from ...service.account import Survey
        from ..deferred import SurveyView

        w = ipywidgets_module()
        view = SurveyView(Survey(self._account_for()), both=True)
        close = w.Button(description="Close", layout=w.Layout(width="auto"))
        close.on_click(lambda _b: setattr(self.everywhere_box, "children", ()))
        self.everywhere_box.children = (view.html, close)
        self._set_choices(self.ws)
        return view

    def _on_search(self, change: Mapping[str, Any]) -> None:
        """A workspace typed (and completed) in the search box: shown as if chosen from the menu."""
        key = dict(self.workspace_choice.options).get(change["new"])
        if key is not None:
            self.workspace_choice.value = key
            self.search.value = ""

    def sign_in(self) -> SignIn:
        """Sign in with a code (the card under the menu shows the link and the code, then who signed in);
        once signed in, the workspaces the sign-in sees are found and join the menu."""
        from ...service.signin import SignIn
        from ..deferred import SignInCard

        sign_in = SignIn(cloud_name=self.ws.ref.cloud_name)
        card = SignInCard(sign_in)
        self.sign_in_box.children = (card,)

        def changed(current: SignIn) -> None:
            card.update(current)
            if current.state == "signed-in":
                with self._lock:
                    self._found, self._account = [], None  # what the new sign-in sees, not the last one
                self.find_workspaces()

        sign_in.start(on_change=changed)
        self._set_choices(self.ws)  # the menu shows the workspace again, not the action
        return sign_in

    def save_config(self) -> Path | None:
        """Write the shown workspace as config.json in the panel's folder; an existing file is replaced only
        by a second click, after the message line said it exists."""
        from ...service.ref import config_path, write_config

        target = config_path(Path.cwd())
        replace, self._replace_config = self._replace_config, False
        if target.exists() and not replace:
            self._replace_config = True
            self.save_config_button.description = "Replace config.json"
            self.message.value = error(
                f"{target} exists; it was left as it is. Click “Replace config.json” to write over it."
            )
            return None
        try:
            written = write_config(self.ws.ref, target, replace=replace)
        except ComputeError as exc:
            self.message.value = error(exc)
            return None
        finally:
            self.save_config_button.description = "Save as config.json"
        self.message.value = html(
            "<span>Saved as {}: notebooks in this folder now use {}.</span>", written, self.ws.ref.workspace_name
        )
        return written

    def use_azure(self) -> None:
        """Switch to the Azure workspace typed in (subscription, resource group, workspace); fields that
        break Azure's naming rules are said in the message line, and the panel stays where it was."""
        values = {key: field.value.strip() for key, field in self.azure_fields.items()}
        missing = [key for key, value in values.items() if not value]
        if missing:
            self.message.value = error(f"Give the {', '.join(missing)} of the workspace.")
            return
        try:
            chosen = Workspace.azure(values["subscription_id"], values["resource_group"], values["name"])
        except ValidationError as exc:  # a click handler's exception would show nowhere
            self.message.value = error(exc)
            return
        self.switch(chosen)

    def switch(self, workspace: Workspace) -> None:
        """Show another workspace: its list, its sizes in the forms, its operations."""
        self.ws.poller.remove_listener(self._on_tick)
        self.ws.poller.on_track(self._on_tracked, remove=True)
        with self._lock:
            self.ws = workspace
            self.state.clear()
            self.state.local = workspace.ref.local
            self.costs = None
        self.message.value = ""
        self.notice.value = ""
        self._set_choices(workspace)
        self.azure_box.layout.display = "none"
        self._show_workspace()
        self.new.switch(workspace)
        self.refresh()
        workspace.poller.add_listener(self._on_tick, on_error=self._on_list_error)
        workspace.poller.on_track(self._on_tracked)

    @staticmethod
    def _short(ws: Workspace) -> str:
        ref = ws.ref
        return "local (offline)" if ref.local else f"{ref.workspace_name} ({ref.resource_group})"

    def _label(self, ws: Workspace) -> str:
        """A menu entry: a found workspace also names its subscription and region."""
        ref = ws.ref
        key = (ref.subscription_id.lower(), ref.resource_group.lower(), ref.workspace_name.lower())
        found = next((f for f in self._found if f.key == key and f.local == ref.local), None)
        if found is None:
            return self._short(ws)
        subscription = found.subscription_name or found.subscription_id
        return f"{found.name} ({found.resource_group}) · {subscription}, {found.location}"

    def _show_workspace(self, count: int | None = None) -> None:
        described = self.ws.ref.describe()
        self.save_config_button.layout.display = "none" if self.ws.ref.is_default_local else ""
        self.workspace_choice.tooltip = described
        shown = "" if count is None else f" · {computes_phrase(count)}"
        costs = self.costs
        bill = Markup("")
        if costs is not None and count is not None:
            flags = "\n".join(flag_line(c) for c in costs.flagged)
            bill = html(
                " · <span class='jupyter-compute-bill' title='{}'>{}</span>",
                flags or "What runs now, at its price an hour",
                bill_summary(costs),
            )
        value = html("<b title='{}'>Compute</b><span style='opacity:.7'>{}{}</span>", described, shown, bill)
        if self.header.value != value:
            self.header.value = value

    def _bill(self, listed: Sequence[Mapping[str, Any]]) -> None:
        """The header's bill from the listing just had (no request of its own but the region's prices,
        cached for a day), in the background; one at a time: a tick while one is computed is skipped."""
        with self._lock:
            if self._costing:
                return
            self._costing = True
            ws = self.ws

        def work() -> None:
            try:
                costs: Costs | None = ws.costs(listed=listed)
            except Exception:  # the header goes without a bill rather than the tick failing
                log.warning("jupyter-compute: the panel's bill failed", exc_info=True)
                costs = None
            with self._lock:
                self._costing = False
                if ws is not self.ws:
                    return
                self.costs = costs
            self._redraw.request()

        threading.Thread(target=work, name="jupyter-compute-bill", daemon=True).start()

    # --- the list -------------------------------------------------------------------------------

    def refresh(self) -> None:
        """List now and draw at once (a click on refresh, the panel's first listing)."""
        try:
            listed = self.ws.list_bodies()
        except ComputeError as exc:
            self._on_list_error(exc)
            return
        self._on_tick(listed)
        self._render()

    def _on_list_error(self, exc: Exception) -> None:
        """A tick could not list the workspace: its rows go (their buttons would act on a workspace that
        does not answer) and one line above the list says why, until a listing succeeds again."""
        reason = str(exc) if isinstance(exc, ComputeError) else f"{type(exc).__name__}: {exc}"
        with self._lock:
            self.state.listing_failed()
            self.costs = None  # a bill of computes not listed now would be a guess
            self.tools_box.children = ()
            self.table.problem = (
                f"Could not list the workspace: {' '.join(reason.split())} "
                f"(trying again every {self.ws.poller.interval:g} s)"
            )
        self._render()

    def _on_tick(self, listed: Sequence[Mapping[str, Any]]) -> None:
        """A fresh listing: follow what other kernels or processes started, then redraw the rows."""
        if self._pause_if_unseen():
            return
        with self._lock:
            if self.state.list_failed:
                self.table.problem = ""
            for compute in self.state.listing(listed, self.ws.poller.in_flight()):
                self.ws.follow(compute.name, compute.body)
            self._track_in_flight()  # now, not at the redraw: an operation may end before it
        self._bill(listed)
        # On this tick when the last redraw is old enough, else with the next: at most RENDERS_PER_SECOND
        # redraws, operations' included, however fast ticks come.
        self._redraw.request(here=True)

    def _render(self) -> None:
        """Draw what the panel state decides (:meth:`PanelState.draw`): the rows as data for the table (one
        message when anything changed), bars of operations whose compute is not listed yet, the count in
        the header."""
        with self._lock:
            self._track_in_flight()
            drawn = self.state.draw(self.ws.poller.in_flight())
            self.table.show_rows(cast(list[dict[str, Any]], drawn.rows))  # the trait holds plain dicts: Rows
            shown = str(Markup("").join(bar_html(op) for op in drawn.pending))
            if self.pending.value != shown:
                self.pending.value = shown
            children = (self.pending,) if drawn.pending else ()
            if tuple(self.ops.children) != children:
                self.ops.children = children
            self._show_workspace(len(drawn.rows))

    def _on_tracked(self, op: Operation) -> None:
        """An operation of this workspace started in this process (a magic, another panel): its bar from now,
        however fast it ends (a listing may be half a minute away)."""
        with self._lock:
            self.state.follow(op)
            self._watch(op)
            unseen = self.paused or self.hidden
        if not unseen:  # a panel nobody looks at is drawn when it is seen again
            self._redraw.request()

    def _track_in_flight(self) -> None:
        """Each operation in flight becomes its row's last operation (its bar), watched (under the lock)."""
        in_flight = self.ws.poller.in_flight()
        self.state.track(in_flight)
        for op in in_flight:
            self._watch(op)

    def _watch(self, op: Operation) -> None:
        """Redraw when ``op`` moves (once per operation)."""
        if op not in self._watched:
            self._watched.add(op)
            op.add_listener(self._on_op)

    def _on_op(self, op: Operation) -> None:
        """An operation moved: redraw soon, at most RENDERS_PER_SECOND whatever the number of bars, an ending
        too (with hundreds ending, "at once" each time flooded the page's connection: issue 29); and when it
        ended, list at once while the panel is shown: the row's state, or the row itself after a delete, is
        the listing's, and the next listing may be half a minute away."""
        if self.paused or self.hidden:  # drawn, and listed, when it is seen again
            return
        if op.done():
            with self._lock:  # the compute as the operation last read it, until the listing comes
                self.state.ended(op)
        self._redraw.request()
        if op.done():
            self.ws.poller.poll_now()

    def rows_by_name(self) -> dict[str, Row]:
        return {row["name"]: cast(Row, row) for row in self.table.rows}

    def _on_table_msg(self, _widget: Any, content: Mapping[str, Any], _buffers: Any) -> None:
        self.seen()
        if isinstance(content, Mapping) and {"action", "name"} <= set(content):
            self.act(str(content["action"]), str(content["name"]))

    def seen(self) -> None:
        """A view of the list is shown (a heartbeat or a click): poll again if the panel had paused."""
        with self._lock:
            self.state.seen()
        if self.paused and not self.hidden:
            self.paused = False
            self.message.value = ""
            self.ws.poller.add_listener(self._on_tick, on_error=self._on_list_error)
            self._on_tick_soon()

    def set_visible(self, shown: bool) -> None:
        """The front end says the panel's tab was shown or hidden: a hidden panel lists nothing (operations in
        flight are still followed, each by its own compute); shown again, it lists at once."""
        if shown:
            self.seen()
            if not self.hidden:
                return
            self.hidden = self.paused = False
            self.ws.poller.add_listener(self._on_tick, on_error=self._on_list_error)
            self._on_tick_soon()
        elif not self.hidden:
            self.hidden = True
            self.ws.poller.remove_listener(self._on_tick)

    def _pause_if_unseen(self) -> bool:
        """No view has said it is alive for a while (the page was closed, the kernel forgotten): stop
        polling the workspace until one does; operations in flight are still followed to their end."""
        with self._lock:
            if not self.state.unseen(self.pause_after):
                return False
        self.paused = True
        self.ws.poller.remove_listener(self._on_tick)
        self.message.value = "Paused while nobody was looking; refreshing…"
        return True

    def act(self, action: str, name: str) -> Operation | None:
        """A row action (delete and detach come after the view's confirm): power and delete/detach act at
        once; details, resize and edit open the pane below. The state is checked again here: a click on a row
        drawn before its state changed is refused with a sentence on the row, and nothing is sent."""
        with self._lock:
            compute, why = self.state.allowed(action, name)
            if compute is None:
                return None
            self.state.say(name, why)
        if why:
            self._render()
            return None
        row_action = ROW_ACTIONS[action]
        if row_action.run is None:
            if (
                self.tools is not None
                and not self.tools.closed
                and (self.tools.name, self.tools.mode)
                == (
                    compute.name,
                    action,
                )
            ):
                self.tools.close()  # a second click closes it
                return None
            self.tools = ComputeTools(self.ws, compute, action, self._on_tick_soon, self._started)
            self.tools_box.children = (self.tools.widget,)
            self._render()
            return None
        try:
            op: Operation = row_action.run(self.ws, compute.name)
        except ComputeError as exc:
            with self._lock:
                self.state.say(name, str(exc))
            self._render()
            return None
        with self._lock:  # its bar (and, if a check refuses it, its error) on the row, however fast it ends
            self.state.follow(op)
        self._on_tick_soon()
        return op

    def edit_pane(self, name: str) -> Any:
        """The edit pane of ``name`` for a main-area tab (:func:`edit_tab`): what ``update`` changes, with
        Apply and Cancel; an update started there has its bar on the row. When the compute is not listed or
        cannot be edited now, the tab says why instead (nothing can be sent from it)."""
        with self._lock:
            compute, why = self.state.allowed("edit", name)
        if compute is not None and not why:
            return ComputeTools(self.ws, compute, "edit", self._on_tick_soon, self._started, in_tab=True).widget
        w = ipywidgets_module()
        said = w.HTML(error(why or f"{name} is not listed in {self._short(self.ws)} now; nothing can be edited."))
        said.add_class("jupyter-compute-tools-message")
        cancel = w.Button(description="Close", layout=w.Layout(width="auto"))
        cancel.add_class("jupyter-compute-edit-cancel")
        box = w.VBox([said, cancel], layout=fill_layout(max_width="52em", padding="8px 12px"))
        box.add_class("jupyter-compute-edit-tab")
        return box

    def _started(self, op: Operation) -> None:
        """An operation started from the pane below the list: its bar (and a refusal) on its row."""
        with self._lock:
            self.state.started(op)

    def _fallback(self) -> tuple[str, str]:
        """The panel as text and HTML where widgets do not render (an exported notebook): the header,
        then the list as ``%compute list`` shows it, or why the workspace could not be listed."""
        with self._lock:
            listed = list(self.state.listed)
            problem = self.table.problem
        title = f"Compute · {self._short(self.ws)}"
        if problem:
            return f"{title}\n{problem}", output(html("<p><b>{}</b></p><p>{}</p>", title, problem))
        text = f"{title} · {len(listed)} compute{'s' if len(listed) != 1 else ''}\n{computes_text(listed)}"
        return text, output(html("<p><b>{}</b></p>{}", title, computes_html(listed)))

    def _on_tick_soon(self) -> None:
        """After an action: the poller lists at once, in its thread (a click never waits for a list)."""
        self._render()  # the new operation's bar, before the listing comes back
        self.ws.poller.poll_now()

    # --- the form (./new.py; these delegate to it) ------------------------------------------------

    def _full(self) -> NewForm:
        """The notebook panel's form (the sidebar's panel has none: its forms open in tabs, :func:`form_tab`)."""
        if not isinstance(self.new, NewForm):
            raise TypeError("the sidebar's Compute panel opens its forms in main-area tabs (form_tab)")
        return self.new

    @property
    def kind(self) -> Any:
        return self.new.kind

    @property
    def form(self) -> SpecForm | None:
        return self.new.form

    @property
    def form_ready(self) -> threading.Event:
        return self.new.form_ready

    @property
    def form_box(self) -> Any:
        return self._full().form_box

    @property
    def output(self) -> Any:
        return self._full().output

    @property
    def copy_text(self) -> Any:
        return self._full().copy_text

    @property
    def create_button(self) -> Any:
        return self._full().create_button

    def sizes(self) -> list[dict[str, Any]]:
        return self._full().sizes()

    def new_form(self) -> SpecForm:
        return self._full().new_form()

    def preview(self) -> dict[str, Any] | None:
        return self._full().preview()

    def copy_magic(self) -> str | None:
        return self._full().copy_magic()

    def copy_yaml(self) -> str | None:
        return self._full().copy_yaml()

    def create(self) -> Operation | None:
        return self._full().create()

    def close(self) -> None:
        self.ws.poller.remove_listener(self._on_tick)
        self.ws.poller.on_track(self._on_tracked, remove=True)
        self._redraw.cancel()


def _choice_key(ws: Workspace) -> str:
    """A workspace's key in the menu (a found one in the local workspace is told apart by its ids)."""
    ref = ws.ref
    return f"local:{ref.arm_path.lower()}" if ref.local else ref.describe()


_panels: dict[Any, ComputePanel] = {}  # one per workspace and kernel, for the life of the kernel (it is shown)
_panels_lock = threading.Lock()


def panel_for(
    workspace: Workspace, *, form_later: bool = False, unusable: ValidationError | None = None
) -> ComputePanel:
    """The panel of a workspace in this kernel (built once; shown again on every call)."""
    with _panels_lock:  # the sidebar and a notebook cell may ask at once: still one panel
        if workspace.ref not in _panels:
            _panels[workspace.ref] = ComputePanel(workspace, form_later=form_later, unusable=unusable)
        return _panels[workspace.ref]


def sidebar() -> Any:
    """The panel in the JupyterLab sidebar's own kernel: the workspace a notebook in the server's root
    folder would use (the header names it, so the local-workspace notice is not printed). Shown as its
    widget view alone: no text or HTML of the list for an output area that is never saved."""
    workspace, unusable = Workspace.configured()
    return ViewOnly(panel_for(workspace, form_later=True, unusable=unusable).widget)


def forms() -> list[dict[str, str]]:
    """The panel's kind menu in order, one entry per kind: ``kind`` (what :func:`sidebar_form` takes),
    ``label``, ``verb`` (``create`` or ``attach``) and ``title``. The lab extension asks the panel's
    kernel for it to build its "New …" commands, so the kinds are listed in Python only."""
    return kinds.forms()


def sidebar_shown(shown: bool) -> None:
    """The lab extension's Compute tab was shown or hidden: its panel lists the workspace only while shown."""
    workspace, unusable = Workspace.configured()
    panel_for(workspace, form_later=True, unusable=unusable).set_visible(shown)


def sidebar_form(kind: str) -> None:
    """Choose ``kind`` in the sidebar panel's "New" menu (its "New …" button opens that form in a tab)."""
    workspace, unusable = Workspace.configured()
    panel_for(workspace, unusable=unusable).kind.value = kind


def form_tab(kind: str) -> Any:
    """A "New" form of ``kind`` for a JupyterLab main-area tab (the lab extension's "New …" commands and
    the sidebar's button run this in the sidebar's kernel): a create there shows up in the sidebar's list."""
    workspace, unusable = Workspace.configured()
    panel = panel_for(workspace, form_later=True, unusable=unusable)
    new = NewForm(panel.ws, on_submitted=panel._on_tick_soon, kind=kind)
    new.new_form()
    box = ipywidgets_module().VBox(list(new.children), layout=fill_layout(max_width="52em", padding="8px 12px"))
    box.add_class("jupyter-compute-form-tab")
    _tabs[box.model_id] = box
    return box


def edit_tab(name: str) -> Any:
    """The edit pane of compute ``name`` for a JupyterLab main-area tab (the lab extension runs this in the
    sidebar's kernel when a row's "edit" is clicked there): an update applied there shows on the sidebar's row.
    Closed by :func:`close_form_tab`, like a form's tab."""
    workspace, unusable = Workspace.configured()
    box = panel_for(workspace, form_later=True, unusable=unusable).edit_pane(name)
    _tabs[box.model_id] = box
    return box


_tabs: dict[str, Any] = {}  # the tabs' forms and edit panes by their box's model id, until the tab is closed


def close_form_tab(model_id: str) -> None:
    """A main-area form or edit tab was closed: its widgets go from the kernel (the lab extension runs this)."""
    box = _tabs.pop(model_id, None)
    if box is not None:
        close_tree(box)


def show_panel(session: Any) -> Any:
    """``%compute panel``: the panel of the session's workspace (or, when none was chosen and the
    configuration is invalid, the local one with the reason under its header)."""
    chosen = getattr(session, "workspace", None)
    if chosen is not None:
        return panel_for(Workspace.resolve(chosen)).widget
    workspace, unusable = Workspace.configured()
    return panel_for(workspace, unusable=unusable).widget
