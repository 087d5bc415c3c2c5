"""The baseline that needs no model: TF-IDF on keyword tokens reduced by truncated SVD (LSA). The same word
vectors sit beside a language model's in the clustering space (core.reduce.with_words)."""
from __future__ import annotations

import numpy as np
from scipy import sparse

from core.embedders.transformer import normalise
from core.errors import CoreError


class LsaEmbedder:
    """TF-IDF on keyword tokens, reduced by truncated SVD (LSA): the baseline that needs no model.

    It is fitted on the texts it embeds, so its vectors depend on the whole corpus.
    """

    fitted_on_corpus = True

    def __init__(self, *, dims: int = 100, seed: int = 42):
        self.dims, self.seed = dims, seed
        self.key = f"tfidf-lsa:{dims}:{seed}"

    def embed(self, texts: list[str], progress=None) -> np.ndarray:
        vectors = word_vectors(texts, dims=self.dims, seed=self.seed)
        if progress:
            progress(len(texts), len(texts))
        return vectors


def word_vectors(texts, *, dims: int = 100, seed: int = 42) -> np.ndarray:
    """Unit LSA vectors of the texts' TF-IDF (see tfidf), `dims` of them at most; a CoreError when the
    texts hold no words."""
    from sklearn.decomposition import TruncatedSVD

    matrix = tfidf(texts)
    dims = max(1, min(dims, matrix.shape[1] - 1, len(texts) - 1))
    vectors = TruncatedSVD(dims, random_state=seed).fit_transform(matrix) if dims > 1 else matrix.toarray()
    return normalise(np.asarray(vectors, dtype=np.float32))


def tfidf(texts) -> sparse.csr_matrix:
    """texts x words: scikit-learn's sublinear TF-IDF (1 + log(count) times the smoothed idf, rows of unit
    length) of the keywords' word counts (core.text.count_words: the same tokens, words of one text
    only left out from 50 texts up, cached), so a corpus is tokenised and counted once."""
    from sklearn.feature_extraction.text import TfidfTransformer

    from core.text import count_words

    counts, vocab = count_words(texts)
    if not len(vocab):
        raise CoreError("The TF-IDF baseline found no words in these texts; choose a transformer model.")
    return TfidfTransformer(sublinear_tf=True).fit_transform(counts)
