"""Offline evaluation of the recommender from files: an interaction log plus item texts and/or
user texts, leave-last-out, next to popularity and random in the same call."""
from __future__ import annotations

import numpy as np
import pandas as pd

from core.data import Catalogue, Corpus, Report
from core.embed import EmbeddingCache
from core.errors import CoreError
from core.pipeline import Settings, assign_topics, embed, evaluate_recommendations, project


def catalogue_corpus(catalogue: Catalogue, interactions: pd.DataFrame) -> Corpus:
    """The catalogue as the corpus that topics are found in: each item text is a document that
    belongs to no user (so it shapes topics but not interests)."""
    n = len(catalogue.texts)
    report = Report(source="catalogue", rows=n, empty_dropped=0, duplicates=n - len(set(catalogue.texts)),
                    users=0, items=n, language="")
    return Corpus(texts=catalogue.texts, users=("",) * n, rows=tuple(range(n)), report=report,
                  items=catalogue.item_ids, catalogue=catalogue, interactions=interactions)


def evaluate_from_files(interactions: pd.DataFrame, catalogue: Catalogue | None, texts: Corpus | None, *,
                        model: str = "default", windows: bool = True, precision: str = "fp32", k: int = 20,
                        factors: int = 8, popularity_weight: float = 0.1, min_rating: float = 4.0, seed: int = 42,
                        cache: EmbeddingCache | None = None, progress=None) -> dict:
    """HR@10 / NDCG@10 of the project's recommender, popularity and random (leave-last-out)."""
    if catalogue is None and texts is None:
        raise CoreError("Give item texts (--items) or user texts (--texts): the recommender needs words to find topics.")
    if texts is not None:
        corpus = Corpus(texts.texts, texts.users, texts.rows, texts.report, texts.items, texts.labels, texts.times,
                        catalogue, interactions)
    else:
        corpus = catalogue_corpus(catalogue, interactions)
    settings = Settings(model=model, windows=windows, precision=precision, k=min(k, len(corpus)), factors=factors,
                        popularity_weight=popularity_weight, min_rating=min_rating, seed=seed)
    say = progress or (lambda stage, fraction: None)
    vectors, catalogue_vectors = embed(corpus, settings, cache=cache, progress=lambda d, t: say("embed", d / max(t, 1)))
    say("topics", 0.0)
    labels = assign_topics(corpus.texts, project(vectors, settings), settings)
    say("evaluate", 0.0)
    return evaluate_recommendations(corpus, settings, np.asarray(labels), vectors, catalogue_vectors)
