"""The README shows the grammar as the program does: the verb registry is its one owner."""

from __future__ import annotations

import re
from pathlib import Path

from jupyter_compute.frontends.grammar import usage

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_commands_block_is_the_generated_usage() -> None:
    section = README.read_text(encoding="utf-8").split("## Commands", 1)[1]
    block = re.search(r"```\n(.*?)```\n", section, flags=re.S)
    assert block is not None
    assert block.group(1).rstrip("\n") == usage("jupyter compute")
