"""What the benchmarks share: the shared data location, embedding through the project's cache,
and the NPMI of BENCHMARKS.md computed with gensim exactly as the protocol says."""
from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

SHARED = Path(os.environ.get("TOPICDASH_SHARED", ROOT.parent / "shared")) / "data"
BBC = SHARED / "bbc-news" / "texts.csv"
MOVIELENS = SHARED / "movielens-ml-latest-small"


def embed(corpus, settings, cache=None):
    """The text vectors of the pipeline's embedding stage (through the disk cache unless one is given)."""
    from core.embedders import EmbeddingCache
    from core.stages import Context, embed as embed_stage

    return embed_stage(settings, corpus, Context(cache=cache or EmbeddingCache())).texts


def assign(corpus, vectors, settings, space=None):
    """Topic labels as the pipeline clusters them (in `space` when given, else the method's own space)."""
    from core.stages import Embeddings, assign_topics, clustering_space

    if space is None:
        space = clustering_space(settings, corpus, Embeddings(texts=vectors, catalogue=None, model="", why=""))
    return assign_topics(settings, corpus, space)


def cpu_line() -> str:
    """The CPU and the flags that decide embedding speed, for every benchmark's first line."""
    import platform

    from core.embedders.hardware import cpu_flags

    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor() or "unknown CPU")
    flags = cpu_flags()
    shown = [f for f in ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_bf16") if f in flags]
    return f"CPU: {model}, {os.cpu_count()} cores, flags {' '.join(shown) or 'none of avx2/avx512/vnni/bf16/amx'}"


def protocol_tokens(texts) -> list[list[str]]:
    """Lowercase alphabetic tokens of 3+ letters without scikit-learn's English stop words."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return [[w for w in re.findall(r"[a-z]+", t.lower()) if len(w) >= 3 and w not in ENGLISH_STOP_WORDS] for t in texts]


class Npmi:
    """gensim's CoherenceModel(coherence='c_npmi', topn=10) over the protocol's tokens; unknown words skipped."""

    def __init__(self, texts):
        from gensim.corpora import Dictionary

        self.tokens = protocol_tokens(texts)
        self.dictionary = Dictionary(self.tokens)

    def __call__(self, topics: list[list[str]]) -> float:
        from gensim.models.coherencemodel import CoherenceModel

        known = [[w for w in words[:10] if w in self.dictionary.token2id] for words in topics]
        known = [words for words in known if len(words) >= 2]
        model = CoherenceModel(topics=known, texts=self.tokens, dictionary=self.dictionary, coherence="c_npmi",
                               topn=10, processes=1)
        return float(sum(model.get_coherence_per_topic()) / len(known))


def alternating(names, rounds: int):
    """The contenders of every round in turn, in reverse order every other round, so that a machine slowing
    down or warming up during a comparison weighs on each contender alike."""
    names = list(names)
    for r in range(rounds):
        yield from (names if r % 2 == 0 else names[::-1])


class Timer:
    """Wall seconds (`seconds`) and this process's CPU seconds over all its threads (`cpu`) of a block."""

    def __enter__(self):
        self.seconds, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.seconds, self.cpu = time.perf_counter() - self.seconds, time.process_time() - self.cpu


def table(rows: list[dict], columns: list[str]) -> str:
    """A Markdown table of the rows, numbers rounded for reading."""
    def cell(v):
        if isinstance(v, float):
            return f"{v:.3f}" if abs(v) < 100 else f"{v:.0f}"
        return "" if v is None else str(v)
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(r.get(c)) for c in columns) + " |" for r in rows]
    return "\n".join(lines)
