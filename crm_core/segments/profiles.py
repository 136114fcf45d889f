"""Group profiles: what each segment looks like next to the whole bank.

Profiles describe **active customers** (a closed customer has no balance to profile), with
one exception: the churn rate (``crm_core.definitions.churn_rate``), which by definition
looks at customers on the books twelve months ago, closed ones included. Everything is computed from integer codes with
``numpy.bincount``; the per-dataset part (column extraction, the AUM sort order) lives in
``ProfileInputs``, which a caller computes once per dataset and reuses for every slider move.

Small groups are suppressed with ``suppressed_groups``: a group under the minimum size, plus
as many of the next smallest groups as it takes that no suppressed group can be recovered by
subtracting the shown groups from a total. The suppressed groups leave the table and fold
into one "suppressed" row (code ``SUPPRESSED_CODE``) carrying their customers and AUM, so the
rows always add up to the bank: customers to every active customer, shares to 100%.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm_core.arrays import known_or_zero, positions
from crm_core.definitions import churn_outcome
from crm_core.overview import top_share
from crm_core.prepare import PreparedDataset, age_band_labels, text_codes
from crm_core.segments.config import DEFAULT_SUPPRESSION

MIN_GROUP_CUSTOMERS = DEFAULT_SUPPRESSION.min_customers
"""Groups with fewer active customers are suppressed (``SuppressionConfig.min_customers``)."""

SUPPRESSED_CODE = -2
"""Code of the row that folds the suppressed groups together (``-1`` is "not assigned")."""

PROFILE_MEASURES: tuple[str, ...] = (
    "average_aum",
    "median_aum",
    "products_per_customer",
    "digital_active_share",
    "counter_trend",
    "churn_rate",
    "average_age",
    "payroll_share",
)
"""Measures that also get an index against the whole bank (bank = 100)."""

PROFILE_COLUMNS: tuple[str, ...] = (
    "code",
    "group",
    "customers",
    "customer_share",
    "aum",
    "aum_share",
    *PROFILE_MEASURES,
    "suppressed",
    *(f"{m}_index" for m in PROFILE_MEASURES),
)
"""Columns of ``group_profiles`` in order."""

_LANE_BITS = 52
"""Bits of a float64 lane used for packed integer sums (exact below 2**53)."""


@dataclass(frozen=True, eq=False)
class ProfileInputs:
    """Per-dataset arrays behind ``group_profiles`` (compute once with ``profile_inputs``).

    Integer columns (counts, flags, ages) are packed several to a ``float64`` lane, each in
    its own bit field wide enough for its bank-wide total, so one ``bincount`` sums several
    columns exactly; a threshold change then costs a handful of scans instead of a dozen.

    Attributes
    ----------
    active : numpy.ndarray
        Boolean mask of active customers.
    aum : numpy.ndarray
        ``float64`` AUM per customer (NaN as 0).
    lanes : tuple of numpy.ndarray
        ``float64`` per-customer lanes summed per group.
    fields : tuple of (name, lane, offset, bits)
        Where each summed column lives; ``bits == 0`` means the lane holds that column alone,
        unpacked (non-integer values).
    aum_order : numpy.ndarray
        Positions of all customers sorted by AUM (for medians).
    bank_median_aum : float
        Median AUM of active customers.
    """

    active: np.ndarray
    aum: np.ndarray
    lanes: tuple[np.ndarray, ...]
    fields: tuple[tuple[str, int, int, int], ...]
    aum_order: np.ndarray
    bank_median_aum: float

    def __len__(self) -> int:
        return len(self.active)

    def sums(self, key: np.ndarray, bins: int) -> dict[str, np.ndarray]:
        """Return the sum of every column per bin of ``key`` (``aum`` included)."""
        lane_sums = [np.bincount(key, weights=lane, minlength=bins) for lane in self.lanes]
        out = {"aum": np.bincount(key, weights=self.aum, minlength=bins)}
        for name, lane, offset, bits in self.fields:
            if bits == 0:
                out[name] = lane_sums[lane]
            else:
                whole = lane_sums[lane].astype(np.int64)
                out[name] = ((whole >> offset) & ((1 << bits) - 1)).astype(float)
        return out


def _packed(columns: dict[str, np.ndarray]) -> tuple[tuple[np.ndarray, ...], tuple[tuple[str, int, int, int], ...]]:
    """Pack non-negative integer columns into float64 lanes (first fit, widest first)."""
    lanes: list[np.ndarray] = []
    used: list[int] = []
    fields = []
    widths = {}
    for name, x in columns.items():
        integral = bool(np.all(x >= 0) and np.all(x == np.floor(x)))
        widths[name] = max(1, int(x.sum()).bit_length()) if integral else 0
    for name in sorted(columns, key=lambda n: -widths[n]):
        bits, x = widths[name], columns[name]
        if bits == 0 or bits > _LANE_BITS:
            lanes.append(x.astype(float))
            used.append(_LANE_BITS)
            fields.append((name, len(lanes) - 1, 0, 0))
            continue
        lane = next((i for i, u in enumerate(used) if u + bits <= _LANE_BITS), None)
        if lane is None:
            lanes.append(np.zeros(len(x)))
            used.append(0)
            lane = len(lanes) - 1
        lanes[lane] += x * float(1 << used[lane])
        fields.append((name, lane, used[lane], bits))
        used[lane] += bits
    return tuple(lanes), tuple(fields)


def profile_inputs(prepared: PreparedDataset) -> ProfileInputs:
    """Return the arrays group profiles need, extracted once from the prepared dataset."""
    c = prepared.customers
    active = c["is_active"].to_numpy(dtype=bool)
    held = c["aum"].to_numpy(dtype=float, na_value=np.nan)
    aum = known_or_zero(held)
    columns: dict[str, np.ndarray] = {}
    if np.isnan(held).any():  # otherwise every customer's AUM is known
        columns["aum_known"] = (~np.isnan(held)).astype(float)
    for column in ("products_held", "digital_active", "counter_txn_12m", "counter_txn_prev_12m"):
        if prepared.has(column):
            columns[column] = c[column].to_numpy(dtype=float, na_value=0.0)
    for column, known in (("age", "age_known"), ("is_payroll", "payroll_known")):
        if prepared.has(column):
            values = c[column].to_numpy(dtype=float, na_value=np.nan)
            if np.isnan(values).any():  # otherwise the known count is the customer count
                columns[known] = (~np.isnan(values)).astype(float)
            columns[column] = np.nan_to_num(values)
    outcome = churn_outcome(c)  # the one churn rate: closures among customers on the books a year earlier
    if outcome is not None:
        base, closed = outcome
        columns["churn_base"] = base.astype(float)
        columns["churn_closed"] = closed.astype(float)
    lanes, fields = _packed(columns)
    active_aum = aum[active]
    return ProfileInputs(
        active=active,
        aum=aum,
        lanes=lanes,
        fields=fields,
        aum_order=positions(np.argsort(aum, kind="stable")),
        bank_median_aum=float(np.median(active_aum)) if len(active_aum) else math.nan,
    )


def _group_keys(inputs: ProfileInputs, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Bin per customer: active groups 0..G−1, active unassigned G, inactive G+1+(same)."""
    codes = np.asarray(codes)
    if len(codes) != len(inputs):
        raise ValueError(f"{len(codes)} codes for {len(inputs)} customers")
    if codes.size and codes.max() >= n_groups:
        raise ValueError(f"code {int(codes.max())} has no label (only {n_groups} labels)")
    key = codes.astype(np.intp)
    key[key < 0] = n_groups
    key += (n_groups + 1) * ~inputs.active
    return key


def _medians(inputs: ProfileInputs, key: np.ndarray, counts: np.ndarray, bins: int) -> np.ndarray:
    """Median AUM per bin: one stable integer sort of the bins taken in AUM order."""
    in_aum_order = key.astype(np.int8 if bins < 127 else np.int16)[inputs.aum_order]
    by_bin = np.argsort(in_aum_order, kind="stable")  # radix sort: within a bin, AUM ascends
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    medians = np.full(bins, np.nan)
    has = counts > 0
    low = inputs.aum_order[by_bin[starts[has] + (counts[has] - 1) // 2]]
    high = inputs.aum_order[by_bin[starts[has] + counts[has] // 2]]
    medians[has] = (inputs.aum[low] + inputs.aum[high]) / 2
    return medians


def _measures(sums: dict[str, np.ndarray], counts: np.ndarray, medians: np.ndarray) -> dict[str, np.ndarray]:
    """Per-row measures from sums (rows may be groups or the bank)."""

    def ratio(numerator: np.ndarray | None, denominator: np.ndarray | None) -> np.ndarray:
        if numerator is None or denominator is None:
            return np.full(len(counts), np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1), np.nan)

    counter_ratio = ratio(sums.get("counter_txn_12m"), sums.get("counter_txn_prev_12m"))
    return {
        "average_aum": ratio(sums["aum"], sums.get("aum_known", counts)),  # over the customers with a value
        "median_aum": medians,
        "products_per_customer": ratio(sums.get("products_held"), counts),
        "digital_active_share": ratio(sums.get("digital_active"), counts),
        "counter_trend": counter_ratio - 1,
        "churn_rate": ratio(sums.get("churn_closed"), sums.get("churn_base")),
        "average_age": ratio(sums.get("age"), sums.get("age_known")),
        "payroll_share": ratio(sums.get("is_payroll"), sums.get("payroll_known")),
    }


def suppressed_groups(counts: np.ndarray, minimum: int = MIN_GROUP_CUSTOMERS) -> np.ndarray:
    """Return which groups to suppress: the small ones and, with them, enough others to hide them.

    A group with at least one but fewer than ``minimum`` customers is suppressed. Showing
    every other group would let a reader recover it from the total (total minus the shown
    groups), so while fewer than two groups are suppressed, or the suppressed groups hold fewer
    than ``minimum`` customers together, the smallest remaining non-empty group is suppressed
    too (complementary suppression). Empty groups are never suppressed: an empty group hides
    nothing and its zero hides nothing either.

    Parameters
    ----------
    counts : numpy.ndarray
        Customers per group, every group that adds up to a shown total (include the "not
        assigned" group).
    minimum : int
        Smallest group shown (``SuppressionConfig.min_customers``).

    Returns
    -------
    numpy.ndarray
        Boolean mask over ``counts``: the groups whose figures must not be shown separately.

    Examples
    --------
    >>> suppressed_groups(np.array([500, 40, 3, 0]), 10).tolist()  # 3 alone would be 500 + 40 short of the total
    [False, True, True, False]
    >>> suppressed_groups(np.array([500, 4, 3, 30]), 10).tolist()  # 4 + 3 together still under 10
    [False, True, True, True]
    >>> suppressed_groups(np.array([500, 40]), 10).tolist()
    [False, False]
    """
    counts = np.asarray(counts, dtype=np.int64)
    suppressed = (counts > 0) & (counts < minimum)
    if not suppressed.any():
        return suppressed
    for candidate in np.argsort(counts, kind="stable"):
        if suppressed.sum() >= 2 and counts[suppressed].sum() >= minimum:
            break
        if counts[candidate] > 0:
            suppressed[candidate] = True
    return suppressed


def group_profiles(
    source: PreparedDataset | ProfileInputs,
    codes: np.ndarray,
    labels: tuple[str, ...] | list[str],
    unassigned_label: str = "not assigned",
    min_customers: int = MIN_GROUP_CUSTOMERS,
    suppressed_label: str = "suppressed",
) -> pd.DataFrame:
    """Return one profile row per group, each measure also as an index vs the bank (= 100).

    Parameters
    ----------
    source : PreparedDataset or ProfileInputs
        Pass ``profile_inputs(prepared)`` (computed once) when profiles refresh often.
    codes : numpy.ndarray
        Integer group code per customer (``-1`` = not assigned), e.g. ``Segmentation.codes``.
    labels : sequence of str
        Group names in code order.
    unassigned_label : str
        Name of the row of active customers with code ``-1`` (always there, 0 when none).
    min_customers : int
        Smallest group shown; smaller ones are suppressed with ``suppressed_groups`` (the
        "not assigned" row takes part like any group).
    suppressed_label : str
        Name of the row folding the suppressed groups together.

    Returns
    -------
    pandas.DataFrame
        Columns ``PROFILE_COLUMNS``: the shown groups in code order, the "not assigned" row
        (code -1), then, when any group is suppressed, one ``suppressed_label`` row (code
        ``SUPPRESSED_CODE``, ``suppressed`` True) with the suppressed groups' ``customers``,
        ``customer_share``, ``aum`` and ``aum_share`` and no other measure. Suppressed groups
        have no row of their own (a code missing from ``code`` is a suppressed group). Rows
        cover active customers: ``customers`` sums to the active total, ``customer_share``
        and ``aum_share`` to 1. ``counter_trend`` is counter transactions of the last 12 months over
        the 12 before, minus 1; its index compares growth factors, ``(1 + group) / (1 + bank)``.
        ``churn_rate`` is ``crm_core.definitions.churn_rate`` per group (closures in the last 12
        months among customers on the books a year earlier; the churn flag over every customer
        without closing dates), closed customers counted in the group the scheme gives them; NaN when the scheme
        leaves every closed customer unassigned. Measures whose columns the dataset lacks are NaN.
    """
    inputs = source if isinstance(source, ProfileInputs) else profile_inputs(source)
    labels = tuple(labels)
    g = len(labels)
    key = _group_keys(inputs, codes, g)
    bins = 2 * (g + 1)
    counts_all = np.bincount(key, minlength=bins)
    sums_all = inputs.sums(key, bins)
    medians_all = _medians(inputs, key, counts_all, bins)

    rows = g + 1  # groups + unassigned, active customers
    counts = counts_all[:rows].astype(float)
    sums = {name: s[:rows] for name, s in sums_all.items()}
    for name in ("churn_base", "churn_closed"):
        if name in sums:  # churn looks at closed customers too
            sums[name] = sums_all[name][:rows] + sums_all[name][rows:]
    for column, known in (("age", "age_known"), ("is_payroll", "payroll_known")):
        if column in sums and known not in sums:
            sums[known] = counts
    inactive_assigned = counts_all[rows : rows + g].sum() > 0
    bank_sums = {name: np.array([s.sum()]) for name, s in sums.items()}
    bank_median = np.array([inputs.bank_median_aum])
    group_values = _measures(sums, counts, medians_all[:rows])
    bank_values = _measures(bank_sums, np.array([counts.sum()]), bank_median)
    if not inactive_assigned and (~inputs.active).any():
        group_values["churn_rate"] = np.full(rows, np.nan)

    if "aum_known" in sums:  # a group whose customers have no value holds unknown AUM, never ¥0
        unknown = (sums["aum_known"] == 0) & (counts > 0)
        sums["aum"] = np.where(unknown, np.nan, sums["aum"])
        group_values["median_aum"] = np.where(unknown, np.nan, group_values["median_aum"])
    total_customers, total_aum = counts.sum(), np.nansum(sums["aum"])
    code = np.arange(rows, dtype=np.int64)
    code[g] = -1
    customers = counts_all[:rows].astype(np.int64)
    columns: dict[str, np.ndarray] = {
        "code": code,
        "group": np.array([*labels, unassigned_label], dtype=object),
        "customers": customers,
        "customer_share": counts / total_customers if total_customers else np.full(rows, np.nan),
        "aum": sums["aum"],
        "aum_share": sums["aum"] / total_aum if total_aum else np.full(rows, np.nan),
        **group_values,
        "suppressed": np.zeros(rows, dtype=bool),
    }
    for measure in PROFILE_MEASURES:
        bank = bank_values[measure][0]
        values = np.asarray(columns[measure], dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            if measure == "counter_trend":
                index = (1 + values) / (1 + bank) * 100
            else:
                index = values / bank * 100 if bank else np.full(rows, np.nan)
        columns[f"{measure}_index"] = index
    hidden = suppressed_groups(customers, min_customers)
    shown = ~hidden
    if hidden.any():  # the suppressed groups fold into one row, so every total still adds up
        folded = {column: np.full(1, np.nan) for column in PROFILE_COLUMNS}
        folded.update(
            code=np.array([SUPPRESSED_CODE]),
            group=np.array([suppressed_label], dtype=object),
            customers=np.array([customers[hidden].sum()]),
            customer_share=np.array([columns["customer_share"][hidden].sum()]),
            aum=np.array([sums["aum"][hidden].sum()]),
            aum_share=np.array([columns["aum_share"][hidden].sum()]),
            suppressed=np.array([True]),
        )
        columns = {column: np.concatenate([np.asarray(columns[column])[shown], folded[column]]) for column in columns}
    # One DataFrame from finished columns: a refresh builds no frame column by column.
    return pd.DataFrame({column: columns[column] for column in PROFILE_COLUMNS})


def bank_profile(source: PreparedDataset | ProfileInputs) -> pd.Series:
    """Return the bank-wide values of ``PROFILE_MEASURES`` (the 100 of every index)."""
    inputs = source if isinstance(source, ProfileInputs) else profile_inputs(source)
    row = group_profiles(inputs, np.zeros(len(inputs), dtype=np.int8), ("bank",), min_customers=1).iloc[0]
    return row[["customers", "aum", *PROFILE_MEASURES]]


def concentration_curve(aum: np.ndarray, max_points: int = 200) -> pd.DataFrame:
    """Return Lorenz-curve points of AUM and, in ``attrs``, the top 1 / 2 / 10% shares.

    Parameters
    ----------
    aum : numpy.ndarray
        AUM per customer (pass active customers); NaN counts as 0, negatives as 0.
    max_points : int
        Upper bound on the points returned (at least 2).

    Returns
    -------
    pandas.DataFrame
        ``customer_share`` and ``aum_share`` (cumulative, poorest first) from (0, 0) to
        (1, 1); ``attrs["top_shares"]`` = ``{"top1": …, "top2": …, "top10": …}`` and
        ``attrs["gini"]``.

    Examples
    --------
    >>> curve = concentration_curve(np.array([0.0, 0.0, 1.0, 3.0]))
    >>> curve["aum_share"].tolist()
    [0.0, 0.0, 0.0, 0.25, 1.0]
    """
    values = np.sort(np.clip(np.nan_to_num(np.asarray(aum, dtype=float)), 0, None))
    n = len(values)
    cumulative = np.concatenate(([0.0], np.cumsum(values)))
    total = cumulative[-1]
    positions = np.unique(np.round(np.linspace(0, n, min(max_points, n + 1))).astype(np.int64)) if n else np.array([0])
    customer_share = positions / n if n else np.array([0.0])
    aum_share = cumulative[positions] / total if total > 0 else np.full(len(positions), np.nan)
    frame = pd.DataFrame({"customer_share": customer_share, "aum_share": aum_share})
    frame.attrs["top_shares"] = {f"top{p}": top_share(values, p / 100) for p in (1, 2, 10)}
    # Gini from the exact curve (trapezoids over every customer), not the sampled points.
    frame.attrs["gini"] = (
        float(1 - (cumulative[:-1] + cumulative[1:]).sum() / (n * total)) if n and total > 0 else math.nan
    )
    return frame


@dataclass(frozen=True, eq=False)
class GroupDrilldown:
    """One group's mix next to the bank's: each frame has ``name``, ``customers``, ``share``,
    ``bank_share`` and ``index`` (share / bank share × 100)."""

    branches: pd.DataFrame
    age_bands: pd.DataFrame
    products: pd.DataFrame


def _mix(names: list[str], in_group: np.ndarray, in_bank: np.ndarray, n_group: int, n_bank: int) -> pd.DataFrame:
    with np.errstate(divide="ignore", invalid="ignore"):
        share = in_group / n_group if n_group else np.full(len(names), np.nan)
        bank_share = in_bank / n_bank if n_bank else np.full(len(names), np.nan)
        index = np.where(bank_share > 0, share / bank_share * 100, np.nan)
    return pd.DataFrame(
        {
            "name": names,
            "customers": in_group.astype(np.int64),
            "share": share,
            "bank_share": bank_share,
            "index": index,
        }
    )


def group_drilldown(prepared: PreparedDataset, codes: np.ndarray, group_code: int) -> GroupDrilldown:
    """Return the branch mix, age bands and product holding shares of one group's active customers.

    Frames are empty when the dataset lacks branches, ages or products. ``products`` shares
    are holders over customers (a customer holds several, so they do not sum to 1). One group of
    ``group_drilldowns``.
    """
    return group_drilldowns(prepared, codes, group_code + 1)[group_code]


def group_drilldowns(prepared: PreparedDataset, codes: np.ndarray, n_groups: int) -> tuple[GroupDrilldown, ...]:
    """Return ``group_drilldown`` of every group ``0 … n_groups − 1``, each column's categories read once."""
    c = prepared.customers
    active = c["is_active"].to_numpy(dtype=bool)
    codes = np.asarray(codes)
    grouped = active & (codes >= 0) & (codes < n_groups)
    group_of = codes[grouped].astype(np.int64)
    n_groups_active = np.bincount(group_of, minlength=n_groups)
    n_bank = int(active.sum())
    empty = _mix([], np.array([]), np.array([]), 1, 1)

    def categorical(column: str, categories: list[str] | None = None) -> list[pd.DataFrame]:
        if not prepared.has(column):
            return [empty] * n_groups
        if categories is None:  # text: the category's codes, recoded to the names present, sorted
            category, uniques = text_codes(c[column])
            names = [str(x) for x in uniques]
        else:  # a category column (age bands) is recoded by its categories, not through its strings
            values = pd.Categorical(c[column], categories=categories)
            category, names = values.codes.astype(np.int64), [str(x) for x in values.categories]
        size = len(names)
        known = category >= 0
        in_bank = np.bincount(category[active & known], minlength=size)
        both = grouped & known
        in_groups = np.bincount(codes[both].astype(np.int64) * size + category[both], minlength=n_groups * size)
        in_groups = in_groups.reshape(n_groups, size)
        return [_mix(names, in_groups[g], in_bank, int(n_groups_active[g]), n_bank) for g in range(n_groups)]

    branches = [
        frame.sort_values(["customers", "name"], ascending=[False, True], ignore_index=True) if len(frame) else frame
        for frame in categorical("branch")
    ]
    age_bands = categorical("age_band", age_band_labels())
    names = [p for p in prepared.products if prepared.has(f"has_{p}")]
    flags = [c[f"has_{p}"].to_numpy(dtype=bool) for p in names]
    holders = np.array([np.bincount(group_of[f[grouped]], minlength=n_groups) for f in flags])
    holders = holders.reshape(len(names), n_groups)
    in_bank = np.array([(f & active).sum() for f in flags])
    return tuple(
        GroupDrilldown(
            branches=branches[g],
            age_bands=age_bands[g],
            products=_mix(names, holders[:, g], in_bank, int(n_groups_active[g]), n_bank) if names else empty,
        )
        for g in range(n_groups)
    )
