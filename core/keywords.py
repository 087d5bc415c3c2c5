"""Describe topics: class-based TF-IDF keywords with weights, a short label, sizes and
representative texts."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from core.text import tokenize


@dataclass(frozen=True)
class Topic:
    """One topic: its id, how many texts it holds, its top words and their c-TF-IDF weights,
    a short label, and the indices of its most representative texts."""

    id: int
    size: int
    words: tuple[str, ...]
    weights: tuple[float, ...]
    label: str
    representatives: tuple[int, ...]


def count_words(texts) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Document-word counts over keyword tokens, and the vocabulary.

    Words in fewer than 2 texts are dropped on corpora of 50+ texts: they cannot characterise a topic.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    vectorizer = CountVectorizer(tokenizer=tokenize, lowercase=False, token_pattern=None,
                                 min_df=2 if len(texts) >= 50 else 1)
    try:
        counts = vectorizer.fit_transform(texts)
    except ValueError:  # no token in any text (emoji only, numbers only, unknown scripts)
        return sparse.csr_matrix((len(texts), 0)), np.array([], dtype=object)
    return counts.tocsr(), vectorizer.get_feature_names_out()


def ctfidf(counts: sparse.csr_matrix, labels: np.ndarray, n_topics: int) -> np.ndarray:
    """Class-based TF-IDF (topics x words): a word's frequency within the topic, square-rooted so
    that a few very frequent words do not dominate, times log(1 + average topic size / the word's
    total frequency), which favours words that are distinctive of a topic over corpus-wide ones."""
    member = sparse.csr_matrix((np.ones(int((labels >= 0).sum())), (labels[labels >= 0], np.flatnonzero(labels >= 0))),
                               shape=(n_topics, counts.shape[0]))
    per_topic = np.asarray((member @ counts).todense(), dtype=np.float64)
    totals = per_topic.sum(axis=1, keepdims=True)
    tf = np.sqrt(per_topic / np.where(totals == 0, 1, totals))
    frequency = per_topic.sum(axis=0)
    idf = np.log(1 + totals.mean() / np.where(frequency == 0, 1, frequency))
    return tf * idf


def describe_topics(texts, labels: np.ndarray, vectors: np.ndarray | None = None, *, top_n: int = 10,
                    n_representatives: int = 3) -> list[Topic]:
    """Topics in id order (outliers, id -1, last when present) with keywords, label, size and the
    texts nearest the topic centroid in embedding space (`vectors`; first texts when None)."""
    labels = np.asarray(labels)
    n_topics = int(labels.max()) + 1 if (labels >= 0).any() else 0
    counts, vocab = count_words(list(texts))
    scores = ctfidf(counts, labels, n_topics) if len(vocab) else np.zeros((n_topics, 0))
    topics = []
    for t in list(range(n_topics)) + ([-1] if (labels < 0).any() else []):
        members = np.flatnonzero(labels == t)
        if t >= 0 and scores.shape[1]:
            row = scores[t]
            best = [i for i in np.argsort(-row, kind="stable")[:top_n] if row[i] > 0]
            words, weights = tuple(str(vocab[i]) for i in best), tuple(round(float(row[i]), 5) for i in best)
        else:
            words, weights = (), ()
        label = "Outliers" if t < 0 else (" · ".join(words[:3]) if words else f"Topic {t}")
        topics.append(Topic(id=t, size=len(members), words=words, weights=weights, label=f"{t}: {label}"
                            if t >= 0 else label, representatives=_representatives(members, vectors, n_representatives)))
    return topics


def _representatives(members: np.ndarray, vectors: np.ndarray | None, n: int) -> tuple[int, ...]:
    if vectors is None or len(members) == 0:
        return tuple(int(i) for i in members[:n])
    centroid = vectors[members].mean(axis=0)
    closeness = vectors[members] @ centroid
    return tuple(int(members[i]) for i in np.argsort(-closeness, kind="stable")[:n])
