"""The Jupyter server's part of the Compute tab: its first paint.

A new panel kernel takes a second or more to start before the panel's code can list the workspace
(bench/panel_open.py). Meanwhile the lab extension asks this server extension for the rows, drawn by the
list's own front end (ui/panel/static/table.js) with their actions held until the kernel's panel takes
over a moment later. One route, one call of the Python API under it, as dask-labextension's handlers:

    GET {base_url}jupyter-compute/rows?path=jupyter-compute/panel
    200 {"rows": [...], "header": "Compute · 3 computes", "title": "...", "notice": "", "empty_text": "..."}
    503 {"message": "..."}   the workspace could not be listed (the panel says why when it is up)

``path`` is the panel's session path: the workspace is resolved from the folder its kernel starts in
(config.json upwards, then the environment, then the local workspace), as the kernel's panel does.
The listing runs on a worker thread (asyncio.to_thread), never on the server's event loop; concurrent
asks for one folder share it. Nothing secret is in a row (names, kinds, sizes, states, links the service gives).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web

from ..errors import ComputeError
from ..service.workspace import Workspace
from ..ui.rows import EMPTY_TEXT, computes_phrase, row_of, unusable_notice

ROUTE = "jupyter-compute/rows"


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


class RowsHandler(APIHandler):
    # The first paints under way, by folder: a page reload while one lists shares it (the event loop's
    # thread is the only one that reads or writes this, so it needs no lock).
    running: dict[Path, asyncio.Task[dict[str, Any]]] = {}

    @web.authenticated
    async def get(self) -> None:
        path = self.get_argument("path", "")
        if ".." in path.split("/") or "\\" in path:
            raise web.HTTPError(400, "path: the panel's session path, a folder under the server's root without '..'")
        folder = Path(self.kernel_manager.cwd_for_path(path))  # type: ignore[no-untyped-call]
        task = self.running.get(folder)
        if task is None:
            task = asyncio.ensure_future(asyncio.to_thread(first_paint, folder))  # a listing can wait on the network
            self.running[folder] = task
            task.add_done_callback(lambda _done: self.running.pop(folder, None))
        self.set_header("Cache-Control", "no-store")
        try:
            paint = await task
        except ComputeError as exc:
            self.set_status(503)
            self.finish(json.dumps({"message": str(exc)}))
            return
        self.finish(json.dumps(paint))


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Add the first paint's route to a Jupyter server (``jupyter_compute`` is enabled by the file the
    package installs in etc/jupyter/jupyter_server_config.d)."""
    web_app = serverapp.web_app
    route = url_path_join(web_app.settings["base_url"], ROUTE)
    web_app.add_handlers(".*$", [(route, RowsHandler)])
