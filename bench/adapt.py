"""Domain adaptation (issues 7 and 16): a corpus's default model before and after `core.adapt.adapt` on the
texts themselves (no labels), clustered by the project's pipeline at two k, base and adapted with the same
seed, for each of several clustering seeds (their mean is the figure to read). BBC News (English model,
k = 5 and 20, NPMI as the benchmark protocol counts it) or THUCNews dev (multilingual model, k = 10 and 20,
NPMI over jieba words as the app counts it).

    .venv/bin/python bench/adapt.py                     # BBC, trains with the default budget, prints the table
    .venv/bin/python bench/adapt.py --corpus thucnews   # the Chinese headlines with the multilingual model
    .venv/bin/python bench/adapt.py --model-dir DIR     # evaluates an adapted folder again without training
    .venv/bin/python bench/adapt.py --method simcse --steps 53 --max-seconds 0 --json bench/out/adapt.json
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from common import BBC, ROOT, SHARED, Npmi, Timer, assign, embed, table

from core import adapt as adaptation
from core.data import read_corpus
from core.embedders import EmbeddingCache
from core.evaluate import label_agreement, topic_diversity
from core.keywords import describe_topics
from core.settings import Settings
from core.stages import model_choice

SEED = 42
CORPORA = {"bbc": (BBC, (5, 20)), "thucnews": (SHARED / "thucnews-dev" / "texts.csv", (10, 20))}
FIGURES = ("NPMI", "TD", "NMI", "ARI")


def app_npmi(texts):
    """NPMI over the app's keyword tokens (jieba words for Chinese), for corpora the English protocol cannot read."""
    from core.evaluate import npmi
    from core.text import tokenize_corpus

    tokens = tokenize_corpus(texts)
    return lambda words: npmi(words, tokens)


def figures(corpus, vectors, npmi, seed, ks):
    """For each k, clustered as the pipeline does with this seed: the labels and their quality figures."""
    for k in ks:
        settings = Settings(k=k, seed=seed)
        labels = assign(corpus, vectors, settings)
        words = [list(t.words) for t in describe_topics(corpus.texts, labels, vectors, top_n=10) if t.id >= 0]
        agreement = label_agreement(corpus.labels, labels)
        yield k, labels, {"NPMI": npmi(words), "TD": topic_diversity(words), "NMI": agreement["nmi"], "ARI": agreement["ari"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default="bbc", choices=list(CORPORA))
    parser.add_argument("--model-dir", help="an adapted model folder to evaluate instead of training one")
    parser.add_argument("--method", default=adaptation.DEFAULT_METHOD, choices=adaptation.METHODS)
    parser.add_argument("--steps", type=int, default=adaptation.DEFAULT_STEPS)
    parser.add_argument("--max-seconds", type=float, default=adaptation.DEFAULT_MAX_SECONDS, help="0: no limit")
    parser.add_argument("--batch-size", type=int, default=adaptation.DEFAULT_BATCH_SIZE)
    parser.add_argument("--max-length", type=int, default=adaptation.DEFAULT_MAX_LENGTH)
    parser.add_argument("--learning-rate", type=float, default=adaptation.DEFAULT_LEARNING_RATE)
    parser.add_argument("--seeds", type=int, nargs="+", default=[SEED, 1, 2, 3, 4],
                        help="clustering seeds: a gain must hold beyond one clustering's luck")
    parser.add_argument("--precision", default="fp32", help="for base and adapted alike (an adapted folder is not a "
                        "bundled model, so 'auto' would run it in fp32 where the base may run in int8)")
    parser.add_argument("--json", help="write the figures to this file too")
    args = parser.parse_args()

    path, ks = CORPORA[args.corpus]
    corpus = read_corpus(path, "text", label_col="label")
    cache = EmbeddingCache()
    base_model = model_choice(corpus, Settings())[0]
    with Timer() as t:
        before = embed(corpus, Settings(seed=SEED, precision=args.precision), cache)
    print(f"base model {base_model}: {len(corpus)} texts embedded in {t.seconds:.0f} s (cached after the first run)",
          flush=True)

    if args.model_dir:
        folder = Path(args.model_dir)
    else:
        out = ROOT / "bench" / "out" / f"adapted-{args.corpus}-{args.method}-{args.steps}-{time.strftime('%Y%m%d-%H%M%S')}"
        cpu = time.process_time()
        folder = adaptation.adapt(corpus.texts, base_model, steps=args.steps, max_seconds=args.max_seconds or None,
                                  batch_size=args.batch_size, max_length=args.max_length,
                                  learning_rate=args.learning_rate, method=args.method, seed=SEED, out_dir=out,
                                  progress=lambda s, n: print(f"  step {s}/{n}", flush=True) if s % 10 == 0 else None)
        record = json.loads((folder / adaptation.RECORD).read_text())
        record["trained"]["cpu_seconds"] = round(time.process_time() - cpu, 1)
        (folder / adaptation.RECORD).write_text(json.dumps(record, indent=2) + "\n")
    record = adaptation.read_record(folder) or {}
    trained = record.get("trained", {})
    print(f"adapted model {folder}: {json.dumps(record.get('settings'))} {json.dumps(trained)}", flush=True)
    with Timer() as t:
        after = embed(corpus, Settings(model=str(folder), seed=SEED, precision=args.precision), cache)
    print(f"adapted model: embedded in {t.seconds:.0f} s", flush=True)

    npmi = Npmi(corpus.texts) if args.corpus == "bbc" else app_npmi(corpus.texts)
    rows, first = [], {}
    for seed in args.seeds:
        base = {k: (labels, values) for k, labels, values in figures(corpus, before, npmi, seed, ks)}
        first = first or {k: labels for k, (labels, _) in base.items()}
        for k, labels, values in figures(corpus, after, npmi, seed, ks):
            # changed topic: for the base, against the base at the first seed (what the seed alone changes);
            # for the adapted model, against the base at the same seed
            rows.append({"seed": seed, "k": k, "model": "base", **base[k][1], "changed topic":
                         adaptation.topic_changes(first[k], base[k][0])["changed_share"] if seed != args.seeds[0] else None})
            rows.append({"seed": seed, "k": k, "model": "adapted", **values,
                         "changed topic": adaptation.topic_changes(base[k][0], labels)["changed_share"]})
            print(rows[-2], rows[-1], sep="\n", flush=True)
    print()
    print(table(rows, ["seed", "k", "model", *FIGURES, "changed topic"]))
    summary = []
    for k in ks:
        for model in ("base", "adapted"):
            chosen = [r for r in rows if r["k"] == k and r["model"] == model]
            changed = [r["changed topic"] for r in chosen if r["changed topic"] is not None]
            summary.append({"k": k, "model": f"{model}, mean of {len(chosen)} seeds",
                            **{f: float(np.mean([r[f] for r in chosen])) for f in FIGURES},
                            "changed topic": float(np.mean(changed)) if changed else None})
        summary.append({"k": k, "model": "change", **{f: summary[-1][f] - summary[-2][f] for f in FIGURES}})
    print()
    print(table(summary, ["k", "model", *FIGURES, "changed topic"]))
    print(f"\ntraining: {trained.get('steps')} steps of {record.get('settings', {}).get('batch_size')} "
          f"({record.get('settings', {}).get('method')}), {trained.get('seconds')} s wall, "
          f"{trained.get('cpu_seconds')} s CPU (process time, all threads)")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps({"model": str(folder), "record": record, "rows": rows,
                                                        "summary": summary}, indent=2) + "\n")


if __name__ == "__main__":
    main()
