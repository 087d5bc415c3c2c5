"""The stages composed. Each stage is a function of its inputs and the settings, so the app can
cache each one on its own inputs and the command line runs exactly the same code."""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Callable

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from core import cluster as clustering
from core.data import Corpus
from core.embed import DEFAULT_MODEL, TFIDF_MODEL, EmbeddingCache, embed_texts, make_embedder
from core.evaluate import topic_quality
from core.interests import Factorization, factorize, one_hot, user_topic_matrix
from core.keywords import Topic, describe_topics
from core.recommend import Items, build_items, recommend, seen_items, soft_topics, topic_centroids
from core.reduce import principal_components, reduce

StageProgress = Callable[[str, float], None]


@dataclass(frozen=True)
class Settings:
    """Every choice that changes a result; recorded in run.json so that a run can be repeated."""

    model: str = "default"
    windows: bool = True
    precision: str = "fp32"
    method: str = "kmeans"
    k: int = 8
    min_cluster_size: int | None = None
    reassign_outliers: bool = True
    cluster_dims: int = 5
    n_neighbors: int = 15
    factors: int = 4
    top_n: int = 10
    popularity_weight: float = 0.1
    min_rating: float = 4.0
    seed: int = 42

    @property
    def cluster_settings(self) -> clustering.ClusterSettings:
        return clustering.ClusterSettings(self.method, self.k, self.seed, self.min_cluster_size,
                                          self.reassign_outliers)


@dataclass
class Result:
    """Everything one run produced; the pages and the command line read it."""

    corpus: Corpus
    settings: Settings
    vectors: np.ndarray
    points: np.ndarray
    view: np.ndarray
    labels: np.ndarray
    topics: list[Topic]
    R: pd.DataFrame
    factorization: Factorization
    items: Items
    recommendations: pd.DataFrame
    metrics: dict
    timings: dict = field(default_factory=dict)


@lru_cache(maxsize=2)
def load_embedder(model: str, windows: bool = True, precision: str = "fp32", seed: int = 42):
    """The embedder for a model, made once per process. The bundled model, known to be whole, loads its
    weights only when a text is missing from the cache; any other model loads now, so that a broken
    one is reported at once."""
    if model == "tfidf":
        return make_embedder(model, seed=seed)
    return make_embedder(model, windows=windows, precision=precision, lazy=model == DEFAULT_MODEL)


def embedder_for(settings: Settings):
    """The embedder that `settings` ask for (only the LSA baseline depends on the seed)."""
    return load_embedder(settings.model, settings.windows, settings.precision,
                         settings.seed if settings.model == TFIDF_MODEL else 42)


def embed(corpus: Corpus, settings: Settings, *, cache: EmbeddingCache | None = None,
          progress: Callable[[int, int], None] | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """Vectors of the texts and of the catalogue items, embedded together in one space."""
    embedder = embedder_for(settings)
    catalogue = list(corpus.catalogue.texts) if corpus.catalogue else []
    vectors = embed_texts(embedder, list(corpus.texts) + catalogue, cache=cache, progress=progress)
    n = len(corpus.texts)
    return vectors[:n], (vectors[n:] if catalogue else None)


def embed_profile(text: str, corpus: Corpus, settings: Settings, vectors: np.ndarray, *,
                  cache: EmbeddingCache | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A new user's text as a vector in the same space as the corpus `vectors` (from embed), and the
    corpus vectors to compare it with. A transformer embeds the text on its own; the LSA baseline is
    fitted on what it embeds, so it is fitted again on the corpus with the text added, and both the
    text's vector and the corpus vectors come from that one fit."""
    embedder = embedder_for(settings)
    if settings.model != TFIDF_MODEL:
        return embed_texts(embedder, [text], cache=cache)[0], vectors
    catalogue = list(corpus.catalogue.texts) if corpus.catalogue else []
    together = embed_texts(embedder, list(corpus.texts) + catalogue + [text])
    return together[-1], together[:len(corpus.texts)]


def project(vectors: np.ndarray, settings: Settings, dims: int | None = None) -> np.ndarray:
    """UMAP to the clustering space (settings.cluster_dims) or, with dims, to a 2D/3D view."""
    if dims is None:
        return reduce(vectors, settings.cluster_dims, seed=settings.seed, n_neighbors=settings.n_neighbors)
    return reduce(vectors, dims, seed=settings.seed, n_neighbors=settings.n_neighbors, min_dist=0.1)


def clustering_space(vectors: np.ndarray, settings: Settings) -> np.ndarray | None:
    """Where the method clusters: KMeans and agglomerative the embeddings (on their first 64 principal
    axes: the same topics, 3x faster), HDBSCAN a UMAP projection (density needs few dimensions), LDA
    nothing (it reads words).

    KMeans in the embedding space was the steadier choice on BBC News (NMI 0.874-0.879 over KMeans
    seeds) than on UMAP, whose layout moves with its own seed (0.75-0.87); it also makes the k slider
    independent of UMAP.
    """
    if settings.method == "hdbscan":
        return project(vectors, settings)
    return None if settings.method == "lda" else principal_components(vectors, seed=settings.seed)


def assign_topics(texts, points: np.ndarray, settings: Settings) -> np.ndarray:
    """A topic per text with the chosen method, from the points of clustering_space (LDA reads the words)."""
    with threadpool_limits(1):  # on a few thousand points threads cost more than they save, and stall a busy machine
        if settings.method == "lda":
            return clustering.lda(list(texts), settings.k, seed=settings.seed)
        return clustering.cluster(points, settings.cluster_settings)


def n_topics(labels: np.ndarray) -> int:
    return int(labels.max()) + 1 if (labels >= 0).any() else 0


def item_topics(corpus: Corpus, labels: np.ndarray, vectors: np.ndarray, catalogue_vectors: np.ndarray | None,
                interactions: pd.DataFrame | None = None, doc_mask: np.ndarray | None = None) -> Items:
    """Items with topic vectors from the catalogue text and from the texts written about them.
    Without any item information the texts themselves are the items (ids doc0, doc1, ...)."""
    k = n_topics(labels)
    catalogue = corpus.catalogue
    if catalogue is None and corpus.items is None and interactions is None:
        return Items(ids=tuple(f"doc{i}" for i in range(len(labels))),
                     titles=tuple(t[:80] for t in corpus.texts), topics=one_hot(labels, k),
                     popularity=np.zeros(len(labels)))
    centroids = topic_centroids(vectors, labels, k)
    keep = np.ones(len(labels), bool) if doc_mask is None else doc_mask
    doc_items = [i if m else "" for i, m in zip(corpus.items, keep)] if corpus.items else None
    return build_items(
        n_topics=k,
        catalogue_ids=catalogue.item_ids if catalogue else (),
        catalogue_titles=catalogue.titles if catalogue else (),
        catalogue_topics=soft_topics(catalogue_vectors, centroids) if catalogue is not None else None,
        doc_items=doc_items, doc_labels=labels, interactions=interactions)


def positive(interactions: pd.DataFrame | None, min_rating: float) -> pd.DataFrame | None:
    """Interactions that express interest: rating >= min_rating (all, when no rating reaches it)."""
    if interactions is None or not len(interactions):
        return None
    threshold = min(min_rating, interactions["rating"].max())
    return interactions[interactions["rating"] >= threshold]


def interests(corpus: Corpus, labels: np.ndarray, items: Items, interactions: pd.DataFrame | None = None,
              doc_mask: np.ndarray | None = None) -> pd.DataFrame:
    """R from what users wrote (one event per text) and the items they liked (the item's topic mix)."""
    k = n_topics(labels)
    keep = np.ones(len(labels), bool) if doc_mask is None else doc_mask.copy()
    keep &= np.array([bool(u) for u in corpus.users])  # texts of no user (a catalogue) shape no interests
    users = [u for u, m in zip(corpus.users, keep) if m]
    weights = [one_hot(labels[keep], k)]
    if interactions is not None and len(interactions):
        index = {item: n for n, item in enumerate(items.ids)}
        liked = interactions[interactions["item_id"].isin(index)]
        users += liked["user_id"].tolist()
        weights.append(items.topics[[index[i] for i in liked["item_id"]]])
    return user_topic_matrix(users, np.vstack(weights), range(k))


def run(corpus: Corpus, settings: Settings, *, cache: EmbeddingCache | None = None,
        progress: StageProgress | None = None) -> Result:
    """The whole pipeline: embed, project, cluster, describe, interests, factorise, recommend, evaluate."""
    timings: dict[str, float] = {}
    say = progress or (lambda stage, fraction: None)

    def timed(stage, fn, *args, **kwargs):
        say(stage, 0.0)
        start = time.perf_counter()
        value = fn(*args, **kwargs)
        timings[stage] = round(time.perf_counter() - start, 3)
        say(stage, 1.0)
        return value

    vectors, catalogue_vectors = timed("embed", embed, corpus, settings, cache=cache,
                                       progress=lambda d, t: say("embed", d / max(t, 1)))
    points = timed("reduce", clustering_space, vectors, settings)
    view = timed("view", project, vectors, settings, 2)
    labels = timed("cluster", assign_topics, corpus.texts, points, settings)
    topics = timed("keywords", describe_topics, corpus.texts, labels, vectors, top_n=10)
    liked = positive(corpus.interactions, settings.min_rating)
    items = timed("items", item_topics, corpus, labels, vectors, catalogue_vectors, liked)
    R = timed("interests", interests, corpus, labels, items, liked)
    fact = timed("factorise", factorize, R, settings.factors, seed=settings.seed)
    recs = timed("recommend", recommend, R, fact.reconstructed, items, topics,
                 seen=seen_items(corpus.users, corpus.items, corpus.interactions), top_n=settings.top_n,
                 popularity_weight=settings.popularity_weight)
    metrics = timed("evaluate", evaluate, corpus, settings, labels, topics, points if points is not None else view,
                    vectors, catalogue_vectors)
    return Result(corpus, settings, vectors, points if points is not None else view, view, labels, topics, R,
                  fact, items, recs, metrics, timings)


def evaluate(corpus: Corpus, settings: Settings, labels: np.ndarray, topics: list[Topic], points: np.ndarray,
             vectors: np.ndarray, catalogue_vectors: np.ndarray | None) -> dict:
    """Topic quality, and leave-last-out HR@10 / NDCG@10 when there is an interaction log."""
    metrics = {"topics": topic_quality(corpus.texts, [list(t.words) for t in topics if t.id >= 0], labels, points,
                                       corpus.labels)}
    if corpus.interactions is not None and len(corpus.interactions):
        metrics["recommendations"] = evaluate_recommendations(corpus, settings, labels, vectors, catalogue_vectors)
    return metrics


def evaluate_recommendations(corpus: Corpus, settings: Settings, labels: np.ndarray, vectors: np.ndarray,
                             catalogue_vectors: np.ndarray | None, k: int = 10) -> dict:
    """Hold out each user's latest liked item, refit interests on the rest, and rank all unseen items
    (blend weights chosen on a validation split of the history; see core.recs_eval)."""
    from core.recs_eval import TopicRecommender

    return TopicRecommender(corpus, settings, vectors, catalogue_vectors, labels).evaluate(corpus.interactions, k)


def settings_record(settings: Settings) -> dict:
    return asdict(settings)
