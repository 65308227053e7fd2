"""Real azureml-core (v1) compute code written by others runs against the local workspace with only its
imports changed, and does what v1 does.

Each file in ``tests/data/v1-snippets/`` quotes code from a public repository (its header names the
repository, the path and the commit) and ends with our checks of what v1 would print or return. The
harness changes the quoted code mechanically, in one way only: ``from azureml… import X`` becomes
``from jupyter_compute.compat import X``. A header may give the environment variables the code reads
(``# environment:``), code of earlier cells it relies on (``# given:``, changed the same way), the
exception it ends with (``# raises:``), or that it is a module another snippet imports (``# provides:``
/ ``# needs:``). A ``config.json`` with the local workspace's ids is in the current folder, as the
Azure ML studio's download would be.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from jupyter_compute.service.ref import LOCAL_RESOURCE_GROUP, LOCAL_SUBSCRIPTION, LOCAL_WORKSPACE

from kinds import V1_AML_STATUS_KEYS, V1_INSTANCE_STATUS_KEYS, V1_KUBERNETES_STATUS_KEYS, V1_NODE_STATE_KEYS

SNIPPETS = Path(__file__).resolve().parent.parent / "data" / "v1-snippets"
QUOTED = "# ---- quoted:"
CHECKS = "# ---- checks:"
_AZUREML_IMPORT = re.compile(r"^(\s*)from azureml(?:\.\w+)* import (.+)$")


@dataclass
class Snippet:
    path: Path
    header: dict[str, list[str]] = field(default_factory=dict)
    quoted: str = ""
    checks: str = ""

    @classmethod
    def read(cls, path: Path) -> Snippet:
        text = path.read_text(encoding="utf-8")
        head, rest = text.split(QUOTED, 1)
        quoted, checks = rest.split("\n", 1)[1].split(CHECKS, 1)
        snippet = cls(path, quoted=quoted, checks=checks.split("\n", 1)[1])
        for line in head.splitlines():
            key, _, value = line.removeprefix("# ").partition(": ")
            snippet.header.setdefault(key, []).append(value)
        return snippet

    def one(self, key: str) -> str | None:
        values = self.header.get(key)
        return values[0] if values else None


def v1_imports_changed(code: str) -> str:
    """The only change made to quoted code: its azureml imports come from jupyter_compute.compat."""
    return "\n".join(_AZUREML_IMPORT.sub(r"\1from jupyter_compute.compat import \2", line) for line in code.split("\n"))


def _snippets() -> list[Path]:
    return sorted(p for p in SNIPPETS.glob("*.py") if "provides" not in Snippet.read(p).header)


def test_the_corpus_is_real_code_with_its_source() -> None:
    snippets = [Snippet.read(p) for p in sorted(SNIPPETS.glob("*.py"))]
    runnable = [s for s in snippets if "provides" not in s.header]
    assert len(runnable) >= 25
    for snippet in snippets:
        for key in ("v1 snippet", "repository", "path", "commit", "excerpt"):
            assert snippet.one(key), f"{snippet.path.name} has no {key}"
        assert re.fullmatch(r"[0-9a-f]{40}", snippet.one("commit") or ""), snippet.path.name
        if "provides" not in snippet.header:
            v1_code = snippet.quoted + "\n".join(snippet.header.get("given", []))
            assert "azureml" in v1_code, f"{snippet.path.name} quotes no v1 code"
        assert "jupyter_compute" not in snippet.quoted, f"{snippet.path.name}: the quote must be the source's own"
    assert len({s.one("repository") for s in snippets}) >= 5


def test_only_the_azureml_imports_change() -> None:
    code = "from azureml.core.compute import ComputeTarget, AmlCompute\nx = 'from azureml.core import Workspace'\n"
    assert v1_imports_changed(code) == (
        "from jupyter_compute.compat import ComputeTarget, AmlCompute\nx = 'from azureml.core import Workspace'\n"
    )
    assert v1_imports_changed("    from azureml.exceptions import ComputeTargetException") == (
        "    from jupyter_compute.compat import ComputeTargetException"
    )


@pytest.fixture
def local_config(isolated_state: Path) -> Iterator[Path]:
    """The config.json a user of the local workspace has (written beside the snippet, in the current folder)."""
    config = Path.cwd() / "config.json"
    ids = {"subscription_id": LOCAL_SUBSCRIPTION, "resource_group": LOCAL_RESOURCE_GROUP}
    config.write_text(json.dumps({**ids, "workspace_name": LOCAL_WORKSPACE}))
    yield config
    for name in [m for m in sys.modules if m.startswith("ml_service")]:
        del sys.modules[name]


def _provide(name: str) -> None:
    """Registers a snippet that ``# provides:`` a module (the source repository's own module) under its name."""
    snippet = Snippet.read(SNIPPETS / f"{name}.py")
    module_name = snippet.one("provides") or ""
    parts = module_name.split(".")
    for i in range(1, len(parts)):
        sys.modules.setdefault(".".join(parts[:i]), types.ModuleType(".".join(parts[:i])))
    module = sys.modules[module_name] = types.ModuleType(module_name)  # before it runs: a dataclass looks it up
    exec(compile(v1_imports_changed(snippet.quoted), str(snippet.path), "exec"), module.__dict__)  # noqa: S102


@pytest.mark.parametrize("path", _snippets(), ids=lambda p: p.stem)
def test_v1_snippet(path: Path, local_config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    snippet = Snippet.read(path)
    for assignment in (snippet.one("environment") or "").split(";"):
        if assignment.strip():
            name, _, value = assignment.strip().partition("=")
            monkeypatch.setenv(name, value)
    for needed in snippet.header.get("needs", []):
        _provide(needed)
    namespace: dict[str, Any] = {"__name__": "__v1_snippet__"}
    given = "\n".join(snippet.header.get("given", []))
    out = io.StringIO()
    raised: BaseException | None = None
    with contextlib.redirect_stdout(out):
        exec(compile(v1_imports_changed(given), f"{path.name} (given)", "exec"), namespace)  # noqa: S102
        try:
            exec(compile(v1_imports_changed(snippet.quoted), str(path), "exec"), namespace)  # noqa: S102
        except Exception as exc:  # noqa: BLE001 - the header says which one it ends with
            raised = exc
    expected = snippet.one("raises")
    if expected is None:
        assert raised is None, f"{path.name} raised {raised!r}\n{out.getvalue()}"
    else:
        assert type(raised).__name__ == expected, f"{path.name}: expected {expected}, got {raised!r}\n{out.getvalue()}"
    checks = {
        "printed": out.getvalue(),
        "raised": raised,
        "AML_STATUS_KEYS": set(V1_AML_STATUS_KEYS),
        "NODE_STATE_KEYS": set(V1_NODE_STATE_KEYS),
        "INSTANCE_STATUS_KEYS": set(V1_INSTANCE_STATUS_KEYS),
        "KUBERNETES_STATUS_KEYS": set(V1_KUBERNETES_STATUS_KEYS),
    }
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(v1_imports_changed(snippet.checks), f"{path.name} (checks)", "exec"), {**namespace, **checks})  # noqa: S102
