"""Choosing the blend and measuring the recommender. The weights are chosen on a validation split inside
the history (each user's latest liked item before the test one), over a grid that reaches every signal
alone, so the chosen blend is never worse on validation than the best single signal; the test holdout is
never looked at. The evaluation measures the recommender with those weights next to popularity, the
collaborative signal alone and random."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import numpy as np
import pandas as pd

from core.evaluate import blocked_mask, evaluate_rankers, hit_and_ndcg, leave_last_out, rank_of_targets
import core.recommender.signals as signals
from core.recommender.signals import NAMES, SIGNALS

if TYPE_CHECKING:
    from core.settings import Settings

GRID_STEPS = 10  # weights in tenths: 286 blends of four signals, each signal alone among them
MAX_CELLS = 40_000_000  # users x items scored at once in an evaluation; more users are sampled (seeded)
CRITERION = "ndcg@10"  # what the validation maximises
# A split of a history for validation: (inner history, inner holdout: user_id, item_id, and the ids of the
# items that may be ranked, or None for all).
Split = Callable[[pd.DataFrame], tuple[pd.DataFrame, pd.DataFrame, "set[str] | None"]]


@dataclass(frozen=True, kw_only=True)
class Blend:
    """The share of each signal in the score (summing to 1), and whether it was chosen on a validation
    split of the history (else: the defaults, where there is no interaction log to choose on)."""

    weights: dict[str, float]
    validated: bool

    def sentence(self) -> str:
        """One sentence for the page: the weights in use and where they come from."""
        shares = ", ".join(f"{SIGNALS[name].label} {self.weights.get(name, 0.0):.0%}" for name in NAMES)
        where = ("chosen on a validation split of the history (each user's latest liked item before the "
                 "held-out one), never on the held-out items" if self.validated else
                 "the defaults, as there is no interaction log to choose them on")
        return f"The list and the evaluation both score items with {shares}: weights {where}."


@dataclass(frozen=True, kw_only=True)
class Evaluation:
    """Leave-last-out figures per system ("project", "popularity", "collaborative", "random": HR@k,
    NDCG@k, the standard error of HR@k, catalogue coverage, share of the 10 % most popular items), the
    number of users held out and the blend that was evaluated."""

    users: int
    blend: Blend
    systems: dict[str, dict[str, float]]
    sampled_from: int | None = None

    def record(self) -> dict:
        """The figures as plain JSON: systems at the top level, with the weights and where they come from."""
        return {"users": self.users, **({"sampled_from": self.sampled_from} if self.sampled_from else {}),
                "weights": dict(self.blend.weights), "chosen_on_validation": self.blend.validated, **self.systems}


def default_blend(settings: Settings) -> Blend:
    """Without a log to validate on: topic interests, with `settings.popularity_weight` of popularity."""
    return Blend(weights={"topics": 1 - settings.popularity_weight, "popularity": settings.popularity_weight},
                 validated=False)


def weight_grid(names: tuple[str, ...] = NAMES, steps: int = GRID_STEPS) -> list[dict[str, float]]:
    """Every way of sharing 1 among `names` in steps of 1/steps, each signal alone included."""
    grid = []
    for cuts in itertools.combinations(range(steps + len(names) - 1), len(names) - 1):
        parts = np.diff([-1, *cuts, steps + len(names) - 1]) - 1
        grid.append({name: part / steps for name, part in zip(names, parts)})
    return grid


def last_liked(recommender: Recommender) -> Split:
    """The default validation split: each user's latest liked item in the history, every item ranked."""
    def split(history):
        inner, holdout = leave_last_out(history, threshold(history, recommender.settings))
        return inner, holdout, None
    return split


def threshold(log: pd.DataFrame, settings: Settings) -> float:
    """A liked item's lowest rating: settings.min_rating, or the log's highest rating when lower."""
    return min(settings.min_rating, log["rating"].max())


def choose_blend(recommender: Recommender, history: pd.DataFrame, *, hidden: pd.DataFrame | None = None,
                 split: Split | None = None) -> Blend:
    """The grid blend with the best validation NDCG@10 (see validation_figures); of equal ones the first
    in the grid, which starts with popularity alone."""
    figures = validation_figures(recommender, history, hidden=hidden, split=split)
    return best_blend(figures) if figures else default_blend(recommender.settings)


def best_blend(figures: list[tuple[dict[str, float], float]]) -> Blend:
    """The validated Blend of the (weights, validation figure) pair with the highest figure; of equal ones
    the first."""
    best = max(figures, key=lambda pair: pair[1])[0]
    return Blend(weights={name: float(best.get(name, 0.0)) for name in NAMES}, validated=True)


def validation_figures(recommender: Recommender, history: pd.DataFrame, *, hidden: pd.DataFrame | None = None,
                       split: Split | None = None) -> list[tuple[dict[str, float], float]]:
    """(weights, validation NDCG@10) for every blend of the grid over the signals that have something to
    say: a copy of `recommender` is fitted on the history without each user's validation item (`split`, by
    default their latest liked one) and ranks it; `hidden` (the test holdout) stays hidden from the texts
    too. Empty when no validation item can be ranked."""
    inner_history, inner_holdout, candidates = (split or last_liked(recommender))(history)
    hide = inner_holdout if hidden is None else pd.concat([hidden[["user_id", "item_id"]], inner_holdout])
    fitted = recommender.unfitted().fit(inner_history, blend=Blend(weights={}, validated=False), hidden=hide)
    holdout = _rankable(inner_holdout, fitted, recommender.settings.seed)
    users = holdout["user_id"].tolist()
    if not users:
        return []
    ids = list(fitted.items_.ids)
    targets = holdout["item_id"].map({item: n for n, item in enumerate(ids)}).to_numpy(int)
    blocked = blocked_mask(fitted.events_, users, ids, None if candidates is None else np.isin(ids, list(candidates)))
    scores = fitted.signals(users)
    present = tuple(name for s, name in enumerate(NAMES) if scores.available[:, s].any()) or NAMES
    figures = []
    for weights in weight_grid(present):
        blended = signals.blend(scores, signals.user_weights(weights, scores.available))
        ranks = rank_of_targets(blended, targets, blocked, np.random.default_rng(recommender.settings.seed))
        figures.append((weights, hit_and_ndcg(ranks, 10)[CRITERION]))
    return figures


def evaluate(recommender: Recommender, interactions: pd.DataFrame, *, k: int = 10,
             blend: Blend | None = None) -> Evaluation:
    """Leave-last-out: each user's latest liked item is held out, the blend is chosen on a validation split
    of the rest (unless `blend` is given), a copy of the recommender is fitted on the rest with it, and
    every item the user has not seen is ranked, next to popularity, the collaborative signal alone and
    random (on at most MAX_CELLS users x items: more users are sampled, seeded)."""
    seed = recommender.settings.seed
    history, holdout = leave_last_out(interactions, threshold(interactions, recommender.settings))
    chosen = blend or choose_blend(recommender, history, hidden=holdout)
    fitted = recommender.unfitted().fit(history, blend=chosen, hidden=holdout)
    rankable = _rankable(holdout, fitted, seed)
    rankers = {"project": fitted.score}
    if fitted.side_.factors is not None:
        rankers["collaborative"] = fitted.signal("collaborative")
    figures = evaluate_rankers(rankers, fitted.events_, rankable, list(fitted.items_.ids), k=k, seed=seed)
    users = figures.pop("users")
    n_rankable = int(holdout["item_id"].isin(set(fitted.items_.ids)).sum())
    return Evaluation(users=users, blend=chosen, systems=figures,
                      sampled_from=n_rankable if users < n_rankable else None)


def _rankable(holdout: pd.DataFrame, fitted: Recommender, seed: int) -> pd.DataFrame:
    """The held-out pairs whose item the fitted recommender can rank, at most MAX_CELLS / items of them."""
    holdout = holdout[holdout["item_id"].isin(set(fitted.items_.ids))]
    most = max(1, MAX_CELLS // max(1, len(fitted.items_.ids)))
    return holdout.sample(n=most, random_state=seed).sort_index() if len(holdout) > most else holdout
