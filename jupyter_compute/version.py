"""The package's version, whose one source is labextension/package.json (the lab extension imports it from there).

The build (hatchling's version hook, fed by hatch-nodejs-version) writes it to ``_version.py``, which git
ignores. A source checkout that no build has run in reads package.json itself: the version of whatever
distribution happens to be installed (``importlib.metadata``) could be another checkout's.
"""

from __future__ import annotations

__all__ = ["__version__"]

try:
    from ._version import __version__
except ModuleNotFoundError:

    def _checkout_version() -> str:
        import json
        from pathlib import Path

        package = Path(__file__).resolve().parent.parent / "labextension" / "package.json"
        return str(json.loads(package.read_text(encoding="utf-8"))["version"])

    __version__ = _checkout_version()
