"""Streamlit adapter of the exports and the meeting storyline: report content cached per dataset and scenario."""

from __future__ import annotations

import hashlib
from datetime import date

import streamlit as st

from crm_core import report
from crm_core.prepare import PreparedDataset
from crm_core.scenarios import Scenario, scenario_json
from ui import data
from ui import loyalty as ui_loy
from ui import playbook as ui_pb
from ui import products as ui_prod
from ui import segments as ui_seg
from ui import service as ui_service
from ui import staff as ui_staff
from ui import visits as ui_vis


@st.cache_resource(max_entries=8, show_spinner=False)
def _content(fingerprint: str, scenario_hash: str, lang: str, _prepared: PreparedDataset, _scenario: Scenario):
    cube = ui_vis.cube(_prepared) if _prepared.monthly_channels is not None else None
    return report.report_content(
        _prepared,
        _scenario,
        lang,
        churn_risk=ui_loy.churn_risk(_prepared, _scenario.churn),
        cube=cube,
        visit_view=ui_vis.tier_view(_prepared, _scenario),
        product_view=ui_prod.tier_view(_prepared, _scenario),
        staff_views=ui_staff.views(_prepared, _scenario),
        loyalty_view=ui_loy.tier_view(_prepared, _scenario),
        service_view=ui_service.tier_view(_prepared, _scenario),
        # the findings and plays the Playbook page cached: language-free, only named and worded here
        findings=ui_pb.raw_findings(_prepared, _scenario),
        plays=ui_pb.raw_plays(_prepared, _scenario),
        segments_view=ui_seg.tier_view(_prepared, _scenario),
        guarantees=ui_pb.guarantees(_prepared, _scenario),
        profile_inputs=ui_seg.profile_inputs(_prepared),
        trends=data.kpi_trends(_prepared),  # the Overview's lines, one computation for both
    )


def content(prepared: PreparedDataset, scenario: Scenario, lang: str) -> report.Report:
    """The storyline of a scenario on a dataset, in a language; computed once per combination."""
    digest = hashlib.sha256(scenario_json(scenario).encode()).hexdigest()
    return _content(prepared.fingerprint, digest, lang, prepared, scenario)


def stamp_args(scenario: Scenario, dataset_name: str, fingerprint: str) -> dict:
    """What every slide and page is stamped with."""
    return {"scenario_name": scenario.name, "dataset_name": dataset_name, "fingerprint": fingerprint,
            "when": date.today()}  # fmt: skip


@st.cache_data(max_entries=8, show_spinner=False)
def _deck(key: str, _report: report.Report, _stamp: dict, _template: bytes | None) -> bytes:
    return report.deck_pptx(_report, template=_template, **_stamp)


def deck(built: report.Report, stamp: dict, template: bytes | None, key: str) -> bytes:
    """The PowerPoint deck (cached by the report key and template)."""
    digest = hashlib.sha256(template).hexdigest() if template else "none"
    return _deck(f"{key}:{digest}:{stamp['when']}", built, stamp, template)
