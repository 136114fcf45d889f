"""Segments: who the bank serves, tiered live; profiles, drill-down, migration and concentration."""

import streamlit as st

from crm_core import segments as seg
from crm_core.segments.charts import concentration_figure
from ui import data, settings
from ui import places as ui_places
from ui import segments as ui_seg
from ui.i18n import money, percent, say, t
from ui.widgets import chart, page_header, plot, table, translated_choice

page_header("segments")
prepared = data.active_prepared()
availability = ui_seg.availability(prepared).set_index("scheme")
usable = [scheme for scheme in seg.SCHEMES if availability.loc[scheme, "available"]]
for scheme, row in availability[~availability["available"]].iterrows():
    st.caption(t("scheme_hidden", scheme=t(f"scheme_{scheme}"), reason=say(row["reason"])))
if not usable:
    st.info(t("no_scheme"))
    st.stop()


@st.fragment
def segment_panel() -> None:
    """Controls and everything they drive; a slider move reruns only this panel."""
    settings.keep_frame_current()
    scheme = settings.control(
        st.segmented_control, "segment_scheme", t("scheme"), usable, required=True,
        format_func=lambda s: t(f"scheme_{s}"),
    )  # fmt: skip
    ui_seg.scheme_controls(prepared, scheme)
    view = ui_seg.view(prepared, settings.active())
    ui_seg.scheme_notes(view)
    if view is None:
        return
    labels = ui_seg.display_labels(scheme, view.segmentation.labels, view.clusters)
    ui_seg.profile_section(view, labels)
    ui_seg.migration_section(view, labels)

    st.subheader(t("drilldown"))
    group = translated_choice(
        st.selectbox, t("drilldown_group"), range(len(labels)), "segments_drill_group", lambda i: labels[i]
    )
    drill = view.drilldowns[int(group or 0)]
    for column, (name, frame) in zip(
        st.columns(3),
        (
            ("branches", ui_places.named(drill.branches, prepared, {"name": "branch"})),
            ("age_bands", drill.age_bands),
            ("products", ui_seg.named_products(drill)),
        ),
        strict=True,
    ):
        column.markdown(f"**{t(f'drill_{name}')}**")
        with column:
            table(frame.head(12), f"segments_drill_{name}")

    st.subheader(t("concentration"))
    curve = view.concentration
    plot(
        chart(
            concentration_figure,
            curve,
            t("lorenz_title"),
            t("lorenz_x"),
            t("lorenz_y"),
            t("metric_total_aum"),
            t("equal_shares"),
        ),
        key="segments_lorenz_chart",
    )
    shares = curve.attrs["top_shares"]
    st.caption(
        t(
            "concentration_note",
            top1=percent(shares["top1"]),
            top2=percent(shares["top2"]),
            top10=percent(shares["top10"]),
            gini=f"{curve.attrs['gini']:.2f}",
            total=money(view.total_aum),
        )
    )


segment_panel()
