"""Recommendations (../shared/BENCHMARKS.md, protocols 2 and 5), all in one run: the project's recommender
next to random, popularity, its collaborative signal alone, item-kNN and ALS (the anchor) on MovieLens
leave-last-out; cold-start items; cold users (known only by what they write); a skewed log (MovieLens's
100 most-rated movies); and the bundled demo. HR@10, NDCG@10, the standard error of HR@10 over users,
catalogue coverage and the share of the 10 % most popular items; then whether each target holds.

    .venv/bin/python bench/recommend.py                        # --json FILE also writes the figures
    .venv/bin/python bench/recommend.py --write-items FILE     # the movie catalogue for `core evaluate-recs`
"""
from __future__ import annotations

import argparse
import json

import numpy as np
import pandas as pd
from scipy import sparse

from common import MOVIELENS, Timer, cpu_line, table
from protocols import cold_items, cold_split, cold_users, most_rated, top_share, user_texts

from core.data import Catalogue, load_demo
from core.embedders import EmbeddingCache, embed_texts, load_embedder
from core.evaluate import evaluate_rankers, leave_last_out
from core.pipeline import catalogue_corpus, fit_recommender
from core.recommender import Blend, best_blend, evaluate, validation_figures
from core.settings import Settings
from core.stages import model_choice

SEED = 42
COLD_FOLDS = 3  # validation folds the cold-item blend is chosen on
MIN_RATING = 4.0
COLUMNS = ["system", "HR@10", "± SE", "NDCG@10", "coverage", "top-10 % share"]


def movielens() -> tuple[pd.DataFrame, Catalogue, pd.DataFrame]:
    """Ratings as a log (user_id, item_id, rating, time), movies as a catalogue of title, genres and tags,
    and the movies table."""
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
    return log, catalogue, movies


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

    def rank(us):  # a user without a history scores every item 0
        rows = sparse.vstack([X[index[u]] if u in index else sparse.csr_matrix((1, X.shape[1])) for u in us])
        return np.asarray((rows @ similarity).todense())
    return rank


def als(history, item_ids):
    """The anchor: implicit 0.7.3 ALS, 64 factors, reg 0.05, 20 iterations, confidence 20."""
    from implicit.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits

    users = sorted(history.user_id.unique())
    X = interaction_matrix(history, users, item_ids)
    with threadpool_limits(1, "blas"):
        model = AlternatingLeastSquares(factors=64, regularization=0.05, iterations=20, random_state=SEED)
        model.fit((X * 20).tocsr(), show_progress=False)
    index = {x: i for i, x in enumerate(users)}
    user_factors, item_factors = np.asarray(model.user_factors), np.asarray(model.item_factors)
    empty = np.zeros((1, user_factors.shape[1]), user_factors.dtype)  # a user without a history: all 0
    return lambda us: np.vstack([user_factors[index[u]][None] if u in index else empty for u in us]) @ item_factors.T


def rows_of(figures: dict, names: dict[str, str]) -> list[dict]:
    return [{"system": label, "HR@10": figures[name]["hr@10"], "± SE": figures[name]["hr@10 se"],
             "NDCG@10": figures[name]["ndcg@10"], "coverage": figures[name]["coverage"],
             "top-10 % share": figures[name]["popular share"]} for name, label in names.items() if name in figures]


def with_anchors(recommender, log: pd.DataFrame) -> tuple[dict, str]:
    """The project's evaluation (core.recommender.evaluate, what `core evaluate-recs` prints) and item-kNN
    and ALS on the same held-out items."""
    evaluation = evaluate(recommender, log)
    history, holdout = leave_last_out(log, MIN_RATING)
    ids = list(recommender.corpus.catalogue.item_ids)
    anchors = evaluate_rankers({"item-kNN": item_knn(history, ids), "ALS": als(history, ids)}, history, holdout, ids,
                               k=10, seed=SEED)
    return {**evaluation.systems, "item-kNN": anchors["item-kNN"], "ALS": anchors["ALS"],
            "users": evaluation.users}, evaluation.blend


def cold_start_items(recommender, log: pd.DataFrame) -> tuple[dict, object]:
    """Protocol 2's cold items: their interactions removed, the held-out cold movie ranked among them; the
    blend chosen on the same protocol inside the history (cold_blend)."""
    history, holdout = leave_last_out(log, MIN_RATING)
    cold = cold_items(recommender.corpus.catalogue.item_ids)
    cold_history = history[~history.item_id.isin(cold)]
    cold_holdout = holdout[holdout.item_id.isin(cold)]

    blend = cold_blend(recommender, cold_history, holdout, sorted(set(cold_history.item_id) - cold))
    fitted = recommender.unfitted().fit(cold_history, blend=blend, hidden=holdout)
    ids = list(fitted.items_.ids)
    return evaluate_rankers({"project": fitted.score}, fitted.events_, cold_holdout, ids, k=10, seed=SEED,
                            candidates=np.isin(ids, list(cold))), blend


def cold_blend(recommender, history: pd.DataFrame, holdout: pd.DataFrame, warm: list[str]) -> Blend:
    """The grid blend with the best validation NDCG@10 averaged over COLD_FOLDS seeded cold splits inside
    the history (protocols.cold_split): one fold holds out about a hundred movies, too few to choose on alone."""
    figures = [validation_figures(recommender, history, hidden=holdout,
                                  split=lambda h, seed=seed: cold_split(h, warm, MIN_RATING, seed))
               for seed in range(SEED, SEED + COLD_FOLDS)]
    assert all([w for w, _ in fold] == [w for w, _ in figures[0]] for fold in figures), "folds with other grids"
    return best_blend([(weights, float(np.mean([fold[n][1] for fold in figures])))
                       for n, (weights, _) in enumerate(figures[0])])


def cold_start_users(recommender, log: pd.DataFrame, movies: pd.DataFrame, blend) -> dict:
    """A seeded fifth of the users lose their interactions and are known only by sentences about the ten
    movies they liked last ("I liked Alien (1979), a Horror, Sci-Fi film."), scored as a new user's text is
    (Recommender.score_texts) with the warm blend; the movies they name are not recommended back."""
    history, holdout = leave_last_out(log, MIN_RATING)
    cold = cold_users(holdout.user_id, SEED)
    fitted = recommender.unfitted().fit(history[~history.user_id.isin(cold)], blend=blend, hidden=holdout)
    ids = dict(zip(movies.movieId.astype(str), movies.title)), dict(zip(movies.movieId.astype(str), movies.genres))
    texts = user_texts(history[history.user_id.isin(cold)], *ids, min_rating=MIN_RATING)
    settings = recommender.settings
    model, _ = model_choice(catalogue_corpus(recommender.corpus.catalogue), settings)
    embedder = load_embedder(model, settings.windows, settings.precision, settings.seed)
    users = [u for u in holdout.user_id if u in texts]
    flat = [t for u in users for t in texts[u]]
    vectors = embed_texts(embedder, flat, cache=EmbeddingCache())
    ends = np.cumsum([len(texts[u]) for u in users])
    scores = fitted.score_texts(np.split(vectors, ends[:-1]))
    row = {u: n for n, u in enumerate(users)}
    seen = pd.concat([fitted.events_, history[history.user_id.isin(cold)][["user_id", "item_id"]]])
    return evaluate_rankers({"project": lambda us: scores[[row[u] for u in us]]}, seen,
                            holdout[holdout.user_id.isin(users)], list(fitted.items_.ids), k=10, seed=SEED)


def write_items(path: str) -> None:
    """The movies with the benchmark's texts (title; genres and tags) for `core evaluate-recs --items`."""
    _, catalogue, _ = movielens()
    pd.DataFrame({"item_id": catalogue.item_ids, "title": catalogue.titles,
                  "text": [t[len(title) + 2:] for t, title in zip(catalogue.texts, catalogue.titles)]}).to_csv(path, index=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", help="write the figures to this file too")
    parser.add_argument("--write-items", help="write the movie catalogue for `core evaluate-recs` and stop")
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--factors", type=int, default=8)
    args = parser.parse_args()
    if args.write_items:
        return write_items(args.write_items)
    print(cpu_line(), flush=True)
    log, catalogue, movies = movielens()
    settings = Settings(k=args.k, factors=args.factors, seed=SEED)
    out, checks = {}, []
    names = {"random": "random", "popularity": "popularity", "item-kNN": "item-kNN (cosine)",
             "ALS": "ALS (implicit, 64 factors, reg 0.05, 20 it., confidence 20)",
             "collaborative": "project's collaborative signal alone (ALS, same settings)", "project": "project"}

    with Timer() as t:
        recommender = fit_recommender(catalogue, settings, cache=EmbeddingCache())
        warm, blend = with_anchors(recommender, log)
    print(f"\n## MovieLens leave-last-out ({warm['users']} users, {t.seconds:.0f} s): {blend.sentence()}")
    print(table(rows_of(warm, names), COLUMNS), flush=True)
    out["movielens"] = {"figures": warm, "weights": blend.weights}
    checks += [("MovieLens warm HR@10 >= 0.080", warm["project"]["hr@10"], warm["project"]["hr@10"] >= 0.080),
               ("MovieLens warm NDCG@10 >= 0.036", warm["project"]["ndcg@10"], warm["project"]["ndcg@10"] >= 0.036)]

    with Timer() as t:
        cold, cold_blend = cold_start_items(recommender, log)
    print(f"\n## Cold-start items ({cold['users']} users, {t.seconds:.0f} s): {cold_blend.sentence()}")
    print(table(rows_of(cold, {"random": "random", "project": "project"}), COLUMNS))
    print("(popularity, item-kNN and ALS cannot score cold items: nobody has them)", flush=True)
    out["cold_items"] = {"figures": cold, "weights": cold_blend.weights}
    checks.append(("cold items HR@10 >= 0.10", cold["project"]["hr@10"], cold["project"]["hr@10"] >= 0.10))

    with Timer() as t:
        users = cold_start_users(recommender, log, movies, blend)
    print(f"\n## Cold users, known only by what they write ({users['users']} users, {t.seconds:.0f} s)")
    print(table(rows_of(users, {"random": "random", "popularity": "popularity", "project": "project"}), COLUMNS))
    print("(collaborative methods cannot score users without interactions)", flush=True)
    out["cold_users"] = {"figures": users}

    skewed_log = most_rated(log, 100)
    skewed_ids = set(skewed_log.item_id)
    skewed_catalogue = Catalogue(**{field: tuple(v for i, v in zip(catalogue.item_ids, getattr(catalogue, field))
                                                 if i in skewed_ids) for field in ("item_ids", "texts", "titles")})
    with Timer() as t:
        skewed, skewed_blend = with_anchors(fit_recommender(skewed_catalogue, Settings(k=10, factors=args.factors,
                                                                                       seed=SEED)), skewed_log)
    print(f"\n## Skewed log: MovieLens's 100 most-rated movies, {len(skewed_log):,} ratings, top 10 movies "
          f"{top_share(skewed_log):.0%} of them (k = 10 topics; {skewed['users']} users, {t.seconds:.0f} s): "
          f"{skewed_blend.sentence()}")
    print(table(rows_of(skewed, names), COLUMNS), flush=True)
    out["skewed"] = {"figures": skewed, "weights": skewed_blend.weights, "top10_share": top_share(skewed_log)}

    demo = load_demo()
    with Timer() as t:
        demo_evaluation = evaluate(fit_recommender(demo.catalogue, Settings(k=8, factors=4, seed=SEED), texts=demo),
                                   demo.interactions)
    print(f"\n## Bundled demo ({demo_evaluation.users} users, {t.seconds:.0f} s): {demo_evaluation.blend.sentence()}")
    print(table(rows_of(demo_evaluation.systems, names), COLUMNS), flush=True)
    out["demo"] = {"figures": demo_evaluation.record()}

    for name, figures in (("MovieLens warm", warm), ("cold users", users), ("skewed log", skewed),
                          ("demo", demo_evaluation.systems)):
        project, popular = figures["project"]["hr@10"], figures["popularity"]["hr@10"]
        se = figures["popularity"]["hr@10 se"]
        checks.append((f"{name}: project HR@10 >= popularity's - 1 SE ({popular:.3f} - {se:.3f})", project,
                       project >= popular - se))
    print("\n## Targets")
    for what, figure, met in checks:
        print(f"- {what}: {figure:.3f} {'met' if met else 'MISSED'}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({**out, "targets": [{"target": w, "figure": v, "met": m} for w, v, m in checks]}, f,
                      indent=2, default=float)


if __name__ == "__main__":
    main()
