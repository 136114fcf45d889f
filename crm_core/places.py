"""Display names of branches and cities: the data's own values in English, their Chinese names in Chinese.

Every view groups by the data's ``branch`` and ``city`` values (a bank's codes or pinyin names);
only the surfaces that show a unit swap in its display name. A customers table may carry each
unit's Chinese name in ``branch_zh`` / ``city_zh`` (``crm_core.contract.PLACE_NAME_FIELDS``; the
bundled sample has them from ``crm_core.sample.SAMPLE_PLACE_NAMES``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from crm_core.prepare import text_codes

if TYPE_CHECKING:  # annotations only: places sit below every view
    from crm_core.staff import Scorecard

PLACE_COLUMNS: tuple[str, ...] = ("branch", "city")
"""Unit columns that can have a Chinese display name in ``<column>_zh``."""


def place_names(customers: pd.DataFrame, column: str, lang: str) -> dict[str, str]:
    """Return each value of a unit column and the name to show for it in a language.

    Parameters
    ----------
    customers : pandas.DataFrame
        Customers with ``column`` and, optionally, ``<column>_zh``. Not modified.
    column : {"branch", "city"}
        The unit column.
    lang : {"en", "zh"}
        English shows the data's value; Chinese shows the ``<column>_zh`` name where the data has one
        (the most frequent one when a unit's rows disagree) and the value where it has none. Two units
        that would share a name keep their value in brackets, so every unit stays distinct.

    Returns
    -------
    dict
        Data value → display name, for every non-missing value of ``column`` ({} without the column).

    Examples
    --------
    >>> customers = pd.DataFrame({"branch": ["Hangzhou Xihu", "Ningbo Haishu", "B9"],
    ...                           "branch_zh": ["杭州西湖支行", "宁波海曙支行", None]})
    >>> place_names(customers, "branch", "zh")
    {'B9': 'B9', 'Hangzhou Xihu': '杭州西湖支行', 'Ningbo Haishu': '宁波海曙支行'}
    >>> place_names(customers, "branch", "en")["Hangzhou Xihu"]
    'Hangzhou Xihu'
    >>> place_names(pd.DataFrame({"city": ["A", "B"], "city_zh": ["杭州", "杭州"]}), "city", "zh")
    {'A': '杭州（A）', 'B': '杭州（B）'}
    """
    if column not in customers:
        return {}
    unit_codes, units = text_codes(customers[column])
    names = {str(unit): str(unit) for unit in units}
    zh_column = f"{column}_zh"
    if lang != "zh" or zh_column not in customers:
        return names
    name_codes, zh_names = text_codes(customers[zh_column])
    known = (unit_codes >= 0) & (name_codes >= 0)
    # Rows of each (unit, name) pair counted on codes: no text per customer (5M customers).
    width = max(len(zh_names), 1)
    rows = np.bincount(unit_codes[known] * width + name_codes[known], minlength=len(units) * width)
    pair = np.flatnonzero(rows)
    pairs = pd.DataFrame(
        {
            "value": units.to_numpy(dtype=object)[pair // width],
            "name": zh_names.str.strip().to_numpy(dtype=object)[pair % width],
            "rows": rows[pair],
        }
    )
    pairs = pairs[pairs["name"] != ""]
    counts = pairs.groupby(["value", "name"], sort=False)["rows"].sum().reset_index()
    # The most frequent name of each unit wins; a tie goes to the name that sorts first.
    chosen = counts.sort_values(["value", "rows", "name"], ascending=[True, False, True], kind="stable")
    names.update(chosen.drop_duplicates("value").set_index("value")["name"].astype(str).to_dict())
    shared = pd.Series(names).duplicated(keep=False)
    return {unit: f"{name}（{unit}）" if shared[unit] else name for unit, name in names.items()}


def named_places(frame: pd.DataFrame, names: Mapping[str, Mapping[str, str]]) -> pd.DataFrame:
    """Return ``frame`` with the values of each named column replaced by their display names (others kept).

    ``names`` maps a column of ``frame`` to its ``place_names``; columns ``frame`` lacks are ignored.
    ``frame`` is not modified.

    Examples
    --------
    >>> frame = pd.DataFrame({"branch": ["Hangzhou Xihu", "(none)"], "customers": [3, 1]})
    >>> named_places(frame, {"branch": {"Hangzhou Xihu": "杭州西湖支行"}})["branch"].tolist()
    ['杭州西湖支行', '(none)']
    """
    changed = {column: _renamed(frame[column], lookup) for column, lookup in names.items() if column in frame}
    return frame.assign(**changed) if changed else frame


def _renamed(values: pd.Series, lookup: Mapping[str, str]) -> pd.Series:
    shown = values.map(lambda value: lookup.get(value, value) if pd.notna(value) else value)
    return shown.astype(values.dtype) if pd.api.types.is_string_dtype(values.dtype) else shown


def named_scorecard(card: Scorecard, names: Mapping[str, str]) -> Scorecard:
    """Return a branch scorecard whose units carry their display names (another level is returned as is).

    Only the names change: every array keeps its order, so ranks, ranges and flags are those of
    ``card``, and the sentences, tables and charts built from the result name units as shown.
    """
    if card.level != "branch" or not names:
        return card
    units = tuple(names.get(unit, unit) for unit in card.units)
    if units == card.units:
        return card
    renamed = dict(zip(card.units, units, strict=True))
    return replace(
        card,
        units=units,
        values=card.values.rename(index=renamed),
        shrunk=card.shrunk.rename(index=renamed),
    )
