"""Streamlit adapter of the Product gap page: per-dataset caches and the economics editor."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from crm_core import products as prod
from crm_core.prepare import PreparedDataset
from ui.i18n import current_lang, t

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
    features = prod.propensity_features(_prepared)
    models = prod.propensity_models(_prepared, features)
    return features, models, models.predict_proba(features)


def holdings(prepared: PreparedDataset) -> prod.HoldingMatrix:
    """Per-dataset holdings matrix."""
    return _holdings(prepared.fingerprint, prepared)


def co_holding(prepared: PreparedDataset) -> pd.DataFrame:
    """Per-dataset co-holding pairs."""
    return _co_holding(prepared.fingerprint, prepared)


def models(prepared: PreparedDataset):
    """Features, fitted propensity models and propensities, trained once per dataset."""
    with st.spinner(t("training_models")):
        return _models(prepared.fingerprint, prepared)


def product_labels(products) -> dict[str, str]:
    """Product display names in the session's language."""
    return {p: prod.product_name(p, current_lang()) for p in products}


def economics_editor(products: tuple[str, ...]) -> prod.SizingConfig | str:
    """Editable conversion rate and value per product; returns the sizing config or a message."""
    base = st.session_state.get("products_sizing") or prod.SizingConfig()
    frame = pd.DataFrame(
        [
            {
                "product": p,
                "name": prod.product_name(p, current_lang()),
                "conversion_rate": base.economics_of(p).conversion_rate * 100,
                "basis": base.economics_of(p).basis,
                "average_balance": base.economics_of(p).average_balance,
                "margin": base.economics_of(p).margin * 100,
                "annual_fee": base.economics_of(p).annual_fee,
            }
            for p in products
        ]
    )
    edited = st.data_editor(
        frame,
        key="products_economics",
        hide_index=True,
        disabled=["product", "name", "basis"],
        column_order=["name", "conversion_rate", "basis", "average_balance", "margin", "annual_fee"],
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
    try:
        sizing = prod.SizingConfig(
            tuple(
                prod.ProductEconomics(
                    row.product,
                    float(row.conversion_rate) / 100,
                    row.basis,
                    float(row.average_balance or 0),
                    float(row.margin or 0) / 100,
                    float(row.annual_fee or 0),
                )
                for row in edited.itertuples()
            )
        )
    except ValueError as error:
        return str(error)
    # Keep the products not shown (e.g. the "*" fallback) and remember the result for the scenario.
    for economics in base.economics:
        if economics.product not in products:
            sizing = sizing.with_product(economics)
    st.session_state["products_sizing"] = sizing
    return sizing


def next_best(prepared: PreparedDataset, sizing: prod.SizingConfig, offered: tuple[str, ...]):
    """Recommendations among the offered products, under the suitability guardrail."""
    features, fitted, propensity = models(prepared)
    matrix = holdings(prepared)
    not_offered = np.array([p not in offered for p in matrix.products])
    held = matrix.held | not_offered[None, :]  # a product not offered is treated as held
    recommendations = prod.next_best_products(
        propensity,
        held,
        matrix.products,
        prod.risk_levels_of(prepared),
        sizing,
        eligible_customers=matrix.active,
    )
    return features, fitted, recommendations
