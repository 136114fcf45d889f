"""Segments: who the bank serves, tiered live; profiles, drill-down, migration and concentration."""

import streamlit as st

from crm_core import segments as seg
from crm_core.formatting import format_share
from crm_core.segments.charts import concentration_figure, migration_heatmap, profile_index_figure, silhouette_figure
from ui import data, settings
from ui import segments as ui_seg
from ui.i18n import count, current_lang, money, t, translate
from ui.widgets import md, page_header, table

page_header("segments")
prepared = data.active_prepared()
availability = ui_seg.availability(prepared).set_index("scheme")
usable = [scheme for scheme in seg.SCHEMES if availability.loc[scheme, "available"]]
for scheme, row in availability[~availability["available"]].iterrows():
    reason = row["reason_zh"] if current_lang() == "zh" else row["reason_en"]
    st.caption(t("scheme_hidden", scheme=t(f"scheme_{scheme}"), reason=reason))
if not usable:
    st.info(t("no_scheme"))
    st.stop()
inputs = ui_seg.profile_inputs(prepared)


@st.fragment
def segment_panel() -> None:
    """Controls and everything they drive; a slider move reruns only this panel."""
    settings.keep_frame_current()
    scheme = settings.control(
        st.segmented_control, "segment_scheme", t("scheme"), usable, required=True,
        format_func=lambda s: t(f"scheme_{s}"),
    )  # fmt: skip
    baseline, change, clusters = None, None, None
    if scheme == "tiers":
        configs = ui_seg.tier_controls()
        segmentation = ui_seg.tier_segmentation(prepared, configs[0])
        baseline = ui_seg.tier_segmentation(prepared, configs[1])
        change = seg.tier_change_phrase(configs[1], configs[0])
    elif scheme == "value":
        matrix, config, base_config = ui_seg.value_controls(prepared)
        segmentation, baseline = seg.value_segments(matrix, config), seg.value_segments(matrix, base_config)
        change = {lang: translate("value_change", lang) for lang in ("en", "zh")}
    elif scheme == "rfm":
        monetary = settings.control(
            st.selectbox, "rfm_monetary", t("rfm_monetary"), ("aum", "annual_contribution"),
            format_func=lambda m: t(f"indicator_{m}"),
        )  # fmt: skip
        segmentation = ui_seg.rfm_segmentation(prepared, monetary)
        st.caption(t("rfm_explained"))
    elif scheme == "lifecycle":
        segmentation = seg.lifecycle_stages(prepared, seg.LifecycleConfig())
        for _, sentence in seg.lifecycle_rules_text()[current_lang()]:
            st.caption(sentence)
    else:
        features = tuple(
            settings.control(
                st.multiselect, "cluster_features", t("cluster_features"),
                (*seg.VALUE_INDICATORS, "age", "counter_txn_12m"), format_func=lambda f: t(f"indicator_{f}"),
            )
        )  # fmt: skip
        k = settings.control(st.slider, "cluster_k", t("cluster_k"), 2, 8)
        if len(features) < 2:
            st.warning(t("cluster_need_two"))
            return
        clusters = ui_seg.cluster_result(prepared, features, k)
        segmentation = clusters.segmentation
        scores = ui_seg.silhouettes(prepared, features)
        st.plotly_chart(
            silhouette_figure(scores, t("silhouette_title"), "k", t("silhouette"), k), key="segments_silhouette_chart"
        )

    labels = ui_seg.display_labels(scheme, segmentation.labels, clusters)
    profiles = seg.group_profiles(inputs, segmentation.codes, labels, unassigned_label=t("not_assigned"))
    for note in segmentation.notes:
        st.caption(f"ⓘ {t(note)}")  # core notes are English; known ones have a translation
    total = profiles["customers"].sum()
    st.caption(
        t(
            "profiles_reconcile",
            groups=len(labels),
            customers=count(total),
            share=format_share(profiles["customer_share"].sum()),
        )
    )
    st.dataframe(
        ui_seg.profile_display(profiles, labels),
        hide_index=True,
        key="segments_profile_table",
        column_config=ui_seg.profile_column_config(),
    )
    # AUM measures are what tiers are cut on (indexes in the thousands); the chart compares behaviour.
    measure_labels = {m: t(f"profile_{m}") for m in seg.PROFILE_MEASURES if not m.endswith("_aum")}
    st.plotly_chart(
        profile_index_figure(profiles[~profiles["suppressed"]], measure_labels, t("profile_chart"), t("index_axis")),
        key="segments_profile_chart",
    )

    if baseline is not None:
        st.subheader(t("migration"))
        aum = prepared.customers["aum"].to_numpy()
        active = prepared.customers["is_active"].to_numpy()
        counts, moved = seg.migration_matrix(
            baseline.codes[active], segmentation.codes[active], aum[active], labels, labels
        )
        if counts.to_numpy().trace() == counts.to_numpy().sum():
            st.caption(t("migration_none"))
        else:
            st.markdown(md(seg.migration_sentence(counts, moved, change)[current_lang()]))
        st.plotly_chart(
            migration_heatmap(counts, t("migration_title"), t("migration_to"), t("migration_from")),
            key="segments_migration_chart",
        )

    st.subheader(t("drilldown"))
    group = st.selectbox(
        t("drilldown_group"), range(len(labels)), format_func=lambda i: labels[i], key="segments_drill_group"
    )
    drill = seg.group_drilldown(prepared, segmentation.codes, int(group or 0))
    for column, (name, frame) in zip(
        st.columns(3),
        (("branches", drill.branches), ("age_bands", drill.age_bands), ("products", drill.products)),
        strict=True,
    ):
        column.markdown(f"**{t(f'drill_{name}')}**")
        with column:
            table(frame.head(12), f"segments_drill_{name}")


segment_panel()

st.subheader(t("concentration"))
curve = seg.concentration_curve(prepared.customers.loc[prepared.customers["is_active"], "aum"].to_numpy())
st.plotly_chart(
    concentration_figure(
        curve, t("lorenz_title"), t("lorenz_x"), t("lorenz_y"), t("metric_total_aum"), t("equal_shares")
    ),
    key="segments_lorenz_chart",
)
shares = curve.attrs["top_shares"]
st.caption(
    t(
        "concentration_note",
        top1=format_share(shares["top1"]),
        top2=format_share(shares["top2"]),
        top10=format_share(shares["top10"]),
        gini=f"{curve.attrs['gini']:.2f}",
        total=money(prepared.customers["aum"].sum()),
    )
)
