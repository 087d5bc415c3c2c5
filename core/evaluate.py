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
# Above this many texts NPMI is counted on a seeded sample of that many (as silhouette on 5,000 points):
# at a million texts the windows of every text took 2.3 s of a new k's 10 (bench/scale.py, section 4b).
NPMI_TEXTS = 100_000


@dataclass(frozen=True)
class Figure:
    """A quality figure as a reader sees it: its name and one line on how to read it."""

    label: str
    help: str


FIGURES = {
    "topics": Figure("Topics", "How many topics the texts were grouped into."),
    "npmi": Figure("Coherence (NPMI)", "Do a topic's keywords occur together in the texts? From -1 to 1: higher is "
                   "better, 0 means no more often than by chance. Over 100,000 texts, counted on a sample of "
                   "100,000."),
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


def sample_texts(corpus: TokenizedCorpus, size: int, seed: int = 42) -> TokenizedCorpus:
    """A seeded sample of `size` texts of a tokenized corpus (the corpus itself when it has no more)."""
    lengths = np.diff(corpus.offsets)
    if len(lengths) <= size:
        return corpus
    chosen = np.zeros(len(lengths), bool)
    chosen[np.random.default_rng(seed).choice(len(lengths), size, replace=False)] = True
    ids = corpus.ids[np.repeat(chosen, lengths)]
    return TokenizedCorpus(ids, np.concatenate([[0], np.cumsum(lengths[chosen])]), corpus.vocab)


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
    figures = {"npmi": npmi(topic_words, sample_texts(tokenize_corpus(texts), NPMI_TEXTS)),
               "diversity": topic_diversity(topic_words),
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
    last = in_time_order(log[log["rating"] >= min_rating]).groupby("user_id", sort=False).tail(1)
    history = log.drop(index=last.index)
    return history.reset_index(drop=True), last[["user_id", "item_id"]].reset_index(drop=True)


def blocked_mask(history: pd.DataFrame, users: list[str], item_ids: list[str],
                 candidates: np.ndarray | None = None) -> np.ndarray:
    """users x items, True where an item may not be ranked for that user: it is in their history, or
    outside `candidates` (a boolean mask over items) when given."""
    index = {item: i for i, item in enumerate(item_ids)}
    row = {user: n for n, user in enumerate(users)}
    blocked = np.zeros((len(users), len(item_ids)), bool)
    known = history[history["user_id"].isin(row) & history["item_id"].isin(index)]
    blocked[known["user_id"].map(row).to_numpy(int), known["item_id"].map(index).to_numpy(int)] = True
    if candidates is not None:
        blocked |= ~np.asarray(candidates, bool)[None, :]
    return blocked


def time_order(times: pd.Series) -> pd.Series:
    """Times as something that sorts in time order: numbers (Unix timestamps, which as text would put
    '999999999' after '1000000000'), else dates, else the text as written."""
    if pd.api.types.is_numeric_dtype(times):
        return times
    numbers = pd.to_numeric(times, errors="coerce")
    if numbers.notna().all():
        return numbers
    dates = pd.to_datetime(times, errors="coerce", utc=True, format="mixed")
    return dates if dates.notna().all() else times.astype(str)


def in_time_order(log: pd.DataFrame) -> pd.DataFrame:
    """The log's rows from oldest to newest (see time_order); rows of the same time, and a log without a
    time column, keep their order."""
    if "time" not in log:
        return log
    return log.iloc[time_order(log["time"]).reset_index(drop=True).sort_values(kind="stable").index]


def rank_of_targets(scores: np.ndarray, targets: np.ndarray, blocked: np.ndarray,
                    rng: np.random.Generator) -> np.ndarray:
    """1-based rank of each user's target among the items not blocked; ties are placed at random, never
    in the target's favour."""
    rows = np.arange(len(targets))
    value = scores[rows, targets][:, None]
    open_ = ~blocked
    open_[rows, targets] = True
    greater = ((scores > value) & open_).sum(axis=1)
    ties = ((scores == value) & open_).sum(axis=1) - 1
    return 1 + greater + rng.integers(0, ties + 1)


def hit_and_ndcg(ranks: np.ndarray, k: int) -> dict[str, float]:
    """HR@k, NDCG@k and the standard error of HR@k over users."""
    hits = ranks <= k
    n = len(ranks)
    return {f"hr@{k}": float(hits.mean()) if n else 0.0,
            f"ndcg@{k}": float(np.where(hits, 1 / np.log2(ranks + 1), 0).mean()) if n else 0.0,
            f"hr@{k} se": float(hits.std(ddof=1) / np.sqrt(n)) if n > 1 else 0.0}


def top_lists(scores: np.ndarray, blocked: np.ndarray, k: int) -> np.ndarray:
    """users x k: each user's k best items that are not blocked (best first)."""
    masked = np.where(blocked, -np.inf, scores)
    k = min(k, masked.shape[1])
    top = np.argpartition(-masked, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(masked, top, axis=1), axis=1, kind="stable")
    return np.take_along_axis(top, order, axis=1)


def list_figures(top: np.ndarray, popularity: np.ndarray) -> dict[str, float]:
    """Catalogue coverage (share of all items in someone's list) and the share of listed items that are
    among the 10 % most popular items."""
    n_items = len(popularity)
    popular = np.zeros(n_items, bool)
    popular[np.argsort(-popularity, kind="stable")[:max(1, int(np.ceil(n_items / 10)))]] = True
    return {"coverage": float(len(np.unique(top)) / n_items) if n_items else 0.0,
            "popular share": float(popular[top].mean()) if top.size else 0.0}


def popularity_counts(history: pd.DataFrame, item_ids: list[str]) -> np.ndarray:
    """How many distinct users have each item in their history."""
    counts = history.groupby("item_id")["user_id"].nunique()
    return counts.reindex(item_ids, fill_value=0).to_numpy(float)


def evaluate_rankers(rankers: dict[str, Callable[[list[str]], np.ndarray]], history: pd.DataFrame,
                     holdout: pd.DataFrame, item_ids: list[str], *, k: int = 10, seed: int = 0,
                     candidates: np.ndarray | None = None) -> dict:
    """HR@K, NDCG@K (with the standard error of HR@K), catalogue coverage and the share of the 10 %
    most popular items in the lists, of each ranker plus popularity and random baselines, on the
    same users.

    A ranker maps user ids to a users x items score matrix over `item_ids`. Items in a user's
    history are excluded; `candidates` (a boolean mask) restricts ranking to some items.
    """
    index = {item: i for i, item in enumerate(item_ids)}
    holdout = holdout[holdout["item_id"].isin(index)]
    users = holdout["user_id"].tolist()
    targets = np.array([index[i] for i in holdout["item_id"]], dtype=int)
    blocked = blocked_mask(history, users, item_ids, candidates)
    popularity = popularity_counts(history, item_ids)
    all_rankers = dict(rankers)
    all_rankers["popularity"] = lambda us: np.tile(popularity, (len(us), 1))
    all_rankers["random"] = lambda us: np.random.default_rng(seed + 1).random((len(us), len(item_ids)))
    results = {"users": len(users)}
    for name, ranker in all_rankers.items():
        scores = np.asarray(ranker(users), dtype=float)
        ranks = rank_of_targets(scores, targets, blocked, np.random.default_rng(seed))
        results[name] = {**hit_and_ndcg(ranks, k), **list_figures(top_lists(scores, blocked, k), popularity)}
    return results
