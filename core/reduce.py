"""UMAP projections: a few dimensions for clustering, 2D or 3D for the view. Seeded."""
from __future__ import annotations

import warnings

import numpy as np

from core.errors import CoreError

MIN_UMAP_TEXTS = 10  # below this UMAP's neighbour graph is meaningless; PCA is used instead


def reduce(vectors: np.ndarray, n_components: int = 5, *, seed: int = 42, n_neighbors: int = 15,
           min_dist: float = 0.0, metric: str = "cosine") -> np.ndarray:
    """Project embeddings to `n_components` dimensions with UMAP (PCA for fewer than 10 texts).

    min_dist 0 packs clusters tightly, which suits clustering; use about 0.1 for a view.
    """
    n = len(vectors)
    if n == 0:
        raise CoreError("There are no texts to project.")
    if n < MIN_UMAP_TEXTS:
        return _pca(vectors, n_components)
    import umap

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # n_jobs forced to 1 by the seed; spectral init fallback on tiny graphs
        model = umap.UMAP(n_components=n_components, n_neighbors=min(n_neighbors, n - 1), min_dist=min_dist,
                          metric=metric, random_state=seed, init="spectral" if n > 50 else "random",
                          low_memory=n > 20_000)
        return model.fit_transform(vectors).astype(np.float32)


def _pca(vectors: np.ndarray, n_components: int) -> np.ndarray:
    centred = vectors - vectors.mean(axis=0)
    u, s, _ = np.linalg.svd(centred, full_matrices=False)
    out = np.zeros((len(vectors), n_components), dtype=np.float32)
    m = min(n_components, u.shape[1])
    out[:, :m] = u[:, :m] * s[:m]
    return out
