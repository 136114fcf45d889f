"""Settings: the active scenario is the one store of every setting; each control is a view of it.

A control's widget value is set from the active scenario on every run (so a page left and
opened again, a language switch, a loaded scenario or a link all show the same value), and its
change callback writes a new scenario with ``dataclasses.replace``. Nothing reads a widget key
back into a scenario. Widget keys and display units are derived here, once, from the path of
the setting in the scenario (``("clv", "discount_rate")`` shown in percent). Option widgets
store keys and show translated labels through ``format_func``; their widget key carries the
language so the browser redraws the labels after a switch without touching the stored value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, is_dataclass, replace
from typing import Any

import streamlit as st

from crm_core import scenarios as sc
from crm_core.segments import rebalanced_percentages, weight_percentages
from ui.i18n import current_lang, t

ACTIVE_KEY = "scenario_active"
ORIGIN_KEY = "scenario_origin"
REFUSED_KEY = "_setting_refused"

Path = tuple[str | int, ...]


# --- the store --------------------------------------------------------------------------------


def active() -> sc.Scenario:
    """The active scenario of this session (the baseline at first)."""
    scenario = st.session_state.get(ACTIVE_KEY)
    if scenario is None:
        scenario = sc.baseline_scenario()
        st.session_state[ACTIVE_KEY] = scenario
        st.session_state[ORIGIN_KEY] = scenario
    return scenario


def origin() -> sc.Scenario:
    """The saved or preset scenario the active one started from."""
    active()
    return st.session_state[ORIGIN_KEY]


def activate(scenario: sc.Scenario) -> None:
    """Make a saved, preset, uploaded or linked scenario the active one (and what "modified" compares with)."""
    st.session_state[ACTIVE_KEY] = scenario
    st.session_state[ORIGIN_KEY] = scenario


def update(scenario: sc.Scenario) -> None:
    """Replace the active scenario after a change of settings (its origin stays)."""
    active()
    st.session_state[ACTIVE_KEY] = scenario


def settings_of(scenario: sc.Scenario) -> sc.Scenario:
    """The scenario without what does not count as a setting (name, note, stamp)."""
    return replace(scenario, name="-", note="", created="", fingerprint="")


def is_modified() -> bool:
    """Whether the active settings differ from the saved or preset scenario they started from."""
    return settings_of(active()) != settings_of(origin())


MARKER_KEY = "_modified_marker_shown"


def modified_marker() -> bool:
    """Whether the settings differ from their origin, remembered as the sidebar shows it."""
    st.session_state[MARKER_KEY] = is_modified()
    return st.session_state[MARKER_KEY]


def keep_frame_current() -> None:
    """In a fragment: rerun the whole app when a change there flips the sidebar's "(modified)" marker.

    A fragment's controls rerun only the fragment (fast slider moves); the frame around it is
    redrawn only when what it says has changed.
    """
    from crm_core.formatting import use_currency
    from ui.data import currency

    use_currency(currency())  # a fragment reruns in its own thread, outside the page run's currency
    if st.session_state.get(MARKER_KEY) is not None and st.session_state[MARKER_KEY] != is_modified():
        st.session_state[MARKER_KEY] = is_modified()  # one rerun at most, even where no sidebar redraws it
        st.rerun(scope="app")


def refused_message() -> str | None:
    """The message of the last refused change (shown once)."""
    return st.session_state.pop(REFUSED_KEY, None)


# --- paths into a scenario ---------------------------------------------------------------------


def _is_pairs(value: Any) -> bool:
    return isinstance(value, tuple) and all(isinstance(v, tuple) and len(v) == 2 for v in value)


def read(obj: Any, path: Path) -> Any:
    """The value at ``path`` in a scenario: attribute names, tuple positions, or names in (name, value) pairs.

    Examples
    --------
    >>> read(sc.baseline_scenario(), ("tiers", "thresholds", 0))
    50000.0
    """
    for step in path:
        if isinstance(step, int):
            obj = obj[step]
        elif _is_pairs(obj) and not is_dataclass(obj):
            obj = dict(obj).get(step, 0)
        else:
            obj = getattr(obj, step)
    return obj


def write(obj: Any, path: Path, value: Any) -> Any:
    """A copy of ``obj`` with ``value`` at ``path`` (configs validate themselves on construction).

    Examples
    --------
    >>> write(sc.baseline_scenario(), ("clv", "discount_rate"), 0.1).clv.discount_rate
    0.1
    """
    if not path:
        return value
    step, rest = path[0], path[1:]
    if isinstance(step, int):
        items = list(obj)
        items[step] = write(items[step], rest, value)
        return tuple(items)
    if _is_pairs(obj) and not is_dataclass(obj):
        pairs = dict(obj)
        pairs[step] = write(pairs.get(step), rest, value)
        return tuple(pairs.items())
    return replace(obj, **{step: write(getattr(obj, step), rest, value)})


# --- settings shown in a unit ------------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    """One setting as a widget shows it.

    Parameters
    ----------
    path : tuple
        Where the value lives in the scenario.
    scale : float
        Shown value = stored value × scale (100 for a share shown in percent, 1e-4 for yuan in 万).
    shown : type
        ``int``, ``float``, ``str``, ``bool`` or ``list`` (a tuple shown in a multiselect).
    translated : bool
        Option labels follow the language (the widget key then carries the language).
    """

    path: Path
    scale: float = 1.0
    shown: type = float
    translated: bool = False

    def key(self, lang: str | None = None) -> str:
        """The widget key: the path, plus the language for translated option widgets."""
        base = ".".join(str(step) for step in self.path)
        return f"{base}@{lang or current_lang()}" if self.translated else base

    def shown_value(self, scenario: sc.Scenario) -> Any:
        """The stored value in the widget's unit and type."""
        value = read(scenario, self.path)
        if self.shown is list:
            return list(value)
        if self.shown is int:
            return round(float(value) * self.scale)
        if self.shown is float:
            return round(float(value) * self.scale, 9)
        return value

    def stored_value(self, scenario: sc.Scenario, shown: Any) -> Any:
        """A widget value in the scenario's unit and type."""
        current = read(scenario, self.path)
        if self.shown is list:
            return tuple(shown or ())
        if self.shown in (int, float):
            value = float(shown) / self.scale
            return round(value) if isinstance(current, int) and not isinstance(current, bool) else round(value, 9)
        return shown

    def written(self, scenario: sc.Scenario, shown: Any) -> sc.Scenario:
        """The scenario with this setting set from a widget value."""
        return write(scenario, self.path, self.stored_value(scenario, shown))


SETTINGS: dict[str, Setting] = {
    "segment_scheme": Setting(("views", "segment_scheme"), shown=str, translated=True),
    "tier_basis": Setting(("tiers", "basis"), shown=str, translated=True),
    "value_normalisation": Setting(("value", "normalisation"), shown=str, translated=True),
    "value_method": Setting(("value", "method"), shown=str, translated=True),
    "rfm_monetary": Setting(("rfm", "monetary"), shown=str, translated=True),
    "cluster_features": Setting(("clusters", "features"), shown=list, translated=True),
    "cluster_k": Setting(("clusters", "k"), shown=int),
    "churn_kind": Setting(("churn", "kind"), shown=str, translated=True),
    "churn_inactive_months": Setting(("churn", "inactive_months"), shown=int),
    "churn_aum_drop": Setting(("churn", "aum_drop"), scale=100, shown=int),
    "clv_discount_rate": Setting(("clv", "discount_rate"), scale=100, shown=float),
    "retained_share": Setting(("retention", "retained_share"), scale=100, shown=int),
    "retention_segments": Setting(("retention", "segments"), shown=list, translated=True),
    "retention_bands": Setting(("retention", "bands"), shown=list, translated=True),
    "visits_segments": Setting(("visits_what_if", "segments"), shown=list, translated=True),
    "visits_adoption_pp": Setting(("visits_what_if", "adoption_increase_pp"), shown=int),
    "visits_substitution": Setting(("visits_what_if", "substitution_factor"), shown=float),
    "visits_per_teller": Setting(("visits_what_if", "transactions_per_teller_month"), shown=int),
    "visits_group_by": Setting(("views", "visits_group_by"), shown=str, translated=True),
    "products_group_by": Setting(("views", "products_group_by"), shown=str, translated=True),
    "loyalty_group_by": Setting(("views", "loyalty_group_by"), shown=str, translated=True),
    "product_benchmark": Setting(("product_benchmark", "kind"), shown=str, translated=True),
    "offered_products": Setting(("offered_products",), shown=list, translated=True),
    "cross_sell_target": Setting(("product_targets", "cross_sell_target"), shown=float),
    "closure_share": Setting(("product_targets", "closure_share"), scale=100, shown=int),
    "cannibalisation_share": Setting(("sizing", "cannibalisation_share"), scale=100, shown=int),
    "min_group_customers": Setting(("suppression", "min_customers"), shown=int),
    "currency": Setting(("views", "currency"), shown=str, translated=True),
    "trend_frequency": Setting(("views", "trend_frequency"), shown=str, translated=True),
    "staff_level": Setting(("views", "staff_level"), shown=str, translated=True),
    "staff_baseline": Setting(("staff_baseline",), shown=str, translated=True),
}
"""Every single-value setting a page shows, by name. Tiers and weights have their own controls below."""


def _refuse(error: Exception) -> None:
    st.session_state[REFUSED_KEY] = t("setting_refused", error=str(error))


def commit(change: Callable[[sc.Scenario], sc.Scenario]) -> None:
    """Apply a change to the active scenario; a change its configs refuse leaves it as it was, with a message."""
    try:
        update(change(active()))
    except (ValueError, TypeError, KeyError, IndexError) as error:
        _refuse(error)


def _commit_setting(setting: Setting, key: str) -> None:
    commit(lambda scenario: setting.written(scenario, st.session_state[key]))


def control(widget: Callable, name: str | Setting, label: str, *args: Any, **kwargs: Any) -> Any:
    """Draw ``widget`` (e.g. ``st.slider`` or ``column.selectbox``) as a view of a setting.

    ``name`` is a key of ``SETTINGS`` (or a ``Setting``); an option widget's options come first in
    ``args``. Returns the value shown, in the widget's unit: the scenario's value, or for an option
    the scenario does not hold among this dataset's options, the first option (the scenario is
    left as it is until the manager chooses).
    """
    setting = SETTINGS[name] if isinstance(name, str) else name
    key = setting.key()
    value = setting.shown_value(active())
    if args and isinstance(args[0], Sequence | range):
        options = list(args[0])
        if setting.shown is list:
            value = [v for v in value if v in options]
        elif value not in options and options:
            value = options[0]
    elif len(args) >= 2 and all(isinstance(a, int | float) for a in args[:2]):
        # A scenario may hold any value its config accepts: the widget's usual range stretches to show it.
        low, high = args[0], args[1]
        args = (min(low, type(low)(value)), max(high, type(high)(value)), *args[2:])
    st.session_state[key] = value
    if getattr(widget, "__name__", "") == "multiselect":  # Streamlit's own placeholder is English
        kwargs.setdefault("placeholder", t("choose_options"))
    widget(label, *args, key=key, on_change=_commit_setting, args=(setting, key), **kwargs)
    return value


def widget_values(scenario: sc.Scenario, lang: str = "en") -> dict[str, Any]:
    """Every single-value setting's widget key and shown value for a scenario."""
    return {setting.key(lang): setting.shown_value(scenario) for setting in SETTINGS.values()}


def scenario_from_widgets(base: sc.Scenario, values: dict[str, Any], lang: str = "en") -> sc.Scenario:
    """The scenario that widgets showing ``values`` stand for (the inverse of ``widget_values``)."""
    scenario = base
    for setting in SETTINGS.values():
        key = setting.key(lang)
        if key in values:
            scenario = setting.written(scenario, values[key])
    return scenario


# --- weights that always total 100% ------------------------------------------------------------


def shown_weights(scenario: sc.Scenario, path: Path, names: Sequence[str]) -> dict[str, int]:
    """Whole percentages over ``names`` (the indicators a dataset has) of the weights at ``path``."""
    weights = dict(read(scenario, path))
    return weight_percentages({name: float(weights.get(name, 0)) for name in names})


def weights_written(scenario: sc.Scenario, path: Path, percentages: dict[str, int]) -> sc.Scenario:
    """The scenario with the weights at ``path`` set to whole percentages (int or float as the config keeps)."""
    current = read(scenario, path)
    as_int = bool(current) and all(isinstance(w, int) for _, w in current)
    return write(scenario, path, tuple((n, int(p) if as_int else float(p)) for n, p in percentages.items()))


def _commit_weight(path: Path, names: tuple[str, ...], changed: str, key: str) -> None:
    def change(scenario: sc.Scenario) -> sc.Scenario:
        previous = shown_weights(scenario, path, names)
        return weights_written(scenario, path, rebalanced_percentages(previous, changed, st.session_state[key]))

    commit(change)


def weight_controls(path: Path, names: tuple[str, ...], label_of: Callable[[str], str], per_row: int = 6) -> dict:
    """One 0–100% slider per weight at ``path``, always summing to 100 (moving one rescales the others).

    Returns the percentages shown, read from the scenario.
    """
    weights = shown_weights(active(), path, names)
    prefix = ".".join(str(step) for step in path)
    for start in range(0, len(names), per_row):
        row = names[start : start + per_row]
        for column, name in zip(st.columns(per_row if len(names) > per_row else len(row)), row, strict=False):
            key = f"{prefix}.{name}"
            st.session_state[key] = weights[name]
            column.slider(
                label_of(name), 0, 100, step=1, key=key, on_change=_commit_weight,
                args=(path, names, name, key), format="%d%%",
            )  # fmt: skip
    st.caption(t("weights_sum", total=sum(weights.values())))
    return weights
