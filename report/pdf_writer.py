"""The report blocks as a tagged, accessible PDF (PDF/UA-1): HTML laid out by WeasyPrint.

WeasyPrint tags what the HTML says (headings, paragraphs, lists, tables with header cells,
figures with their alternative text), takes the language from `<html lang>`, the title,
author and dates from the head, and marks page furniture (the footer) as artifacts. The
same blocks and document info give the same bytes.
"""

import base64
from html import escape

from weasyprint import HTML

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

TABLE_FONT_PT = (8.5, 8.0, 7.5, 7.0)  # smaller only where the words would not fit
CELL_PADDING_CM = 0.32  # 4 pt left and right, and the rules
STYLE = """
@page {
  size: A4;
  margin: 2cm 2.2cm 2.2cm 2.2cm;
  @bottom-center {
    content: FOOTER " – Seite " counter(page) " von " counter(pages);
    font-family: "DejaVu Sans", sans-serif; font-size: 8.5pt; color: #555;
  }
}
@page cover { @bottom-center { content: none; } }
html { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; line-height: 1.4;
       color: #1a1a1a; }
body { margin: 0; }
.cover { page: cover; }
.logo { max-height: 2.6cm; max-width: 7cm; display: block; margin-bottom: 0.6cm; }
.town { font-size: 15pt; font-weight: bold; margin: 0; }
.unit { font-size: 12pt; margin: 0.1cm 0 0 0; }
.spacer { height: 4.5cm; margin: 0; }
.title { font-size: 28pt; font-weight: bold; line-height: 1.2; margin: 0 0 0.3cm 0; }
.subtitle { font-size: 16pt; margin: 0 0 1.2cm 0; }
.lead { font-size: 12pt; margin: 0 0 0.25cm 0; }
.note { font-size: 9pt; font-style: italic; color: #555; }
h1 { font-size: 15pt; color: #1F3864; margin: 0.6cm 0 0.25cm 0; break-after: avoid; }
h2 { font-size: 12pt; margin: 0.4cm 0 0.15cm 0; break-after: avoid; }
p { margin: 0 0 0.2cm 0; }
ul { margin: 0 0 0.25cm 0; padding-left: 0.6cm; }
li { margin-bottom: 0.08cm; }
figure { margin: 0.2cm 0 0.35cm 0; break-inside: avoid; }
figure img { display: block; margin: 0 auto; }
figcaption, caption { font-size: 9pt; font-style: italic; text-align: left; margin: 0.1cm 0; }
caption { caption-side: top; break-after: avoid; }
table { border-collapse: collapse; margin: 0.15cm auto 0.35cm auto; font-size: 8.5pt;
        table-layout: fixed; }
th, td { border: 0.4pt solid #9AA5B1; padding: 2.5pt 4pt; vertical-align: top;
         text-align: left; hyphens: manual; overflow-wrap: normal; }
thead th { background: #DCE6F0; }
tbody th { font-weight: normal; }
.num { text-align: right; }
tr { break-inside: avoid; }
.pagebreak { break-before: page; }
"""


def _text(value: str) -> str:
    return escape(value, quote=True)


def _table(block: Table) -> str:
    numeric = block.numeric or [False] * len(block.columns)
    cls = [' class="num"' if r else "" for r in numeric]
    head = "".join(
        f'<th scope="col"{c}>{_text(v)}</th>' for v, c in zip(block.columns, cls, strict=True)
    )
    body = []
    for i, row in enumerate(block.rows):
        cells = []
        for j, (value, c) in enumerate(zip(row, cls, strict=True)):
            tone = block.tones.get((i, j))
            style = f' style="color: #{TONE_COLORS[tone]}"' if tone else ""
            # The first cell names the row: a header cell for screen readers.
            tag, scope = ("th", ' scope="row"') if j == 0 else ("td", "")
            cells.append(f"<{tag}{scope}{c}{style}>{_text(value)}</{tag}>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    caption = f"<caption>{_text(block.caption)}</caption>" if block.caption else ""
    # Widths measured from the content (report.layout), as in the .docx: no word is cut.
    size, widths = fit_table(
        block.columns, block.rows, total_cm=TEXT_WIDTH_CM, sizes=TABLE_FONT_PT,
        padding_cm=CELL_PADDING_CM, whole=numeric,
    )  # fmt: skip
    cols = "".join(f'<col style="width: {w:.2f}cm">' for w in widths)
    return (
        f'<table style="width: {sum(widths):.2f}cm; font-size: {size}pt">{caption}'
        f"<colgroup>{cols}</colgroup>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def _image(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _figure(block: Figure) -> str:
    width = min(block.width_cm, TEXT_WIDTH_CM)
    return (
        f'<figure><img src="{_image(block.png, "image/png")}" alt="{_text(block.alt)}" '
        f'style="width: {width}cm"><figcaption>{_text(block.caption)}</figcaption></figure>'
    )


def _paragraph(block: Paragraph) -> str:
    if block.style == "spacer":
        return '<div class="spacer"></div>'
    label = f"<strong>{_text(block.label)}</strong>" if block.label else ""
    cls = f' class="{block.style}"' if block.style != "body" else ""
    return f"<p{cls}>{label}{_text(block.text)}</p>"


def _body(blocks: list[Block]) -> str:
    """The cover (everything before the first page break) and the rest."""
    parts: list[str] = ['<section class="cover">']
    cover = True
    for block in blocks:
        if isinstance(block, PageBreak):
            if cover:
                parts.append("</section>")
                cover = False
            parts.append('<div class="pagebreak"></div>')
        elif isinstance(block, Heading):
            parts.append(f"<h{block.level}>{_text(block.text)}</h{block.level}>")
        elif isinstance(block, Paragraph):
            parts.append(_paragraph(block))
        elif isinstance(block, Bullets):
            parts.append("<ul>" + "".join(f"<li>{_text(i)}</li>" for i in block.items) + "</ul>")
        elif isinstance(block, Table):
            parts.append(_table(block))
        elif isinstance(block, Figure):
            parts.append(_figure(block))
        elif isinstance(block, Logo):
            parts.append(
                f'<img class="logo" src="{_image(block.data, block.mime)}" '
                f'alt="{_text(block.alt)}">'
            )
    if cover:
        parts.append("</section>")
    return "".join(parts)


def _css_string(value: str) -> str:
    """A CSS string literal of any text (the title in the footer): all but letters, digits
    and spaces as escapes."""
    escaped = "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in value)
    return f'"{escaped}"'


def report_html(blocks: list[Block], info: DocumentInfo) -> str:
    """The whole report as one HTML document (images inline)."""
    created = info.created.isoformat(timespec="seconds")
    lang = escape(info.language, quote=True)
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{_text(info.title)}</title>"
        f'<meta name="author" content="{_text(info.author)}">'
        f'<meta name="description" content="{_text(info.subject)}">'
        f'<meta name="generator" content="Portalquote">'
        f'<meta name="dcterms.created" content="{created}">'
        f'<meta name="dcterms.modified" content="{created}">'
        f"<style>{STYLE.replace('FOOTER', _css_string(info.title), 1)}</style>"
        f"</head><body>{_body(blocks)}</body></html>"
    )


def write_pdf(blocks: list[Block], info: DocumentInfo) -> bytes:
    """An A4 PDF/UA-1 of the blocks with page numbers."""
    return HTML(string=report_html(blocks, info)).write_pdf(pdf_variant="pdf/ua-1")
