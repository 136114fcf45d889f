"""Streamlit adapter of the Loyalty & value page: per-dataset model and matrices, cached by fingerprint."""

from __future__ import annotations

import hashlib

import numpy as np
import streamlit as st

from crm_core import loyalty as loy
from crm_core.prepare import PreparedDataset
from ui import places as ui_places
from ui import settings
from ui.i18n import t


@st.cache_resource(max_entries=4, show_spinner=False)
def _stickiness(fingerprint: str, _prepared: PreparedDataset) -> loy.StickinessMatrix:
    return loy.stickiness_matrix(_prepared)


@st.cache_resource(max_entries=6, show_spinner=False)
def _risk(fingerprint: str, definition: loy.ChurnDefinition, _prepared: PreparedDataset) -> loy.ChurnRisk:
    return loy.churn_risk_model(_prepared, definition)


@st.cache_resource(max_entries=8, show_spinner=False)
def _customer_value(
    fingerprint: str, definition: loy.ChurnDefinition, codes_digest: str, config: loy.ClvConfig,
    _prepared: PreparedDataset, _codes: np.ndarray,
):  # fmt: skip
    risk = _risk(fingerprint, definition, _prepared)
    return loy.customer_value(_prepared, risk.probabilities if risk.usable else None, _codes, config)


def customer_value(prepared: PreparedDataset, definition: loy.ChurnDefinition, codes: np.ndarray, config):
    """CLV, potential and quadrant per customer, once per dataset, churn definition, grouping and CLV settings."""
    digest = hashlib.sha256(np.ascontiguousarray(codes).tobytes()).hexdigest()
    return _customer_value(prepared.fingerprint, definition, digest, config, prepared, codes)


def stickiness(prepared: PreparedDataset) -> loy.StickinessMatrix:
    """Normalised stickiness indicators, once per dataset."""
    return _stickiness(prepared.fingerprint, prepared)


def churn_risk(prepared: PreparedDataset, definition: loy.ChurnDefinition) -> loy.ChurnRisk:
    """The churn model for a definition: trained once per dataset and definition."""
    with st.spinner(t("training_churn")):
        return _risk(prepared.fingerprint, definition, prepared)


def definition_controls() -> loy.ChurnDefinition:
    """Which customers count as churned (views of the scenario's churn definition)."""
    kind_col, months_col, drop_col = st.columns(3)
    kind = settings.control(
        kind_col.selectbox, "churn_kind", t("churn_definition"), loy.CHURN_KINDS,
        format_func=lambda k: t(f"churn_kind_{k}"),
    )  # fmt: skip
    settings.control(months_col.number_input, "churn_inactive_months", t("inactive_months"), 1, 11,
                     disabled=kind != "inactive")  # fmt: skip
    settings.control(drop_col.slider, "churn_aum_drop", t("aum_drop"), 10, 90, step=5, format="%d%%",
                     disabled=kind != "aum_drop")  # fmt: skip
    return settings.active().churn


def kpi_tiles(tiles) -> None:
    """The page's headline tiles, each value in its unit and the session's language."""
    from crm_core.formatting import format_share
    from ui.i18n import count, money

    tiles = tiles.set_index("metric")
    per_row = 3  # six tiles in one row cut their values ("¥19.…")
    for start in range(0, len(tiles), per_row):
        chunk = tiles.iloc[start : start + per_row]
        for column, (metric, row) in zip(st.columns(per_row), chunk.iterrows(), strict=False):
            formatter = {"share": format_share, "money": money, "count": count}.get(row["unit"], lambda v: f"{v:.0f}")
            column.metric(t(f"loyalty_{metric}"), formatter(row["value"]), border=True)


def driver_sentences(risk: loy.ChurnRisk, prepared: PreparedDataset, lang: str, top: int = 5) -> list[str]:
    """The model's strongest drivers in words, a riskiest branch or city named as the session shows it."""
    from crm_core.loyalty.evaluation import driver_sentence
    from crm_core.places import PLACE_COLUMNS

    sentences = []
    for row in risk.fitted.drivers.head(top).itertuples():
        unit = row.feature if row.feature in PLACE_COLUMNS and isinstance(row.riskiest_level, str) else None
        if unit is None:
            sentences.append(getattr(row, f"sentence_{lang}"))
            continue
        name = ui_places.names(prepared, unit).get(row.riskiest_level, row.riskiest_level)
        sentences.append(driver_sentence(unit, row.direction, name, lang))
    return sentences


def model_quality(risk: loy.ChurnRisk):
    """The churn model's held-out quality: four figures, how it was trained, calibration and lift charts."""
    from crm_core.formatting import format_share
    from ui.i18n import count
    from ui.widgets import plot

    evaluation = risk.fitted.evaluation
    quality = st.columns(4)
    for column, (label, value) in zip(
        quality,
        (
            ("ROC AUC", f"{evaluation.roc_auc:.3f}"),
            ("PR AUC", f"{evaluation.pr_auc:.3f}"),
            (t("calibration_error"), f"{evaluation.calibration_error:.3f}"),
            (t("top_decile_lift"), f"{evaluation.top_decile_lift:.1f}x"),
        ),
        strict=True,
    ):
        column.metric(label, value)
    st.caption(
        t(
            "model_caption",
            kind=t(f"model_{risk.fitted.model_kind}"),
            rows=count(evaluation.rows),
            churners=count(evaluation.positives),
            base=format_share(evaluation.base_rate),
        )
    )
    calibration_col, lift_col = st.columns(2)
    plot(
        container=calibration_col,
        figure=loy.calibration_figure(
            evaluation.calibration, t("calibration_title"), t("predicted"), t("observed"), t("perfect")
        ),
        key="loyalty_calibration_chart",
    )
    plot(
        container=lift_col,
        figure=loy.lift_figure(evaluation.lift, t("lift_chart_title"), t("decile"), t("lift")),
        key="loyalty_lift_chart",
    )
    return evaluation


def risk_charts(by_segment, by_branch) -> None:
    """Expected churners by group and by branch, side by side."""
    from ui.widgets import plot

    segment_col, branch_col = st.columns(2)
    plot(
        container=segment_col,
        figure=loy.risk_group_figure(by_segment, t("risk_by_segment"), t("expected_churners"), ""),
        key="loyalty_risk_segment_chart",
    )
    plot(
        container=branch_col,
        figure=loy.risk_group_figure(
            by_branch,
            t("risk_by_branch"),
            t("expected_churners"),
            "",
        ),
        key="loyalty_risk_branch_chart",
    )


def shown_groups(frame, count_column: str, note: bool = True):
    """A per-group table without the groups too small to show (``suppressed_groups``, complementary ones too).

    Group rows are those with ``code >= 0``; other rows (the bank, not assigned) stay. The scenario's
    smallest group shown applies, as on the Segments and Product gap pages.
    """
    from crm_core.segments import suppressed_groups
    from ui.settings import active

    minimum = active().suppression.min_customers
    groups = frame["code"] >= 0 if "code" in frame else frame.index == frame.index
    hidden = suppressed_groups(frame.loc[groups, count_column].to_numpy(), minimum)
    if not hidden.any():
        return frame
    dropped = frame.loc[groups].index[hidden]
    if note:
        names = frame.loc[dropped, "segment" if "segment" in frame else "group"].astype(str)
        st.caption(t("loyalty_hidden_groups", groups=", ".join(names), minimum=minimum))
    return frame.drop(index=dropped)
