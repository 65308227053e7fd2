"""Given that the model and the service know nothing of display, when the package's public API hands out
its objects (or %load_ext runs), then computes print as text tables and, in IPython, operations show as
their bar and computes as HTML tables; before that, computes print as a plain repr of their names."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = """
import json
from jupyter_compute.model.resource import Compute, ComputeList
body = {"name": "cpu-cl", "properties": {"computeType": "AmlCompute", "provisioningState": "Succeeded"}}
shown = {"before": str(ComputeList([Compute(body)]))}
%s
shown["after"] = str(ComputeList([Compute(body)]))
shown["one"] = str(Compute(body))
shown["empty"] = repr(ComputeList())
print(json.dumps(shown))
"""


def run(code: str) -> dict[str, str]:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def test_the_model_alone_prints_names_and_the_public_api_prints_tables() -> None:
    shown = run(PROBE % "import jupyter_compute\njupyter_compute.Workspace")
    assert shown["before"] == "ComputeList(['cpu-cl'])"
    assert shown["after"].splitlines()[0].split() == ["NAME", "KIND", "SIZE", "STATE", "NODES", "CREATED"]
    assert "cpu-cl" in shown["after"] and "Succeeded" in shown["after"] and "cpu-cl" in shown["one"]
    assert shown["empty"] == "No computes in this workspace."


@pytest.mark.parametrize(
    "wiring",
    ["from jupyter_compute import Workspace", "ip.run_line_magic('load_ext', 'jupyter_compute')"],
    ids=["public API", "load_ext"],
)
def test_ipython_shows_operations_and_tables(wiring: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    code = "from IPython.core.interactiveshell import InteractiveShell\nip = InteractiveShell.instance()\n" + PROBE % (
        wiring + "\nshown['html'] = ip.display_formatter.format(ComputeList([Compute(body)]))[0]['text/html']\n"
        "shown['op'] = repr(ip.display_formatter.ipython_display_formatter.lookup_by_type("
        "'jupyter_compute.service.operation.Operation'))"
    )
    shown = run(code)
    assert "<table" in shown["html"] and "cpu-cl" in shown["html"]
    assert "show" in shown["op"], "an Operation is displayed by ui.show"
    assert "cpu-cl" in shown["after"] and "STATE" in shown["after"]
