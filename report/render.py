"""A stored snapshot turned into the .docx and the PDF (same content, same bytes each time)."""

import re

from report.content import build_blocks, document_info
from report.docx_writer import write_docx
from report.pdf_writer import write_pdf

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_MIME = "application/pdf"


def render_docx(snapshot: dict) -> bytes:
    return write_docx(build_blocks(snapshot), document_info(snapshot))


def render_pdf(snapshot: dict) -> bytes:
    return write_pdf(build_blocks(snapshot), document_info(snapshot))


def render_both(snapshot: dict) -> tuple[bytes, bytes]:
    """Both files from one pass over the content (charts are rendered once)."""
    blocks, info = build_blocks(snapshot), document_info(snapshot)
    return write_docx(blocks, info), write_pdf(blocks, info)


def file_stem(snapshot: dict) -> str:
    """'Sachstandsbericht_November_2021_Stichtag_2021-11-15' (safe as a download name)."""
    name = re.sub(r"[^\w.-]+", "_", snapshot["title"]).strip("_") or "Sachstandsbericht"
    return f"{name}_Stichtag_{snapshot['cutoff']}"
