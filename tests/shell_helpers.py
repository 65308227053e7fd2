"""What every IPython InteractiveShell a test makes is configured with."""

from __future__ import annotations

from traitlets.config import Config


def no_history() -> Config:
    """History in memory: a history file under tmp_path would be written by IPython's atexit hook after
    the folder is gone (or remounted read-only by a store-failure test), printing a traceback after
    pytest's last line."""
    config = Config()
    config.HistoryManager.enabled = False
    return config
