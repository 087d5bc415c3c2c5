"""Two models' vectors side by side: what the bundled pair of multilingual models embeds a corpus in
several languages with (core.embedders.MODELS, 'crosslingual')."""
from __future__ import annotations

from typing import Callable

import numpy as np

from core.embedders.transformer import normalise

FIRST_SHARE = 0.9  # of the progress bar: the first model is the slow one


class PairEmbedder:
    """Each text as the unit vectors of two embedders side by side, `weight` times the second's, the whole of
    unit length: texts are then compared by both models at once. Precision is the first model's.

    core.embedders.cache.embed_texts embeds each part through the disk cache (`embed_part`), so a corpus
    embedded by either model alone is not embedded by it again."""

    fitted_on_corpus = False

    def __init__(self, first, second, weight: float = 1.0):
        self.parts, self.weight = (first, second), weight
        self.key = f"pair({first.key}|{second.key}|{weight})"
        self.precision, self.precision_reason = first.precision, first.precision_reason

    def embed(self, texts: list[str], progress=None, embed_part: Callable | None = None) -> np.ndarray:
        """embed_part(embedder, texts, progress) -> vectors; default: the part's own embed."""
        texts, n = list(texts), len(texts)
        embed_part = embed_part or (lambda embedder, some, report: embedder.embed(some, report))
        scaled = (lambda done, total: progress(round(FIRST_SHARE * n * done / max(total, 1)), n)) if progress else None
        first = embed_part(self.parts[0], texts, scaled)
        second = embed_part(self.parts[1], texts, None)
        if progress:
            progress(n, n)
        return normalise(np.hstack([normalise(first), self.weight * normalise(second)]))
