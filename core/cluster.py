"""Assign each text a topic. The clustering methods are described as data (METHODS): each names its
label in the picker, whether it takes k, and the space it clusters in; the pages, the command line and
the pipeline read that and nothing else.

Outliers (HDBSCAN's -1) are reassigned to the nearest topic centroid on request, so that no text
is left without a topic.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from core.errors import CoreError
from core.text import tokenize

MAX_AGGLOMERATIVE = 20_000
# Above SAMPLE_TEXTS texts KMeans is fitted on a seeded sample of KMEANS_SAMPLE points and every text
# then joins its nearest centroid. On 300,000 and a million points of a 5-D UMAP space (bench/scale.py
# --only kmeans) that took 0.5-1.7 s, within 1 % of KMeans on every point in inertia and 6-15 % below
# MiniBatchKMeans on every point (0.3-5.6 s); a sample of 100,000 took 1.5-3x longer for under 1.5 % less.
SAMPLE_TEXTS = 100_000
KMEANS_SAMPLE = 50_000


@dataclass(frozen=True, kw_only=True)
class ClusterSettings:
    """How to cluster: method, k (ignored by HDBSCAN), seed, HDBSCAN's minimum topic size
    (None: chosen from the corpus size) and whether outliers join their nearest topic."""

    method: str = "kmeans"
    k: int = 8
    seed: int = 42
    min_cluster_size: int | None = None
    reassign_outliers: bool = True


def n_topics(labels: np.ndarray) -> int:
    """Topics in a labelling (ids 0..n-1; outliers are -1)."""
    labels = np.asarray(labels)
    return int(labels.max()) + 1 if (labels >= 0).any() else 0


def one_hot(labels: np.ndarray, n_topics: int, dtype=np.float64) -> np.ndarray:
    """One row per text with a 1 in its topic's column; outliers (-1) get a row of zeros."""
    labels = np.asarray(labels)
    out = np.zeros((len(labels), n_topics), dtype=dtype)
    rows = np.flatnonzero(labels >= 0)
    out[rows, labels[rows]] = 1.0
    return out


def check_k(k: int, n: int) -> None:
    if k < 1:
        raise CoreError(f"The number of topics must be at least 1 (got {k}).")
    if k > n:
        raise CoreError(f"k = {k} topics is more than the {n} texts; choose k of at most {n}.")


def cluster(data, settings: ClusterSettings) -> np.ndarray:
    """Topic ids 0..k-1 for each text with the settings' method; -1 marks an outlier. `data` is what the
    method's space holds: points (one row per text) or, for a method that reads words, the texts."""
    return method(settings.method).fit(data, settings)


def method(name: str) -> "Method":
    """The registry entry of a method name; an unknown name is a CoreError that lists the methods."""
    if name not in METHODS:
        raise CoreError(f"Unknown clustering method '{name}'; choose one of {', '.join(METHODS)}.")
    return METHODS[name]


def _with_k(fit: Callable[[np.ndarray, int, ClusterSettings], np.ndarray]):
    """A method that takes k: k checked against the texts, k = 1 as one topic, topics renumbered by size."""
    def run(points: np.ndarray, settings: ClusterSettings) -> np.ndarray:
        check_k(settings.k, len(points))
        if settings.k == 1:  # one topic holds every text (AgglomerativeClustering refuses a single text)
            return np.zeros(len(points), dtype=int)
        return renumber_by_size(fit(points, settings.k, settings))
    return run


def _kmeans(points: np.ndarray, k: int, settings: ClusterSettings) -> np.ndarray:
    from sklearn.cluster import KMeans

    # 10 starts: with 3, a start's luck moved NMI by up to 0.11 on BBC News and 0.07 on the demo (5 seeds each)
    model = KMeans(k, n_init=10, random_state=settings.seed)
    if len(points) <= SAMPLE_TEXTS:
        return model.fit_predict(points)
    sample = np.sort(np.random.default_rng(settings.seed).choice(len(points), KMEANS_SAMPLE, replace=False))
    return model.fit(points[sample]).predict(points)  # seeded: the same points and seed give the same topics


def _agglomerative(points: np.ndarray, k: int, settings: ClusterSettings) -> np.ndarray:
    from sklearn.cluster import AgglomerativeClustering

    if len(points) > MAX_AGGLOMERATIVE:
        raise CoreError(f"Agglomerative clustering compares every pair of texts and {len(points):,} texts are too "
                        f"many (at most {MAX_AGGLOMERATIVE:,}); choose KMeans or HDBSCAN.")
    return AgglomerativeClustering(k, linkage="ward").fit_predict(points)


def _hdbscan(points: np.ndarray, settings: ClusterSettings) -> np.ndarray:
    from sklearn.cluster import HDBSCAN

    n = len(points)
    size = settings.min_cluster_size or max(5, min(n // 100, 100))
    if n < 2 * size:
        size = max(2, n // 4) if n >= 8 else n
    if n < 3:
        return np.zeros(n, dtype=int)
    # min_samples = the topic size: a point is dense only among as many neighbours as a topic needs. With
    # min_samples 10, THUCNews' 10,000 headlines fell into 2 topics (NMI 0.20); with it, 10 (0.66), and BBC
    # 12 topics (NMI 0.65, NPMI 0.221) instead of 17 (0.61, 0.218); the demo is unchanged (bench/README.md).
    labels = HDBSCAN(min_cluster_size=size, min_samples=size, copy=True).fit_predict(points)
    # A topic of more than half the texts is split into the topics below it in HDBSCAN's tree, where there
    # are any. THUCNews fell into 2 topics (one subject, and the nine others as one "topic" of 9,000) in 2 of
    # 20 UMAP projections under changes of the vectors as small as int8's or a batch's (seeds 42, 0-3); split,
    # 10 topics in all 20 (bench/README.md). A large topic with nothing below it stays as it is.
    if n // 2 > size and np.bincount(labels[labels >= 0]).max(initial=0) > n // 2:
        split = HDBSCAN(min_cluster_size=size, min_samples=size, max_cluster_size=n // 2, copy=True).fit_predict(points)
        if n_topics(split) > n_topics(labels):
            labels = split
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
    if not len(order):
        return np.full(len(labels), -1, dtype=int)
    mapping = np.full(int(order.max()) + 2, -1, dtype=int)  # the last slot is for the outliers' -1
    mapping[order] = np.arange(len(order))
    return mapping[np.where(labels >= 0, labels, -1)]


def _lda(texts, settings: ClusterSettings) -> np.ndarray:
    return lda(list(texts), settings.k, seed=settings.seed)


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


@dataclass(frozen=True, kw_only=True)
class Method:
    """A clustering method: its name (Settings.method, --method), its label in the picker, whether it takes
    k, the space it clusters in (core.reduce.SPACES: 'embeddings', 'umap', 'by-size' or 'words'), its fit,
    every how many k the sweep chart tries it (a slow method fewer), and a caveat shown beside it."""

    name: str
    label: str
    takes_k: bool
    space: str
    fit: Callable[..., np.ndarray]
    sweep_step: int = 1
    caveat: str = ""


SWEEP_METHOD = "kmeans"  # what the k sweep chart shows for a method that finds the number of topics itself
METHODS = {m.name: m for m in (
    Method(name="kmeans", label="KMeans (choose k)", takes_k=True, space="by-size", fit=_with_k(_kmeans)),
    Method(name="hdbscan", label="HDBSCAN (automatic)", takes_k=False, space="umap", fit=_hdbscan),
    Method(name="agglomerative", label="Agglomerative (choose k)", takes_k=True, space="embeddings",
           fit=_with_k(_agglomerative)),
    Method(name="lda", label="LDA on word counts (choose k)", takes_k=True, space="words", fit=_lda,
           sweep_step=4,  # about a second per fit on the demo
           caveat="LDA reads word counts only, without the language model: on the demo its topics agreed with the "
                  "interests at NMI 0.07 (KMeans 0.75) and it took about 40 times as long. Use it as a baseline."),
)}
