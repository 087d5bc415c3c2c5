"""UMAP projections: a few dimensions for clustering, 2D or 3D for the view. Seeded.

The neighbour graph is computed once per set of vectors and handed to UMAP, so the clustering
space and the view share it: exactly, by blocked matrix products, below EXACT_NEIGHBOURS texts
(where UMAP itself would compare every pair in a Python loop: about 15 s for 2,225 texts), and
approximately with NN-descent above, as UMAP does.
"""
from __future__ import annotations

import hashlib
import threading
import warnings

import numpy as np

from core.errors import CoreError

MIN_UMAP_TEXTS = 10  # below this UMAP's neighbour graph is meaningless; PCA is used instead
EXACT_NEIGHBOURS = 4096  # UMAP's own limit for exact neighbours
SPECTRAL_TEXTS = 20_000  # above this UMAP starts from PCA: its spectral start takes minutes (200 s at 100,000)


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
    k = min(n_neighbors, n - 1)
    return _umap(vectors, n_components, k, seed, min_dist, metric, neighbours(vectors, k, metric, seed))


def _umap(vectors: np.ndarray, n_components: int, k: int, seed: int, min_dist: float, metric: str,
          knn: tuple) -> np.ndarray:
    import umap

    n = len(vectors)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # n_jobs forced to 1 by the seed; spectral init fallback on tiny graphs
        model = umap.UMAP(n_components=n_components, n_neighbors=k, min_dist=min_dist, metric=metric,
                          random_state=seed, low_memory=n > 20_000,
                          init="random" if n <= 50 else "spectral" if n <= SPECTRAL_TEXTS else "pca",
                          precomputed_knn=knn)
        return model.fit_transform(vectors).astype(np.float32)


def warm_up() -> None:
    """Project 200 random points, so that numba compiles UMAP now (about 8 s, once per process, not
    cached on disk) rather than during the first real projection. Leaves the neighbour cache alone."""
    points = np.random.default_rng(0).normal(size=(200, 16)).astype(np.float32)
    _umap(points, 2, 15, 0, 0.1, "cosine", _neighbours(points, 15, "cosine", 0))


_last: dict = {}
_lock = threading.Lock()


def neighbours(vectors: np.ndarray, k: int, metric: str = "cosine", seed: int = 42) -> tuple:
    """Each vector's k nearest vectors (itself first) and their distances, as UMAP's precomputed_knn.
    The last answer is remembered, keyed by the vectors' content. (None, None, None) lets UMAP
    find them itself (a metric other than cosine or euclidean on a small corpus)."""
    vectors = np.ascontiguousarray(vectors)
    key = (hashlib.blake2b(vectors.data, digest_size=16).digest(), vectors.shape, vectors.dtype.str, k, metric, seed)
    with _lock:
        if _last.get("key") != key:
            _last.update(key=key, value=_neighbours(vectors, k, metric, seed))
        value = _last["value"]
    return tuple(None if a is None else a.copy() for a in value)  # UMAP marks disconnected edges in place


def _neighbours(vectors: np.ndarray, k: int, metric: str, seed: int) -> tuple:
    if len(vectors) < EXACT_NEIGHBOURS:
        if metric not in ("cosine", "euclidean"):
            return None, None, None
        return _exact_neighbours(vectors, k, metric)
    from sklearn.utils import check_random_state
    from umap.umap_ import nearest_neighbors

    indices, distances, _ = nearest_neighbors(vectors, k, metric, {}, False, check_random_state(seed),
                                              low_memory=len(vectors) > 20_000, use_pynndescent=True, n_jobs=1)
    return indices, distances, None


def _exact_neighbours(vectors: np.ndarray, k: int, metric: str, block: int = 1024) -> tuple:
    x = vectors.astype(np.float64)
    if metric == "cosine":
        norms = np.linalg.norm(x, axis=1, keepdims=True)
        x /= np.where(norms == 0, 1, norms)
    else:
        squares = (x ** 2).sum(axis=1)
    n = len(x)
    indices, distances = np.empty((n, k), np.int32), np.empty((n, k), np.float64)
    for start in range(0, n, block):
        rows = np.arange(start, min(start + block, n))
        if metric == "cosine":
            d = 1 - x[rows] @ x.T
        else:
            d = np.sqrt(np.maximum(squares[rows, None] + squares[None, :] - 2 * x[rows] @ x.T, 0))
        np.maximum(d, 0, out=d)
        d[np.arange(len(rows)), rows] = 0  # each text is its own nearest neighbour, as in UMAP
        part = np.argpartition(d, k - 1, axis=1)[:, :k]
        order = np.argsort(np.take_along_axis(d, part, axis=1), axis=1, kind="stable")
        indices[rows] = np.take_along_axis(part, order, axis=1)
        distances[rows] = np.take_along_axis(d, indices[rows], axis=1)
    return indices, distances, None


def principal_components(vectors: np.ndarray, dims: int = 64, *, seed: int = 42) -> np.ndarray:
    """The vectors on their first `dims` principal axes (as they are when they have no more dimensions).
    KMeans finds the same topics there as in all 384 dimensions of the default model in a third of the
    time (BBC News, k = 5: NMI 0.875-0.877 over seeds against 0.874-0.882)."""
    if vectors.shape[1] <= dims or len(vectors) <= dims:
        return vectors
    from sklearn.decomposition import PCA

    return PCA(dims, random_state=seed).fit_transform(vectors).astype(np.float32)


def _pca(vectors: np.ndarray, n_components: int) -> np.ndarray:
    centred = vectors - vectors.mean(axis=0)
    u, s, _ = np.linalg.svd(centred, full_matrices=False)
    out = np.zeros((len(vectors), n_components), dtype=np.float32)
    m = min(n_components, u.shape[1])
    out[:, :m] = u[:, :m] * s[:m]
    return out


def _umap_space(vectors: np.ndarray, *, dims: int, n_neighbors: int, seed: int) -> np.ndarray:
    return reduce(vectors, dims, seed=seed, n_neighbors=n_neighbors)


def _embedding_space(vectors: np.ndarray, *, dims: int, n_neighbors: int, seed: int) -> np.ndarray:
    return principal_components(vectors, seed=seed)


# Where a clustering method (core.cluster.Method.space) finds its topics:
# - 'embeddings': the embeddings on their first 64 principal axes (KMeans there was the steadier choice on
#   BBC News, NMI 0.874-0.879 over KMeans seeds, than on UMAP, whose layout moves with its own seed:
#   0.75-0.87; it also makes the k slider independent of UMAP);
# - 'umap': a UMAP projection to a few dimensions (density-based methods need few dimensions);
# - 'words': no points; the method reads the texts' words.
SPACES = {"embeddings": _embedding_space, "umap": _umap_space, "words": None}


def clustering_space(vectors: np.ndarray, space: str, *, dims: int = 5, n_neighbors: int = 15,
                     seed: int = 42) -> np.ndarray | None:
    """The points of a clustering space (see SPACES), None for 'words'."""
    compute = SPACES[space]
    return None if compute is None else compute(vectors, dims=dims, n_neighbors=n_neighbors, seed=seed)
