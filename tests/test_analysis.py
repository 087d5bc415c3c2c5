"""Topic curation and the analyst's views, on the real pipeline over the bundled demo (and its command line)."""
import json

import numpy as np
import pandas as pd
import pytest

from core import analysis, curation
from core.__main__ import main
from core.data import load_demo
from core.errors import CoreError


def test_merging_keeps_the_first_topics_id_and_moves_later_names_down():
    labels = np.array([0, 0, 1, 1, 2, 2, 3])
    edits, names = curation.merged((), ((1, "Bread"), (2, "Goals"), (3, "Money")), 0, 2)
    assert names == ((0, "Goals"), (1, "Bread"), (2, "Money"))  # 0 had no name: it takes the absorbed one's
    assert curation.apply_edits(labels, edits, np.zeros((7, 2)), 0).tolist() == [0, 0, 1, 1, 0, 0, 2]


def test_splitting_adds_the_new_half_last_and_edits_must_name_real_topics():
    labels = np.array([0, 0, 0, 0, 1, 1])
    points = np.array([[0.0, 0], [0.1, 0], [5, 5], [5.1, 5], [9, 9], [9, 9.1]])
    edits, names = curation.split((), ((0, "Mixed"),), 0)
    after = curation.apply_edits(labels, edits, points, 0)
    assert sorted(after.tolist()) == [0, 0, 1, 1, 2, 2] and after[0] == after[1] != after[2] == after[3]
    assert names == ((0, "Mixed"),)
    with pytest.raises(CoreError, match="does not exist"):
        curation.apply_edits(labels, (("merge", 0, 7),), points, 0)


def test_names_are_read_from_a_table_and_bad_rows_are_explained():
    assert curation.read_names(pd.DataFrame({"topic": ["2", "0"], "name": ["Goals", "Bread"]})) == \
        ((0, "Bread"), (2, "Goals"))
    with pytest.raises(CoreError, match="columns topic and name"):
        curation.read_names(pd.DataFrame({"id": [1]}))
    with pytest.raises(CoreError, match="not a topic number"):
        curation.read_names(pd.DataFrame({"topic": ["first"], "name": ["x"]}))


def test_shares_sum_to_one_within_each_group_and_periods_follow_the_time_span():
    labels = np.array([0, 1, 1, 0, 2, -1])
    table = analysis.shares(["a", "a", "b", "b", "b", "b"], labels, {0: "x", 1: "y", 2: "z"}, "label")
    assert table.groupby("label")["share"].sum().round(9).eq(1).all()
    assert table.loc[(table.label == "a") & (table.topic == 0), "share"].item() == 0.5
    days = [f"2026-01-{d:02d}" for d in range(1, 7)]
    assert analysis.period_of(days)[1] == "day"
    assert analysis.period_of(["2024-01-01", "2026-06-30"])[1] == "month"
    assert analysis.period_of(["not a date", "nor this"])[0] is None


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    names = out / "names.csv"
    names.write_text("topic,name\n0,My first topic\n")
    code = main(["run", "--user-col", "user_id", "--item-col", "item_id", "--label-col", "interest", "--time-col",
                 "time", "--domain-col", "domain", "--topic-names", str(names), "--out", str(out / "run")])
    assert code == 0
    return out / "run"


def read(folder, name):
    return pd.read_csv(folder / name, encoding="utf-8-sig")


def test_the_demo_run_writes_every_view_and_shares_sum_to_one(demo_run):
    for name, group in (("topics_over_time.csv", "period"), ("topics_per_label.csv", "label"),
                        ("domains.csv", "domain")):
        table = read(demo_run, name)
        assert len(table) and np.allclose(table.groupby(group)["share"].sum(), 1), name
    topics = read(demo_run, "topics.csv")
    k = len(topics)
    assert len(read(demo_run, "topic_map.csv")) == k and len(read(demo_run, "topic_hierarchy.csv")) == k - 1
    links = read(demo_run, "domain_links.csv")
    assert set(links.columns) >= {"domain_a", "topic_a", "domain_b", "topic_b", "lift", "users"}
    assert len(links) and (links.domain_a != links.domain_b).all() and (links.users >= 2).all()


def test_topic_names_from_a_file_flow_into_every_output(demo_run):
    assert read(demo_run, "topics.csv").loc[0, "label"] == "0: My first topic"
    assert "0: My first topic" in read(demo_run, "R.csv").columns
    assert (read(demo_run, "documents.csv").query("topic == 0")["topic_label"] == "0: My first topic").all()
    assert json.loads((demo_run / "run.json").read_text())["settings"]["topic_names"] == [[0, "My first topic"]]


def test_no_user_is_recommended_an_item_they_have_seen_or_their_own_text(demo_run):
    corpus = load_demo()
    seen = set(zip(corpus.users, corpus.items)) | set(zip(corpus.interactions.user_id, corpus.interactions.item_id))
    recs = read(demo_run, "recommendations.csv")
    assert len(recs) and not any(pair in seen for pair in zip(recs.user_id, recs.item_id))


def test_without_items_a_text_is_never_recommended_to_its_writer(tmp_path, english_texts):
    path = tmp_path / "posts.csv"
    pd.DataFrame({"user": [f"u{i % 4}" for i in range(len(english_texts))], "text": english_texts}).to_csv(path)
    assert main(["run", str(path), "--user-col", "user", "--k", "3", "--out", str(tmp_path / "out")]) == 0
    recs = read(tmp_path / "out", "recommendations.csv")
    written = {(f"u{i % 4}", f"doc{i}") for i in range(len(english_texts))}
    assert len(recs) and not any(pair in written for pair in zip(recs.user_id, recs.item_id))


def test_items_of_one_domain_are_recommended_from_a_users_texts_in_another():
    from core.domains import domain_items, recommend_across_domains
    from core.pipeline import run
    from core.settings import Settings

    corpus = load_demo()
    result = run(corpus, Settings())
    both = next(u for u in dict.fromkeys(corpus.users)
                if {d for v, d in zip(corpus.users, corpus.domains) if v == u} == {"forum", "reviews"})
    recs = recommend_across_domains(corpus, result.labels, result.items, result.topics, both, "forum", "reviews")
    reviews = set(np.array(result.items.ids)[domain_items(corpus, result.items, "reviews")])
    seen = {i for u, i in zip(corpus.users, corpus.items) if u == both}
    assert len(recs) and set(recs.item_id) <= reviews and not set(recs.item_id) & seen
    assert recs.reason.str.startswith("From what you write in forum: about").all()


def test_more_like_this_never_offers_the_text_itself():
    vectors = np.array([[1.0, 0], [1.0, 0], [0.9, 0.1], [0, 1.0]])
    similar = analysis.similar_texts(vectors, ["a", "a", "b", "c"], 0, n=2)
    assert similar["row"].tolist() == [2, 3]  # not 0 itself, nor 1, its copy
