"""Recommend items from topic interests: scoring, reasons, new users.

A user's score for an item is their smoothed interest (U V^T) times the item's topics (core.items),
optionally blended with a popularity prior and the item's similarity to items the user liked.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from core.cluster import n_topics
from core.errors import CoreError
from core.items import Items, soft_topics, topic_centroids
from core.keywords import Topic

COLUMNS = ["user_id", "rank", "item_id", "title", "score", "reason"]


def score(interests: np.ndarray, items: Items, *, popularity_weight: float = 0.0,
          nearest: np.ndarray | None = None, nearest_weight: float = 0.0) -> np.ndarray:
    """Users x items scores: interest in each item's topics, scaled to [0, 1] per user, blended with
    log-popularity scaled to [0, 1] and, when given, `nearest` (users x items, see
    nearest_item_similarity) scaled to [0, 1] per user; the weights are their shares of the score."""
    match = np.atleast_2d(interests) @ items.topics.T
    match = match / np.maximum(match.max(axis=1, keepdims=True), 1e-12)
    w_near = nearest_weight if nearest is not None else 0.0
    if w_near or popularity_weight:
        match = (1 - w_near - popularity_weight) * match
    if w_near:
        near = np.atleast_2d(nearest)
        match += w_near * near / np.maximum(near.max(axis=1, keepdims=True), 1e-12)
    if popularity_weight:
        pop = np.log1p(items.popularity)
        match += popularity_weight * (pop / (pop.max() or 1))[None, :]
    return match


def nearest_item_similarity(item_vectors: np.ndarray, vector_ids: list[str], item_ids: list[str],
                            liked: pd.DataFrame | None) -> dict[str, np.ndarray]:
    """For each user, every item's highest cosine similarity to an item the user liked (0 for items
    without a text vector). This is the content-based 'more like what you liked' signal."""
    if liked is None or not len(liked):
        return {}
    position = {item: n for n, item in enumerate(vector_ids)}
    columns = np.array([position.get(i, -1) for i in item_ids])
    has_vector = columns >= 0
    out = {}
    for user, group in liked.groupby("user_id", sort=False):
        rows = [position[i] for i in group["item_id"] if i in position]
        sims = np.zeros(len(item_ids), dtype=np.float32)
        if rows:
            best = np.full(len(vector_ids), -1.0, dtype=np.float32)
            for start in range(0, len(rows), 256):
                best = np.maximum(best, (item_vectors[rows[start:start + 256]] @ item_vectors.T).max(axis=0))
            sims[has_vector] = np.clip(best[columns[has_vector]], 0, None)
        out[user] = sims
    return out


def reason(user_share: np.ndarray, predicted: np.ndarray, item_topics: np.ndarray, topics: list[Topic],
           popular: bool) -> str:
    """One plain sentence: which topic made the item match, in its keywords, and how strongly."""
    contribution = predicted * item_topics
    t = int(contribution.argmax())
    words = topics[t].name or ", ".join(topics[t].words[:3]) if t < len(topics) and topics[t].words else f"topic {t}"
    if contribution[t] <= 0:
        return "Popular with other users." if popular else "Among the closest matches left."
    if user_share[t] >= 0.1:
        text = f"About {words}, which makes up {user_share[t]:.0%} of your activity."
    else:
        text = f"About {words}: people with interests like yours also follow this topic."
    return text + (" Also popular." if popular else "")


def recommend(interests: pd.DataFrame, predicted: pd.DataFrame, items: Items, topics: list[Topic], *,
              seen: dict[str, set[str]] | None = None, top_n: int = 10,
              popularity_weight: float = 0.1) -> pd.DataFrame:
    """Top-N unseen items per user, with score and reason.

    `interests` is R (the user's actual topic shares, quoted in reasons) and `predicted` the smoothed
    U V^T that ranks items; of items with equal scores the one listed first comes first.
    Columns: user_id, rank, item_id, title, score, reason.
    """
    if top_n < 1:
        raise CoreError(f"The number of recommendations per user must be at least 1 (got {top_n}).")
    if not 0 <= popularity_weight <= 1:
        raise CoreError(f"The popularity weight must be between 0 and 1 (got {popularity_weight}).")
    if not len(items.ids):
        return pd.DataFrame(columns=COLUMNS)
    index = {item: n for n, item in enumerate(items.ids)}
    popular_cut = np.quantile(items.popularity, 0.9) if items.popularity.any() else np.inf
    # Items with the same topic vector and popularity score the same for every user (texts as items
    # are one-hot), so each kind is scored once: 100,000 texts cost as much as k kinds, not 100,000.
    kinds, kind_of = np.unique(np.column_stack([items.topics, items.popularity]), axis=0, return_inverse=True)
    kind_of = kind_of.ravel()
    by_kind = Items(ids=(), titles=(), topics=kinds[:, :-1], popularity=kinds[:, -1])
    blocked = [np.array([index[i] for i in (seen or {}).get(user, ()) if i in index], dtype=np.int64)
               for user in predicted.index]
    heads = _heads(kind_of, len(kinds), top_n + max(map(len, blocked), default=0))
    shares = interests.reindex(predicted.index).to_numpy()
    users, ids, titles = predicted.index.to_numpy(), np.array(items.ids, dtype=object), np.array(items.titles, dtype=object)
    frames = []
    for start in range(0, len(predicted), 512):  # a block of users at a time keeps memory flat
        guesses = predicted.iloc[start:start + 512].to_numpy()
        scores = score(guesses, by_kind, popularity_weight=popularity_weight)
        best = _best(scores, heads, kind_of, blocked[start:start + 512], top_n)
        user, rank = np.nonzero(best >= 0)
        item = best[user, rank]
        pairs = list(zip(user.tolist(), kind_of[item].tolist()))
        said: dict[tuple[int, int], str] = {}
        for (u, kind), i in zip(pairs, item):
            if (u, kind) not in said:
                said[u, kind] = reason(shares[start + u], guesses[u], items.topics[i], topics,
                                       items.popularity[i] >= popular_cut and popularity_weight > 0)
        frames.append(pd.DataFrame({"user_id": users[start + user], "rank": rank + 1, "item_id": ids[item],
                                    "title": titles[item], "score": np.round(scores[user, kind_of[item]], 6),
                                    "reason": [said[pair] for pair in pairs]}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)


def _heads(kind_of: np.ndarray, n_kinds: int, need: int) -> np.ndarray:
    """kinds x h: the first h = min(need, largest kind) items of each kind by position, -1 after its last."""
    order = np.argsort(kind_of, kind="stable")
    sizes = np.bincount(kind_of, minlength=n_kinds)
    position = np.arange(len(order)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    heads = np.full((n_kinds, min(need, int(sizes.max()))), -1, dtype=np.int64)
    keep = position < heads.shape[1]
    heads[kind_of[order[keep]], position[keep]] = order[keep]
    return heads


def _best(scores: np.ndarray, heads: np.ndarray, kind_of: np.ndarray, blocked: list[np.ndarray], n: int,
          limit: int = 1 << 22) -> np.ndarray:
    """users x n: each user's n best items that are not blocked, by their kind's score, then the item
    listed first (-1 where fewer are left). Only the best kinds are looked at: the top n + blocked
    ones, and any tied with the last, hold enough items."""
    users, n_kinds = scores.shape
    need = n + max(map(len, blocked), default=0)
    m = min(need, n_kinds)
    cut = -np.partition(-scores, m - 1, axis=1)[:, m - 1]
    width = int((scores >= cut[:, None]).sum(axis=1).max())
    h = min(need, heads.shape[1])
    if users > 1 and users * width * h > limit:  # many tied kinds: fewer users at a time
        half = users // 2
        return np.vstack([_best(scores[:half], heads, kind_of, blocked[:half], n, limit),
                          _best(scores[half:], heads, kind_of, blocked[half:], n, limit)])
    top = np.argpartition(-scores, width - 1, axis=1)[:, :width] if width < n_kinds else \
        np.broadcast_to(np.arange(n_kinds), (users, n_kinds))
    candidates = heads[top, :h].reshape(users, -1)
    kind_scores = np.repeat(np.take_along_axis(scores, top, axis=1), h, axis=1)
    valid = (candidates >= 0) & (kind_scores >= cut[:, None])
    if any(len(b) for b in blocked):
        rows = np.repeat(np.arange(users), [len(b) for b in blocked])
        span = len(kind_of) + 1
        valid &= ~np.isin(np.arange(users)[:, None] * span + candidates, rows * span + np.concatenate(blocked))
    order = np.lexsort((candidates, -kind_scores, ~valid), axis=-1)[:, :n]
    best = np.full((users, n), -1, dtype=np.int64)
    best[:, :order.shape[1]] = np.where(np.take_along_axis(valid, order, axis=1),
                                        np.take_along_axis(candidates, order, axis=1), -1)
    return best


def seen_items(users, doc_items, interactions: pd.DataFrame | None) -> dict[str, set[str]]:
    """Items each user already wrote about or interacted with; these are never recommended to them."""
    seen: dict[str, set[str]] = {}
    for user, item in zip(users, doc_items or ()):
        if item:
            seen.setdefault(user, set()).add(item)
    if interactions is not None:
        for user, item in zip(interactions["user_id"], interactions["item_id"]):
            seen.setdefault(user, set()).add(item)
    return seen


def recommend_for_profile(vector: np.ndarray, vectors: np.ndarray, labels: np.ndarray, items: Items,
                          topics: list[Topic], *, top_n: int = 10, popularity_weight: float = 0.1,
                          user: str = "you") -> tuple[np.ndarray, pd.DataFrame]:
    """A new user known only by their own words: the topic mix of their text's embedding (`vector`)
    against the centroids of the topics in `vectors`/`labels`, and their top-N items for that mix."""
    mix = soft_topics(np.atleast_2d(vector), topic_centroids(vectors, np.asarray(labels), n_topics(labels)))[0]
    profile = pd.DataFrame([mix], index=[user])
    return mix, recommend(profile, profile, items, topics, top_n=top_n, popularity_weight=popularity_weight)
