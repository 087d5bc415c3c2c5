"""The real bundled model: pooling, normalisation, windows for long texts, and the disk cache."""
import numpy as np
import pytest

from core.embedders import MAX_WINDOWS, EmbeddingCache, LsaEmbedder, TransformerEmbedder, embed_texts, resolve_folder
from core.embedders.bundled import minilm as default_model_path
from core.errors import CoreError


def test_default_model_matches_sentence_transformers(embedder):
    from sentence_transformers import SentenceTransformer

    texts = ["A short sentence.", "Bread, flour and an oven: baking at home.", "球队赢了比赛"]
    reference = SentenceTransformer(str(default_model_path()), device="cpu").encode(texts, normalize_embeddings=True)
    ours = embedder.embed(texts)
    assert ours.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1, atol=1e-5)
    assert (ours * reference).sum(axis=1).min() > 0.9999


def test_long_texts_are_embedded_window_by_window(embedder):
    head = "Football, goals and the league table. " * 60
    tail = "Sourdough bread, flour and baking in the oven. " * 60
    long_text = head + tail
    windowed = TransformerEmbedder(default_model_path(), windows=MAX_WINDOWS).embed([long_text])[0]
    truncated = embedder.embed([long_text])[0]  # the default reads up to the model's limit
    bread = embedder.embed(["Sourdough bread, flour and baking in the oven."])[0]
    assert windowed @ bread > truncated @ bread + 0.1  # the second half is seen


def test_progress_reports_texts_done(embedder):
    seen = []
    embedder.embed([f"text number {i}" for i in range(40)], lambda done, total: seen.append((done, total)))
    assert seen[-1] == (40, 40)


def test_batches_run_at_once_give_the_vectors_of_one_at_a_time_in_order(monkeypatch, english_texts):
    import threading

    import torch

    from core.embedders import transformer

    texts = english_texts[:12]
    embedder = TransformerEmbedder(default_model_path(), batch_size=2, fixed_batches=True)  # six batches
    threads, seen, ran_in = torch.get_num_threads(), [], set()
    forward = embedder._forward
    monkeypatch.setattr(embedder, "_forward", lambda batch: ran_in.add(threading.current_thread()) or forward(batch))
    torch.set_num_threads(2)
    try:
        streamed = embedder.embed(texts, lambda done, total: seen.append(threading.current_thread()))
        assert len(ran_in) == 2 and threading.current_thread() not in ran_in  # two workers ran the batches
        assert torch.get_num_threads() == 2  # the workers' single threads are theirs only
        monkeypatch.setattr(transformer, "MAX_STREAMS", 1)
        one_at_a_time = embedder.embed(texts)
    finally:
        torch.set_num_threads(threads)
    np.testing.assert_array_equal(streamed, one_at_a_time)
    assert set(seen) == {threading.current_thread()} and len(seen) == 6  # progress from the caller's thread


def test_cache_returns_the_same_vectors_without_embedding_again(tmp_path, embedder):
    cache = EmbeddingCache(tmp_path)
    texts = ["one text", "another text", "one text"]
    first = embed_texts(embedder, texts, cache=cache)
    np.testing.assert_array_equal(first[0], first[2])

    class Refuses:
        key, fitted_on_corpus = embedder.key, False

        def embed(self, texts, progress=None):
            raise AssertionError("embedded again")

    np.testing.assert_array_equal(embed_texts(Refuses(), texts, cache=cache), first)


def test_without_a_cache_texts_go_in_the_chunks_an_empty_cache_would_use(tmp_path, embedder):
    """An int8 vector depends slightly on its batch: a run without the cache must batch as one with it."""
    class Recorded:
        key, fitted_on_corpus = embedder.key, False

        def __init__(self):
            self.calls = []

        def embed(self, texts, progress=None):
            self.calls.append(list(texts))
            return embedder.embed(texts, progress)

    texts = [f"text number {i} about {topic}" for i in range(5) for topic in ("cooking", "football")]
    texts.append(texts[0])  # each distinct text once
    without, with_cache = Recorded(), Recorded()
    a = embed_texts(without, texts, chunk=4)
    b = embed_texts(with_cache, texts, cache=EmbeddingCache(tmp_path), chunk=4)
    assert without.calls == with_cache.calls and [len(c) for c in without.calls] == [4, 4, 2]
    np.testing.assert_array_equal(a, b)


def test_damaged_cache_file_is_set_aside(tmp_path, embedder):
    (tmp_path / "embeddings.sqlite").write_bytes(b"this is not a database" * 100)
    cache = EmbeddingCache(tmp_path)
    vectors = embed_texts(embedder, ["some text"], cache=cache)
    assert vectors.shape == (1, 384)
    assert (tmp_path / "embeddings.sqlite.damaged").exists()


def test_lsa_baseline_is_normalised_and_deterministic(english_texts):
    a, b = LsaEmbedder(dims=5).embed(english_texts), LsaEmbedder(dims=5).embed(english_texts)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1, atol=1e-5)


def test_models_that_are_not_on_disk_are_explained(tmp_path):
    with pytest.raises(CoreError, match="not on this computer"):
        resolve_folder("someone/model-that-is-not-cached")
    with pytest.raises(CoreError, match="not a transformer model"):
        resolve_folder(str(tmp_path))


@pytest.mark.parametrize("config", [{"pooling_mode": "cls"}, {"pooling_mode": ["cls"]},
                                    {"pooling_mode_cls_token": True, "pooling_mode_mean_tokens": False}])
def test_the_pooling_a_model_folder_names_is_used_in_either_config_style(tmp_path, config):
    import json
    import shutil

    folder = tmp_path / "model"
    shutil.copytree(default_model_path(), folder)
    (folder / "1_Pooling" / "config.json").write_text(json.dumps({"word_embedding_dimension": 384, **config}))
    assert TransformerEmbedder(folder).layout.pooling == "cls"


def test_a_lazy_embedder_loads_the_weights_only_for_a_text_not_in_the_cache(tmp_path, embedder):
    cache = EmbeddingCache(tmp_path)
    cached = embed_texts(embedder, ["one text", "another text"], cache=cache)
    lazy = TransformerEmbedder(default_model_path(), lazy=True)
    assert lazy.key == embedder.key and lazy.max_length == embedder.max_length
    np.testing.assert_array_equal(embed_texts(lazy, ["another text", "one text"], cache=cache), cached[::-1])
    assert lazy.encoder is None  # everything came from the cache
    fresh = embed_texts(lazy, ["a third text"], cache=cache)
    assert lazy.encoder is not None
    np.testing.assert_allclose(fresh, embedder.embed(["a third text"]), atol=1e-6)


def test_auto_precision_is_bf16_only_where_the_hardware_computes_it_natively():
    from core.embedders.hardware import resolve_precision

    avx2_only = frozenset({"avx", "avx2", "fma"})
    assert resolve_precision("auto", "cpu", avx2_only)[0] == "fp32"
    assert resolve_precision("auto", "cpu", avx2_only | {"avx512f", "avx512_bf16"})[0] == "bf16"
    assert resolve_precision("auto", "cpu", avx2_only | {"amx_bf16"})[0] == "bf16"
    chosen, why = resolve_precision("bf16", "cpu", avx2_only)
    assert chosen == "bf16" and why.startswith("chosen by hand, but slow")  # a hand-picked bf16 is kept, with a warning
    assert resolve_precision("int8", "cpu", avx2_only) == ("int8", "chosen by hand")
    # a model whose entry asks for int8 on a CPU gets it from auto there, and only there
    assert resolve_precision("auto", "cpu", avx2_only, cpu="int8")[0] == "int8"
    assert resolve_precision("auto", "cpu", avx2_only | {"amx_bf16"}, cpu="int8")[0] == "bf16"
    assert resolve_precision("fp32", "cpu", avx2_only, cpu="int8") == ("fp32", "chosen by hand")
    assert resolve_precision("auto", "cpu", frozenset({"neon"}), cpu="int8")[0] == "fp32"  # not measured off x86
    with pytest.raises(CoreError, match="CPU only"):
        resolve_precision("int8", "cuda")
    with pytest.raises(CoreError, match="Unknown precision"):
        resolve_precision("int4", "cpu", avx2_only)


def test_a_post_with_a_large_encoded_attachment_embeds_like_the_post_without_it(embedder):
    import binascii

    rng = np.random.default_rng(0)
    attachment = "".join(binascii.b2a_uu(rng.bytes(45)).decode() for _ in range(3000))  # 183,000 characters
    words = "Our team won the league final on Saturday with two late goals. " * 20
    with_blob, plain = embedder.embed([f"{words}\nbegin 644 photo.jpg\n{attachment}`\nend\n", words])
    assert with_blob @ plain > 0.99  # the attachment was not read (64 windows of it would pull the vector away)
