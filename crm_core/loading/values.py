"""Vectorised parsers from raw text cells to typed columns.

Every parser takes a pandas Series of strings (missing cells as NA) and returns the
typed Series plus a boolean mask of *parse failures*: cells that held text which is
neither a missing marker nor a valid value. Callers decide what a failure means
(missing value in an optional column, rejected row in ``customer_id`` or ``aum``).
All work is done with Arrow compute kernels and pandas operations, never a Python loop over rows.
"""

from __future__ import annotations

import itertools
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pa_compute

from crm_core.loading.options import AMBIGUOUS_DATE_DEFAULT
from crm_core.text_safety import BIDI_CONTROLS

MISSING_MARKERS: frozenset[str] = frozenset({"", "na", "n/a", "null", "none", "unknown", "-", "—", "nan", "#n/a"})
"""Cell texts read as missing, compared after stripping and lower-casing."""

TRUE_WORDS: frozenset[str] = frozenset({"1", "1.0", "y", "yes", "true", "t", "是", "s", "si", "sí", "有"})
FALSE_WORDS: frozenset[str] = frozenset({"0", "0.0", "n", "no", "false", "f", "否", "无", "無"})

_CURRENCY = r"[¥￥$€£\s,，]|元|rmb|cny|usd"
_NUMBER_SCALES = (("%", 0.01), ("万", 1e4), ("亿", 1e8))


# Arrow lower-cases code point by code point; besides ASCII capitals only the Kelvin sign (U+212A)
# lower-cases to a letter of a marker. tests/test_loading_values.py checks this against every code point.
_CAPITALS_OF: dict[str, str] = {"k": "K\u212a"}


def _spellings(word: str) -> set[str]:
    """Return every text that ``utf8_lower`` turns into ``word``."""
    return {"".join(chars) for chars in itertools.product(*({c, c.upper(), *_CAPITALS_OF.get(c, "")} for c in word))}


_MARKER_SPELLINGS = pa.array(sorted(set().union(*map(_spellings, MISSING_MARKERS))), type=pa.string())


def _arrow_strings(values: pd.Series) -> pa.ChunkedArray:
    """Return a text Series as Arrow strings, sharing the buffers of Arrow-backed pandas strings."""
    arrow = pa.array(values.astype("string").array)
    return arrow if isinstance(arrow, pa.ChunkedArray) else pa.chunked_array([arrow])


def _text_bytes(text: pa.ChunkedArray) -> int:
    return pa_compute.sum(pa_compute.binary_length(text)).as_py() or 0


def _as_text(values: pd.Series) -> pd.Series:
    """Return stripped text with missing markers as NA (string dtype).

    Markers are found among all their upper/lower-case spellings, so no cell is lower-cased. When
    nothing was stripped and no cell is a marker, the result shares the input's Arrow buffers.
    """
    original = _arrow_strings(values)
    text = pa_compute.utf8_trim_whitespace(original)
    if _text_bytes(text) == _text_bytes(original):  # stripping only removes: equal sizes mean equal cells
        text = original
    marker = pa_compute.is_in(text, value_set=_MARKER_SPELLINGS.cast(text.type))
    if pa_compute.any(marker).as_py():
        text = pa_compute.if_else(marker, pa.scalar(None, text.type), text)
    return pd.Series(pd.arrays.ArrowStringArray(text), index=values.index)


def missing_mask(values: pd.Series) -> pd.Series:
    """Return True where a text cell is empty or a missing marker (NA, null, unknown, -, ...)."""
    return _as_text(values).isna()


def parse_text(values: pd.Series) -> pd.Series:
    """Return stripped text (pandas ``string`` dtype) with missing markers as NA."""
    return _as_text(values)


_BIDI_CLASS = f"[{BIDI_CONTROLS}]"
_BIDI_LEAD_BYTES = tuple(sorted({control.encode()[0] for control in BIDI_CONTROLS}))
"""First UTF-8 byte of every control: 0xD8 (U+061C) and 0xE2 (the others); Chinese text holds neither."""


def _holds_bidi_controls(text: pa.ChunkedArray) -> bool:
    """Return True if any cell of ``text`` (string or large_string) may hold a bidi control.

    Each chunk's bytes are searched as one string, cheapest test first: an ASCII check (ids,
    dates, codes and flags stop there), a numpy search for the controls' first bytes (Chinese text
    stops there), then one regex pass, about a tenth of the cost of matching cell by cell. A null
    cell's bytes (normally none) can only cause a false alarm.
    """
    for chunk in text.chunks:
        if len(chunk) == 0:
            continue
        width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        offsets = np.frombuffer(chunk.buffers()[1], dtype=width)
        start, stop = int(offsets[chunk.offset]), int(offsets[chunk.offset + len(chunk)])
        if stop <= start:
            continue
        span = pa.py_buffer(np.array([0, stop - start], dtype=np.int64))
        whole = pa.Array.from_buffers(pa.large_string(), 1, [None, span, chunk.buffers()[2].slice(start, stop - start)])
        if pa_compute.string_is_ascii(whole)[0].as_py():
            continue
        raw = np.frombuffer(chunk.buffers()[2], dtype=np.uint8, count=stop - start, offset=start)
        if not any((raw == lead).any() for lead in _BIDI_LEAD_BYTES):
            continue
        if pa_compute.match_substring_regex(whole, _BIDI_CLASS)[0].as_py():
            return True
    return False


def without_bidi_controls(values: pd.Series) -> tuple[pd.Series, int]:
    """Return text with bidirectional control characters removed, and how many cells held one.

    Right-to-left overrides, embeddings, isolates and directional marks (``text_safety.BIDI_CONTROLS``)
    reorder a name on screen, also inside tables drawn on a canvas where no escaping reaches. The
    column's bytes are searched first as one string, so a clean column costs one pass and is
    returned as it is; only a column holding a control is replaced cell by cell.

    Examples
    --------
    >>> cleaned, count = without_bidi_controls(pd.Series(["\u202eevil", "plain", None]))
    >>> cleaned.tolist(), count
    (['evil', 'plain', <NA>], 1)
    """
    text = _arrow_strings(values)
    if not (pa.types.is_string(text.type) or pa.types.is_large_string(text.type)):
        text = text.cast(pa.large_string())  # the search reads the offsets-and-bytes layout
    if not _holds_bidi_controls(text):
        return values, 0
    cleaned = pa_compute.replace_substring_regex(text, _BIDI_CLASS, "")
    changed = pa_compute.not_equal(pa_compute.binary_length(cleaned), pa_compute.binary_length(text))
    count = pa_compute.sum(changed).as_py() or 0
    return pd.Series(pd.arrays.ArrowStringArray(cleaned), index=values.index), count


def _no_failures(values: pd.Series) -> pd.Series:
    return pd.Series(False, index=values.index)


def _is_typed_number(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def parse_numbers(values: pd.Series, parentheses_negative: bool = True) -> tuple[pd.Series, pd.Series]:
    """Return float64 numbers and the parse-failure mask of text cells.

    Accepts thousands separators, currency marks (¥ ￥ $ 元 RMB CNY), the suffixes
    ``%`` (x 0.01), 万 (x 10,000) and 亿 (x 100,000,000), scientific notation, a leading
    minus and, if ``parentheses_negative``, accounting negatives ``(1,234)``.

    Examples
    --------
    >>> numbers, failed = parse_numbers(pd.Series(["¥1,234.5", "12.5万", "12%", "(3)", "abc", "NA"]))
    >>> numbers.tolist()[:4], failed.tolist()
    ([1234.5, 125000.0, 0.12, -3.0], [False, False, False, False, True, False])
    """
    if _is_typed_number(values):
        numbers = values.astype("float64")
        infinite = pd.Series(np.isinf(numbers.to_numpy()), index=values.index)
        return (numbers.where(~infinite) if infinite.any() else numbers), infinite
    text = _as_text(values)
    result = pd.to_numeric(text, errors="coerce").astype("float64")
    todo = text.notna() & result.isna()
    if todo.any():
        rest = text[todo].str.lower()
        negative = pd.Series(False, index=rest.index)
        if parentheses_negative:
            negative = rest.str.startswith("(") & rest.str.endswith(")")
            rest = rest.where(~negative, rest.str.slice(1, -1))
        rest = rest.str.replace(_CURRENCY, "", regex=True)
        scale = pd.Series(1.0, index=rest.index)
        for suffix, factor in _NUMBER_SCALES:
            has_suffix = rest.str.endswith(suffix)
            scale = scale.where(~has_suffix, factor)
            rest = rest.where(~has_suffix, rest.str.slice(0, -len(suffix)))
        rest = rest.str.replace(_CURRENCY, "", regex=True)
        parsed = pd.to_numeric(rest, errors="coerce").astype("float64") * scale
        parsed = parsed.where(~negative, -parsed)
        result = result.copy()
        result[todo] = parsed
    # "inf", "Infinity" and overflowing values such as 1e999 are not amounts: a parse failure, not a number.
    result = result.where(~np.isinf(result.to_numpy(dtype="float64")))
    failed = text.notna() & result.isna()
    return result.astype("float64"), failed.fillna(False).astype(bool)


def parse_integers(values: pd.Series, parentheses_negative: bool = True) -> tuple[pd.Series, pd.Series]:
    """Return nullable ``Int64`` integers; a non-whole number (``35.5``) is a parse failure."""
    numbers, failed = parse_numbers(values, parentheses_negative)
    exact = numbers.to_numpy(dtype="float64")  # finite or NaN: parse_numbers drops infinities
    with np.errstate(invalid="ignore"):
        integral = (np.trunc(exact) == exact) & (np.abs(exact) < 2**53)
    missing = np.isnan(exact)
    failed = failed | pd.Series(~(missing | integral), index=numbers.index)
    result = pd.arrays.IntegerArray(np.where(integral, exact, 0).astype("int64"), ~integral)
    return pd.Series(result, index=numbers.index), failed


def parse_booleans(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Return pandas ``boolean`` values and the parse-failure mask.

    True: 1, Y, yes, true, T, 是, S (sí), 有; false: 0, N, no, false, F, 否, 无; any case.

    Examples
    --------
    >>> flags, failed = parse_booleans(pd.Series(["Y", "no", "是", "maybe", None]))
    >>> flags.tolist(), failed.tolist()
    ([True, False, True, <NA>, <NA>], [False, False, False, True, False])
    """
    if pd.api.types.is_bool_dtype(values):
        return values.astype("boolean"), _no_failures(values)
    if _is_typed_number(values):
        values = values.astype("float64").astype("string")
    # Flags have a handful of distinct spellings: classify those, then spread by code.
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    words = [str(word).strip().lower() for word in uniques]
    truth = np.array([word in TRUE_WORDS for word in words] + [False])
    falsity = np.array([word in FALSE_WORDS for word in words] + [False])
    missing = np.array([word in MISSING_MARKERS for word in words] + [True])
    is_true, is_false, is_missing = truth[codes], falsity[codes], missing[codes]
    result = pd.array(np.where(is_true | is_false, is_true, False), dtype="boolean")
    result[~(is_true | is_false)] = pd.NA
    failed = ~(is_true | is_false | is_missing)
    return pd.Series(result, index=values.index), pd.Series(failed, index=values.index)


_DATE_SEPARATORS = r"[/.年月]"
_YMD = r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
_COMPACT = r"^(\d{4})(\d{2})(\d{2})$"
_XYY = r"^(\d{1,2})-(\d{1,2})-(\d{4})$"


def _dates_from_parts(year: pd.Series, month: pd.Series, day: pd.Series) -> pd.Series:
    parts = pd.DataFrame(
        {
            "year": pd.to_numeric(year, errors="coerce"),
            "month": pd.to_numeric(month, errors="coerce"),
            "day": pd.to_numeric(day, errors="coerce"),
        }
    )
    complete = parts.notna().all(axis=1)
    result = pd.Series(pd.NaT, index=parts.index, dtype="datetime64[ns]")
    if complete.any():
        result[complete] = pd.to_datetime(parts[complete].astype("int64"), errors="coerce").astype("datetime64[ns]")
    return result


def ambiguous_date_order(values: pd.Series) -> str | None:
    """Return "DMY" or "MDY" when ``NN/NN/YYYY`` values decide it, None when none or all are ambiguous.

    A value whose first number exceeds 12 proves day-first; second number above 12 proves month-first.
    Returns None also when the column holds no ``NN/NN/YYYY`` value.
    """
    text = _as_text(values).str.lower().str.replace(_DATE_SEPARATORS, "-", regex=True)
    parts = text.str.extract(_XYY).dropna()
    if parts.empty:
        return None
    first = parts[0].astype("int64")
    second = parts[1].astype("int64")
    if (first > 12).any():
        return "DMY"
    if (second > 12).any():
        return "MDY"
    return None


def has_ambiguous_dates(values: pd.Series) -> bool:
    """Return True if the column holds ``NN/NN/YYYY`` dates and none of them reveals the order."""
    text = _as_text(values).str.lower().str.replace(_DATE_SEPARATORS, "-", regex=True)
    return bool(text.str.match(_XYY).fillna(False).any()) and ambiguous_date_order(values) is None


def parse_dates(values: pd.Series, date_order: str = "auto") -> tuple[pd.Series, pd.Series]:
    """Return ``datetime64[ns]`` dates (time of day dropped) and the parse-failure mask.

    Accepted: ISO ``2024-03-05`` (optionally with a time), ``2024/3/5``, ``2024.03.05``,
    ``20240305``, ``2024年3月5日`` and ``05/03/2024`` read by ``date_order`` ("DMY",
    "MDY" or "auto": decided by the column, else ``AMBIGUOUS_DATE_DEFAULT``).

    Examples
    --------
    >>> dates, failed = parse_dates(pd.Series(["2024年3月5日", "20240305", "31/12/2023", "soon"]))
    >>> [str(d.date()) if pd.notna(d) else None for d in dates], failed.tolist()
    (['2024-03-05', '2024-03-05', '2023-12-31', None], [False, False, False, True])
    """
    dates, failed, _ = dates_with_ambiguity(values, date_order)
    return dates, failed


def _iso_dates(values: pd.Series) -> pd.Series:
    """Return ISO ``YYYY-MM-DD`` cells as dates (NaT elsewhere), parsed by Arrow: the fast path of large files."""
    try:
        arrow = pa.array(values.astype("string"), type=pa.string())
        parsed = pa_compute.strptime(arrow, format="%Y-%m-%d", unit="s", error_is_null=True)
        # Arrow rolls impossible days over (2024-02-30 -> 2024-03-01): keep only exact round trips.
        shaped = pa_compute.match_substring_regex(arrow, r"^\d{4}-\d{2}-\d{2}$")
        day = pa_compute.cast(
            pa_compute.utf8_slice_codeunits(pa_compute.if_else(shaped, arrow, "0000-00-00"), 8, 10), pa.int64()
        )
        exact = pa_compute.and_(shaped, pa_compute.equal(pa_compute.day(parsed), day))
        parsed = pa_compute.if_else(exact, parsed, pa.scalar(None, parsed.type))
        return pd.Series(parsed.to_pandas(), index=values.index).astype("datetime64[ns]")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, TypeError, ValueError):
        return pd.to_datetime(values.astype("string"), format="%Y-%m-%d", errors="coerce").astype("datetime64[ns]")


_FIRST_DAY, _LAST_DAY = pa.scalar(date(1678, 1, 1)), pa.scalar(date(2261, 12, 31))


def _strict_iso_dates(values: pd.Series) -> pd.Series | None:
    """Return the dates when every present cell is an ISO ``YYYY-MM-DD`` date, else None.

    Arrow's cast to ``date32`` is strict (two-digit month and day, real calendar days), so when it
    accepts the whole column the result equals the general parser's, at a fraction of its cost.
    """
    try:
        days = pa_compute.cast(_arrow_strings(_as_text(values)), pa.date32())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    bounds = pa_compute.min_max(days)
    low, high = bounds["min"], bounds["max"]
    if low.is_valid and (pa_compute.less(low, _FIRST_DAY).as_py() or pa_compute.greater(high, _LAST_DAY).as_py()):
        return None  # beyond what datetime64[ns] holds: the general parser decides
    stamps = pa_compute.cast(days, pa.timestamp("ns")).to_pandas()
    return pd.Series(stamps.to_numpy(dtype="datetime64[ns]"), index=values.index)


def dates_with_ambiguity(values: pd.Series, date_order: str = "auto") -> tuple[pd.Series, pd.Series, bool]:
    """Return ``parse_dates`` output plus whether ``NN/NN/YYYY`` values left the order undecided."""
    if pd.api.types.is_datetime64_any_dtype(values):
        dates = values.astype("datetime64[ns]").dt.normalize()
        return dates, _no_failures(values), False
    strict = _strict_iso_dates(values)
    if strict is not None:
        return strict, _no_failures(values), False
    ambiguous = False
    result = _iso_dates(values)
    todo = values.notna() & result.isna()
    text = values.astype("string").where(~todo, _as_text(values[todo])) if todo.any() else values.astype("string")
    if todo.any():
        rest = text[todo].str.lower().str.replace("日", "", regex=False)
        rest = rest.str.replace(_DATE_SEPARATORS, "-", regex=True).str.strip("-")
        parsed = pd.Series(pd.NaT, index=rest.index, dtype="datetime64[ns]")
        for pattern, order in ((_YMD, (0, 1, 2)), (_COMPACT, (0, 1, 2))):
            parts = rest.str.extract(pattern)
            found = parts[0].notna()
            if found.any():
                parsed[found] = _dates_from_parts(*(parts.loc[found, i] for i in order))
        parts = rest.str.extract(_XYY)
        found = parts[0].notna()
        if found.any():
            decided = ambiguous_date_order(rest[found])
            ambiguous = date_order == "auto" and decided is None
            order = date_order if date_order != "auto" else (decided or AMBIGUOUS_DATE_DEFAULT)
            day, month = (parts[0], parts[1]) if order == "DMY" else (parts[1], parts[0])
            parsed[found] = _dates_from_parts(parts.loc[found, 2], month[found], day[found])
        result = result.copy()
        result[todo] = parsed
    failed = text.notna() & result.isna()
    return result.dt.normalize(), failed.fillna(False).astype(bool), ambiguous


_YEAR_MONTH = r"^(\d{4})[-/.年]?(\d{1,2})月?$"


def parse_months(values: pd.Series, date_order: str = "auto") -> tuple[pd.Series, pd.Series]:
    """Return the first day of each value's month and the parse-failure mask.

    Accepts every date ``parse_dates`` accepts plus months alone: ``2024-03``, ``2024/3``,
    ``202403``, ``2024年3月``.

    Examples
    --------
    >>> months, failed = parse_months(pd.Series(["2024-03", "202404", "2024年5月", "2024-06-17"]))
    >>> [str(m.date()) for m in months]
    ['2024-03-01', '2024-04-01', '2024-05-01', '2024-06-01']
    """
    dates, failed = parse_dates(values, date_order)
    if failed.any():
        text = _as_text(values[failed]).str.lower()
        parts = text.str.extract(_YEAR_MONTH)
        found = parts[0].notna()
        if found.any():
            dates = dates.copy()
            first_day = pd.Series(1, index=parts.index)[found]
            dates[found[found].index] = _dates_from_parts(parts.loc[found, 0], parts.loc[found, 1], first_day)
            failed = failed & dates.isna()
    return month_start(dates), failed


CHURNED_WORDS: tuple[str, ...] = (
    "attrit", "churn", "exit", "closed", "close", "lost", "left", "leaver", "cancel", "baja", "cancelad",
    "流失", "销户", "已销", "注销", "离行",
)  # fmt: skip
"""Parts of a text value that say the relationship ended ('Attrited Customer', '已流失')."""

STAYED_WORDS: tuple[str, ...] = (
    "exist", "active", "retain", "stay", "current", "open", "activo", "ativo",
    "正常", "未流失", "在网", "存量", "有效", "未销户",
)  # fmt: skip
"""Parts of a text value that say the relationship continues ('Existing Customer', '正常'); checked first."""


def churn_flags(values: pd.Series, churn_values: tuple[str, ...] = ()) -> tuple[pd.Series, pd.Series, dict]:
    """Return churned flags (``boolean``), the parse-failure mask, and how each text value was read.

    With ``churn_values`` (what the user picked), a present cell is churned when it is one of
    them (stripped, case-folded) and not churned otherwise. Without, yes/no words are read as
    ``parse_booleans`` does, and other text by its words: a value containing a ``STAYED_WORDS``
    part is not churned ('Existing Customer', '未流失'), else one containing a ``CHURNED_WORDS``
    part is churned ('Attrited Customer', '已流失'); anything else is a failure (the user says).

    Examples
    --------
    >>> flags, failed, read = churn_flags(pd.Series(["Attrited Customer", "Existing Customer", "maybe"]))
    >>> flags.tolist(), failed.tolist(), read
    ([True, False, <NA>], [False, False, True], {'Attrited Customer': True, 'Existing Customer': False})
    """
    if churn_values:
        text = _as_text(values) if not _is_typed_number(values) else values.astype("float64").astype("string")
        chosen = {value.strip().casefold() for value in churn_values}
        codes, uniques = pd.factorize(text, use_na_sentinel=True)
        is_churned = np.array([str(word).strip().casefold() in chosen for word in uniques] + [False])
        result = pd.array(is_churned[codes], dtype="boolean")
        result[codes < 0] = pd.NA
        return pd.Series(result, index=values.index), _no_failures(values), {}
    flags, failed = parse_booleans(values)
    if not failed.any():
        return flags, failed, {}
    read: dict[str, bool] = {}
    for value in pd.unique(values[failed]):
        word = str(value).strip().casefold()
        if any(part in word for part in STAYED_WORDS) or word.startswith(("not ", "non", "no ", "未")):
            read[str(value)] = False
        elif any(part in word for part in CHURNED_WORDS):
            read[str(value)] = True
    if read:
        known = values.map(read).where(failed)
        flags = flags.where(~known.notna(), known.astype("boolean"))
        failed = failed & known.isna()
    return flags.astype("boolean"), failed.astype(bool), read


_YYMMDD = r"^(\d{2})(\d{2})(\d{2})$"


def yymmdd_dates(values: pd.Series, pivot_year: int) -> pd.Series:
    """Return six-digit ``YYMMDD`` values (``150312``, also as integers: ``80105`` is 2008-01-05) as dates.

    Other cells are NaT.
    The century is the latest that is not after ``pivot_year``: with 2025, ``150312`` is
    2015-03-12 and ``850412`` is 1985-04-12. Impossible dates (``151332``) stay NaT.

    Examples
    --------
    >>> [str(d.date()) for d in yymmdd_dates(pd.Series(["150312", "850412"]), 2025)]
    ['2015-03-12', '1985-04-12']
    """
    if _is_typed_number(values):
        numbers = values.astype("float64")
        values = numbers.where(numbers == np.trunc(numbers)).astype("Int64").astype("string").str.zfill(6)
    text = _as_text(values)
    # Stored as integers, the years 2000-2009 lose their leading zero (080105 -> 80105).
    text = text.where(~text.str.fullmatch(r"\d{5}").fillna(False), text.str.zfill(6))
    parts = text.str.extract(_YYMMDD)
    found = parts[0].notna()
    result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    if found.any():
        short = pd.to_numeric(parts.loc[found, 0]).astype("int64")
        year = 2000 + short
        year = year.where(year <= pivot_year, year - 100)
        result[found] = _dates_from_parts(year, parts.loc[found, 1], parts.loc[found, 2])
    return result


def is_boolean_like(values: pd.Series) -> bool:
    """Return True if every non-missing cell is a yes/no word and there is at least one."""
    flags, failed = parse_booleans(values)
    return bool(flags.notna().any()) and not bool(failed.any())


def month_start(dates: pd.Series) -> pd.Series:
    """Return the first day of each date's month as ``datetime64[ns]``."""
    values = dates.to_numpy(dtype="datetime64[ns]").astype("datetime64[M]").astype("datetime64[ns]")
    return pd.Series(values, index=dates.index)


__all__ = [
    "CHURNED_WORDS",
    "FALSE_WORDS",
    "MISSING_MARKERS",
    "STAYED_WORDS",
    "TRUE_WORDS",
    "ambiguous_date_order",
    "churn_flags",
    "dates_with_ambiguity",
    "has_ambiguous_dates",
    "is_boolean_like",
    "missing_mask",
    "month_start",
    "parse_booleans",
    "parse_dates",
    "parse_integers",
    "parse_months",
    "parse_numbers",
    "parse_text",
    "without_bidi_controls",
    "yymmdd_dates",
]
