"""The Jupyter server's part of the Compute tab: its first paint.

A new panel kernel takes a second or more to start before the panel's code can list the workspace
(bench/panel_open.py). Meanwhile the lab extension asks this server extension for the rows, drawn by the
list's own front end (ui/panel/static/table.js) with their actions held until the kernel's panel takes
over a moment later. One route, one call of the Python API under it, as dask-labextension's handlers:

    GET {base_url}jupyter-compute/rows?path=jupyter-compute/panel
    200 {"rows": [...], "header": "Compute · 3 computes", "title": "...", "notice": "", "empty_text": "..."}
    404 {"message": "..."}   the folder is hidden or leaves the server's root (the contents API's rules)
    503 {"message": "..."}   the workspace could not be listed, too many listings are under way, or the
                             listing passed its deadline (the panel says why when it is up)

``path`` is the panel's session path: the workspace is resolved from the folder its kernel starts in
(config.json upwards, then the environment, then the local workspace), as the kernel's panel does. That
folder is refused as the contents API refuses a file: hidden (the contents manager's own ``is_hidden``,
unless it has ``allow_hidden``) or, through a symlink, outside the server's root.

The listing runs on the route's own thread pool (:class:`ComputeRows`), never on the event loop's default
executor, which Jupyter Server uses for kernelspecs and the contents API: slow workspaces cannot starve
those. At most ``listings`` run at once (a page reload asking for a folder already being listed shares its
listing; a listing past its deadline still counts until its thread ends); more answer 503 at once, and one
that takes longer than ``deadline`` seconds answers 503. Both are traitlets settings of the server
(``--ComputeRows.listings=4 --ComputeRows.deadline=30``). Nothing secret is in a row (names, kinds,
sizes, states, links the service gives).
"""

from __future__ import annotations

import asyncio
import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import ensure_async, to_api_path, url_path_join
from tornado import web
from traitlets import Float, Int
from traitlets.config import LoggingConfigurable

from ..errors import ComputeError
from ..service.workspace import Workspace
from ..ui.rows import EMPTY_TEXT, computes_phrase, row_of, unusable_notice

ROUTE = "jupyter-compute/rows"
SETTING = "jupyter_compute_rows"  # where the web app's settings keep the route's ComputeRows


def first_paint(folder: Path) -> dict[str, Any]:
    """What the Compute tab shows before its kernel is up, for a kernel started in ``folder``."""
    workspace, unusable = Workspace.configured(folder)
    computes = workspace.list()
    return {
        "header": f"Compute · {computes_phrase(len(computes))}",
        "title": workspace.ref.describe(),
        "notice": unusable_notice(unusable) if unusable is not None else "",
        "rows": [row_of(compute) for compute in computes],
        "empty_text": EMPTY_TEXT,
    }


class Refused(Exception):
    """The route answers ``status`` with ``message`` instead of the rows."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class ComputeRows(LoggingConfigurable):
    """The first paint's listings: a thread pool of their own, a bound and a deadline. The event loop's
    thread is the only one that reads or writes ``running``, so it needs no lock."""

    listings = Int(
        4, config=True, help="Workspace listings run at once for the Compute tab's first paint; more answer 503."
    )
    deadline = Float(
        30.0, config=True, help="Seconds a first paint's listing may take; after them the route answers 503."
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pool = ThreadPoolExecutor(max(1, self.listings), thread_name_prefix="jupyter-compute-rows")
        self.running: dict[Path, asyncio.Future[dict[str, Any]]] = {}

    async def paint(self, folder: Path) -> dict[str, Any]:
        """The first paint of ``folder``: shared with a listing of it under way, else a new one if there is
        room; :class:`Refused` (503) when there is none or the deadline passes, or the workspace refuses."""
        listing = self.running.get(folder)
        if listing is None:
            if len(self.running) >= max(1, self.listings):
                raise Refused(
                    503,
                    f"{len(self.running)} workspace listings are under way (at most {self.listings}); "
                    "the panel lists the workspace when its kernel is up",
                )
            listing = asyncio.get_running_loop().run_in_executor(self.pool, first_paint, folder)
            self.running[folder] = listing
            listing.add_done_callback(lambda _done: self.running.pop(folder, None))
        try:
            return await asyncio.wait_for(asyncio.shield(listing), self.deadline)
        except TimeoutError:
            raise Refused(
                503,
                f"the workspace did not answer within {self.deadline:g} s; the panel lists it when its kernel is up",
            ) from None
        except ComputeError as exc:
            raise Refused(503, str(exc)) from None


async def kernel_folder(path: str, kernel_manager: Any, contents_manager: Any) -> Path:
    """The folder a kernel of session ``path`` starts in (the kernel manager's ``cwd_for_path``), refused
    as the contents API refuses it: ``..`` (400); hidden, as the contents manager says, unless it allows
    hidden files; outside the root once its symlinks are followed (404, the contents API's answer)."""
    if ".." in path.split("/") or "\\" in path:
        raise Refused(400, "path: the panel's session path, a folder under the server's root without '..'")
    root = str(kernel_manager.root_dir)
    folder = str(kernel_manager.cwd_for_path(path))
    gone = Refused(404, "no such folder under the server's root")
    if not contents_manager.allow_hidden and await ensure_async(contents_manager.is_hidden(to_api_path(folder, root))):
        raise gone
    real, real_root = os.path.realpath(folder), os.path.realpath(root)
    if real != real_root and not real.startswith(real_root.rstrip(os.sep) + os.sep):
        raise gone
    return Path(folder)


class RowsHandler(APIHandler):
    @web.authenticated
    async def get(self) -> None:
        rows: ComputeRows = self.settings[SETTING]
        self.set_header("Cache-Control", "no-store")
        try:
            folder = await kernel_folder(self.get_argument("path", ""), self.kernel_manager, self.contents_manager)
            paint = await rows.paint(folder)
        except Refused as refused:
            self.set_status(refused.status)
            self.finish(json.dumps({"message": str(refused)}))
            return
        self.finish(json.dumps(paint))


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Add the first paint's route to a Jupyter server (``jupyter_compute`` is enabled by the file the
    package installs in etc/jupyter/jupyter_server_config.d)."""
    web_app = serverapp.web_app
    web_app.settings[SETTING] = ComputeRows(parent=serverapp)
    route = url_path_join(web_app.settings["base_url"], ROUTE)
    web_app.add_handlers(".*$", [(route, RowsHandler)])
