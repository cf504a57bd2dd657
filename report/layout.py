"""Table column widths from their content: every word fits its column, the rest is shared."""

from functools import cache
from pathlib import Path

from PIL import ImageFont

FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu")]
CM_PER_PT = 2.54 / 72
TEXT_WIDTH_CM = 16.6  # A4 less the margins, in the PDF and the .docx
# The traffic light's tones as text colours (hex), the same in both documents.
TONE_COLORS = {"green": "1B7A3A", "orange": "9A5B00", "red": "B3261E", "gray": "5F5F5F"}
EM = 0.6  # average character width in em, where no font to measure with is installed


@cache
def _font(bold: bool) -> ImageFont.FreeTypeFont | None:
    """DejaVu Sans at 100 px: wider than Arial, so a word measured with it fits in Word."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in FONT_DIRS:
        if (folder / name).exists():
            return ImageFont.truetype(str(folder / name), 100)
    return None


def text_width_cm(text: str, size_pt: float, *, bold: bool = False) -> float:
    font = _font(bold)
    points = font.getlength(text) * size_pt / 100 if font else len(text) * EM * size_pt
    return points * CM_PER_PT


def column_widths(
    columns: list[str],
    rows: list[list[str]],
    *,
    total_cm: float,
    size_pt: float,
    padding_cm: float,
    whole: list[bool] | None = None,
) -> list[float]:
    """Widths in cm that add up to total_cm (more only where the longest words need it).

    Each column gets at least its longest word (a header in bold), so no name is broken in
    the middle, and the columns flagged in `whole` (numbers, months) their longest cell;
    the width left over goes to the columns whose full text is longer than that, in
    proportion to how much longer.
    """
    whole = whole or [False] * len(columns)

    def words(text: str, bold: bool) -> float:
        return max((text_width_cm(w, size_pt, bold=bold) for w in text.split()), default=0)

    def line(text: str, bold: bool) -> float:
        return text_width_cm(text, size_pt, bold=bold)

    least = []
    want = []
    for i, head in enumerate(columns):
        cells = [row[i] for row in rows]
        cell = line if whole[i] else words
        least.append(max([words(head, True), *(cell(c, False) for c in cells)]) + padding_cm)
        want.append(max([line(head, True), *(line(c, False) for c in cells)]) + padding_cm)
    spare = total_cm - sum(least)
    extra = [w - m for w, m in zip(want, least, strict=True)]
    if spare <= 0:
        return least
    if sum(extra) <= spare:
        # Everything fits on one line: the rest is shared in proportion to the widths.
        rest = spare - sum(extra)
        return [w + rest * w / sum(want) for w in want]
    return [m + spare * e / sum(extra) for m, e in zip(least, extra, strict=True)]


def fit_table(
    columns: list[str],
    rows: list[list[str]],
    *,
    total_cm: float,
    sizes: tuple[float, ...],
    padding_cm: float,
    whole: list[bool] | None = None,
) -> tuple[float, list[float]]:
    """The largest of the font sizes at which the table's words fit the width, and the
    widths at that size (at the smallest size they may be wider than total_cm)."""
    for size in sizes:
        widths = column_widths(
            columns, rows, total_cm=total_cm, size_pt=size, padding_cm=padding_cm, whole=whole
        )
        if sum(widths) <= total_cm + 1e-6:
            break
    return size, widths
