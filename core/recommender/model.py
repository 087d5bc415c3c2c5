"""The project's one recommender: fitted on the texts, the catalogue and the interaction history, it blends
topic interests, collaborative filtering, text similarity and popularity (core.recommender.signals) with
one set of weights (a Blend) and lists each user's unseen items with the reason that carried them."""
from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from core.cluster import n_topics
from core.errors import CoreError
from core.interests import factorize, interests
from core.items import item_topics, soft_topics, topic_centroids
from core.recommender import reasons, signals
from core.recommender.history import History, item_vectors, learn
from core.recommender.ranking import best_items, heads_of_kinds, kinds
from core.recommender.signals import NAMES, ItemSide, Profiles

if TYPE_CHECKING:
    from core.data import Corpus
    from core.keywords import Topic
    from core.recommender.validation import Blend
    from core.settings import Settings

COLUMNS = ["user_id", "rank", "item_id", "title", "score", "reason", "signal"]
BLOCK = 256  # users scored at a time: keeps memory flat on large catalogues
# The topics signal ranks by half the user's own interests (R) and half the factorisation's (U V^T): U V^T
# alone, with fewer factors than topics, can erase what a user mostly writes about (on the demo, 4 factors
# for 8 topics turned a user's 57 % football into 8 % and listed no football item).
OWN_SHARE = 0.5


class Recommender:
    """Recommends unseen items with reasons, to known users and to users known only by a text.

    Parameters are stored as given; `fit` does the work and sets `items_`, `users_`, `events_` (the
    user-item pairs it learned from, which are never recommended back), `blend_` and the signals' state.
    """

    def __init__(self, *, corpus: Corpus, labels, vectors: np.ndarray, catalogue_vectors: np.ndarray | None,
                 topics: list[Topic], settings: Settings):
        self.corpus, self.labels, self.vectors = corpus, np.asarray(labels), vectors
        self.catalogue_vectors, self.topics, self.settings = catalogue_vectors, topics, settings

    def unfitted(self) -> Recommender:
        """A new recommender with the same texts, topics and settings, not yet fitted."""
        return Recommender(corpus=self.corpus, labels=self.labels, vectors=self.vectors,
                           catalogue_vectors=self.catalogue_vectors, topics=self.topics, settings=self.settings)

    def fit(self, interactions: pd.DataFrame | None = None, *, blend: Blend | None = None,
            hidden: pd.DataFrame | None = None, history: History | None = None) -> Recommender:
        """Fit every signal on `interactions` and the texts, leaving out texts about the `hidden` user-item
        pairs (held out for evaluation). Without `blend`, the weights are chosen on a validation split
        inside `interactions` (core.recommender.validation.choose_blend), or are the defaults without a log.
        `history`: what history.learn made of the same interactions and texts (no hidden pairs) before, reused
        so that new topics refit only the topic signal."""
        from core.recommender.validation import choose_blend, default_blend

        if not 0 <= self.settings.popularity_weight <= 1:
            raise CoreError(f"The popularity weight must be between 0 and 1 (got {self.settings.popularity_weight}): "
                            "it is the share of popularity in the blend used when there is no log to choose one.")
        log = interactions if interactions is not None and len(interactions) else None
        if blend is None:
            blend = choose_blend(self, log) if log is not None else default_blend(self.settings)
        if history is None or hidden is not None:
            history = learn(self.corpus, self.vectors, self.catalogue_vectors, log, self.settings, hidden)
        items = item_topics(self.corpus, self.labels, self.vectors, self.catalogue_vectors, log, history.keep)
        if items.ids != history.ids:
            raise CoreError("The recommender's history was learned from other items than these texts and log.")
        R = interests(self.corpus, self.labels, items, history.liked, history.keep)
        if not R.index.equals(history.users):
            R = R.reindex(history.users, fill_value=0.0)
        shares = R.to_numpy()
        predicted = OWN_SHARE * shares + (1 - OWN_SHARE) * factorize(
            R, self.settings.factors, seed=self.settings.seed).reconstructed.to_numpy() if shares.any() else shares
        self.items_, self.users_, self.events_, self.blend_ = items, tuple(history.users), history.events, blend
        self.seen_ = history.seen
        self.side_ = dataclasses.replace(history.side, topics=items.topics)
        self.profiles_ = dataclasses.replace(history.profiles, shares=shares, predicted=predicted)
        return self

    def score(self, users: list[str]) -> np.ndarray:
        """users x items: the blended score of every item (items in self.items_.ids order)."""
        scores = self.signals(users)
        return signals.blend(scores, signals.user_weights(self.blend_.weights, scores.available))

    def signals(self, users: list[str]) -> signals.Scores:
        """Each signal's scores for `users` (a user the recommender does not know gets popularity only)."""
        position = {user: n for n, user in enumerate(self.users_)}
        rows = np.array([position.get(u, -1) for u in users], dtype=np.int64)
        return signals.compute(self.profiles_, self.side_, rows, seen=self._seen(rows))

    def signal(self, name: str):
        """A ranker (users -> users x items) of one signal alone, e.g. the collaborative baseline."""
        return lambda users: self.signals(users).by_signal[name]

    def recommend(self, *, top_n: int | None = None, users: list[str] | None = None) -> pd.DataFrame:
        """Top-N unseen items per user (every known user by default) with score, reason and the signal
        that carried the item. Columns: COLUMNS."""
        top_n = self.settings.top_n if top_n is None else top_n
        users = list(self.users_) if users is None else list(users)
        position = {user: n for n, user in enumerate(self.users_)}
        rows = np.array([position.get(u, -1) for u in users], dtype=np.int64)
        return self._list(self.profiles_, self.side_, rows, users, self._seen(rows), top_n)

    def _seen(self, rows: np.ndarray) -> list[np.ndarray]:
        """The item columns each user (row of users_, -1: unknown) has: never recommended back."""
        return [self.seen_[r] if r >= 0 else np.zeros(0, np.int64) for r in rows]

    def recommend_for_texts(self, texts: list[str], vectors: np.ndarray, *, text_vectors: np.ndarray | None = None,
                            catalogue_vectors: np.ndarray | None = None, top_n: int | None = None,
                            user: str = "you") -> tuple[np.ndarray, pd.DataFrame]:
        """A new user known only by their own words: their topic mix (the mean of their texts' mixes
        against the topic centroids) and their top-N items from topics, text similarity and popularity.
        `vectors` are the texts' embeddings; `text_vectors` / `catalogue_vectors` the corpus and catalogue
        in the same space when that is not the fitted one (a model fitted on the corpus, refitted with the
        new text: see core.pipeline.embed_profile)."""
        top_n = self.settings.top_n if top_n is None else top_n
        profiles, side = self._text_profiles([list(texts)], [vectors], text_vectors, catalogue_vectors, (user,))
        listed = self._list(profiles, side, np.array([0]), [user], [np.zeros(0, np.int64)], top_n)
        return profiles.shares[0], listed

    def score_texts(self, vectors: list[np.ndarray]) -> np.ndarray:
        """users x items: the blended scores for users known only by their texts (one array of text
        vectors per user), as recommend_for_texts ranks them; the cold-users protocol measures this."""
        profiles, side = self._text_profiles([[""] * len(np.atleast_2d(v)) for v in vectors], vectors, None, None,
                                             tuple(str(n) for n in range(len(vectors))))
        scores = signals.compute(profiles, side, np.arange(len(vectors)))
        return signals.blend(scores, signals.user_weights(self.blend_.weights, scores.available))

    def _text_profiles(self, texts: list[list[str]], vectors: list[np.ndarray], text_vectors, catalogue_vectors,
                       ids: tuple[str, ...]) -> tuple[Profiles, ItemSide]:
        """Profiles of users known only by texts (their topic mix, their texts as sources), and the item side
        in the texts' space."""
        corpus_vectors = self.vectors if text_vectors is None else text_vectors
        centroids = topic_centroids(corpus_vectors, self.labels, n_topics(self.labels))
        vectors = [np.atleast_2d(v).astype(np.float32) for v in vectors]
        mixes = np.array([soft_topics(v, centroids).mean(axis=0) for v in vectors])
        side = self.side_
        if text_vectors is not None:
            side = dataclasses.replace(side, vectors=item_vectors(
                self.corpus, self.items_.ids, corpus_vectors, catalogue_vectors, np.ones(len(self.corpus), bool)))
        units = np.vstack(vectors)
        units /= np.maximum(np.linalg.norm(units, axis=1, keepdims=True), 1e-12)
        n_users = len(vectors)
        return Profiles(ids=ids, shares=mixes, predicted=mixes, factors=None, has_events=np.zeros(n_users, bool),
                        sources=units, source_index=np.arange(len(units)),
                        starts=np.concatenate([[0], np.cumsum([len(v) for v in vectors])]),
                        source_names=tuple(reasons.snippet(t) for user in texts for t in user),
                        source_liked=np.zeros(len(units), bool), wrote=np.ones(n_users, bool),
                        liked=np.zeros(n_users, bool)), side

    def _list(self, profiles: Profiles, side: ItemSide, rows: np.ndarray, users: list[str],
              blocked: list[np.ndarray], top_n: int) -> pd.DataFrame:
        """Each user's top-N items that are not `blocked`; `rows` are the users' rows in `profiles`."""
        if top_n < 1:
            raise CoreError(f"The number of recommendations per user must be at least 1 (got {top_n}).")
        if not len(self.items_.ids):
            return pd.DataFrame(columns=COLUMNS)
        # Only topics and popularity can score these items: each kind of item is scored once.
        narrow = side.factors is None and side.vectors is None
        features, kind_of = self._kinds(side, narrow)
        by_kind = ItemSide(topics=features[:, :-1], popularity=features[:, -1], factors=None,
                           has_events=np.zeros(len(features), bool), vectors=None,
                           counts=np.bincount(kind_of, minlength=len(features))) if narrow else side
        heads = heads_of_kinds(kind_of, len(features), top_n + max(map(len, blocked), default=0))
        frames = []
        for start in range(0, len(rows), BLOCK):
            block = rows[start:start + BLOCK]
            scores = signals.compute(profiles, by_kind, block, seen=None if narrow else blocked[start:start + BLOCK],
                                     which=True)
            weights = signals.user_weights(self.blend_.weights, scores.available)
            total = signals.blend(scores, weights)
            best = best_items(total, heads, kind_of, blocked[start:start + BLOCK], top_n)
            user, rank = np.nonzero(best >= 0)
            item = best[user, rank]
            said = [self._reason(profiles, scores, weights, block[u], u, kind_of[i], i) for u, i in zip(user, item)]
            frames.append(pd.DataFrame({
                "user_id": [users[start + u] for u in user], "rank": rank + 1,
                "item_id": [self.items_.ids[i] for i in item], "title": [self.items_.titles[i] for i in item],
                "score": np.round(total[user, kind_of[item]], 6),
                "reason": [text for text, _ in said], "signal": [name for _, name in said]}))
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)

    def _kinds(self, side: ItemSide, narrow: bool) -> tuple[np.ndarray, np.ndarray]:
        """ranking.kinds of the items, remembered for the last side: the page asks for one user's list at a
        time, and among a million texts as items each would otherwise group a million rows again (0.5-2 s)."""
        memo = getattr(self, "_kinds_memo", None)
        if memo is None or memo[0] is not side:
            found = kinds([side.topics, side.popularity] if narrow else None, len(self.items_.ids))
            memo = self._kinds_memo = (side, *found)
        return memo[1], memo[2]

    def _reason(self, profiles: Profiles, scores: signals.Scores, weights: np.ndarray, row: int, u: int,
                kind: int, item: int) -> tuple[str, str]:
        """(the sentence, the signal) for one recommended item: the signal with the largest share of its score."""
        shares = np.array([weights[u, s] * scores.by_signal[name][u, kind] for s, name in enumerate(NAMES)])
        if shares.max() <= 0:
            return reasons.FALLBACK, ""
        name = NAMES[int(shares.argmax())]

        def nearest() -> str:
            source = int(scores.nearest_source[u, kind])
            return reasons.close_to(profiles.source_names[source], bool(profiles.source_liked[source]))

        taken = bool(self.side_.has_events[item])
        explain = {  # a signal is available to a user only where its row exists (row >= 0 for all but popularity)
            "topics": lambda: reasons.about_topic(profiles.shares[row], profiles.predicted[row], self.side_.topics[item],
                                                  self.topics, wrote=bool(profiles.wrote[row]),
                                                  liked=bool(profiles.liked[row])),
            "collaborative": lambda: reasons.also_liked(self._closest_taken(row, item), taken),
            "nearest": nearest,
            "popularity": lambda: reasons.popular(self.side_.popularity[item], taken)}
        return explain[name](), name

    def _closest_taken(self, row: int, item: int) -> str:
        """The title of the item in the user's history whose ALS factors are closest to `item`'s."""
        taken = self.seen_[row]
        factors = self.side_.factors
        unit = factors / np.maximum(np.linalg.norm(factors, axis=1, keepdims=True), 1e-12)
        return self.items_.titles[taken[int((unit[taken] @ unit[item]).argmax())]]
