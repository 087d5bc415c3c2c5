"""Adapting the real bundled model on a tiny corpus (a few steps), the saved folder, and before/after figures."""
import json

import numpy as np
import pandas as pd
import pytest

from core.__main__ import main
from core.adapt import (FORMAT, RECORD, adapt, compare_topics, delete_adapted_model, fingerprint, list_adapted_models,
                        read_record, topic_changes, warmup_steps)
from core.embedders import TransformerEmbedder
from core.errors import CoreError

SETTINGS = dict(steps=2, batch_size=8, seed=7)


@pytest.fixture(scope="module")
def texts(english_texts):
    return english_texts[:16]


@pytest.fixture(scope="module")
def adapted(tmp_path_factory, texts):
    return adapt(texts, out_dir=tmp_path_factory.mktemp("models") / "tiny", **SETTINGS)


def test_folder_holds_safetensors_and_the_record(adapted, texts):
    files = {p.name for p in adapted.rglob("*") if p.is_file()}
    assert "model.safetensors" in files and RECORD in files
    assert not [f for f in files if f.endswith((".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt"))]
    record = read_record(adapted)
    assert record["base_model"] == "default"
    assert record["data"] == {"texts": 16, "fingerprint": fingerprint(texts)}
    assert record["settings"]["seed"] == 7 and record["settings"]["steps"] == 2
    assert record["trained"]["steps"] == 2 and record["created"]


def test_adapted_model_loads_as_a_model_folder_and_moves_the_embeddings(adapted, texts, embedder):
    loaded = TransformerEmbedder(adapted)
    assert (loaded.layout.pooling, loaded.max_length) == (embedder.layout.pooling, embedder.max_length)
    after, before = loaded.embed(texts), embedder.embed(texts)
    similarity = (after * before).sum(axis=1)
    assert not np.allclose(after, before, atol=1e-4)
    assert similarity.min() > 0.8  # a few steps adapt the model, they do not replace it


def test_command_line_with_the_same_seed_gives_the_same_weights(adapted, texts, tmp_path, capsys):
    from safetensors.numpy import load_file

    path = tmp_path / "texts.csv"
    pd.DataFrame({"text": texts}).to_csv(path, index=False)
    out = tmp_path / "again"
    code = main(["adapt", str(path), "--steps", "2", "--batch-size", "8", "--seed", "7", "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr()
    assert printed.out.strip() == str(out)
    assert "warning: 100% of these texts are shorter than the 128-token spans" in printed.err  # short sentences
    first, second = load_file(adapted / "model.safetensors"), load_file(out / "model.safetensors")
    assert first.keys() == second.keys()
    assert all(np.array_equal(first[k], second[k]) for k in first)


def test_should_stop_ends_training_and_keeps_the_steps_done(texts, tmp_path):
    steps = []
    folder = adapt(texts, out_dir=tmp_path / "stopped", steps=50, batch_size=8,
                   progress=lambda step, total: steps.append(step), should_stop=lambda: len(steps) >= 1)
    assert steps == [1]
    assert read_record(folder)["trained"]["steps"] == 1
    assert read_record(folder)["trained"]["stopped_by"] == "stopped"


def test_bad_requests_are_explained(texts, tmp_path):
    with pytest.raises(CoreError, match="at least 2"):
        adapt(["only one"], out_dir=tmp_path / "a")
    with pytest.raises(CoreError, match="TF-IDF"):
        adapt(texts, "tfidf", out_dir=tmp_path / "b")
    (tmp_path / "taken").mkdir()
    with pytest.raises(CoreError, match="already exists"):
        adapt(texts, out_dir=tmp_path / "taken")
    assert main(["adapt", str(tmp_path / "missing.csv")]) == 2


def test_only_adapted_folders_are_listed_and_deleted(tmp_path):
    made = tmp_path / "made"
    made.mkdir()
    (made / RECORD).write_text(json.dumps({"format": FORMAT, "created": "2026-01-01T00:00:00+00:00"}))
    other = tmp_path / "other"
    other.mkdir()
    (other / "config.json").write_text("{}")
    assert [m.path for m in list_adapted_models(tmp_path)] == [made]
    with pytest.raises(CoreError, match="not an adapted model"):
        delete_adapted_model(other)
    assert other.exists()
    delete_adapted_model(made)
    assert not made.exists()


def test_topic_changes_match_topics_before_counting():
    before = [0, 0, 1, 1, 2, 2]
    assert topic_changes(before, [2, 2, 0, 0, 1, 1])["changed"] == 0  # the same topics, renumbered
    moved = topic_changes(before, [1, 1, 0, 0, 2, 0])
    assert moved["changed"] == 1 and moved["matching"] == {0: 1, 1: 0, 2: 2}


def test_compare_topics_puts_each_figure_before_and_after():
    comparison = compare_topics([0, 0, 1, 1], {"nmi": 0.5, "npmi": None}, [1, 1, 0, 1], {"nmi": 0.75, "npmi": 0.1})
    assert comparison["figures"]["nmi"] == {"before": 0.5, "after": 0.75, "change": 0.25}
    assert comparison["figures"]["npmi"]["change"] is None
    assert comparison["changed"] == 1


def test_warm_up_is_a_tenth_of_the_steps_but_never_more_than_ten():
    assert [warmup_steps(n) for n in (1, 5, 50, 100, 200, 5000)] == [1, 1, 5, 10, 10, 10]


def test_two_steps_adapt_the_multilingual_model_and_keep_its_word_embeddings(tmp_path):
    """Asked to adapt the pair of multilingual models (the demo's default), adapting trains its transformer."""
    from safetensors.numpy import load_file

    from core.embedders import load_embedder, resolve_folder
    from tests.test_multilingual import SUBJECTS

    texts = [t for sentences in SUBJECTS.values() for t in sentences]
    folder = adapt(texts, "crosslingual", steps=2, batch_size=4, max_length=32, seed=3, out_dir=tmp_path / "e5")
    assert read_record(folder)["base_model"] == "multilingual" and read_record(folder)["trained"]["steps"] == 2
    before, after = load_file(resolve_folder("multilingual") / "model.safetensors"), load_file(folder / "model.safetensors")
    words = "embeddings.word_embeddings.weight"
    assert np.array_equal(before[words], after[words])  # frozen: the other languages' tokens are untouched
    assert not np.array_equal(before["encoder.layer.0.attention.self.query.weight"],
                              after["encoder.layer.0.attention.self.query.weight"])
    adapted = TransformerEmbedder(folder).embed(texts[:4])
    base = load_embedder("multilingual").embed(texts[:4])
    assert (adapted * base).sum(axis=1).min() > 0.9  # adapted, not replaced; the query prompt is kept


def test_adapting_warns_when_most_texts_are_shorter_than_a_training_span(texts):
    from core.adapt import short_text_warning

    assert "shorter than the 128-token spans" in short_text_warning(texts, "default")
    articles = [" ".join([text] * 20) for text in texts]  # a few hundred tokens each
    assert short_text_warning(articles, "default") is None
    assert short_text_warning(texts, "tfidf") is None  # nothing to adapt
