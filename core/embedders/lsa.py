"""The baseline that needs no model: TF-IDF on keyword tokens reduced by truncated SVD (LSA). The same word
vectors sit beside a language model's in the clustering space (core.reduce.with_words)."""
from __future__ import annotations

import numpy as np
from scipy import sparse

from core.embedders.transformer import normalise
from core.errors import CoreError
from core.text import tokenize_corpus


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
    """texts x words: 1 + log(count) times the smoothed idf, each row of unit length (scikit-learn's
    TfidfVectorizer with sublinear_tf), over the keyword tokens of core.text.tokenize_corpus (shared with
    the keywords, so a corpus is tokenised once); from 50 texts up, words of one text only are left out."""
    tokens = tokenize_corpus(texts)
    n = len(tokens.offsets) - 1
    rows = np.repeat(np.arange(n), np.diff(tokens.offsets))
    counts = sparse.csr_matrix((np.ones(len(tokens.ids)), (rows, tokens.ids)), shape=(n, len(tokens.vocab)))
    counts.sum_duplicates()
    frequency = np.bincount(counts.indices, minlength=counts.shape[1])
    kept = np.flatnonzero(frequency >= (2 if n >= 50 else 1))
    if not len(kept):
        raise CoreError("The TF-IDF baseline found no words in these texts; choose a transformer model.")
    counts = counts[:, kept]
    counts.data = 1 + np.log(counts.data)
    idf = np.log((1 + n) / (1 + frequency[kept])) + 1
    weighted = counts @ sparse.diags(idf)
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1))).ravel()
    return sparse.csr_matrix(sparse.diags(1 / np.where(norms == 0, 1, norms)) @ weighted)
