"""The recommendation protocols that live with the benchmark (../shared/BENCHMARKS.md, protocols 2 and 5):
cold-start items, its mirror inside a history for choosing the blend, cold users known only by their
texts, and a skewed log. Plain pandas and numpy, so the tests can check them."""
from __future__ import annotations

import numpy as np
import pandas as pd


def cold_items(item_ids, seed: int = 0) -> set[str]:
    """Protocol 2's cold-start items: default_rng(0).choice(all movieIds sorted, size=len//5, replace=False)."""
    all_ids = np.array(sorted(int(i) for i in item_ids))
    return set(map(str, np.random.default_rng(seed).choice(all_ids, size=len(all_ids) // 5, replace=False)))


def cold_split(history: pd.DataFrame, warm: list[str], min_rating: float, seed: int):
    """The cold-start protocol inside a history, for choosing the blend: a seeded fifth of the `warm` items
    loses all its interactions, and every user who liked one of them holds out the latest such item.
    Returns (history without those items, holdout: user_id, item_id, the set of those items)."""
    from core.evaluate import leave_last_out

    rng = np.random.default_rng(seed)
    chosen = set(rng.choice(sorted(warm), size=max(1, len(warm) // 5), replace=False))
    inside = history["item_id"].isin(chosen)
    return history[~inside], leave_last_out(history[inside], min_rating)[1], chosen


def cold_users(users, seed: int, share: float = 0.2) -> set[str]:
    """A seeded `share` of the users: their interactions leave the history and they are known only by
    the texts they write (see user_texts)."""
    users = sorted(set(users))
    return set(np.random.default_rng(seed).choice(users, size=max(1, int(len(users) * share)), replace=False))


def user_texts(history: pd.DataFrame, titles: dict[str, str], genres: dict[str, str], *, min_rating: float,
               most: int = 10) -> dict[str, list[str]]:
    """What a cold user writes about themselves: one sentence per movie among the `most` they liked last in
    their history ("I liked Alien (1979), a Horror, Sci-Fi film."), as a new user might describe their taste."""
    from core.evaluate import in_time_order

    latest = in_time_order(history[history["rating"] >= min_rating]).groupby("user_id").tail(most)
    return {user: [f"I liked {titles[i]}, a {genres[i].replace('|', ', ')} film." for i in group["item_id"]]
            for user, group in latest.groupby("user_id", sort=False)}


def most_rated(log: pd.DataFrame, n: int = 100) -> pd.DataFrame:
    """Protocol 5's skewed log: only the interactions with the n most-rated items."""
    top = log["item_id"].value_counts().index[:n]
    return log[log["item_id"].isin(top)].reset_index(drop=True)


def top_share(log: pd.DataFrame, n: int = 10) -> float:
    """Share of the log's interactions that go to its n most frequent items (how skewed it is)."""
    return float(log["item_id"].value_counts().iloc[:n].sum() / max(1, len(log)))
