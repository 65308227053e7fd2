"""Given a fresh interpreter, when jupyter_compute is imported (and its magics registered), then
azure.identity, ipywidgets and requests are not imported until needed."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("azure.identity", "azure.core", "ipywidgets", "requests", "urllib3", "jsonschema")


def imported_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_import_is_light() -> None:
    modules = imported_after("import jupyter_compute")
    assert not [m for m in HEAVY if m in modules]


def test_building_a_spec_and_a_dry_run_body_stays_light() -> None:
    modules = imported_after(
        "from jupyter_compute import AmlComputeSpec\n"
        "from jupyter_compute.model.specs import WireContext\n"
        "AmlComputeSpec.from_keywords(name='cpu', max_instances=2).to_arm(WireContext('s', 'g', 'w'))"
    )
    assert not [m for m in ("azure.identity", "ipywidgets", "requests") if m in modules]
