"""Models trained at preparation and stored in the artefact: pages opened from it never train one."""

import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from crm_core import loyalty as loy
from crm_core import stored_models
from crm_core.artefact import read_artefact, store_models, write_artefact
from crm_core.dataset import Dataset
from crm_core.messages import Message, render
from crm_core.prepare import prepared_dataset
from crm_core.sample import SampleConfig, sample_tables
from crm_core.scenarios import baseline_scenario

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")


@pytest.fixture(scope="module")
def bank(tmp_path_factory):
    """A 2,000-customer bank prepared in memory and written with its models (and once without)."""
    root = tmp_path_factory.mktemp("models")
    tables = sample_tables(SampleConfig(n_customers=2_000, seed=21))
    prepared = prepared_dataset(Dataset("models-bank", tables.customers, tables.activity, tables.holdings, "m" * 64))
    write_artefact(prepared, root / "with_models", source="test", models=True)
    write_artefact(prepared, root / "without_models", source="test")
    return prepared, root


def _copy(root: Path, name: str, tmp_path: Path, **models) -> Path:
    """A copy of an artefact with entries of its manifest's ``models`` section changed."""
    folder = shutil.copytree(root / name, tmp_path / name)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["models"].update(models)
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


def test_the_manifest_says_what_the_models_were_trained_for(bank):
    _, root = bank
    section = json.loads((root / "with_models" / "manifest.json").read_text())["models"]
    assert section["fingerprint"] == "m" * 64
    assert json.loads(section["churn"]["definition"]) == {"type": "ChurnDefinition", "kind": "flag",
                                                          "inactive_months": 6, "aum_drop": 0.5}  # fmt: skip
    assert section["sklearn"] == __import__("sklearn").__version__
    assert sorted(p.name for p in (root / "with_models" / "models").iterdir()) == [
        "churn.joblib",
        "propensity.joblib",
        "staff.joblib",
    ]
    assert read_artefact(root / "without_models").models is None  # older artefacts open as before
    assert not (root / "without_models" / "models").exists()


def test_stored_models_give_the_figures_of_a_fresh_model(bank, fits):
    prepared, root = bank
    opened = read_artefact(root / "with_models")
    risk = stored_models.stored_churn_risk(opened, loy.DEFAULT_CHURN)
    features, models, propensity = stored_models.stored_propensity(opened)
    assert fits == {"churn": 0, "propensity": 0}
    fresh = loy.churn_risk_model(prepared, loy.DEFAULT_CHURN)  # same seed, in memory
    assert risk.usable and fits["churn"] == 1
    np.testing.assert_array_equal(risk.probabilities, fresh.probabilities)
    assert risk.fitted.evaluation.roc_auc == fresh.fitted.evaluation.roc_auc
    # Stored arrays are memory-mapped (numpy.memmap, read-only): equal values, another array class.
    assert isinstance(risk.probabilities, np.memmap) and not risk.probabilities.flags.writeable
    pd.testing.assert_frame_equal(risk.fitted.evaluation.lift.copy(), fresh.fitted.evaluation.lift)
    pd.testing.assert_frame_equal(risk.fitted.drivers.copy(), fresh.fitted.drivers)
    # Training on the opened artefact (no stored models) reads its holdings: the same design and scores.
    trained = stored_models.propensity_of(read_artefact(root / "without_models"))
    assert fits["propensity"] == 1
    assert models.design == trained[1].design == "acquisition_out_of_time"
    np.testing.assert_array_equal(propensity, trained[2])
    pd.testing.assert_frame_equal(features.copy(), trained[0])
    pd.testing.assert_frame_equal(models.quality_.copy(), trained[1].quality_)


def test_another_definition_or_dataset_trains(bank, fits):
    _, root = bank
    opened = read_artefact(root / "with_models")
    inactive = loy.ChurnDefinition(kind="inactive")
    assert stored_models.stored_churn_risk(opened, inactive) is None
    assert stored_models.churn_risk_of(opened, inactive).definition == inactive and fits["churn"] == 1
    # A filtered dataset keeps the field but has its own fingerprint.
    other = replace(opened, dataset=replace(opened.dataset, fingerprint="x" * 64))
    assert stored_models.stored_churn_risk(other, loy.DEFAULT_CHURN) is None
    assert stored_models.stored_propensity(other) is None
    assert stored_models.refusal(other) is None and stored_models.refusal(opened) is None


@pytest.mark.parametrize(
    ("changed", "key"),
    [
        ({"sklearn": "0.24.2"}, "models_refused_version"),
        ({"fingerprint": "f" * 64}, "models_refused_fingerprint"),
        ({"code": "0" * 16}, "models_refused_code"),
        ({"format": 0}, "models_refused_code"),
    ],
)
def test_a_mismatched_model_is_refused_with_a_note(bank, tmp_path, changed, key):
    _, root = bank
    opened = read_artefact(_copy(root, "with_models", tmp_path, **changed))
    assert opened.models.refused.key == key
    assert stored_models.refusal(opened) == opened.models.refused
    assert stored_models.stored_churn_risk(opened, loy.DEFAULT_CHURN) is None
    assert stored_models.stored_propensity(opened) is None
    for lang in ("en", "zh"):
        assert "{" not in render(opened.models.refused, lang)


def test_a_refused_model_is_trained_again_with_the_same_figures(bank, tmp_path, fits):
    _, root = bank
    stored = stored_models.stored_churn_risk(read_artefact(root / "with_models"), loy.DEFAULT_CHURN)
    opened = read_artefact(_copy(root, "with_models", tmp_path, sklearn="0.24.2"))
    risk = stored_models.churn_risk_of(opened, loy.DEFAULT_CHURN)
    assert fits["churn"] == 1
    np.testing.assert_array_equal(risk.probabilities, stored.probabilities)


def test_a_damaged_model_file_is_trained_again(bank, tmp_path, fits):
    _, root = bank
    folder = shutil.copytree(root / "with_models", tmp_path / "damaged")
    (folder / "models" / "churn.joblib").write_bytes(b"not a pickle")
    opened = read_artefact(folder)
    assert stored_models.stored_churn_risk(opened, loy.DEFAULT_CHURN) is None
    assert stored_models.churn_risk_of(opened, loy.DEFAULT_CHURN).usable and fits["churn"] == 1
    (folder / "models" / "propensity.joblib").unlink()
    assert read_artefact(folder).models.refused == Message("models_refused_unreadable")


def test_store_models_adds_them_to_an_artefact_written_without(bank, tmp_path):
    _, root = bank
    folder = store_models(shutil.copytree(root / "without_models", tmp_path / "later"))
    opened = read_artefact(folder)
    assert opened.models.refused is None
    later = stored_models.stored_propensity(opened)[2]
    np.testing.assert_array_equal(later, stored_models.stored_propensity(read_artefact(root / "with_models"))[2])


def _opened_app(folder: Path) -> AppTest:
    """The app with an artefact opened as ``ui.data.open_artefact`` leaves the session."""
    from ui import data

    prepared = read_artefact(folder)
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state[data.UPLOADED_KEY] = prepared.dataset
    at.session_state[data.UPLOADED_PREPARED_KEY] = prepared
    at.session_state[data.SOURCE_KEY] = "upload"
    return at.run()


def _visit(at: AppTest, page: str) -> AppTest:
    at.session_state["data_source"] = "upload"  # as the sidebar's radio would (AppTest drops it on reruns)
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def test_loyalty_and_product_gap_render_from_stored_models_without_training(bank, fits, monkeypatch):
    _, root = bank
    loaded = []
    read = stored_models._loaded
    monkeypatch.setattr(
        stored_models, "_loaded", lambda models, entry: loaded.append(entry["file"]) or read(models, entry)
    )
    at = _opened_app(root / "with_models")
    _visit(at, "loyalty")
    assert "Churn risk model: how good is it?" in [h.value for h in at.subheader]
    _visit(at, "products")
    assert fits == {"churn": 0, "propensity": 0}
    assert loaded == ["models/churn.joblib", "models/propensity.joblib"]  # the artefact's, each read once
    assert not [c for c in at.caption if "trained again" in c.value]


def test_pages_train_with_a_note_when_the_stored_models_are_refused(bank, tmp_path, fits):
    _, root = bank
    folder = _copy(root, "with_models", tmp_path, fingerprint="e" * 64)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["fingerprint"] = "r" * 64  # a dataset of its own for the app's caches
    (folder / "manifest.json").write_text(json.dumps(manifest))
    at = _opened_app(folder)
    at.session_state["lang"] = "中文"
    _visit(at, "loyalty")
    assert fits["churn"] >= 1
    assert [c for c in at.caption if c.value == render(Message("models_refused_fingerprint"), "zh")]


def test_prepare_stores_the_models_unless_told_not_to(tmp_path, capsys):
    from crm_core.prepare_cli import prepare_main
    from crm_core.sample import write_sample

    tables = write_sample(tmp_path / "tables", SampleConfig(n_customers=500, seed=4, months=24))
    argv = ["--customers", str(tables["customers"]), "--activity", str(tables["activity"])]
    argv += ["--holdings", str(tables["holdings"])]
    assert prepare_main([*argv, "--out", str(tmp_path / "with")]) == 0, capsys.readouterr().err
    assert "models stored: churn, propensity" in capsys.readouterr().out
    assert read_artefact(tmp_path / "with").models.churn is not None
    assert prepare_main([*argv, "--no-models", "--out", str(tmp_path / "without")]) == 0
    assert read_artefact(tmp_path / "without").models is None


def test_stored_staff_scorecards_are_read_when_they_fit(bank, monkeypatch):
    from crm_core import staff
    from crm_core.staff import indicators

    prepared, root = bank
    fresh = {level: staff.staff_scorecard(prepared, level) for level in stored_models.STAFF_LEVELS}
    opened = read_artefact(root / "with_models")
    computed: list[str] = []
    original = indicators.scorecard_from_customers

    def counted(customers, as_of, level, config):
        computed.append(level)
        return original(customers, as_of, level, config)

    monkeypatch.setattr(indicators, "scorecard_from_customers", counted)
    settings = staff.StaffSettings.of(baseline_scenario())
    for level, expected in fresh.items():
        card = stored_models.scorecard_of(opened, level, staff.DEFAULT_SCORECARD)
        assert card.units == expected.units and card.indicators == expected.indicators
        np.testing.assert_array_equal(card.matrix, expected.matrix)
        np.testing.assert_array_equal(card.replicate_matrix, expected.replicate_matrix)
        pd.testing.assert_frame_equal(card.values, expected.values)
        view = staff.staff_view(opened, level, settings)  # what the page, deck and findings call
        pd.testing.assert_frame_equal(
            view.ranking, staff.staff_view(prepared, level, settings, scorecard=expected).ranking
        )
    assert computed == []

    # Another configuration, a filtered bank (another fingerprint) or other staff code: computed.
    other = replace(staff.DEFAULT_SCORECARD, replicates=20)
    stored_models.scorecard_of(opened, "branch", other)
    stored_models.scorecard_of(replace(opened, dataset=replace(opened.dataset, fingerprint="f" * 64)), "branch",
                               staff.DEFAULT_SCORECARD)  # fmt: skip
    monkeypatch.setattr(stored_models, "staff_code_digest", lambda: "0" * 16)
    stored_models.scorecard_of(opened, "branch", staff.DEFAULT_SCORECARD)
    assert computed == ["branch"] * 3
