"""The recommender (core/recommender/) on the bundled demo with the real model: one blend for the list and
the evaluation, a grid that reaches each signal alone, cold users and cold items scored from their texts,
and reasons that name the signal that carried the item."""
import dataclasses

import numpy as np
import pandas as pd
import pytest

from core.data import load_demo
from core.data.corpus import ASSETS
from core.keywords import Topic
from core.pipeline import run
from core.recommender import NAMES, Blend, choose_blend, validation_figures, weight_grid
from core.recommender.history import latest
from core.recommender.reasons import about_topic
from core.recommender.reasons import popular as popular_reason
from core.recommender.signals import popularity_from_text
from core.settings import Settings
from core.stages import BY_NAME, stage_key, unfitted_recommender

SETTINGS = Settings(k=8, factors=4)
INTEREST = pd.read_csv(ASSETS / "demo_items.csv").set_index("item_id")["interest"]


@pytest.fixture(scope="module")
def demo():
    return run(load_demo(), SETTINGS)


def fresh(result, corpus=None):
    """The demo's recommender, not yet fitted, on `corpus` (the demo's by default) with the run's topics."""
    return unfitted_recommender(SETTINGS, corpus or result.corpus, result.labels, result.vectors, result.topics)


def test_the_list_and_the_evaluation_use_the_same_recommender_and_weights(demo):
    assert "evaluation" in BY_NAME["recommender"].inputs  # the listed recommender takes the evaluated blend
    assert demo.evaluation.blend.validated
    assert demo.recommender.blend_ == demo.evaluation.blend
    pd.testing.assert_frame_equal(demo.recommendations, demo.recommender.recommend(top_n=SETTINGS.top_n))
    for user in ("u02", "u17", demo.recommender.users_[-1]):  # the page lists one user at a time: the same rows
        alone = demo.recommender.recommend(top_n=SETTINGS.top_n, users=[user])
        among_all = demo.recommendations[demo.recommendations["user_id"] == user].reset_index(drop=True)
        pd.testing.assert_frame_equal(alone, among_all)
    record = demo.metrics["recommendations"]
    assert record["weights"] == demo.recommender.blend_.weights and record["chosen_on_validation"] is True
    assert {"project", "collaborative", "popularity", "random"} <= set(record)


def test_a_new_k_reuses_the_history_and_lists_what_a_fresh_fit_lists(demo):
    # the history stage (ALS, popularity, text sources) does not depend on k, so the app keeps it across k
    assert stage_key("history", SETTINGS) == stage_key("history", dataclasses.replace(SETTINGS, k=5))
    other = dataclasses.replace(SETTINGS, k=5)
    labels = BY_NAME["clusters"].run(other, demo.corpus, demo.space)
    found = BY_NAME["topics"].run(other, demo.corpus, labels, demo.vectors)
    reused = BY_NAME["recommender"].run(other, demo.corpus, labels, demo.vectors, found, demo.evaluation, demo.history)
    fresh_fit = unfitted_recommender(other, demo.corpus, labels, demo.vectors, found).fit(
        demo.corpus.interactions, blend=demo.evaluation.blend)
    assert reused.side_.topics.shape[1] == 5 and reused.profiles_.shares.shape[1] == 5
    pd.testing.assert_frame_equal(reused.recommend(), fresh_fit.recommend())
    assert reused.recommend()["signal"].eq("topics").any()  # the new topics are used, not the old ones


def test_the_weight_grid_reaches_every_signal_alone():
    grid = weight_grid()
    assert len(grid) == 286 and all(sum(w.values()) == pytest.approx(1) for w in grid)
    for name in NAMES:
        assert {n: float(n == name) for n in NAMES} in grid
    assert grid[0] == {"topics": 0.0, "collaborative": 0.0, "nearest": 0.0, "popularity": 1.0}


def test_where_only_popularity_predicts_validation_chooses_popularity_alone(demo):
    # everyone works down the same list of items, user n to depth n + 3, whatever they wrote: the most
    # popular item a user has not taken is always their next one (a critic who disliked the first 50 makes
    # them known, so that the deepest user's next item is not tied with the items nobody took)
    order = list(demo.corpus.catalogue.item_ids)
    rows = [(f"u{n:02d}", item, 5.0, t) for n in range(48) for t, item in enumerate(order[:n + 3])]
    rows += [("critic", item, 1.0, 0) for item in order[:50]]
    log = pd.DataFrame(rows, columns=["user_id", "item_id", "rating", "time"])
    corpus = dataclasses.replace(demo.corpus, items=None, interactions=log)  # posts name no items here
    recommender = fresh(demo, corpus)
    figures = {tuple(w.values()): f for w, f in validation_figures(recommender, log)}
    alone = {name: figures[tuple(float(n == name) for n in NAMES)] for name in NAMES}
    assert max(figures.values()) == alone["popularity"] == 1.0 > max(alone["topics"], alone["nearest"])
    assert choose_blend(recommender, log).weights == {"topics": 0.0, "collaborative": 0.0, "nearest": 0.0,
                                                      "popularity": 1.0}


def test_a_cold_user_is_scored_by_topics_and_text_and_gets_their_subject(demo):
    log = demo.corpus.interactions
    cold = "u03"  # five posts about photography, and no interactions below
    corpus = dataclasses.replace(demo.corpus, items=tuple("" if u == cold else i for u, i in
                                                          zip(demo.corpus.users, demo.corpus.items)))
    recommender = fresh(demo, corpus).fit(log[log.user_id != cold], blend=demo.evaluation.blend)
    available = dict(zip(NAMES, recommender.signals([cold]).available[0]))
    assert available == {"topics": True, "collaborative": False, "nearest": True, "popularity": True}
    listed = recommender.recommend(users=[cold], top_n=10)
    assert len(listed) == 10 and (INTEREST[listed.item_id] == "photography").sum() >= 6
    assert listed.signal.isin(["topics", "nearest"]).sum() >= 6


def test_a_cold_item_is_scored_by_topics_and_text(demo):
    log = demo.corpus.interactions
    cold = "i001"  # a sourdough guide that nobody has taken or written about below
    corpus = dataclasses.replace(demo.corpus, items=tuple("" if i == cold else i for i in demo.corpus.items))
    recommender = fresh(demo, corpus).fit(log[log.item_id != cold], blend=demo.evaluation.blend)
    column = recommender.items_.ids.index(cold)
    assert not recommender.side_.has_events[column]
    assert recommender.side_.has_factors[column]  # collaborative factors predicted from its text
    assert 0 < recommender.side_.popularity[column] < 1  # and its popularity, below every item someone has
    baker, photographer = "u01", "u03"  # six posts about cooking; five about photography
    scores = recommender.signals([baker, photographer])
    for name in ("topics", "collaborative"):
        assert scores.by_signal[name][0, column] > scores.by_signal[name][1, column], name
    assert scores.available[:, NAMES.index("nearest")].all() and scores.by_signal["nearest"][0, column] > 0
    blended = recommender.score([baker])[0]
    unseen = np.setdiff1d(np.arange(len(blended)), recommender.seen_[recommender.users_.index(baker)])
    assert (blended[unseen] > blended[column]).mean() < 0.25  # in the baker's top quarter of what is new to them


def test_a_new_items_popularity_is_predicted_from_its_text_and_its_reason_says_so():
    rng = np.random.default_rng(0)
    popular, niche = np.eye(8)[0], np.eye(8)[1]  # two directions of text: items like the first are taken more
    vectors = np.vstack([popular + 0.1 * rng.normal(size=(20, 8)), niche + 0.1 * rng.normal(size=(20, 8)),
                         [popular, niche, np.zeros(8)]]).astype(np.float32)
    users = np.concatenate([rng.integers(50, 100, 20), rng.integers(0, 5, 20), [0, 0, 0]])
    has_events = users > 0
    predicted = popularity_from_text(users, has_events, vectors)
    np.testing.assert_array_equal(predicted[has_events], users[has_events])  # what is known stays as it is
    like_popular, like_niche, no_text = predicted[-3:]
    assert 1 > like_popular > like_niche > 0 == no_text  # below every known item, ordered by their text
    assert popular_reason(0.0, taken=False).startswith("New: nobody has it yet")
    assert popular_reason(12.0) == "Popular right now: 12 users have it."


@pytest.mark.parametrize("signal, start", [("topics", "About "), ("collaborative", "People who liked "),
                                           ("nearest", "Close to "), ("popularity", "Popular right now: ")])
def test_each_reason_names_the_signal_that_carried_the_item(demo, signal, start):
    recommender = fresh(demo).fit(demo.corpus.interactions, blend=Blend(weights={signal: 1.0}, validated=False))
    listed = recommender.recommend(top_n=3)
    assert (listed.signal == signal).all() and listed.reason.str.startswith(start).all()
    taken = demo.corpus.interactions.merge(pd.read_csv(ASSETS / "demo_items.csv"), on="item_id")
    titles = taken.groupby("user_id")["title"].apply(set)
    if signal == "collaborative":  # "People who liked X also liked this": X is in the user's own history
        named = listed.reason.str.extract(r"People who liked (.*) also liked this\.")[0]
        assert all(x in titles[u] for u, x in zip(listed.user_id, named))
    if signal == "topics":
        assert listed.reason.str.contains(r"\d+ % of what you (?:write and like|write|liked)\.|people with interests").all()


def test_in_a_mixed_blend_the_reason_is_the_signal_that_lifts_the_item_most(demo):
    listed = demo.recommendations
    for user, group in list(listed.groupby("user_id"))[:5]:
        scores = demo.recommender.signals([user])
        weights = np.array([demo.recommender.blend_.weights[n] for n in NAMES])
        columns = [demo.recommender.items_.ids.index(i) for i in group.item_id]
        lifts = np.stack([weights[s] * scores.by_signal[n][0, columns] for s, n in enumerate(NAMES)])
        assert group.signal.tolist() == [NAMES[s] for s in lifts.argmax(axis=0)]


def test_chinese_topic_words_stay_chinese_in_the_reason():
    topic = Topic(id=0, size=3, words=("相机", "拍照", "风景", "镜头"), weights=(1, 1, 1, 1), label="0: 相机",
                  representatives=())
    reason = about_topic(np.array([0.18]), np.array([1.0]), np.array([1.0]), [topic], wrote=True, liked=False)
    assert reason == "About 相机, 拍照, 风景, 18 % of what you write."


def test_a_new_users_text_is_scored_by_the_listed_recommender(demo):
    from core.pipeline import embed_profile

    text = "I bake sourdough bread every weekend and love cooking pasta sauce."
    vector, vectors = embed_profile(text, demo.corpus, SETTINGS, demo.vectors)
    mix, listed = demo.recommender.recommend_for_texts([text], vector, text_vectors=vectors.texts,
                                                      catalogue_vectors=vectors.catalogue)
    assert mix.sum() == pytest.approx(1) and len(listed) == SETTINGS.top_n
    assert (INTEREST[listed.item_id] == "cooking").sum() >= 5
    assert not listed.signal.isin(["collaborative"]).any()
    assert listed.reason.str.startswith(("About ", "Close to what you wrote", "Popular right now")).all()


def test_a_users_strongest_interest_shows_in_their_list_unless_they_have_seen_all_of_it(demo):
    """Issue 13's u10: 52 % football with unseen football items, yet listed finance and cooking."""
    fitted = demo.recommender
    main_topic = fitted.items_.topics.argmax(axis=1)
    row = {user: n for n, user in enumerate(fitted.users_)}
    missing = []
    for user, shares in demo.interests.iterrows():
        unseen = set(np.flatnonzero(main_topic == shares.idxmax())) - set(fitted.seen_[row[user]])
        listed = {fitted.items_.ids.index(i) for i in demo.recommendations.loc[demo.recommendations.user_id == user,
                                                                              "item_id"]}
        if unseen and not listed & unseen:
            missing.append(user)
    assert not missing, missing


def test_text_similarity_compares_with_the_items_a_user_liked_last():
    log = pd.DataFrame({"user_id": ["a"] * 7 + ["b"],
                        "item_id": ["i1", "i2", "i3", "i4", "i5", "i6", "i2", "i9"],
                        "time": [1, 2, 3, 4, 5, 6, 7, 1]}).sample(frac=1, random_state=0)  # rows out of time order
    kept = latest(log, 3)
    assert kept[kept.user_id == "a"]["item_id"].tolist() == ["i5", "i6", "i2"]  # i2 again at time 7: it counts then
    assert kept[kept.user_id == "b"]["item_id"].tolist() == ["i9"]
    no_times = latest(log.drop(columns="time").sort_index(), 2)  # a log without times: its rows' order
    assert no_times[no_times.user_id == "a"]["item_id"].tolist() == ["i6", "i2"]
