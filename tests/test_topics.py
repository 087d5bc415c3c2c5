"""Reduce, cluster and describe topics on small real inputs."""
import numpy as np
import pytest

from core.cluster import ClusterSettings, cluster, lda, n_topics, reassign_outliers, renumber_by_size
from core.errors import CoreError
from core.evaluate import label_agreement, npmi, topic_diversity
from core.keywords import describe_topics, keyword_scores
from core.text import count_words
from core.reduce import UMAP_WEIGHT, clustering_space, reduce


@pytest.fixture(scope="module")
def vectors(embedder, english_texts):
    return embedder.embed(english_texts)


def test_umap_is_seeded(vectors):
    a, b = reduce(vectors, 5, seed=1), reduce(vectors, 5, seed=1)
    assert a.shape == (18, 5)
    np.testing.assert_array_equal(a, b)


def test_tiny_corpora_fall_back_to_pca(vectors):
    assert reduce(vectors[:3], 2).shape == (3, 2)


@pytest.mark.parametrize("method", ["kmeans", "agglomerative"])
def test_three_clear_topics_are_found(vectors, english_labels, method):
    labels = cluster(reduce(vectors, 5, seed=42), ClusterSettings(method=method, k=3))
    assert label_agreement(english_labels, labels)["purity"] >= 0.8


def test_the_embeddings_space_holds_each_texts_umap_place_beside_its_words_and_vector(vectors, english_texts,
                                                                                     english_labels):
    space = clustering_space(vectors, "embeddings", texts=english_texts, seed=42)
    unit, places = space[:, :-5], space[:, -5:]
    np.testing.assert_allclose(np.linalg.norm(unit, axis=1), 1, atol=1e-5)  # principal axes, unit rows
    np.testing.assert_allclose(np.sqrt((places ** 2).sum(axis=1).mean()), UMAP_WEIGHT, rtol=1e-4)
    umap = reduce(vectors, 5, seed=42)
    umap -= umap.mean(axis=0)
    expected = umap * UMAP_WEIGHT / np.sqrt((umap ** 2).sum(axis=1).mean())
    np.testing.assert_allclose(places, expected, atol=1e-5)  # the 'umap' space's own projection, same seed
    np.testing.assert_array_equal(space, clustering_space(vectors, "embeddings", texts=english_texts, seed=42))
    labels = cluster(space, ClusterSettings(k=3))
    assert label_agreement(english_labels, labels)["purity"] >= 0.8
    few = clustering_space(vectors[:9], "embeddings", texts=english_texts[:9])  # below 10 texts, no UMAP places
    np.testing.assert_allclose(np.linalg.norm(few, axis=1), 1, atol=1e-5)


def test_hdbscan_reassigns_outliers_on_request(vectors):
    labels = cluster(reduce(vectors, 5, seed=42), ClusterSettings(method="hdbscan", reassign_outliers=True))
    assert (labels >= 0).all()


def test_hdbscan_splits_a_topic_of_most_texts_into_the_topics_below_it():
    # nine close groups and one far away: HDBSCAN alone returns the nine as one topic of 900 beside the tenth
    rng = np.random.default_rng(0)
    centres = [np.eye(5)[i % 5] * (1 if i < 5 else -1) for i in range(9)] + [np.full(5, 20.0)]
    points = np.vstack([c + 0.2 * rng.standard_normal((100, 5)) for c in centres])
    labels = cluster(points, ClusterSettings(method="hdbscan", min_cluster_size=10, reassign_outliers=False))
    assert n_topics(labels) == 10
    assert np.bincount(labels[labels >= 0]).max() <= 100


def test_hdbscan_keeps_a_large_topic_with_nothing_below_it():
    rng = np.random.default_rng(0)
    points = np.vstack([rng.standard_normal((700, 5)), 20 + rng.standard_normal((300, 5))])
    labels = cluster(points, ClusterSettings(method="hdbscan", min_cluster_size=10))
    assert np.bincount(labels).tolist() == [700, 300]


def test_outliers_join_the_nearest_centroid():
    points = np.array([[0.0], [0.1], [10.0], [10.1], [9.0]])
    assert reassign_outliers(points, np.array([0, 0, 1, 1, -1])).tolist() == [0, 0, 1, 1, 1]


def test_topics_are_numbered_by_size():
    assert renumber_by_size(np.array([2, 2, 0, 1, 1, 1, -1])).tolist() == [1, 1, 2, 0, 0, 0, -1]


def test_k_is_checked(vectors):
    with pytest.raises(CoreError, match="more than the 18 texts"):
        cluster(vectors, ClusterSettings(method="kmeans", k=40))
    assert (cluster(vectors, ClusterSettings(method="kmeans", k=1)) == 0).all()


def test_lda_gives_one_topic_per_text(english_texts):
    labels = lda(english_texts, 3, seed=0)
    assert labels.shape == (18,) and set(labels) <= {0, 1, 2}


def test_keywords_are_distinct_words_of_each_topic(english_texts, english_labels, vectors):
    labels = np.array([["cooking", "football", "finance"].index(x) for x in english_labels])
    topics = describe_topics(english_texts, labels, vectors, top_n=5)
    assert [t.size for t in topics] == [6, 6, 6]
    assert "team" in topics[1].words
    assert set(topics[0].words).isdisjoint(topics[1].words)
    assert all(english_labels[i] == "football" for i in topics[1].representatives)
    assert topics[2].label.startswith("2: ")


def test_keyword_scores_and_representatives_follow_their_definitions(english_texts):
    """The bincount behind the scores against p log(p / q) counted text by text, with outliers and words
    repeated within a text; representatives against a full stable sort, with tied (duplicate) vectors."""
    texts = [t + " " + t.split()[0] for t in english_texts]  # every text repeats its first word
    labels = np.array([0, 0, 1, 1, 2, 2, -1] * 3)[:len(texts)]
    counts, vocab = count_words(texts)
    dense = counts.toarray()
    scores = keyword_scores(counts, labels, 3)
    for t in range(3):
        inside = dense[labels == t]
        p, q = (inside > 0).mean(axis=0), np.maximum((dense[labels >= 0] > 0).mean(axis=0), 1e-12)
        tf = inside.sum(axis=0) / inside.sum()
        expected = np.where(p > 0, p * np.log(np.where(p > 0, p / q, 1)), 0).clip(0) + 1e-6 * tf
        np.testing.assert_allclose(scores[t], expected, rtol=1e-9, atol=1e-12)
    vectors = np.random.default_rng(0).normal(size=(len(texts), 8)).astype(np.float32)
    vectors[::4] = vectors[0]  # ties: the earlier text comes first
    for topic in describe_topics(texts, labels, vectors, n_representatives=2):
        members = np.flatnonzero(labels == topic.id)
        centroid = vectors[members].sum(axis=0)
        closeness = vectors[members] @ (centroid / np.linalg.norm(centroid))
        order = members[np.argsort(-closeness, kind="stable")]
        assert topic.representatives == tuple(order[:2])


def test_chinese_keywords_are_words(embedder):
    from tests.conftest import CHINESE

    topics = describe_topics(CHINESE, np.array([0, 0, 1, 1, 2, 2]), None, top_n=5)
    assert {"健身房", "健康", "跑步"} & set(topics[1].words)
    assert all(2 <= len(w) <= 4 for t in topics for w in t.words)


def test_a_topic_of_two_languages_shows_words_of_both_its_main_language_first():
    english = ("football goal match", "league striker goal", "match coach league", "striker football coach")
    chinese = ("足球 比赛 进球", "联赛 球员 进球", "比赛 教练 联赛", "球员 足球 教练")
    texts = [english[i % 4] for i in range(14)] + [chinese[i % 4] for i in range(6)]  # topic 0: mostly English
    texts += [english[i % 4].replace("football", "bread") for i in range(6)]
    texts += [chinese[i % 4].replace("足球", "面包") for i in range(14)]  # topic 1: mostly Chinese
    labels = np.repeat([0, 1], 20)
    topics = describe_topics(texts, labels, None, top_n=8)
    scripts = [["zh" if "\u4e00" <= w[0] <= "\u9fff" else "en" for w in t.words] for t in topics]
    assert [s[0] for s in scripts] == ["en", "zh"]
    assert all(s.count("zh") >= 3 and s.count("en") >= 3 for s in scripts), topics
    assert scripts[0].count("en") > scripts[0].count("zh") and scripts[1].count("zh") > scripts[1].count("en")


def test_npmi_rewards_words_that_occur_together():
    texts = [["bread", "flour", "oven"], ["bread", "flour"], ["goal", "team"], ["goal", "team", "match"]] * 5
    good = npmi([["bread", "flour"], ["goal", "team"]], texts)
    bad = npmi([["bread", "goal"], ["flour", "team"]], texts)
    assert good > 0.5 and bad < 0
    assert topic_diversity([["a", "b"], ["a", "c"]], top_n=2) == 0.75


def test_npmi_of_a_large_corpus_is_counted_on_a_seeded_sample_of_whole_texts(monkeypatch):
    from core import evaluate
    from core.text import tokenize_corpus

    names = [f"item{'abcdefghij'[i // 10]}{'abcdefghij'[i % 10]}" for i in range(40)]  # one word of its own each
    texts = [f"bread flour oven {n}" if i % 2 else f"goal team match {n}" for i, n in enumerate(names)]
    tokens = tokenize_corpus(texts)
    sample = evaluate.sample_texts(tokens, 10)
    chosen = [tuple(sample.vocab[sample.ids[a:b]]) for a, b in zip(sample.offsets[:-1], sample.offsets[1:])]
    whole = {tuple(tokens.vocab[tokens.ids[a:b]]) for a, b in zip(tokens.offsets[:-1], tokens.offsets[1:])}
    assert len(set(chosen)) == 10 and set(chosen) <= whole  # ten distinct texts, each kept whole
    monkeypatch.setattr(evaluate, "NPMI_TEXTS", 10)
    words, labels = [["bread", "flour"], ["goal", "team"]], np.arange(40) % 2
    first = evaluate.topic_quality(texts, words, labels)["npmi"]
    assert first == evaluate.topic_quality(texts, words, labels)["npmi"] == npmi(words, sample)
