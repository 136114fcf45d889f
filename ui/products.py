"""Streamlit adapter of the Product gap page: per-dataset caches and the economics editor."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import numpy as np
import pandas as pd
import streamlit as st

from crm_core import products as prod
from crm_core import stored_models
from crm_core.charts import with_money_axis
from crm_core.configs import config_json
from crm_core.prepare import PreparedDataset
from crm_core.products.charts import opportunity_figure
from crm_core.scenarios import Scenario
from ui import background, settings
from ui import segments as ui_seg
from ui.i18n import count, current_lang, money, say, t
from ui.widgets import chart, md, number_formats, plot, with_gaps_named

LEAD_ROWS = 200
"""Leads the Product gap page lists (and the warming computes for the unfiltered bank)."""

RECOMMENDABLE = ("credit_card", "wealth_management", "funds", "insurance", "payroll_service")
"""Products offered by default: value-mining products; loans, deposits and basic accounts are not cold-call offers."""


@st.cache_resource(max_entries=4, show_spinner=False)
def _holdings(fingerprint: str, _prepared: PreparedDataset) -> prod.HoldingMatrix:
    return prod.holding_matrix(_prepared)


@st.cache_resource(max_entries=4, show_spinner=False)
def _co_holding(fingerprint: str, _prepared: PreparedDataset) -> pd.DataFrame:
    return prod.co_holding(_holdings(fingerprint, _prepared))


@st.cache_resource(max_entries=2, show_spinner=False)
def _models(fingerprint: str, _prepared: PreparedDataset):
    # The models stored at preparation when they were trained on this dataset, else trained here.
    return stored_models.propensity_of(_prepared)


@st.cache_resource(max_entries=2, show_spinner=False)
def _offers(fingerprint: str, offers_key: str, _prepared: PreparedDataset, _settings) -> prod.CustomerOffers:
    # Every grouping's view under the same offered products, sizing and suitability reads these (the
    # Scenarios page's two tier schemes: 2-3 s at 5M customers once instead of twice).
    return prod.offers_of(_prepared, _holdings(fingerprint, _prepared), _settings)


@st.cache_resource(max_entries=8, show_spinner=False)
def _view(
    fingerprint: str, grouping_key: str, settings_key: str, _prepared: PreparedDataset, _codes, _labels, _settings
) -> prod.ProductsView | None:
    if not _prepared.products:
        return None
    offers_key = hashlib.sha256(repr(prod.offers_key(_settings)).encode()).hexdigest()
    return prod.products_view(
        _prepared,
        _codes,
        _labels,
        _settings,
        holdings=_holdings(fingerprint, _prepared),
        pairs=_co_holding(fingerprint, _prepared),
        offers=_offers(fingerprint, offers_key, _prepared, _settings),
    )


def view(
    prepared: PreparedDataset, codes: np.ndarray, labels: tuple[str, ...], scenario: Scenario
) -> prod.ProductsView | None:
    """The Product gap view of a grouping under the scenario's product settings, computed once and shared.

    Keyed by the dataset fingerprint, the grouping (its codes and language-free labels) and the
    product settings: the page, the report, the playbook and the comparison read the same object,
    in any language.
    """
    product_settings = prod.ProductSettings.of(scenario)
    grouping_key = hashlib.sha256(np.ascontiguousarray(codes).tobytes() + repr(labels).encode()).hexdigest()
    settings_key = hashlib.sha256(repr(product_settings).encode()).hexdigest()
    return _view(prepared.fingerprint, grouping_key, settings_key, prepared, codes, labels, product_settings)


def tier_view(prepared: PreparedDataset, scenario: Scenario) -> prod.ProductsView | None:
    """``view`` over the scenario's AUM tiers (what the report, playbook and comparison show)."""
    codes = ui_seg.tier_segmentation(prepared, scenario.tiers).codes
    return view(prepared, codes, tuple(scenario.tiers.labels), scenario)


def holdings(prepared: PreparedDataset) -> prod.HoldingMatrix:
    """Per-dataset holdings matrix."""
    return _holdings(prepared.fingerprint, prepared)


def co_holding(prepared: PreparedDataset) -> pd.DataFrame:
    """Per-dataset co-holding pairs."""
    return _co_holding(prepared.fingerprint, prepared)


def models(prepared: PreparedDataset):
    """Features, fitted propensity models and propensities: stored at preparation, else trained once per dataset."""
    refused = stored_models.refusal(prepared)
    if refused is not None:
        st.caption(say(refused))
    background.wait_for(prepared.fingerprint, "propensity")  # an upload's models, being trained since it was chosen
    with st.spinner(t("training_models")):
        return _models(prepared.fingerprint, prepared)


def product_labels(products) -> dict[str, str]:
    """Product display names in the session's language."""
    return {p: prod.product_name(p, current_lang()) for p in products}


ECONOMICS_COLUMNS = ("conversion_rate", "average_balance", "margin", "annual_fee")
PERCENT_ECONOMICS = frozenset({"conversion_rate", "margin"})


def _economics_frame(sizing: prod.SizingConfig, products: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "product": p,
                "name": prod.product_name(p, current_lang()),
                "conversion_rate": sizing.economics_of(p).conversion_rate * 100,
                "basis": t(f"value_basis_{sizing.economics_of(p).basis}"),
                "average_balance": sizing.economics_of(p).average_balance,
                "margin": sizing.economics_of(p).margin * 100,
                "annual_fee": sizing.economics_of(p).annual_fee,
            }
            for p in products
        ]
    )


def economics_edited(sizing: prod.SizingConfig, products: tuple[str, ...], edits: dict) -> prod.SizingConfig:
    """The sizing config after a data editor's ``edited_rows`` (shown in percent where a rate is)."""
    for row, changes in (edits or {}).items():
        product = products[int(row)]
        economics = sizing.economics_of(product)
        values = {}
        for column, value in changes.items():
            if column in ECONOMICS_COLUMNS:
                number = float(value or 0)
                values[column] = number / 100 if column in PERCENT_ECONOMICS else number
        sizing = sizing.with_product(replace(economics, product=product, **values))
    return sizing


def _commit_economics(key: str, products: tuple[str, ...]) -> None:
    edits = st.session_state[key].get("edited_rows", {})
    settings.commit(lambda s: replace(s, sizing=economics_edited(s.sizing, products, edits)))


def economics_editor(products: tuple[str, ...]) -> prod.SizingConfig:
    """Editable conversion rate and value per product, a view of the scenario's sizing; returns it."""
    sizing = settings.active().sizing
    # A new key whenever the scenario's sizing changes: the editor then starts from it, with no stale edits.
    digest = hashlib.sha256(config_json(sizing).encode()).hexdigest()[:12]
    key = f"sizing.economics.{digest}@{current_lang()}"
    st.data_editor(
        _economics_frame(sizing, products),
        key=key,
        hide_index=True,
        disabled=["product", "name", "basis"],
        column_order=["name", "conversion_rate", "basis", "average_balance", "margin", "annual_fee"],
        on_change=_commit_economics,
        args=(key, products),
        column_config={
            "name": st.column_config.TextColumn(t("product")),
            "conversion_rate": st.column_config.NumberColumn(
                t("conversion_rate"), min_value=0, max_value=100, format="%.1f%%"
            ),
            "basis": st.column_config.TextColumn(t("value_basis")),
            "average_balance": st.column_config.NumberColumn(t("average_balance"), min_value=0, format="¥%.0f"),
            "margin": st.column_config.NumberColumn(t("margin"), min_value=0, max_value=100, format="%.2f%%"),
            "annual_fee": st.column_config.NumberColumn(t("annual_fee"), min_value=0, format="¥%.0f"),
        },
    )
    return sizing


def group_tables(view: prod.ProductsView, groups: dict[str, str], target: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Penetration index and cross-sell ratios per group in display names, groups too small to show left out."""
    index = prod.penetration_index(view.holdings).drop(index=list(view.hidden)).rename(index=groups)
    ratios = prod.cross_sell_ratios(view.holdings, target, bank_label=t("bank"))
    ratios = prod.relabelled(ratios[~ratios["group"].isin(view.hidden)], groups)
    if view.hidden:
        names = "、".join if current_lang() == "zh" else ", ".join
        minimum = settings.active().suppression.min_customers
        st.caption(t("products_hidden_groups", groups=names(groups.get(g, g) for g in view.hidden), minimum=minimum))
    return index, ratios


def cross_sell_table(ratios: pd.DataFrame, key: str) -> None:
    """Products per customer against the target by group: ratios to two decimals, counts with separators."""
    shown = with_gaps_named(ratios, decimals=2).rename(columns=lambda c: t(f"xsell_col_{c}"))
    st.dataframe(shown, hide_index=True, key=key, column_config=number_formats(shown, decimals=2))


def sizing_panel(sized: prod.ProductsView, groups: dict[str, str], names: dict[str, str], closure: float) -> None:
    """The sizing headline, totals, rule, suitability warning and the top opportunities shown by group."""
    opportunities = prod.relabelled(sized.sizing, groups)
    st.markdown(f"**{md(say(prod.opportunity_message(opportunities, closure)))}**")
    st.caption(t("opportunity_total", value=money(sized.opportunity_value), gap=money(sized.gap_value)))
    st.caption(t("sizing_rule", customers=count(sized.totals["assigned"])))
    if not sized.suitability_checked:
        st.warning(t("sizing_unchecked"), icon=":material/policy:")
    top = prod.relabelled(sized.top[~sized.top["group"].isin(sized.hidden)], groups)
    figure = chart(_opportunity_figure, top, t("opportunity_title"), t("value_per_year"), names, current_lang())
    plot(figure, key="products_opportunity_chart")


def _opportunity_figure(top, title: str, axis: str, names: dict[str, str], lang: str):
    """The sized opportunities, money ticked as the page writes it."""
    return with_money_axis(opportunity_figure(top, title, axis, names), "x", lang)


def model_notes(fitted, names: dict[str, str]) -> None:
    """What the propensity scores mean (the design), which models are left out, and which features leaked."""
    st.caption(t(f"model_design_{fitted.design}"))
    weak = fitted.quality_.loc[~fitted.quality_["usable"].astype(bool), "product"]
    if len(weak):
        st.warning(t("model_weak", products="、".join(names.get(p, p) for p in weak) if current_lang() == "zh"
                     else ", ".join(names.get(p, p) for p in weak)), icon=":material/warning:")  # fmt: skip
    if len(fitted.leaks_):
        leaks = sorted({f"{names.get(r.product, r.product)}: {r.feature}" for r in fitted.leaks_.itertuples()})
        st.caption(t("model_leaks", features="; ".join(leaks)))


@st.cache_resource(max_entries=4, show_spinner=False)
def _next_best(fingerprint: str, key: str, _prepared: PreparedDataset, _sizing, _offered) -> prod.NextBest:
    _, fitted, propensity = _models(fingerprint, _prepared)
    matrix = _holdings(fingerprint, _prepared)
    not_offered = np.array([p not in _offered for p in matrix.products])
    held = matrix.held | not_offered[None, :]  # a product not offered is treated as held
    usable = dict(zip(fitted.quality_["product"], fitted.quality_["usable"], strict=True))
    order = [fitted.products_.index(p) for p in matrix.products]
    return prod.next_best_products(
        propensity,
        held,
        matrix.products,
        prod.risk_levels_of(_prepared),
        _sizing,
        eligible_customers=matrix.active,
        usable_products=np.array([bool(usable.get(p, False)) for p in matrix.products]),
        columns=order,
    )


def _next_best_key(sizing: prod.SizingConfig, offered: tuple[str, ...]) -> str:
    return hashlib.sha256((config_json(sizing) + repr(tuple(offered))).encode()).hexdigest()


def next_best(prepared: PreparedDataset, sizing: prod.SizingConfig, offered: tuple[str, ...]):
    """Recommendations among the offered products whose model is usable, under the suitability guardrail.

    Computed once per dataset, sizing and offered products (0.5-0.7 s at 1M customers): a rerun of
    the page, a lead filter or a language switch reads them.
    """
    features, fitted, _ = models(prepared)
    return features, fitted, next_best_of(prepared, sizing, offered)


def next_best_of(prepared: PreparedDataset, sizing: prod.SizingConfig, offered: tuple[str, ...]) -> prod.NextBest:
    """The recommendations alone, from the same cache (no notes, no spinner: the background warming calls it)."""
    return _next_best(prepared.fingerprint, _next_best_key(sizing, offered), prepared, sizing, tuple(offered))


@st.cache_resource(max_entries=8, show_spinner=False)
def _leads(fingerprint: str, key: str, filter_key: str, _prepared, _sizing, _offered, _filter) -> pd.DataFrame:
    features, fitted, _ = _models(fingerprint, _prepared)
    recommendations = _next_best(fingerprint, key, _prepared, _sizing, _offered)
    return prod.lead_list(_prepared, features, fitted, recommendations, _filter)


def leads(
    prepared: PreparedDataset, sizing: prod.SizingConfig, offered: tuple[str, ...], lead_filter: prod.LeadFilter
) -> pd.DataFrame:
    """The lead list (language-free) for a filter, once per dataset, sizing, offered products and filter.

    Call ``next_best`` first (it shows the models' notes and waits for a background training).
    """
    key = _next_best_key(sizing, offered)
    filter_key = hashlib.sha256(repr(lead_filter).encode()).hexdigest()
    return _leads(prepared.fingerprint, key, filter_key, prepared, sizing, tuple(offered), lead_filter)


@st.cache_resource(max_entries=8, show_spinner=False)
def _choices(fingerprint: str, column: str, _prepared: PreparedDataset) -> tuple[str, ...]:
    customers = _prepared.customers
    return tuple(sorted(customers[column].dropna().unique())) if column in customers else ()


def choices(prepared: PreparedDataset, column: str) -> tuple[str, ...]:
    """The sorted distinct values of a customer column (branches, managers) for a filter, once per dataset."""
    return _choices(prepared.fingerprint, column, prepared)
