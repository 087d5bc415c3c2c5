"""The baseline that needs no model: TF-IDF on keyword tokens reduced by truncated SVD (LSA)."""
from __future__ import annotations

import numpy as np

from core.embedders.transformer import normalise
from core.errors import CoreError
from core.text import tokenize


class LsaEmbedder:
    """TF-IDF on keyword tokens, reduced by truncated SVD (LSA): the baseline that needs no model.

    It is fitted on the texts it embeds, so its vectors depend on the whole corpus.
    """

    fitted_on_corpus = True

    def __init__(self, *, dims: int = 100, seed: int = 42):
        self.dims, self.seed = dims, seed
        self.key = f"tfidf-lsa:{dims}:{seed}"

    def embed(self, texts: list[str], progress: Progress | None = None) -> np.ndarray:
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        vectorizer = TfidfVectorizer(tokenizer=tokenize, lowercase=False, token_pattern=None,
                                     sublinear_tf=True, min_df=2 if len(texts) >= 50 else 1)
        try:
            tfidf = vectorizer.fit_transform(texts)
        except ValueError:
            raise CoreError("The TF-IDF baseline found no words in these texts; choose a transformer model.") from None
        dims = max(1, min(self.dims, tfidf.shape[1] - 1, len(texts) - 1))
        vectors = TruncatedSVD(dims, random_state=self.seed).fit_transform(tfidf) if dims > 1 else tfidf.toarray()
        if progress:
            progress(len(texts), len(texts))
        return normalise(np.asarray(vectors, dtype=np.float32))
