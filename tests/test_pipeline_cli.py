"""The whole pipeline and the command line on real files, with the real model and UMAP."""
import json
import subprocess
import sys

import pandas as pd
import pytest

from core.data import load_demo
from core.pipeline import run
from core.settings import Settings


@pytest.fixture(scope="module")
def posts(tmp_path_factory, english_texts, english_labels):
    from tests.conftest import CHINESE

    path = tmp_path_factory.mktemp("data") / "posts.csv"
    rows = [(f"u{i % 5}", t, lab) for i, (t, lab) in enumerate(zip(english_texts, english_labels))]
    rows += [(f"z{i % 2}", t, "zh") for i, t in enumerate(CHINESE)]
    pd.DataFrame(rows, columns=["user", "text", "label"]).to_csv(path, index=False)
    return path


def cli(*args):
    return subprocess.run([sys.executable, "-m", "core", *args], capture_output=True, text=True, timeout=300)


def test_run_writes_every_file(posts, tmp_path):
    done = cli("run", str(posts), "--text-col", "text", "--user-col", "user", "--label-col", "label",
               "--k", "4", "--factors", "2", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    for name in ("documents.csv", "topics.csv", "R.csv", "U.csv", "V.csv", "recommendations.csv",
                 "metrics.json", "run.json"):
        assert (tmp_path / name).is_file(), name
    docs = pd.read_csv(tmp_path / "documents.csv", encoding="utf-8-sig")
    assert list(docs.columns[:6]) == ["doc", "user_id", "topic", "topic_label", "x", "y"]
    assert docs.topic.nunique() == 4
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["topics"]["nmi"] > 0.5
    record = json.loads((tmp_path / "run.json").read_text())
    assert record["seed"] == 42 and record["settings"]["k"] == 4 and "vectors" in record["seconds"]
    assert "%" in done.stderr  # progress goes to stderr
    recs = pd.read_csv(tmp_path / "recommendations.csv", encoding="utf-8-sig")
    assert {"user_id", "rank", "item_id", "score", "reason"} <= set(recs.columns)


def test_errors_are_one_line_without_traceback(tmp_path):
    done = cli("run", str(tmp_path / "missing.csv"), "--out", str(tmp_path))
    assert done.returncode == 2
    assert done.stderr.strip().startswith("error: File not found") and "Traceback" not in done.stderr


def test_demo_pipeline_is_reproducible_and_recommends_unseen_items():
    corpus = load_demo()
    settings = Settings(k=8, factors=4, top_n=5)
    a, b = run(corpus, settings), run(corpus, settings)
    assert (a.labels == b.labels).all()
    assert [t.words for t in a.topics] == [t.words for t in b.topics]
    pd.testing.assert_frame_equal(a.recommendations, b.recommendations)
    assert a.interests.shape == (48, 8) and a.factorization.U.shape == (48, 4)
    seen = set(zip(corpus.interactions.user_id, corpus.interactions.item_id))
    assert not any((u, i) in seen for u, i in zip(a.recommendations.user_id, a.recommendations.item_id))
    recs = a.metrics["recommendations"]
    assert recs["project"]["hr@10"] > recs["random"]["hr@10"]


def test_evaluate_recs_cli(tmp_path):
    done = cli("evaluate-recs", "assets/demo_interactions.csv", "--items", "assets/demo_items.csv",
               "--k", "8", "--factors", "4", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    figures = json.loads((tmp_path / "recs_metrics.json").read_text())
    assert {"project", "popularity", "random"} <= set(figures)


def test_a_new_users_text_is_embedded_in_the_corpus_space_also_by_the_tfidf_baseline(english_texts):
    import numpy as np

    from core.data import build_corpus
    from core.pipeline import embed_profile, run_stages

    corpus = build_corpus(pd.DataFrame({"text": english_texts}), "text")
    for model in ("default", "tfidf"):
        settings = Settings(model=model)
        vectors = run_stages(corpus, settings, until="vectors")[0]["vectors"]
        vector, refitted = embed_profile("I bake bread and roast vegetables for dinner.", corpus, settings, vectors)
        space = refitted.texts
        assert space.shape[0] == len(corpus) and vector.shape == (space.shape[1],), model
        assert set(np.argsort(-(space @ vector))[:3]) <= set(range(6)), model  # the first six texts are cooking
