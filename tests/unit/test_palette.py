"""One place for colours: the panel's stylesheet and the lab extension's use palette.py's values, and every
text colour is a theme colour mixed with the surrounding text (the browser tests measure the contrast)."""

from __future__ import annotations

import re
from pathlib import Path

from jupyter_compute.render import palette
from jupyter_compute.render.describe import COLOURS
from jupyter_compute.render.markup import error

ROOT = Path(__file__).resolve().parents[2]
SHEETS = [ROOT / "jupyter_compute/ui/panel/static/table.css", ROOT / "labextension/src/index.css"]


def test_every_text_colour_is_a_theme_colour_mixed_with_the_text_around_it() -> None:
    for tone in palette.THEME:
        variable, fallback = palette.THEME[tone]
        assert palette.text(tone) == f"color-mix(in srgb, var({variable}, {fallback}) 60%, currentColor)"
    assert palette.ERROR == palette.text("error")
    assert f"color:{palette.ERROR}" in str(error("no"))


def test_the_stylesheets_use_the_palettes_values_and_no_colour_of_their_own() -> None:
    allowed = {palette.text(tone) for tone in palette.THEME} | {palette.DANGER_FILL}
    for sheet in SHEETS:
        css = sheet.read_text()
        mixed = set(re.findall(r"color-mix\([^;]*\)", css))
        assert mixed <= allowed, f"{sheet.name}: {mixed - allowed}"
        assert "var(--jp-error-color1, #d32f2f);" not in css.replace("border-color: var(--jp-error-color1);", ""), (
            f"{sheet.name}: a raw theme red as a text colour (2.9:1 on the dark theme)"
        )
    assert palette.ERROR in SHEETS[0].read_text() and palette.DANGER_FILL in SHEETS[0].read_text()


def test_the_bars_draw_with_the_palettes_colours() -> None:
    assert set(COLOURS.values()) == {palette.fill(t) for t in ("info", "success", "error", "warn")}
