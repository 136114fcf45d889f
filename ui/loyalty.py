"""Streamlit adapter of the Loyalty & value page: per-dataset model and matrices, cached by fingerprint."""

from __future__ import annotations

import hashlib

import numpy as np
import streamlit as st

from crm_core import loyalty as loy
from crm_core import stored_models
from crm_core.prepare import PreparedDataset
from crm_core.scenarios import Scenario
from ui import background, settings
from ui import places as ui_places
from ui import segments as ui_seg
from ui.i18n import current_lang, percent, say, t

AT_RISK_ROWS = 2_000
"""Customers the Loyalty page's at-risk list holds (and the warming computes for the whole bank)."""


@st.cache_resource(max_entries=4, show_spinner=False)
def _stickiness(fingerprint: str, clip_quantiles: tuple[float, float], _prepared: PreparedDataset):
    return loy.stickiness_matrix(_prepared, loy.StickinessConfig(clip_quantiles=clip_quantiles))


@st.cache_resource(max_entries=6, show_spinner=False)
def _risk(fingerprint: str, definition: loy.ChurnDefinition, _prepared: PreparedDataset) -> loy.ChurnRisk:
    # The model stored at preparation when it was trained for this dataset and definition, else trained here.
    return stored_models.churn_risk_of(_prepared, definition)


@st.cache_resource(max_entries=4, show_spinner=False)
def _customer_value(fingerprint: str, definition: loy.ChurnDefinition, config: loy.ClvConfig, _prepared):
    risk = _risk(fingerprint, definition, _prepared)
    return loy.customer_value(_prepared, risk.probabilities if risk.usable else None, config=config)


@st.cache_resource(max_entries=8, show_spinner=False)
def _view(
    fingerprint: str, grouping_key: str, settings_key: str, _prepared: PreparedDataset, _codes, _labels, _settings
) -> loy.LoyaltyView:
    return loy.loyalty_view(
        _prepared,
        _codes,
        _labels,
        _settings,
        risk=_risk(fingerprint, _settings.churn, _prepared),
        matrix=_stickiness(fingerprint, _settings.stickiness.clip_quantiles, _prepared),
        values=_customer_value(fingerprint, _settings.churn, _settings.clv, _prepared),
    )


def customer_values_of(prepared: PreparedDataset, scenario: Scenario):
    """Every customer's value under the scenario's churn definition and CLV settings, from the cache the view reads."""
    loyalty_settings = loy.LoyaltySettings.of(scenario)
    return _customer_value(prepared.fingerprint, loyalty_settings.churn, loyalty_settings.clv, prepared)


def stickiness_of(prepared: PreparedDataset, scenario: Scenario) -> loy.StickinessMatrix:
    """The stickiness matrix under the scenario's clipping, from the cache the view reads (no element drawn)."""
    clip = loy.LoyaltySettings.of(scenario).stickiness.clip_quantiles
    return _stickiness(prepared.fingerprint, clip, prepared)


def view(prepared: PreparedDataset, codes: np.ndarray, labels: tuple[str, ...], scenario: Scenario) -> loy.LoyaltyView:
    """The Loyalty view of a grouping under the scenario's loyalty settings, computed once and shared.

    Keyed by the dataset fingerprint, the grouping (its codes and language-free labels) and the
    loyalty settings: the page, the report, the playbook and the comparison read the same object,
    in any language. The churn model, the stickiness matrix and the customer values behind it are
    cached per dataset (and definition, CLV settings) and shared by every grouping. No ``st`` call
    here (the report and playbook call it from their caches): the page trains the model first with
    ``churn_risk``, which shows a spinner.
    """
    loyalty_settings = loy.LoyaltySettings.of(scenario)
    grouping_key = hashlib.sha256(np.ascontiguousarray(codes).tobytes() + repr(tuple(labels)).encode()).hexdigest()
    settings_key = hashlib.sha256(repr(loyalty_settings).encode()).hexdigest()
    return _view(prepared.fingerprint, grouping_key, settings_key, prepared, codes, tuple(labels), loyalty_settings)


def tier_view(prepared: PreparedDataset, scenario: Scenario) -> loy.LoyaltyView:
    """``view`` over the scenario's AUM tiers (what the report, playbook and comparison show)."""
    codes = ui_seg.tier_segmentation(prepared, scenario.tiers).codes
    return view(prepared, codes, tuple(scenario.tiers.labels), scenario)


def stickiness(prepared: PreparedDataset) -> loy.StickinessMatrix:
    """Normalised stickiness indicators under the active scenario, once per dataset (and clipping quantiles)."""
    return stickiness_of(prepared, settings.active())


def churn_risk(prepared: PreparedDataset, definition: loy.ChurnDefinition) -> loy.ChurnRisk:
    """The churn model for a definition: stored at preparation, else trained once per dataset and definition."""
    refused = stored_models.refusal(prepared)
    if refused is not None:
        st.caption(say(refused))
    background.wait_for(prepared.fingerprint, "churn")  # an upload's model, being trained since it was chosen
    with st.spinner(t("training_churn")):
        return _risk(prepared.fingerprint, definition, prepared)


def churn_risk_of(prepared: PreparedDataset, definition: loy.ChurnDefinition) -> loy.ChurnRisk:
    """``churn_risk`` from the same cache without any element drawn (for cached callers and the warming)."""
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
            value = row["value"]
            shown = formatter(value) if value is not None and np.isfinite(float(value)) else t("not_available")
            label = t("metric_churn_rate_flag") if metric == "churn_rate_flag" else t(f"loyalty_{metric}")
            column.metric(label, shown, border=True)


def driver_bullets(risk: loy.ChurnRisk, prepared: PreparedDataset, top: int = 5) -> list[str]:
    """``driver_sentences`` as Markdown list items, each escaped (a riskiest branch named with a link or an
    address stays text)."""
    from ui.widgets import md

    return [f"- {md(sentence)}" for sentence in driver_sentences(risk, prepared, top)]


def driver_sentences(risk: loy.ChurnRisk, prepared: PreparedDataset, top: int = 5) -> list[str]:
    """The model's strongest drivers in words, a riskiest branch or city named as the session shows it."""
    from crm_core.places import PLACE_COLUMNS
    from ui.i18n import say

    sentences = []
    for row in risk.fitted.drivers.head(top).itertuples():
        if row.feature in PLACE_COLUMNS and isinstance(row.riskiest_level, str):
            name = ui_places.names(prepared, row.feature).get(row.riskiest_level, row.riskiest_level)
            sentences.append(say(loy.driver_message(row.feature, row.direction, name)))
        else:
            sentences.append(say(row.message))
    return sentences


def with_reasons_in_words(frame):
    """The at-risk list with each customer's reasons (``Message`` tuples) as one text in the session's language.

    Customers share reasons: each distinct tuple is worded once (2,000 rows hold a few hundred).
    """
    from crm_core.messages import joined

    lang = current_lang()
    worded: dict = {}
    return frame.assign(
        reasons=[worded[r] if r in worded else worded.setdefault(r, joined(r, lang)) for r in frame["reasons"]]
    )


@st.cache_resource(max_entries=8, show_spinner=False)
def _at_risk(fingerprint: str, settings_key: str, branch: str | None, limit: int, _prepared, _view, _risk):
    return loy.at_risk_customers(_prepared, _risk, _view.customer_bands, _view.values, branch=branch, limit=limit)


def at_risk(prepared: PreparedDataset, view: loy.LoyaltyView, risk: loy.ChurnRisk, branch: str | None, limit: int):
    """The at-risk list (language-free, reasons as messages) of a branch or the bank, once per dataset,
    loyalty settings and branch: a rerun or a what-if move reads it (2,000 rows' reasons: 0.26 s at 1M)."""
    used = (view.settings.churn, view.settings.clv, view.settings.model)
    settings_key = hashlib.sha256(repr(used).encode()).hexdigest()
    return _at_risk(prepared.fingerprint, settings_key, branch, limit, prepared, view, risk)


def model_quality(view: loy.LoyaltyView) -> None:
    """The churn model's held-out quality: four figures, how it was trained, calibration and lift charts."""
    from ui.i18n import count
    from ui.widgets import chart, plot

    evaluation = view.evaluation
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
            kind=t(f"model_{view.model_kind}"),
            rows=count(evaluation.rows),
            churners=count(evaluation.positives),
            base=percent(evaluation.base_rate),
        )
    )
    calibration_col, lift_col = st.columns(2)
    plot(
        container=calibration_col,
        figure=chart(
            loy.calibration_figure,
            evaluation.calibration,
            t("calibration_title"),
            t("predicted"),
            t("observed"),
            t("perfect"),
        ),
        key="loyalty_calibration_chart",
    )
    plot(
        container=lift_col,
        figure=chart(loy.lift_figure, evaluation.lift, t("lift_chart_title"), t("decile"), t("lift")),
        key="loyalty_lift_chart",
    )


def risk_charts(by_segment, by_branch) -> None:
    """Expected churners by group and by branch, side by side."""
    from ui.widgets import chart, plot

    segment_col, branch_col = st.columns(2)
    plot(
        container=segment_col,
        figure=chart(loy.risk_group_figure, by_segment, t("risk_by_segment"), t("expected_churners"), ""),
        key="loyalty_risk_segment_chart",
    )
    plot(
        container=branch_col,
        figure=chart(
            loy.risk_group_figure,
            by_branch,
            t("risk_by_branch"),
            t("expected_churners"),
            "",
        ),
        key="loyalty_risk_branch_chart",
    )


def hidden_note(view: loy.LoyaltyView, groups: dict[str, str]) -> None:
    """Say which groups are too small to show by themselves (the view's ``hidden``), if any."""
    if view.hidden:
        names = ("、" if current_lang() == "zh" else ", ").join(groups.get(g, g) for g in view.hidden)
        st.caption(t("loyalty_hidden_groups", groups=names, minimum=view.settings.min_group_customers))


def by_group(frame, view: loy.LoyaltyView, groups: dict[str, str], column: str = "segment"):
    """A per-group table of the view with the small groups left out and groups named in the session's language."""
    from crm_core.products import relabelled

    return relabelled(loy.shown(frame, view.hidden, column), groups, (column,))
