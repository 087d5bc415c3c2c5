"""UMAP projections: a few dimensions for clustering, 2D or 3D for the view. Seeded.

The neighbour graph is computed once per set of vectors and handed to UMAP, so the clustering
space and the view share it: exactly, by blocked matrix products, up to EXACT_NEIGHBOURS texts (where
UMAP itself would compare every pair in a Python loop, or run NN-descent, whose numba code takes about
45 s to compile in every new process and cannot be cached on disk), and approximately with NN-descent
above.

umap-learn's own numba functions are compiled once per machine and kept in numba's disk cache (see
_cache_numba), BLAS runs on one thread while UMAP fits (on a busy two-core machine two threads made
the spectral start 10-20x slower), and the view runs VIEW_EPOCHS epochs. Together: the 2D view of
10,000 texts in a new process took 9-14 s instead of 93 s for umap-learn's plain UMAP(n_components=2)
(bench/README.md, "Speed and scale").
"""
from __future__ import annotations

import hashlib
import threading
import warnings

import numpy as np

from core.cpus import one_blas_thread
from core.errors import CoreError

MIN_UMAP_TEXTS = 10  # below this UMAP's neighbour graph is meaningless; PCA is used instead
EXACT_NEIGHBOURS = 20_000  # exact up to here: about 2.5 s at 10,000 texts on one core, growing as n squared
VIEW_EPOCHS = 200  # for the 2D/3D view: umap-learn's default above 10,000 texts (500 below, 2.5x the time)
SPECTRAL_TEXTS = 20_000  # above this UMAP starts from PCA: its spectral start takes minutes (200 s at 100,000)
SAMPLE_ABOVE = 50_000  # above this many texts UMAP is fitted on a sample and places the rest (see _sampled)
UMAP_SAMPLE = 20_000  # the sample: exact neighbours, and ... (bench/README.md, "Beyond one machine")
TRANSFORM_ROWS = 50_000  # texts placed per transform call


def reduce(vectors: np.ndarray, n_components: int = 5, *, seed: int = 42, n_neighbors: int = 15,
           min_dist: float = 0.0, metric: str = "cosine", n_epochs: int | None = None) -> np.ndarray:
    """Project embeddings to `n_components` dimensions with UMAP (PCA for fewer than 10 texts).

    min_dist 0 packs clusters tightly, which suits clustering; use about 0.1 for a view. n_epochs None
    is umap-learn's default (500 up to 10,000 texts, 200 above); VIEW_EPOCHS for a view.
    """
    n = len(vectors)
    if n == 0:
        raise CoreError("There are no texts to project.")
    if n < MIN_UMAP_TEXTS:
        return _pca(vectors, n_components)
    k = min(n_neighbors, n - 1)
    if n > SAMPLE_ABOVE:
        return _sampled(vectors, n_components, k, seed, min_dist, metric, n_epochs)
    return _umap(vectors, n_components, k, seed, min_dist, metric, neighbours(vectors, k, metric, seed), n_epochs)


def _umap(vectors: np.ndarray, n_components: int, k: int, seed: int, min_dist: float, metric: str,
          knn: tuple, n_epochs: int | None = None) -> np.ndarray:
    return _fit(vectors, n_components, k, seed, min_dist, metric, knn, n_epochs).embedding_.astype(np.float32)


def _fit(vectors: np.ndarray, n_components: int, k: int, seed: int, min_dist: float, metric: str,
         knn: tuple, n_epochs: int | None = None):
    import umap

    _cache_numba()
    n = len(vectors)
    with warnings.catch_warnings(), one_blas_thread():
        warnings.simplefilter("ignore")  # n_jobs forced to 1 by the seed; spectral init fallback on tiny graphs
        model = umap.UMAP(n_components=n_components, n_neighbors=k, min_dist=min_dist, metric=metric,
                          random_state=seed, low_memory=n > 20_000,
                          init="random" if n <= 50 else "spectral" if n <= SPECTRAL_TEXTS else "pca",
                          n_epochs=n_epochs, precomputed_knn=knn)
        return model.fit(vectors)


def umap_sample(n: int, seed: int) -> np.ndarray:
    """The texts (sorted positions) that UMAP is fitted on when there are more than SAMPLE_ABOVE."""
    return np.sort(np.random.default_rng(seed).choice(n, min(n, UMAP_SAMPLE), replace=False))


def _sampled(vectors: np.ndarray, n_components: int, k: int, seed: int, min_dist: float, metric: str,
             n_epochs: int | None) -> np.ndarray:
    """UMAP fitted on umap_sample's texts; every other text placed by umap's transform (_transform: its
    neighbours among the sample, found by core.neighbours.CellSearch, pull it into place while the sample
    stays put), TRANSFORM_ROWS at a time so that memory stays flat. Seeded: the same vectors give the same
    points."""

    from core.neighbours import cell_search

    sample = umap_sample(len(vectors), seed)
    picked = vectors[sample]
    model = _fit(picked, n_components, k, seed, min_dist, metric, neighbours(picked, k, metric, seed), n_epochs)
    search = cell_search(picked, seed)
    points = np.empty((len(vectors), n_components), np.float32)
    points[sample] = model.embedding_
    rest = np.setdiff1d(np.arange(len(vectors)), sample)
    with warnings.catch_warnings(), one_blas_thread():
        warnings.simplefilter("ignore")
        for start in range(0, len(rest), TRANSFORM_ROWS):
            part = rest[start:start + TRANSFORM_ROWS]
            points[part] = _transform(model, search.query(vectors[part], model._n_neighbors))
    return points


def _transform(model, knn: tuple) -> np.ndarray:
    """umap-learn 0.5's UMAP.transform, step by step, for points whose neighbours among the fitted points
    (`knn`: indices, distances) are known: their fuzzy membership in the fitted graph, a start at the
    weighted mean of their neighbours (done here in one sparse product, where umap loops in Python over
    every point: minutes at a million), then umap's own optimisation with the fitted points held still."""
    from scipy import sparse
    from sklearn.utils import check_random_state
    from umap.layouts import optimize_layout_euclidean
    from umap.umap_ import (INT32_MAX, INT32_MIN, compute_membership_strengths, make_epochs_per_sample,
                            smooth_knn_dist)

    indices, distances = knn
    fitted = model.embedding_.astype(np.float32)
    distances = distances.astype(np.float32, order="C")
    indices[distances >= model._disconnection_distance] = -1
    sigmas, rhos = smooth_knn_dist(distances, float(model._n_neighbors),
                                   local_connectivity=float(max(0.0, model.local_connectivity - 1.0)))
    rows, cols, vals, _ = compute_membership_strengths(indices, distances, sigmas, rhos, bipartite=True)
    graph = sparse.coo_matrix((vals, (rows, cols)), shape=(len(indices), len(fitted)))
    rowwise = graph.tocsr()
    rowwise.eliminate_zeros()
    totals = np.asarray(rowwise.sum(axis=1)).ravel()
    start = (sparse.diags(1 / np.where(totals == 0, 1, totals)) @ rowwise @ fitted).astype(np.float32)
    ones = rowwise.copy()
    ones.data = (ones.data == 1).astype(np.float32)  # a point identical to a fitted one starts on it, as in umap
    on = np.flatnonzero(ones.getnnz(axis=1) > 0) if ones.nnz else np.zeros(0, int)
    start[on] = fitted[np.asarray(ones[on].argmax(axis=1)).ravel()]
    start[totals == 0] = np.nan
    epochs = (100 if len(indices) <= 10_000 else 30) if model.n_epochs is None else int(model.n_epochs // 3.0)
    graph.data[graph.data < graph.data.max() / float(epochs)] = 0.0
    graph.eliminate_zeros()
    rng_state = check_random_state(model.transform_seed).randint(INT32_MIN, INT32_MAX, 3).astype(np.int64)
    return optimize_layout_euclidean(start, fitted.copy(), graph.row, graph.col, epochs, graph.shape[1],
                                     make_epochs_per_sample(graph.data, epochs), model._a, model._b, rng_state,
                                     model.repulsion_strength, model._initial_alpha / 4.0, model.negative_sample_rate,
                                     False, move_other=False)


_numba_cached: list = []


def _cache_numba() -> None:
    """Keep umap-learn's compiled code in numba's disk cache, so that a new process loads it (well under a
    second) instead of compiling it (about 10 s); umap-learn 0.5 marks none of these cache=True. Only the
    serial single-epoch optimiser: numba's cache key leaves out the parallel flag, and the parallel twin
    wraps the same Python function. The cache lives where numba puts it ($NUMBA_CACHE_DIR when set, else
    __pycache__ beside umap's sources when writable, else ~/.cache/numba); without one, numba compiles as before."""
    with _lock:
        if _numba_cached:
            return
        _numba_cached.append(True)
        import umap.layouts
        import umap.umap_

        for function in (umap.umap_.smooth_knn_dist, umap.umap_.compute_membership_strengths,
                         umap.layouts._nb_optimize_layout_euclidean_single_epoch):
            try:
                function.enable_caching()
            except Exception:  # no writable cache folder, or a umap-learn without this function
                pass


def warm_up() -> None:
    """Project 200 random points, so that numba compiles UMAP now (about 10 s the first time on a machine,
    then read from numba's disk cache) rather than during the first real projection. Leaves the neighbour
    cache alone."""
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
    if len(vectors) <= EXACT_NEIGHBOURS:
        if metric not in ("cosine", "euclidean"):
            return None, None, None
        return _exact_neighbours(vectors, k, metric)
    from sklearn.utils import check_random_state
    from umap.umap_ import nearest_neighbors

    indices, distances, _ = nearest_neighbors(vectors, k, metric, {}, False, check_random_state(seed),
                                              low_memory=len(vectors) > 20_000, use_pynndescent=True, n_jobs=1)
    return indices, distances, None


def _exact_neighbours(vectors: np.ndarray, k: int, metric: str, block: int = 1024) -> tuple:
    x = vectors.astype(np.float32 if metric == "cosine" else np.float64)  # float32 products: twice as fast
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


def _umap_space(vectors: np.ndarray, *, texts, dims: int, n_neighbors: int, seed: int) -> np.ndarray:
    return reduce(vectors, dims, seed=seed, n_neighbors=n_neighbors)


def _embedding_space(vectors: np.ndarray, *, texts, dims: int, n_neighbors: int, seed: int) -> np.ndarray:
    from core.embedders.transformer import normalise

    space = normalise(principal_components(with_words(vectors, texts, seed=seed), seed=seed))
    if len(vectors) < MIN_UMAP_TEXTS:
        return space
    # beside it, the texts' places on the 'umap' space's projection: centred, rows of mean length UMAP_WEIGHT
    places = _umap_space(vectors, texts=texts, dims=dims, n_neighbors=n_neighbors, seed=seed)
    places = places - places.mean(axis=0)
    length = np.sqrt((places ** 2).sum(axis=1).mean())
    return np.hstack([space, places * (UMAP_WEIGHT / (length or 1))]).astype(np.float32)


def _space_by_size(vectors: np.ndarray, *, texts, dims: int, n_neighbors: int, seed: int) -> np.ndarray:
    space = _umap_space if len(vectors) >= UMAP_CLUSTERING_TEXTS else _embedding_space
    return space(vectors, texts=texts, dims=dims, n_neighbors=n_neighbors, seed=seed)


# The texts' words beside their embeddings, in the 'embeddings' space: each text's unit vector (centred)
# next to its unit TF-IDF/LSA vector (core.embedders.lsa) times WORD_WEIGHT. KMeans at k = the labels,
# mean NMI over seeds 42, 0 and 1 at weights 0 / 0.3 / 0.5 / 0.7 / 1 (bench/README.md, "Chinese and mixed
# corpora"): BBC News with the English model 0.867 / 0.876 / 0.884 / 0.893 / 0.895; THUCNews' 10,000
# headlines (multilingual model, this space) 0.591 / 0.600 / 0.606 / 0.617 / 0.544; the bilingual demo with
# multilingual-e5-small alone 0.756 / 0.754 / 0.753 / 0.705 / 0.617 (words do not cross languages, so more of
# them split it by language). With the unit rows and the pair of multilingual models for mixed corpora (seeds
# 42, 0, 1, 2, 3; 0.3 / 0.5 / 0.7 / 1): the demo 0.793 / 0.793 / 0.795 / 0.763, BBC and THUCNews headlines
# on five shared subjects 0.603 / 0.614 / 0.618 / 0.561, the same with BBC's first paragraphs 0.725 / 0.728 /
# 0.735 / 0.730; BBC News 0.885 at 0.5, 0.891 at 0.7. 0.7: the best on all four, short of where the
# mixed corpora fall. The UMAP space (larger corpora) stays on the embeddings alone.
WORD_WEIGHT = 0.7


def with_words(vectors: np.ndarray, texts, *, seed: int = 42) -> np.ndarray:
    """The vectors (centred, unit length) beside WORD_WEIGHT times the texts' unit TF-IDF/LSA vectors; the
    vectors as they are without texts (None) or without words in them."""
    if texts is None or len(vectors) < 2:
        return vectors
    from core.embedders.lsa import word_vectors
    from core.embedders.transformer import normalise

    try:
        words = word_vectors(texts, seed=seed)
    except CoreError:  # no words in these texts
        return vectors
    return np.hstack([normalise(vectors - vectors.mean(axis=0)), WORD_WEIGHT * words])


# Each text's place on the 'umap' space's projection (5 dimensions, rows of mean length UMAP_WEIGHT) beside
# the 'embeddings' space's unit rows: UMAP places a text by its 15 nearest neighbours, which on short texts
# agreed more with the labels than the vectors' direction did. KMeans at k = the labels, mean NMI over seeds
# 42, 0, 1, 2, 3 at weights 0 / 0.25 / 0.35 / 0.5 / 1 (bench/spaces.py; bench/README.md, "The embeddings
# beside their UMAP places"): BBC News and four samples of 300 and 800 of its articles 0.894 / 0.895 / 0.890
# / 0.881 / 0.868; THUCNews samples of 400, 1,500 and 4,000 headlines (two each) 0.596 / 0.615 / 0.631 /
# 0.634 / 0.638; BBC with THUCNews headlines on five shared subjects, and with BBC's first paragraphs, 0.683 /
# 0.704 / 0.708 / 0.708 / 0.711; all 13 corpora 0.724 / 0.736 / 0.742 / 0.741 / 0.738. 0.35 was chosen on
# those, without the demo (0.795 / 0.805 / 0.798 / 0.794 / 0.780).
UMAP_WEIGHT = 0.35

# Where a clustering method (core.cluster.Method.space) finds its topics:
# - 'embeddings': the embeddings with the texts' words (with_words) on their first 64 principal axes, each
#   row then of unit length, so KMeans compares texts by angle (mean NMI, k = the labels, seeds 42, 0, 1, 2,
#   3, without / with that last step: the demo 0.745 / 0.764, BBC News 0.884 / 0.885, THUCNews in this space
#   0.608 / 0.613; 32 axes: 0.774, 0.884, 0.603; 128: 0.731, 0.885, 0.612), and their UMAP places beside
#   them (UMAP_WEIGHT);
# - 'umap': a UMAP projection of the embeddings to a few dimensions (density-based methods need few);
# - 'by-size': 'embeddings' for a corpus under UMAP_CLUSTERING_TEXTS texts, 'umap' above. KMeans (k = the
#   labels, 10 starts, 5 seeds) agreed more with the labels on the embeddings (measured before the words
#   joined them) for the smaller corpora (BBC News, 2,225 articles: NMI 0.876 against 0.830 on UMAP with the
#   English model, 0.887 against 0.859 with the multilingual one; the demo, 343 posts: 0.755 against 0.691)
#   and on UMAP for the larger ones (THUCNews, 10,000 headlines: 0.665 against 0.590; 10,000 BBC sentences:
#   0.599 against 0.528);
# - 'words': no points; the method reads the texts' words.
UMAP_CLUSTERING_TEXTS = 5_000  # between the sizes measured: 2,225 (embeddings better) and 10,000 (UMAP better)
SPACES = {"embeddings": _embedding_space, "umap": _umap_space, "by-size": _space_by_size, "words": None}


def clustering_space(vectors: np.ndarray, space: str, *, texts=None, dims: int = 5, n_neighbors: int = 15,
                     seed: int = 42) -> np.ndarray | None:
    """The points of a clustering space (see SPACES), None for 'words'. `texts` (one per vector) add their
    words to the 'embeddings' space; None leaves them out (vectors that are word counts already)."""
    compute = SPACES[space]
    return None if compute is None else compute(vectors, texts=texts, dims=dims, n_neighbors=n_neighbors, seed=seed)
