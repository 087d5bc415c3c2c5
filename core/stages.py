"""The pipeline declared once: each stage names the earlier results it reads, the settings it reads and
the function that computes it. core.pipeline.run walks STAGES in order; the app caches each stage on
stage_key (the data, the stage's own settings and those of every stage before it), so neither can
compute what the other would not, and no cache key is kept by hand.

    corpus --vectors--> space --clusters--> labels (curated) --> topics, items --> interests --> factorization
             \\--> view                                         \\--> quality
                                                    topics --> evaluation (blend chosen on validation)
             \\--> history (the log, whatever the topics) ---------> recommender --> recommendations
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from core import cluster, reduce
from core.cpus import one_blas_thread
from core.align import align, language_means
from core.curation import apply_edits
from core.data import Corpus
from core.embedders import AUTO, EmbeddingCache, choose_model, count_missing, load_embedder, model_entry
from core.evaluate import topic_quality
from core.interests import factorize, interests, positive
from core.items import item_topics
from core.keywords import describe_topics
from core.recommender import Evaluation, Recommender, evaluate
from core.recommender.history import History, learn
from core.settings import Settings
from core.text import BLOB_MIN_CHARS, model_input
from core.vectors import embed_corpus, made_with

ROOTS = ("corpus", "context")  # what a run starts from: the data, and where to cache and report progress


@dataclass(frozen=True, kw_only=True)
class Context:
    """What a stage may use besides its inputs and settings, and which never changes its result: the disk
    cache of embeddings, a progress callback, progress(done, total), and embeddings made before (KnownVectors)."""

    cache: EmbeddingCache | None = None
    progress: Callable[[int, int], None] | None = None
    known: KnownVectors | None = None


@dataclass(frozen=True, kw_only=True)
class Embeddings:
    """The vectors of the texts and of the catalogue items (one space), the model that made them and why
    that model was chosen, the precision it ran in and why, how many texts the model read only in part
    (encoded attachments or other long runs without spaces left out; see core.text.model_input), and the
    mean vector of each language that was taken out of them (core.align; empty for a one-language corpus)."""

    texts: np.ndarray
    catalogue: np.ndarray | None
    model: str
    why: str
    precision: str = ""
    precision_why: str = ""
    read_in_part: int = 0
    language_means: dict = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class KnownVectors:
    """Embeddings made before, for the corpus with `fingerprint` under `settings` (read from a saved session,
    core.sessions, or made by the app's background job): the vectors stage returns them instead of embedding
    when its corpus and the settings it reads are the same."""

    fingerprint: str
    settings: Settings
    embeddings: Embeddings

    def fits(self, corpus: Corpus, settings: Settings) -> bool:
        return stage_key("vectors", self.settings) == stage_key("vectors", settings) and \
            self.fingerprint == corpus.fingerprint


@dataclass(frozen=True, kw_only=True)
class Stage:
    """name: what it produces; inputs: earlier stages' names or ROOTS; reads: the Settings fields (or
    properties) its result depends on; run(settings, *inputs); doing: what the app says while it runs."""

    name: str
    inputs: tuple[str, ...]
    reads: tuple[str, ...]
    run: Callable
    doing: str


def model_choice(corpus: Corpus, settings: Settings) -> tuple[str, str]:
    """(the model to use, why): the one asked for, or for 'auto' the one core.embedders.choose_model
    picks for the corpus' language."""
    if settings.model == AUTO:
        return choose_model(corpus.report.language)
    return settings.model, "chosen by hand"


def embed(settings: Settings, corpus: Corpus, context: Context) -> Embeddings:
    """Vectors of the texts and of the catalogue items, embedded together in one space (or the known ones)."""
    if context.known is not None and context.known.fits(corpus, settings):
        return context.known.embeddings
    model, why = model_choice(corpus, settings)
    embedder = load_embedder(model, settings.windows, settings.precision, settings.seed)
    catalogue = list(corpus.catalogue.texts) if corpus.catalogue else []
    vectors = embed_corpus(embedder, corpus, catalogue, model=model, windows=settings.windows, cache=context.cache,
                           progress=context.progress)  # the texts' from the corpus' vectors file when it has one
    n = len(corpus.texts)
    means = language_means(vectors[:n], corpus.texts) if settings.align_languages else {}
    if means or catalogue:  # else the vectors stay as they are, without a copy (a million texts: 1.5 GB)
        vectors = np.vstack([align(vectors[:n], corpus.texts, means), align(vectors[n:], catalogue, means)])
    means = {str(language): mean for language, mean in means.items()}
    in_part = 0 if embedder.fitted_on_corpus else sum(
        1 for t in dict.fromkeys(corpus.texts) if len(t) >= BLOB_MIN_CHARS and model_input(t) != t)
    precision, precision_why = made_with(corpus, embedder)
    return Embeddings(texts=vectors[:n], catalogue=vectors[n:] if catalogue else None, model=model, why=why,
                      precision=precision, precision_why=precision_why, read_in_part=in_part, language_means=means)


def pending_texts(settings: Settings, corpus: Corpus, cache: EmbeddingCache | None) -> int:
    """How many distinct texts (and catalogue items) the vectors stage would embed now: those missing from
    the disk cache; none for a model fitted on the corpus (the TF-IDF baseline is quick)."""
    embedder = load_embedder(model_choice(corpus, settings)[0], settings.windows, settings.precision, settings.seed)
    texts = [] if corpus.vectors is not None else list(corpus.texts)  # a vectors file holds the texts' already
    return count_missing(embedder, texts + (list(corpus.catalogue.texts) if corpus.catalogue else []), cache)


def clustering_space(settings: Settings, corpus: Corpus, vectors: Embeddings) -> np.ndarray | None:
    """The points the method clusters, with the texts' words beside a language model's vectors (not beside the
    TF-IDF baseline's, which are words already)."""
    words = not model_entry(vectors.model).fitted_on_corpus
    return reduce.clustering_space(vectors.texts, settings.space, texts=corpus.texts if words else None,
                                   dims=settings.cluster_dims, n_neighbors=settings.n_neighbors, seed=settings.seed)


def view(settings: Settings, vectors: Embeddings) -> np.ndarray:
    """UMAP coordinates of the texts for the 2D or 3D view (settings.view_dims)."""
    return reduce.reduce(vectors.texts, settings.view_dims, seed=settings.seed, n_neighbors=settings.n_neighbors,
                         min_dist=0.1, n_epochs=reduce.VIEW_EPOCHS)


def assign_topics(settings: Settings, corpus: Corpus, space: np.ndarray | None) -> np.ndarray:
    """A topic per text with the chosen method, from its clustering space (the texts, for a method that reads
    words). One thread: on a few thousand points threads cost more than they save, and stall a busy machine."""
    with one_blas_thread():
        return cluster.cluster(list(corpus.texts) if space is None else space, settings.cluster_settings)


def curate(settings: Settings, clusters: np.ndarray, space: np.ndarray | None, vectors: Embeddings) -> np.ndarray:
    """The clustering's topics after the analyst's merges and splits (a split re-clusters in the same space)."""
    return apply_edits(clusters, settings.topic_edits, vectors.texts if space is None else space, settings.seed)


def topics(settings: Settings, corpus: Corpus, labels: np.ndarray, vectors: Embeddings):
    return describe_topics(corpus.texts, labels, vectors.texts, top_n=10, names=settings.topic_names,
                           stop_words=settings.stop_words)


def items(settings: Settings, corpus: Corpus, labels: np.ndarray, vectors: Embeddings):
    return item_topics(corpus, labels, vectors.texts, vectors.catalogue, positive(corpus.interactions, settings.min_rating))


def user_interests(settings: Settings, corpus: Corpus, labels: np.ndarray, items) -> pd.DataFrame:
    return interests(corpus, labels, items, positive(corpus.interactions, settings.min_rating))


def factorization(settings: Settings, R: pd.DataFrame):
    return factorize(R, settings.factors, seed=settings.seed)


def recommendations(settings: Settings, recommender: Recommender) -> pd.DataFrame:
    return recommender.recommend(top_n=settings.top_n)


def quality(settings: Settings, corpus: Corpus, labels: np.ndarray, found, space: np.ndarray | None) -> dict:
    """Topic quality; silhouette in the method's own clustering space (none for a method that reads words)."""
    return topic_quality(corpus.texts, [list(t.words) for t in found if t.id >= 0], labels, space, corpus.labels)


def evaluation(settings: Settings, corpus: Corpus, labels: np.ndarray, vectors: Embeddings, found) -> Evaluation | None:
    """Leave-last-out HR@10 / NDCG@10 of the recommender, its blend chosen on a validation split of the
    history; None without an interaction log."""
    if corpus.interactions is None or not len(corpus.interactions):
        return None
    return evaluate(unfitted_recommender(settings, corpus, labels, vectors, found), corpus.interactions)


def history(settings: Settings, corpus: Corpus, vectors: Embeddings) -> History:
    """What the recommender learns from the log and the texts whatever the topics (ALS, popularity, text
    similarity's sources): learned once, not again for each k."""
    return learn(corpus, vectors.texts, vectors.catalogue, corpus.interactions, settings)


def recommender(settings: Settings, corpus: Corpus, labels: np.ndarray, vectors: Embeddings, found,
                evaluated: Evaluation | None, learned: History) -> Recommender:
    """The recommender fitted on everything, with the blend the evaluation chose and measured."""
    return unfitted_recommender(settings, corpus, labels, vectors, found).fit(
        corpus.interactions, blend=evaluated.blend if evaluated is not None else None, history=learned)


def unfitted_recommender(settings: Settings, corpus: Corpus, labels: np.ndarray, vectors: Embeddings,
                         found) -> Recommender:
    return Recommender(corpus=corpus, labels=labels, vectors=vectors.texts, catalogue_vectors=vectors.catalogue,
                       topics=found, settings=settings)


EMBEDDING = ("model", "windows", "precision", "align_languages", "seed")
RECOMMENDER = ("factors", "popularity_weight", "min_rating", "seed")
STAGES = (
    Stage(name="vectors", inputs=("corpus", "context"), reads=EMBEDDING, run=embed, doing="Embedding the texts…"),
    Stage(name="space", inputs=("corpus", "vectors"), reads=("space", "cluster_dims", "n_neighbors", "seed"),
          run=clustering_space, doing="Preparing the clustering space…"),
    Stage(name="view", inputs=("vectors",), reads=("view_dims", "n_neighbors", "seed"), run=view,
          doing="Projecting with UMAP for the view…"),
    Stage(name="clusters", inputs=("corpus", "space"),
          reads=("method", "topic_count", "min_cluster_size", "reassign_outliers", "seed"),
          run=assign_topics, doing="Finding topics…"),
    Stage(name="labels", inputs=("clusters", "space", "vectors"), reads=("topic_edits",), run=curate,
          doing="Merging and splitting topics…"),
    Stage(name="topics", inputs=("corpus", "labels", "vectors"), reads=("topic_names", "stop_words"), run=topics,
          doing="Describing the topics…"),
    Stage(name="items", inputs=("corpus", "labels", "vectors"), reads=("min_rating",), run=items,
          doing="Giving each item its topics…"),
    Stage(name="interests", inputs=("corpus", "labels", "items"), reads=("min_rating",), run=user_interests,
          doing="Building the user-topic interests…"),
    Stage(name="factorization", inputs=("interests",), reads=("factors", "seed"), run=factorization,
          doing="Factorising R ≈ U Vᵀ…"),
    Stage(name="evaluation", inputs=("corpus", "labels", "vectors", "topics"), reads=RECOMMENDER, run=evaluation,
          doing="Evaluating: holding out each user's latest liked item, choosing the blend on the rest…"),
    Stage(name="history", inputs=("corpus", "vectors"), reads=("min_rating", "seed"), run=history,
          doing="Learning from the interactions (collaborative filtering)…"),
    Stage(name="recommender", inputs=("corpus", "labels", "vectors", "topics", "evaluation", "history"),
          reads=RECOMMENDER, run=recommender, doing="Fitting the recommender…"),
    Stage(name="recommendations", inputs=("recommender",), reads=("top_n",), run=recommendations,
          doing="Ranking items for every user…"),
    Stage(name="quality", inputs=("corpus", "labels", "topics", "space"), reads=(), run=quality,
          doing="Measuring topic quality…"),
)
BY_NAME = {stage.name: stage for stage in STAGES}


def stage_settings(name: str) -> tuple[str, ...]:
    """The settings a stage's result depends on: its own and those of every stage it reads, sorted."""
    stage = BY_NAME[name]
    fields = set(stage.reads)
    for upstream in stage.inputs:
        if upstream not in ROOTS:
            fields |= set(stage_settings(upstream))
    return tuple(sorted(fields))


def stage_key(name: str, settings: Settings) -> tuple:
    """What identifies a stage's result besides the data: (setting, value) for each of stage_settings."""
    return (name, *((field, getattr(settings, field)) for field in stage_settings(name)))


def model_label(name: str) -> str:
    return model_entry(name).label
