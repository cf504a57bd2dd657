"""The report blocks as an editable Word document (python-docx)."""

import io
import zipfile

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from report.content import (
    Block,
    Bullets,
    DocumentInfo,
    Figure,
    Heading,
    Logo,
    PageBreak,
    Paragraph,
    Table,
)
from report.layout import TEXT_WIDTH_CM, TONE_COLORS, fit_table

FONT = "Arial"
LANGUAGE = "de-DE"
TABLE_FONT_PT = (9.0, 8.5, 8.0, 7.5, 7.0)  # smaller only where the words would not fit
CELL_PADDING_CM = 0.4  # Word's default cell margins, left and right, and a little air
NOTE_COLOR = RGBColor(0x55, 0x55, 0x55)
HEADER_FILL = "DCE6F0"


def _set_language(style) -> None:  # noqa: ANN001
    """German proofing language, so Word's spell check works on the edited report."""
    rpr = style.element.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), LANGUAGE)
    lang.set(qn("w:eastAsia"), LANGUAGE)


def _styles(doc) -> None:  # noqa: ANN001
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(11)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    normal.paragraph_format.space_after = Pt(6)
    _set_language(normal)
    for name in ("Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "Caption"):
        doc.styles[name].font.name = FONT
    doc.styles["Title"].font.size = Pt(30)
    doc.styles["Heading 1"].font.size = Pt(16)
    doc.styles["Heading 2"].font.size = Pt(13)


def _page_number_footer(doc, title: str) -> None:  # noqa: ANN001
    p = doc.sections[0].footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(f"{title} – Seite ")
    run.font.size = Pt(9)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    r = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "1"
    r.append(t)
    field.append(r)
    p._p.append(field)


def _repeat_header(row) -> None:  # noqa: ANN001
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def _shade(cell, fill: str) -> None:  # noqa: ANN001
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def _table(doc, block: Table) -> None:  # noqa: ANN001
    if block.caption:
        doc.add_paragraph(block.caption, style="Caption")
    table = doc.add_table(rows=1, cols=len(block.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    # Fixed widths measured from the content: Word's own autofit would share them equally.
    table.autofit = False
    numeric = block.numeric or [False] * len(block.columns)
    size, measured = fit_table(
        block.columns, block.rows, total_cm=TEXT_WIDTH_CM, sizes=TABLE_FONT_PT,
        padding_cm=CELL_PADDING_CM, whole=numeric,
    )  # fmt: skip
    widths = [Cm(w) for w in measured]
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width

    def fill(cells, values, bold: bool, row: int | None) -> None:  # noqa: ANN001
        for j, (cell, value, width, right) in enumerate(
            zip(cells, values, widths, numeric, strict=True)
        ):
            cell.width = width
            para = cell.paragraphs[0]
            para.paragraph_format.space_after = Pt(0)
            if right:
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            run = para.add_run(value)
            run.font.size = Pt(size)
            run.bold = bold
            if (tone := block.tones.get((row, j))) is not None:
                run.font.color.rgb = RGBColor.from_string(TONE_COLORS[tone])

    header = table.rows[0]
    fill(header.cells, block.columns, True, None)
    for cell in header.cells:
        _shade(cell, HEADER_FILL)
    _repeat_header(header)
    for i, values in enumerate(block.rows):
        fill(table.add_row().cells, values, False, i)
    doc.add_paragraph()


def _figure(doc, block: Figure) -> None:  # noqa: ANN001
    doc.add_picture(io.BytesIO(block.png), width=Cm(min(block.width_cm, TEXT_WIDTH_CM)))
    pic_para = doc.paragraphs[-1]
    pic_para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    # Alternative text for screen readers: the caption says what the chart shows.
    for doc_pr in pic_para._p.iter(qn("wp:docPr")):
        doc_pr.set("descr", block.alt)
        doc_pr.set("title", block.caption)
    doc.add_paragraph(block.caption, style="Caption")


def _logo(doc, block: Logo) -> None:  # noqa: ANN001
    doc.add_picture(io.BytesIO(block.data), height=Cm(2.4))
    for doc_pr in doc.paragraphs[-1]._p.iter(qn("wp:docPr")):
        doc_pr.set("descr", block.alt)


def _paragraph(doc, block: Paragraph) -> None:  # noqa: ANN001
    if block.style == "spacer":
        doc.add_paragraph().paragraph_format.space_before = Cm(4)
        return
    style = {"title": "Title", "subtitle": "Subtitle"}.get(block.style)
    p = doc.add_paragraph(style=style)
    if block.label:
        p.add_run(block.label).bold = True
    run = p.add_run(block.text)
    if block.style == "note":
        run.italic = True
        run.font.color.rgb = NOTE_COLOR
        run.font.size = Pt(10)
    elif block.style == "lead":
        run.font.size = Pt(13)
        p.paragraph_format.space_after = Pt(10)
    elif block.style in ("town", "unit"):
        run.font.size = Pt(16 if block.style == "town" else 13)
        run.bold = block.style == "town"
        p.paragraph_format.space_after = Pt(2)


def _fixed_zip(data: bytes, when) -> bytes:  # noqa: ANN001
    """Rewrite the package with one fixed timestamp: the same report gives the same bytes."""
    out = io.BytesIO()
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def write_docx(blocks: list[Block], info: DocumentInfo) -> bytes:
    """A .docx of the blocks; metadata and timestamps come from the report, not the clock."""
    title = info.title
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin = section.bottom_margin = Cm(2.0)
    _styles(doc)
    _page_number_footer(doc, title)
    props = doc.core_properties
    props.title = title
    props.subject = info.subject
    props.author = props.last_modified_by = info.author
    props.language = info.language
    # python-docx writes the time as UTC ("...Z").
    props.created = props.modified = info.created_utc
    props.revision = 1
    for block in blocks:
        if isinstance(block, Heading):
            doc.add_heading(block.text, level=block.level)
        elif isinstance(block, Paragraph):
            _paragraph(doc, block)
        elif isinstance(block, Bullets):
            for item in block.items:
                doc.add_paragraph(item, style="List Bullet")
        elif isinstance(block, Table):
            _table(doc, block)
        elif isinstance(block, Figure):
            _figure(doc, block)
        elif isinstance(block, Logo):
            _logo(doc, block)
        elif isinstance(block, PageBreak):
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    buf = io.BytesIO()
    doc.save(buf)
    return _fixed_zip(buf.getvalue(), info.created)
