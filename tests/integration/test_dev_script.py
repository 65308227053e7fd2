"""``./dev lab`` on a fresh checkout says each set-up step before it takes it (issue 13, point 11).

Run with ``DEV_DRY_RUN=1`` in a copy of the files the script reads, so the steps are said and not taken
(the real install is the fresh-install test's, tests/e2e/test_fresh_install.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.integration


def fresh_copy(target: Path) -> Path:
    for name in ("dev", "pyproject.toml"):
        shutil.copy2(ROOT / name, target / name)
    (target / "labextension" / "src").mkdir(parents=True)
    for name in ("package.json", "package-lock.json", "tsconfig.json"):
        shutil.copy2(ROOT / "labextension" / name, target / "labextension" / name)
    for source in (ROOT / "labextension" / "src").iterdir():
        shutil.copy2(source, target / "labextension" / "src" / source.name)
    return target


def test_dev_lab_on_a_fresh_checkout_says_every_step_and_chromium_is_not_one(tmp_path: Path) -> None:
    clone = fresh_copy(tmp_path)
    done = subprocess.run(
        ["bash", "dev", "lab"],
        cwd=clone,
        env={**os.environ, "DEV_DRY_RUN": "1"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    said = [line.removeprefix("./dev: ") for line in done.stderr.splitlines() if not line.startswith("./dev:   ")]
    assert said == [
        "creating the virtual environment .venv",
        "upgrading pip in .venv",
        "installing jupyter-compute with its test and dev tools and building the lab extension with npm: "
        "a few minutes the first time, and quiet until it is done",
        "installed",
        "starting JupyterLab on notebooks/ (open the http://127.0.0.1:… link it prints; Ctrl-C stops it)",
    ]
    assert "chromium" not in done.stderr, "the browser is installed for tests only"
    assert not (clone / ".venv").exists(), "a dry run takes no step"
