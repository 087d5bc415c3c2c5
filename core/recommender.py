"""The project's recommender: topic interests from users' texts and history, blended with the similarity
to items they liked and popularity, with the blend weights chosen on a validation split of the history
only; evaluated leave-last-out next to popularity and random in the same call."""
from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from core.data import Corpus
from core.evaluate import cold_split, evaluate_rankers, leave_last_out
from core.interests import factorize, interests, positive
from core.items import item_topics
from core.ranking import nearest_item_similarity, score
from core.settings import Settings

WEIGHT_GRID = {"popularity": (0.0, 0.1, 0.25, 0.5), "nearest": (0.0, 0.25, 0.5, 0.75, 1.0)}


@dataclass
class Ranker:
    """Scores users x items for evaluate_rankers, and says how it was configured."""

    predicted: pd.DataFrame
    items: Items
    nearest: dict[str, np.ndarray] | None
    weights: dict[str, float]
    description: str = ""

    def __call__(self, users: list[str]) -> np.ndarray:
        rows = np.zeros((len(users), len(self.items.ids)))
        known = [n for n, u in enumerate(users) if u in self.predicted.index]
        if known:
            chosen = [users[n] for n in known]
            near = (np.stack([self.nearest.get(u, np.zeros(len(self.items.ids))) for u in chosen])
                    if self.nearest else None)
            rows[known] = score(self.predicted.loc[chosen].to_numpy(), self.items, nearest=near,
                                popularity_weight=self.weights.get("popularity", 0.0),
                                nearest_weight=self.weights.get("nearest", 0.0))
        return rows


class TopicRecommender:
    """The project's recommender for evaluation: topics from texts, item topic vectors, user interests
    from the history (R, then U V^T), blended with nearest-item similarity and popularity."""

    def __init__(self, *, corpus: Corpus, settings: Settings, vectors: np.ndarray, catalogue_vectors, labels):
        self.corpus, self.settings, self.labels = corpus, settings, np.asarray(labels)
        self.vectors, self.catalogue_vectors = vectors, catalogue_vectors

    def ranker(self, history: pd.DataFrame, *, validation: bool = False, holdout: pd.DataFrame | None = None,
               weights: dict[str, float] | None = None, cold: set[str] | None = None) -> Ranker:
        """A ranker fitted on `history`.

        With validation, the blend weights are those that rank each user's latest liked item in the
        history best (that item left out); the test holdout is never looked at. With `cold` (items that
        have no interactions and are ranked among themselves) the validation copies that protocol inside
        the history: another random fifth of the items loses its interactions, and every user who liked
        one of them is validated on the latest such item (not only users whose latest like fell there).
        """
        if validation:
            weights = self._validate(history, holdout, cold)
        ranker = self._fit(history, holdout)
        ranker.weights = weights or {"popularity": self.settings.popularity_weight, "nearest": 0.0}
        ranker.description = (f"k={self.settings.k} topics, {self.settings.factors} factors, "
                              f"weights {ranker.weights}" + (" (chosen on a validation split)" if validation else ""))
        return ranker

    def evaluate(self, interactions: pd.DataFrame, k: int = 10) -> dict:
        """HR@k / NDCG@k against popularity and random: each user's latest liked item held out, the blend
        weights chosen on a validation split of the rest, every unseen item ranked."""
        history, holdout = leave_last_out(interactions, self._threshold(interactions))
        ranker = self.ranker(history, validation=True, holdout=holdout)
        results = evaluate_rankers({"project": ranker}, history, holdout, list(ranker.items.ids), k=k,
                                   seed=self.settings.seed)
        results["project_settings"] = ranker.description
        return results

    def _validate(self, history: pd.DataFrame, holdout: pd.DataFrame | None, cold: set[str] | None) -> dict:
        candidates = None
        if cold is None:
            inner_history, inner_holdout = leave_last_out(history, self._threshold(history))
        else:
            inner_history, inner_holdout, inner_cold = cold_split(
                history, [i for i in self._item_ids(history) if i not in cold], self._threshold(history),
                self.settings.seed)
        hidden = inner_holdout if holdout is None else pd.concat([holdout, inner_holdout])
        inner = self._fit(inner_history, hidden)
        if cold is not None:
            candidates = np.isin(np.array(inner.items.ids), list(inner_cold))
        best = None
        for pop, near in itertools.product(WEIGHT_GRID["popularity"], WEIGHT_GRID["nearest"]):
            if pop + near > 1:
                continue
            inner.weights = {"popularity": pop, "nearest": near}
            figures = evaluate_rankers({"c": inner}, inner_history, inner_holdout, list(inner.items.ids), k=10,
                                       seed=self.settings.seed, candidates=candidates)["c"]
            if best is None or figures["ndcg@10"] > best[0]:
                best = (figures["ndcg@10"], pop, near)
        return {"popularity": best[1], "nearest": best[2]}

    def _item_ids(self, history: pd.DataFrame) -> list[str]:
        catalogue = list(self.corpus.catalogue.item_ids) if self.corpus.catalogue else []
        return list(dict.fromkeys(catalogue + [i for i in (self.corpus.items or ()) if i] + history["item_id"].tolist()))

    def _fit(self, history: pd.DataFrame, holdout: pd.DataFrame | None) -> Ranker:
        """Every scoring component fitted on `history`; texts about held-out pairs are left out."""
        held = set(zip(holdout["user_id"], holdout["item_id"])) if holdout is not None else set()
        doc_mask = np.array([(u, i) not in held for u, i in
                             zip(self.corpus.users, self.corpus.items or [""] * len(self.labels))])
        items = item_topics(self.corpus, self.labels, self.vectors, self.catalogue_vectors, history, doc_mask)
        counts = history.groupby("item_id")["user_id"].nunique()
        items = replace(items, popularity=np.array([counts.get(i, 0) for i in items.ids], float))
        liked = positive(history, self.settings.min_rating)
        R = interests(self.corpus, self.labels, items, liked, doc_mask)
        predicted = factorize(R, self.settings.factors, seed=self.settings.seed).reconstructed
        nearest = None
        if self.catalogue_vectors is not None:
            nearest = nearest_item_similarity(self.catalogue_vectors, list(self.corpus.catalogue.item_ids),
                                              list(items.ids), liked)
        return Ranker(predicted, items, nearest, {})

    def _threshold(self, log: pd.DataFrame) -> float:
        return min(self.settings.min_rating, log["rating"].max())
