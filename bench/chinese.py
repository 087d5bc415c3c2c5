"""Chinese and mixed corpora (../shared/BENCHMARKS.md, protocol 4, and issue 16's targets), in one run:

- THUCNews dev (10,000 Chinese headlines, 10 labels) through the pipeline with default settings (model and
  language chosen automatically): k = 10 and the automatic mode (HDBSCAN), next to BERTopic with the same
  vectors (its defaults; and with KMeans k = 10), and the project's TF-IDF/LSA baseline;
- the bundled demo at k = 8 against its interest column: the default (for a corpus that mixes languages, the
  pair of multilingual models) against multilingual-e5-small alone, the Universal Sentence Encoder alone and
  the English model, and the agreement within each language's posts (the English posts also on their own);
- a cross-lingual corpus of real news: BBC headlines (English) and THUCNews headlines (Chinese) on the five
  subjects both have, 300 per subject and language, k = 5, and the same with BBC's first paragraph after
  each headline: whether topics follow the subject across the two languages;
- BBC News at k = 5 with the English default;
- the multilingual model's throughput on the THUCNews titles against sentence-transformers running
  all-MiniLM-L6-v2 in fp32 on the same titles (alternating rounds; the default precision, int8 on a CPU
  without native bf16, and fp32 by hand), the Universal Sentence Encoder and the pair of both (the default for
  mixed corpora), and the multilingual model's time on all 10,000.

    .venv/bin/python bench/chinese.py                 # about 25 min the first time (embeddings), then minutes
    .venv/bin/python bench/chinese.py --only speed    # or thucnews, demo, mixed, bbc (comma-separated)
"""
from __future__ import annotations

import argparse
import dataclasses
import statistics

import numpy as np
import pandas as pd

from common import BBC, SHARED, Timer, alternating, cpu_line, embed, table

from core.data import build_corpus, load_demo, read_corpus
from core.evaluate import label_agreement
from core.pipeline import run
from core.settings import Settings
from core.stages import model_choice

THUCNEWS = SHARED / "thucnews-dev" / "texts.csv"
SEED = 42
SEEDS = (42, 0, 1, 2, 3)


def figures(name: str, labels_true, labels, words=None, seconds=None) -> dict:
    agreement = label_agreement(list(labels_true), list(labels))
    return {"system": name, "topics": len(set(labels) - {-1}), "NMI": agreement["nmi"], "ARI": agreement["ari"],
            "outliers": float((np.asarray(labels) < 0).mean()), "keywords": " · ".join((words or [])[:4]),
            "seconds": seconds}


def project(corpus, settings: Settings, name: str) -> dict:
    with Timer() as t:
        result = run(corpus, settings)
    first = next(t for t in result.topics if t.id >= 0)
    row = figures(name, corpus.labels, result.labels, list(first.words), t.seconds)
    row["model"], row["labels"] = result.vectors.model, result.labels
    return row


def bertopic(texts, vectors, labels_true, k: int | None) -> dict:
    from bertopic import BERTopic
    from sklearn.cluster import KMeans

    with Timer() as t:
        model = BERTopic(hdbscan_model=KMeans(k, random_state=SEED, n_init=10)) if k else BERTopic()
        labels, _ = model.fit_transform(list(texts), vectors)
    words = [w for w, _ in model.get_topic(0)] if 0 in set(labels) else []
    return figures(f"BERTopic defaults{' + KMeans' if k else ' (HDBSCAN)'}, same vectors", labels_true, labels,
                   words, t.seconds)


def section_thucnews() -> None:
    corpus = read_corpus(THUCNEWS, "text", label_col="label")
    model, why = model_choice(corpus, Settings())
    print(f"\n## THUCNews dev: {len(corpus)} headlines, language {corpus.report.language}; default model: {model} "
          f"({why})", flush=True)
    with Timer() as t:
        vectors = embed(corpus, Settings())
    print(f"embedded (or read from the disk cache) in {t.seconds:.0f} s", flush=True)
    rows = [project(corpus, Settings(k=10), "project, defaults, k = 10"),
            project(corpus, Settings(method="hdbscan"), "project, defaults, automatic (HDBSCAN)"),
            project(corpus, Settings(k=10, precision="fp32"), "project, defaults but precision fp32, k = 10"),
            project(corpus, Settings(method="hdbscan", precision="fp32"), "project, automatic (HDBSCAN), fp32"),
            project(corpus, Settings(model="crosslingual", k=10), "project, pair of multilingual models (the mixed "
                    "corpora's default) by hand, k = 10"),
            project(corpus, Settings(model="tfidf", k=10), "project TF-IDF/LSA baseline, k = 10"),
            bertopic(corpus.texts, vectors, corpus.labels, 10),
            bertopic(corpus.texts, vectors, corpus.labels, None)]
    print(table(rows, ["system", "topics", "NMI", "ARI", "outliers", "keywords", "seconds"]), flush=True)
    print("targets: k = 10 NMI >= 0.55, ARI >= 0.40; automatic: no outliers, NMI >= 0.50")


def section_demo() -> None:
    corpus = load_demo()
    print(f"\n## The bundled demo: {len(corpus)} posts (language {corpus.report.language}), k = 8 against "
          "the interest column", flush=True)
    rows = [project(corpus, Settings(model="default"), "project, English model"),
            project(corpus, Settings(align_languages=False), "project, defaults without language alignment")]
    defaults = over_seeds(corpus, Settings(k=8), {"defaults": {}})
    rows += defaults + over_seeds(corpus, Settings(k=8), {"defaults, fp32": {"precision": "fp32"},
                                                          "multilingual-e5-small alone": {"model": "multilingual"},
                                                          "Universal Sentence Encoder alone": {"model": "use"}})
    print(table(rows, ["system", "model", "topics", "NMI", "ARI", "keywords"]), flush=True)
    spread(corpus)
    by_language(corpus, [row["labels"] for row in defaults])
    print("target: NMI >= 0.80")


def by_language(corpus, found: list) -> None:
    """Where the demo's misplaced posts are: the NMI within each language's posts of the topics `found` (the
    defaults' at each of SEEDS), and the English posts clustered on their own (k = 8) with each bundled model."""
    from core.language import text_language

    languages = np.array([text_language(t) for t in corpus.texts])
    for language in np.unique(languages):
        mine = languages == language
        nmi = [label_agreement(list(np.asarray(corpus.labels)[mine]), list(f[mine]))["nmi"] for f in found]
        print(f"defaults, the {mine.sum()} posts in script '{language}' only: mean NMI {np.mean(nmi):.3f}", flush=True)
    english = pd.DataFrame({"text": corpus.texts, "label": corpus.labels})[languages == "latin"]
    alone = build_corpus(english, "text", label_col="label")
    over_seeds(alone, Settings(k=8), {f"English posts alone, {m}": {"model": m}
                                      for m in ("crosslingual", "multilingual", "use", "default")})


def over_seeds(corpus, settings: Settings, variants: dict[str, dict]) -> list[dict]:
    """The pipeline over SEEDS for each variant of `settings`, with each variant's mean NMI printed."""
    rows = []
    for name, change in variants.items():
        part = [project(corpus, dataclasses.replace(settings, seed=seed, **change), f"project, {name}, seed {seed}")
                for seed in SEEDS]
        nmi = [r["NMI"] for r in part]
        print(f"{name}: mean NMI over seeds {', '.join(map(str, SEEDS))} {np.mean(nmi):.3f} "
              f"({', '.join(f'{x:.3f}' for x in nmi)})", flush=True)
        rows += part
    return rows


# BBC News' labels and THUCNews' for the same subjects.
SHARED_SUBJECTS = {"sport": "sports", "business": "finance", "politics": "politics", "tech": "science",
                   "entertainment": "entertainment"}


def mixed_news(per_subject: int = 300, lead: bool = False):
    """BBC headlines (with their first paragraph when `lead`) and THUCNews headlines on SHARED_SUBJECTS, labelled
    with THUCNews' names, `per_subject` of each language (a seeded sample)."""
    bbc, thucnews, rows = pd.read_csv(BBC), pd.read_csv(THUCNEWS), []
    for english, chinese in SHARED_SUBJECTS.items():
        for text in bbc[bbc.label == english].sample(per_subject, random_state=0).text:
            lines = [line for line in text.split("\n") if line.strip()]
            rows.append((f"{lines[0]}. {lines[1]}" if lead else lines[0], chinese))
        rows += [(t, chinese) for t in thucnews[thucnews.label == chinese].sample(per_subject, random_state=0).text]
    return build_corpus(pd.DataFrame(rows, columns=["text", "label"]), "text", label_col="label")


def section_mixed() -> None:
    for lead in (False, True):
        corpus = mixed_news(lead=lead)
        print(f"\n## BBC {'headlines and first paragraphs' if lead else 'headlines'} and THUCNews headlines on "
              f"{len(SHARED_SUBJECTS)} shared subjects: {len(corpus)} texts (language {corpus.report.language}), "
              "k = 5", flush=True)
        rows = over_seeds(corpus, Settings(k=5), {"defaults": {}, "multilingual-e5-small alone": {"model": "multilingual"},
                                                  "Universal Sentence Encoder alone": {"model": "use"}})
        print(table(rows, ["system", "model", "topics", "NMI", "ARI", "keywords"]), flush=True)


def spread(corpus, cosines=(0.999, 0.998, 0.996), draws: int = 4) -> None:
    """How far the demo's mean NMI over SEEDS moves when the fp32 vectors are turned by random directions to a
    given cosine: the noise any small change of the vectors (such as int8's) brings to this small corpus."""
    from sklearn.preprocessing import normalize

    from core import cluster, reduce

    vectors = run(corpus, Settings(precision="fp32")).vectors.texts
    texts, rng = list(corpus.texts), np.random.default_rng(0)

    def mean_nmi(v):
        labels = [cluster.cluster(reduce.clustering_space(v, "embeddings", texts=texts, seed=seed),
                                  cluster.ClusterSettings(k=8, seed=seed)) for seed in SEEDS]
        return np.mean([label_agreement(list(corpus.labels), list(found))["nmi"] for found in labels])

    for cosine in cosines:
        means = []
        for _ in range(draws):
            noise = rng.normal(size=vectors.shape)
            noise = normalize(noise - (noise * vectors).sum(1, keepdims=True) * vectors)
            means.append(mean_nmi(normalize(vectors * cosine + noise * np.sqrt(1 - cosine ** 2)).astype(np.float32)))
        print(f"fp32 vectors turned to cosine {cosine}: mean NMI {min(means):.3f}-{max(means):.3f} over {draws} draws",
              flush=True)


def section_bbc() -> None:
    corpus = read_corpus(BBC, "text", label_col="label")
    print(f"\n## BBC News: {len(corpus)} articles, language {corpus.report.language}, k = 5", flush=True)
    rows = [project(corpus, Settings(k=5), "project, defaults"),
            project(corpus, Settings(k=5, model="multilingual"), "project, multilingual model")]
    print(table(rows, ["system", "model", "topics", "NMI", "ARI", "keywords", "seconds"]), flush=True)
    print("target: NMI >= 0.88 with the English default")


def section_speed(rounds: int = 5, n: int = 2000) -> None:
    import torch
    from sentence_transformers import SentenceTransformer

    from core.embedders import load_embedder
    from core.embedders.bundled import minilm

    titles = pd.read_csv(THUCNEWS)["text"].drop_duplicates().tolist()
    sample = titles[:n]
    print(f"\n## Throughput on {len(sample)} THUCNews titles ({cpu_line()}; torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads; {rounds} alternating rounds)", flush=True)
    st = SentenceTransformer(str(minilm()), device="cpu")
    ours, fp32 = load_embedder("multilingual"), load_embedder("multilingual", precision="fp32")
    print(f"multilingual model precision: {ours.precision} ({ours.precision_reason})")
    contenders = {"sentence-transformers all-MiniLM-L6-v2 fp32": lambda t: st.encode(t, batch_size=32),
                  "project multilingual-e5-small (default settings)": ours.embed,
                  "project multilingual-e5-small, one batch at a time": lambda t: one_at_a_time(ours, t),
                  "project multilingual-e5-small, precision fp32": fp32.embed,
                  "project Universal Sentence Encoder": load_embedder("use").embed,
                  "project pair of both (the default for mixed corpora)": load_embedder("crosslingual").embed}
    for fn in contenders.values():
        fn(sample[:64])
    seconds = {name: [] for name in contenders}
    for name in alternating(contenders, rounds):
        with Timer() as t:
            contenders[name](sample)
        seconds[name].append(t.seconds)
    base = seconds[next(iter(contenders))]
    for name, values in seconds.items():
        ratios = [b / v for b, v in zip(base, values)]
        print(f"  {name}: {len(sample) / statistics.median(values):.0f} titles/s, x{statistics.median(ratios):.2f} "
              f"(rounds {', '.join(f'{x:.2f}' for x in ratios)})", flush=True)
    with Timer() as t:
        ours.embed(titles)
    print(f"  all {len(titles):,} distinct titles with the multilingual model, no cache: {t.seconds:.0f} s "
          f"({len(titles) / t.seconds:.0f} titles/s)", flush=True)
    one, other = ours.embed(sample), fp32.embed(sample)
    cosine = (one * other).sum(axis=1)
    print(f"  the default's vectors against fp32's: cosine mean {cosine.mean():.4f}, min {cosine.min():.4f}")
    print("target: >= 0.8x")


def one_at_a_time(embedder, texts):
    """The embedder with its batches run one after another on all threads (as before 2026-12-02)."""
    from core.embedders import transformer

    streams, transformer.MAX_STREAMS = transformer.MAX_STREAMS, 1
    try:
        return embedder.embed(texts)
    finally:
        transformer.MAX_STREAMS = streams


SECTIONS = {"thucnews": section_thucnews, "demo": section_demo, "mixed": section_mixed, "bbc": section_bbc,
            "speed": section_speed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", help="comma-separated sections: " + ", ".join(SECTIONS))
    args = parser.parse_args()
    print(cpu_line(), flush=True)
    for name in (args.only.split(",") if args.only else SECTIONS):
        SECTIONS[name]()


if __name__ == "__main__":
    main()
