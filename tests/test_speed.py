"""What makes the pipeline fast keeps its results: each distinct text embedded once, a resumed run
reusing the cache, bf16 close to fp32, counts and coherence from the remembered tokens equal to a
fresh count, exact neighbours for UMAP, and recommendations that score each kind of item once."""
import numpy as np
import pandas as pd
import pytest

from core.embedders import EmbeddingCache, TransformerEmbedder, embed_texts
from core.embedders.bundled import minilm
from core.evaluate import npmi
from core.keywords import Topic
from core.recommender.ranking import best_items, heads_of_kinds, kinds
from core.reduce import neighbours, reduce
from core.text import count_words, tokenize, tokenize_corpus


class Counting:
    """Wraps an embedder and records every text it is asked to embed; fails on the call `fail_on`."""

    fitted_on_corpus = False

    def __init__(self, embedder, fail_on=None):
        self.inner, self.key, self.texts, self.calls, self.fail_on = embedder, embedder.key, [], 0, fail_on

    def embed(self, texts, progress=None):
        self.calls += 1
        if self.calls == self.fail_on:
            raise KeyboardInterrupt
        self.texts += list(texts)
        return self.inner.embed(texts, progress)


def test_identical_texts_are_embedded_once(embedder):
    counting = Counting(embedder)
    texts = ["same words", "other words", "same words", "same words", "other words"]
    vectors = embed_texts(counting, texts)
    assert sorted(counting.texts) == ["other words", "same words"]
    np.testing.assert_array_equal(vectors[0], vectors[3])
    np.testing.assert_array_equal(vectors[1], vectors[4])


def test_an_interrupted_run_resumes_from_the_cache(tmp_path, embedder):
    texts = [f"text number {i} about gardening" for i in range(10)]
    cache = EmbeddingCache(tmp_path)
    first = Counting(embedder, fail_on=3)
    with pytest.raises(KeyboardInterrupt):
        embed_texts(first, texts, cache=cache, chunk=3)
    assert first.texts == texts[:6]  # two chunks done and cached before the interruption
    again = Counting(embedder)
    seen = []
    vectors = embed_texts(again, texts, cache=cache, chunk=3, progress=lambda done, total: seen.append(done))
    assert again.texts == texts[6:] and seen[0] == 6
    np.testing.assert_allclose(vectors, embedder.embed(texts), atol=1e-5)


def test_bf16_is_close_to_fp32(english_texts, embedder):
    bf16 = TransformerEmbedder(minilm(), precision="bf16")
    assert bf16.key != embedder.key
    cosine = (bf16.embed(english_texts) * embedder.embed(english_texts)).sum(axis=1)
    assert cosine.min() > 0.99


def test_int8_quantises_every_linear_layer_and_stays_close_to_fp32(english_texts, embedder):
    import torch

    from core.embedders.int8 import Int8Linear

    int8 = TransformerEmbedder(minilm(), precision="int8")
    assert int8.key != embedder.key
    cosine = (int8.embed(english_texts) * embedder.embed(english_texts)).sum(axis=1)
    assert cosine.mean() > 0.97 and cosine.min() > 0.93, (cosine.mean(), cosine.min())
    kinds = {type(m) for m in int8.encoder.transformer.modules()}
    assert torch.nn.Linear not in kinds and Int8Linear in kinds
    # fixed input scales: a text's vector alone is (nearly) the one it gets in a batch
    alone = np.vstack([int8.embed([text]) for text in english_texts])
    assert (alone * int8.embed(english_texts)).sum(axis=1).min() > 0.99


def test_word_counts_match_a_fresh_count(english_texts):
    from sklearn.feature_extraction.text import CountVectorizer

    texts = english_texts * 3 + ["", "42 !!", "Bread bread BREAD"]  # 50+ texts: words of one text dropped
    counts, vocab = count_words(texts)
    reference = CountVectorizer(tokenizer=tokenize, lowercase=False, token_pattern=None, min_df=2)
    expected = reference.fit_transform(texts)
    assert list(vocab) == list(reference.get_feature_names_out())
    assert (counts != expected).nnz == 0
    assert count_words(list(texts))[0] is counts  # remembered for the corpus
    assert tokenize_corpus(texts).vocab.flags.writeable is False


def brute_npmi(topic_words, tokenized, window):
    """gensim's c_npmi, window by window, as the reference."""
    words = sorted({w for ws in topic_words for w in ws})
    windows = []
    for tokens in tokenized:
        if not set(tokens) & set(words):
            continue
        width = min(window, len(tokens))
        windows += [set(tokens[s:s + width]) for s in range(max(1, len(tokens) - window + 1))]
    n, scores = len(windows), []
    for ws in topic_words:
        known = [w for w in ws if any(w in win for win in windows)]
        pairs = []
        for i in range(1, len(known)):
            for j in range(i):
                p_ab = sum(known[i] in w and known[j] in w for w in windows) / n
                p_a = sum(known[i] in w for w in windows) / n
                p_b = sum(known[j] in w for w in windows) / n
                pairs.append(np.log((p_ab + 1e-12) / (p_a * p_b)) / -np.log(p_ab + 1e-12))
        if pairs:
            scores.append(np.mean(pairs))
    return float(np.mean(scores))


@pytest.mark.parametrize("window", [1, 3, 10])
def test_npmi_equals_sliding_windows_counted_one_by_one(english_texts, window):
    topic_words = [["bread", "crust", "oven", "dough", "missing"], ["team", "match", "club", "goal"],
                   ["savings", "interest", "fund", "bread"]]
    expected = brute_npmi(topic_words, [tokenize(t) for t in english_texts], window)
    assert npmi(topic_words, tokenize_corpus(english_texts), window) == pytest.approx(expected, abs=1e-9)
    assert npmi(topic_words, [tokenize(t) for t in english_texts], window) == pytest.approx(expected, abs=1e-9)


def test_exact_neighbours_and_a_reproducible_projection():
    from sklearn.neighbors import NearestNeighbors

    x = np.random.default_rng(0).normal(size=(300, 20)).astype(np.float32)
    indices, distances, _ = neighbours(x, 15)
    assert (indices[:, 0] == np.arange(300)).all()
    _, expected = NearestNeighbors(n_neighbors=15, metric="cosine").fit(x).kneighbors(x)
    assert set(map(tuple, indices[:, 1:].tolist())) == set(map(tuple, expected[:, 1:].tolist()))
    np.testing.assert_array_equal(reduce(x, 2), reduce(x.copy(), 2))


def test_recommendations_score_each_kind_once_and_break_ties_by_position():
    k, n_items = 3, 40
    labels = np.arange(n_items) % k  # texts as items: one-hot topics, many ties
    distinct, kind_of = kinds([np.eye(k)[labels]], n_items)
    assert len(distinct) == k and (distinct[kind_of] == np.eye(k)[labels]).all()  # each kind scored once
    popularity = (np.arange(n_items) < 5).astype(float)  # a column beside the topics splits the kinds it cuts
    both, of = kinds([np.eye(k)[labels], popularity], n_items)
    assert len(both) == 2 * k and (both[of] == np.column_stack([np.eye(k)[labels], popularity])).all()
    R = np.array([[0.7, 0.3, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]])
    blocked = [np.array([0, 3]), np.zeros(0, np.int64), np.zeros(0, np.int64)]
    best = best_items(R @ distinct.T, heads_of_kinds(kind_of, k, 5 + 2), kind_of, blocked, 5)
    assert best[0].tolist() == [6, 9, 12, 15, 18]  # topic 0, first listed, unseen
    assert best[1].tolist() == [2, 5, 8, 11, 14]
    assert best[2].tolist() == [0, 1, 2, 3, 4]  # no interest: all tied, in order
