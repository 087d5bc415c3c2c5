"""R, its factorisation, and the leave-last-out protocol with its figures (the recommender itself:
tests/test_recommender.py)."""
import numpy as np
import pandas as pd
import pytest

from core.errors import CoreError
from core.evaluate import evaluate_rankers, leave_last_out
from core.cluster import one_hot
from core.interests import factorize, user_topic_matrix
from core.items import soft_topics


def test_R_rows_are_shares_of_each_users_texts():
    R = user_topic_matrix(["a", "a", "a", "b"], one_hot(np.array([0, 0, 1, 1]), 2))
    assert R.loc["a"].tolist() == pytest.approx([2 / 3, 1 / 3])
    assert R.loc["b"].tolist() == [0, 1]


def test_factorisation_shapes_error_and_clipping():
    R = pd.DataFrame(np.random.default_rng(0).random((6, 4)))
    f = factorize(R, 2, seed=0)
    assert f.U.shape == (6, 2) and f.V.shape == (4, 2)
    assert f.error == pytest.approx(np.linalg.norm(R.values - f.reconstructed.values))
    assert factorize(R, 4, seed=0).error < f.error
    clipped = factorize(R, 9, seed=0)
    assert clipped.U.shape[1] == 4 and "used 4" in clipped.note
    with pytest.raises(CoreError):
        factorize(R, 0)


def test_soft_topics_follow_the_nearest_centroid():
    centroids = np.array([[1.0, 0.0], [0.0, 1.0]])
    mix = soft_topics(np.array([[0.9, 0.1]]), centroids)
    assert mix[0, 0] > 0.99 and mix.sum() == pytest.approx(1)


def test_leave_last_out_and_baselines():
    log = pd.DataFrame({"user_id": ["u1", "u1", "u2", "u2", "u3"], "item_id": ["a", "b", "a", "c", "a"],
                        "rating": [5, 5, 5, 5, 2], "time": ["1", "2", "1", "2", "1"]})
    history, holdout = leave_last_out(log, 4)
    assert holdout.values.tolist() == [["u1", "b"], ["u2", "c"]]
    assert len(history) == 3
    oracle = {"oracle": lambda users: np.array([[0, 1, 0], [0, 0, 1]], float)}
    results = evaluate_rankers(oracle, history, holdout, ["a", "b", "c"], k=1)
    assert results["oracle"]["hr@1"] == 1.0 and results["oracle"]["ndcg@1"] == 1.0
    assert set(results) == {"users", "oracle", "popularity", "random"}


def test_the_cold_validation_split_hides_a_fifth_of_the_warm_items_and_holds_out_each_likers_latest():
    from bench.protocols import cold_split

    rng = np.random.default_rng(3)
    log = pd.DataFrame({"user_id": [f"u{n}" for n in rng.integers(0, 30, 600)],
                        "item_id": [f"i{n}" for n in rng.integers(0, 50, 600)],
                        "rating": rng.choice([2.0, 4.0, 5.0], 600), "time": rng.permutation(600)})
    warm = [f"i{n}" for n in range(10, 50)]  # i0..i9 are the test's own cold items: never chosen again
    history, holdout, chosen = cold_split(log, warm, 4.0, seed=1)
    assert len(chosen) == 8 and chosen <= set(warm)
    assert not history["item_id"].isin(chosen).any() and len(history) == (~log["item_id"].isin(chosen)).sum()
    liked = log[log["item_id"].isin(chosen) & (log["rating"] >= 4)]
    latest = liked.sort_values("time").groupby("user_id").tail(1)
    assert dict(zip(holdout["user_id"], holdout["item_id"])) == dict(zip(latest["user_id"], latest["item_id"]))
    assert cold_split(log, warm, 4.0, seed=1)[2] == chosen  # seeded


def test_numeric_times_are_ordered_as_numbers_not_as_text():
    log = pd.DataFrame({"user_id": ["u", "u"], "item_id": ["later", "earlier"], "rating": [5.0, 5.0],
                        "time": ["1000000000", "999999999"]})  # as text, '999999999' would come last
    assert leave_last_out(log, 4)[1]["item_id"].tolist() == ["later"]


def test_coverage_and_the_share_of_popular_items_in_the_lists():
    log = pd.DataFrame({"user_id": ["u1", "u1", "u2", "u2", "u3", "u3"], "item_id": ["a", "c", "a", "d", "b", "e"],
                        "rating": [5.0] * 6, "time": [1, 2, 1, 2, 1, 2]})
    history, holdout = leave_last_out(log, 4)
    results = evaluate_rankers({}, history, holdout, list("abcdefghij"), k=1)
    # popularity lists b, b (a is theirs already) and a: two of ten items, one of three among the top 10 %
    assert results["popularity"]["coverage"] == pytest.approx(0.2)
    assert results["popularity"]["popular share"] == pytest.approx(1 / 3)
    assert results["popularity"]["hr@1"] == 0 and results["popularity"]["hr@1 se"] == 0
