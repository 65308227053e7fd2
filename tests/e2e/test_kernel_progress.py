"""In a real kernel: `%compute create` returns at once, the kernel stays free (even during a blocking cell),
the widget bar keeps updating through comm messages and ends green with the nodes, or red with the ARM error;
after a kernel restart `%compute ops` and `%compute wait` pick the operation up again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kernel_helpers import Kernel, running_kernel

pytestmark = pytest.mark.kernel

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def bar_comm(kernel: Kernel) -> str:
    states = kernel.widget_states()
    return next(cid for cid, s in states.items() if "role='progressbar'" in str(s.get("value", "")))


def static_update(message: dict[str, Any]) -> bool:
    """A display replaced by static output (no widget view): how an ended bar stays in the cell."""
    return message["msg_type"] == "update_display_data" and WIDGET_VIEW not in message["content"]["data"]


def info_text(kernel: Kernel) -> str:
    states = kernel.widget_states()
    return " ".join(str(s.get("value", "")) for s in states.values() if s.get("_model_name") == "HTMLModel")


def test_create_returns_at_once_and_the_bar_follows_to_the_end(isolated_state: Path) -> None:
    # speed 6: the cluster takes about 8 s (create, then two nodes prepare)
    with running_kernel(isolated_state, JUPYTER_COMPUTE_SPEED="6") as kernel:
        kernel.execute("%load_ext jupyter_compute")
        create = kernel.execute(
            "op = %compute create cluster cl1 --size Standard_DS3_v2 --min-instances 2 --max-instances 2"
        )
        assert create["content"]["status"] == "ok"
        # the first magic's local-workspace notice is a display of its own (text, no widget)
        shown = [m for m in kernel.outputs(create) if m["msg_type"] == "display_data"]
        shown = [m for m in shown if "jupyter-compute-notice" not in m["content"]["data"].get("text/html", "")]
        assert len(shown) == 1 and WIDGET_VIEW in shown[0]["content"]["data"], "the bar is shown once"

        during = kernel.execute("print(op.status, op.done(), op.progress.phase)")
        assert "InProgress False" in kernel.text(during), "the next cell ran while the cluster was creating"

        blocking = kernel.execute("import time; time.sleep(5)")
        assert blocking["sent"] - blocking["started"] >= 5
        moved = [m for m in kernel.updates(bar_comm(kernel)) if blocking["started"] < m["sent"] < blocking["sent"]]
        assert len(moved) >= 3, "the bar kept moving (kernel-side send times) while a blocking cell ran"

        kernel.execute("op.wait(60)")
        # the bar says the outcome, then (a grace later, for a screen reader) the display turns static
        assert kernel.collect_until(lambda ms: any(static_update(m) for m in ms)), "the bar became static"
        final = kernel.widget_states()[bar_comm(kernel)]
        assert "data-style='success'" in final["value"] and "aria-valuenow='100'" in final["value"]
        assert "Succeeded" in info_text(kernel) and "2 of 2 nodes ready" in info_text(kernel)
        updated = [m for m in kernel.messages if m["msg_type"] == "update_display_data"]
        assert updated and "done · Succeeded · 2 of 2 nodes ready" in updated[-1]["content"]["data"]["text/plain"]
        ended = updated[-1]["content"]["data"]
        assert WIDGET_VIEW not in ended, "the bar became static"
        assert "Succeeded · 2 of 2 nodes ready" in ended["text/html"]

        again = kernel.execute("op")
        shown_again = [m["content"]["data"] for m in kernel.outputs(again)]
        assert len(shown_again) == 1 and WIDGET_VIEW not in shown_again[0], "an ended operation shows its final line"
        assert "done · Succeeded · 2 of 2 nodes ready" in shown_again[0]["text/plain"]

        updates = kernel.updates(bar_comm(kernel))
        times = [m["sent"] for m in updates]
        busiest = max(sum(1 for t in times if start <= t < start + 1.0) for start in times)
        assert busiest <= 5, f"{busiest} updates in one second"


def test_a_failed_create_shows_red_with_the_service_error(isolated_state: Path) -> None:
    with running_kernel(isolated_state, JUPYTER_COMPUTE_SPEED="40") as kernel:
        kernel.execute("%load_ext jupyter_compute")
        kernel.execute(
            "op = %compute create cluster huge-cl --size Standard_ND96asr_v4 --max-instances 100 --skip-preflight"
        )
        kernel.execute("op.wait(60)")
        kernel.collect(0.5)
        final = kernel.widget_states()[bar_comm(kernel)]
        assert "data-style='danger'" in final["value"]
        assert "QuotaExceeded" in info_text(kernel) and "Maximum allowed: 96" in info_text(kernel)
        raised = kernel.execute("op.result()")
        assert raised["content"]["status"] == "error" and raised["content"]["ename"] == "QuotaExceeded"


def test_after_a_kernel_restart_ops_and_wait_follow_the_create(isolated_state: Path) -> None:
    # speed 1.5: the cluster takes about 33 s, so a kernel restart on a loaded machine still lands in the middle
    with running_kernel(isolated_state, JUPYTER_COMPUTE_SPEED="1.5") as kernel:
        kernel.execute("%load_ext jupyter_compute")
        kernel.execute("op = %compute create cluster survivor --min-instances 1 --max-instances 1")
        # The cell returns before any request; the restart kills the kernel, so let the service accept it first.
        kernel.execute("op.submitted(60)")
        kernel.restart()
        kernel.execute("%load_ext jupyter_compute")
        ops = kernel.execute("%compute ops")
        text = kernel.text(ops)
        assert "survivor" in text and "create" in text, text
        kernel.execute("op = %compute wait survivor")
        done = kernel.execute(
            "from jupyter_compute.render.describe import describe\n"
            "op.wait(150); print(op.status, op.progress.phase, describe(op).nodes)",
            timeout=180,
        )
        assert "Succeeded Succeeded 1 of 1 node ready" in kernel.text(done)


def test_bad_input_prints_one_paragraph_and_the_kernel_keeps_working(isolated_state: Path) -> None:
    with running_kernel(isolated_state, JUPYTER_COMPUTE_SPEED="40") as kernel:
        kernel.execute("%load_ext jupyter_compute")
        bad = kernel.execute("%compute create cluster x1 --max-instances 0 --tier spot")
        assert bad["content"]["status"] == "ok"
        text = kernel.text(bad)
        assert "Traceback" not in text and "--max-instances" in text and "--tier" in text and "NAME" in text
        assert len(text.strip().splitlines()) == 1
        fine = kernel.execute("print(1 + 1)")
        assert kernel.text(fine).strip() == "2"


def test_terminal_ipython_blocks_with_a_text_bar(isolated_state: Path) -> None:
    """No kernel: the magic waits in the foreground with a text bar and returns when done."""
    import os
    import subprocess
    import sys

    code = (
        "ip = get_ipython(); ip.run_line_magic('load_ext', 'jupyter_compute'); "
        "op = ip.run_line_magic('compute', 'create cluster term-cl --min-instances 1 --max-instances 1'); "
        "print('AFTER', ip.run_line_magic('compute', 'list'))"
    )
    env = {**os.environ, "JUPYTER_COMPUTE_SPEED": "40", "IPYTHONDIR": str(isolated_state / "ipython")}
    result = subprocess.run(
        [sys.executable, "-m", "IPython", "--quick", "--no-banner", "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "[####" in result.stderr and "create cluster term-cl" in result.stderr
    assert "create cluster term-cl: done · Succeeded · 1 of 1 node ready" in result.stderr
    after = result.stdout.split("AFTER", 1)[1]
    assert "term-cl" in after and "Succeeded" in after


@pytest.mark.parametrize(
    "cells",
    [
        ("op = %compute create cluster wait-cl --max-instances 1", "op.wait(60)"),
        ("%compute create cluster wait-cl --max-instances 1 --wait",),
    ],
    ids=["op.wait", "--wait"],
)
def test_a_cell_that_sees_the_end_ends_with_the_bar_static(isolated_state: Path, cells: tuple[str, ...]) -> None:
    """Given a bar that says its outcome a grace before its display turns static, when a cell waits for the
    operation, then the static output is sent before that cell ends (``execute`` keeps messages until the
    cell's idle). With ``--wait`` it is that cell's own message: nbclient and nbconvert keep only a cell's
    own messages, so a notebook they run and save keeps how it ended."""
    with running_kernel(isolated_state, JUPYTER_COMPUTE_SPEED="40") as kernel:
        kernel.execute("%load_ext jupyter_compute")
        for code in cells:
            last = kernel.execute(code)
        statics = [m for m in kernel.messages if static_update(m)]
        assert statics and "done · Succeeded" in statics[-1]["content"]["data"]["text/plain"]
        if len(cells) == 1:
            assert statics[-1]["parent_header"].get("msg_id") == last["parent_header"]["msg_id"]
