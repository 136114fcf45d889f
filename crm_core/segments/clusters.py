"""k-means clusters of active customers, silhouette scores for choosing k, and plain-words descriptions.

k-means always returns k groups, whether or not the customers form groups. The silhouette of
the fitted clustering says whether they do: below ``STRUCTURE_SILHOUETTE`` (0.25) the data
shows no strong natural groups, and the clusters get no descriptive names (a name such as
"older, high AUM" would suggest a customer type that is not there), only numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from crm_core.messages import Message
from crm_core.prepare import PreparedDataset
from crm_core.segments.config import (
    COUNT_FEATURES,
    DEFAULT_CLUSTERS,
    MONEY_FEATURES,
    NOT_ASSIGNED,
    STRUCTURE_SILHOUETTE,
    ClusterConfig,
    Segmentation,
)

FEATURE_TRAITS: dict[str, tuple[Message, Message]] = {
    "aum": (Message("cluster_trait_aum_high"), Message("cluster_trait_aum_low")),
    "aum_avg_3m": (Message("cluster_trait_aum_high"), Message("cluster_trait_aum_low")),
    "aum_avg_12m": (Message("cluster_trait_aum_high"), Message("cluster_trait_aum_low")),
    "annual_contribution": (Message("cluster_trait_contribution_high"), Message("cluster_trait_contribution_low")),
    "products_held": (Message("cluster_trait_products_high"), Message("cluster_trait_products_low")),
    "tenure_months": (Message("cluster_trait_tenure_high"), Message("cluster_trait_tenure_low")),
    "age": (Message("cluster_trait_age_high"), Message("cluster_trait_age_low")),
    "digital_share_12m": (Message("cluster_trait_digital_high"), Message("cluster_trait_digital_low")),
    "counter_txn_12m": (Message("cluster_trait_counter_high"), Message("cluster_trait_counter_low")),
    "mobile_txn_12m": (Message("cluster_trait_mobile_high"), Message("cluster_trait_mobile_low")),
    "aum_trend": (Message("cluster_trait_aum_trend_high"), Message("cluster_trait_aum_trend_low")),
    "annual_income": (Message("cluster_trait_income_high"), Message("cluster_trait_income_low")),
    "loan_balance": (Message("cluster_trait_loans_high"), Message("cluster_trait_loans_low")),
}
"""What a feature well above / below the bank average says about a cluster (catalog messages)."""

DESCRIPTION_THRESHOLD = 0.5
"""A feature describes a cluster when its cluster mean is at least this many standard deviations off."""


@dataclass(frozen=True, eq=False)
class ClusterResult:
    """A fitted clustering.

    Attributes
    ----------
    segmentation : Segmentation
        Cluster code of every customer (-1 for closed customers); labels ``cluster 1`` ….
    model : sklearn.pipeline.Pipeline
        ``StandardScaler`` → ``KMeans``, fitted on the transformed features.
    features : tuple of str
        Features used, in column order of ``centres``.
    centres : pandas.DataFrame
        z-score of each cluster's mean against all active customers (rows = clusters).
    silhouette : float
        Silhouette of this clustering on a seeded sample of ``config.silhouette_rows`` active
        customers (the rows ``silhouette_scores`` draws); NaN when it cannot be computed.
    descriptions : tuple of Message
        One phrase per cluster when ``structured`` (``cluster_descriptions``); empty otherwise
        (clusters are then only numbered).
    """

    segmentation: Segmentation
    model: Pipeline
    features: tuple[str, ...]
    centres: pd.DataFrame
    silhouette: float
    descriptions: tuple[Message, ...]

    @property
    def structured(self) -> bool:
        """Whether the silhouette reaches ``STRUCTURE_SILHOUETTE``: the clusters are real groups."""
        return bool(self.silhouette >= STRUCTURE_SILHOUETTE)


def cluster_features(customers: pd.DataFrame, features: tuple[str, ...]) -> tuple[np.ndarray, tuple[str, ...]]:
    """Return the feature matrix (``float64``) and the features used.

    Features absent or entirely missing are skipped; money features and transaction counts
    are ``log1p`` of the value clipped at 0; remaining missing values are replaced by the
    feature's median.

    Examples
    --------
    >>> frame = pd.DataFrame({"counter_txn_12m": [0, np.e - 1, None], "age": [30, 40, 50]})
    >>> matrix, used = cluster_features(frame, ("counter_txn_12m", "age", "absent"))
    >>> used, matrix[:, 0].round(3).tolist()
    (('counter_txn_12m', 'age'), [0.0, 1.0, 0.5])
    """
    used = tuple(f for f in features if f in customers.columns and customers[f].notna().any())
    columns = []
    for feature in used:
        x = customers[feature].to_numpy(dtype=float, na_value=np.nan)
        if feature in MONEY_FEATURES or feature in COUNT_FEATURES:
            x = np.log1p(np.clip(x, 0, None))
        median = np.nanmedian(x)
        columns.append(np.where(np.isnan(x), median, x))
    matrix = np.column_stack(columns) if columns else np.empty((len(customers), 0))
    return matrix, used


def cluster_pipeline(k: int, random_state: int = 0, n_init: int = 4) -> Pipeline:
    """Return the unfitted ``StandardScaler`` → ``KMeans`` pipeline."""
    return Pipeline(
        [("scale", StandardScaler()), ("kmeans", KMeans(n_clusters=k, n_init=n_init, random_state=random_state))]
    )


def _active(customers: pd.DataFrame) -> np.ndarray:
    if "is_active" in customers.columns:
        return customers["is_active"].to_numpy(dtype=bool)
    return np.ones(len(customers), dtype=bool)


def cluster_missing(
    source: PreparedDataset | pd.DataFrame, config: ClusterConfig = DEFAULT_CLUSTERS
) -> tuple[str, ...]:
    """Return the configured features the dataset lacks when fewer than two remain (else empty)."""
    customers = source.customers if isinstance(source, PreparedDataset) else source
    used = tuple(f for f in config.features if f in customers.columns and customers[f].notna().any())
    return () if len(used) >= 2 else tuple(f for f in config.features if f not in used)


def _trait(feature: str, high: bool) -> Message:
    if feature in FEATURE_TRAITS:
        return FEATURE_TRAITS[feature][0 if high else 1]
    return (
        Message("cluster_trait_other_high", feature=feature)
        if high
        else Message("cluster_trait_other_low", feature=feature)
    )


def cluster_descriptions(centres: pd.DataFrame, threshold: float = DESCRIPTION_THRESHOLD) -> tuple[Message, ...]:
    """Return a phrase per cluster from its up to three most distinctive features, rendered at the edge.

    Examples
    --------
    >>> from crm_core.messages import render
    >>> centres = pd.DataFrame({"age": [1.2, -0.1], "aum": [0.8, 0.2]})
    >>> [render(phrase, "en") for phrase in cluster_descriptions(centres)]
    ['older, high AUM', 'close to the bank average']
    """
    phrases = []
    for _, row in centres.iterrows():
        strong = row[row.abs() >= threshold]
        strong = strong.reindex(strong.abs().sort_values(ascending=False, kind="stable").index)[:3]
        traits = list(dict.fromkeys(_trait(str(feature), z > 0) for feature, z in strong.items()))
        phrase: Message = traits[0] if traits else Message("cluster_trait_average")
        for trait in traits[1:]:
            phrase = Message("cluster_traits", head=phrase, trait=trait)
        phrases.append(phrase)
    return tuple(phrases)


def _silhouette_sample(rows: np.ndarray, config: ClusterConfig) -> np.ndarray:
    """The seeded sample of active rows every silhouette is computed on."""
    if len(rows) <= config.silhouette_rows:
        return rows
    rng = np.random.default_rng(config.random_state)
    return rows[np.sort(rng.choice(len(rows), config.silhouette_rows, replace=False))]


def _silhouette(pipeline: Pipeline, rows: np.ndarray, labels: np.ndarray) -> float:
    if len(set(labels.tolist())) < 2 or len(set(labels.tolist())) >= len(rows):
        return np.nan
    return float(silhouette_score(pipeline.named_steps["scale"].transform(rows), labels))


def customer_clusters(
    source: PreparedDataset | pd.DataFrame, config: ClusterConfig = DEFAULT_CLUSTERS
) -> ClusterResult:
    """Return k-means clusters of active customers with their descriptions.

    The pipeline is fitted on at most ``config.fit_rows`` active customers (a seeded
    sample), then every active customer is assigned to its nearest centre. Cluster codes are
    renumbered by ascending mean AUM (the first feature without AUM), so cluster 1 is
    the poorest and the numbering is stable across runs. Clusters are described in words only
    when the silhouette shows structure (``ClusterResult.structured``).
    """
    customers = source.customers if isinstance(source, PreparedDataset) else source
    matrix, used = cluster_features(customers, config.features)
    if len(used) < 2:
        raise ValueError(f"clustering needs two of: {', '.join(config.features)}")
    active = _active(customers)
    rows = matrix[active]
    if len(rows) < config.k:
        raise ValueError(f"{len(rows)} active customers cannot form {config.k} clusters")
    rng = np.random.default_rng(config.random_state)
    fit_rows = rows if len(rows) <= config.fit_rows else rows[np.sort(rng.choice(len(rows), config.fit_rows, False))]
    model = cluster_pipeline(config.k, config.random_state, config.n_init).fit(fit_rows)
    raw = model.predict(rows)
    scaled_centres = model.named_steps["kmeans"].cluster_centers_
    by = used.index("aum") if "aum" in used else 0
    order = np.argsort(scaled_centres[:, by], kind="stable")
    relabel = np.empty(config.k, dtype=np.int8)
    relabel[order] = np.arange(config.k, dtype=np.int8)
    codes = np.full(len(customers), NOT_ASSIGNED, dtype=np.int8)
    codes[active] = relabel[raw]
    # z-scores of cluster means against all active customers (not only the fitted sample).
    mean, std = rows.mean(axis=0), rows.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    sums = np.stack([np.bincount(codes[active], weights=rows[:, j], minlength=config.k) for j in range(len(used))], 1)
    counts = np.bincount(codes[active], minlength=config.k)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        centres = pd.DataFrame((sums / counts - mean) / std, columns=list(used))
    centres.index = pd.RangeIndex(config.k, name="cluster")
    labels = tuple(f"cluster {i + 1}" for i in range(config.k))
    sample = _silhouette_sample(rows, config)
    silhouette = _silhouette(model, sample, model.predict(sample))
    structured = bool(silhouette >= STRUCTURE_SILHOUETTE)
    return ClusterResult(
        segmentation=Segmentation(codes, labels),
        model=model,
        features=used,
        centres=centres,
        silhouette=silhouette,
        descriptions=cluster_descriptions(centres) if structured else (),
    )


def silhouette_scores(
    source: PreparedDataset | pd.DataFrame, config: ClusterConfig = DEFAULT_CLUSTERS, k_values: range = range(2, 9)
) -> pd.DataFrame:
    """Return the silhouette score for each k, on a seeded sample of active customers.

    Each k is fitted and scored on the same ``config.silhouette_rows`` sample, so the
    comparison is fair and quick at any data size.

    Returns
    -------
    pandas.DataFrame
        ``k`` (int) and ``silhouette`` (float, −1 to 1, higher is better separated).
    """
    customers = source.customers if isinstance(source, PreparedDataset) else source
    matrix, used = cluster_features(customers, config.features)
    if len(used) < 2:
        raise ValueError(f"clustering needs two of: {', '.join(config.features)}")
    rows = _silhouette_sample(matrix[_active(customers)], config)
    scores = []
    for k in k_values:
        if k >= len(rows):
            scores.append(np.nan)
            continue
        pipeline = cluster_pipeline(k, config.random_state, config.n_init)
        scores.append(_silhouette(pipeline, rows, pipeline.fit_predict(rows)))
    return pd.DataFrame({"k": np.array(list(k_values), dtype=np.int64), "silhouette": scores})
