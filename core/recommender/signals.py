"""The recommender's four signals, each a users x items score in standard units per user (how many
standard deviations above the user's average item: signals of any scale then blend by their weights,
and the one that lifts an item most is the reason shown), and for which users each has something to say:

- topics: the user's topic interests, half R and half its smoothing U V^T (core.recommender.model.OWN_SHARE),
  times each item's topic mix;
- collaborative: implicit's ALS on the user-item matrix (what people with a similar history took); an
  item nobody has yet gets ALS factors predicted from its text (a ridge regression from the text vectors
  of the items people have to their factors), so new items are not left to text similarity alone;
- nearest: each item's highest text similarity to an item the user liked lately (the latest few,
  core.recommender.history.RECENT_LIKED) or a text the user wrote;
- popularity: the log of how many users have the item; items nobody has yet get less than one user each,
  ordered by what their text predicts (the same kind of ridge regression, see popularity_from_text).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from core.cpus import one_blas_thread


@dataclass(frozen=True)
class Signal:
    """A signal as a reader sees it: its name in a sentence and one line on what it measures."""

    label: str
    help: str


SIGNALS = {
    "topics": Signal("topic interests", "interest in the item's topics, from what the user wrote and liked"),
    "collaborative": Signal("collaborative filtering", "what people with a similar history took (ALS)"),
    "nearest": Signal("text similarity", "how close the item's text is to one the user liked lately or wrote"),
    "popularity": Signal("popularity", "how many users have the item"),
}
NAMES = tuple(SIGNALS)
# The ALS of ../shared/BENCHMARKS.md's anchor (implicit 0.7.3): 64 factors, reg 0.05, 20 iterations,
# each interaction weighing 20 (the confidence, implicit's alpha).
ALS = {"factors": 64, "regularization": 0.05, "iterations": 20}
CONFIDENCE = 20.0
# Ridge penalty of the text -> ALS factors regression; of 1, 10 and 100 on MovieLens' cold-item validation
# split inside the history, 1 ranked the new items best (HR@10 0.15 against 0.07 for text similarity).
# The text -> popularity regression uses it too: 0.1, 1 and 10 chose blends within 0.0005 of each other
# in validation NDCG@10 there (bench/README.md, "Recommendations").
RIDGE = 1.0


@dataclass(frozen=True, kw_only=True)
class ItemSide:
    """What the signals know about the items: their topic mixes (core.items.Items), how many users have
    each (for an item nobody has but with a text, how many its text predicts; see popularity_from_text), ALS
    item factors (predicted from the text for items nobody has; zero rows for those without a text either),
    whether someone has each item, unit text vectors (zero rows for items without a text; None when no item
    has one), and how many items each row stands for (rows that are kinds of item, see
    core.recommender.ranking.kinds; None: one each)."""

    topics: np.ndarray
    popularity: np.ndarray
    factors: np.ndarray | None
    has_events: np.ndarray
    vectors: np.ndarray | None
    counts: np.ndarray | None = None

    @property
    def has_factors(self) -> np.ndarray:
        """Items the collaborative signal can score: someone has them, or their factors came from a text."""
        return self.factors.any(axis=1) if self.factors is not None else np.zeros(len(self.popularity), bool)


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
    """Each signal's users x items scores in standard units (0 for a user the signal cannot score), which
    users each signal can score (users x signals, in NAMES order), and for the nearest signal which source
    (row of Profiles.sources) gave each score."""

    by_signal: dict[str, np.ndarray]
    available: np.ndarray
    nearest_source: np.ndarray | None


def als(matrix: sparse.csr_matrix, *, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """User and item factors of implicit's ALS on a users x items 0/1 matrix, on the CPU (the same
    figures on any machine); one BLAS thread, as implicit asks."""
    from implicit.cpu.als import AlternatingLeastSquares
    with one_blas_thread("blas"):
        model = AlternatingLeastSquares(**ALS, random_state=seed)
        model.fit((matrix * CONFIDENCE).astype(np.float32).tocsr(), show_progress=False)
    return np.asarray(model.user_factors), np.asarray(model.item_factors)


def factors_from_text(factors: np.ndarray, has_events: np.ndarray, vectors: np.ndarray | None) -> np.ndarray:
    """The ALS item factors, with those of items nobody has predicted from their text vectors by a ridge
    regression fitted on the items people have (unchanged without text vectors)."""
    if vectors is None or not has_events.any() or has_events.all():
        return factors
    out = factors.copy()
    out[~has_events] = (vectors[~has_events] @ _ridge(vectors[has_events], factors[has_events])).astype(factors.dtype)
    return out


def popularity_from_text(users: np.ndarray, has_events: np.ndarray, vectors: np.ndarray | None) -> np.ndarray:
    """Users per item, where items nobody has but with a text are ordered by how popular their text says
    they will be: a ridge regression from the vectors of the items people have to log(1 + users), its
    predictions scaled (in log(1 + users)) into [0, 1) user, so that popularity alone still ranks every
    item someone has above every new one. Without it, new items all at zero, popularity could not order
    them (MovieLens' cold-item validation inside the history: NDCG@10 0.075 -> 0.087; bench/README.md)."""
    users = np.asarray(users, dtype=np.float64)
    new = ~has_events & (vectors.any(axis=1) if vectors is not None else False)
    if not has_events.any() or not new.any():
        return users
    target = np.log1p(users[has_events])
    weights = _ridge(vectors[has_events], (target - target.mean())[:, None])[:, 0]
    predicted = np.clip(vectors[new].astype(np.float64) @ weights + target.mean(), 0, None)  # log(1 + users)
    out = users.copy()
    out[new] = np.expm1(np.log(2) * predicted / max(predicted.max() * (1 + 1e-6), 1e-12))  # [0, 1) users
    return out


def _ridge(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Weights W minimising |XW - Y|^2 + RIDGE |W|^2 (in the dual form when there are fewer rows than columns)."""
    X, Y = X.astype(np.float64), Y.astype(np.float64)
    if len(X) < X.shape[1]:
        return X.T @ np.linalg.solve(X @ X.T + RIDGE * np.eye(len(X)), Y)
    return np.linalg.solve(X.T @ X + RIDGE * np.eye(X.shape[1]), X.T @ Y)


def standard(matrix: np.ndarray, counts: np.ndarray | None = None, seen: list[np.ndarray] | None = None) -> np.ndarray:
    """Each row minus its mean, divided by its standard deviation, over the items that user may be
    recommended (not those in `seen`, one array of item columns per row; rows of kinds are weighted by how
    many items they stand for); a constant row becomes 0."""
    matrix = np.asarray(matrix, np.float32)
    weight = np.broadcast_to(np.ones(matrix.shape[1], np.float32) if counts is None else
                             counts.astype(np.float32), matrix.shape).copy()
    for n, columns in enumerate(seen or ()):
        weight[n, columns] = 0
    total = np.maximum(weight.sum(axis=1, keepdims=True), 1e-12)
    mean = (matrix * weight).sum(axis=1, keepdims=True) / total
    spread = np.sqrt((((matrix - mean) ** 2) * weight).sum(axis=1, keepdims=True) / total)
    return (matrix - mean) / np.maximum(spread, 1e-6)


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


def compute(profiles: Profiles, items: ItemSide, rows: np.ndarray, *, seen: list[np.ndarray] | None = None,
            which: bool = False) -> Scores:
    """The four signals for the users at `rows` of `profiles` (-1: a user nobody knows, scored by
    popularity alone), standardised over the items each may be recommended (not those `seen`); with
    `which`, also the source behind each nearest score (for reasons)."""
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
    by_signal["topics"] = standard(topics, items.counts, seen)

    collaborative = np.zeros((len(rows), n_items), np.float32)
    if items.factors is not None and profiles.factors is not None:
        has = known & profiles.has_events[safe]
        raw = profiles.factors[safe[has]] @ items.factors.T
        scorable = items.has_factors
        if scorable.any():  # no one has the others and they have no text: ALS knows nothing, they rank last
            raw[:, ~scorable] = raw[:, scorable].min(axis=1, keepdims=True)
        collaborative[has] = standard(raw, items.counts, [seen[n] for n in np.flatnonzero(has)] if seen else None)
        available[:, 1] = has
    by_signal["collaborative"] = collaborative

    close, source = np.zeros((len(rows), n_items), np.float32), None
    if items.vectors is not None and len(profiles.sources):
        close, source = nearest(profiles, items.vectors, rows, which=which)
        available[:, 2] = close.max(axis=1) > 0
    by_signal["nearest"] = standard(close, items.counts, seen)

    log_popularity = np.log1p(items.popularity)[None, :]
    available[:, 3] = log_popularity.max() > 0
    by_signal["popularity"] = standard(np.broadcast_to(log_popularity, (len(rows), n_items)), items.counts, seen)
    return Scores(by_signal=by_signal, available=available, nearest_source=source)


def user_weights(weights: dict[str, float], available: np.ndarray) -> np.ndarray:
    """users x signals: the blend's weights per user. For a user without interactions the collaborative
    share goes to popularity (what collaborative filtering knows of someone without a history); any other
    signal that has nothing to say about a user is left out and the others' shares are scaled up to 1
    (equal shares of what is there when none of the blend is)."""
    wanted = np.tile(np.array([weights.get(name, 0.0) for name in NAMES]), (len(available), 1))
    collaborative, popularity = NAMES.index("collaborative"), NAMES.index("popularity")
    moved = ~available[:, collaborative] & available[:, popularity]
    wanted[moved, popularity] += wanted[moved, collaborative]
    wanted = wanted * available
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
