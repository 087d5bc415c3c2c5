"""Recommend items from topic interests: item topic vectors, scoring, reasons, new users.

An item's topic vector comes from its own text (similarity of its embedding to the topic
centroids) and/or from the texts users wrote about it. A user's score for an item is their
smoothed interest (U V^T) times the item's topics, optionally blended with a popularity prior.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.errors import CoreError
from core.keywords import Topic

TEMPERATURE = 0.05  # softness of an item's topic mix from its cosine similarity to the centroids


@dataclass(frozen=True)
class Items:
    """What can be recommended: ids, display titles, topic vectors (items x topics) and
    popularity (how many users interacted with or wrote about each item)."""

    ids: tuple[str, ...]
    titles: tuple[str, ...]
    topics: np.ndarray
    popularity: np.ndarray


def topic_centroids(vectors: np.ndarray, labels: np.ndarray, n_topics: int) -> np.ndarray:
    """Unit-length mean embedding of each topic's texts (topics x dims)."""
    centroids = np.zeros((n_topics, vectors.shape[1]), dtype=np.float32)
    for t in range(n_topics):
        members = labels == t
        if members.any():
            c = vectors[members].mean(axis=0)
            centroids[t] = c / (np.linalg.norm(c) or 1)
    return centroids


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


def score(interests: np.ndarray, items: Items, *, popularity_weight: float = 0.0) -> np.ndarray:
    """Users x items scores: interest in each item's topics, scaled to [0, 1] per user, blended with
    log-popularity scaled to [0, 1] by `popularity_weight`."""
    match = np.atleast_2d(interests) @ items.topics.T
    match = match / np.maximum(match.max(axis=1, keepdims=True), 1e-12)
    if popularity_weight:
        pop = np.log1p(items.popularity)
        pop = pop / (pop.max() or 1)
        match = (1 - popularity_weight) * match + popularity_weight * pop[None, :]
    return match


def reason(user_share: np.ndarray, predicted: np.ndarray, item_topics: np.ndarray, topics: list[Topic],
           popular: bool) -> str:
    """One plain sentence: which topic made the item match, in its keywords, and how strongly."""
    contribution = predicted * item_topics
    t = int(contribution.argmax())
    words = ", ".join(topics[t].words[:3]) if t < len(topics) and topics[t].words else f"topic {t}"
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
    U V^T that ranks items. Columns: user_id, rank, item_id, title, score, reason.
    """
    if top_n < 1:
        raise CoreError(f"The number of recommendations per user must be at least 1 (got {top_n}).")
    if not 0 <= popularity_weight <= 1:
        raise CoreError(f"The popularity weight must be between 0 and 1 (got {popularity_weight}).")
    if not len(items.ids):
        return pd.DataFrame(columns=["user_id", "rank", "item_id", "title", "score", "reason"])
    index = {item: n for n, item in enumerate(items.ids)}
    popular_cut = np.quantile(items.popularity, 0.9) if items.popularity.any() else np.inf
    rows = []
    for start in range(0, len(predicted), 512):  # a block of users at a time keeps memory flat
        block = predicted.iloc[start:start + 512]
        scores = score(block.to_numpy(), items, popularity_weight=popularity_weight)
        for u, user in enumerate(block.index):
            s = scores[u]
            for item in (seen or {}).get(user, ()):
                if item in index:
                    s[index[item]] = -np.inf
            n = min(top_n, len(s))
            best = np.argpartition(-s, n - 1)[:n] if n < len(s) else np.arange(len(s))
            order = best[np.lexsort((best, -s[best]))]
            share, guess = interests.loc[user].to_numpy(), block.iloc[u].to_numpy()
            for rank, i in enumerate(order, 1):
                if not np.isfinite(s[i]):
                    break
                rows.append((user, rank, items.ids[i], items.titles[i], round(float(s[i]), 6),
                             reason(share, guess, items.topics[i], topics,
                                    items.popularity[i] >= popular_cut and popularity_weight > 0)))
    return pd.DataFrame(rows, columns=["user_id", "rank", "item_id", "title", "score", "reason"])


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
    labels = np.asarray(labels)
    n_topics = int(labels.max()) + 1 if (labels >= 0).any() else 0
    mix = soft_topics(np.atleast_2d(vector), topic_centroids(vectors, labels, n_topics))[0]
    profile = pd.DataFrame([mix], index=[user])
    return mix, recommend(profile, profile, items, topics, top_n=top_n, popularity_weight=popularity_weight)
