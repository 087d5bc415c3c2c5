"""Beyond one machine (../shared/BENCHMARKS.md, protocol 6; issue 14): `core embed` on a local Ray against
the local engine on the same texts, and everything after the embedding at a million texts from a Parquet
file of vectors, with the sizes where UMAP and KMeans fit a sample measured.

    .venv/bin/python bench/scale.py                      # everything (about an hour on 2 busy cores)
    .venv/bin/python bench/scale.py --only ray           # ray,umap,kmeans,million: one or more sections
    .venv/bin/python bench/scale.py --only million --texts 200000   # a smaller "million"

The texts are bench/speed.py's scale corpus (100,000 short texts: BBC News sentences and MovieLens
reviews); the million is those 100,000 texts and their real vectors ten times over, each copy's vectors
with small noise (sigma 0.01 per dimension, then unit length again) and its own users. Every section
prints the load average: other work on the machine slows every figure, so contenders run in one process
one after the other and are compared as ratios.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import replace

import numpy as np
import pandas as pd

from common import ROOT, Timer, cpu_line, table

import core  # noqa: F401,E402  (first: it sets the thread settings torch reads when it loads)

OUT = ROOT / "bench" / "out" / "scale"
SECTIONS = ("ray", "umap", "kmeans", "million")
PAGES = {"Topics page": ("clusters", "labels", "topics", "items", "interests", "quality"),  # what each page reads
         "Recommendations page": ("clusters", "labels", "topics", "evaluation", "history", "recommender",
                                  "one user's list")}


def load() -> str:
    return "load average " + " / ".join(f"{x:.1f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores"


def header(title: str) -> None:
    print(f"\n## {title}  ({load()}, {time.strftime('%H:%M:%S')})", flush=True)


def scale_texts(n: int):
    """The first n texts of bench/speed.py's scale corpus (written there on first use)."""
    sys.path.insert(0, str(ROOT / "bench"))
    import speed

    speed.scale_corpus(100_000)
    return speed.OUT / "texts-100000.csv"


def hundred_thousand_vectors():
    """The 100,000 texts' vectors through `core embed --engine local` (the project's disk cache makes a
    second call cheap); returns (texts file, vectors file)."""
    texts = scale_texts(100_000)
    vectors = OUT / "vectors-100000.parquet"
    if not vectors.is_file():
        OUT.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "core", "embed", str(texts), "--text-col", "text", "--out", str(vectors)],
                       cwd=ROOT, check=True)
    return texts, vectors


# --- 1. Ray against the local engine ------------------------------------------------------------

def section_ray(n: int) -> None:
    from core.vectors import read_vectors

    header(f"1. `core embed` on {n:,} texts: --engine local against --engine ray (a local Ray on this machine)")
    texts = OUT / f"texts-{n}.csv"
    OUT.mkdir(parents=True, exist_ok=True)
    pd.read_csv(scale_texts(100_000), nrows=n).to_csv(texts, index=False)
    rows, files = [], {}
    for engine in ("local", "ray"):
        cache = OUT / f"cache-{engine}"
        shutil.rmtree(cache, ignore_errors=True)  # each engine embeds every text itself
        files[engine] = OUT / f"vectors-{n}-{engine}.parquet"
        command = [sys.executable, "-m", "core", "embed", str(texts), "--text-col", "text", "--engine", engine,
                   "--out", str(files[engine])]
        before = os.times()
        with Timer() as t:
            done = subprocess.run(command, cwd=ROOT, env={**os.environ, "TOPICDASH_CACHE": str(cache)},
                                  capture_output=True, text=True)
        after = os.times()
        if done.returncode:
            print(f"{engine} failed:\n{done.stderr[-3000:]}")
            return
        cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
        rows.append({"engine": engine, "wall s": t.seconds, "texts/s": n / t.seconds,
                     "ms per text (wall)": 1000 * t.seconds / n,
                     "CPU s (driver process only)": cpu, "load after": load()})
    local, by_ray = read_vectors(files["local"]), read_vectors(files["ray"])
    same_rows = bool((local[1] == by_ray[1]).all())
    cosine = (local[2] * by_ray[2]).sum(axis=1)
    print(table(rows, list(rows[0])))
    print(f"Ray / local wall time: {rows[1]['wall s'] / rows[0]['wall s']:.3f} (target <= 1.25); same rows: {same_rows}; "
          f"cosine of Ray's vectors to the local engine's: mean {cosine.mean():.6f}, min {cosine.min():.6f} "
          f"(target mean >= 0.9999); the same fingerprint: {local[0]['fingerprint'] == by_ray[0]['fingerprint']}")


# --- 2. UMAP on everything against UMAP on a sample ---------------------------------------------

def section_umap(n: int) -> None:
    from core import reduce
    from core.evaluate import label_agreement
    from core.vectors import read_vectors

    header(f"2. The clustering space and the view at {n:,} texts: UMAP on every text against a fit on a sample "
           "and transform for the rest")
    _, path = hundred_thousand_vectors()
    vectors = read_vectors(path)[2][:n]
    from core.cluster import ClusterSettings, cluster

    rows, labels = [], {}
    for name, above, sample in (("every text (NN-descent neighbours)", 10 ** 9, 0),
                                ("sample of 20,000 + transform", 0, 20_000),
                                ("sample of 50,000 + transform", 0, 50_000)):
        if sample > n:
            continue
        reduce.SAMPLE_ABOVE, reduce.UMAP_SAMPLE = above, sample or reduce.UMAP_SAMPLE
        reduce._last.clear()
        with Timer() as s:
            space = reduce.reduce(vectors, 5, seed=42)
        with Timer() as v:
            reduce.reduce(vectors, 2, seed=42, min_dist=0.1, n_epochs=reduce.VIEW_EPOCHS)
        labels[name] = cluster(space, ClusterSettings(k=20, seed=42))
        rows.append({"UMAP fitted on": name, "5-D space s": s.seconds, "2-D view s (neighbours reused)": v.seconds})
    first = next(iter(labels.values()))
    for row, found in zip(rows, labels.values()):
        row["NMI of KMeans k=20 topics to those on every text"] = label_agreement(first, found)["nmi"]
    print(table(rows, list(rows[0])))


# --- 3. KMeans on a sample against MiniBatchKMeans and KMeans on every point ----------------------

def section_kmeans(sizes, ks=(12, 25)) -> None:
    from sklearn.cluster import KMeans, MiniBatchKMeans
    from threadpoolctl import threadpool_limits

    from core import cluster, reduce
    from core.evaluate import label_agreement
    from core.vectors import read_vectors

    header(f"3. KMeans on the 5-D clustering space above {cluster.SAMPLE_TEXTS:,} points: the project's (KMeans, "
           f"10 starts, on a seeded sample of {cluster.KMEANS_SAMPLE:,}, then every point to its nearest centroid) "
           "against MiniBatchKMeans and KMeans on every point")
    _, path = hundred_thousand_vectors()
    base = reduce.reduce(read_vectors(path)[2], 5, seed=42)
    rng = np.random.default_rng(0)
    for n in sizes:
        points = np.vstack([base] * (n // len(base) + 1))[:n] + rng.normal(scale=0.01, size=(n, 5)).astype(np.float32)
        rows = []
        for k in ks:
            settings = cluster.ClusterSettings(k=k, seed=42)
            contenders = {
                "project (sample + assign)": lambda: cluster.cluster(points, settings),
                "KMeans on a sample of 100,000 + assign": lambda: _with_sample(cluster, 100_000, points, settings),
                "MiniBatchKMeans on every point (batches of 4,096)": lambda: MiniBatchKMeans(
                    k, n_init=10, batch_size=4096, random_state=42).fit_predict(points)}
            if n <= 300_000:
                contenders["KMeans on every point"] = lambda: KMeans(k, n_init=10, random_state=42).fit_predict(points)
            found = {}
            for name, fit in contenders.items():
                with threadpool_limits(1), Timer() as t:
                    found[name] = fit()
                rows.append({"points": n, "k": k, "method": name, "s": t.seconds, "inertia": _inertia(points, found[name])})
            reference = rows[-len(contenders)]["inertia"]
            for row, labels in zip(rows[-len(contenders):], found.values()):
                row["inertia / project's"] = row["inertia"] / reference
                row["NMI to project's"] = label_agreement(found["project (sample + assign)"], labels)["nmi"]
        print(table(rows, ["points", "k", "method", "s", "inertia / project's", "NMI to project's"]), flush=True)


def _with_sample(cluster, size: int, points: np.ndarray, settings) -> np.ndarray:
    """The project's KMeans with a sample of `size` points instead of cluster.KMEANS_SAMPLE."""
    kept, cluster.KMEANS_SAMPLE = cluster.KMEANS_SAMPLE, size
    try:
        return cluster.cluster(points, settings)
    finally:
        cluster.KMEANS_SAMPLE = kept


def _inertia(points: np.ndarray, labels: np.ndarray) -> float:
    """Sum of squared distances of the points to their topic's mean (the quantity KMeans minimises)."""
    total = 0.0
    for t in np.unique(labels):
        members = points[labels == t]
        total += float(((members - members.mean(axis=0)) ** 2).sum())
    return total


# --- 4. A million texts downstream ------------------------------------------------------------

def million_files(n: int):
    """n texts (the 100,000 ten times over, each copy with its own users) and their vectors with noise."""
    from core.vectors import read_vectors, texts_fingerprint, write_vectors

    texts_path, vectors_path = OUT / f"texts-{n}.csv", OUT / f"vectors-{n}.parquet"
    if texts_path.is_file() and vectors_path.is_file():
        return texts_path, vectors_path
    source, path = hundred_thousand_vectors()
    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    metadata, rows, vectors = read_vectors(path)
    rng = np.random.default_rng(42)
    copies = -(-n // len(frame))
    big = pd.concat([frame.assign(user=frame["user"] + f"-{c}") for c in range(copies)], ignore_index=True)[:n]
    big.to_csv(texts_path, index=False)
    writer_rows, parts = [], []
    for c in range(copies):
        noisy = vectors + rng.normal(scale=0.01, size=vectors.shape).astype(np.float32) * (c > 0)
        parts.append(noisy / np.linalg.norm(noisy, axis=1, keepdims=True))
        writer_rows.append(rows + c * len(frame))
    all_rows, all_vectors = np.concatenate(writer_rows)[:n], np.vstack(parts)[:n].astype(np.float32)
    del parts
    metadata.update(rows=n, fingerprint=texts_fingerprint(all_rows, big["text"].tolist()),
                    texts={"source": texts_path.name, "text_col": "text", "empty_left_out": 0})
    write_vectors(vectors_path, all_rows, all_vectors, metadata)
    return texts_path, vectors_path


def section_million(n: int) -> None:
    from core.data import read_corpus
    from core.embedders import EmbeddingCache
    from core.export import write_outputs
    from core.pipeline import run
    from core.settings import Settings
    from core.stages import STAGES, stage_key
    from core.vectors import attach

    header(f"4. {n:,} texts downstream from a Parquet file of vectors: what `core run --embeddings` does")
    with Timer() as build:  # in another process, so that this one's peak memory is the run's alone
        subprocess.run([sys.executable, __file__, "--build", str(n)], cwd=ROOT, check=True)
        texts_path, vectors_path = million_files(n)
    print(f"data: {texts_path.name} ({texts_path.stat().st_size / 1e6:.0f} MB), {vectors_path.name} "
          f"({vectors_path.stat().st_size / 1e6:.0f} MB), ready in {build.seconds:.0f} s", flush=True)
    settings = Settings(k=20)
    with Timer() as whole:
        with Timer() as reading:
            corpus = attach(read_corpus(texts_path, "text", user_col="user"), vectors_path)
        result = run(corpus, settings, cache=EmbeddingCache())
        with Timer() as writing:
            write_outputs(result, OUT / f"million-{n}")
    record = json.loads((OUT / f"million-{n}" / "run.json").read_text())
    rows = [{"step": "read the texts and attach the vectors", "seconds": reading.seconds}]
    rows += [{"step": f"stage {name}", "seconds": seconds} for name, seconds in result.timings.items()]
    rows += [{"step": "write the output files", "seconds": writing.seconds},
             {"step": "whole run (target < 900 s)", "seconds": whole.seconds}]
    print(table(rows, ["step", "seconds"]))
    print(f"peak resident memory (run.json) {record['peak_memory_mb'] / 1024:.2f} GB (target < 8 GB); "
          f"{len(result.topics)} topics, {len(result.interests)} users, {len(result.recommendations):,} recommendations",
          flush=True)

    header("4b. A new k in the app's cached path: the stages whose key changed, as ui/stages.py runs them")
    values = {"corpus": corpus, **{stage.name: getattr(result, stage.name) for stage in STAGES}}
    keys = {stage.name: stage_key(stage.name, settings) for stage in STAGES}
    user = result.recommender.users_[0]
    rows = []
    for k in (25, 12):
        changed = replace(settings, k=k)
        seconds = {}
        for stage in STAGES:
            if stage_key(stage.name, changed) == keys[stage.name]:  # the app's cache has it: nothing to do
                seconds[stage.name] = 0.0
                continue
            with Timer() as t:
                values[stage.name] = stage.run(changed, *(values[i] for i in stage.inputs))
            seconds[stage.name], keys[stage.name] = t.seconds, stage_key(stage.name, changed)
            if stage.name == "recommender":  # what the Recommendations page lists (ui user_recommendations)
                with Timer() as t:
                    values["recommender"].recommend(top_n=changed.top_n, users=[user])
                seconds["one user's list"] = t.seconds
        rows.append({"new k": k, **{f"{page} s (target < 5)": sum(seconds[name] for name in names)
                                    for page, names in PAGES.items()},
                     "every stage whose key changed s": sum(seconds.values()) - seconds["one user's list"],
                     "by stage": ", ".join(f"{s} {v:.2f}" for s, v in seconds.items())})
    print(table(rows, list(rows[0])), flush=True)
    print("; ".join(f"the {page} reads " + ", ".join(names) for page, names in PAGES.items()) + " (the view "
          "and the history stage do not depend on k: 0 s, from the cache). The recommendations of every user (the recommendations stage) are listed only for an export.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated sections: {','.join(SECTIONS)}")
    parser.add_argument("--texts", type=int, default=1_000_000, help="texts in the 'million' section")
    parser.add_argument("--ray-texts", type=int, default=20_000, help="texts in the 'ray' section")
    parser.add_argument("--build", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        million_files(args.build)
        return
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    if set(chosen) - set(SECTIONS):
        parser.error(f"choose sections from {', '.join(SECTIONS)}")
    print(f"# bench/scale.py --only {','.join(chosen)}  ({load()})\n{cpu_line()}")
    runs = {"ray": lambda: section_ray(args.ray_texts), "umap": lambda: section_umap(100_000),
            "kmeans": lambda: section_kmeans((300_000, 1_000_000)),
            "million": lambda: section_million(args.texts)}
    for name in SECTIONS:
        if name in chosen:
            runs[name]()
    print(f"\n(done at {time.strftime('%H:%M:%S')}, {load()}; peak memory of this process "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2:.2f} GB)")


if __name__ == "__main__":
    main()
