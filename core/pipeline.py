"""Run the declared stages (core.stages) on a corpus: what `python -m core run` does, and what the app's
cached stages compute one by one."""
from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from core.align import align, language_means
from core.data import Catalogue, Corpus, Report
from core.embedders import EmbeddingCache, embed_texts, load_embedder, model_entry
from core.errors import CoreError
from core.evaluate import topic_quality
from core.interests import Factorization
from core.items import Items
from core.keywords import Topic, describe_topics
from core.recommender import Evaluation, Recommender
from core.recommender.history import History
from core.settings import Settings
from core.stages import BY_NAME, STAGES, Context, Embeddings, KnownVectors, unfitted_recommender
from core.language import detect_language

StageProgress = Callable[[str, float], None]


@dataclass(frozen=True, kw_only=True)
class Result:
    """Everything one run produced, by stage; the pages and the command line read it."""

    corpus: Corpus
    settings: Settings
    vectors: Embeddings
    space: np.ndarray | None
    view: np.ndarray
    clusters: np.ndarray
    labels: np.ndarray
    topics: list[Topic]
    items: Items
    interests: pd.DataFrame
    factorization: Factorization
    evaluation: Evaluation | None
    history: History
    recommender: Recommender
    recommendations: pd.DataFrame
    quality: dict
    timings: dict = field(default_factory=dict)

    @property
    def metrics(self) -> dict:
        """Topic quality and, with an interaction log, the recommender's offline evaluation."""
        return {"topics": self.quality, **({"recommendations": self.evaluation.record()} if self.evaluation else {})}


def run(corpus: Corpus, settings: Settings, *, cache: EmbeddingCache | None = None,
        progress: StageProgress | None = None, known: KnownVectors | None = None) -> Result:
    """Every stage of core.stages.STAGES in order, each timed; progress(stage, fraction) as they go; `known`
    embeddings (e.g. from a saved session) are used instead of embedding when they fit."""
    values, timings = run_stages(corpus, settings, cache=cache, progress=progress, known=known)
    return Result(settings=settings, timings=timings, **{name: values[name] for name in ("corpus", *BY_NAME)})


def run_stages(corpus: Corpus, settings: Settings, *, until: str | None = None, cache: EmbeddingCache | None = None,
               progress: StageProgress | None = None, known: KnownVectors | None = None) -> tuple[dict, dict]:
    """The values of the stages up to and including `until` (all by default; with `until`, only the stages
    it reads) and each one's seconds."""
    say = progress or (lambda stage, fraction: None)
    values: dict = {"corpus": corpus}
    timings: dict[str, float] = {}
    needed = _upstream(until) if until else set(BY_NAME)
    for stage in (stage for stage in STAGES if stage.name in needed):
        values["context"] = Context(cache=cache, known=known, progress=lambda done, total, name=stage.name:
                                    say(name, done / max(total, 1)))
        say(stage.name, 0.0)
        start = time.perf_counter()
        values[stage.name] = stage.run(settings, *(values[name] for name in stage.inputs))
        timings[stage.name] = round(time.perf_counter() - start, 3)
        say(stage.name, 1.0)
        if stage.name == until:
            break
    return values, timings


def _upstream(name: str) -> set[str]:
    """`name` and every stage it reads, directly or through others."""
    return {name}.union(*(_upstream(i) for i in BY_NAME[name].inputs if i in BY_NAME))


def catalogue_corpus(catalogue: Catalogue) -> Corpus:
    """The catalogue as the corpus that topics are found in: each item text is a document that belongs to
    no user (so it shapes topics but not interests)."""
    n = len(catalogue.texts)
    report = Report(source="catalogue", rows=n, empty_dropped=0, duplicates=n - len(set(catalogue.texts)),
                    users=0, items=n, language=detect_language(catalogue.texts))
    return Corpus(texts=catalogue.texts, users=("",) * n, rows=tuple(range(n)), report=report,
                  items=catalogue.item_ids, catalogue=catalogue)


def fit_recommender(catalogue: Catalogue | None, settings: Settings, *, texts: Corpus | None = None,
                    cache: EmbeddingCache | None = None, progress: StageProgress | None = None) -> Recommender:
    """The recommender, not yet fitted, with topics from the users' texts when given, else from the
    catalogue's item texts (core.recommender.evaluate measures it; fit lists items)."""
    if catalogue is None and texts is None:
        raise CoreError("Give item texts or user texts: the recommender needs words to find topics.")
    corpus = catalogue_corpus(catalogue) if texts is None else dataclasses.replace(texts, catalogue=catalogue)
    values, _ = run_stages(corpus, settings, until="topics", cache=cache, progress=progress)
    return unfitted_recommender(settings, corpus, values["labels"], values["vectors"], values["topics"])


def embed_profile(text: str, corpus: Corpus, settings: Settings, vectors: Embeddings, *,
                  cache: EmbeddingCache | None = None) -> tuple[np.ndarray, Embeddings]:
    """A new user's text as a vector in the same space as the corpus `vectors`, and the corpus and
    catalogue vectors to compare it with. A transformer embeds the text on its own (as a passage, like
    the corpus): the vectors are `vectors`; a model fitted on the corpus (LSA) is fitted again on the
    corpus and catalogue with the text added, and the text's vector and theirs come from that one fit."""
    embedder = load_embedder(vectors.model, settings.windows, settings.precision, settings.seed)
    if not model_entry(vectors.model).fitted_on_corpus:
        return align(embed_texts(embedder, [text], cache=cache), [text], vectors.language_means)[0], vectors
    catalogue = list(corpus.catalogue.texts) if corpus.catalogue else []
    n = len(corpus.texts)
    together = embed_texts(embedder, list(corpus.texts) + catalogue + [text])
    means = vectors.language_means and language_means(together[:n], corpus.texts)
    refitted = dataclasses.replace(vectors, texts=align(together[:n], corpus.texts, means),
                                   catalogue=align(together[n:-1], catalogue, means) if catalogue else None)
    return align(together[-1:], [text], means)[0], refitted


def k_sweep(corpus: Corpus, space: np.ndarray | None, settings: Settings, ks) -> pd.DataFrame:
    """Silhouette and NPMI coherence of the settings' method for each k in `ks`, in the same space."""
    rows = []
    for k in ks:
        labels = BY_NAME["clusters"].run(dataclasses.replace(settings, k=k), corpus, space)
        words = [list(t.words) for t in describe_topics(corpus.texts, labels, top_n=10) if t.id >= 0]
        figures = topic_quality(corpus.texts, words, labels, space)
        rows.append({"k": k, "silhouette": figures.get("silhouette"), "coherence": figures["npmi"]})
    return pd.DataFrame(rows)
