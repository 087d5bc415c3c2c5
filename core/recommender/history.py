"""What the recommender learns that does not depend on the topics: the items and users, who took what,
implicit's ALS factors, the items' text vectors and popularity, and what each user liked or wrote. It is
its own pipeline stage (core.stages "history"), so a new k refits only the topic signal: among a million
texts this is most of the recommender's fit (2-3 s of its 4)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import sparse

from core.evaluate import in_time_order, popularity_counts
from core.interests import positive
from core.items import item_ids
from core.recommender.reasons import snippet
from core.recommender.signals import ItemSide, Profiles, als, factors_from_text, popularity_from_text

if TYPE_CHECKING:
    from core.data import Corpus
    from core.settings import Settings

# The liked items the text-similarity signal compares with: each user's latest few, since taste drifts and
# the next item tends to resemble the last ones. On MovieLens' validation splits inside the history (best
# blend's NDCG@10, warm split / mean of 3 cold-item folds) the latest 1 / 2 / 3 / 5 / 10 / 20 / all gave
# 0.058 / 0.063 / 0.060 / 0.064 / 0.055 / 0.054 / 0.056 and 0.076 / 0.079 / 0.087 / 0.091 / 0.091 /
# 0.090 / 0.087 (bench/README.md, "Recommendations"). What a user wrote is compared with in full.
RECENT_LIKED = 5


@dataclass(frozen=True, kw_only=True)
class History:
    """`keep`: the texts it read (False for a text about a held-out pair); `ids`: the items; `events`: every
    user-item pair it learned from (never recommended back); `liked`: the positive interactions; `users` in
    R's order; `seen`: each user's item columns; and the item side and user profiles of
    core.recommender.signals with their topic fields left empty (zero columns): Recommender.fit fills those
    in for the current topics."""

    keep: np.ndarray
    ids: tuple[str, ...]
    events: pd.DataFrame
    liked: pd.DataFrame | None
    users: pd.Index
    seen: list[np.ndarray]
    side: ItemSide
    profiles: Profiles


def learn(corpus: Corpus, vectors: np.ndarray, catalogue_vectors: np.ndarray | None,
          interactions: pd.DataFrame | None, settings: Settings, hidden: pd.DataFrame | None = None) -> History:
    """The History of `interactions` and the texts, leaving out texts about the `hidden` user-item pairs."""
    log = interactions if interactions is not None and len(interactions) else None
    held = set(zip(hidden["user_id"], hidden["item_id"])) if hidden is not None else set()
    doc_items = corpus.items or ("",) * len(corpus)
    keep = np.array([(u, i) not in held for u, i in zip(corpus.users, doc_items)], dtype=bool) if held \
        else np.ones(len(corpus), bool)
    ids, titles, texts_are_items = item_ids(corpus, log, keep)
    index = {item: n for n, item in enumerate(ids)}
    wrote_about = pd.DataFrame([(u, i) for u, i, m in zip(corpus.users, doc_items, keep) if m and u and i]
                               if corpus.items else [], columns=["user_id", "item_id"])
    events = pd.concat([log[["user_id", "item_id"]] if log is not None else None, wrote_about])
    events = events[events["item_id"].isin(index)].drop_duplicates(ignore_index=True)
    liked = positive(log, settings.min_rating)
    # R's users (core.interests: the writers of the texts read, then those who liked an item), then the rest
    writers = np.asarray(corpus.users, dtype=object)[keep]
    likers = liked.loc[liked["item_id"].isin(index), "user_id"].to_numpy(object) if liked is not None else []
    users = pd.Index(pd.unique(np.concatenate([writers[writers.astype(bool)], likers,
                                               events["user_id"].to_numpy(object)])), name="user_id")
    row = {user: n for n, user in enumerate(users)}
    user_of, item_of = events["user_id"].map(row).to_numpy(int), events["item_id"].map(index).to_numpy(int)
    user_factors = item_factors = None
    if len(events):
        matrix = sparse.csr_matrix((np.ones(len(events)), (user_of, item_of)), shape=(len(users), len(index)))
        user_factors, item_factors = als(matrix, seed=settings.seed)
    unit_vectors = item_vectors(corpus, ids, vectors, catalogue_vectors, keep)
    has_events = np.bincount(item_of, minlength=len(index)) > 0
    if item_factors is not None:
        item_factors = factors_from_text(item_factors, has_events, unit_vectors)
    seen = _by_owner(user_of, item_of, len(users))
    if texts_are_items:  # each text is an item: a writer is never offered their own text
        writer = np.array([row.get(user, -1) for user in corpus.users], dtype=np.int64)
        own = _by_owner(writer, np.arange(len(writer)), len(users))
        seen = [np.concatenate([taken, texts]) for taken, texts in zip(seen, own)]
    popularity = popularity_from_text(popularity_counts(events, list(ids)), has_events, unit_vectors)
    side = ItemSide(topics=np.zeros((len(ids), 0)), popularity=popularity,
                    factors=item_factors, has_events=has_events, vectors=unit_vectors)
    profiles = _profiles(corpus, vectors, index, titles, row, user_factors, liked, keep, unit_vectors, seen)
    return History(keep=keep, ids=ids, events=events, liked=liked, users=users, seen=seen, side=side,
                   profiles=profiles)


def item_vectors(corpus: Corpus, ids, text_vectors: np.ndarray, catalogue_vectors: np.ndarray | None,
                 keep: np.ndarray) -> np.ndarray | None:
    """Unit text vectors of the items: the catalogue text's, else the mean of the texts written about
    the item (those kept); None when no item has a text."""
    catalogue = corpus.catalogue
    if not corpus.items and (catalogue is None or catalogue_vectors is None):
        return None
    index = {item: n for n, item in enumerate(ids)}
    out = np.zeros((len(ids), text_vectors.shape[1]), np.float32)
    filled = np.zeros(len(ids), bool)
    if corpus.items:
        for n, (item, k) in enumerate(zip(corpus.items, keep)):
            if item and k and item in index:
                out[index[item]] += text_vectors[n]
                filled[index[item]] = True
    if catalogue is not None and catalogue_vectors is not None:
        at = [index[i] for i in catalogue.item_ids]
        out[at], filled[at] = catalogue_vectors, True
    if not filled.any():
        return None
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def _profiles(corpus: Corpus, text_vectors: np.ndarray, index: dict, titles, row: dict, user_factors, liked, keep,
              unit_vectors, seen) -> Profiles:
    """What the signals know about each user but their topics; sources are the RECENT_LIKED items they
    liked last (each item's vector once) and the texts they wrote (those kept)."""
    owner, source = [], []
    vectors, names, was_liked = [], [], []
    if unit_vectors is not None:
        if liked is not None:
            pairs = latest(liked[liked["item_id"].map(lambda i: i in index and unit_vectors[index[i]].any())])
            distinct = list(dict.fromkeys(pairs["item_id"]))
            at = {item: n for n, item in enumerate(distinct)}
            vectors += [unit_vectors[[index[i] for i in distinct]].reshape(-1, unit_vectors.shape[1])]
            names += [titles[index[i]] for i in distinct]
            was_liked += [True] * len(distinct)
            owner += pairs["user_id"].map(row).tolist()
            source += pairs["item_id"].map(at).tolist()
        texts = [n for n, (user, k) in enumerate(zip(corpus.users, keep)) if user and k and user in row]
        first = len(names)
        vectors.append(text_vectors[texts].reshape(-1, text_vectors.shape[1]))
        names += [snippet(corpus.texts[n]) for n in texts]
        was_liked += [False] * len(texts)
        owner += [row[corpus.users[n]] for n in texts]
        source += list(range(first, first + len(texts)))
    owner, source = np.array(owner, dtype=np.int64), np.array(source, dtype=np.int64)
    order = np.argsort(owner, kind="stable")
    sources = np.vstack(vectors).astype(np.float32) if vectors else np.zeros((0, text_vectors.shape[1]), np.float32)
    sources /= np.maximum(np.linalg.norm(sources, axis=1, keepdims=True), 1e-12)
    n_users = len(row)
    wrote = np.zeros(n_users, bool)
    wrote[[row[u] for u, k in zip(corpus.users, keep) if u and k and u in row]] = True
    liked_any = np.zeros(n_users, bool)
    if liked is not None:
        liked_any[[row[u] for u in liked["user_id"].unique() if u in row]] = True
    no_topics = np.zeros((n_users, 0))
    return Profiles(ids=tuple(row), shares=no_topics, predicted=no_topics, factors=user_factors,
                    has_events=np.array([len(s) > 0 for s in seen], bool), sources=sources,
                    source_index=source[order], starts=np.searchsorted(owner[order], np.arange(n_users + 1)),
                    source_names=tuple(names), source_liked=np.array(was_liked, bool), wrote=wrote, liked=liked_any)


def latest(liked: pd.DataFrame, n: int = RECENT_LIKED) -> pd.DataFrame:
    """user_id, item_id: each user's n distinct items liked last (by the time column where there is one,
    ties and a log without times by row order), oldest first."""
    order = in_time_order(liked).drop_duplicates(["user_id", "item_id"], keep="last")
    return order.groupby("user_id", sort=False).tail(n)[["user_id", "item_id"]]


def _by_owner(owner: np.ndarray, values: np.ndarray, n: int) -> list[np.ndarray]:
    """For each owner 0..n-1, its `values` in their order (owner -1: nobody's), in one sort."""
    order = np.argsort(owner, kind="stable")
    order = order[owner[order] >= 0]
    bounds = np.searchsorted(owner[order], np.arange(n + 1))
    return [values[order[a:b]] for a, b in zip(bounds[:-1], bounds[1:])]
