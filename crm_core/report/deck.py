"""The PowerPoint deck: a title slide, the agenda and one slide per step, with native, editable charts.

Every chart is a real PowerPoint chart (its numbers live in the embedded workbook, so a
manager can restyle or edit it); tables are native tables sized to their words (a column is
never narrower than its longest word, no text is cut short); each slide carries the headline,
the key numbers, speaker notes with the figures, and a footer naming the scenario, the dataset
and the date. The dataset's fingerprint is in every slide's notes, not in the footer. Colours
are ``crm_core.palette``'s, as in the app and the HTML page. East Asian text gets a CJK font so
Chinese renders.
"""

from __future__ import annotations

import copy
import io
import math
import re
import unicodedata
from datetime import date

import pandas as pd
from lxml import etree
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.oxml.xmlchemy import OxmlElement
from pptx.util import Emu, Inches, Pt

from crm_core import palette
from crm_core.archives import ZipLimits, zip_problem
from crm_core.catalog import text as catalog_text
from crm_core.exports import formula_safe
from crm_core.messages import render
from crm_core.report.model import ChartSpec, ExportError, Report, Step, report_stamp

EAST_ASIAN_FONT = "Microsoft YaHei"
"""Font named for East Asian text (PowerPoint substitutes e.g. Noto Sans CJK SC where it is missing)."""

NAVY = RGBColor(*palette.rgb(palette.NAVY))
GREY = RGBColor(*palette.rgb(palette.GREY))
ACCENT = RGBColor(*palette.rgb(palette.ACCENT))
INK = RGBColor(*palette.rgb(palette.INK))
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
BAND = RGBColor(*palette.rgb(palette.BAND))

_RPR_SUCCESSORS = ("a:cs", "a:sym", "a:hlinkClick", "a:hlinkMouseOver", "a:rtl", "a:extLst")


def _with_east_asian_font(element: etree._Element, lang: str) -> None:
    """Give every run under ``element`` (and every default run style) the East Asian font."""
    for run in element.iter(qn("a:r")):
        run.get_or_add_rPr()
    for properties in element.iter(qn("a:rPr"), qn("a:defRPr"), qn("a:endParaRPr")):
        if properties.find(qn("a:ea")) is None:
            east_asian = OxmlElement("a:ea")
            properties.insert_element_before(east_asian, *_RPR_SUCCESSORS)
            east_asian.set("typeface", EAST_ASIAN_FONT)
        if lang == "zh" and properties.tag == qn("a:rPr"):
            properties.set("lang", "zh-CN")


def _write(frame, lines: list[tuple[str, int, bool, RGBColor]], align=PP_ALIGN.LEFT) -> None:
    """Replace a text frame's text with one paragraph per (text, size, bold, colour)."""
    frame.clear()
    frame.word_wrap = True
    lines = [(part, size, bold, colour) for text, size, bold, colour in lines for part in str(text).split("\n")]
    for i, (text, size, bold, colour) in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.alignment = align
        run = paragraph.add_run()
        run.text = text
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.color.rgb = colour


def _text_box(slide, left, top, width, height, lines, align=PP_ALIGN.LEFT, anchor=MSO_ANCHOR.TOP):
    box = slide.shapes.add_textbox(Emu(int(left)), Emu(int(top)), Emu(int(width)), Emu(int(height)))
    box.text_frame.vertical_anchor = anchor
    _write(box.text_frame, lines, align)
    return box


CHART_TYPES = {
    ("bar", False): XL_CHART_TYPE.COLUMN_CLUSTERED,
    ("bar", True): XL_CHART_TYPE.BAR_CLUSTERED,
    ("line", False): XL_CHART_TYPE.LINE_MARKERS,
    ("line", True): XL_CHART_TYPE.LINE_MARKERS,
    ("pie", False): XL_CHART_TYPE.PIE,
    ("pie", True): XL_CHART_TYPE.PIE,
}


def _spreadsheet_safe(texts) -> list:
    """Texts as every export writes them to a spreadsheet: formula-looking ones behind a quote (``formula_safe``)."""
    return formula_safe(pd.DataFrame({"text": pd.Series(list(texts), dtype=object)}))["text"].tolist()


def chart_data(spec: ChartSpec) -> CategoryChartData:
    """Return the chart data of a spec: its categories and series, missing values as blanks.

    python-pptx writes categories and series names into the chart's embedded workbook with
    xlsxwriter, which stores text starting with ``=`` as a formula (run on "Edit Data"): they
    are neutralised as in every other export (a branch ``=cmd|…`` is written ``'=cmd|…``).

    Examples
    --------
    >>> data = chart_data(ChartSpec("bar", "T", ("a", "=HYPERLINK(1)"), (("@s", (1.0, float("nan"))),)))
    >>> data.categories[1].label, [(s.name, s.values) for s in data]
    ("'=HYPERLINK(1)", [("'@s", [1.0, None])])
    """
    data = CategoryChartData(number_format=spec.number_format)
    data.categories = _spreadsheet_safe(spec.categories)
    names = _spreadsheet_safe(name for name, _ in spec.series)
    for name, (_, values) in zip(names, spec.series, strict=True):
        data.add_series(name, [v if math.isfinite(v) else None for v in values])
    return data


def _colour_series(chart, spec: ChartSpec) -> None:
    """Give each series (each slice of a pie) its colour from ``palette.SERIES``, as the app and HTML draw it."""
    colours = [RGBColor(*palette.rgb(c)) for c in palette.SERIES]
    plot = chart.plots[0]
    if spec.kind == "pie":
        for i, point in enumerate(plot.series[0].points):
            point.format.fill.solid()
            point.format.fill.fore_color.rgb = colours[i % len(colours)]
        return
    for i, series in enumerate(plot.series):
        colour = colours[i % len(colours)]
        if spec.kind == "line":
            series.format.line.color.rgb = colour
        else:
            series.format.fill.solid()
            series.format.fill.fore_color.rgb = colour


def _set_value(parent, tag: str, value: str) -> None:
    """Set the ``val`` of the child ``tag`` of a chart XML element (added when missing)."""
    child = parent.find(qn(tag))
    if child is None:
        child = OxmlElement(tag)
        parent.append(child)
    child.set("val", value)


def _with_right_axis(chart, spec: ChartSpec) -> None:
    """Move the last series of a line chart onto a second value axis on the right (``spec.secondary_kind``).

    python-pptx draws every series against one axis; a rate and a count need two. The series moves
    into a second line group with its own (hidden) category axis and a value axis crossing at the
    right, formatted as ``spec.secondary_format`` and titled ``spec.secondary_title``.
    """
    plot_area = chart._chartSpace.find(qn("c:chart")).find(qn("c:plotArea"))
    group = plot_area.find(qn("c:lineChart"))
    category_axis, value_axis = plot_area.find(qn("c:catAx")), plot_area.find(qn("c:valAx"))
    right = copy.deepcopy(group)
    for series in right.findall(qn("c:ser"))[:-1]:
        right.remove(series)  # the copy keeps the last series only
    group.remove(group.findall(qn("c:ser"))[-1])
    ids = [int(axis.get("val")) for axis in plot_area.iter(qn("c:axId"))]
    category_id, value_id = str(max(ids) + 1), str(max(ids) + 2)
    for axis_id, new_id in zip(right.findall(qn("c:axId")), (category_id, value_id), strict=True):
        axis_id.set("val", new_id)
    group.addnext(right)
    hidden = copy.deepcopy(category_axis)
    _set_value(hidden, "c:axId", category_id)
    _set_value(hidden, "c:delete", "1")
    _set_value(hidden, "c:crossAx", value_id)
    for title in hidden.findall(qn("c:title")):
        hidden.remove(title)
    second = copy.deepcopy(value_axis)
    _set_value(second, "c:axId", value_id)
    _set_value(second, "c:axPos", "r")
    _set_value(second, "c:crossAx", category_id)
    for gridlines in second.findall(qn("c:majorGridlines")):
        second.remove(gridlines)
    crosses = second.find(qn("c:crosses"))
    if crosses is not None:
        crosses.set("val", "max")
    number_format = second.find(qn("c:numFmt"))
    number_format.set("formatCode", spec.secondary_format)
    number_format.set("sourceLinked", "0")
    texts = list(second.iter(qn("a:t")))
    if texts and spec.secondary_title:
        texts[0].text = spec.secondary_title
        for extra in texts[1:]:
            extra.text = ""
    elif not spec.secondary_title:
        for title in second.findall(qn("c:title")):
            second.remove(title)
    plot_area.find(qn("c:valAx")).addnext(hidden)
    hidden.addnext(second)


LABEL_STEPS = (1, 2, 3, 4, 6, 12)
"""Every how many categories a long line chart labels its axis: a divisor of twelve, so a monthly axis
names the same months every year."""


def label_step(categories: tuple[str, ...], width: float, size: int = 10) -> int:
    """Return every how many categories the axis can name side by side in a chart ``width`` (EMU) wide.

    Examples
    --------
    >>> label_step(tuple(f"Month {i:02d}" for i in range(36)), Inches(8))
    6
    >>> label_step(("a", "b"), Inches(6))
    1
    """
    if not categories:
        return 1
    label = (max(text_width(c) for c in categories) + 2) * Pt(size) * 0.62  # a label and the gap after it
    fit = max(1, int(width * 0.8 / label))  # the value axes and their titles take the rest
    return next((step for step in LABEL_STEPS if math.ceil(len(categories) / step) <= fit), LABEL_STEPS[-1])


def _with_label_step(chart, step: int) -> None:
    """Name (and tick) every ``step``-th category, so a long monthly axis is not a crowd of rotated labels."""
    axis = chart._chartSpace.find(qn("c:chart")).find(qn("c:plotArea")).find(qn("c:catAx"))
    for tag in ("c:tickLblSkip", "c:tickMarkSkip"):
        element = OxmlElement(tag)
        element.set("val", str(step))
        later = axis.find(qn("c:noMultiLvlLbl"))
        if later is None:
            axis.append(element)
        else:
            later.addprevious(element)
    chart.category_axis.tick_labels.font.size = Pt(10)


def _add_chart(slide, spec: ChartSpec, left, top, width, height, lang: str):
    frame = slide.shapes.add_chart(
        CHART_TYPES[(spec.kind, spec.horizontal)],
        Emu(int(left)),
        Emu(int(top)),
        Emu(int(width)),
        Emu(int(height)),
        chart_data(spec),
    )
    chart = frame.chart
    chart.font.size = Pt(10)
    chart.has_title = True
    _write(chart.chart_title.text_frame, [(spec.title, 13, True, NAVY)])
    _colour_series(chart, spec)
    chart.has_legend = len(spec.series) > 1 or spec.kind == "pie"
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
    if spec.kind != "pie":
        for axis, title in ((chart.category_axis, spec.x_title), (chart.value_axis, spec.y_title)):
            if title:
                axis.has_title = True
                _write(axis.axis_title.text_frame, [(title, 10, False, GREY)])
        chart.value_axis.tick_labels.number_format = spec.number_format
        chart.value_axis.tick_labels.number_format_is_linked = False
        chart.value_axis.has_major_gridlines = True
        values = [v for _, series in spec.series for v in series if math.isfinite(v)]
        if spec.kind == "bar" and values and min(values) >= 0:
            chart.value_axis.minimum_scale = 0  # bars start at zero, as in the HTML (43 vs 50 is not 1 vs 8)
        if spec.horizontal:
            chart.category_axis.reverse_order = True  # first category on top, as it is read
    if spec.kind == "line" and len(spec.categories) > 12:
        _with_label_step(chart, label_step(spec.categories, width))
    if spec.secondary_kind:
        _with_right_axis(chart, spec)  # two sets of value labels on one line chart would be unreadable
    elif len(spec.categories) <= 16:
        plot = chart.plots[0]
        plot.has_data_labels = True
        labels = plot.data_labels
        labels.number_format = spec.number_format
        labels.number_format_is_linked = False
        labels.font.size = Pt(9)
    _with_east_asian_font(chart._chartSpace, lang)
    return frame


def text_width(text: str) -> float:
    """Return a text's width in Latin characters (a Han character or full-width form counts two, a joiner none).

    Examples
    --------
    >>> text_width("大众客户"), text_width("mass")
    (8.0, 4.0)
    """

    def width(c: str) -> float:
        return 0.0 if unicodedata.category(c) == "Cf" else 2.0 if unicodedata.east_asian_width(c) in "WF" else 1.0

    return sum(width(c) for c in text)


_UNBREAKABLE = re.compile(r"[-+¥]?\d[\d.,]*[%万亿]?|[^\s\u2e80-\u9fff\uff00-\uffef]+|[\u2e80-\u9fff\uff00-\uffef]")
"""What a line is never broken inside: an amount with its unit (``¥1,037万``), a Latin word, one Han character."""


SHORT_LABEL = 12.0
"""A cell or header at most this wide (six Han characters, twelve Latin) is a label kept on one line
(``私人银行客户``, ``年度涉及金额``): breaking it would split a word, as Chinese has no spaces to break at."""


def longest_word(text: str) -> float:
    """Return the width of the widest part of ``text`` a table column must hold on one line.

    A short label counts whole (``SHORT_LABEL``); longer text breaks between Latin words, after an
    amount with its unit, or between Han characters (as Chinese sentences wrap).

    Examples
    --------
    >>> longest_word("私人银行客户"), longest_word("Offer credit card: 1,286 customers short")
    (12.0, 9.0)
    """
    lines = str(text).split("\n")
    return max(
        (
            text_width(line) if text_width(line) <= SHORT_LABEL else max(map(text_width, _UNBREAKABLE.findall(line)))
            for line in lines
            if line
        ),
        default=0.0,
    )


def _wrapped_lines(text: str, per_line: float) -> int:
    """Estimated lines a cell's text takes at ``per_line`` Latin characters a line (each paragraph wraps apart).

    Examples
    --------
    >>> _wrapped_lines("ab" + chr(10) + "cdef", 2.0)
    3
    """
    return sum(max(1, math.ceil(text_width(part) / per_line)) for part in str(text).split("\n"))


TABLE_FONT_SIZES = (10, 9, 8)
"""Font sizes a slide table tries, largest first, until its rows fit the space under the key numbers."""
_CELL_MARGIN = Inches(0.1)  # python-pptx's default left and right cell margin
_CELL_PADDING = Inches(0.1)  # top plus bottom cell margin


HEADER_WHOLE = 18.0
"""A header up to this wide (nine Han characters: 适合且未持有的客户) stays on one line when the table has the
room; Chinese has no spaces, so a wrapped header may otherwise split a word (客 / 户)."""


def _least_widths(cells: list[list[str]], whole_header: float = SHORT_LABEL) -> list[float]:
    """Each column's narrowest width in Latin characters: its longest word, plus one for the wrap.

    A header no wider than ``whole_header`` counts whole.
    """
    header = [text_width(text) if text_width(text) <= whole_header else longest_word(text) for text in cells[0]]
    return [1 + max(4.0, header[j], *(longest_word(row[j]) for row in cells[1:])) for j in range(len(cells[0]))]


def table_min_width(cells: list[list[str]], size: int) -> int:
    """Return the narrowest width (EMU) at which a table's columns hold their longest words at ``size`` pt.

    Examples
    --------
    >>> table_min_width([["适合且未持有的客户"], ["12"]], 10) == int(19 * Pt(10) * 0.62 + 2 * Inches(0.1))
    True
    """
    return int(sum(m * Pt(size) * 0.62 + 2 * _CELL_MARGIN for m in _least_widths(cells, HEADER_WHOLE)))


def table_layout(cells: list[list[str]], width: int, height: int) -> tuple[int, list[int], list[int], int]:
    """Return how a slide table fits a box: font size, column widths and row heights (EMU), and rows shown.

    Columns get the width their texts need: every column at least its longest word (a column never
    breaks ``wealth management`` or ``私人银行客户`` inside a word, ``longest_word``), the rest shared in
    proportion to the longest cell, so a long finding gets the room and a rank column stays narrow. The
    largest font of ``TABLE_FONT_SIZES`` whose estimated wrapped rows fit ``height`` is used; when none
    fits, trailing rows are dropped.

    Parameters
    ----------
    cells : list of list of str
        The header row then the body rows.
    width, height : int
        The box, in EMU.

    Examples
    --------
    >>> size, widths, heights, rows = table_layout([["#", "Finding"], ["1", "x " * 60]], Inches(6), Inches(3))
    >>> size, widths[0] < widths[1], sum(widths) == Inches(6), rows
    (10, True, True, 2)
    """
    columns = len(cells[0])
    for whole_header in (HEADER_WHOLE, SHORT_LABEL):  # whole headers first, wrapped ones when they do not fit
        least = _least_widths(cells, whole_header)
        wanted = [max([least[j], *(text_width(row[j]) for row in cells[1:])]) for j in range(columns)]
        spare = sum(wanted) - sum(least)
        shares = [(w - m) / spare if spare else 1 / columns for w, m in zip(wanted, least, strict=True)]

        def fitted(size: int, least=least, shares=shares) -> tuple[list[int], list[int], bool]:
            character = Pt(size) * 0.62  # a Latin character of a sans-serif font (bold headers included)
            needed = [m * character + 2 * _CELL_MARGIN for m in least]
            room = width - sum(needed)
            if room >= 0:
                widths = [int(n + room * share) for n, share in zip(needed, shares, strict=True)]
            else:  # even the longest words do not fit: shrink every column alike
                widths = [int(n * width / sum(needed)) for n in needed]
            widths[-1] = width - sum(widths[:-1])
            per_line = [max(1.0, (w - 2 * _CELL_MARGIN) / character) for w in widths]
            lines = [max(_wrapped_lines(text, per_line[j]) for j, text in enumerate(row)) for row in cells]
            return widths, [int(count * Pt(size) * 1.25 + _CELL_PADDING) for count in lines], room >= 0

        for size in TABLE_FONT_SIZES:
            widths, heights, words_fit = fitted(size)
            if words_fit and sum(heights) <= height:
                return size, widths, heights, len(cells)
    shown = len(cells)  # the smallest font and still too tall: the last rows are left out
    while shown > 2 and sum(heights[:shown]) > height:
        shown -= 1
    return TABLE_FONT_SIZES[-1], widths, heights[:shown], shown


_AMOUNT_UNIT = re.compile(r"(\d)([%万亿])")
WORD_JOINER = "\u2060"
"""Written between an amount and its unit in table cells (``¥95.96⁠万``): renderers break a line between a
digit and a Han character otherwise, leaving ``万`` alone on the next line."""


def _unbroken(text: str) -> str:
    """Return ``text`` with a word joiner between each amount and its unit (``_AMOUNT_UNIT``).

    Examples
    --------
    >>> _unbroken("¥95.96万，12.3%") == "¥95.96\u2060万，12.3\u2060%"
    True
    """
    return _AMOUNT_UNIT.sub(rf"\1{WORD_JOINER}\2", text)


def _table_cells(table: pd.DataFrame) -> list[list[str]]:
    """The header and the first eight rows of a display table as the slide shows them."""
    body = table.head(8).astype(str).map(_unbroken).to_numpy().tolist()
    return [[str(column) for column in table.columns], *body]


def _add_table(slide, table, left, top, width, height):
    cells = _table_cells(table)
    size, widths, heights, shown = table_layout(cells, int(width), int(height))
    shape = slide.shapes.add_table(shown, len(widths), Emu(int(left)), Emu(int(top)), Emu(int(width)),
                                   Emu(sum(heights)))  # fmt: skip
    grid = shape.table
    for j, column_width in enumerate(widths):
        grid.columns[j].width = Emu(column_width)
    for i, row_height in enumerate(heights):
        grid.rows[i].height = Emu(row_height)
    for j, text in enumerate(cells[0]):
        cell = grid.cell(0, j)
        cell.fill.solid()
        cell.fill.fore_color.rgb = NAVY
        _write(cell.text_frame, [(text, size, True, WHITE)])
    for i, row in enumerate(cells[1:shown], start=1):
        for j, text in enumerate(row):
            cell = grid.cell(i, j)
            cell.fill.solid()
            cell.fill.fore_color.rgb = BAND if i % 2 == 0 else WHITE
            _write(cell.text_frame, [(text, size, False, INK)])
    return shape


TEMPLATE_LIMITS = ZipLimits(max_parts=5_000, max_unpacked_bytes=100_000_000, max_ratio=100.0)
"""A company template is refused before python-pptx opens it beyond these bounds (a 1.66 MB
template unpacking to gigabytes of XML once took the server to a 3.5 GB peak)."""


def _template(template: bytes | None):
    if template is None:
        deck = Presentation()
        deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)  # 16:9
        return deck, False
    if problem := zip_problem(template, TEMPLATE_LIMITS):
        raise ExportError(
            f"the template is refused before it is opened: {render(problem, 'en')}; use the company .pptx as "
            "PowerPoint saves it (masters and layouts; example slides and large media removed)"
        )
    try:
        deck = Presentation(io.BytesIO(template))
    except Exception as error:  # python-pptx raises several kinds for a file that is not a deck
        raise ExportError(f"the template is not a PowerPoint .pptx file ({type(error).__name__})") from None
    slide_ids = deck.slides._sldIdLst
    for slide_id in list(slide_ids):  # keep the template's masters and layouts, not its example slides
        deck.part.drop_rel(slide_id.rId)
        slide_ids.remove(slide_id)
    return deck, True


def _content_layout(deck):
    layouts = list(deck.slide_layouts)
    by_name = {layout.name.lower(): layout for layout in layouts}
    for name in ("title only", "blank"):
        if name in by_name:
            return by_name[name]
    for index in (5, 6):
        if index < len(layouts):
            return layouts[index]
    return layouts[-1]


def _title(slide, text: str, box: tuple[float, float, float, float], place: bool, size: int = 28) -> None:
    """Put the title in the layout's title placeholder (moved into ``box`` when ``place``), else a text box."""
    shape = slide.shapes.title
    if shape is None:
        _text_box(slide, *box, [(text, size, True, NAVY)])
        return
    if place:
        shape.left, shape.top, shape.width, shape.height = (Emu(int(v)) for v in box)
    _write(shape.text_frame, [(text, size, True, NAVY)])


def _footer(slide, stamp: str, width: int, height: int) -> None:
    margin = width * 0.04
    _text_box(slide, margin, height * 0.94, width - 2 * margin, height * 0.05, [(stamp, 9, False, GREY)])


def _notes(slide, text: str, stamp: str, lang: str) -> None:
    """Speaker notes: the slide's text, then the full stamp with the dataset's fingerprint."""
    slide.notes_slide.notes_text_frame.text = f"{text}\n\n{stamp}" if text else stamp
    _with_east_asian_font(slide._element, lang)
    _with_east_asian_font(slide.notes_slide._element, lang)


def _step_slide(deck, layout, step: Step, footer: str, stamp: str, place: bool, lang: str) -> None:
    slide = deck.slides.add_slide(layout)
    width, height = deck.slide_width, deck.slide_height
    margin = width * 0.04
    inner = width - 2 * margin
    _title(slide, step.title, (margin, height * 0.03, inner, height * 0.11), place)
    size = 15 if len(step.headline) < 200 else 13 if len(step.headline) < 340 else 12
    _text_box(slide, margin, height * 0.15, inner, height * 0.14, [(step.headline, size, False, INK)])
    if step.numbers:
        gap = width * 0.015
        box_width = (inner - gap * 3) / 4
        for i, number in enumerate(step.numbers):
            _text_box(
                slide,
                margin + i * (box_width + gap),
                height * 0.30,
                box_width,
                height * 0.12,
                [(number.text, 22, True, ACCENT), (number.label, 11, False, GREY)],
            )
    top = height * (0.44 if step.numbers else 0.31)
    area = height * 0.93 - top
    if step.meeting_note:  # the manager's note takes the bottom of the slide, the chart and table the rest
        note_height = height * (0.07 if len(step.meeting_note) < 160 else 0.11)
        area -= note_height + height * 0.01
        note = f"{catalog_text('report_meeting_note', lang)}: {step.meeting_note}"
        _text_box(slide, margin, top + area + height * 0.01, inner, note_height, [(note, 11, False, ACCENT)])
    has_table = step.table is not None and len(step.table) > 0
    chart = None if (step.wide_table and has_table) else step.chart  # sentences take the width; HTML has the chart
    table_share = 1.0 if chart is None else 0.0
    if chart is not None and has_table:  # the table gets the width its words need at 9 pt, 40% to 60% of the slide
        needed = table_min_width(_table_cells(step.table), TABLE_FONT_SIZES[1])
        table_share = min(max(0.40, needed / inner), 0.60)
    if chart is not None:
        chart_width = inner * (0.98 - table_share) if has_table else inner
        _add_chart(slide, chart, margin, top, chart_width, area, lang)
    if has_table:
        left = margin + inner * (1 - table_share)
        _add_table(slide, step.table, left, top, margin + inner - left, area)
    _footer(slide, footer, width, height)
    _notes(slide, step.notes, stamp, lang)


def _agenda_slide(deck, layout, report: Report, footer: str, stamp: str, place: bool) -> None:
    """The agenda: every step title in order, in two columns when there are more than six."""
    slide = deck.slides.add_slide(layout)
    width, height = deck.slide_width, deck.slide_height
    margin = width * 0.04
    inner = width - 2 * margin
    agenda = catalog_text("report_agenda", report.lang)
    _title(slide, agenda, (margin, height * 0.03, inner, height * 0.11), place)
    titles = list(report.agenda)
    columns = [titles] if len(titles) <= 6 else [titles[: (len(titles) + 1) // 2], titles[(len(titles) + 1) // 2 :]]
    column_width = inner / len(columns)
    for i, column in enumerate(columns):
        lines = [(title, 20, False, NAVY) for title in column]
        box = _text_box(slide, margin + i * column_width, height * 0.2, column_width, height * 0.7, lines)
        for paragraph in box.text_frame.paragraphs:
            paragraph.space_after = Pt(14)
    _footer(slide, footer, width, height)
    _notes(slide, "\n".join(titles), stamp, report.lang)


def deck_pptx(
    report: Report,
    scenario_name: str,
    dataset_name: str,
    fingerprint: str,
    when: date,
    template: bytes | None = None,
) -> bytes:
    """Return the storyline as a PowerPoint deck (.pptx bytes).

    Parameters
    ----------
    report : Report
        From ``report_content``.
    scenario_name, dataset_name : str
        Stamped in every slide's footer.
    fingerprint : str
        The dataset's fingerprint: its first 12 hex digits are in every slide's speaker notes.
    when : datetime.date
        Date stamped on every slide.
    template : bytes, optional
        A company .pptx: its masters and layouts are used (title slide layout 0, content
        slides the "Title Only" or "Blank" layout, else layout 5 or 6) and its own slides dropped.

    Returns
    -------
    bytes
        A title slide, the agenda, then one slide per step, each with a native chart (when the step
        has one and its table is not a ``wide_table``), a native table (when it has one), the
        headline, key numbers, speaker notes and the footer.

    Raises
    ------
    ExportError
        The template is not a .pptx file, or is too large or too compressed to open safely.
    """
    deck, from_template = _template(template)
    place = not from_template  # the default layouts are 4:3: move their placeholders onto the 16:9 slide
    stamp = report_stamp(scenario_name, dataset_name, fingerprint, when, report.lang)
    footer = report_stamp(scenario_name, dataset_name, fingerprint, when, report.lang, with_fingerprint=False)
    width, height = deck.slide_width, deck.slide_height
    margin = width * 0.04

    title_slide = deck.slides.add_slide(deck.slide_layouts[0])
    _title(title_slide, report.title, (margin, height * 0.28, width - 2 * margin, height * 0.2), place, 36)
    subtitle = next((p for p in title_slide.placeholders if p.placeholder_format.idx == 1), None)
    if subtitle is None:
        _text_box(
            title_slide, margin, height * 0.5, width - 2 * margin, height * 0.12, [(report.subtitle, 18, False, GREY)]
        )
    else:
        if place:
            subtitle.left, subtitle.top = Emu(int(margin)), Emu(int(height * 0.5))
            subtitle.width, subtitle.height = Emu(int(width - 2 * margin)), Emu(int(height * 0.12))
        _write(subtitle.text_frame, [(report.subtitle, 18, False, GREY)], PP_ALIGN.CENTER)
    if report.scope:  # filtered, or the synthetic sample: said on the cover and on every slide's notes
        _text_box(
            title_slide, margin, height * 0.64, width - 2 * margin, height * 0.2,
            [(line, 13, False, ACCENT) for line in report.scope], PP_ALIGN.CENTER,
        )  # fmt: skip
        stamp = "\n".join([*report.scope, stamp])
    _footer(title_slide, footer, width, height)
    _notes(title_slide, f"{report.title}\n{report.subtitle}", stamp, report.lang)

    layout = _content_layout(deck)
    _agenda_slide(deck, layout, report, footer, stamp, place)
    for step in report.steps:
        _step_slide(deck, layout, step, footer, stamp, place, report.lang)
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


def check_template(template: bytes) -> None:
    """Raise ``ExportError`` when ``template`` cannot serve as the deck's company template (checked on upload)."""
    _template(template)
