"""How much of a text's UMAP place the 'embeddings' clustering space holds (core.reduce.UMAP_WEIGHT), chosen
across corpora of long and short texts, one language and two: each corpus' default vectors (language chosen
automatically), clustered by the pipeline's own stages at k = its labels, at each weight, NMI against the
labels as the mean over five seeds.

Corpora: BBC News (2,225 articles) and two seeded samples of 300 and of 800 of them; two samples of 400,
1,500 and 4,000 THUCNews headlines (the 'embeddings' space is used below 5,000 texts); BBC and THUCNews
headlines on five shared subjects, and the same with BBC's first paragraphs (bench/chinese.py); the bundled
demo, reported apart, since its target (NMI >= 0.80) should not choose the weight.

    .venv/bin/python bench/spaces.py                           # KMeans; about 25 min once embeddings are cached
    .venv/bin/python bench/spaces.py --methods kmeans,agglomerative,tfidf --weights 0,0.35
"""
from __future__ import annotations

import argparse
import dataclasses
import statistics

import numpy as np
import pandas as pd

from chinese import THUCNEWS, mixed_news
from common import BBC, assign, cpu_line, embed

import core.reduce
from core.data import build_corpus, load_demo, read_corpus
from core.evaluate import label_agreement
from core.settings import Settings

SEEDS = (42, 0, 1, 2, 3)


def sample(corpus, size: int, draw: int):
    rows = np.sort(np.random.default_rng(draw).choice(len(corpus), size, replace=False))
    frame = pd.DataFrame({"text": [corpus.texts[i] for i in rows], "label": [corpus.labels[i] for i in rows]})
    return build_corpus(frame, "text", label_col="label")


def corpora():
    """(group, name, corpus, k) for every corpus measured."""
    bbc, thucnews = read_corpus(BBC, "text", label_col="label"), read_corpus(THUCNEWS, "text", label_col="label")
    yield "BBC", "BBC News", bbc, 5
    for size in (300, 800):
        for draw in (0, 1):
            yield "BBC", f"BBC sample {size} #{draw}", sample(bbc, size, draw), 5
    for size in (400, 1500, 4000):
        for draw in (0, 1):
            yield "THUCNews", f"THUCNews sample {size} #{draw}", sample(thucnews, size, draw), 10
    yield "two languages", "BBC + THUCNews headlines", mixed_news(), 5
    yield "two languages", "the same with BBC's first paragraphs", mixed_news(lead=True), 5
    yield "demo", "the bundled demo", load_demo(), 8


def nmi(corpus, k: int, method: str, weights: list[float]) -> list[float]:
    """Mean NMI over SEEDS of `method` ('tfidf': KMeans on the TF-IDF/LSA baseline) at each UMAP weight."""
    settings = Settings(model="tfidf") if method == "tfidf" else Settings(method=method)
    vectors = embed(corpus, settings)
    row = []
    for weight in weights:
        core.reduce.UMAP_WEIGHT = weight
        row.append(float(np.mean([label_agreement(list(corpus.labels), list(assign(
            corpus, vectors, dataclasses.replace(settings, k=k, seed=seed))))["nmi"] for seed in SEEDS])))
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--methods", default="kmeans", help="kmeans, agglomerative, tfidf (comma-separated)")
    parser.add_argument("--weights", default="0,0.25,0.35,0.5,1", help="UMAP weights (comma-separated)")
    args = parser.parse_args()
    weights = [float(w) for w in args.weights.split(",")]
    print(cpu_line())
    for method in args.methods.split(","):
        print(f"\n## {method}: mean NMI over seeds {', '.join(map(str, SEEDS))} at UMAP weights {args.weights}\n")
        print("| corpus | texts | " + " | ".join(map(str, weights)) + " |\n|---|---|" + "---|" * len(weights))
        groups: dict[str, list[list[float]]] = {}
        for group, name, corpus, k in corpora():
            if method == "agglomerative" and len(corpus) > 3000:
                continue  # Ward compares every pair: minutes above that
            row = nmi(corpus, k, method, weights)
            groups.setdefault(group, []).append(row)
            print(f"| {name} | {len(corpus)} | " + " | ".join(f"{x:.3f}" for x in row) + " |", flush=True)
        for group, rows in groups.items():
            print(f"| mean, {group} | | " + " | ".join(f"{statistics.mean(c):.3f}" for c in zip(*rows)) + " |")
        chosen = [row for group, rows in groups.items() if group != "demo" for row in rows]
        print("| **mean, all but the demo** | | " + " | ".join(f"{statistics.mean(c):.3f}" for c in zip(*chosen))
              + " |", flush=True)


if __name__ == "__main__":
    main()
