"""Slides cut to the projector (pure, no Streamlit): the blocks of each slide with their height
estimated at the projector's type sizes, packed into parts that fit a 1280×720 screen without
scrolling; a slide of several parts is shown as "Folie 3a", "3b", ...

The estimates err on the large side (a part a little short is better than one that scrolls);
tests/test_browser_presentation.py measures every part of the demo agenda in Chromium at
1280×720 and 1920×1080. The type sizes here are those of PRESENT_CSS: one place for both.
"""

import math
import re
import string
from dataclasses import dataclass, replace

import pandas as pd

from dashboard.charts import BIG_BAR_STEP, BIG_TEXT, ranked
from db import figures
from db.german import format_month
from db.session import OVERVIEW, SERVICES, Agenda, Slide
from report import slides as content

# The smallest screen a slide must fit, and the type on it, in CSS pixels.
SCREEN_WIDTH, SCREEN_HEIGHT = 1280, 720
PAD_X, PAD_TOP, PAD_BOTTOM = 40, 16, 16
GAP = 12  # between the blocks of a slide
PARA_GAP = 8  # between the paragraphs of a block
BODY, LINE = 24, 1.4  # body text and its line height
TABLE_LINE, CELL_PAD_Y, CELL_PAD_X = 1.3, 6, 10
TITLE, TITLE_LINE = 40, 1.2
HEADING = 30
KEY_FIGURE, FIGURE = 72, 52
BADGE = 22
CHART_TEXT = BIG_TEXT  # axis and legend labels of the slide charts
NAV_HEIGHT = 50  # the row of buttons under a slide (44 measured)
BOLD = 1.08  # bold text is this much wider
WIDTH = SCREEN_WIDTH - 2 * PAD_X

# Charts: the height a line chart would like and the least it may shrink to (legend rows
# come on top); ranked bars.
CHART_HEIGHT, CHART_MIN = 330, 240
LINES_MAX = 4  # more services than this are shown as ranked bars, not as lines


@dataclass(frozen=True)
class Block:
    """One thing a slide shows, `height` px tall (estimated, GAP not included).

    kind: figures, heading, text, measure, rows, chart, info. A chart may give up `shrink`
    px to fit; `rows` are table rows of `table`, whose header (`head` px) is repeated in every
    part the table continues in; a block that `keep_with_next` (a heading) never ends a part.
    """

    kind: str
    height: float
    data: object = None
    shrink: float = 0
    keep_with_next: bool = False
    table: str | None = None
    head: float = 0


# Larger screens show the slide of 1280×720 enlarged (the charts are drawn on the server as
# SVG of WIDTH px: sharp at any size, never measured in the browser), smaller ones reduced:
# (least width, least height, zoom).
ZOOMS = [(1600, 900, 1.25), (1920, 1080, 1.5), (2560, 1440, 2.0)]
SMALL_ZOOM = 0.8


def _zoom() -> str:
    small = f"(max-width: {SCREEN_WIDTH - 1}px), (max-height: {SCREEN_HEIGHT - 1}px)"
    steps = [(small, SMALL_ZOOM)] + [
        (f"(min-width: {w}px) and (min-height: {h}px)", z) for w, h, z in ZOOMS
    ]
    return "\n".join(
        f"@media {query} {{.stMainBlockContainer {{zoom: {z};}}}}" for query, z in steps
    )


# The slide's type (also in the preview on the page) and, while presenting, no header,
# sidebar, chart toolbar or frame around a clicked slide (a control reached by the keyboard
# keeps its focus ring), and little margin. Inline, as the sizes come from the slide plan's
# constants: the Content-Security-Policy allows inline styles (not scripts).
SLIDE_CSS = f"""<style class="pq-css">
.st-key-pq-slide p, .st-key-pq-slide li, .st-key-pq-slide td, .st-key-pq-slide th,
.st-key-pq-slide [data-testid="stMetricLabel"] p, .pq-meta, .st-key-pq-slide .stAlert p {{
  font-size: {BODY}px !important; line-height: {LINE};}}
.st-key-pq-slide p, .st-key-pq-slide td, .st-key-pq-slide th {{overflow-wrap: anywhere;}}
.st-key-pq-slide h2 {{font-size: {TITLE}px; line-height: {TITLE_LINE}; padding: 0;}}
.st-key-pq-slide h3 {{font-size: {HEADING}px; line-height: 1.2; padding: 0;}}
.st-key-pq-slide [data-testid="stMetricValue"], .st-key-pq-slide [data-testid="stMetricValue"] p
  {{font-size: {FIGURE}px !important; line-height: 1.2;}}
.st-key-pq-key-figure [data-testid="stMetricValue"], .st-key-pq-key-figure
  [data-testid="stMetricValue"] p {{font-size: {KEY_FIGURE}px !important;}}
.st-key-pq-slide table.pq-table {{font-size: {BODY}px; line-height: {TABLE_LINE}; margin: 0;}}
.st-key-pq-slide table.pq-table td, .st-key-pq-slide table.pq-table th {{
  padding: {CELL_PAD_Y}px {CELL_PAD_X}px; font-size: {BODY}px !important;
  line-height: {TABLE_LINE};}}
.st-key-pq-slide .stMarkdownBadge, .st-key-pq-slide [data-testid="stMarkdownBadge"] {{
  font-size: {BADGE}px !important; line-height: 1.3;}}
.st-key-pq-slide [data-testid="stMarkdownContainer"] {{margin-bottom: 0 !important;}}
.st-key-pq-slide [data-testid="stMarkdownContainer"] p {{margin: 0 0 {PARA_GAP}px 0;}}
.st-key-pq-slide [data-testid="stMarkdownContainer"] p:last-child {{margin-bottom: 0;}}
.pq-meta {{color: #444444;}}
.st-key-pq-nav button p, .st-key-pq-nav [data-testid="stPageLink"] p {{
  font-size: {BODY}px !important; line-height: {LINE};}}
[data-testid="stElementContainer"]:has(> [data-testid="stMarkdown"] style.pq-css) {{
  display: none;}}
.pq-where {{text-align: center;}}
.st-key-pq-keys {{display: none !important;}}
img.pq-chart {{display: block; width: 100%; height: auto;}}
.st-key-pq-slide [data-testid="stMetricLabel"] div {{white-space: normal;
  overflow: visible; text-overflow: clip;}}
.st-key-pq-slide table.pq-table caption {{position: absolute; width: 1px; height: 1px;
  overflow: hidden; clip-path: inset(50%); white-space: nowrap;}}
</style>"""
PRESENT_CSS = f"""<style class="pq-css">
header[data-testid="stHeader"], [data-testid="stSidebar"],
[data-testid="stSidebarCollapsedControl"], [data-testid="stElementToolbar"] {{
  display: none !important;}}
.stMainBlockContainer {{padding: {PAD_TOP}px {PAD_X}px {PAD_BOTTOM}px !important;
  max-width: 100% !important;}}
.stMainBlockContainer [data-testid="stVerticalBlock"] {{gap: {GAP}px;}}
main[data-testid="stMain"]:focus:not(:focus-visible),
.stMainBlockContainer *:focus:not(:focus-visible) {{
  outline: none !important; box-shadow: none !important;}}
.st-key-pq-nav kbd {{display: none;}}
{_zoom()}
</style>"""

# ---------------------------------------------------------------- text


# Advances of Source Sans (the app's font), regular, in hundredths of an em, measured in
# Chromium; other characters count as wide ones, bold text as BOLD wider.
_CHARS = (
    "abcdefghijklmnopqrstuvwxyzäöüßABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÜ0123456789 .,:;-–()/%+±·„“&<>!?"
)
_WIDTHS = [50, 55, 46, 55, 50, 29, 50, 54, 25, 25, 49, 25, 83, 55, 54, 55, 55, 35, 42, 34, 54, 47,
           72, 45, 47, 42, 50, 54, 54, 58, 54, 59, 57, 61, 53, 49, 62, 65, 26, 48, 58, 49, 73, 65,
           66, 57, 66, 57, 53, 54, 64, 51, 79, 51, 48, 54, 54, 66, 64, *[50] * 10, 20, 25, 25, 25,
           25, 31, 48, 30, 30, 35, 82, 50, 50, 25, 43, 43, 61, 50, 50, 29, 42]  # fmt: skip
ADVANCE = dict(zip(_CHARS, [w / 100 for w in _WIDTHS], strict=True))
OTHER, WIDE = 0.62, 1.0  # an unknown Latin character; CJK and other wide scripts
MARGIN = 1.06  # rendering differs a little between machines: estimate a little wide


def text_width(content: str, size: float = BODY, *, bold: bool = False) -> float:
    """The width of one line of `content` in px."""
    em = sum(ADVANCE.get(ch, WIDE if ord(ch) >= 0x2E80 else OTHER) for ch in content)
    return em * size * MARGIN * (BOLD if bold else 1.0)


def text_lines(content: str, width: float, size: float = BODY, *, bold: bool = False) -> int:
    """How many lines `content` takes wrapped at `width` px (each paragraph on new lines; a
    word longer than a line is broken, as the slides' CSS does)."""
    space = text_width(" ", size, bold=bold)
    total = 0
    for para in str(content).split("\n"):
        lines, used = 1, 0.0
        for word in para.split():
            w = text_width(word, size, bold=bold)
            if used and used + space + w <= width:
                used += space + w
                continue
            if used:
                lines += 1
            lines += max(0, math.ceil(w / width) - 1)  # a word wider than a line
            used = w - (math.ceil(w / width) - 1) * width if w > width else w
        total += lines
    return total


def text_height(text: str, width: float = WIDTH, size: float = BODY, *, bold: bool = False,
                line: float = LINE) -> float:  # fmt: skip
    return text_lines(text, width, size, bold=bold) * size * line


def split_text(text: str, width: float, max_lines: int) -> list[str]:
    """`text` in pieces of at most `max_lines` lines at `width` px, split between words."""
    pieces, current = [], []
    for word in str(text).split():
        trial = " ".join([*current, word])
        if current and text_lines(trial, width) > max_lines:
            pieces.append(" ".join(current))
            current = [word]
        else:
            current.append(word)
    if current:
        pieces.append(" ".join(current))
    return pieces or [""]


# ---------------------------------------------------------------- tables


def _cell_width(content: str, bold: bool = False) -> float:
    return text_width(content, bold=bold) + 2 * CELL_PAD_X


def column_widths(df: pd.DataFrame, width: float = WIDTH) -> list[float]:
    """Roughly what the browser's automatic table layout gives each column: its natural
    width where all fit; else the narrow columns keep theirs and the wide ones share the
    rest in proportion."""
    natural = [
        max([_cell_width(str(col), True), *(_cell_width(str(v)) for v in df[col])])
        for col in df.columns
    ]
    if sum(natural) <= width:
        return natural
    flexible = set(range(len(natural)))
    while True:
        room = width - sum(w for i, w in enumerate(natural) if i not in flexible)
        narrow = {i for i in flexible if natural[i] <= room / len(flexible)}
        if not narrow or narrow == flexible:
            break
        flexible -= narrow
    total = sum(natural[i] for i in flexible)
    return [max(4 * BODY, room * w / total) if i in flexible else w
            for i, w in enumerate(natural)]  # fmt: skip


def _row_height(cells: list[str], widths: list[float], *, bold: bool = False) -> float:
    lines = max(
        text_lines(c, max(w - 2 * CELL_PAD_X, BODY), bold=bold)
        for c, w in zip(cells, widths, strict=True)
    )
    return lines * BODY * TABLE_LINE + 2 * CELL_PAD_Y + 2


def table_blocks(df: pd.DataFrame, name: str, caption: str, room: float) -> list[Block]:
    """A display table as one block, or, if it is taller than a part (`room`), as one block
    per row (the header repeated in each part)."""
    if df.empty:
        return []
    widths = column_widths(df)
    head = _row_height([str(c) for c in df.columns], widths, bold=True) + 2
    rows = [_row_height([str(v) for v in row], widths) for row in df.itertuples(index=False)]
    if head + sum(rows) <= room - 2 * (BODY * LINE + GAP):  # with its title, on its own
        return [Block("rows", sum(rows), {"frame": df, "caption": caption}, table=name, head=head)]
    return [
        Block("rows", height, {"frame": df.iloc[[i]], "caption": caption}, table=name, head=head)
        for i, height in enumerate(rows)
    ]


def merge_rows(part: list[Block]) -> list[Block]:
    """A part as drawn: consecutive rows of the same table become one `table` block."""
    out: list[Block] = []
    for block in part:
        if (
            block.kind == "rows"
            and out
            and out[-1].kind == "table"
            and out[-1].table == block.table
        ):
            last = out[-1]
            frame = pd.concat([last.data["frame"], block.data["frame"]])
            out[-1] = replace(
                last, height=last.height + block.height, data={**last.data, "frame": frame}
            )
        elif block.kind == "rows":
            out.append(replace(block, kind="table", height=block.head + block.height))
        else:
            out.append(block)
    return out


# ---------------------------------------------------------------- the slides' blocks


def heading(content: str, *, small: bool = False) -> Block:
    """A subheading (small: a bold line of body text, such as a table's title); never the
    last thing in a part."""
    if small:
        return Block("label", text_height(content, bold=True), content, keep_with_next=True)
    height = text_height(content, size=HEADING, bold=True, line=1.2) + 4
    return Block("heading", height, content, keep_with_next=True)


def text(content: str) -> Block:
    return Block("text", text_height(content), content)


def info(content: str) -> Block:
    """A message box (st.info): its text and the box's padding."""
    return Block("info", text_height(content, WIDTH - 80) + 34, content)


TILE_GAP = 16


def figures_block(shown: dict) -> Block:
    """The overview's four figures as two rows of two tiles (report.slides.overview_figures):
    label, value (the share in KEY_FIGURE size), what it is based on."""
    col = (WIDTH - TILE_GAP) / 2
    tiles = [
        (f"Onlinequote {shown['month']}", KEY_FIGURE, shown["base"]),
        ("Anträge gesamt", FIGURE, f"davon online: {shown['online']}"),
        ("zum Vormonat", FIGURE, shown["month_basis"]),
        ("zum Vorjahresmonat", FIGURE, shown["year_basis"]),
    ]
    heights = [
        text_height(label, col) + size * 1.2 + GAP + text_height(caption, col) + 6
        for label, size, caption in tiles
    ]
    return Block("figures", max(heights[:2]) + GAP + max(heights[2:]), shown)


def measure_blocks(
    name: str, status: str, label: str, note: str | None, budget: float
) -> list[Block]:
    """A measure: its name with the status badge, then its Sachstand; a Sachstand longer than
    a part goes on in further blocks."""
    head = text_height(f"{name} {label}  ", bold=True)
    if not note:
        return [Block("measure", head, {"name": name, "status": status, "label": label})]
    line = BODY * LINE
    first_lines = max(1, int((budget - head - 2 * GAP) // line))
    pieces = split_text(note, WIDTH, first_lines)
    rest = " ".join(pieces[1:])
    more = split_text(rest, WIDTH, max(1, int((budget - 2 * GAP) // line))) if rest else []
    data = {"name": name, "status": status, "label": label, "note": pieces[0]}
    blocks = [Block("measure", head + PARA_GAP + text_height(pieces[0]), data)]
    blocks += [Block("text", text_height(p), p) for p in more]
    return blocks


def lines_chart_block(frame: pd.DataFrame, services: list[str], alt_text: str) -> Block:
    """The online share of a few services over the last months, as lines with a legend; the
    block's height is the chart's (Streamlit fits axes and legend into it)."""
    wide = max(text_width(s, CHART_TEXT) for s in services) > WIDTH / 3 - 60
    columns = 1 if wide else 3
    legend = math.ceil(len(services) / columns) * (CHART_TEXT + 12)
    data = {"builder": "share_lines_chart", "frame": frame, "alt": alt_text,
            "options": {"big": True, "legend_columns": columns}}  # fmt: skip
    return Block("chart", CHART_HEIGHT + legend, data, shrink=CHART_HEIGHT - CHART_MIN)


def bars_chart_blocks(frame: pd.DataFrame, alt_text: str, room: float) -> list[Block]:
    """The services' shares as ranked bars: as many to a chart as fit a part under a
    heading, in charts of about equal size. The bars' step is fixed; the axis, its title and
    the legend come on top."""
    shares = ranked(frame)
    overhead = 2 * CHART_TEXT * 1.3 + CHART_TEXT + 12 + 30  # 112 measured
    fit = max(1, int((room - heading("").height - GAP - overhead) // BIG_BAR_STEP))
    size = math.ceil(len(shares) / math.ceil(len(shares) / fit)) if len(shares) else 1
    data = {"builder": "share_by_service_chart", "alt": alt_text, "options": {"big": True}}
    return [
        Block("chart", len(chunk) * BIG_BAR_STEP + overhead, {**data, "frame": chunk})
        for chunk in (shares.iloc[i : i + size] for i in range(0, len(shares), size))
    ]


# ---------------------------------------------------------------- what each slide shows


def uptake_blocks(
    uptake: pd.DataFrame, month: str | None, services: list[str], title: str, room: float
) -> list[Block]:
    """A chart (lines for a few services, ranked bars for many) and the figures of `month`,
    the latest complete month."""
    if month is None:
        return [info("Zu diesem Stand lagen noch keine vollständigen Zahlen vor.")]
    name = format_month(month, long=True)
    if len(services) > LINES_MAX:  # the bars carry each base ("203 von 681")
        frame = content.latest(uptake, services, month)
        if frame["online_share"].notna().sum() == 0:
            return [info(f"Für {name} liegen für diese Leistungen keine Quoten vor.")]
        return bars_chart_blocks(frame, f"{title}: Onlinequote je Leistung im {name}", room)
    frame = content.recent(uptake, services, month)
    blocks = []
    if frame["online_share"].notna().any():
        alt = f"{title}: Onlinequote der letzten zwölf Monate je Leistung"
        blocks.append(lines_chart_block(frame, services, alt))
    table = content.service_rows(uptake, services, month)
    if table.empty:
        return blocks or [info(f"Für {name} liegen für diese Leistungen keine Zahlen vor.")]
    return [
        *blocks,
        heading(f"Zahlen für {name}", small=True),
        *table_blocks(table, "uptake", f"{title}: Zahlen für {name}", room),
    ]


def overview_blocks(
    head: figures.Headline | None, measures: pd.DataFrame, room: float
) -> list[Block]:
    shown = content.overview_figures(head)
    if shown is None:
        blocks = [info("Zu diesem Stand waren noch keine vollständigen Antragszahlen geladen.")]
    else:
        blocks = [figures_block(shown), *(text(t) for t in shown["provisional"])]
    table = content.status_table(figures.status_counts(measures))
    if not table.empty:
        caption = "Maßnahmen je Handlungsfeld und Status"
        blocks += [
            heading("Umsetzungsstand der Maßnahmen"),
            *table_blocks(table, "status", caption, room),
        ]
    return blocks


def field_blocks(
    slide: Slide,
    measures: pd.DataFrame,
    links: pd.DataFrame,
    uptake: pd.DataFrame,
    month: str | None,
    room: float,
) -> list[Block]:
    rows = measures[measures["field_id"] == slide.field_id]
    if rows.empty:
        return [info("Zu diesem Stand gab es in diesem Handlungsfeld noch keine Maßnahmen.")]
    blocks = []
    for m in rows.itertuples():
        label = content.STATUS_LABELS.get(m.status, m.status)
        note = m.note if isinstance(m.note, str) and m.note else None
        blocks += measure_blocks(m.measure, m.status, label, note, room)
    linked = content.linked_services(measures, links, slide.field_id)
    if linked:
        blocks.append(heading("Inanspruchnahme der verknüpften Leistungen"))
        blocks += uptake_blocks(uptake, month, linked, slide.title, room)
    return blocks


def slide_parts(
    slide: Slide,
    agenda: Agenda,
    uptake: pd.DataFrame,
    states: pd.DataFrame,
    measures: pd.DataFrame,
    links: pd.DataFrame,
) -> list[list[Block]]:
    """A slide's blocks (from the figures as they stood at the agenda's moment), in parts."""
    head = figures.headline(uptake, states)
    month = head.month if head else None
    room = budget(slide.title)
    if slide.kind == OVERVIEW:
        blocks = overview_blocks(head, measures, room)
    elif slide.kind == SERVICES:
        blocks = (
            uptake_blocks(uptake, month, agenda.services, slide.title, room)
            if agenda.services
            else [info("Für diese Folie sind keine Leistungen ausgewählt.")]
        )
    else:
        blocks = field_blocks(slide, measures, links, uptake, month, room)
    return pack(blocks, room)


def plan_agenda(
    agenda: Agenda,
    slides: list[Slide],
    uptake: pd.DataFrame,
    states: pd.DataFrame,
    measures: pd.DataFrame,
    links: pd.DataFrame,
) -> list[tuple[str, Slide, list[Block]]]:
    """Every part of every slide in order: (label '3b', slide, blocks)."""
    out = []
    for number, slide in enumerate(slides, start=1):
        parts = slide_parts(slide, agenda, uptake, states, measures, links)
        labels = part_labels(number, len(parts))
        out += [(label, slide, part) for label, part in zip(labels, parts, strict=True)]
    return out


# ---------------------------------------------------------------- parts


def budget(title: str) -> float:
    """The height a slide's content may take below its title and 'Stand' line and above the
    row of buttons."""
    top = text_height(title, size=TITLE, bold=True, line=TITLE_LINE)
    return SCREEN_HEIGHT - PAD_TOP - PAD_BOTTOM - top - BODY * LINE - NAV_HEIGHT - 3 * GAP


def _cost(part: list[Block], block: Block) -> float:
    head = block.head if block.table and not (part and part[-1].table == block.table) else 0
    return (GAP if part else 0) + head + block.height


def _shrunk(part: list[Block], over: float) -> list[Block] | None:
    """The part with its charts made `over` px shorter in all (None if they cannot give it)."""
    if sum(b.shrink for b in part) < over:
        return None
    out = []
    for block in reversed(part):
        take = min(block.shrink, over)
        over -= take
        out.append(replace(block, height=block.height - take, shrink=block.shrink - take))
    return out[::-1]


def _placed(part: list[Block], blocks: list[Block], room: float) -> list[Block] | None:
    """The part with `blocks` added (charts, the new ones too, shrunk if need be), or None."""
    trial = list(part)
    for block in blocks:
        trial.append(block)
    used = sum(_cost(trial[:i], b) for i, b in enumerate(trial))
    if used <= room:
        return trial
    return _shrunk(trial, used - room)


def pack(blocks: list[Block], room: float) -> list[list[Block]]:
    """The blocks in order, in as few parts of at most `room` px as they go (a chart gives
    up height for what follows it, down to its least); a heading goes with the block after
    it; a block taller than a whole part gets one of its own."""
    parts: list[list[Block]] = [[]]
    for i, block in enumerate(blocks):
        group = [block]
        if block.keep_with_next and i + 1 < len(blocks):
            group.append(blocks[i + 1])  # only to check that it fits too
        if parts[-1] and _placed(parts[-1], group, room) is None:
            parts.append([])
        # Alone in a part and still too tall: as it is.
        parts[-1] = _placed(parts[-1], [block], room) or [*parts[-1], block]
    return [merge_rows(p) for p in parts if p]


def part_labels(number: int, parts: int) -> list[str]:
    """'3' for a slide of one part; '3a', '3b', ... for one of several."""
    if parts == 1:
        return [str(number)]
    letters = string.ascii_lowercase
    return [f"{number}{letters[i]}" if i < len(letters) else f"{number}.{i + 1}"
            for i in range(parts)]  # fmt: skip


LABEL = re.compile(r"^(\d+)([a-z]|\.\d+)?$")


def find(labels: list[str], wanted: str | None) -> int:
    """The index of the part the address names ('3b'); '3' is the first part of slide 3; an
    unknown label the first part, a number past the end the last part."""
    wanted = (wanted or "").strip().lower()
    if wanted in labels:
        return labels.index(wanted)
    match = LABEL.match(wanted)
    if not match:
        return 0
    number = int(match.group(1))
    for i, label in enumerate(labels):
        if int(LABEL.match(label).group(1)) >= number:
            return i
    return len(labels) - 1
