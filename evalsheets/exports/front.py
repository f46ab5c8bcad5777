"""The booklet's front matter — the table of contents (目次) and one cover list per 施策 —
drawn directly into the booklet, laid out once.

WeasyPrint laid these tables out at about 0.17 s a page: the 56 pages of a 1,000-sheet
year took 9 s, three times the ZIP of the same sheets, before a single sheet was
copied. They are plain tables of one font size, so they are drawn here: text in the
IPAex fonts of the booklet's merged subsets (``FontMerger.direct``: one glyph per
character, widths from the font), a character-level line break in the cells (Japanese
text breaks anywhere), rows that never split, the heading row repeated on every page.

Two steps: ``paginate`` places the rows on pages (it does not need the page numbers,
which sit in fixed-width cells), so the front matter's length is known; then, once
every sheet's pages are numbered, ``draw`` writes each page's content stream with the
page numbers in place. The look follows the former HTML template (A4, the sheets'
margins, 8.5 pt tables with 0.6 pt rules, grey heading rows).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from evalsheets.pdf.fontmerge import FontMerger, metrics

MM = 72 / 25.4
PAGE_WIDTH, PAGE_HEIGHT = 210 * MM, 297 * MM
TOP, RIGHT, BOTTOM, LEFT = 11 * MM, 10 * MM, 13 * MM, 10 * MM
CONTENT = PAGE_WIDTH - LEFT - RIGHT
SIZE = 8.5  # pt: table text
LEADING = SIZE * 1.3
PAD_X, PAD_Y = 1.5 * MM, 1.2 * MM
RULE = 0.6
HEAD_GREY, GROUP_GREY = b"0.933", b"0.965"
GOTHIC, MINCHO = "IPAexGothic", "IPAexMincho"
NUMBER_WIDTH = 13 * MM  # the page column


@dataclass
class Cell:
    text: str
    width: float
    align: str = "left"  # left, center, right
    bold: bool = False
    indent: float = 0.0
    page_of: object = None  # a Group or an Entry: the cell shows its page number


@dataclass
class Row:
    cells: list[Cell]
    grey: bytes | None = None
    lines: list[list[str]] = field(default_factory=list)  # per cell, after wrapping
    height: float = 0.0


def text_width(text: str, size: float, family: str = GOTHIC) -> float:
    measure = metrics(family)
    return sum(measure.glyph(char)[1] for char in text) * size / 1000


def wrap(text: str, width: float, size: float = SIZE) -> list[str]:
    """``text`` broken into lines no wider than ``width`` (at any character)."""
    measure = metrics(GOTHIC)
    lines, line, used = [], [], 0.0
    for char in text:
        if char == "\n":
            lines.append("".join(line))
            line, used = [], 0.0
            continue
        advance = measure.glyph(char)[1] * size / 1000
        if line and used + advance > width + 0.01:
            lines.append("".join(line))
            line, used = [], 0.0
        line.append(char)
        used += advance
    lines.append("".join(line))
    return lines


def _measure(row: Row) -> Row:
    row.lines = [wrap(c.text, c.width - 2 * PAD_X - c.indent) for c in row.cells]
    row.height = max(len(lines) for lines in row.lines) * LEADING + 2 * PAD_Y
    return row


def _columns(fixed: list[float]) -> float:
    """The width left for the one flexible column."""
    return CONTENT - sum(fixed)


def toc_table(groups) -> tuple[Row, Callable[[], Iterator[Row]]]:
    code, section = 15 * MM, 22 * MM
    name = _columns([code, section, NUMBER_WIDTH])
    head = Row(
        [
            Cell("コード", code, "center"),
            Cell("施策・事務事業", name, "center"),
            Cell("所管課", section, "center"),
            Cell("ページ", NUMBER_WIDTH, "center"),
        ],
        HEAD_GREY,
    )

    def rows():
        for group in groups:
            heading = f"{group.heading}（{len(group.entries)}本）"
            yield Row(
                [
                    Cell(heading, code + name + section, bold=True),
                    Cell("", NUMBER_WIDTH, "right", bold=True, page_of=group),
                ],
                GROUP_GREY,
            )
            for entry in group.entries:
                yield Row(
                    [
                        Cell(entry.code, code),
                        Cell(entry.name, name, indent=5 * MM - PAD_X),
                        Cell(entry.section, section),
                        Cell("", NUMBER_WIDTH, "right", page_of=entry),
                    ]
                )

    return head, rows


def cover_table(group) -> tuple[Row, Callable[[], Iterator[Row]]]:
    level, code, section = 27 * MM, 15 * MM, 22 * MM
    labels = group.level_labels
    name = _columns([level] * len(labels) + [code, section, NUMBER_WIDTH])
    head = Row(
        [Cell(label, level, "center") for label in labels]
        + [
            Cell("事務事業\nコード", code, "center"),
            Cell("事務事業", name, "center"),
            Cell("所管課", section, "center"),
            Cell("ページ", NUMBER_WIDTH, "center"),
        ],
        HEAD_GREY,
    )

    def rows():
        for entry, cells in group.rows:
            yield Row(
                [Cell(f"{n.code}{n.name}" if n else "", level) for n in cells]
                + [
                    Cell(entry.code, code),
                    Cell(entry.name, name),
                    Cell(entry.section, section),
                    Cell("", NUMBER_WIDTH, "right", page_of=entry),
                ]
            )

    return head, rows


@dataclass
class Block:
    """A line of text outside the table (titles, the count)."""

    text: str
    size: float
    family: str = GOTHIC
    align: str = "center"
    bold: bool = False
    spacing: float = 0.0  # extra space after each character, pt
    before: float = 0.0
    after: float = 0.0

    @property
    def height(self) -> float:
        return self.before + self.size * 1.3 + self.after


@dataclass
class Page:
    """What a page holds: blocks and, as ("table", n), the next n rows of the table
    (rows are made again when the page is drawn: memory holds counts, not rows)."""

    items: list = field(default_factory=list)


@dataclass
class Piece:
    """The table of contents or one cover list: its pages, heading row and rows."""

    pages: list[Page]
    head: Row
    rows: Callable[[], Iterator[Row]]


def paginate(opening: list[Block], head: Row, rows: Iterator[Row], closing: Block) -> list[Page]:
    """Place the blocks and rows on pages; a row never splits and the heading row
    opens the table on every page."""
    _measure(head)
    pages, page, y, count = [], Page(), 0.0, 0
    limit = PAGE_HEIGHT - TOP - BOTTOM
    for block in opening:
        page.items.append(block)
        y += block.height
    for row in rows:
        _measure(row)
        if count and y + row.height > limit:
            page.items.append(("table", count))
            pages.append(page)
            page, y, count = Page(), 0.0, 0
        if not count:
            y += head.height
        count += 1
        y += row.height
    if count:
        page.items.append(("table", count))
    if y + closing.height > limit:
        pages.append(page)
        page = Page()
    page.items.append(closing)
    pages.append(page)
    return pages


def toc_piece(title: str, groups) -> Piece:
    head, rows = toc_table(groups)
    total = sum(len(g.entries) for g in groups)
    opening = [
        Block(title, 16, MINCHO, spacing=1.6, before=8 * MM, after=2 * MM),
        Block(_("目次"), 12, spacing=12, after=4 * MM),
    ]
    closing = Block(_("事務事業本数：%(n)d") % {"n": total}, 10, align="right", before=3 * MM)
    return Piece(paginate(opening, head, rows(), closing), head, rows)


def cover_piece(group) -> Piece:
    head, rows = cover_table(group)
    opening = [Block(group.heading, 11, align="left", bold=True, before=2 * MM, after=3 * MM)]
    closing = Block(
        _("事務事業本数：%(n)d") % {"n": len(group.entries)}, 10, align="right", before=3 * MM
    )
    return Piece(paginate(opening, head, rows(), closing), head, rows)


class Drawing:
    """Content stream of one page; fonts come from the booklet's ``FontMerger``."""

    def __init__(self, fonts: FontMerger):
        self.fonts = fonts
        self.ops: list[bytes] = []
        self.used: dict[bytes, int] = {}  # resource name → font dictionary number

    def text(self, x: float, baseline: float, text: str, size: float, family=GOTHIC, *,
             bold=False, spacing=0.0):  # fmt: skip
        if not text:
            return
        number, codes = self.fonts.direct(family, text)
        name = b"/EvsF%d" % number
        self.used[name] = number
        y = PAGE_HEIGHT - baseline
        render = b" 2 Tr %.2f w" % (size / 35) if bold else b""
        spaced = b" %.2f Tc" % spacing if spacing else b""
        self.ops.append(  # q … Q: spacing, render mode and line width do not leak
            b"q BT%s%s %s %g Tf %.2f %.2f Td %s Tj ET Q\n"
            % (render, spaced, name, size, x, y, codes)
        )

    def rect(self, x, top, width, height, grey: bytes | None):
        y = PAGE_HEIGHT - top - height
        if grey is not None:
            self.ops.append(b"%s g %.2f %.2f %.2f %.2f re f 0 g\n" % (grey, x, y, width, height))
        self.ops.append(b"%.2f w %.2f %.2f %.2f %.2f re S\n" % (RULE, x, y, width, height))


def _aligned(cell: Cell, line: str, x: float, size: float) -> float:
    if cell.align == "left":
        return x + PAD_X + cell.indent
    width = text_width(line, size)
    if cell.align == "center":
        return x + (cell.width - width) / 2
    return x + cell.width - PAD_X - width


def _draw_row(drawing: Drawing, row: Row, top: float, number_of):
    x = LEFT
    for cell, lines in zip(row.cells, row.lines, strict=True):
        drawing.rect(x, top, cell.width, row.height, row.grey)
        if cell.page_of is not None:
            lines = [str(number_of(cell.page_of))]
        block = len(lines) * LEADING
        first = top + (row.height - block) / 2 + SIZE * 0.88 + (LEADING - SIZE) / 2
        for i, line in enumerate(lines):
            position = _aligned(cell, line, x, SIZE)
            drawing.text(position, first + i * LEADING, line, SIZE, bold=cell.bold)
        x += cell.width


def draw(page: Page, head: Row, rows: Iterator[Row], fonts: FontMerger, number_of) -> Drawing:
    """The page's content stream: its blocks and its rows, taken from ``rows`` (the
    piece's rows, consumed page after page); ``number_of(group or entry)`` gives a
    page number."""
    drawing = Drawing(fonts)
    y = TOP
    for item in page.items:
        if isinstance(item, Block):
            width = text_width(item.text, item.size, item.family) + item.spacing * len(item.text)
            if item.align == "center":
                x = LEFT + (CONTENT - width) / 2
            elif item.align == "right":
                x = LEFT + CONTENT - width
            else:
                x = LEFT
            baseline = y + item.before + item.size * (0.88 + 0.15)
            drawing.text(x, baseline, item.text, item.size, item.family, bold=item.bold,
                         spacing=item.spacing)  # fmt: skip
            y += item.height
            continue
        _kind, count = item
        _draw_row(drawing, head, y, number_of)
        y += head.height
        for _i in range(count):
            row = _measure(next(rows))
            _draw_row(drawing, row, y, number_of)
            y += row.height
    return drawing


def number_of(item) -> int:
    """A group's cover page or an entry's first page (set by ``_number_entries``)."""
    return item.cover_page if hasattr(item, "cover_page") else item.first_page
