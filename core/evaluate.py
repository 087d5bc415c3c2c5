"""Quality figures: NPMI coherence, topic diversity, silhouette, purity/NMI/ARI against labels,
and leave-last-out HR@K / NDCG@K for recommendations with popularity and random baselines."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
from scipy import sparse

from core.text import TokenizedCorpus, tokenize_corpus

EPSILON = 1e-12


@dataclass(frozen=True)
class Figure:
    """A quality figure as a reader sees it: its name and one line on how to read it."""

    label: str
    help: str


FIGURES = {
    "topics": Figure("Topics", "How many topics the texts were grouped into."),
    "npmi": Figure("Coherence (NPMI)", "Do a topic's keywords occur together in the texts? From -1 to 1: higher is "
                   "better, 0 means no more often than by chance."),
    "diversity": Figure("Diversity", "Share of distinct words among all topics' top 10 keywords: 1 means no topic "
                        "repeats another's words."),
    "silhouette": Figure("Silhouette", "How well separated the topics are in the space the method clustered in, "
                         "from -1 to 1 (higher is better); compare it only between runs of the same method."),
    "outliers": Figure("Outliers (share)", "Share of texts left without a topic."),
    "purity": Figure("Purity", "Share of texts whose topic's most common label is their own label (1 is best)."),
    "nmi": Figure("NMI", "Agreement of the topics with the label column, from 0 (chance) to 1 (the same groups)."),
    "ari": Figure("ARI", "Agreement of the topics with the label column, corrected for chance: 0 is chance, 1 the "
                  "same groups."),
}


def npmi(topic_words: list[list[str]], tokenized_texts, window: int = 10) -> float | None:
    """Mean NPMI coherence of each topic's words over pairs (w_i, w_j), j < i, with probabilities from a
    boolean sliding window of `window` tokens, as gensim's c_npmi computes it. `tokenized_texts` is a
    list of token lists or a core.text.TokenizedCorpus. Words that never occur in the texts are
    skipped; None when no topic has two known words."""
    corpus = tokenized_texts if isinstance(tokenized_texts, TokenizedCorpus) else _as_corpus(tokenized_texts)
    vocab = sorted({w for words in topic_words for w in words})
    ids = {w: i for i, w in enumerate(vocab)}
    if not ids:
        return None
    occurrence, co, n_windows = _window_counts(corpus, vocab, window)
    if n_windows == 0:
        return None
    scores = []
    for words in topic_words:
        known = [ids[w] for w in words if w in ids and occurrence[ids[w]] > 0]
        pairs = []
        for i in range(1, len(known)):
            for j in range(i):
                a, b = known[i], known[j]
                p_ab = co[a, b] / n_windows
                p_a, p_b = occurrence[a] / n_windows, occurrence[b] / n_windows
                pmi = np.log((p_ab + EPSILON) / (p_a * p_b))
                pairs.append(pmi / -np.log(p_ab + EPSILON))
        if pairs:
            scores.append(float(np.mean(pairs)))
    return float(np.mean(scores)) if scores else None


def _as_corpus(tokenized_texts: list[list[str]]) -> TokenizedCorpus:
    vocab = sorted({t for tokens in tokenized_texts for t in tokens})
    index = {w: i for i, w in enumerate(vocab)}
    ids = np.array([index[t] for tokens in tokenized_texts for t in tokens], dtype=np.int64)
    offsets = np.cumsum([0] + [len(tokens) for tokens in tokenized_texts])
    return TokenizedCorpus(ids, offsets, np.array(vocab, dtype=object))


def _window_counts(corpus: TokenizedCorpus, words: list[str], window: int) -> tuple[np.ndarray, np.ndarray, int]:
    """For each word, the number of sliding windows that hold it; for each pair, the windows that hold
    both; and the number of windows, counting only texts that hold one of the words (as gensim does).
    A text of L tokens has max(1, L - window + 1) windows; token p lies in windows p - window + 1 .. p."""
    local = np.full(len(corpus.vocab), -1)
    at = np.searchsorted(corpus.vocab, np.array(words, dtype=object)) if len(corpus.vocab) else np.zeros(0, int)
    for n, i in enumerate(at):
        if i < len(corpus.vocab) and corpus.vocab[i] == words[n]:
            local[i] = n
    word = local[corpus.ids] if len(corpus.ids) else np.zeros(0, int)
    position = np.flatnonzero(word >= 0)
    if not len(position):
        return np.zeros(len(words)), np.zeros((len(words), len(words))), 0
    text = np.searchsorted(corpus.offsets, position, side="right") - 1
    lengths = np.diff(corpus.offsets)
    n_win = np.maximum(1, lengths - window + 1)
    relevant = np.zeros(len(lengths), bool)
    relevant[text] = True
    first_window = np.cumsum(np.where(relevant, n_win, 0)) - np.where(relevant, n_win, 0)
    p = position - corpus.offsets[text]
    rows, cols = [], []
    for back in range(window):
        start = p - back
        ok = (start >= 0) & (start < n_win[text])
        rows.append(first_window[text[ok]] + start[ok])
        cols.append(word[position[ok]])
    n_windows = int(n_win[relevant].sum())
    present = sparse.csr_matrix((np.ones(sum(map(len, rows))), (np.concatenate(rows), np.concatenate(cols))),
                                shape=(n_windows, len(words)))
    present.data[:] = 1  # a word twice in a window counts once
    return np.asarray(present.sum(axis=0)).ravel(), (present.T @ present).toarray(), n_windows


def topic_diversity(topic_words: list[list[str]], top_n: int = 10) -> float | None:
    """Distinct words among all topics' top-N words divided by N x number of topics."""
    if not topic_words:
        return None
    words = [w for ws in topic_words for w in ws[:top_n]]
    return len(set(words)) / (top_n * len(topic_words))


def label_agreement(labels_true, labels_pred) -> dict[str, float]:
    """Purity, NMI and ARI of the topics against given labels."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
    from sklearn.metrics.cluster import contingency_matrix

    table = contingency_matrix(labels_true, labels_pred)
    return {"purity": float(table.max(axis=0).sum() / table.sum()),
            "nmi": float(normalized_mutual_info_score(labels_true, labels_pred)),
            "ari": float(adjusted_rand_score(labels_true, labels_pred))}


def silhouette(points: np.ndarray, labels: np.ndarray, *, sample: int = 5000, seed: int = 42) -> float | None:
    """Silhouette of the topics in the clustering space (outliers left out); None for one topic."""
    from sklearn.metrics import silhouette_score

    keep = labels >= 0
    if len(np.unique(labels[keep])) < 2 or keep.sum() <= len(np.unique(labels[keep])):
        return None
    return float(silhouette_score(points[keep], labels[keep], sample_size=min(sample, int(keep.sum())),
                                  random_state=seed))


def topic_quality(texts, topic_words: list[list[str]], labels: np.ndarray, points: np.ndarray | None = None,
                  true_labels=None) -> dict[str, float | None]:
    """Every topic figure that applies: npmi, diversity, silhouette, outlier share, and purity/NMI/ARI."""
    figures = {"npmi": npmi(topic_words, tokenize_corpus(texts)), "diversity": topic_diversity(topic_words),
               "outliers": float((np.asarray(labels) < 0).mean()), "topics": len(topic_words)}
    if points is not None:
        figures["silhouette"] = silhouette(points, np.asarray(labels))
    if true_labels is not None:
        figures.update(label_agreement(list(true_labels), list(labels)))
    return figures


# --- recommendations ------------------------------------------------------------------------------

def leave_last_out(log: pd.DataFrame, min_rating: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hold out each user's latest positive interaction (rating >= min_rating, ties by row order).

    Returns (history: every other interaction of every user, holdout: user_id, item_id).
    Users whose only interaction is that positive keep an empty history and are still evaluated.
    """
    log = log.reset_index(drop=True)
    positives = log[log["rating"] >= min_rating]
    order = positives.assign(_row=positives.index).sort_values(["time", "_row"], kind="stable")
    last = order.groupby("user_id", sort=False).tail(1)
    history = log.drop(index=last.index)
    return history.reset_index(drop=True), last[["user_id", "item_id"]].reset_index(drop=True)


def rank_of_targets(scores: np.ndarray, targets: np.ndarray, excluded: list[np.ndarray],
                    rng: np.random.Generator) -> np.ndarray:
    """1-based rank of each user's target among the items not excluded; ties are placed at random."""
    ranks = np.empty(len(targets), dtype=int)
    for u, (row, target) in enumerate(zip(scores, targets)):
        row = row.astype(float).copy()
        row[excluded[u]] = -np.inf
        row[target] = scores[u, target]
        value = row[target]
        greater = int((row > value).sum())
        ties = int((row == value).sum()) - 1
        ranks[u] = 1 + greater + int(rng.integers(0, ties + 1))
    return ranks


def hit_and_ndcg(ranks: np.ndarray, k: int) -> dict[str, float]:
    hits = ranks <= k
    return {f"hr@{k}": float(hits.mean()) if len(ranks) else 0.0,
            f"ndcg@{k}": float(np.where(hits, 1 / np.log2(ranks + 1), 0).mean()) if len(ranks) else 0.0}


def evaluate_rankers(rankers: dict[str, Callable[[list[str]], np.ndarray]], history: pd.DataFrame,
                     holdout: pd.DataFrame, item_ids: list[str], *, k: int = 10, seed: int = 0,
                     candidates: np.ndarray | None = None) -> dict[str, dict[str, float]]:
    """HR@K and NDCG@K of each ranker plus popularity and random baselines, on the same users.

    A ranker maps user ids to a users x items score matrix over `item_ids`. Items in a user's
    history are excluded; `candidates` (a boolean mask) restricts ranking to some items.
    """
    index = {item: i for i, item in enumerate(item_ids)}
    holdout = holdout[holdout["item_id"].isin(index)]
    users = holdout["user_id"].tolist()
    targets = np.array([index[i] for i in holdout["item_id"]], dtype=int)
    by_user = history.groupby("user_id")["item_id"].apply(lambda s: [index[i] for i in s if i in index]).to_dict()
    outside = np.flatnonzero(~candidates) if candidates is not None else np.array([], dtype=int)
    excluded = [np.union1d(np.array(by_user.get(u, []), dtype=int), outside) for u in users]
    popularity = np.zeros(len(item_ids))
    counts = history.groupby("item_id")["user_id"].nunique()
    popularity[[index[i] for i in counts.index if i in index]] = counts[[i for i in counts.index if i in index]]
    all_rankers = dict(rankers)
    all_rankers["popularity"] = lambda us: np.tile(popularity, (len(us), 1))
    all_rankers["random"] = lambda us: np.random.default_rng(seed + 1).random((len(us), len(item_ids)))
    results = {"users": len(users)}
    for name, ranker in all_rankers.items():
        ranks = rank_of_targets(ranker(users), targets, excluded, np.random.default_rng(seed))
        results[name] = hit_and_ndcg(ranks, k)
    return results


def cold_split(history: pd.DataFrame, warm: list[str], min_rating: float, seed: int):
    """The cold-start protocol inside a history, for validation: a seeded fifth of the `warm` items loses
    all its interactions, and every user who liked one of them holds out the latest such item.
    Returns (history without those items, holdout: user_id, item_id, the set of those items)."""
    rng = np.random.default_rng(seed)
    chosen = set(rng.choice(sorted(warm), size=max(1, len(warm) // 5), replace=False))
    inside = history["item_id"].isin(chosen)
    return history[~inside], leave_last_out(history[inside], min_rating)[1], chosen
