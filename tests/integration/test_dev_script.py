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
    static = target / "jupyter_compute" / "ui" / "panel" / "static"
    static.mkdir(parents=True)
    for source in (ROOT / "jupyter_compute" / "ui" / "panel" / "static").iterdir():
        shutil.copy2(source, static / source.name)
    return target


def dry_run(clone: Path, verb: str) -> str:
    """What ``./dev VERB`` says on stderr in ``clone`` with DEV_DRY_RUN=1 (steps said, not taken)."""
    done = subprocess.run(
        ["bash", "dev", verb],
        cwd=clone,
        env={**os.environ, "DEV_DRY_RUN": "1"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stderr


def test_dev_lab_on_a_fresh_checkout_says_every_step_and_chromium_is_not_one(tmp_path: Path) -> None:
    clone = fresh_copy(tmp_path)
    stderr = dry_run(clone, "lab")
    said = [line.removeprefix("./dev: ") for line in stderr.splitlines() if not line.startswith("./dev:   ")]
    assert said == [
        "creating the virtual environment .venv",
        "upgrading pip in .venv",
        "installing jupyter-compute with its test and dev tools and building the lab extension with npm: "
        "a few minutes the first time, and quiet until it is done",
        "installed",
        "starting JupyterLab on notebooks/ (open the http://127.0.0.1:… link it prints; Ctrl-C stops it)",
    ]
    assert "chromium" not in stderr, "the browser is installed for tests only"
    assert not (clone / ".venv").exists(), "a dry run takes no step"


def test_a_change_to_the_bundled_list_code_rebuilds_the_lab_extension(tmp_path: Path) -> None:
    """The lab extension bundles static/ from the Python package (the first paint): a change there
    reinstalls, and the last build goes first, since the builder looks only at labextension/'s files."""
    clone = fresh_copy(tmp_path)
    venv_python = clone / ".venv" / "bin" / "python"
    venv_python.parent.mkdir(parents=True)
    venv_python.write_text("#!/bin/sh\nexit 0\n")  # "import jupyter_compute" works: only the stamp decides
    venv_python.chmod(0o755)

    def setup() -> list[str]:
        return [line.removeprefix("./dev: ") for line in dry_run(clone, "setup").splitlines()]

    said = setup()
    stamp = next(line for line in said if line.startswith("installing"))
    assert any(line.endswith("(dry run) rm -rf " + str(clone / "jupyter_compute" / "labextension")) for line in said)
    # A dry run writes no stamp: write the one the script wants now, as a real install would have.
    (clone / "dev").write_text((clone / "dev").read_text().replace('[ -n "$DRY" ] || echo', "echo"))
    setup()
    assert ".venv is up to date" in setup(), "nothing changed since the install"
    table = clone / "jupyter_compute" / "ui" / "panel" / "static" / "table.js"
    table.write_text(table.read_text() + "\n// changed\n")
    assert stamp in setup(), "a change to the bundled table.js reinstalls"
    setup()
    style = table.with_name("table.css")
    style.write_text(style.read_text() + "\n/* changed */\n")
    assert stamp in setup(), "a change to the bundled table.css reinstalls"
