"""Take the language out of a multilingual embedding space, so that texts group by subject rather than
by language.

In a multilingual model each language sits in its own region: on the bundled demo (283 English and 60
Chinese posts, 8 interests) multilingual-e5-small's vectors, clustered as they are, put the Chinese posts
apart (NMI against the interests 0.49). Subtracting from each text the mean vector of its language (the
"language centroid", Libovický et al., 2020) removes that offset and keeps what the text is about: 0.75
(bench/README.md, "Chinese and mixed corpora"). Languages with too few texts for a reliable mean have the
corpus mean subtracted instead. A corpus in one language is left as it is.
"""
from __future__ import annotations

import numpy as np

from core.language import text_language

MIN_TEXTS = 10  # a language needs this many texts for a mean of its own


def language_means(vectors: np.ndarray, texts) -> dict[str, np.ndarray]:
    """The mean vector of each language with at least MIN_TEXTS texts, and of the whole corpus (key '*');
    empty when fewer than two languages have that many texts (then nothing is aligned)."""
    languages = np.array([text_language(t) for t in texts])
    names, counts = np.unique(languages, return_counts=True)
    kept = [name for name, count in zip(names, counts) if count >= MIN_TEXTS and name]
    if len(kept) < 2:
        return {}
    return {"*": vectors.mean(axis=0), **{name: vectors[languages == name].mean(axis=0) for name in kept}}


def align(vectors: np.ndarray, texts, means: dict[str, np.ndarray]) -> np.ndarray:
    """Each vector minus the mean of its text's language (the corpus mean for other languages), unit length
    again; the vectors as they are when `means` is empty."""
    if not means or not len(vectors):
        return vectors
    shift = np.stack([means.get(text_language(t), means["*"]) for t in texts])
    centred = vectors - shift
    norms = np.linalg.norm(centred, axis=1, keepdims=True)
    return (centred / np.where(norms == 0, 1, norms)).astype(np.float32)
