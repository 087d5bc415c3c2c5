"""Assign each text a topic: KMeans(k), HDBSCAN (automatic count), agglomerative, or LDA on word counts.

Outliers (HDBSCAN's -1) are reassigned to the nearest topic centroid on request, so that no text
is left without a topic.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.errors import CoreError
from core.text import tokenize

METHODS = ("kmeans", "hdbscan", "agglomerative", "lda")
MAX_AGGLOMERATIVE = 20_000


@dataclass(frozen=True)
class ClusterSettings:
    """How to cluster: method, k (ignored by HDBSCAN), seed, HDBSCAN's minimum topic size
    (None: chosen from the corpus size) and whether outliers join their nearest topic."""

    method: str = "kmeans"
    k: int = 8
    seed: int = 42
    min_cluster_size: int | None = None
    reassign_outliers: bool = True


def check_k(k: int, n: int) -> None:
    if k < 1:
        raise CoreError(f"The number of topics must be at least 1 (got {k}).")
    if k > n:
        raise CoreError(f"k = {k} topics is more than the {n} texts; choose k of at most {n}.")


def cluster(points: np.ndarray, settings: ClusterSettings) -> np.ndarray:
    """Topic ids 0..k-1 for each row of `points` (the UMAP clustering space); -1 marks an outlier."""
    n = len(points)
    if settings.method not in METHODS or settings.method == "lda":
        raise CoreError(f"Unknown clustering method '{settings.method}'; choose one of {', '.join(METHODS)}.")
    if settings.method == "hdbscan":
        return _hdbscan(points, settings)
    check_k(settings.k, n)
    if settings.k == 1:  # one topic holds every text (AgglomerativeClustering refuses a single text)
        return np.zeros(n, dtype=int)
    if settings.method == "kmeans":
        from sklearn.cluster import KMeans

        labels = KMeans(settings.k, n_init=3, random_state=settings.seed).fit_predict(points)
    else:
        from sklearn.cluster import AgglomerativeClustering

        if n > MAX_AGGLOMERATIVE:
            raise CoreError(f"Agglomerative clustering compares every pair of texts and {n:,} texts are too many "
                            f"(at most {MAX_AGGLOMERATIVE:,}); choose KMeans or HDBSCAN.")

        labels = AgglomerativeClustering(settings.k, linkage="ward").fit_predict(points)
    return renumber_by_size(labels)


def _hdbscan(points: np.ndarray, settings: ClusterSettings) -> np.ndarray:
    from sklearn.cluster import HDBSCAN

    n = len(points)
    size = settings.min_cluster_size or max(5, min(n // 100, 100))
    if n < 2 * size:
        size = max(2, n // 4) if n >= 8 else n
    if n < 3:
        return np.zeros(n, dtype=int)
    labels = HDBSCAN(min_cluster_size=size, min_samples=min(size, 10), copy=True).fit_predict(points)
    if (labels < 0).all():
        labels = np.zeros(n, dtype=int)  # no dense region: one topic rather than none
    if settings.reassign_outliers:
        labels = reassign_outliers(points, labels)
    return renumber_by_size(labels)


def reassign_outliers(points: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Give each outlier (-1) the topic whose centroid is nearest."""
    labels = labels.copy()
    outliers = labels < 0
    if not outliers.any() or outliers.all():
        return labels
    topics = np.unique(labels[~outliers])
    centroids = np.stack([points[labels == t].mean(axis=0) for t in topics])
    distances = ((points[outliers, None, :] - centroids[None]) ** 2).sum(-1)
    labels[outliers] = topics[distances.argmin(axis=1)]
    return labels


def renumber_by_size(labels: np.ndarray) -> np.ndarray:
    """Topic 0 is the largest, then 1, ...; outliers stay -1. Ties are broken by the old id."""
    labels = np.asarray(labels)
    topics, counts = np.unique(labels[labels >= 0], return_counts=True)
    order = topics[np.lexsort((topics, -counts))]
    mapping = {int(old): new for new, old in enumerate(order)}
    return np.array([mapping.get(int(x), -1) for x in labels], dtype=int)


def lda(texts, k: int, *, seed: int = 42) -> np.ndarray:
    """Scikit-learn LDA on word counts (min_df 2, max_df 0.5 on larger corpora): each text's most
    likely topic. Its keywords come from the same keyword step as every other method."""
    from sklearn.decomposition import LatentDirichletAllocation
    from sklearn.feature_extraction.text import CountVectorizer

    check_k(k, len(texts))
    many = len(texts) >= 50
    vectorizer = CountVectorizer(tokenizer=tokenize, lowercase=False, token_pattern=None,
                                 min_df=2 if many else 1, max_df=0.5 if many else 1.0)
    try:
        counts = vectorizer.fit_transform(texts)
    except ValueError:
        raise CoreError("LDA found no words in these texts; choose another method.") from None
    model = LatentDirichletAllocation(k, random_state=seed, learning_method="batch", max_iter=20)
    return renumber_by_size(model.fit_transform(counts).argmax(axis=1))
