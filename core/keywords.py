"""Describe topics: distinctive keywords with weights, a short label, sizes and
representative texts."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import sparse

from core.cluster import n_topics as count_topics
from core.items import topic_centroids
from core.text import tokenize_corpus


@dataclass(frozen=True, kw_only=True)
class Topic:
    """One topic: its id, how many texts it holds, its top words and their keyword weights, the name an
    analyst gave it (empty when none), a short label ("3: name" or "3: top · three · words"), and the
    indices of its most representative texts."""

    id: int
    size: int
    words: tuple[str, ...]
    weights: tuple[float, ...]
    label: str
    representatives: tuple[int, ...]
    name: str = ""

    @property
    def title(self) -> str:
        """What to call the topic in a sentence: its name, else its first three keywords."""
        return self.name or " · ".join(self.words[:3]) or f"topic {self.id}"


def count_words(texts) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Document-word counts over keyword tokens, and the (sorted) vocabulary; remembered for the last
    few corpora, so a new k only regroups them. Treat the matrix as read-only.

    Words in fewer than 2 texts are dropped on corpora of 50+ texts: they cannot characterise a topic.
    """
    return _count_words(tuple(texts))[:2]


@lru_cache(maxsize=4)
def _count_words(texts: tuple[str, ...]) -> tuple[sparse.csr_matrix, np.ndarray, sparse.csr_matrix]:
    """The counts, the vocabulary and the counts as 0/1 (which texts hold each word)."""
    tokens = tokenize_corpus(texts)
    n = len(texts)
    rows = np.repeat(np.arange(n), np.diff(tokens.offsets))
    counts = sparse.csr_matrix((np.ones(len(rows), dtype=np.int64), (rows, tokens.ids)), shape=(n, len(tokens.vocab)))
    keep = np.flatnonzero(np.bincount(counts.indices, minlength=counts.shape[1]) >= (2 if n >= 50 else 1))
    counts = counts[:, keep]
    present = sparse.csr_matrix((np.ones(counts.nnz, dtype=np.int8), counts.indices, counts.indptr), shape=counts.shape)
    return counts, tokens.vocab[keep], present


def keyword_scores(counts: sparse.csr_matrix, present: sparse.csr_matrix, labels: np.ndarray,
                   n_topics: int) -> np.ndarray:
    """Topics x words: how distinctive each word is of each topic, by document frequency.

    With p = the share of the topic's texts that contain the word and q = that share over all texts,
    the score is p * log(p / q), the word's term in the KL divergence of the topic from the corpus
    (zero when the word is no more common in the topic than elsewhere). Words in many of a topic's
    texts but few others' rank first: they co-occur (coherence) and differ between topics (diversity),
    where class-based TF-IDF favours words that are merely frequent. A small term frequency share
    breaks ties. `present` is `counts` as 0/1.
    """
    inside = labels >= 0
    member = sparse.csr_matrix((np.ones(int(inside.sum())), (labels[inside], np.flatnonzero(inside))),
                               shape=(n_topics, counts.shape[0]))
    with_word = np.asarray((member @ present).todense(), dtype=np.float64)
    occurrences = np.asarray((member @ counts).todense(), dtype=np.float64)
    sizes = np.maximum(np.bincount(labels[inside], minlength=n_topics), 1)[:, None]
    p = with_word / sizes
    q = np.maximum(with_word.sum(axis=0) / sizes.sum(), 1e-12)
    lift = np.log(np.where(p > 0, p / q, 1.0))
    tf = occurrences / np.maximum(occurrences.sum(axis=1, keepdims=True), 1)
    return np.clip(p * lift, 0, None) + 1e-6 * tf


def describe_topics(texts, labels: np.ndarray, vectors: np.ndarray | None = None, *, top_n: int = 10,
                    n_representatives: int = 3, names=(), stop_words=()) -> list[Topic]:
    """Topics in id order (outliers, id -1, last when present) with keywords, label, size and the
    texts nearest the topic centroid in embedding space (`vectors`; first texts when None). `names` are
    (topic, name) pairs; `stop_words` (topic, word) pairs keep a word out of a topic's keywords (topic
    -1: out of every topic's)."""
    labels = np.asarray(labels)
    n_topics = count_topics(labels)
    counts, vocab, present = _count_words(tuple(texts))
    scores = keyword_scores(counts, present, labels, n_topics) if len(vocab) else np.zeros((n_topics, 0))
    names = dict(names)
    for topic, word in stop_words:
        at = np.searchsorted(vocab, word) if len(vocab) else 0
        if at < len(vocab) and vocab[at] == word:
            scores[slice(None) if topic < 0 else slice(topic, topic + 1), at] = 0
    topics, closeness = [], _closeness(labels, n_topics, vectors)
    for t in list(range(n_topics)) + ([-1] if (labels < 0).any() else []):
        members = np.flatnonzero(labels == t)
        if t >= 0 and scores.shape[1]:
            row = scores[t]
            best = [i for i in np.argsort(-row, kind="stable")[:top_n] if row[i] > 0]
            words, weights = tuple(str(vocab[i]) for i in best), tuple(round(float(row[i]), 5) for i in best)
        else:
            words, weights = (), ()
        name = names.get(t, "") if t >= 0 else ""
        label = "Outliers" if t < 0 else (name or " · ".join(words[:3]) or f"Topic {t}")
        nearest = _representatives(members, closeness, t if t >= 0 else n_topics, n_representatives)
        topics.append(Topic(id=t, size=len(members), words=words, weights=weights, label=f"{t}: {label}"
                            if t >= 0 else label, representatives=nearest, name=name))
    return topics


def _closeness(labels: np.ndarray, n_topics: int, vectors: np.ndarray | None) -> np.ndarray | None:
    """Texts x (topics, then the outliers): each text's dot product with each group's unit centroid, for
    all topics in one pass over the vectors."""
    if vectors is None:
        return None
    return vectors @ topic_centroids(vectors, np.where(labels < 0, n_topics, labels), n_topics + 1).T


def _representatives(members: np.ndarray, closeness: np.ndarray | None, column: int, n: int) -> tuple[int, ...]:
    if closeness is None or len(members) == 0:
        return tuple(int(i) for i in members[:n])
    own = closeness[members, column]
    return tuple(int(members[i]) for i in np.argsort(-own, kind="stable")[:n])
