"""Batch size on a CPU: the embedder's CPU default (as many windows as hold 2,048 tokens) against 32
windows per pass (the GPU default and sentence-transformers'), for both bundled models, on long texts (BBC
articles) and short ones (the demo posts): seconds, and the longest wait between two progress reports
(what the app's progress bar shows). Alternating rounds in one process; the load average is printed.

    .venv/bin/python bench/batches.py            # about 5 minutes on 2 busy cores
"""
from __future__ import annotations

import os
import time

import pandas as pd

from common import BBC, alternating, cpu_line, table

import core  # noqa: F401  (first: it sets the thread settings torch reads when it loads)


def load() -> str:
    return "load average " + " / ".join(f"{x:.1f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores"


def timed(embedder, texts) -> tuple[float, float]:
    """(seconds, longest gap between progress reports) of one embedding."""
    marks = [time.perf_counter()]
    embedder.embed(texts, lambda done, total: marks.append(time.perf_counter()))
    return marks[-1] - marks[0], max(b - a for a, b in zip(marks, marks[1:]))


def main() -> None:
    from core.data import load_demo
    from core.embedders import TransformerEmbedder
    from core.embedders.bundled import minilm, multilingual_e5

    print(f"# bench/batches.py ({load()}; {cpu_line()})")
    sets = {"BBC articles (first 40)": pd.read_csv(BBC)["text"].tolist()[:40],
            "demo posts (first 200)": list(load_demo().texts)[:200]}
    rows = []
    for model, folder in (("all-MiniLM-L6-v2", minilm()), ("multilingual-e5-small", multilingual_e5())):
        contenders = {"CPU default": TransformerEmbedder(folder), "32 windows": TransformerEmbedder(folder, batch_size=32)}
        contenders["CPU default"].embed(["warm up"])
        contenders["32 windows"].embed(["warm up"])
        for name, texts in sets.items():
            seconds = {c: [] for c in contenders}
            gaps = {c: [] for c in contenders}
            for c in alternating(contenders, 2):
                s, g = timed(contenders[c], texts)
                seconds[c].append(s)
                gaps[c].append(g)
            for c, embedder in contenders.items():
                rows.append({"model": model, "texts": name, "batch": f"{c} ({embedder.batch_size} windows)",
                             "seconds": " / ".join(f"{s:.1f}" for s in seconds[c]),
                             "longest wait for progress (s)": f"{max(gaps[c]):.1f}"})
        print(f"{model} done ({load()})", flush=True)
    print(table(rows, list(rows[0])))
    print(f"({load()})")


if __name__ == "__main__":
    main()
