"""From nothing to a working JupyterLab, as a newcomer would do it, on copies of this checkout.

- The README's launch command (its first line of code), run in a copy with no virtual environment,
  sets everything up and starts JupyterLab on the sample notebooks with the extension enabled: the
  Compute tab opens the panel in chromium.
- ``pip install .`` into a fresh virtual environment builds and installs the lab extension:
  ``jupyter labextension list`` shows it enabled with no further step.

Slow (a fresh environment each, from the local pip and npm caches): about three minutes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT
from lab_helpers import READY, chromium, isolated_env, open_panel, shot

pytestmark = [pytest.mark.ui, pytest.mark.timeout(1200)]
# The one version source; Python's __version__, the widget module and the installed extension all say it.
VERSION = json.loads((ROOT / "labextension" / "package.json").read_text(encoding="utf-8"))["version"]
ENABLED = f"jupyter-compute v{VERSION} enabled OK (python, jupyter-compute)"


def checkout_copy(target: Path) -> Path:
    """The files of this checkout (tracked, and new ones not ignored), without any build output."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        source = ROOT / name.decode()
        if source.is_file():
            (target / name.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name.decode())
    return target


def install_env(base: Path) -> dict[str, str]:
    """Isolated Jupyter folders, but pip's and npm's own settings and caches (the registry is set there)."""
    env = isolated_env(base)
    for var in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "VIRTUAL_ENV", "PYTHONPATH"):
        env.pop(var, None)
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if not p.startswith(sys.prefix))
    return env


def plain(text: str) -> str:
    """Without terminal colour codes."""
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def versions(python: Path, env: dict[str, str]) -> list[str]:
    """What an installed package says its version is: Python, the ARM user agent and the lab extension's
    package.json as installed for JupyterLab (the list widget is an anywidget: its front end is in the
    Python package, under anywidget's own version)."""
    script = (
        "import json, sys, jupyter_compute\n"
        "from jupyter_compute.transport.arm import USER_AGENT\n"
        "from pathlib import Path\n"
        "shared = Path(sys.prefix, 'share/jupyter/labextensions/jupyter-compute/package.json')\n"
        "print(jupyter_compute.__version__, USER_AGENT.split('/')[1],"
        " json.loads(shared.read_text())['version'])\n"
    )
    said = subprocess.run([str(python), "-c", script], env=env, capture_output=True, text=True, check=True, cwd="/")
    return said.stdout.split()


def readme_launch_command() -> str:
    block = re.search(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert block, "the README opens with a bash block"
    return block.group(1).splitlines()[0].split("#")[0].strip()


def server_info(runtime: Path, process: subprocess.Popen[bytes], seconds: float) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the launch command exited with {process.returncode}")
        for path in runtime.glob("jpserver-*.json"):
            info = json.loads(path.read_text())
            try:
                urllib.request.urlopen(f"{info['url']}api/status?token={info['token']}", timeout=5).read()
                return dict(info)
            except OSError:
                pass
        time.sleep(1)
    raise AssertionError("JupyterLab did not start in time")


def test_the_readme_launch_command_starts_jupyterlab_with_the_notebooks_and_the_panel(tmp_path: Path) -> None:
    command = readme_launch_command()
    assert command == "./dev lab"
    clone = checkout_copy(tmp_path / "clone")
    assert not (clone / ".venv").exists() and not (clone / "jupyter_compute" / "labextension").exists()
    env = install_env(tmp_path)
    log = (tmp_path / "launch.log").open("wb")
    process = subprocess.Popen(
        command.split(), cwd=clone, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        info = server_info(Path(env["JUPYTER_RUNTIME_DIR"]), process, seconds=900)
        assert Path(info["root_dir"]) == clone / "notebooks"
        listed = subprocess.run(
            [str(clone / ".venv" / "bin" / "jupyter"), "labextension", "list"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        assert ENABLED in plain(listed.stdout + listed.stderr)
        assert versions(clone / ".venv" / "bin" / "python", env) == [VERSION] * 3
        assert (clone / "jupyter_compute" / "_version.py").is_file(), "the editable build wrote the version"
        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(f"{info['url']}lab?token={info['token']}&reset")
            page.locator(".jp-DirListing-item:has-text('01-quickstart.ipynb')").wait_for(timeout=60_000)
            names = page.locator(".jp-DirListing-itemName").all_inner_texts()
            assert {f"0{i}" for i in range(1, 9)} <= {name[:2] for name in names}, names
            open_panel(page)
            assert "local (offline)" in page.locator(READY).inner_text().replace("\xa0", " ")
            shot(page, "fresh-launch")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)
        log.close()


def test_pip_install_into_a_fresh_venv_enables_the_extension(tmp_path: Path) -> None:
    clone = checkout_copy(tmp_path / "clone")
    env = install_env(tmp_path)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=env)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", ".", "jupyterlab"],
        cwd=clone,
        env=env,
        check=True,
        capture_output=True,
    )
    listed = subprocess.run(
        [str(venv / "bin" / "jupyter"), "labextension", "list"], env=env, capture_output=True, text=True, check=True
    )
    assert ENABLED in plain(listed.stdout + listed.stderr)
    # The server extension of the Compute tab's first paint is enabled by the file the wheel installs.
    served = subprocess.run(
        [str(venv / "bin" / "jupyter"), "server", "extension", "list"], env=env, capture_output=True, text=True
    )
    assert "jupyter_compute enabled" in plain(served.stdout + served.stderr)
    assert f"jupyter_compute {VERSION} OK" in plain(served.stdout + served.stderr)  # it imports and loads
    installed = venv / "share" / "jupyter" / "labextensions" / "jupyter-compute"
    assert (installed / "package.json").is_file() and list((installed / "static").glob("remoteEntry.*.js"))
    assert versions(venv / "bin" / "python", env) == [VERSION] * 3
