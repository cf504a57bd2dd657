"""The report blocks as PDF, laid out with reportlab (pure Python, no browser, no office)."""

import io
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    Image,
    KeepTogether,
    PageTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import PageBreak as RLPageBreak
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import Table as RLTable

from report.content import Block, Bullets, Figure, Heading, PageBreak, Paragraph, Table

FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu")]
MARGIN = 2.2 * cm
TEXT_WIDTH = A4[0] - 2 * MARGIN
HEADER_FILL = colors.HexColor("#DCE6F0")
NOTE_COLOR = colors.HexColor("#555555")
CELL_PADDING = 4  # points left and right in table cells
# Characters outside WinAnsi, for the fallback to the built-in Helvetica.
ASCII_FALLBACK = {"→": "->", "−": "-", "\u202f": " "}


def _fonts() -> tuple[str, str, str, bool]:
    """DejaVu Sans where installed (full Unicode), else Helvetica; (regular, bold, italic, ttf)."""
    for folder in FONT_DIRS:
        files = {k: folder / f"DejaVuSans{k}.ttf" for k in ("", "-Bold", "-Oblique")}
        if all(f.exists() for f in files.values()):
            if "PQSans" not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont("PQSans", str(files[""])))
                pdfmetrics.registerFont(TTFont("PQSans-Bold", str(files["-Bold"])))
                pdfmetrics.registerFont(TTFont("PQSans-Italic", str(files["-Oblique"])))
                pdfmetrics.registerFontFamily(
                    "PQSans", normal="PQSans", bold="PQSans-Bold", italic="PQSans-Italic"
                )
            return "PQSans", "PQSans-Bold", "PQSans-Italic", True
    return "Helvetica", "Helvetica-Bold", "Helvetica-Oblique", False


class _Styles:
    def __init__(self) -> None:
        regular, bold, italic, self.unicode = _fonts()
        self.regular, self.bold = regular, bold
        base = ParagraphStyle("body", fontName=regular, fontSize=10.5, leading=14, spaceAfter=6)
        self.body = base
        self.title = ParagraphStyle(
            "title",
            base,
            fontName=bold,
            fontSize=30,
            leading=36,
            spaceAfter=12,
        )
        self.subtitle = ParagraphStyle("subtitle", base, fontSize=16, leading=20, spaceAfter=36)
        self.lead = ParagraphStyle("lead", base, fontSize=12, leading=16, spaceAfter=8)
        self.note = ParagraphStyle(
            "note", base, fontName=italic, fontSize=9.5, leading=12.5, textColor=NOTE_COLOR
        )
        self.caption = ParagraphStyle(
            "caption", base, fontName=italic, fontSize=9, leading=12, spaceBefore=2, spaceAfter=10
        )
        self.headings = {
            1: ParagraphStyle(
                "h1",
                base,
                fontName=bold,
                fontSize=15,
                leading=19,
                spaceBefore=16,
                spaceAfter=8,
                textColor=colors.HexColor("#1F3864"),
            ),
            2: ParagraphStyle(
                "h2",
                base,
                fontName=bold,
                fontSize=12,
                leading=15,
                spaceBefore=10,
                spaceAfter=4,
            ),
            3: ParagraphStyle("h3", base, fontName=bold, fontSize=11, spaceBefore=8),
        }
        self.cell = ParagraphStyle("cell", base, fontSize=8.5, leading=10.5, spaceAfter=0)
        self.cell_right = ParagraphStyle("cell_right", self.cell, alignment=TA_RIGHT)
        self.cell_head = ParagraphStyle("cell_head", self.cell, fontName=bold)
        self.cell_head_right = ParagraphStyle("cell_head_right", self.cell_head, alignment=TA_RIGHT)
        self.bullet = ParagraphStyle("bullet", base, leftIndent=14, bulletIndent=3, spaceAfter=3)
        self.center = ParagraphStyle("center", base, alignment=TA_CENTER)

    def text(self, value: str) -> str:
        """Escaped for reportlab's paragraph markup (and made WinAnsi-safe without DejaVu)."""
        return escape(self.plain(value))

    def plain(self, value: str) -> str:
        if not self.unicode:
            for char, repl in ASCII_FALLBACK.items():
                value = value.replace(char, repl)
        return value


class _Doc(BaseDocTemplate):
    """Adds headings to the PDF outline (the bookmarks pane)."""

    def afterFlowable(self, flowable) -> None:  # noqa: ANN001, N802
        level = getattr(flowable, "outline_level", None)
        if level is None:
            return
        key = f"h{id(flowable)}"
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(flowable.getPlainText(), key, level=level, closed=level > 0)


def _column_widths(block: Table, st: _Styles) -> list[float]:
    """The block's relative widths, but each column at least as wide as its longest word,
    so German compounds ("Veränderungsmanagement") are never cut in the middle."""
    pad = 2 * CELL_PADDING + 1

    def longest(text: str, font: str) -> float:
        return max((stringWidth(w, font, st.cell.fontSize) for w in text.split()), default=0)

    least = [
        max([longest(head, st.bold), *(longest(row[i], st.regular) for row in block.rows)]) + pad
        for i, head in enumerate(block.columns)
    ]
    total = sum(block.widths)
    widths = [max(TEXT_WIDTH * w / total, m) for w, m in zip(block.widths, least, strict=True)]
    excess = sum(widths) - TEXT_WIDTH
    slack = [w - m for w, m in zip(widths, least, strict=True)]
    if excess > 0 and sum(slack) > 0:
        # Take the excess from the columns that have room to spare, in proportion to it.
        share = min(1.0, excess / sum(slack))
        widths = [w - s * share for w, s in zip(widths, slack, strict=True)]
    return widths


def _table(block: Table, st: _Styles) -> list:
    numeric = block.numeric or [False] * len(block.columns)
    widths = _column_widths(block, st)
    head = [
        RLParagraph(st.text(c), st.cell_head_right if r else st.cell_head)
        for c, r in zip(block.columns, numeric, strict=True)
    ]
    rows = [
        [
            RLParagraph(st.text(v), st.cell_right if r else st.cell)
            for v, r in zip(row, numeric, strict=True)
        ]
        for row in block.rows
    ]
    table = RLTable([head, *rows], colWidths=widths, repeatRows=1, hAlign="CENTER")
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9AA5B1")),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
                ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ]
        )
    )
    caption = [RLParagraph(st.text(block.caption), st.caption)] if block.caption else []
    for c in caption:
        c.keepWithNext = True
    if len(block.rows) < 25:  # short tables stay whole; long ones split across pages
        return [KeepTogether([*caption, table]), Spacer(1, 8)]
    return [*caption, table, Spacer(1, 8)]


def _figure(block: Figure, st: _Styles) -> list:
    w_px, h_px = ImageReader(io.BytesIO(block.png)).getSize()
    width = min(block.width_cm * cm, TEXT_WIDTH)
    image = Image(io.BytesIO(block.png), width=width, height=width * h_px / w_px)
    return [KeepTogether([image, RLParagraph(st.text(block.caption), st.caption)])]


def _flowables(blocks: list[Block], st: _Styles) -> list:
    out: list = []
    for block in blocks:
        if isinstance(block, Heading):
            p = RLParagraph(st.text(block.text), st.headings[block.level])
            p.keepWithNext = True
            p.outline_level = block.level - 1
            out.append(p)
        elif isinstance(block, Paragraph) and block.style == "spacer":
            out.append(Spacer(1, 5 * cm))
        elif isinstance(block, Paragraph):
            style = getattr(st, block.style, st.body)
            label = f"<b>{st.text(block.label)}</b>" if block.label else ""
            out.append(RLParagraph(label + st.text(block.text), style))
        elif isinstance(block, Bullets):
            out += [RLParagraph(st.text(item), st.bullet, bulletText="•") for item in block.items]
        elif isinstance(block, Table):
            out += _table(block, st)
        elif isinstance(block, Figure):
            out += _figure(block, st)
        elif isinstance(block, PageBreak):
            out.append(RLPageBreak())
    return out


def write_pdf(blocks: list[Block], *, title: str) -> bytes:
    """An A4 PDF of the blocks with page numbers; invariant, so the same report gives the
    same bytes."""
    st = _Styles()
    buf = io.BytesIO()
    doc = _Doc(
        buf,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
        title=title,
        author="Portalquote",
        subject="Sachstandsbericht zur Umsetzung der E-Government-Strategie",
        lang="de-DE",
        invariant=1,
    )

    def footer(canvas, doc_) -> None:  # noqa: ANN001
        canvas.saveState()
        canvas.setFont(st.regular, 8.5)
        canvas.setFillColor(NOTE_COLOR)
        canvas.drawCentredString(A4[0] / 2, 1.1 * cm, st.plain(f"{title} – Seite {doc_.page}"))
        canvas.restoreState()

    frame = Frame(MARGIN, 2 * cm, TEXT_WIDTH, A4[1] - 4 * cm, id="text")
    doc.addPageTemplates([PageTemplate("page", frames=[frame], onPage=footer)])
    doc.build(_flowables(blocks, st))
    return buf.getvalue()
