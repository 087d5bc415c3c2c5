"""Beyond one machine: `core embed` on a local Ray with 2 CPUs against the local engine, a killed Ray
worker, a stopped run resuming, vectors files refused when they do not belong, and the large-corpus
paths (UMAP on a sample, KMeans on a sample) on small inputs. Ray starts once for the module."""
import json
import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from core import cluster, reduce, scale
from core.data import read_corpus
from core.errors import CoreError
from core.pipeline import run, run_stages
from core.settings import Settings
from core.vectors import attach, read_vectors

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def texts_file(tmp_path_factory, english_texts):
    """200 texts (the 18 English test texts, each with a numbered note), one empty row, and a user column."""
    texts = [f"{english_texts[i % len(english_texts)]} Note {i}: {'short' if i % 2 else 'a longer remark'}."
             for i in range(200)]
    texts.insert(57, "   ")
    path = tmp_path_factory.mktemp("texts") / "texts.csv"
    pd.DataFrame({"user": [f"u{i % 7}" for i in range(201)], "text": texts}).to_csv(path, index=False)
    return path


def cli(*args):
    return subprocess.run([sys.executable, "-m", "core", *args], capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def local_file(texts_file, tmp_path_factory):
    """The texts' vectors from `python -m core embed --engine local`."""
    out = tmp_path_factory.mktemp("local") / "vectors.parquet"
    done = cli("embed", str(texts_file), "--text-col", "text", "--engine", "local", "--out", str(out))
    assert done.returncode == 0 and done.stdout.strip() == str(out), done.stderr
    return out


def ray_embed(texts_file, out, **kwargs):
    lines = []
    scale.embed_file(texts_file, text_col="text", out=out, engine="ray", say=lines.append, **kwargs)
    return lines


def embedder_processes() -> list[int]:
    """The process ids of the Ray actors that run RayEmbedder (Ray names its workers after their class)."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                if b"RayEmbedder" in f.read():
                    found.append(int(entry))
        except (OSError, ValueError):
            continue
    return found


def test_ray_on_two_cpus_embeds_the_local_engines_vectors_even_when_a_worker_is_killed(local_ray, texts_file,
                                                                                       local_file, tmp_path,
                                                                                       monkeypatch):
    """A killed worker's blocks are retried without losing or repeating rows, and the file holds what the
    local engine writes. (A run without a kill is the second half of the resume test below.)"""
    monkeypatch.setattr(scale, "BLOCK_ROWS", 5)  # 40 blocks: a worker is killed while most are still to come
    killed, failed, first_back = [], [], threading.Event()

    def kill_one_worker():
        if first_back.wait(timeout=300) and (pids := embedder_processes()):
            os.kill(pids[0], signal.SIGKILL)
            killed.append(pids[0])

    killer = threading.Thread(target=kill_one_worker)
    killer.start()
    try:
        ray_embed(texts_file, tmp_path / "ray.parquet", progress=lambda done, total: first_back.set())
    except Exception as exc:  # noqa: BLE001  (reported below, after the killer has stopped)
        failed.append(exc)
    first_back.set()
    killer.join()
    assert killed and not failed, failed
    metadata, rows, vectors = read_vectors(tmp_path / "ray.parquet")
    local = read_vectors(local_file)
    assert sorted(rows) == list(local[1]) == [r for r in range(201) if r != 57]  # the empty row left out
    assert len(set(rows)) == len(rows) == metadata["rows"] == 200
    assert (vectors * local[2][np.searchsorted(local[1], rows)]).sum(axis=1).min() >= 0.9999
    assert metadata["fingerprint"] == local[0]["fingerprint"] and metadata["engine"] == "ray"
    assert {metadata[k] for k in ("model", "precision", "windows", "dimensions")} == \
        {local[0][k] for k in ("model", "precision", "windows", "dimensions")}
    assert not (tmp_path / "ray.parquet.parts").exists()


def test_a_stopped_ray_run_resumes_from_its_part_files(local_ray, texts_file, local_file, tmp_path, monkeypatch):
    monkeypatch.setattr(scale, "BLOCK_ROWS", 20)
    monkeypatch.setattr(scale, "PART_ROWS", 40)

    def stop_after_80(done, total):
        if done >= 80:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ray_embed(texts_file, tmp_path / "ray.parquet", progress=stop_after_80)
    parts = list((tmp_path / "ray.parquet.parts").glob("part-*.parquet"))
    kept = sum(pq.read_metadata(p).num_rows for p in parts)
    assert len(parts) >= 2 and 80 <= kept < 200
    lines = ray_embed(texts_file, tmp_path / "ray.parquet")
    assert f"({kept} already embedded)" in lines[0]
    metadata, rows, _ = read_vectors(tmp_path / "ray.parquet")
    assert list(rows) == list(read_vectors(local_file)[1]) and metadata["fingerprint"] == read_vectors(local_file)[0]["fingerprint"]


def test_run_with_a_vectors_file_from_core_embed_gives_the_topics_of_a_plain_run(texts_file, local_file, tmp_path):
    done = cli("run", str(texts_file), "--text-col", "text", "--user-col", "user", "--k", "3", "--factors", "2",
               "--embeddings", str(local_file), "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    plain = run(read_corpus(texts_file, "text", user_col="user"), Settings(k=3, factors=2))
    documents = pd.read_csv(tmp_path / "out" / "documents.csv", encoding="utf-8-sig")
    assert documents["topic"].tolist() == plain.labels.tolist()
    topics = pd.read_csv(tmp_path / "out" / "topics.csv", encoding="utf-8-sig")
    assert topics["keywords"].tolist() == [", ".join(t.words) for t in plain.topics]
    record = json.loads((tmp_path / "out" / "run.json").read_text())
    assert record["model"]["vectors_file"] == "vectors.parquet" and record["peak_memory_mb"] > 0


def test_a_vectors_file_for_other_rows_is_refused_with_the_counts(texts_file, local_file, tmp_path):
    fewer = tmp_path / "fewer.csv"
    pd.read_csv(texts_file).head(150).to_csv(fewer, index=False)
    with pytest.raises(CoreError, match="vectors for 200 texts but these texts have 149 non-empty rows"):
        attach(read_corpus(fewer, "text"), local_file)
    done = cli("run", str(fewer), "--text-col", "text", "--embeddings", str(local_file), "--out", str(tmp_path / "o"))
    assert done.returncode == 2 and done.stderr.startswith("error: The vectors file") and "Traceback" not in done.stderr


def test_a_vectors_file_of_other_texts_is_refused(texts_file, local_file, tmp_path):
    edited = tmp_path / "edited.csv"
    frame = pd.read_csv(texts_file)
    frame.loc[3, "text"] = "Something else entirely."
    frame.to_csv(edited, index=False)
    with pytest.raises(CoreError, match="made from other texts"):
        attach(read_corpus(edited, "text"), local_file)


def test_a_vectors_file_of_another_model_or_setting_is_refused(texts_file, local_file):
    corpus = attach(read_corpus(texts_file, "text"), local_file)
    with pytest.raises(CoreError, match="made by Bundled all-MiniLM-L6-v2.*but this run uses Bundled multilingual"):
        run_stages(corpus, Settings(model="multilingual"), until="vectors")
    with pytest.raises(CoreError, match="reading 1 window.*this run reads 3"):
        run_stages(corpus, Settings(windows=3), until="vectors")
    given = run_stages(corpus, Settings(), until="vectors")[0]["vectors"]
    assert given.precision_why.startswith("from the vectors file 'vectors.parquet'")


def test_above_the_sample_size_umap_is_fitted_on_a_sample_and_places_the_rest(monkeypatch):
    monkeypatch.setattr(reduce, "SAMPLE_ABOVE", 400)
    monkeypatch.setattr(reduce, "UMAP_SAMPLE", 300)
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(4, 32))
    points = (centres[np.arange(900) % 4] + 0.3 * rng.normal(size=(900, 32))).astype(np.float32)
    view = reduce.reduce(points, 2, seed=3)
    assert view.shape == (900, 2) and np.isfinite(view).all()
    assert np.array_equal(view, reduce.reduce(points, 2, seed=3))  # seeded
    labels = cluster.cluster(view, cluster.ClusterSettings(k=4, seed=3))
    assert max(np.bincount(labels[np.arange(900) % 4 == g]).max() for g in range(4)) >= 200  # groups stay together


def test_above_the_sample_size_kmeans_fits_a_sample_assigns_every_point_and_stays_seeded(monkeypatch):
    monkeypatch.setattr(cluster, "SAMPLE_TEXTS", 500)
    monkeypatch.setattr(cluster, "KMEANS_SAMPLE", 200)
    rng = np.random.default_rng(1)
    points = np.vstack([rng.normal(loc=5 * g, size=(300, 5)) for g in range(3)])
    a = cluster.cluster(points, cluster.ClusterSettings(k=3, seed=7))
    assert np.array_equal(a, cluster.cluster(points, cluster.ClusterSettings(k=3, seed=7)))
    assert sorted(np.bincount(a)) == [300, 300, 300]
