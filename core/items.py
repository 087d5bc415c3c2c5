"""What can be recommended, with a topic vector per item: from the item's own text (similarity of its
embedding to the topic centroids) and from the texts users wrote about it."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import sparse

from core.cluster import n_topics, one_hot
from core.data import Corpus

TEMPERATURE = 0.05  # softness of an item's topic mix from its cosine similarity to the centroids


@dataclass(frozen=True, kw_only=True)
class Items:
    """What can be recommended: ids, display titles, topic vectors (items x topics) and
    popularity (how many users interacted with or wrote about each item)."""

    ids: tuple[str, ...]
    titles: tuple[str, ...]
    topics: np.ndarray
    popularity: np.ndarray
    texts_are_items: bool = False


def topic_centroids(vectors: np.ndarray, labels: np.ndarray, n_topics: int) -> np.ndarray:
    """Unit-length mean embedding of each topic's texts (topics x dims), from one sparse product over the
    vectors rather than a copy of each topic's (a million texts: seconds)."""
    labels = np.asarray(labels)
    inside = np.flatnonzero((labels >= 0) & (labels < n_topics))
    member = sparse.csr_matrix((np.ones(len(inside), dtype=np.float32), (labels[inside], inside)),
                               shape=(n_topics, len(labels)))
    sums = np.asarray(member @ vectors, dtype=np.float32)
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    return sums / np.where(norms == 0, 1, norms)


def soft_topics(vectors: np.ndarray, centroids: np.ndarray, temperature: float = TEMPERATURE) -> np.ndarray:
    """Each vector's topic mix: a softmax over its cosine similarity to the topic centroids."""
    sims = vectors @ centroids.T / temperature
    sims -= sims.max(axis=1, keepdims=True)
    mix = np.exp(sims)
    return mix / mix.sum(axis=1, keepdims=True)


def build_items(*, n_topics: int, catalogue_ids=(), catalogue_titles=(), catalogue_topics=None,
                doc_items=None, doc_labels=None, interactions: pd.DataFrame | None = None) -> Items:
    """Combine every source of items: the catalogue (topic mix from its text), the item column of
    the texts (share of texts about the item in each topic) and the interaction log (ids only).
    When an item has both, the two topic vectors are averaged."""
    ids = list(dict.fromkeys(list(catalogue_ids) + [i for i in (doc_items or ()) if i] +
                             (interactions["item_id"].tolist() if interactions is not None else [])))
    index = {item: n for n, item in enumerate(ids)}
    from_text = np.zeros((len(ids), n_topics))
    if catalogue_topics is not None:
        from_text[[index[i] for i in catalogue_ids]] = catalogue_topics
    from_docs = np.zeros((len(ids), n_topics))
    users_per_item = {}
    if doc_items is not None:
        for item, label in zip(doc_items, doc_labels):
            if item and label >= 0:
                from_docs[index[item], label] += 1
    from_docs /= np.maximum(from_docs.sum(axis=1, keepdims=True), 1)
    has_text, has_docs = from_text.sum(1) > 0, from_docs.sum(1) > 0
    topics = (from_text + from_docs) / np.maximum(has_text.astype(int) + has_docs.astype(int), 1)[:, None]
    popularity = np.zeros(len(ids))
    if interactions is not None and len(interactions):
        users_per_item = interactions.groupby("item_id")["user_id"].nunique().to_dict()
    for item, count in users_per_item.items():
        popularity[index[item]] = count
    titles = dict(zip(catalogue_ids, catalogue_titles))
    return Items(ids=tuple(ids), titles=tuple(titles.get(i, i) for i in ids), topics=topics, popularity=popularity)


@lru_cache(maxsize=2)
def _texts_as_items(texts: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Ids (doc0, doc1, ...) and titles of the texts as items, remembered: they do not change with k."""
    return tuple(f"doc{i}" for i in range(len(texts))), tuple(t[:80] for t in texts)


def item_topics(corpus: Corpus, labels: np.ndarray, vectors: np.ndarray, catalogue_vectors: np.ndarray | None,
                interactions: pd.DataFrame | None = None, doc_mask: np.ndarray | None = None) -> Items:
    """Items with topic vectors from the catalogue text and from the texts written about them.
    Without any item information the texts themselves are the items (ids doc0, doc1, ...)."""
    k = n_topics(labels)
    catalogue = corpus.catalogue
    if catalogue is None and corpus.items is None and interactions is None:
        ids, titles = _texts_as_items(tuple(corpus.texts))
        return Items(ids=ids, titles=titles, topics=one_hot(labels, k), popularity=np.zeros(len(labels)),
                     texts_are_items=True)
    centroids = topic_centroids(vectors, labels, k)
    keep = np.ones(len(labels), bool) if doc_mask is None else doc_mask
    doc_items = [i if m else "" for i, m in zip(corpus.items, keep)] if corpus.items else None
    return build_items(
        n_topics=k,
        catalogue_ids=catalogue.item_ids if catalogue else (),
        catalogue_titles=catalogue.titles if catalogue else (),
        catalogue_topics=soft_topics(catalogue_vectors, centroids) if catalogue is not None else None,
        doc_items=doc_items, doc_labels=labels, interactions=interactions)
