"""Topic quality on BBC News (../shared/BENCHMARKS.md, protocol 1): the project at k = 5, k = 20 and its
automatic mode next to BERTopic (same embeddings, same k) and scikit-learn LDA, all in one run.

    .venv/bin/python bench/topics.py            # prints the table; --json FILE also writes the figures
"""
from __future__ import annotations

import argparse
import json

import numpy as np

from common import BBC, Npmi, Timer, assign, embed, table

from core.data import read_corpus
from core.evaluate import label_agreement, topic_diversity
from core.keywords import describe_topics
from core.reduce import clustering_space, reduce
from core.settings import Settings

SEED = 42


def project_system(name, corpus, vectors, settings, points=None):
    with Timer() as t:
        if points is None:
            points = clustering_space(vectors, settings.space, texts=corpus.texts, seed=settings.seed)
        labels = assign(corpus, vectors, settings, points)
        topics = describe_topics(corpus.texts, labels, vectors, top_n=10)
    return name, labels, [list(tp.words) for tp in topics if tp.id >= 0], t.seconds, points


def bertopic_system(name, texts, vectors, k):
    from bertopic import BERTopic
    from hdbscan import HDBSCAN
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import CountVectorizer
    from umap import UMAP

    with Timer() as t:
        cluster = KMeans(k, random_state=SEED, n_init=10) if k else HDBSCAN(min_cluster_size=10, prediction_data=True)
        model = BERTopic(umap_model=UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine",
                                         random_state=SEED),
                         hdbscan_model=cluster, vectorizer_model=CountVectorizer(stop_words="english"))
        labels, _ = model.fit_transform(list(texts), vectors)
    words = [[w for w, _ in model.get_topic(t)] for t in sorted(set(labels)) if t >= 0]
    return name, np.asarray(labels), words, t.seconds, None


def lda_system(name, texts, k):
    from sklearn.decomposition import LatentDirichletAllocation
    from sklearn.feature_extraction.text import CountVectorizer

    with Timer() as t:
        vectorizer = CountVectorizer(stop_words="english", min_df=2, max_df=0.5)
        counts = vectorizer.fit_transform(texts)
        model = LatentDirichletAllocation(k, random_state=SEED)
        labels = model.fit_transform(counts).argmax(axis=1)
    vocab = vectorizer.get_feature_names_out()
    words = [[vocab[i] for i in np.argsort(-row)[:10]] for row in model.components_]
    return name, labels, words, t.seconds, None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", help="write the figures to this file too")
    parser.add_argument("--skip-baselines", action="store_true", help="only the project's own systems")
    args = parser.parse_args()

    corpus = read_corpus(BBC, "text", label_col="label")
    settings = Settings(seed=SEED)
    with Timer() as t:
        vectors = embed(corpus, settings)
    print(f"embedded {len(corpus)} articles in {t.seconds:.1f} s (windows, cached after the first run)", flush=True)
    npmi = Npmi(corpus.texts)
    texts = list(corpus.texts)

    # UMAP compiles numba on its first call: warm it up so no system pays for it.
    with Timer() as warm:
        reduce(vectors[:200], 5, seed=SEED)
    print(f"UMAP warm-up (numba compilation) {warm.seconds:.1f} s", flush=True)

    runs = []
    _, _, _, _, points = first = project_system("project kmeans", corpus, vectors, Settings(k=5, seed=SEED))
    runs.append((5,) + first[:4])
    runs.append((20,) + project_system("project kmeans", corpus, vectors, Settings(k=20, seed=SEED), points)[:4])
    runs.append(("auto",) + project_system("project hdbscan", corpus, vectors,
                                            Settings(method="hdbscan", seed=SEED))[:4])
    if not args.skip_baselines:
        for k in (5, 20, None):
            runs.append((k or "auto",) + bertopic_system("BERTopic " + ("kmeans" if k else "hdbscan"),
                                                          texts, vectors, k)[:4])
        for k in (5, 20):
            runs.append((k,) + lda_system("LDA (scikit-learn)", texts, k)[:4])

    rows = []
    for k, name, labels, words, seconds in runs:
        agreement = label_agreement(corpus.labels, labels)
        rows.append({"system": name, "k": k, "topics": len(words), "NPMI": npmi(words), "TD": topic_diversity(words),
                     "NMI": agreement["nmi"], "ARI": agreement["ari"], "outliers": float((labels < 0).mean()),
                     "seconds": seconds})
        print(rows[-1], flush=True)
    print()
    print(table(rows, ["system", "k", "topics", "NPMI", "TD", "NMI", "ARI", "outliers", "seconds"]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=2)


if __name__ == "__main__":
    main()
