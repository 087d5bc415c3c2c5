"""Interests across domains (where a text was written: reviews, forum, support, ...): a user's interests as
shown in one domain, and the items of another domain they point to."""
from __future__ import annotations

import numpy as np
import pandas as pd

from core.data import Corpus
from core.items import Items
from core.keywords import Topic


def domain_items(corpus: Corpus, items: Items, domain: str) -> np.ndarray:
    """Which items belong to a domain: those that texts written there are about (a boolean mask over items)."""
    about = {item for item, where in zip(corpus.items or (), corpus.domains or ()) if where == domain and item}
    return np.array([item in about for item in items.ids])


def recommend_across_domains(corpus: Corpus, labels: np.ndarray, items: Items, topics: list[Topic], user: str,
                             source: str, target: str, *, top_n: int = 10) -> pd.DataFrame:
    """Items of domain `target` for `user`, from the topics of what they wrote in domain `source` only: the
    share of their `source` texts in each topic times each item's topic mix. Items the user already wrote
    about or rated are left out. Columns: rank, item_id, title, score, reason."""
    columns = ["rank", "item_id", "title", "score", "reason"]
    mine = np.array([u == user and d == source for u, d in zip(corpus.users, corpus.domains or ())], dtype=bool)
    mine &= np.asarray(labels) >= 0
    if not mine.any():
        return pd.DataFrame(columns=columns)
    mix = np.bincount(np.asarray(labels)[mine], minlength=items.topics.shape[1]) / mine.sum()
    seen = {i for u, i in zip(corpus.users, corpus.items or ()) if u == user}
    if corpus.interactions is not None:
        seen |= set(corpus.interactions.loc[corpus.interactions["user_id"] == user, "item_id"])
    allowed = domain_items(corpus, items, target) & ~np.isin(np.array(items.ids, dtype=object), list(seen))
    scores = np.where(allowed, items.topics @ mix, -np.inf)
    best = [i for i in np.argsort(-scores, kind="stable")[:top_n] if np.isfinite(scores[i]) and scores[i] > 0]
    rows = []
    for rank, i in enumerate(best, 1):
        topic = int(np.argmax(items.topics[i] * mix))
        rows.append({"rank": rank, "item_id": items.ids[i], "title": items.titles[i], "score": round(float(scores[i]), 6),
                     "reason": f"From what you write in {source}: about {topics[topic].title}, "
                               f"{mix[topic]:.0%} of your {source} texts."})
    return pd.DataFrame(rows, columns=columns)
