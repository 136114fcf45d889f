"""``python -m crm_core evaluate``: fit and honestly evaluate the churn model family on any extract.

The file is read with the loader's reading layer (format, encoding and delimiter detection)
but *not* mapped onto the contract, because the mapping keeps only canonical fields and
the outcome and extra columns would be lost. Every usable column becomes a feature:
numbers, and categories with at most ``MAX_LEVELS`` levels (one-hot). Identifier-like
columns (all distinct), dates and constant columns are skipped.

``--split random`` holds out a stratified random quarter; ``--split time`` holds out the latest
quarter (rows sorted by ``--time-column``, else by the file's only date column, else in file
order), which is what deployment faces. ``--folds`` refits the model k times (random folds, or
forward-chaining in time) and reports each metric as mean ± standard deviation. The calibration
table is printed; every feature, numeric or categorical, is screened for leakage. Exit 0 with
the evaluation; exit 2 with a clear message when the file, the outcome or the features
cannot support a model. Never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from crm_core.loyalty.backtest import SPLITS, fold_scores, split_fitted_model
from crm_core.loyalty.config import DEFAULT_MODEL
from crm_core.messages import render

MAX_LEVELS = 50
"""Most distinct values a text column may have to be used as a categorical feature."""

NUMERIC_SHARE = 0.95
"""A text column becomes numeric when at least this share of its non-empty cells parse as numbers."""

LEAKAGE_AUC = 0.95
"""A single column separating the outcome this well on its own is flagged as possible leakage."""

LEAK_LEVEL_ROWS = 20
"""Categories with fewer rows are pooled before the leak check (a rare level separates by chance)."""

POSITIVE_WORDS = frozenset({"1", "yes", "y", "true", "t", "churned", "closed", "是", "流失"})
NEGATIVE_WORDS = frozenset({"0", "no", "n", "false", "f", "active", "否", "未流失"})


class UsageError(Exception):
    """A problem the user can fix; the message says how."""


def raw_frame(path: Path) -> pd.DataFrame:
    """Return every column of a CSV/TSV/TXT, .xlsx or Parquet file, numbers parsed where they fit."""
    from crm_core.loading import LoadError, preview_file
    from crm_core.loading.reading import read_rows

    try:
        data = path.read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror or error}") from None
    try:
        raw = read_rows(preview_file(path.name, data))
    except LoadError as error:
        raise UsageError(str(error)) from None
    frame = raw.frame.copy()
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            continue
        if pd.api.types.is_datetime64_any_dtype(series):
            continue
        text = series.astype("string").str.strip()
        present = text.notna() & (text != "")
        numbers = pd.to_numeric(text.where(present), errors="coerce")
        if present.any() and numbers[present].notna().mean() >= NUMERIC_SHARE:
            frame[column] = numbers.astype(float)
        else:
            frame[column] = text.where(present)
    return frame


def binary_outcome(values: pd.Series, min_class: int) -> tuple[np.ndarray, np.ndarray, str]:
    """Return (rows kept, 0/1 outcome, positive value) or raise ``UsageError`` naming the problem."""
    present = values.notna().to_numpy()
    text = values[present].astype("string").str.strip().str.lower()
    levels = text.value_counts()
    if len(levels) != 2:
        shown = ", ".join(map(str, levels.index[:5])) + (", …" if len(levels) > 5 else "")
        raise UsageError(f"the outcome must have exactly two values; it has {len(levels)} ({shown})")
    first, second = (str(v) for v in levels.index)
    positive = next((v for v in (first, second) if v in POSITIVE_WORDS), None)
    if positive is None:
        negative = next((v for v in (first, second) if v in NEGATIVE_WORDS), None)
        positive = (second if negative == first else first) if negative else second  # else the rarer value
    outcome = (text == positive).to_numpy(dtype=int)
    minority = int(min(outcome.sum(), len(outcome) - outcome.sum()))
    if minority < min_class:
        raise UsageError(
            f"the outcome is too rare to learn from: {minority} rows in the smaller class (at least {min_class} needed)"
        )
    return np.flatnonzero(present), outcome, positive


def usable_features(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """Return the feature columns and, for each skipped column, why it was skipped."""
    kept, skipped = {}, {}
    for column in frame.columns:
        series = frame[column]
        distinct = series.nunique(dropna=True)
        if distinct <= 1:
            skipped[column] = "constant or empty"
        elif pd.api.types.is_datetime64_any_dtype(series):
            skipped[column] = "date"
        elif pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            whole = pd.api.types.is_integer_dtype(series) or bool((series.dropna() % 1 == 0).all())
            if whole and distinct == series.notna().sum() and distinct > MAX_LEVELS:
                skipped[column] = "identifier (every value distinct)"
            else:
                kept[column] = series.astype(float) if pd.api.types.is_bool_dtype(series) else series
        elif distinct <= MAX_LEVELS:
            kept[column] = series
        else:
            skipped[column] = f"text with {distinct:,} distinct values (more than {MAX_LEVELS})"
    return pd.DataFrame(kept, index=frame.index), skipped


def _separation(outcome: np.ndarray, values: np.ndarray) -> float:
    auc = roc_auc_score(outcome, values)
    return float(max(auc, 1 - auc))


def possible_leaks(features: pd.DataFrame, outcome: np.ndarray) -> list[tuple[str, float]]:
    """Return the columns, of any type, whose values alone separate the outcome almost perfectly.

    Numbers are scored as they are (missing at the median) and by whether they are missing;
    categories by their outcome rate per level (levels under ``LEAK_LEVEL_ROWS`` rows pooled,
    missing a level of its own).

    Examples
    --------
    >>> frame = pd.DataFrame({"status": ["closed", "open", "closed", "open"] * 10, "age": [30, 40, 50, 60] * 10})
    >>> possible_leaks(frame, np.array([1, 0, 1, 0] * 10))
    [('status', 1.0)]
    """
    leaks = []
    outcome = np.asarray(outcome).astype(int)
    for column in features.columns:
        series = features[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            numbers = series.astype(float)
            separation = _separation(outcome, numbers.fillna(numbers.median()).fillna(0.0).to_numpy())
            missing = numbers.isna().to_numpy()
            if missing.any() and not missing.all():
                separation = max(separation, _separation(outcome, missing.astype(float)))
        else:
            levels = series.astype("string").fillna("(missing)")
            counts = levels.map(levels.value_counts())
            levels = levels.where(counts >= LEAK_LEVEL_ROWS, "(rare)")
            rates = pd.Series(outcome, index=levels.index).groupby(levels.to_numpy()).mean()
            separation = _separation(outcome, levels.map(rates).to_numpy(dtype=float))
        if separation >= LEAKAGE_AUC:
            leaks.append((str(column), separation))
    return leaks


def _generic(sentence: str) -> str:
    """A driver sentence about any outcome, not only churn."""
    return sentence.replace("churn risk is highest", "the outcome is likeliest").replace(
        "churn risk", "outcome probability"
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m crm_core evaluate",
        description="Fit the churn model family on an extract with a binary outcome and print a held-out evaluation.",
    )
    parser.add_argument("--data", type=Path, required=True, help="CSV/TSV/TXT, .xlsx or Parquet file")
    parser.add_argument("--mapping", type=Path, help="saved mapping JSON: renames file columns to canonical names")
    parser.add_argument("--outcome", required=True, help="column holding the binary outcome (e.g. y, churned)")
    parser.add_argument("--drop", nargs="*", default=[], help="columns not to use (e.g. ones known after the outcome)")
    parser.add_argument(
        "--split",
        choices=SPLITS,
        default="random",
        help="hold out a random quarter, or the latest quarter in time (default: random)",
    )
    parser.add_argument(
        "--time-column", help="date column giving the rows' order for --split time (default: file order)"
    )
    parser.add_argument(
        "--folds", type=int, default=5, help="refits for mean ± sd of each metric (0 = none; default 5)"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    return parser


def _renamed(frame: pd.DataFrame, mapping_path: Path | None) -> pd.DataFrame:
    if mapping_path is None:
        return frame
    from crm_core.loading import Mapping

    try:
        mapping = Mapping.from_json(mapping_path.read_bytes())
    except OSError as error:
        raise UsageError(f"cannot read the mapping {mapping_path}: {error.strerror or error}") from None
    except Exception as error:
        raise UsageError(f"the mapping {mapping_path} is not a saved mapping ({error})") from None
    renames = {source: target for source, target in mapping.columns if source in frame.columns}
    return frame.rename(columns=renames)


def _dates(values: pd.Series) -> pd.Series | None:
    """The column as dates, or None when more than 5% of its values are not dates (numbers and names never are)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return None
    if not values.astype(str).str.contains(r"\d", regex=True).mean() > 0.95:
        return None  # month or day names alone ("may", "mon") are not dates: no year, no order across years
    dates = pd.to_datetime(values, errors="coerce", format="mixed")
    return dates if dates.isna().mean() <= 0.05 else None


def _time_order(frame: pd.DataFrame, column: str | None) -> tuple[pd.DataFrame, str]:
    """The rows in time order (by ``column``, else the file's only date column, else as read), and how."""
    if column is None:
        found = [c for c in frame.columns if _dates(frame[c]) is not None]
        if len(found) != 1:
            return frame, "file order"
        column = found[0]
    if column not in frame.columns:
        raise UsageError(f"--time-column names no column of the file: {column!r}")
    dates = _dates(frame[column])
    if dates is None:
        raise UsageError(f"--time-column {column!r} is not a date column (more than 5% of its values are not dates)")
    order = np.argsort(dates.to_numpy(), kind="stable")
    return frame.iloc[order].reset_index(drop=True), f"sorted by {column}"


def evaluation_result(args: argparse.Namespace) -> dict:
    """Return the evaluation of the file and options in ``args`` as a plain dict (raises ``UsageError``)."""
    frame = _renamed(raw_frame(args.data), args.mapping)
    if args.outcome not in frame.columns:
        shown = ", ".join(map(str, frame.columns[:30]))
        raise UsageError(f"no column {args.outcome!r} in {args.data.name}; its columns are: {shown}")
    unknown = [c for c in args.drop if c not in frame.columns]
    if unknown:
        raise UsageError(f"--drop names columns not in the file: {', '.join(unknown)}")
    if not 0 <= args.folds <= 20 or args.folds == 1:
        raise UsageError("--folds must be 0 (none) or between 2 and 20")
    order = "random"
    if args.split == "time":
        frame, order = _time_order(frame, getattr(args, "time_column", None))
    rows, outcome, positive = binary_outcome(frame[args.outcome], DEFAULT_MODEL.min_positives)
    features, skipped = usable_features(frame.drop(columns=[args.outcome, *args.drop]).iloc[rows])
    if features.shape[1] == 0:
        raise UsageError("no usable feature column (numbers or text with few distinct values) besides the outcome")
    features = features.reset_index(drop=True)
    fitted = split_fitted_model(features, outcome, args.split, DEFAULT_MODEL)
    if not fitted.usable:
        raise UsageError(render(fitted.reason, "en"))
    drivers = fitted.drivers
    folds = fold_scores(features, outcome, args.split, args.folds, DEFAULT_MODEL) if args.folds else None
    return {
        "file": str(args.data),
        "outcome": args.outcome,
        "positive_value": positive,
        "rows": len(outcome),
        "positives": int(outcome.sum()),
        "split": args.split,
        "order": order,
        "model": fitted.model_kind,
        "calibration": fitted.model.calibration_method_,
        "features": list(features.columns),
        "skipped": skipped,
        "dropped": list(args.drop),
        "held_out": fitted.evaluation.summary(),
        "calibration_table": fitted.evaluation.calibration.to_dict("records"),
        "folds": None if folds is None else {"count": len(folds.folds), **folds.summary()},
        "drivers": [
            {"feature": r.feature, "importance": r.importance, "sentence": _generic(render(r.message, "en"))}
            for r in drivers.itertuples()
        ],
        "possible_leaks": [{"feature": f, "auc_alone": a} for f, a in possible_leaks(features, outcome)],
    }


def _report(result: dict) -> str:
    held = result["held_out"]
    split = "latest rows, " + result["order"] if result["split"] == "time" else "random, stratified"
    lines = [
        f"{result['file']}: outcome {result['outcome']!r} (positive = {result['positive_value']!r}), "
        f"{result['rows']:,} rows, {result['positives']:,} positives ({result['positives'] / result['rows']:.1%})",
        f"model: {result['model']}, calibrated ({result['calibration']}), {len(result['features'])} features",
        f"held-out ({split}; {held['rows']:,} rows, {held['positives']:,} positives):",
        f"  ROC AUC            {held['roc_auc']:.3f}",
        f"  PR AUC             {held['pr_auc']:.3f}   (base rate {held['base_rate']:.3f})",
        f"  Brier score        {held['brier']:.4f}",
        f"  calibration error  {held['calibration_error']:.4f}   (expected, 10 equal-count bins)",
        f"  top-decile lift    {held['top_decile_lift']:.2f}x",
        "calibration (held-out, 10 equal-count bins):",
        "  bin   rows  predicted  observed",
    ]
    lines += [
        f"  {b['bin']:>3}  {b['rows']:>5,}  {b['mean_predicted']:>9.3f}  {b['observed_rate']:>8.3f}"
        for b in result["calibration_table"]
    ]
    folds = result["folds"]
    if folds:
        kind = "forward-chaining in time" if result["split"] == "time" else "stratified"
        lines.append(f"{folds['count']} folds ({kind}), mean ± sd:")
        for key, label, digits in (
            ("roc_auc", "ROC AUC", 3),
            ("pr_auc", "PR AUC", 3),
            ("brier", "Brier score", 4),
            ("calibration_error", "calibration error", 4),
            ("top_decile_lift", "top-decile lift", 2),
        ):
            lines.append(f"  {label:<18} {folds[key]['mean']:.{digits}f} ± {folds[key]['sd']:.{digits}f}")
    lines.append("top drivers (permutation importance, drop in ROC AUC):")
    lines += [f"  {d['importance']:+.4f}  {d['sentence']}" for d in result["drivers"]]
    if result["skipped"]:
        lines.append("skipped: " + "; ".join(f"{c} ({why})" for c, why in result["skipped"].items()))
    for leak in result["possible_leaks"]:
        lines.append(
            f"WARNING: {leak['feature']} alone gives AUC {leak['auc_alone']:.3f}: it may be known only after the "
            f"outcome (leakage); consider --drop {leak['feature']}"
        )
    return "\n".join(lines)


def evaluate_main(argv: list[str]) -> int:
    """Run ``evaluate`` with ``argv`` (without the word 'evaluate'); return the exit code (0 usable, 2 not)."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return 0 if exit_.code == 0 else 2
    try:
        result = evaluation_result(args)
    except UsageError as error:
        print(f"evaluate: {error}", file=sys.stderr)
        return 2
    except (MemoryError, KeyboardInterrupt):
        raise
    except Exception as error:  # a last guard: a message, never a traceback
        print(f"evaluate: the model could not be fitted ({type(error).__name__}: {error})", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2, ensure_ascii=False) if args.json else _report(result))
    return 0
