"""Models trained once at preparation and stored in the artefact, so opening a page never trains one.

``python -m crm_core prepare`` (``write_artefact(..., models=True)``, or ``store_models`` on a Spark
artefact) trains the churn model for ``DEFAULT_CHURN`` / ``DEFAULT_MODEL`` and the propensity models
for the products' ``DEFAULT_MODEL``, and writes, next to the Parquet files,

``models/churn.joblib``
    The whole ``ChurnRisk`` (fitted ``ChurnClassifier``, held-out ``Evaluation``, drivers, labels,
    probabilities of today's customers, the drivers' scoring features).
``models/propensity.joblib``
    ``(features, PropensityModels, propensities)``: exactly what the Product gap page's cache holds
    (``quality_`` is the models' held-out evaluation, ``leaks_`` the leak screen's findings).
``models/staff.joblib``
    The branch and relationship-manager ``Scorecard`` for ``DEFAULT_SCORECARD`` (their bootstrap
    replicates are the costly part: about 4 s at 1M customers), with a digest of their own code
    (``STAFF_MODULES``); ``scorecard_of`` returns them, or computes the scorecard for another
    configuration, another code or a filtered bank.

with ``joblib.dump`` (scikit-learn's documented persistence). The manifest's ``models`` section says
what they were trained for: the dataset fingerprint, the churn definition and model configs as
canonical JSON, the scikit-learn version, ``MODELS_FORMAT`` and a digest of the modules that train
them (``MODEL_MODULES``). Scores are stored with the models so a first visit computes nothing.

Where they are consulted. ``read_artefact`` puts a ``StoredModels`` (manifest entries only; the files
are read when first asked for) in ``PreparedDataset.models``; ``churn_risk_of`` and
``propensity_of`` return the stored result when the dataset and what is asked for match, else train
as before. The ``ui`` caches call these two, not the trainers: the core functions
(``churn_risk_model``, ``propensity_models``) stay pure trainers that the tests, the report and the
comparison call directly, and the decision "stored or trained" is in one place, under the same
``(fingerprint, definition)`` cache keys, so a stored model and a trained one can never both be cached.
A filtered dataset keeps the field (``dataclasses.replace``) but has its own fingerprint: it trains.

Trust. Pickles run code when loaded: they are only read from artefact folders, which are written by
the operator's ``prepare`` under ``CRM_ARTEFACT_ROOT`` on the server (never uploaded). Even so a
stored model is refused, and the model trained again with a note (``StoredModels.refused``), when its
fingerprint differs from the artefact's, when it was written by another scikit-learn version (whose
pickles scikit-learn does not promise to read), by another ``MODELS_FORMAT``, or by other code in
``MODEL_MODULES`` (its figures could then differ from a fresh model's), or when the file cannot be read.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import joblib
import sklearn

from crm_core.configs import config_json
from crm_core.messages import Message
from crm_core.prepare import PreparedDataset

MODELS_FORMAT = 1
"""Layout of the stored objects; bump it when ``ChurnRisk`` or the propensity tuple changes shape."""

MODELS_DIR = "models"
CHURN_FILE = f"{MODELS_DIR}/churn.joblib"
PROPENSITY_FILE = f"{MODELS_DIR}/propensity.joblib"
STAFF_FILE = f"{MODELS_DIR}/staff.joblib"
STAFF_LEVELS: tuple[str, ...] = ("branch", "relationship_manager")

MODEL_MODULES: tuple[str, ...] = (
    "loyalty/churn.py",
    "loyalty/config.py",
    "loyalty/estimator.py",
    "loyalty/evaluation.py",
    "loyalty/model.py",
    "products/config.py",
    "products/propensity.py",
)
"""Modules (under ``crm_core/``) whose code decides what a model learns and scores: a change refuses stored models."""

STAFF_MODULES: tuple[str, ...] = ("staff/config.py", "staff/indicators.py", "staff/uncertainty.py")
"""Modules (under ``crm_core/``) that compute a scorecard: a change refuses the stored scorecards."""

REFUSAL_KEYS: tuple[str, ...] = (
    "models_refused_fingerprint",
    "models_refused_version",
    "models_refused_code",
    "models_refused_unreadable",
)
"""Catalog keys of ``StoredModels.refused``."""

log = logging.getLogger(__name__)


def code_digest(modules: tuple[str, ...] = MODEL_MODULES) -> str:
    """Return the sha256 (first 16 hex digits) of the source of ``modules`` (``MODEL_MODULES`` by default).

    Examples
    --------
    >>> len(code_digest()), code_digest(STAFF_MODULES) != code_digest()
    (16, True)
    """
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parent
    for module in modules:
        digest.update((root / module).read_bytes())
    return digest.hexdigest()[:16]


def staff_code_digest() -> str:
    """Return ``code_digest(STAFF_MODULES)``: what the stored scorecards were computed by."""
    return code_digest(STAFF_MODULES)


def _defaults():
    from crm_core import loyalty as loy
    from crm_core.products import config as product_config

    return loy.DEFAULT_CHURN, loy.DEFAULT_MODEL, product_config.DEFAULT_MODEL


@dataclass(frozen=True, eq=False)
class StoredModels:
    """The models stored in an artefact folder, as its manifest lists them (files read on demand).

    Attributes
    ----------
    folder : Path
        The artefact folder.
    fingerprint : str
        The fingerprint of the dataset they were trained on.
    churn : dict or None
        Manifest entry of the churn model: ``file``, ``definition`` and ``config`` (canonical JSON).
    propensity : dict or None
        Manifest entry of the propensity models: ``file`` and ``config``.
    staff : dict or None
        Manifest entry of the staff scorecards: ``file``, ``config`` and ``code``.
    refused : Message or None
        Why the stored models are not used (then ``churn`` and ``propensity`` are None).
    """

    folder: Path
    fingerprint: str
    churn: dict | None = None
    propensity: dict | None = None
    refused: Message | None = None
    staff: dict | None = None


def write_models(prepared: PreparedDataset, folder: str | Path) -> dict:
    """Train the default churn and propensity models on ``prepared``, write them, return the manifest section.

    Parameters
    ----------
    prepared : PreparedDataset
        The dataset the artefact holds (its holdings on disk are read for the propensity design,
        as ``propensity_of`` does when it trains).
    folder : str or Path
        The artefact folder; ``models/`` in it is replaced.

    Returns
    -------
    dict
        The manifest's ``models`` section.
    """
    from crm_core.loyalty import model as loyalty_model

    churn, churn_model, product_model = _defaults()
    out = Path(folder) / MODELS_DIR
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    risk = loyalty_model.churn_risk_model(prepared, churn, churn_model)
    joblib.dump(risk, Path(folder) / CHURN_FILE)
    del risk
    section = {
        "format": MODELS_FORMAT,
        "fingerprint": prepared.fingerprint,
        "sklearn": sklearn.__version__,
        "code": code_digest(),
        "churn": {"file": CHURN_FILE, "definition": config_json(churn), "config": config_json(churn_model)},
    }
    if prepared.products:  # no product, no Product gap page and nothing to learn
        joblib.dump(_trained_propensity(prepared, product_model), Path(folder) / PROPENSITY_FILE)
        section["propensity"] = {"file": PROPENSITY_FILE, "config": config_json(product_model)}
    from crm_core.staff import DEFAULT_SCORECARD, staff_scorecard

    cards = {level: staff_scorecard(prepared, level, DEFAULT_SCORECARD) for level in STAFF_LEVELS}
    joblib.dump(cards, Path(folder) / STAFF_FILE)
    section["staff"] = {"file": STAFF_FILE, "config": config_json(DEFAULT_SCORECARD), "code": staff_code_digest()}
    return section


def models_of(folder: str | Path, manifest: dict) -> StoredModels | None:
    """Return the stored models a manifest lists (None when it lists none: an artefact without models).

    A section written for another fingerprint, scikit-learn version, ``MODELS_FORMAT`` or model code
    gives a ``StoredModels`` with ``refused`` set and no entries: the models are then trained again.
    """
    section = manifest.get("models")
    if not isinstance(section, dict):
        return None
    folder = Path(folder)
    fingerprint = str(manifest.get("fingerprint", ""))
    refused = None
    if section.get("fingerprint") != fingerprint:
        refused = Message("models_refused_fingerprint")
    elif section.get("sklearn") != sklearn.__version__:
        refused = Message("models_refused_version", stored=str(section.get("sklearn")), installed=sklearn.__version__)
    elif section.get("format") != MODELS_FORMAT or section.get("code") != code_digest():
        refused = Message("models_refused_code")
    else:
        listed = [section.get(kind) for kind in ("churn", "propensity", "staff")]
        if any(isinstance(entry, dict) and not (folder / str(entry.get("file"))).is_file() for entry in listed):
            refused = Message("models_refused_unreadable")
    if refused is not None:
        log.warning("stored models in %s not used (%s): they are trained again", folder, refused.key)
        return StoredModels(folder, fingerprint, refused=refused)
    churn, propensity, staff = (section.get(kind) for kind in ("churn", "propensity", "staff"))
    return StoredModels(
        folder,
        fingerprint,
        churn if isinstance(churn, dict) else None,
        propensity if isinstance(propensity, dict) else None,
        staff=staff if isinstance(staff, dict) else None,
    )


def refusal(prepared: PreparedDataset) -> Message | None:
    """Why ``prepared``'s stored models are not used (None when it has none, or they are used)."""
    models = getattr(prepared, "models", None)
    if models is None or models.fingerprint != prepared.fingerprint:
        return None
    return models.refused


def _loaded(models: StoredModels, entry: dict):
    try:
        # Arrays memory-mapped read-only (joblib's documented ``mmap_mode``): pages are read when a view
        # touches them and the system may drop them again, instead of copying every customer's scores.
        return joblib.load(models.folder / entry["file"], mmap_mode="r")
    except Exception as error:  # a damaged file falls back to training, never breaks a page
        log.warning("stored model %s cannot be read (%s): it is trained again", entry.get("file"), error)
        return None


def _entry(prepared: PreparedDataset, kind: str) -> tuple[StoredModels, dict] | None:
    models = getattr(prepared, "models", None)
    if models is None or models.fingerprint != prepared.fingerprint:
        return None
    entry = getattr(models, kind)
    return (models, entry) if entry is not None else None


def stored_churn_risk(prepared: PreparedDataset, definition, config=None):
    """Return the stored ``ChurnRisk`` if trained on ``prepared`` for ``definition`` and ``config``, else None."""
    config = config if config is not None else _defaults()[1]
    found = _entry(prepared, "churn")
    if found is None:
        return None
    models, entry = found
    if entry.get("definition") != config_json(definition) or entry.get("config") != config_json(config):
        return None
    risk = _loaded(models, entry)
    if risk is None or len(risk.probabilities) != len(prepared.customers):
        return None
    return risk


def stored_propensity(prepared: PreparedDataset, config=None):
    """Return the stored ``(features, PropensityModels, propensities)`` if trained on ``prepared`` for ``config``."""
    config = config if config is not None else _defaults()[2]
    found = _entry(prepared, "propensity")
    if found is None:
        return None
    models, entry = found
    if entry.get("config") != config_json(config):
        return None
    stored = _loaded(models, entry)
    if stored is None or len(stored[0]) != len(prepared.customers):
        return None
    return stored


def stored_scorecard(prepared: PreparedDataset, level: str, config):
    """Return the stored ``Scorecard`` of ``level`` if computed on ``prepared`` for ``config`` by today's code."""
    found = _entry(prepared, "staff")
    if found is None:
        return None
    models, entry = found
    if entry.get("config") != config_json(config) or entry.get("code") != staff_code_digest():
        return None
    cards = _loaded(models, entry)
    return cards.get(level) if isinstance(cards, dict) else None


def scorecard_of(prepared: PreparedDataset, level: str, config):
    """Return the staff scorecard of ``prepared``: the stored one when it fits, else computed.

    Returns
    -------
    Scorecard
        Equal to ``crm_core.staff.staff_scorecard(prepared, level, config)`` either way.
    """
    stored = stored_scorecard(prepared, level, config)
    if stored is not None:
        return stored
    from crm_core.staff import staff_scorecard

    return staff_scorecard(prepared, level, config)


def churn_risk_of(prepared: PreparedDataset, definition, config=None):
    """Return the churn risk of ``prepared`` under ``definition``: the stored one when it fits, else trained.

    Parameters
    ----------
    prepared : PreparedDataset
    definition : ChurnDefinition
    config : loyalty ModelConfig, optional
        ``crm_core.loyalty.DEFAULT_MODEL`` by default.

    Returns
    -------
    ChurnRisk
        Equal to ``churn_risk_model(prepared, definition, config)`` either way.
    """
    from crm_core.loyalty import model as loyalty_model

    config = config if config is not None else _defaults()[1]
    stored = stored_churn_risk(prepared, definition, config)
    return stored if stored is not None else loyalty_model.churn_risk_model(prepared, definition, config)


def _with_holdings(prepared: PreparedDataset) -> PreparedDataset:
    """``prepared`` with an opened artefact's holdings read: the propensity design reads their open dates."""
    dataset = prepared.dataset
    if dataset.holdings is not None or dataset.holdings_file is None:
        return prepared
    from crm_core.artefact import loaded_holdings

    return replace(prepared, dataset=replace(dataset, holdings=loaded_holdings(dataset)), models=None)


def _trained_propensity(prepared: PreparedDataset, config):
    from crm_core.products import propensity

    prepared = _with_holdings(prepared)
    features = propensity.propensity_features(prepared)
    models = propensity.propensity_models(prepared, features, config)
    return features, models, models.predict_proba(features)


def propensity_of(prepared: PreparedDataset, config=None):
    """Return ``(features, PropensityModels, propensities)`` of ``prepared``: stored when they fit, else trained.

    Training reads an opened artefact's holdings first, so the design (``acquisition_out_of_time``
    when they carry open dates) is the one preparation trained, and the same as for the upload.
    """
    config = config if config is not None else _defaults()[2]
    stored = stored_propensity(prepared, config)
    return stored if stored is not None else _trained_propensity(prepared, config)
