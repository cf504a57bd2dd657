"""Checks of a PDF's structure against PDF/UA-1 (ISO 14289-1), read with pikepdf.

What is checked (the machine-checkable part of the Matterhorn Protocol that matters for a
report): the file declares PDF/UA-1 in its XMP metadata and is marked as tagged; it has a
structure tree with a parent tree; the document language, a title shown as the window
title; every page orders its tabs by the structure; every painted glyph, image and path is
inside marked content (tagged, or an artifact); every font is embedded; every Figure has an
alternative text; headings do not skip a level; tables have header cells; the outline has
the headings.
"""

import io

import pikepdf

PAINT = {"Tj", "TJ", "'", '"', "Do", "f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "sh"}
PDFUA = "{http://www.aiim.org/pdfua/ns/id/}part"
DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"


def _kids(element: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    k = element.get("/K")
    if k is None:
        return []
    items = k if isinstance(k, pikepdf.Array) else [k]
    return [c for c in items if isinstance(c, pikepdf.Dictionary) and "/S" in c]


def structure(pdf: pikepdf.Pdf) -> list[tuple[str, pikepdf.Dictionary]]:
    """Every structure element (tag, element) in reading order."""
    out: list[tuple[str, pikepdf.Dictionary]] = []

    def walk(e: pikepdf.Dictionary) -> None:
        for c in _kids(e):
            out.append((str(c.S), c))
            walk(c)

    walk(pdf.Root.StructTreeRoot)
    return out


def _untagged(stream_owner: object) -> dict[str, int]:
    """Painting operators outside any marked-content sequence."""
    depth, bad = 0, {}
    for _operands, op in pikepdf.parse_content_stream(stream_owner):
        name = str(op)
        if name in ("BDC", "BMC"):
            depth += 1
        elif name == "EMC":
            depth -= 1
        elif name in PAINT and depth == 0:
            bad[name] = bad.get(name, 0) + 1
    return bad


def _fonts(resources: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    fonts = resources.get("/Font") or {}
    return [f for _name, f in fonts.items()]


def problems(data: bytes, *, title: str, language: str = "de-DE") -> list[str]:
    """Every PDF/UA-1 rule above that the file breaks, in words (empty: all kept)."""
    found: list[str] = []
    pdf = pikepdf.open(io.BytesIO(data))
    root = pdf.Root
    with pdf.open_metadata() as meta:
        if meta.get(PDFUA) != "1":
            found.append("XMP: pdfuaid:part is not 1")
        if meta.get(DC_TITLE) != title:
            found.append(f"XMP: dc:title is {meta.get(DC_TITLE)!r}")
    if not (root.get("/MarkInfo") and root.MarkInfo.get("/Marked")):
        found.append("MarkInfo /Marked is not true")
    if "/StructTreeRoot" not in root or "/ParentTree" not in root.StructTreeRoot:
        found.append("no structure tree with a parent tree")
        return found
    if str(root.get("/Lang", "")) != language:
        found.append(f"/Lang is {root.get('/Lang')!r}")
    if not (root.get("/ViewerPreferences") and root.ViewerPreferences.get("/DisplayDocTitle")):
        found.append("ViewerPreferences /DisplayDocTitle is not true")
    if str(pdf.docinfo.get("/Title", "")) != title:
        found.append(f"document title is {pdf.docinfo.get('/Title')!r}")
    for number, page in enumerate(pdf.pages, start=1):
        if page.obj.get("/Tabs") != "/S":
            found.append(f"page {number}: /Tabs is not /S")
        if bad := _untagged(page):
            found.append(f"page {number}: content outside marked content {bad}")
        xobjects = page.Resources.get("/XObject") or {}
        for name, x in xobjects.items():
            if x.get("/Subtype") == "/Form" and (bad := _untagged(x)):
                found.append(f"page {number}: form {name} has untagged content {bad}")
        for font in _fonts(page.Resources):
            desc = font.get("/DescendantFonts")
            descriptor = (desc[0] if desc else font).get("/FontDescriptor")
            if descriptor is None or not any(
                k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
            ):
                found.append(f"page {number}: font {font.get('/BaseFont')} not embedded")
    tags = structure(pdf)
    for tag, element in tags:
        if tag == "/Figure" and not str(element.get("/Alt", "")).strip():
            found.append("a Figure without alternative text")
    level = 0
    for tag, _element in tags:
        if tag in {f"/H{i}" for i in range(1, 7)}:
            n = int(tag[2:])
            if n > level + 1:
                found.append(f"heading level skipped: {tag} after H{level}")
            level = n
    tables = [e for t, e in tags if t == "/Table"]
    for table in tables:
        inner = []

        def walk(e: pikepdf.Dictionary, into: list[str] = inner) -> None:
            for c in _kids(e):
                into.append(str(c.S))
                walk(c)

        walk(table)
        if "/TH" not in inner:
            found.append("a table without header cells")
    no_outline = "/Outlines" not in root or not root.Outlines.get("/First")
    if no_outline and any(t == "/H1" for t, _e in tags):
        found.append("headings but no outline (bookmarks)")
    return found


def alt_texts(data: bytes) -> list[str]:
    pdf = pikepdf.open(io.BytesIO(data))
    return [str(e.get("/Alt", "")) for t, e in structure(pdf) if t == "/Figure"]


def tags(data: bytes) -> list[str]:
    return [t for t, _e in structure(pikepdf.open(io.BytesIO(data)))]
