"""The exports speak the report's language: no English in the Chinese deck, HTML page and workbook, no Chinese
in the English ones, no raw codes or timestamps in either; the decks render page for page in LibreOffice.

Everything a manager reads is scanned: every text run of every slide (text boxes, tables, chart titles,
axis titles, categories, series names and the literal parts of the charts' number formats; speaker notes
excluded), the HTML page's visible text and the texts its plotly figures draw, and every text cell and
sheet name of the workbook. The only exceptions are data values a manager supplied (branch names,
customer ids, the dataset's name, the fingerprint), taken from the data itself.
"""

from __future__ import annotations

import html
import io
import json
import math
import re
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from lxml import etree
from openpyxl import load_workbook
from pptx import Presentation
from pptx.util import Inches, Pt

from crm_core.prepare import prepared_dataset
from crm_core.report import deck_pptx, report_content, report_html, report_workbook
from crm_core.report.deck import WORD_JOINER, longest_word, text_width
from crm_core.sample import read_sample
from crm_core.scenarios import proposed_scenario
from tests.test_catalog import LATIN_ALLOWED

WHEN = date(2030, 5, 1)
CHART = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
DRAWING = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+")
"""Han characters, CJK punctuation (、。「」) and full-width forms (：｜，)."""
RAW_VALUES = re.compile(
    r"\b\d{4}-\d{2}(?:-\d{2})?(?:[ T]\d{2}:\d{2}:\d{2})?\b|\b(?:nan|NaN|NaT|None|inf)\b|<NA>|\b[a-z0-9]+_[a-z0-9_]+\b"
)
"""What a manager never reads in any language: ISO dates and pandas timestamps (dates read 2030年5月 / May 2030),
missing-value spellings, snake_case codes."""


# --- what a manager reads ------------------------------------------------------------------------------------


def _chart_texts(chart_space: etree._Element) -> Iterator[tuple[str, str]]:
    for run in chart_space.iter(f"{DRAWING}t"):  # chart and axis titles (rich text)
        yield "chart title", run.text or ""
    for value in chart_space.iterfind(f".//{CHART}cat//{CHART}v"):
        yield "chart category", value.text or ""
    for value in chart_space.iterfind(f".//{CHART}ser/{CHART}tx//{CHART}v"):
        yield "chart series", value.text or ""
    for number_format in chart_space.iterfind(f".//{CHART}numFmt"):  # axis ticks and data labels
        for literal in re.findall(r'"([^"]*)"', number_format.get("formatCode", "")):
            yield "chart number format", literal


def deck_texts(pptx: bytes) -> list[tuple[str, str]]:
    """Return (where, text) of every text a reader sees on the slides (speaker notes excluded)."""
    found = []
    for number, slide in enumerate(Presentation(io.BytesIO(pptx)).slides, start=1):
        for shape in slide.shapes:
            if shape.has_text_frame:
                found.append((f"slide {number} text", shape.text_frame.text))
            if shape.has_table:
                found += [(f"slide {number} table", cell.text) for row in shape.table.rows for cell in row.cells]
            if shape.has_chart:
                found += [(f"slide {number} {where}", text) for where, text in _chart_texts(shape.chart._chartSpace)]
    return found


FIGURE = re.compile(r"var figure = (\{.*?\}); Plotly\.newPlot\(\"([\w-]+)\"")


def _figure_texts(figure: dict) -> Iterator[tuple[str, str]]:
    layout = figure.get("layout", {})
    yield "title", (layout.get("title") or {}).get("text", "")
    for name, axis in layout.items():
        if re.fullmatch(r"[xy]axis\d*", name):
            yield f"{name} title", (axis.get("title") or {}).get("text", "")
            yield from ((f"{name} tick", str(tick)) for tick in axis.get("ticktext", ()))
            yield from ((f"{name} tick", str(axis[part])) for part in ("tickprefix", "ticksuffix") if part in axis)
    for annotation in layout.get("annotations", ()):
        yield "annotation", annotation.get("text", "")
    for trace in figure.get("data", ()):
        yield "series", str(trace.get("name", ""))
        for part in ("x", "y", "labels", "text", "hovertext"):
            values = trace.get(part)
            values = values if isinstance(values, list) else [values]
            yield from ((f"trace {part}", value) for value in values if isinstance(value, str))
        for part in ("hovertemplate", "texttemplate"):
            if isinstance(trace.get(part), str):
                yield f"trace {part}", re.sub(r"%\{[^}]*\}|<extra>.*?</extra>", " ", trace[part])


def html_texts(page: str) -> list[tuple[str, str]]:
    """Return (where, text) of the page's visible text and of every text its plotly figures draw."""
    found = []
    for figure, chart_id in FIGURE.findall(page):
        found += [(f"{chart_id} {where}", html.unescape(text)) for where, text in _figure_texts(json.loads(figure))]
    visible = re.sub(r"<script\b.*?</script>|<style\b.*?</style>", " ", page, flags=re.S | re.I)
    for block in re.split(r"<(?:h1|h2|p|div|th|td|summary|pre|footer|title)\b[^>]*>", visible):
        text = html.unescape(re.sub(r"<[^>]+>", " ", block)).strip()
        if text:
            found.append(("page", text))
    return found


def workbook_texts(xlsx: bytes) -> list[tuple[str, str]]:
    """Return (where, text) of every sheet name and text cell of the workbook."""
    found = []
    for sheet in load_workbook(io.BytesIO(xlsx), read_only=True).worksheets:
        found.append(("sheet name", sheet.title))
        for row in sheet.iter_rows(values_only=True):
            found += [(f"sheet {sheet.title}", value) for value in row if isinstance(value, str)]
    return found


# --- what counts as a leak -----------------------------------------------------------------------------------


def data_words(values: Iterable[str]) -> dict[str, list[str]]:
    """Index data values by each Latin word and Han run they hold (a text can only hold a value whose words it has)."""
    index: dict[str, list[str]] = {}
    for value in {str(v) for v in values if str(v).strip()}:
        for word in {*LATIN_WORD.findall(value), *CJK.findall(value)}:
            index.setdefault(word, []).append(value)
    for values_of_word in index.values():
        values_of_word.sort(key=len, reverse=True)  # "Ningbo Haishu East" before "Ningbo Haishu"
    return index


def without_data(text: str, data: dict[str, list[str]]) -> str:
    """``text`` with every data value it holds blanked out."""
    for word in {*LATIN_WORD.findall(text), *CJK.findall(text)}:
        for value in data.get(word, ()):
            text = text.replace(value, " ")
    return text


def leaks(texts: Iterable[tuple[str, str]], lang: str, data: dict[str, list[str]]) -> list[tuple[str, str, str]]:
    """Return (where, offending word, text) for every word of the wrong language or raw value in ``texts``.

    Examples
    --------
    >>> leaks([("t", "网点 Ningbo Haishu 的 Churn rate")], "zh", data_words(["Ningbo Haishu"]))
    [('t', 'Churn', '网点 Ningbo Haishu 的 Churn rate'), ('t', 'rate', '网点 Ningbo Haishu 的 Churn rate')]
    >>> [word for _, word, _ in leaks([("t", "Tier 大众: 2030-05-01 00:00:00, has_loan")], "en", {})]
    ['2030-05-01 00:00:00', 'has_loan', '大众']
    """
    found = []
    for where, text in texts:
        prose = without_data(text, data)
        words = [match[0] for match in RAW_VALUES.finditer(prose)]
        if lang == "zh":
            words += [word for word in LATIN_WORD.findall(prose) if word not in LATIN_ALLOWED and word not in words]
        else:
            words += CJK.findall(prose)
        found += [(where, word, text) for word in dict.fromkeys(words)]
    return found


def report_leaks(found: list[tuple[str, str, str]]) -> str:
    return "\n".join(f"{where}: {word!r} in {text[:120]!r}" for where, word, text in found)


# --- the bundled sample, reported in both languages ----------------------------------------------------------


@pytest.fixture(scope="module")
def sample():
    return read_sample()


@pytest.fixture(scope="module")
def data(sample) -> dict[str, list[str]]:
    """The values a manager supplied: branch names, customer ids, the dataset's name and fingerprint."""
    customers = sample.customers
    values = [*customers["branch"].dropna().unique(), *customers["customer_id"].dropna().unique()]
    return data_words([*values, sample.name, sample.fingerprint[:12]])


@pytest.fixture(scope="module")
def reports(sample):
    prepared, scenario = prepared_dataset(sample), proposed_scenario()
    return {lang: report_content(prepared, scenario, lang) for lang in ("zh", "en")}


@pytest.fixture(scope="module")
def exports(reports, sample) -> dict[str, dict[str, bytes | str]]:
    stamp = (proposed_scenario().name, sample.name, sample.fingerprint, WHEN)
    return {
        lang: {
            "deck": deck_pptx(report, *stamp),
            "html": report_html(report, *stamp),
            "workbook": report_workbook(report),
        }
        for lang, report in reports.items()
    }


READERS = {"deck": deck_texts, "html": html_texts, "workbook": workbook_texts}


def test_the_scan_reads_slides_charts_figures_and_sheets(exports, reports):
    """The scan is not vacuous: it reaches chart categories and axis titles, figure ticks and sheet cells."""
    deck = deck_texts(exports["zh"]["deck"])
    wheres = {where.split(" ", 2)[-1] for where, _ in deck}
    assert {"text", "table", "chart title", "chart category", "chart series", "chart number format"} <= wheres
    assert ("slide 3 chart category", "大众客户") in deck  # the title, the agenda, then the first step
    step_titles = {step.title for step in reports["zh"].steps}
    assert step_titles <= {text for _, text in deck}
    page = html_texts(exports["zh"]["html"])
    assert any(where.endswith("tick") and text.endswith("万") for where, text in page)  # 万 ticks of a money axis
    assert any(where.endswith("trace x") and text == "大众客户" for where, text in page)
    assert step_titles <= {text for _, text in page}
    sheets = workbook_texts(exports["zh"]["workbook"])
    assert any(where == "sheet name" for where, _ in sheets)
    assert any(where.startswith("sheet ") and text == "大众客户" for where, text in sheets)


def test_a_planted_english_chart_title_is_caught(reports, sample, data):
    report = reports["zh"]
    step = report.steps[0]
    planted = replace(step, chart=replace(step.chart, title="Customers by tier", x_title="Tier"))
    deck = deck_pptx(replace(report, steps=(planted, *report.steps[1:])), "情景", sample.name, "f" * 12, WHEN)
    assert {(where, word) for where, word, _ in leaks(deck_texts(deck), "zh", data)} >= {
        ("slide 3 chart title", "Customers"),
        ("slide 3 chart title", "Tier"),
    }


def test_data_values_are_exempt_only_where_they_occur_whole(data):
    assert leaks([("t", "Wenzhou Rui'an 排名第一")], "zh", data) == []
    assert [word for _, word, _ in leaks([("t", "Wenzhou 排名第一")], "zh", data)] == ["Wenzhou"]


@pytest.mark.parametrize("kind", list(READERS))
def test_the_chinese_exports_hold_no_english(exports, data, kind):
    if found := leaks(READERS[kind](exports["zh"][kind]), "zh", data):
        pytest.fail(f"English or raw values in the Chinese {kind}:\n{report_leaks(found)}")


@pytest.mark.parametrize("kind", list(READERS))
def test_the_english_exports_hold_no_chinese(exports, data, kind):
    if found := leaks(READERS[kind](exports["en"][kind]), "en", data):
        pytest.fail(f"Chinese or raw values in the English {kind}:\n{report_leaks(found)}")


# --- the decks fit their slides ------------------------------------------------------------------------------

LATIN_EM = 0.62
"""Width of a Latin character in ems (sans-serif, bold headers included); a Han character counts two."""
INSET = Inches(0.1)  # python-pptx's default left and right inset of a text box and a table cell
LINE = 1.2  # line height in ems


def _size(frame, default: float = 18.0) -> float:
    """The largest font size (pt) of a text frame's runs."""
    sizes = [run.font.size.pt for p in frame.paragraphs for run in p.runs if run.font.size is not None]
    return max(sizes, default=default)


def _height(frame, width: int) -> float:
    """Estimated height (EMU) of a text frame's text wrapped to ``width``."""
    total = 0.0
    for paragraph in frame.paragraphs:
        size = max([run.font.size.pt for run in paragraph.runs if run.font.size is not None], default=18.0)
        per_line = max(1.0, (width - 2 * INSET) / (Pt(size) * LATIN_EM))
        lines = max(1, math.ceil(text_width(paragraph.text) / per_line))
        total += lines * Pt(size) * LINE
    return total


def _decks(exports) -> dict[str, Presentation]:
    return {lang: Presentation(io.BytesIO(exports[lang]["deck"])) for lang in ("zh", "en")}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_shape_and_its_text_lies_inside_the_slide(exports, lang):
    deck = _decks(exports)[lang]
    width, height = deck.slide_width, deck.slide_height
    kinds = set()
    for number, slide in enumerate(deck.slides, start=1):
        for shape in slide.shapes:
            kinds.add("table" if shape.has_table else "chart" if shape.has_chart else str(shape.shape_type))
            where = f"slide {number} {shape.name}"
            assert shape.left >= 0 and shape.top >= 0, where
            assert shape.left + shape.width <= width and shape.top + shape.height <= height, where
            if shape.has_table:  # rows grow with their text: the estimated rows must still end on the slide
                table = shape.table
                rows = [
                    max(_height(row.cells[j].text_frame, table.columns[j].width) for j in range(len(table.columns)))
                    for row in table.rows
                ]
                assert shape.top + sum(rows) + len(rows) * Inches(0.1) <= height, where
            elif shape.has_text_frame and shape.text_frame.text:
                assert _height(shape.text_frame, shape.width) <= shape.height + Pt(_size(shape.text_frame)), where
    assert {"table", "chart", "TEXT_BOX (17)"} <= kinds  # pictures, had a slide any, are checked alike


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_finding_is_cut_short(exports, reports, lang):
    texts = [text.replace(WORD_JOINER, "") for _, text in deck_texts(exports[lang]["deck"])]
    assert not [text for text in texts if text.rstrip().endswith(("…", "..."))]
    findings = reports[lang].step("playbook").table.iloc[:, 1]
    assert len(findings) >= 3 and set(findings) <= set(texts)  # every finding whole, in a table cell
    decisions = reports[lang].step("decisions").table.iloc[:, 1]
    assert 3 <= len(decisions) <= 5 and set(decisions) <= set(texts)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_table_columns_hold_their_longest_word(exports, reports, lang):
    """No word is broken: every column is at least as wide as the widest word (or short label) of its cells."""
    tiers = set(reports[lang].step("positioning").table.iloc[:, 0])
    seen = set()
    for number, slide in enumerate(_decks(exports)[lang].slides, start=1):
        for shape in (s for s in slide.shapes if s.has_table):
            table = shape.table
            for j, column in enumerate(table.columns):
                for i, row in enumerate(table.rows):
                    frame = row.cells[j].text_frame
                    text = frame.text.replace(WORD_JOINER, "")
                    needed = longest_word(text) * Pt(_size(frame)) * LATIN_EM + 2 * INSET
                    assert needed <= column.width, f"slide {number} row {i} column {j}: {text!r}"
                    seen |= {text} & tiers
    assert seen == tiers  # the CJK tier names (私人银行客户) were among the cells checked


# --- the decks as LibreOffice draws them ---------------------------------------------------------------------


def render_pages(decks: dict[str, bytes], folder: Path, resolution: int = 50) -> dict[str, list[Path]]:
    """Render each deck to one PNG per page with LibreOffice (to PDF) and pdftoppm; return the pages by name."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None or shutil.which("pdftoppm") is None:
        pytest.skip("LibreOffice (apt-get install libreoffice-impress) and poppler-utils (pdftoppm) are needed")
    for name, pptx in decks.items():
        (folder / f"{name}.pptx").write_bytes(pptx)
    profile = folder / "profile"  # a private LibreOffice profile: parallel runs do not share a lock
    subprocess.run(
        [office, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
         "--outdir", str(folder), *(str(folder / f"{name}.pptx") for name in decks)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    pages = {}
    for name in decks:
        subprocess.run(
            ["pdftoppm", "-png", "-r", str(resolution), str(folder / f"{name}.pdf"), str(folder / name)],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        pages[name] = sorted(folder.glob(f"{name}-*.png"))
    return pages


@pytest.mark.slow
def test_libreoffice_draws_every_slide_of_both_decks(exports, tmp_path):
    from PIL import Image, ImageStat

    decks = {f"deck_{lang}": exports[lang]["deck"] for lang in ("zh", "en")}
    pages = render_pages(decks, tmp_path)
    for name, pptx in decks.items():
        slides = len(Presentation(io.BytesIO(pptx)).slides)
        assert len(pages[name]) == slides, (name, [p.name for p in pages[name]])
        for page in pages[name]:
            with Image.open(page) as image:
                grey = image.convert("L")
                inked = sum(grey.histogram()[:200]) / (grey.width * grey.height)  # share of non-white pixels
                assert ImageStat.Stat(grey).stddev[0] > 5 and inked > 0.01, f"{page.name} is blank"
