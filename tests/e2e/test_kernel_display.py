"""In a real kernel: a finished bar becomes static output and closes its widget models (but for its status
region, kept for the next bar, and the layouts all bars share), so creating and deleting computes leaves no
widget model per operation and no operation behind; and the public API shows bars and
tables in a notebook without ``%load_ext``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kernel_helpers import running_kernel

pytestmark = pytest.mark.kernel
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
N = 10

SETUP = """
import gc, json, time, weakref
import ipywidgets
from ipywidgets.widgets.widget import _instances
def settle(check, seconds=60):
    deadline = time.monotonic() + seconds
    while not check() and time.monotonic() < deadline:
        gc.collect()
        time.sleep(0.05)
    return check()
"""


def last_json(text: str) -> dict[str, object]:
    return dict(json.loads(text.strip().splitlines()[-1]))


def test_created_and_deleted_computes_leave_no_widget_model_and_no_operation(isolated_state: Path) -> None:
    with running_kernel(isolated_state, JUPYTER_COMPUTE_SPEED="200", JUPYTER_COMPUTE_POLL_INTERVAL="0.05") as kernel:
        kernel.execute("%load_ext jupyter_compute")
        kernel.execute(SETUP + "base = len(_instances)")
        created = kernel.execute(
            f"ops = [get_ipython().run_line_magic('compute', f'create cluster leak{{i:02d}}x --max-instances 1') "
            f"for i in range({N})]\n"
            "refs = [weakref.ref(op) for op in ops]"
        )
        bars = [m for m in kernel.outputs(created) if m["msg_type"] == "display_data"]
        # the first magic's local-workspace notice is a display of its own (text, no widget)
        bars = [m for m in bars if "jupyter-compute-notice" not in m["content"]["data"].get("text/html", "")]
        assert len(bars) == N and all(WIDGET_VIEW in m["content"]["data"] for m in bars), "each bar is shown"
        kernel.execute("assert all(o.wait(60).done() for o in ops)")
        unneeded = kernel.execute(
            "import sys\nprint(json.dumps({'loaded': [m for m in ('azure.identity', 'jsonschema', 'yaml', "
            "'jupyter_compute.ui.panel') if m in sys.modules]}))"
        )
        assert last_json(kernel.text(unneeded)) == {"loaded": []}, "a local create in a kernel stays light"
        deleted = kernel.execute(
            f"gone = [get_ipython().run_line_magic('compute', f'delete leak{{i:02d}}x') for i in range({N})]\n"
            "refs += [weakref.ref(op) for op in gone]\n"
            "[op.wait(60) for op in gone]\n"
            "statuses = sorted({op.status for op in ops + gone})\n"
            "del ops, gone\n"
            "from jupyter_compute.ui.progress_bar import REGIONS\n"
            "closed = settle(lambda: len(_instances) == base + len(REGIONS) + 4)\n"
            "collected = settle(lambda: all(r() is None for r in refs))\n"
            "print(json.dumps({'open': len(_instances) - base, 'closed': closed,\n"
            "                  'alive': sum(r() is not None for r in refs), 'statuses': statuses}))",
            timeout=180,
        )
        figures = last_json(kernel.text(deleted))
        assert figures["statuses"] == ["Succeeded"], figures
        opened = {
            m["content"]["comm_id"]: m["content"]["data"]["state"].get("_model_name")
            for m in kernel.messages
            if m["msg_type"] == "comm_open"
        }
        closed_ids = {m["content"]["comm_id"] for m in kernel.messages if m["msg_type"] == "comm_close"}
        tracks = {
            m["content"]["comm_id"]
            for m in kernel.messages
            if m["msg_type"] in ("comm_open", "comm_msg")
            and "role='progressbar'" in str(m["content"]["data"].get("state", {}).get("value", ""))
        }
        assert len(tracks) == 2 * N, "a bar (a progressbar) for each create and delete"
        # The page pays for every model it is sent, and anywidget's front end keeps a module per anywidget
        # model for the page's life (manzt/anywidget#613): a bar is a box and its HTML; the layouts and style
        # are shared by every bar; the status regions (the one anywidget) are given back and reused.
        own = [c for c, name in opened.items() if name in ("VBoxModel", "HTMLModel")]
        regions = {c for c, name in opened.items() if name == "AnyModel"}
        shared = {c for c, name in opened.items() if name in ("LayoutModel", "HTMLStyleModel")}
        assert len(own) == 2 * 2 * N and len(opened) == len(own) + len(regions) + len(shared), opened
        classes = {
            m["content"]["comm_id"]: m["content"]["data"]["state"].get("_dom_classes")
            for m in kernel.messages
            if m["msg_type"] == "comm_open"
        }
        # The lab extension lets a closed comm go only if it opened as ours (labextension/src/comms.ts).
        assert all(any(c.startswith("jupyter-compute") for c in classes[c] or ()) for c in own), (
            "a bar's box and HTML open with their classes"
        )
        assert len(shared) == 4, "one box layout, one view layout, one region layout, one style, for all bars"
        assert len(regions) <= N, f"the deletes' bars reused the regions the creates' gave back: {len(regions)}"
        assert set(own) <= closed_ids, "the front end was told to drop the box and HTML of every bar"
        kept = set(opened) - closed_ids
        assert kept <= regions | shared and figures["closed"] and figures["open"] == len(kept), (
            f"the ended bars closed every model but the kept regions and the shared layouts: {figures}"
        )
        assert figures["alive"] == 0, f"no operation is kept alive by its display: {figures}"
        finals = [
            m["content"]["data"]
            for m in kernel.messages
            if m["msg_type"] == "update_display_data" and WIDGET_VIEW not in m["content"]["data"]
        ]
        assert len(finals) == 2 * N, "every bar was replaced by its final line"
        assert all("done · " in f["text/plain"] and "jupyter-compute-progress" in f["text/html"] for f in finals)


def test_the_public_api_shows_bars_and_tables_without_load_ext(isolated_state: Path) -> None:
    with running_kernel(isolated_state, JUPYTER_COMPUTE_SPEED="40") as kernel:
        create = kernel.execute(
            "import jupyter_compute as jc\n"
            "ws = jc.Workspace.local()\n"
            "op = ws.create(jc.AmlComputeSpec.from_keywords(name='api-cl', max_instances=1))\n"
            "op"
        )
        shown = [m["content"]["data"] for m in kernel.outputs(create) if m["msg_type"] == "display_data"]
        assert len(shown) == 1 and WIDGET_VIEW in shown[0], kernel.text(create)
        kernel.execute("op.wait(60)")
        listing = kernel.execute("ws.list()")
        result = [m for m in kernel.outputs(listing) if m["msg_type"] == "execute_result"][0]["content"]["data"]
        assert "<table" in result["text/html"] and "api-cl" in result["text/html"]
        printed = kernel.execute("print(ws.list())")
        text = kernel.text(printed)
        assert "NAME" in text and "api-cl" in text and "Succeeded" in text, text
