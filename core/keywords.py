"""Describe topics: distinctive keywords with weights, a short label, sizes and
representative texts."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from core.cluster import n_topics as count_topics
from core.items import topic_centroids
from core.language import EAST_ASIAN
from core.text import count_words

BLOCK = 32_768  # texts per block of the closeness product
# Keywords whose first character is in core.language.EAST_ASIAN are east Asian. In a corpus of two scripts
# (at least MIN_TEXTS texts and MIN_SHARE of those with keywords mostly in each), each script's words are
# scored among its own texts, and a script with MIN_TOPIC_TEXTS and MIN_TOPIC_SHARE of a topic's texts shows
# at least MIN_WORDS of its words there (more with a larger share).
MIN_TEXTS, MIN_SHARE, MIN_TOPIC_TEXTS, MIN_TOPIC_SHARE, MIN_WORDS = 10, 0.05, 5, 0.1, 3


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


def keyword_scores(counts: sparse.csr_matrix, labels: np.ndarray, n_topics: int) -> np.ndarray:
    """Topics x words: how distinctive each word is of each topic, by document frequency.

    With p = the share of the topic's texts that contain the word and q = that share over all texts,
    the score is p * log(p / q), the word's term in the KL divergence of the topic from the corpus
    (zero when the word is no more common in the topic than elsewhere). Words in many of a topic's
    texts but few others' rank first: they co-occur (coherence) and differ between topics (diversity),
    where class-based TF-IDF favours words that are merely frequent. A small term frequency share
    breaks ties. The (topic, word) pairs are counted with bincount over the stored counts, in one array of
    their size (a million texts: about 0.2 s, where two sparse products took 0.6-1.2 s).
    """
    n_words, labels = counts.shape[1], np.asarray(labels)
    groups = np.where(labels < 0, n_topics, labels)  # outliers as one more group, dropped below
    cells = (n_topics + 1) * n_words
    pairs = np.repeat(groups.astype(np.int32 if cells < np.iinfo(np.int32).max else np.int64), np.diff(counts.indptr))
    pairs *= n_words
    pairs += counts.indices  # the (topic, word) of each stored count, in place: one array of the counts' size
    with_word = np.bincount(pairs, minlength=cells).astype(np.float64)
    repeated = counts.data > 1  # occurrences = texts with the word + the repeats within a text
    occurrences = with_word + np.bincount(pairs[repeated], weights=counts.data[repeated] - 1, minlength=cells)
    with_word, occurrences = (a.reshape(n_topics + 1, n_words)[:n_topics] for a in (with_word, occurrences))
    sizes = np.maximum(np.bincount(labels[labels >= 0], minlength=n_topics), 1)[:, None]
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
    counts, vocab = count_words(texts)
    scripts = [_scored(counts, labels, n_topics, rows) for rows in _script_groups(counts, vocab)] if len(vocab) else []
    names = dict(names)
    for topic, word in stop_words:
        at = np.searchsorted(vocab, word) if len(vocab) else 0
        if at < len(vocab) and vocab[at] == word:
            for _, scores in scripts:
                scores[slice(None) if topic < 0 else slice(topic, topic + 1), at] = 0
    topics, closeness = [], _closeness(labels, n_topics, vectors)
    for t in list(range(n_topics)) + ([-1] if (labels < 0).any() else []):
        members = np.flatnonzero(labels == t)
        best = _top_words(scripts, t, top_n) if t >= 0 and scripts else []
        words, weights = tuple(str(vocab[i]) for i, _ in best), tuple(round(w, 5) for _, w in best)
        name = names.get(t, "") if t >= 0 else ""
        label = "Outliers" if t < 0 else (name or " · ".join(words[:3]) or f"Topic {t}")
        nearest = _representatives(members, closeness, n_representatives)
        topics.append(Topic(id=t, size=len(members), words=words, weights=weights, label=f"{t}: {label}"
                            if t >= 0 else label, representatives=nearest, name=name))
    return topics


def _script_groups(counts: sparse.csr_matrix, vocab: np.ndarray) -> list[np.ndarray | None]:
    """The rows whose keywords are mostly east Asian and those mostly in other scripts, in a corpus of two
    scripts; else [None] (every text, one group). Texts without keywords are in neither."""
    east = np.zeros(len(vocab), dtype=bool)
    for low, high in EAST_ASIAN:  # the vocabulary is sorted: each range of first characters is one slice
        east[np.searchsorted(vocab, low):np.searchsorted(vocab, high)] = True
    if east.all() or not east.any():
        return [None]
    words = np.asarray(counts.sum(axis=1)).ravel()
    mostly_east = np.asarray(counts @ east.astype(np.int64)).ravel() * 2 > words
    groups = [np.flatnonzero(mostly_east), np.flatnonzero(~mostly_east & (words > 0))]
    fewest = min(map(len, groups))
    return groups if fewest >= max(MIN_TEXTS, MIN_SHARE * np.count_nonzero(words)) else [None]


def _scored(counts: sparse.csr_matrix, labels: np.ndarray, n_topics: int, rows) -> tuple[np.ndarray, np.ndarray]:
    """(texts per topic, keyword scores) among the given rows (None: all)."""
    if rows is not None:
        counts, labels = counts[rows], labels[rows]
    return np.bincount(labels[labels >= 0], minlength=n_topics), keyword_scores(counts, labels, n_topics)


def _top_words(scripts: list, topic: int, top_n: int) -> list[tuple[int, float]]:
    """(word index, score) of a topic's top_n keywords: with one group its best words; with a group per
    script, each script with MIN_TOPIC_TEXTS and MIN_TOPIC_SHARE of the topic's texts gets places in
    proportion to its texts (MIN_WORDS at least; places a script cannot fill go to the others), the script
    of most of the topic's texts first, so that the topic's label reads in its main language."""
    sizes = [int(per_topic[topic]) for per_topic, _ in scripts]
    shown = sorted((g for g, size in enumerate(sizes) if size >= max(MIN_TOPIC_TEXTS, MIN_TOPIC_SHARE * sum(sizes))
                    or size == max(sizes)), key=lambda g: -sizes[g])
    total = max(1, sum(sizes[g] for g in shown))
    places = {g: max(MIN_WORDS, round(top_n * sizes[g] / total)) for g in shown}
    while sum(places.values()) > top_n:
        places[max(places, key=places.get)] -= 1
    ranked = {}
    for g in shown:
        row = scripts[g][1][topic]
        ranked[g] = [(int(i), float(row[i])) for i in np.argsort(-row, kind="stable")[:2 * top_n] if row[i] > 0]
    chosen: dict[int, float] = {}
    for g in shown:
        for i, score in [pair for pair in ranked[g] if pair[0] not in chosen][:places[g]]:
            chosen[i] = score
    for i, score in sorted((pair for g in shown for pair in ranked[g]), key=lambda pair: -pair[1]):
        if len(chosen) < top_n and i not in chosen:
            chosen[i] = score
    return list(chosen.items())[:top_n]


def _closeness(labels: np.ndarray, n_topics: int, vectors: np.ndarray | None) -> np.ndarray | None:
    """Each text's dot product with its own group's unit centroid (topics, then the outliers as one group),
    in blocks of rows: a block's product with every centroid is small, and no texts x topics array is
    kept (a million texts: 0.8 s against 1.2 s for the whole product)."""
    if vectors is None:
        return None
    groups = np.where(labels < 0, n_topics, labels)
    centroids = topic_centroids(vectors, groups, n_topics + 1)
    closeness = np.empty(len(labels), dtype=np.result_type(vectors, centroids))
    for start in range(0, len(labels), BLOCK):
        block = vectors[start:start + BLOCK] @ centroids.T
        closeness[start:start + len(block)] = block[np.arange(len(block)), groups[start:start + BLOCK]]
    return closeness


def _representatives(members: np.ndarray, closeness: np.ndarray | None, n: int) -> tuple[int, ...]:
    """The n members closest to their centroid, the earlier text first on a tie (a stable sort of only those
    within the n-th closeness: a topic of 40,000 texts sorts a handful)."""
    if closeness is None or len(members) == 0:
        return tuple(int(i) for i in members[:n])
    distance = -closeness[members]
    if len(members) > n:
        near = distance <= np.partition(distance, n - 1)[n - 1]
        members, distance = members[near], distance[near]
    return tuple(int(members[i]) for i in np.argsort(distance, kind="stable")[:n])
