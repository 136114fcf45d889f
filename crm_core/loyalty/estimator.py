"""``ChurnClassifier``: a calibrated binary classifier that picks its model family by data size.

Gradient boosting (``HistGradientBoostingClassifier``) when there is enough data, else a
regularised logistic regression; either inside a ``Pipeline`` with its preprocessing, then
calibrated on a held-out fold with ``CalibratedClassifierCV(FrozenEstimator(...))``: isotonic
only when the fold holds ``ISOTONIC_MIN_ROWS`` rows and ``ISOTONIC_MIN_CLASS`` of each class,
else sigmoid (a small fold makes isotonic a staircase of a few dozen steps whose ties cost
ranking quality). It follows
the scikit-learn estimator contract (``__init__`` stores parameters, ``fit`` returns
``self``, learned attributes end in ``_``), so it passes ``check_estimator``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from crm_core.prepare import text_codes

MISSING_CATEGORY = "(missing)"

ISOTONIC_MIN_ROWS = 1_000
"""Fewest calibration rows for isotonic calibration (scikit-learn's guidance: below about a thousand it overfits)."""

ISOTONIC_MIN_CLASS = 500
"""Fewest rows of each class in the calibration fold for isotonic calibration: with fewer positives its
staircase has a few dozen steps, and the ties cost ROC AUC (BankChurners: 0.993 to 0.986)."""


def _is_categorical(series: pd.Series) -> bool:
    return not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series))


def _as_frame(X) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        return X
    return pd.DataFrame(np.asarray(X), columns=[f"x{i}" for i in range(np.asarray(X).shape[1])])


def _cleaned(frame: pd.DataFrame, categorical: list[str], numeric: list[str]) -> pd.DataFrame:
    """Numbers as float64 with NaN, categories as object strings with an explicit missing level."""
    columns = {}
    for name in numeric:
        columns[name] = pd.to_numeric(frame[name].astype("Float64"), errors="coerce").to_numpy(
            dtype=float, na_value=np.nan
        )
    for name in categorical:
        # Each level's text once, not each customer's (a prepared category is read by its codes).
        codes, labels = text_codes(frame[name], MISSING_CATEGORY)
        columns[name] = labels.to_numpy(dtype=object)[codes]
    return pd.DataFrame(columns, index=frame.index)[numeric + categorical]


def calibration_method(outcome: np.ndarray) -> str:
    """Return ``"isotonic"`` when the calibration fold is large enough on both classes, else ``"sigmoid"``.

    Examples
    --------
    >>> calibration_method(np.r_[np.zeros(1500), np.ones(300)])
    'sigmoid'
    >>> calibration_method(np.r_[np.zeros(1500), np.ones(600)])
    'isotonic'
    """
    outcome = np.asarray(outcome)
    positives = int((outcome == 1).sum())
    enough = len(outcome) >= ISOTONIC_MIN_ROWS and min(positives, len(outcome) - positives) >= ISOTONIC_MIN_CLASS
    return "isotonic" if enough else "sigmoid"


class ChurnClassifier(ClassifierMixin, BaseEstimator):
    """Calibrated binary classifier: gradient boosting, or logistic regression on small data.

    Parameters
    ----------
    small_rows : int
        With fewer training rows than this, logistic regression is used.
    small_positives : int
        With fewer minority-class rows than this, logistic regression is used.
    calibration_share : float
        Share of the training rows held out to calibrate probabilities.
    max_categories : int
        Most frequent levels one-hot encoded per categorical column (the rest pooled).
    random_state : int
        Seed of the calibration split and of gradient boosting.

    Attributes
    ----------
    classes_ : numpy.ndarray
        The two class labels.
    model_kind_ : str
        ``"gradient_boosting"`` or ``"logistic_regression"``.
    pipeline_ : sklearn.pipeline.Pipeline
        Preprocessing and model, fitted on the non-calibration rows.
    calibrator_ : sklearn.calibration.CalibratedClassifierCV or None
        The frozen pipeline calibrated on the held-out fold (``None`` when the data are too
        few to hold a fold out).
    calibration_method_ : str
        ``"isotonic"``, ``"sigmoid"`` or ``"none"``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(400, 2))
    >>> y = (X[:, 0] + rng.normal(size=400) > 0).astype(int)
    >>> model = ChurnClassifier().fit(X, y)
    >>> model.model_kind_, model.predict_proba(X).shape
    ('logistic_regression', (400, 2))
    """

    def __init__(
        self,
        small_rows: int = 2_000,
        small_positives: int = 100,
        calibration_share: float = 0.2,
        max_categories: int = 20,
        random_state: int = 0,
    ):
        self.small_rows = small_rows
        self.small_positives = small_positives
        self.calibration_share = calibration_share
        self.max_categories = max_categories
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        return tags

    def _pipeline(self, small: bool) -> Pipeline:
        if small:
            numeric = make_pipeline(SimpleImputer(strategy="median", keep_empty_features=True), StandardScaler())
            model = LogisticRegression(C=1.0, max_iter=2_000)
        else:
            numeric = "passthrough"  # gradient boosting handles missing values and scale itself
            model = HistGradientBoostingClassifier(
                max_iter=200,
                learning_rate=0.1,
                l2_regularization=1.0,
                early_stopping=True,
                random_state=self.random_state,
            )
        encoder = OneHotEncoder(
            handle_unknown="infrequent_if_exist", max_categories=self.max_categories, sparse_output=False
        )
        prepare = ColumnTransformer(
            [("numeric", numeric, self.numeric_columns_), ("categorical", encoder, self.categorical_columns_)],
            verbose_feature_names_out=False,
        )
        return Pipeline([("prepare", prepare), ("model", model)])

    def fit(self, X, y):
        """Fit the model on part of the rows and calibrate it on the rest; return ``self``."""
        if isinstance(X, pd.DataFrame):
            if X.shape[1] == 0:
                raise ValueError("0 feature(s) (shape=(n, 0)) while a minimum of 1 is required")
            if all(isinstance(c, str) for c in X.columns):
                self.feature_names_in_ = np.asarray(X.columns, dtype=object)
            self.n_features_in_ = X.shape[1]
            frame = X.rename(columns=str)
            y = np.asarray(y)
            if len(y) != len(frame):
                raise ValueError("X and y have different numbers of rows")
        else:
            X, y = validate_data(self, X, y, ensure_all_finite="allow-nan", dtype=None)
            frame = _as_frame(X)
        target = type_of_target(y, raise_unknown=True)
        if target != "binary":
            raise ValueError(
                f"Only binary classification is supported; the target is {target} (1 class or more than 2)"
            )
        self.categorical_columns_ = [str(c) for c in frame.columns if _is_categorical(frame[c])]
        self.numeric_columns_ = [str(c) for c in frame.columns if not _is_categorical(frame[c])]
        frame = _cleaned(frame, self.categorical_columns_, self.numeric_columns_)
        _, counts = np.unique(y, return_counts=True)
        minority = int(counts.min())
        self.model_kind_ = (
            "logistic_regression"
            if len(y) < self.small_rows or minority < self.small_positives
            else "gradient_boosting"
        )
        pipeline = self._pipeline(self.model_kind_ == "logistic_regression")
        held_out = round(self.calibration_share * len(y))
        if minority < 10 or held_out < 4:
            # Too few rows to spare a calibration fold: fit on everything, leave probabilities as they are.
            pipeline.fit(frame, y)
            self.pipeline_, self.calibrator_, self.calibration_method_ = pipeline, None, "none"
            self.classes_ = pipeline.classes_
            return self
        fit_rows, calibration_rows = train_test_split(
            np.arange(len(y)), test_size=held_out, stratify=y, random_state=self.random_state
        )
        pipeline.fit(frame.iloc[fit_rows], y[fit_rows])
        self.calibration_method_ = calibration_method(y[calibration_rows] == pipeline.classes_[1])
        every_row = np.arange(len(calibration_rows))
        # The pipeline is frozen, so no fold is refitted: one "fold" of every calibration row (the default
        # five-fold splitter would refuse a fold with fewer than five rows of a class).
        calibrator = CalibratedClassifierCV(
            FrozenEstimator(pipeline), method=self.calibration_method_, cv=[(every_row, every_row)]
        )
        calibrator.fit(frame.iloc[calibration_rows], y[calibration_rows])
        self.pipeline_, self.calibrator_ = pipeline, calibrator
        self.classes_ = pipeline.classes_
        return self

    def _frame(self, X) -> pd.DataFrame:
        check_is_fitted(self)
        if isinstance(X, pd.DataFrame):
            frame = X.rename(columns=str)
            missing = [c for c in self.numeric_columns_ + self.categorical_columns_ if c not in frame.columns]
            if missing:
                raise ValueError(f"X lacks the columns the model was fitted on: {', '.join(missing)}")
        else:
            X = validate_data(self, X, reset=False, ensure_all_finite="allow-nan", dtype=None)
            frame = _as_frame(check_array(X, ensure_all_finite="allow-nan", dtype=None))
        return _cleaned(frame, self.categorical_columns_, self.numeric_columns_)

    def predict_proba(self, X) -> np.ndarray:
        """Return calibrated class probabilities, shape (rows, 2)."""
        frame = self._frame(X)
        model = self.pipeline_ if self.calibrator_ is None else self.calibrator_
        positive = model.predict_proba(frame)[:, 1]
        return np.column_stack([1.0 - positive, positive])

    def predict(self, X) -> np.ndarray:
        """Return the more probable class of each row."""
        probabilities = self.predict_proba(X)
        return self.classes_[np.argmax(probabilities, axis=1)]
