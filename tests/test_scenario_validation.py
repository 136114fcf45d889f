"""Scenario files and links are validated at the door (issue 22, items 2, 3 and the naming part of 9).

A penetration test found 12 of 62 crafted links and 5 of 19 uploaded files raising unhandled errors
(six blanking the whole app), a lone surrogate in a name breaking every page, and a 100 MB upload
taking 9.7 GB. Each finding is a case below; the property test covers what the list misses.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import math
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from crm_core import scenarios as sc
from crm_core.configs import config_hash
from crm_core.loyalty.config import ChurnDefinition, ClvConfig, RetentionScenario, StickinessConfig
from crm_core.products.config import BenchmarkConfig, ProductEconomics, SizingConfig
from crm_core.segments.config import ClusterConfig, LifecycleConfig, RfmConfig, TierConfig, ValueConfig
from crm_core.visits.config import OffCounterBenchmark, WhatIfInputs

FORMAT = '"format": "bank-crm-scenario"'


def token_of(text: str) -> str:
    """A link token holding ``text`` exactly as ``scenario_token`` packs one."""
    return base64.urlsafe_b64encode(zlib.compress(text.encode("utf-8", "surrogatepass"), 9)).decode().rstrip("=")


def both_doors(text: str) -> list[sc.ScenarioError]:
    """The errors of opening ``text`` as a file and as a link (each must be a ``ScenarioError``)."""
    errors = []
    for door in (lambda: sc.scenario_from_json(text), lambda: sc.scenario_from_token(token_of(text))):
        with pytest.raises(sc.ScenarioError) as caught:
            door()
        errors.append(caught.value)
    return errors


# The crafted links of the report, with what the refusal must name: the setting and its range.
FOUND = {
    "v1 thresholds of text": (
        '{FORMAT, "version": 1, "tier_thresholds_wan": ["x"]}',
        r"tier_thresholds_wan\[0\] \(万 yuan\) must be a positive number below 1,000,000,000, got 'x'",
    ),
    "v1 thresholds not a list": (
        '{FORMAT, "version": 1, "tier_thresholds_wan": 5}',
        "tier_thresholds_wan must be a list",
    ),
    "v1 thresholds of 10^400": (
        '{FORMAT, "version": 1, "tier_thresholds_wan": [1' + "0" * 400 + "]}",
        r"tier_thresholds_wan\[0\] .* got a 401-digit number",
    ),
    "thresholds of 10^400": (
        '{FORMAT, "tiers": {"thresholds": [1' + "0" * 400 + ", 2e5, 3e6]}}",
        r"tiers: thresholds\[0\] \(yuan\) must be a positive number below 10,000,000,000,000",
    ),
    "adoption NaN": (
        '{FORMAT, "visits_what_if": {"adoption_increase_pp": NaN}}',
        r"visits_what_if: adoption_increase_pp \(points\) must be a number from 0 to 100, got nan",
    ),
    "adoption Infinity": ('{FORMAT, "visits_what_if": {"adoption_increase_pp": Infinity}}', "from 0 to 100, got inf"),
    "adoption 1e400": ('{FORMAT, "visits_what_if": {"adoption_increase_pp": 1e400}}', "from 0 to 100, got inf"),
    "adoption text": ('{FORMAT, "visits_what_if": {"adoption_increase_pp": "abc"}}', "from 0 to 100, got 'abc'"),
    "adoption -1e9": ('{FORMAT, "visits_what_if": {"adoption_increase_pp": -1e9}}', "from 0 to 100, got -1000000000"),
    "adoption 1e308": ('{FORMAT, "visits_what_if": {"adoption_increase_pp": 1e308}}', "from 0 to 100, got 1e"),
    "tellers 1e308": (
        '{FORMAT, "visits_what_if": {"transactions_per_teller_month": 1e308}}',
        "transactions_per_teller_month must be a positive number up to 100,000",
    ),
    "substitution 2": ('{FORMAT, "visits_what_if": {"substitution_factor": 2}}', r"substitution_factor \(share\)"),
    "lone surrogate name": ('{FORMAT, "name": "\\ud800"}', r"name must not contain .* got '\\ud800'"),
    "right-to-left name": (
        '{FORMAT, "name": "abc\\u202edef"}',
        r"name must not contain .* got '\\u202e' at position 3",
    ),
    "control in a tier label": (
        '{FORMAT, "tiers": {"labels": ["a", "b\\u0007", "c", "d"]}}',
        r"tiers: labels\[1\] must not contain",
    ),
    "staff weight evil": (
        '{FORMAT, "staff_weights": [["aum_growth", "evil"]]}',
        r"staff_weights\[0\] \(aum_growth\) weight in % must be a whole number from 0 to 100, got 'evil'",
    ),
    "staff indicator evil": (
        '{FORMAT, "staff_weights": [["evil", 100]]}',
        r"staff_weights\[0\] indicator must be one of",
    ),
    "benchmark year text": (
        '{FORMAT, "off_counter_benchmark": {"points": [["abc", 0.9]]}}',
        r"off_counter_benchmark: points\[0\] year must be a whole number from 1990 to 2100, got 'abc'",
    ),
    "benchmark year 10000": (
        '{FORMAT, "off_counter_benchmark": {"points": [[10000, 0.9]]}}',
        "from 1990 to 2100, got 10000",
    ),
    "benchmark rate 90": (
        '{FORMAT, "off_counter_benchmark": {"points": [[2021, 90]]}}',
        r"points\[0\] \(2021\) rate \(share\) must be a number from 0 to 1",
    ),
    "version true": ('{FORMAT, "version": true}', "version must be a whole number"),
    "cluster feature of identifiers": (
        '{FORMAT, "clusters": {"features": ["name", "phone"]}}',
        "features must come from",
    ),
    "silhouette of a million rows": (
        '{FORMAT, "clusters": {"silhouette_rows": 1000000}}',
        "silhouette_rows must be a whole number from 100 to 20,000",
    ),
    "product code with markup": ('{FORMAT, "offered_products": ["<b>x</b>"]}', r"offered_products\[0\] must be a code"),
    "economics entry not an object": (
        '{FORMAT, "sizing": {"economics": [5]}}',
        r"sizing: economics\[0\] must be an object",
    ),
    "economics missing a field": ('{FORMAT, "sizing": {"economics": [{"product": "x"}]}}', "needs a product and"),
    "risk band unknown": ('{FORMAT, "retention": {"bands": ["all"]}}', r"retention: bands\[0\] must be one of high"),
    "churn months 1.5": (
        '{FORMAT, "churn": {"inactive_months": 1.5}}',
        "inactive_months must be a whole number from 1 to 11",
    ),
}


@pytest.mark.parametrize("case", sorted(FOUND))
def test_crafted_links_and_files_are_refused_naming_the_setting_and_its_range(case):
    text, message = FOUND[case]
    for error in both_doors(text.replace("FORMAT", FORMAT)):
        assert error.args[0]
        assert __import__("re").search(message, str(error)), str(error)


JUNK_FILES = {
    "empty": b"",
    "whitespace": b"   \n",
    "utf-16 without BOM garbage": "{}".encode("utf-16-le")[:-1],
    "latin-1 text": '{"format": "bank-crm-scenario", "name": "caf\xe9"}'.encode("latin-1"),
    "top-level string": b'"bank-crm-scenario"',
    "format only wrong type": b'{"format": ["bank-crm-scenario"]}',
    "config null": f'{{{FORMAT}, "tiers": null}}'.encode(),
    "config list": f'{{{FORMAT}, "tiers": [1, 2]}}'.encode(),
    "config wrong type tag": f'{{{FORMAT}, "tiers": {{"type": ["TierConfig"]}}}}'.encode(),
    "unknown setting inside a config": f'{{{FORMAT}, "tiers": {{"colour": "red"}}}}'.encode(),
    "labels a string": f'{{{FORMAT}, "tiers": {{"labels": "abcd"}}}}'.encode(),
    "nested lists for numbers": f'{{{FORMAT}, "tiers": {{"thresholds": [[1], [2], [3]]}}}}'.encode(),
    "offered products an object": f'{{{FORMAT}, "offered_products": {{"a": 1}}}}'.encode(),
    "staff weights triples": f'{{{FORMAT}, "staff_weights": [["retention", 50, 1], ["aum_growth", 50, 2]]}}'.encode(),
    "version text": f'{{{FORMAT}, "version": "2"}}'.encode(),
    "version 1.5": f'{{{FORMAT}, "version": 1.5}}'.encode(),
    "version 10^400": f'{{{FORMAT}, "version": 1{"0" * 400}}}'.encode(),
    "v1 with both tier forms": f'{{{FORMAT}, "version": 1, "tier_thresholds_wan": [5], "tiers": {{}}}}'.encode(),
    "created not a time": f'{{{FORMAT}, "created": "yesterday"}}'.encode(),
    "fingerprint with markup": f'{{{FORMAT}, "fingerprint": "<img src=x>"}}'.encode(),
    "note of 3,000 characters": f'{{{FORMAT}, "note": "{"x" * 3000}"}}'.encode(),
    "digits beyond Python's limit": f'{{{FORMAT}, "version": {"9" * 5000}}}'.encode(),
}


@pytest.mark.parametrize("name", sorted(JUNK_FILES))
def test_junk_scenario_files_are_refused_with_scenario_error_only(name):
    with pytest.raises(sc.ScenarioError) as caught:
        sc.scenario_from_json(JUNK_FILES[name])
    assert len(str(caught.value)) <= 1_000


def test_scenario_files_are_capped_before_parsing(monkeypatch):
    valid = sc.scenario_json(sc.proposed_scenario())
    padded = valid + " " * (sc.MAX_SCENARIO_FILE_BYTES - len(valid.encode()))
    assert sc.scenario_from_json(padded.encode()) == sc.proposed_scenario()
    assert sc.scenario_from_json(padded) == sc.proposed_scenario()

    def never(*args, **kwargs):
        raise AssertionError("an oversized file was parsed")

    monkeypatch.setattr(sc.json, "loads", never)
    for oversized in ((padded + " ").encode(), padded + " ", b" " * 20_000_000):
        with pytest.raises(sc.ScenarioError, match=r"too large \(over 256 KB\)"):
            sc.scenario_from_json(oversized)


def test_links_inflate_no_further_than_files():
    assert sc.MAX_SCENARIO_BYTES == sc.MAX_SCENARIO_FILE_BYTES == 256 * 1024
    with pytest.raises(sc.ScenarioError, match="too large"):
        sc.scenario_from_token(token_of("{" + " " * (sc.MAX_SCENARIO_BYTES + 10) + "}"))
    with pytest.raises(sc.ScenarioError, match="is text"):
        sc.scenario_from_token(None)


JUNK_VALUES = ("abc", None, True, math.nan, math.inf, -1e9, 1e308, 10**400, [], {}, [["x"]], "\ud800")
"""Values that no setting takes whole (a boolean setting takes ``True``)."""

OWN_CONFIGS = {
    TierConfig,
    ValueConfig,
    RfmConfig,
    LifecycleConfig,
    ClusterConfig,
    StickinessConfig,
    ChurnDefinition,
    ClvConfig,
    RetentionScenario,
    WhatIfInputs,
    OffCounterBenchmark,
    BenchmarkConfig,
    SizingConfig,
}
"""Configs whose refusals must name the field (others only have to refuse with a ScenarioError)."""


def every_setting() -> list[tuple[str, ...]]:
    """Paths of every setting of a scenario: top-level fields and each field of each config."""
    paths: list[tuple[str, ...]] = []
    for field in dataclasses.fields(sc.Scenario):
        paths.append((field.name,))
        if field.name in sc.CONFIG_FIELDS:
            paths += [(field.name, f.name) for f in dataclasses.fields(sc.CONFIG_FIELDS[field.name])]
    return paths


@pytest.mark.parametrize("path", every_setting(), ids=".".join)
def test_every_setting_refuses_values_of_the_wrong_kind_naming_it(path):
    base = sc.scenario_to_dict(sc.proposed_scenario())
    for junk in JUNK_VALUES:
        data = json.loads(json.dumps(base))
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = junk
        try:
            scenario = sc.scenario_from_dict(data)
        except sc.ScenarioError as error:
            owner = sc.CONFIG_FIELDS.get(path[0])
            if len(path) == 1 or owner in OWN_CONFIGS:
                assert path[-1] in str(error), (path, junk, str(error))
            continue
        # Only a value of the setting's own kind passes: True for a flag, [] for a list, text for
        # text, {} (every default) for a config.
        value = _value(scenario, path)
        assert (
            (junk is True and isinstance(value, bool))
            or (junk == [] and isinstance(value, tuple))
            or (junk == "abc" and isinstance(value, str))
            or (junk == {} and len(path) == 1 and path[0] in sc.CONFIG_FIELDS)
        ), (path, junk)


def _value(scenario: sc.Scenario, path: tuple[str, ...]):
    value = scenario
    for key in path:
        value = getattr(value, key)
    return value


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(10**300, 10**320)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
    | st.sampled_from(["\ud800", "\u202e", "tiers", "TierConfig", "aum", "high", "current", "1e400"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_mutation_of_a_scenario_gives_a_valid_scenario_or_scenario_error(data):
    start = sc.scenario_to_dict(data.draw(st.sampled_from([sc.baseline_scenario(), sc.proposed_scenario()])))
    mutated = json.loads(json.dumps(start))
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from([p for p in _paths(mutated) if p]))
        parent = mutated
        for key in path[:-1]:
            parent = parent[key]
        if data.draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = data.draw(json_values)
    for door in (
        lambda: sc.scenario_from_dict(mutated),
        lambda: sc.scenario_from_json(json.dumps(mutated)),
        lambda: sc.scenario_from_token(token_of(json.dumps(mutated))),
    ):
        try:
            scenario = door()
        except sc.ScenarioError:
            continue
        # What is accepted is a scenario like any other: hashable, and it saves and loads unchanged.
        assert hash(scenario) == hash(sc.scenario_from_json(sc.scenario_json(scenario)))
        assert sc.scenario_from_token(sc.scenario_token(scenario)) == scenario


def test_scenarios_built_in_code_follow_the_same_rules():
    with pytest.raises(ValueError, match="adoption_increase_pp"):
        dataclasses.replace(sc.proposed_scenario().visits_what_if, adoption_increase_pp=math.nan)
    with pytest.raises(sc.ScenarioError, match="must not contain"):
        sc.baseline_scenario().renamed("\ud800")
    with pytest.raises(sc.ScenarioError, match="tiers must be a TierConfig"):
        sc.Scenario(tiers={"thresholds": [1]})
    with pytest.raises(sc.ScenarioError, match="version must be a whole number from 2 to 2"):
        sc.Scenario(version=1)
    with pytest.raises(ValueError, match=r"thresholds\[0\]"):
        TierConfig(thresholds=("50000", "500000", "6000000"))
    with pytest.raises(ValueError, match="must be a list"):
        TierConfig(thresholds="123")


def test_numpy_values_are_accepted_and_stored_as_plain_python():
    tiers = TierConfig(thresholds=tuple(np.array([5e4, 5e5, 6e6])), labels=("a", "b", "c", "d"))
    clusters = ClusterConfig(k=np.int64(5), fit_rows=np.int32(1_000))
    economics = ProductEconomics(np.str_("funds"), np.float32(0.25), annual_fee=np.int64(100))
    assert [type(t) for t in tiers.thresholds] == [float, float, float]
    assert (type(clusters.k), type(clusters.fit_rows), type(economics.annual_fee)) == (int, int, float)
    assert config_hash(tiers) == config_hash(TierConfig(labels=("a", "b", "c", "d")))
    assert sc.scenario_from_json(sc.scenario_json(sc.Scenario(tiers=tiers, clusters=clusters))).clusters.k == 5


def test_valid_edges_are_accepted():
    scenario = sc.Scenario(
        tiers=TierConfig(thresholds=(1.0, 9.99e12), labels=("x" * 40, "中", "高")),
        visits_what_if=WhatIfInputs(adoption_increase_pp=100, substitution_factor=0, transactions_per_teller_month=1e5),
        off_counter_benchmark=OffCounterBenchmark(points=((1990, 0.0), (2100, 1.0)), source=""),
        sizing=SizingConfig((ProductEconomics("黄金_积存", 1.0, "balance", 9e12, 1.0),)),
        offered_products=("黄金_积存",),
        note="first line\nsecond\tline",
    )
    assert sc.scenario_from_token(sc.scenario_token(scenario)) == scenario


def test_version_1_labels_are_migrated_and_checked():
    old = {"format": "bank-crm-scenario", "version": 1, "tier_thresholds_wan": [5, 50], "tier_labels": ["a", "b", "c"]}
    assert sc.scenario_from_dict(old).tiers == TierConfig(thresholds=(5e4, 5e5), labels=("a", "b", "c"))
    with pytest.raises(sc.ScenarioError, match="labels must number thresholds"):
        sc.scenario_from_dict({**old, "tier_labels": ["a", "b"]})
    with pytest.raises(sc.ScenarioError, match=r"tier_labels must be a list"):
        sc.scenario_from_dict({**old, "tier_labels": "abc"})


def test_short_links_are_validated_as_files_are():
    links = pytest.importorskip("crm_core.scenario_links")
    for params, message in (
        ({"s": "proposed", "visits_what_if.adoption_increase_pp": "nan"}, "adoption_increase_pp|finite"),
        ({"s": "proposed", "visits_what_if.adoption_increase_pp": "-1e9"}, "adoption_increase_pp"),
        ({"s": "baseline", "tiers": "1" + "0" * 400}, "thresholds|finite"),
        ({"s": "baseline", "name": "\ud800"}, "name must not contain"),
        ({"s": "baseline", "off_counter_benchmark.points": '[["abc", 0.9]]'}, "year"),
    ):
        with pytest.raises(sc.ScenarioError, match=message):
            links.scenario_from_query(params)


@pytest.mark.parametrize(
    ("name", "taken", "origin", "expected"),
    [
        ("Baseline (current practice)", (), "shared link", "Baseline (current practice) (shared link)"),
        ("baseline  (CURRENT practice)", (), "shared link", "baseline  (CURRENT practice) (shared link)"),
        ("Baseline （current practice）", (), "", "Baseline （current practice） (2)"),  # full-width brackets
        ("Proposed strategy", ("Proposed strategy (file)",), "file", "Proposed strategy (file) (2)"),
        ("Q3 plan", ("Q3 plan",), "", "Q3 plan (2)"),
        ("Q3 plan", ("q3 plan", "Q3 plan (2)"), "", "Q3 plan (3)"),
        ("Q3 plan", ("Other",), "shared link", "Q3 plan"),
        ("  ", (), "", "Scenario"),
    ],
)
def test_linked_or_uploaded_names_never_take_a_preset_or_saved_name(name, taken, origin, expected):
    assert sc.unique_name(name, taken, origin) == expected
    assert not sc.is_preset_name(expected)


def test_unique_names_fit_the_name_limit_and_presets_are_known():
    long = "x" * sc.MAX_NAME_LENGTH
    named = sc.unique_name(long, [long], "shared link")
    assert len(named) == sc.MAX_NAME_LENGTH and named.endswith(" (shared link)")
    assert sc.Scenario(name=named).name == named
    assert {sc.baseline_scenario().name, sc.proposed_scenario().name} == sc.PRESET_NAMES
    assert sc.is_preset_name("PROPOSED STRATEGY") and not sc.is_preset_name("Proposed strategy 2")


APP = str(Path(__file__).resolve().parents[1] / "app.py")

APP_BLANKING = (
    "v1 thresholds of text",
    "v1 thresholds not a list",
    "thresholds of 10^400",
    "adoption NaN",
    "adoption Infinity",
    "adoption text",
    "lone surrogate name",
    "staff weight evil",
    "benchmark year text",
)
"""Links that blanked the app or broke pages: the app must open and say what was wrong."""


def shown_errors(at: AppTest) -> str:
    """Every error message on screen, Markdown escapes removed."""
    return " ".join(e.value for e in at.error).replace("\\", "")


@pytest.mark.parametrize("case", APP_BLANKING)
def test_a_hostile_link_opens_the_app_and_names_the_setting(case):
    text, _ = FOUND[case]
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["scenario"] = token_of(text.replace("FORMAT", FORMAT))
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    setting = {"lone surrogate name": "name must not contain", "staff weight evil": "staff_weights[0]"}.get(
        case, text.split('": ')[-2].rsplit('"', 1)[-1]
    )
    assert setting in shown_errors(at), shown_errors(at)
    assert at.session_state["scenario_active"] == sc.baseline_scenario()


@pytest.mark.slow
def test_junk_and_oversized_uploads_are_refused_on_the_scenarios_page():
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.switch_page("pages/scenarios.py").run()
    oversized = b'{"format": "bank-crm-scenario", "note": "' + b"x" * sc.MAX_SCENARIO_FILE_BYTES + b'"}'
    for name, content in (*JUNK_FILES.items(), ("oversized", oversized)):
        at.file_uploader(key="scenarios_upload").set_value((f"{name}.json", content, "application/json")).run()
        assert not at.exception, (name, [e.message for e in at.exception])
        assert at.error, name
    assert "256 KB" in shown_errors(at)
    assert set(at.session_state["scenarios_saved"]) == sc.PRESET_NAMES


EXTREMES = {
    "pages/visits.py": dict(
        visits_what_if=WhatIfInputs(adoption_increase_pp=100, substitution_factor=1, transactions_per_teller_month=1e5)
    ),
    "pages/segments.py": dict(
        tiers=TierConfig(thresholds=(1.0, 9.99e12), labels=("low", "mid", "top")), clusters=ClusterConfig(k=12)
    ),
    "pages/loyalty.py": dict(
        clv=ClvConfig(discount_rate=0.99),
        churn=ChurnDefinition(kind="aum_drop", aum_drop=0.99),
        retention=RetentionScenario(retained_share=1.0),
    ),
}
"""Settings at the edges of what validation accepts, on the page that shows them."""


@pytest.mark.parametrize(
    "page",
    [
        "pages/segments.py",
        "pages/visits.py",
        "pages/loyalty.py",
    ],
)
def test_every_scenario_that_validation_accepts_opens_its_page(page):
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["scenario"] = sc.scenario_token(sc.Scenario(**EXTREMES[page]))
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
