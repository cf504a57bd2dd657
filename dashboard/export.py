"""Table exports as CSV and Excel (safe against formula injection), charts as PNG and SVG."""

import io
import re

import pandas as pd
import vl_convert
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from report.charts import NUMBER_LOCALE, TIME_LOCALE

# A cell starting with one of these is run as a formula by Excel/LibreOffice.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: object) -> object:
    """Prefix text that a spreadsheet would read as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out.columns = [neutralize(str(c)) for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralize)
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """German CSV: ';' separator, ',' decimals, UTF-8 with BOM so Excel opens it right."""
    return safe_frame(df).to_csv(sep=";", decimal=",", index=False).encode("utf-8-sig")


# Excel refuses these in sheet names (openpyxl raises), and an apostrophe at either end.
SHEET_FORBIDDEN = re.compile(r"[\\/*?:\[\]]")
SHEET_MAX = 31
RESERVED_SHEETS = {"history"}  # Excel's own (change tracking)


def sheet_title(name: str, taken: set[str] | None = None) -> str:
    """A valid sheet title for any name: forbidden characters become '_', control characters
    go, at most 31 characters, not one of `taken` (compared ignoring case, like Excel)."""
    clean = "".join(ch for ch in SHEET_FORBIDDEN.sub("_", str(name)) if ch.isprintable())
    title = clean.strip().strip("'").strip()[:SHEET_MAX].strip().strip("'") or "Daten"
    if title.casefold() in RESERVED_SHEETS:
        title = f"{title}_"
    taken = {t.casefold() for t in taken or ()}
    base, n = title, 2
    while title.casefold() in taken:
        suffix = f" ({n})"
        title = base[: SHEET_MAX - len(suffix)].rstrip() + suffix
        n += 1
    return title


def _missing(value: object) -> bool:
    """None, NaN or pandas' NA (an empty count of an Int64 column)."""
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def to_xlsx_bytes(df: pd.DataFrame, sheet: str = "Daten") -> bytes:
    """An .xlsx with every text cell stored as text (never as a formula); the sheet is named
    after `sheet`, made valid (a service name such as 'An-/Ummeldung' is fine)."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title(sheet)
    ws.append([str(c) for c in df.columns])
    for row in df.itertuples(index=False):
        ws.append([None if _missing(v) else v for v in row])
    for cells in ws.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # openpyxl would otherwise write '=...' as a formula
    for i, col in enumerate(df.columns, start=1):
        width = max([len(str(col)), *(len(str(v)) for v in df[col].head(200))]) + 2
        ws.column_dimensions[get_column_letter(i)].width = min(width, 60)
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# Pixels: a chart drawn as wide as its page (no width, or "container") gets this in a file.
EXPORT_WIDTH = 900
COMPOSED = ("facet", "concat", "hconcat", "vconcat", "repeat")  # widths belong to the parts


def _spec(chart: object) -> dict:
    spec = chart if isinstance(chart, dict) else chart.to_dict()  # type: ignore[attr-defined]
    if spec.get("width", "container") == "container" and not any(k in spec for k in COMPOSED):
        spec = {**spec, "width": EXPORT_WIDTH}
    return spec


def chart_png_bytes(chart: object, scale: float = 2) -> bytes:
    """A chart (alt.Chart or Vega-Lite dict) as PNG, German number and month formats."""
    return vl_convert.vegalite_to_png(
        _spec(chart), scale=scale, format_locale=NUMBER_LOCALE, time_format_locale=TIME_LOCALE
    )


def chart_svg_bytes(chart: object) -> bytes:
    """A chart as SVG (scalable, for print and slides), German formats."""
    svg = vl_convert.vegalite_to_svg(
        _spec(chart), format_locale=NUMBER_LOCALE, time_format_locale=TIME_LOCALE
    )
    return svg.encode("utf-8")


def file_name(name: str, suffix: str) -> str:
    """A safe download name: 'Onlinequote je Leistung' -> 'Onlinequote_je_Leistung.csv'."""
    stem = re.sub(r"[^\w.-]+", "_", name).strip("._") or "Export"
    return f"{stem[:80]}.{suffix}"
