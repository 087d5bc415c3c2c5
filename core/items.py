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


def build_items(*, ids: tuple[str, ...], titles: tuple[str, ...], n_topics: int, catalogue_ids=(),
                catalogue_topics=None, doc_items=None, doc_labels=None, interactions: pd.DataFrame | None = None) -> Items:
    """The items (`ids`, from item_ids) with topic vectors from every source: the catalogue (topic mix from its
    text) and the item column of the texts (share of texts about the item in each topic); popularity from
    the interaction log. When an item has both, the two topic vectors are averaged."""
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
    return Items(ids=ids, titles=titles, topics=topics, popularity=popularity)


@lru_cache(maxsize=2)
def _texts_as_items(texts: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Ids (doc0, doc1, ...) and titles of the texts as items, remembered: they do not change with k."""
    return tuple(f"doc{i}" for i in range(len(texts))), tuple(t[:80] for t in texts)


def item_ids(corpus: Corpus, interactions: pd.DataFrame | None = None,
             doc_mask: np.ndarray | None = None) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    """(ids, display titles, whether the texts themselves are the items) of what can be recommended: the
    catalogue's items, those of the item column (texts in `doc_mask`) and those of the log, in that order;
    without any item information the texts themselves (ids doc0, doc1, ...)."""
    catalogue = corpus.catalogue
    if catalogue is None and corpus.items is None and interactions is None:
        return (*_texts_as_items(tuple(corpus.texts)), True)
    keep = np.ones(len(corpus), bool) if doc_mask is None else doc_mask
    ids = tuple(dict.fromkeys([*(catalogue.item_ids if catalogue else ()),
                               *(i for i, m in zip(corpus.items or (), keep) if i and m),
                               *(interactions["item_id"].tolist() if interactions is not None else ())]))
    titles = dict(zip(catalogue.item_ids, catalogue.titles)) if catalogue else {}
    return ids, tuple(titles.get(i, i) for i in ids), False


def item_topics(corpus: Corpus, labels: np.ndarray, vectors: np.ndarray, catalogue_vectors: np.ndarray | None,
                interactions: pd.DataFrame | None = None, doc_mask: np.ndarray | None = None) -> Items:
    """Items (item_ids) with topic vectors from the catalogue text and from the texts written about them;
    texts that are the items have their own topic."""
    k = n_topics(labels)
    ids, titles, texts_are_items = item_ids(corpus, interactions, doc_mask)
    if texts_are_items:  # float32: a million texts x k topics, written afresh for each k (exact either way)
        return Items(ids=ids, titles=titles, topics=one_hot(labels, k, np.float32), popularity=np.zeros(len(labels)),
                     texts_are_items=True)
    catalogue = corpus.catalogue
    centroids = topic_centroids(vectors, labels, k)
    keep = np.ones(len(labels), bool) if doc_mask is None else doc_mask
    return build_items(
        ids=ids, titles=titles, n_topics=k,
        catalogue_ids=catalogue.item_ids if catalogue else (),
        catalogue_topics=soft_topics(catalogue_vectors, centroids) if catalogue is not None else None,
        doc_items=[i if m else "" for i, m in zip(corpus.items, keep)] if corpus.items else None,
        doc_labels=labels, interactions=interactions)
