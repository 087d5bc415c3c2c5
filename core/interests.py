"""The user-topic interest matrix R and its non-negative factorisation R ~ U V^T."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import sparse

from core.cluster import n_topics
from core.cpus import one_blas_thread
from core.errors import CoreError

if TYPE_CHECKING:
    from core.data import Corpus
    from core.items import Items

# NMF's stopping tolerance (scikit-learn's default). With 1e-5, R of a million texts (26,100 users) took
# 688 iterations and 1.6 s at k = 25 and hit the 1,000-iteration cap at k = 40 (3.3 s); 1e-4 stops at
# 317 / 204 iterations with the same relative error to four decimals (bench/README.md, "Beyond one machine").
TOLERANCE = 1e-4


def user_topic_matrix(users, topic_weights, topic_ids=None) -> pd.DataFrame:
    """R (users x topics): each row the share of that user's activity in each topic.

    `users` names the user of each event (a text, or an interaction) and `topic_weights` (dense or
    scipy sparse) holds one row per event: one-hot for a text's topic, an item's topic mix for an
    interaction. Users keep their first-seen order; a user with no topic weight (only outliers) gets a
    row of zeros. The events are summed per user with one sparse product (a million texts: under a second).
    """
    weights = topic_weights if sparse.issparse(topic_weights) else np.asarray(topic_weights, dtype=float)
    codes, names = pd.factorize(np.asarray(users, dtype=object))
    per_user = sparse.csr_matrix((np.ones(len(codes)), (codes, np.arange(len(codes)))), shape=(len(names), len(codes)))
    sums = per_user @ weights
    sums = sums.toarray() if sparse.issparse(sums) else np.asarray(sums)
    totals = sums.sum(axis=1, keepdims=True)
    topic_ids = list(range(weights.shape[1])) if topic_ids is None else list(topic_ids)
    return pd.DataFrame(sums / np.where(totals == 0, 1, totals), index=pd.Index(names, name="user_id"),
                        columns=pd.Index(topic_ids, name="topic"))


@dataclass(frozen=True, kw_only=True)
class Factorization:
    """R ~ U V^T: U (users x factors), V (topics x factors), the Frobenius error ||R - U V^T||,
    that error relative to ||R||, and a note when the factor count had to be lowered."""

    U: pd.DataFrame
    V: pd.DataFrame
    error: float
    relative_error: float
    note: str = ""

    @property
    def reconstructed(self) -> pd.DataFrame:
        """The smoothed interests U V^T, users x topics."""
        return pd.DataFrame(self.U.values @ self.V.values.T, index=self.U.index, columns=self.V.index)


def factorize(R: pd.DataFrame, n_factors: int, *, seed: int = 42) -> Factorization:
    """Non-negative matrix factorisation of R with `n_factors` latent factors (scikit-learn NMF)."""
    from sklearn.decomposition import NMF

    if n_factors < 1:
        raise CoreError(f"The number of latent factors must be at least 1 (got {n_factors}).")
    if R.shape[0] == 0 or R.shape[1] == 0:
        raise CoreError("There is no user-topic matrix to factorise: no user has a topic.")
    limit = min(R.shape)
    note = ""
    if n_factors > limit:
        note = (f"{n_factors} latent factors asked for, but R is {R.shape[0]} users x {R.shape[1]} topics; "
                f"used {limit}.")
        n_factors = limit
    values = R.to_numpy(dtype=float)
    if not values.any():
        U, V = np.zeros((R.shape[0], n_factors)), np.zeros((R.shape[1], n_factors))
    else:
        model = NMF(n_factors, init="nndsvda", random_state=seed, max_iter=1000, tol=TOLERANCE)
        with one_blas_thread():  # R is small: BLAS threads cost more than they save (10x on a busy machine)
            U = model.fit_transform(values)
        V = model.components_.T
    factors = [f"f{i}" for i in range(n_factors)]
    error = float(np.linalg.norm(values - U @ V.T))
    norm = float(np.linalg.norm(values))
    return Factorization(U=pd.DataFrame(U, index=R.index, columns=factors),
                         V=pd.DataFrame(V, index=R.columns, columns=factors),
                         error=error, relative_error=error / norm if norm else 0.0, note=note)


def positive(interactions: pd.DataFrame | None, min_rating: float) -> pd.DataFrame | None:
    """Interactions that express interest: rating >= min_rating (all, when no rating reaches it)."""
    if interactions is None or not len(interactions):
        return None
    threshold = min(min_rating, interactions["rating"].max())
    return interactions[interactions["rating"] >= threshold]


def interests(corpus: Corpus, labels: np.ndarray, items: Items, interactions: pd.DataFrame | None = None,
              doc_mask: np.ndarray | None = None) -> pd.DataFrame:
    """R from what users wrote (one event per text) and the items they liked (the item's topic mix)."""
    k, labels = n_topics(labels), np.asarray(labels)
    users = np.asarray(corpus.users, dtype=object)
    keep = (np.ones(len(labels), bool) if doc_mask is None else doc_mask.copy()) & users.astype(bool)
    written = np.flatnonzero(keep)  # texts of no user (a catalogue) shape no interests
    topical = labels[written] >= 0
    events = [users[written]]
    weights = [sparse.csr_matrix((np.ones(int(topical.sum())), (np.flatnonzero(topical), labels[written][topical])),
                                 shape=(len(written), k))]
    if interactions is not None and len(interactions):
        index = {item: n for n, item in enumerate(items.ids)}
        liked = interactions[interactions["item_id"].isin(index)]
        events.append(liked["user_id"].to_numpy(dtype=object))
        weights.append(sparse.csr_matrix(items.topics[[index[i] for i in liked["item_id"]]]))
    return user_topic_matrix(np.concatenate(events), sparse.vstack(weights, format="csr"), range(k))
