"""The recommender's four signals, each a users x items score scaled to [0, 1] per user, and for which
users each has something to say:

- topics: the user's smoothed topic interests (R, then U V^T) times each item's topic mix;
- collaborative: implicit's ALS on the user-item matrix (what people with a similar history took);
- nearest: each item's highest text similarity to an item the user liked or a text the user wrote;
- popularity: the log of how many users have the item.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse


@dataclass(frozen=True)
class Signal:
    """A signal as a reader sees it: its name in a sentence and one line on what it measures."""

    label: str
    help: str


SIGNALS = {
    "topics": Signal("topic interests", "interest in the item's topics, from what the user wrote and liked"),
    "collaborative": Signal("collaborative filtering", "what people with a similar history took (ALS)"),
    "nearest": Signal("text similarity", "how close the item's text is to one the user liked or wrote"),
    "popularity": Signal("popularity", "how many users have the item"),
}
NAMES = tuple(SIGNALS)
# The ALS of ../shared/BENCHMARKS.md's anchor (implicit 0.7.3): 64 factors, reg 0.05, 20 iterations,
# each interaction weighing 20 (the confidence, implicit's alpha).
ALS = {"factors": 64, "regularization": 0.05, "iterations": 20}
CONFIDENCE = 20.0


@dataclass(frozen=True, kw_only=True)
class ItemSide:
    """What the signals know about the items: their topic mixes and popularity (core.items.Items),
    ALS item factors (zero rows for items nobody has), unit text vectors (zero rows for items without
    a text; None when no item has one)."""

    topics: np.ndarray
    popularity: np.ndarray
    factors: np.ndarray | None
    has_events: np.ndarray
    vectors: np.ndarray | None


@dataclass(frozen=True, kw_only=True)
class Profiles:
    """What the signals know about some users, one row per user: R's shares (quoted in reasons) and the
    smoothed interests that rank items, ALS user factors (None for users known only by texts), and what
    they liked or wrote: `sources` holds each distinct one's unit vector once, with how a reason names it
    and whether it was liked (else written); user u's are sources[source_index[starts[u]:starts[u + 1]]]."""

    ids: tuple[str, ...]
    shares: np.ndarray
    predicted: np.ndarray
    factors: np.ndarray | None
    has_events: np.ndarray
    sources: np.ndarray
    source_index: np.ndarray
    starts: np.ndarray
    source_names: tuple[str, ...]
    source_liked: np.ndarray
    wrote: np.ndarray
    liked: np.ndarray

    def sources_of(self, row: int) -> np.ndarray:
        """Rows of `sources` that user `row` liked or wrote (none for row -1)."""
        return self.source_index[self.starts[row]:self.starts[row + 1]] if row >= 0 else np.zeros(0, np.int64)


@dataclass(frozen=True, kw_only=True)
class Scores:
    """Each signal's users x items scores in [0, 1], which users each signal can score (users x signals,
    in NAMES order), and for the nearest signal which source (row of Profiles.sources) gave each score."""

    by_signal: dict[str, np.ndarray]
    available: np.ndarray
    nearest_source: np.ndarray | None


def als(matrix: sparse.csr_matrix, *, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """User and item factors of implicit's ALS on a users x items 0/1 matrix, on the CPU (the same
    figures on any machine); one BLAS thread, as implicit asks."""
    from implicit.cpu.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1, "blas"):
        model = AlternatingLeastSquares(**ALS, random_state=seed)
        model.fit((matrix * CONFIDENCE).astype(np.float32).tocsr(), show_progress=False)
    return np.asarray(model.user_factors), np.asarray(model.item_factors)


def _per_user_max(matrix: np.ndarray) -> np.ndarray:
    return (matrix / np.maximum(matrix.max(axis=1, keepdims=True), 1e-12)).astype(np.float32)


def nearest(profiles: Profiles, vectors: np.ndarray, rows: np.ndarray, *,
            which: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
    """users x items: each item's highest cosine similarity (at least 0) to what the user liked or wrote,
    and with `which` the source (row of profiles.sources) that gave it. Each distinct source is compared
    with the items once, a block of items at a time, however many users share it."""
    own = [profiles.sources_of(r) for r in rows]
    used, local = np.unique(np.concatenate(own + [np.zeros(0, np.int64)]), return_inverse=True)
    own = np.split(local, np.cumsum([len(o) for o in own])[:-1]) if len(own) else []
    best = np.zeros((len(rows), len(vectors)), np.float32)
    source = np.full(best.shape, -1, np.int64) if which else None
    step = max(256, (1 << 24) // max(1, len(used)))  # a block of similarities stays under 64 MB
    for start in range(0, len(vectors), step):
        similarity = profiles.sources[used] @ vectors[start:start + step].T
        for n, mine in enumerate(own):
            if not len(mine):
                continue
            block = similarity[mine]
            if which:
                top = block.argmax(axis=0)
                best[n, start:start + step] = block[top, np.arange(block.shape[1])]
                source[n, start:start + step] = used[mine[top]]
            else:
                best[n, start:start + step] = block.max(axis=0)
    return np.clip(best, 0, None), source


def compute(profiles: Profiles, items: ItemSide, rows: np.ndarray, *, which: bool = False) -> Scores:
    """The four signals for the users at `rows` of `profiles` (-1: a user nobody knows, scored by
    popularity alone); with `which`, also the source behind each nearest score (for reasons)."""
    rows = np.asarray(rows, dtype=np.int64)
    known = rows >= 0
    safe = np.where(known, rows, 0)
    n_items = len(items.popularity)
    available = np.zeros((len(rows), len(NAMES)), bool)
    by_signal = {}

    predicted = np.where(known[:, None], profiles.predicted[safe], 0) if len(profiles.predicted) else \
        np.zeros((len(rows), items.topics.shape[1]))
    topics = np.clip(predicted @ items.topics.T, 0, None)
    available[:, 0] = topics.max(axis=1) > 0
    by_signal["topics"] = _per_user_max(topics)

    collaborative = np.zeros((len(rows), n_items), np.float32)
    if items.factors is not None and profiles.factors is not None:
        has = known & profiles.has_events[safe]
        raw = profiles.factors[safe[has]] @ items.factors.T
        raw[:, ~items.has_events] = -np.inf  # nobody has them: ALS knows nothing of them
        low = raw[:, items.has_events].min(axis=1, keepdims=True) if items.has_events.any() else 0
        span = np.maximum(raw.max(axis=1, keepdims=True) - low, 1e-12)
        collaborative[has] = np.where(np.isfinite(raw), (raw - low) / span, 0)
        available[:, 1] = has
    by_signal["collaborative"] = collaborative

    close, source = np.zeros((len(rows), n_items), np.float32), None
    if items.vectors is not None and len(profiles.sources):
        close, source = nearest(profiles, items.vectors, rows, which=which)
        available[:, 2] = close.max(axis=1) > 0
    by_signal["nearest"] = _per_user_max(close)

    log_popularity = np.log1p(items.popularity)
    available[:, 3] = log_popularity.max() > 0
    by_signal["popularity"] = np.broadcast_to((log_popularity / (log_popularity.max() or 1)).astype(np.float32),
                                              (len(rows), n_items))
    return Scores(by_signal=by_signal, available=available, nearest_source=source)


def user_weights(weights: dict[str, float], available: np.ndarray) -> np.ndarray:
    """users x signals: the blend's weights, with a signal that has nothing to say about a user left out
    and the others' shares scaled up to 1 (equal shares of what is there when none of the blend is)."""
    wanted = np.array([weights.get(name, 0.0) for name in NAMES])[None, :] * available
    empty = wanted.sum(axis=1) == 0
    wanted[empty] = available[empty]
    return wanted / np.maximum(wanted.sum(axis=1, keepdims=True), 1e-12)


def blend(scores: Scores, weights: np.ndarray) -> np.ndarray:
    """users x items: the weighted sum of the signals, weights per user (see user_weights)."""
    total = np.zeros(scores.by_signal[NAMES[0]].shape, np.float32)
    weights = weights.astype(np.float32)
    for s, name in enumerate(NAMES):
        if weights[:, s].any():
            total += weights[:, s, None] * scores.by_signal[name]
    return total
