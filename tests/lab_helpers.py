"""A real JupyterLab server on loopback and Debian chromium driven by Python playwright.

Recipe: ../shared/JUPYTER-NOTES.md ("Real browser tests of JupyterLab"). Every Jupyter, IPython and
browser folder points into the test's own directory, so nothing is read from or written to the home
folder, and the lab's kernels (the Compute panel's and the notebooks') share one local workspace.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TAB = ".jp-SideBar .lm-TabBar-tab[data-id='jupyter-compute-panel']"
PANEL = ".jp-ComputePanel"
READY = ".jp-ComputePanel[data-state='ready'] .jupyter-compute-panel"
NO_NEWS = {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def isolated_env(base: Path, extra: Mapping[str, str] = {}) -> dict[str, str]:
    """The environment of a lab server (and so of its kernels) that touches nothing outside ``base``."""
    env = {**os.environ}
    for var in ("AZUREML_ARM_SUBSCRIPTION", "AZUREML_ARM_RESOURCEGROUP", "AZUREML_ARM_WORKSPACE_NAME"):
        env.pop(var, None)
    folders = {
        "IPYTHONDIR": "ipython",
        "JUPYTER_CONFIG_DIR": "jupyter-config",
        "JUPYTER_DATA_DIR": "jupyter-data",
        "JUPYTER_RUNTIME_DIR": "jupyter-runtime",
        "XDG_CONFIG_HOME": "xdg-config",
        "XDG_CACHE_HOME": "xdg-cache",
        "JUPYTER_COMPUTE_HOME": "jc-home",
    }
    for var, name in folders.items():
        (base / name).mkdir(parents=True, exist_ok=True)
        env[var] = str(base / name)
    env["JUPYTER_COMPUTE_ACCESS_LOG"] = str(base / "access.log")
    env.update(extra)
    return env


class Lab:
    """A running ``jupyter lab`` (stopped with :meth:`stop`)."""

    def __init__(self, root: Path, base: Path, env: dict[str, str], jupyter: list[str] | None = None) -> None:
        self.root, self.base, self.env = root, base, env
        self.port = free_port()
        self.token = secrets.token_hex(16)
        settings = base / "lab-settings"
        settings.mkdir(parents=True, exist_ok=True)
        (settings / "overrides.json").write_text(json.dumps(NO_NEWS))
        command = [*(jupyter or [sys.executable, "-m", "jupyterlab"])]
        command += [
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={root}",
            f"--LabApp.app_settings_dir={settings}",
        ]
        if os.geteuid() == 0:
            command.append("--allow-root")
        self.log = (base / "lab.log").open("w")
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.wait_ready()

    def url(self, path: str = "lab", **query: str) -> str:
        params = "&".join([f"token={self.token}", *(f"{k}={v}" if v else k for k, v in query.items())])
        return f"http://127.0.0.1:{self.port}/{path}?{params}"

    def api(self, path: str, method: str = "GET") -> Any:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/api/{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
            data=b"{}" if method == "POST" else None,
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            data = response.read()
        return json.loads(data) if data else None

    def wait_ready(self, seconds: float = 90) -> None:
        """Wait until the server answers /api/status on the port it says it serves: should another process
        (a kernel, another test's server) take the chosen port first, Jupyter serves the next free one and
        writes it to its runtime file (jpserver-PID.json)."""
        deadline = time.monotonic() + seconds
        said = Path(self.env["JUPYTER_RUNTIME_DIR"]) / f"jpserver-{self.process.pid}.json"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited: {(self.base / 'lab.log').read_text()[-3000:]}")
            try:
                self.port = int(json.loads(said.read_text())["port"])
                self.api("status")
                return
            except (OSError, ValueError, KeyError):
                time.sleep(0.25)
        raise RuntimeError("jupyter lab did not answer /api/status in time")

    def panel_sessions(self) -> list[dict[str, Any]]:
        return [s for s in self.api("sessions") if s.get("path") == "jupyter-compute/panel"]

    def panel_value(self, expression: str) -> str:
        """The repr of ``expression`` in the panel's kernel, asked over a second connection to it (the
        kernel's own connection file, as `jupyter console --existing` does): the page sees nothing."""
        from jupyter_client.blocking import BlockingKernelClient

        (session,) = self.panel_sessions()
        client = BlockingKernelClient()
        client.load_connection_file(
            str(Path(self.env["JUPYTER_RUNTIME_DIR"]) / f"kernel-{session['kernel']['id']}.json")
        )
        client.start_channels()
        try:
            reply = client.execute_interactive(
                "", silent=True, user_expressions={"value": expression}, timeout=30, output_hook=lambda _msg: None
            )
        finally:
            client.stop_channels()
        value = reply["content"]["user_expressions"]["value"]
        if value.get("status") != "ok":
            raise RuntimeError(f"{expression!r} in the panel's kernel: {value.get('evalue')}")
        return str(value["data"]["text/plain"])

    def cli(self, *words: str) -> None:
        """Run ``jupyter compute WORDS`` against this lab's workspace (its environment), as a user would."""
        command = [sys.executable, "-m", "jupyter_compute.frontends.cli", *words]
        subprocess.run(command, env=self.env, check=True, capture_output=True, timeout=300)

    def access_log(self) -> list[str]:
        path = Path(self.env["JUPYTER_COMPUTE_ACCESS_LOG"])
        return path.read_text().splitlines() if path.exists() else []

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(20)  # reaped: no "subprocess is still running" at exit
        self.log.close()


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def running_lab(base: Path, extra_env: Mapping[str, str] = {}, jupyter: list[str] | None = None) -> Iterator[Lab]:
    """A lab (or, with ``jupyter``, another Jupyter front end) serving ``base``/notebooks, stopped after."""
    root = base / "notebooks"
    root.mkdir(exist_ok=True)
    server = Lab(root, base, isolated_env(base, extra_env), jupyter)
    try:
        yield server
    finally:
        server.stop()


# JupyterLab with its application exposed (``window.jupyterapp``): a test waits on the page's own state.
EXPOSED_LAB = [sys.executable, "-m", "jupyterlab", "--LabApp.expose_app_in_browser=True"]


@contextmanager
def browser_page(viewport: tuple[int, int] = (1400, 900), clipboard_for: Lab | None = None) -> Iterator[Any]:
    """A chromium page whose console errors are kept as ``page.console_errors`` (a context of its own:
    give the lab as ``clipboard_for`` to let its pages read and write the clipboard)."""
    with chromium() as browser:
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        if clipboard_for is not None:
            context.grant_permissions(["clipboard-read", "clipboard-write"], origin=clipboard_for.url("").rstrip("/"))
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.console_errors = errors
        try:
            yield page
        finally:
            context.close()


@contextmanager
def lab_page(lab: Lab) -> Iterator[Any]:
    """A browser page on ``lab``'s JupyterLab, its layout reset (see :func:`browser_page`)."""
    with browser_page() as page:
        page.goto(lab.url("lab", reset=""))
        yield page


def shot(page: Any, name: str) -> Path:
    """A screenshot of the whole page, kept as a test artifact."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def launcher_settled(page: Any, timeout: float = 20_000) -> None:
    """Wait until JupyterLab's restored layout has activated its Launcher, which takes the focus once, so that a
    focus a test sets afterwards stays where it was set. A layout with no Launcher is waited for ``timeout`` only."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(
            "() => !!(document.activeElement && document.activeElement.closest('.jp-Launcher'))", timeout=timeout
        )
    except PlaywrightTimeout:
        pass


def open_panel(page: Any, timeout: float = 60_000) -> None:
    """Show the Compute tab (a click on the tab of an open panel would close it) and wait for it."""
    page.wait_for_selector(TAB, timeout=timeout)
    if not page.locator(PANEL).is_visible():
        page.click(TAB)
    page.wait_for_selector(READY, state="visible", timeout=timeout)


def run_cell(page: Any, cell: Any) -> None:
    """Run a notebook's ``cell`` (a locator); again if the kernel was not really there yet (the request is
    lost): each try waits for the prompt to say the cell runs or ran."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _attempt in range(3):
        cell.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Escape")
        page.keyboard.press("Shift+Enter")
        try:
            cell.locator(".jp-InputPrompt").get_by_text(re.compile(r"\[(\*|\d+)\]")).wait_for(timeout=10_000)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError("the cell never ran")


def first_code_cell(page: Any) -> Any:
    return page.locator(".jp-NotebookPanel .jp-CodeCell").first


def field(page: Any, label: str, widget: str = "widget-text") -> Any:
    """The input of the panel's form field labelled ``label``."""
    tag = "select" if widget == "widget-dropdown" else "input"
    return page.locator(f"{READY} .{widget}:has(> label:text-is('{label}')) {tag}").first


def row(page: Any, name: str) -> Any:
    return page.locator(f"{READY} .jupyter-compute-row:has(.jupyter-compute-row-summary b:text-is('{name}'))")


def expand(row_locator: Any) -> Any:
    """Open a list row (its actions and details show when it is expanded); the row again."""
    summary = row_locator.locator(".jupyter-compute-row-summary")
    if summary.get_attribute("aria-expanded") != "true":
        summary.click()
    row_locator.locator(".jupyter-compute-more").wait_for(timeout=10_000)
    return row_locator


def act(row_locator: Any, action: str) -> None:
    """Click a row's action (expanding the row first); delete and detach then wait at their confirm."""
    expand(row_locator).locator(f".jupyter-compute-action-{action}").click()


# What sticks out of an element (the panel, a form tab), what is cut off in it, and a sideways scrollbar.
OVERFLOW_JS = """
(root) => {
  const box = root.getBoundingClientRect();
  const problems = [];
  const name = el => el.tagName.toLowerCase() + '.' + [...el.classList].join('.') + ' "' +
      (el.textContent || '').trim().slice(0, 40) + '"';
  for (const el of root.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
    if (r.right > box.right + 1 || r.left < box.left - 1) problems.push(name(el) + ' sticks out');
    if (['LABEL', 'BUTTON'].includes(el.tagName) &&
        (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1))
      problems.push(name(el) + ' is cut off');
  }
  if (root.scrollWidth > root.clientWidth + 1) problems.push('it scrolls sideways');
  return problems;
}
"""

AXE = ROOT / "labextension" / "node_modules" / "axe-core" / "axe.min.js"

# axe-core's violations of impact critical or serious in the elements `selectors` match.
AXE_JS = """
async (selectors) => {
  const include = selectors.filter((s) => document.querySelector(s)).map((s) => [s]);
  if (!include.length) return ['nothing matched ' + selectors.join(', ')];
  const result = await axe.run({ include }, { resultTypes: ['violations'] });
  return result.violations
    .filter((v) => v.impact === 'critical' || v.impact === 'serious')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
}
"""


def axe(page: Any, *selectors: str) -> list[str]:
    """axe-core's critical and serious violations in what ``selectors`` match (axe-core from npm, installed by
    ./dev setup into labextension/node_modules)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    return list(page.evaluate(AXE_JS, list(selectors)))
