"""Recommendations on MovieLens ml-latest-small (../shared/BENCHMARKS.md, protocol 2): the project's
recommender next to random, popularity, item-kNN and ALS, leave-last-out HR@10 / NDCG@10, plus the
cold-start-items protocol, all in one run.

    .venv/bin/python bench/recommend.py        # prints the table; --json FILE also writes the figures
"""
from __future__ import annotations

import argparse
import json

import numpy as np
import pandas as pd
from scipy import sparse

from common import MOVIELENS, Timer, table

from core.data import Catalogue
from core.embedders import EmbeddingCache
from core.evaluate import evaluate_rankers, leave_last_out
from core.pipeline import fit_recommender
from core.settings import Settings

SEED = 42


def movielens() -> tuple[pd.DataFrame, Catalogue]:
    """Ratings as a log (user_id, item_id, rating, time) and movies as a catalogue of title, genres, tags."""
    ratings = pd.read_csv(MOVIELENS / "ratings.csv")
    movies = pd.read_csv(MOVIELENS / "movies.csv")
    tags = pd.read_csv(MOVIELENS / "tags.csv")
    tag_text = tags.groupby("movieId")["tag"].apply(lambda s: ", ".join(dict.fromkeys(map(str, s))))
    texts = [f"{row.title}. Genres: {row.genres.replace('|', ', ')}." +
             (f" Tags: {tag_text[row.movieId]}." if row.movieId in tag_text.index else "")
             for row in movies.itertuples()]
    catalogue = Catalogue(item_ids=tuple(movies.movieId.astype(str)), texts=tuple(texts),
                          titles=tuple(movies.title))
    log = pd.DataFrame({"user_id": ratings.userId.astype(str), "item_id": ratings.movieId.astype(str),
                        "rating": ratings.rating.astype(float), "time": ratings.timestamp.astype(np.int64)})
    return log, catalogue


def interaction_matrix(history: pd.DataFrame, users: list[str], item_ids: list[str]) -> sparse.csr_matrix:
    u = {x: i for i, x in enumerate(users)}
    it = {x: i for i, x in enumerate(item_ids)}
    known = history[history.user_id.isin(u) & history.item_id.isin(it)]
    return sparse.csr_matrix((np.ones(len(known)), (known.user_id.map(u), known.item_id.map(it))),
                             shape=(len(users), len(item_ids)))


def item_knn(history, item_ids):
    users = sorted(history.user_id.unique())
    X = interaction_matrix(history, users, item_ids)
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=0))).ravel()
    Xn = X.multiply(1 / np.where(norms == 0, 1, norms)).tocsc()
    similarity = (Xn.T @ Xn).tocsr()
    similarity.setdiag(0)
    index = {x: i for i, x in enumerate(users)}

    def rank(us):
        rows = X[[index[u] for u in us]] if us else X[:0]
        return np.asarray((rows @ similarity).todense())
    return rank


def als(history, item_ids):
    from implicit.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits

    users = sorted(history.user_id.unique())
    X = interaction_matrix(history, users, item_ids)
    with threadpool_limits(1, "blas"):
        model = AlternatingLeastSquares(factors=64, regularization=0.05, iterations=20, random_state=SEED)
        model.fit((X * 20).tocsr(), show_progress=False)
    index = {x: i for i, x in enumerate(users)}
    user_factors, item_factors = np.asarray(model.user_factors), np.asarray(model.item_factors)
    return lambda us: user_factors[[index[u] for u in us]] @ item_factors.T


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", help="write the figures to this file too")
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--factors", type=int, default=8)
    args = parser.parse_args()

    log, catalogue = movielens()
    item_ids = list(catalogue.item_ids)
    settings = Settings(k=args.k, factors=args.factors, seed=SEED)
    with Timer() as t:
        recommender = fit_recommender(catalogue, settings, cache=EmbeddingCache())
    print(f"project topic model on {len(item_ids)} movie texts: {t.seconds:.1f} s", flush=True)

    history, holdout = leave_last_out(log, 4.0)
    rows = []
    with Timer() as t:
        project = recommender.ranker(history, validation=True, holdout=holdout)
    print(f"project recommender fitted on history in {t.seconds:.1f} s; {project.description}", flush=True)
    warm = evaluate_rankers({"project": project, "item-kNN (cosine)": item_knn(history, item_ids),
                             "ALS (implicit)": als(history, item_ids)},
                            history, holdout, item_ids, k=10, seed=0)

    # Cold-start items: 20 % of all movies lose all their interactions; rank the held-out cold movie among them.
    all_ids = np.array(sorted(int(i) for i in item_ids))
    cold = set(map(str, np.random.default_rng(0).choice(all_ids, size=len(all_ids) // 5, replace=False)))
    cold_history = history[~history.item_id.isin(cold)]
    cold_holdout = holdout[holdout.item_id.isin(cold)]
    candidates = np.array([i in cold for i in item_ids])
    cold_project = recommender.ranker(cold_history, validation=True, cold=cold)
    cold_results = evaluate_rankers({"project": cold_project}, cold_history, cold_holdout, item_ids, k=10, seed=0,
                                    candidates=candidates)
    print(f"cold-start items: {cold_project.description}", flush=True)
    print(f"users: warm {warm['users']}, cold {cold_results['users']}", flush=True)

    for name in ("random", "popularity", "item-kNN (cosine)", "ALS (implicit)", "project"):
        rows.append({"system": name, "HR@10": warm[name]["hr@10"], "NDCG@10": warm[name]["ndcg@10"],
                     "cold HR@10": cold_results[name]["hr@10"] if name in ("project", "random") else None,
                     "cold NDCG@10": cold_results[name]["ndcg@10"] if name in ("project", "random") else None})
    print(table(rows, ["system", "HR@10", "NDCG@10", "cold HR@10", "cold NDCG@10"]))
    print("(popularity, item-kNN and ALS cannot score cold items: they have no interactions)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"warm": rows, "project": project.description, "cold_project": cold_project.description}, f,
                      indent=2)


if __name__ == "__main__":
    main()
