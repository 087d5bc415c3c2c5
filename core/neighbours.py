"""Approximate nearest neighbours among UMAP's sample, for placing the other texts of a large corpus
(core.reduce._sampled): umap's transform starts from each new point's neighbours among the points it
was fitted on.

Exact search compares every text with every sample point: at a million texts and a sample of 20,000 that
is 2 x 10^10 distances, over ten minutes on two busy cores. Here the sample, on its first DIMS principal
axes at unit length, is split by KMeans into cells of about CELL_SIZE points, and a text is compared only
with the points of the PROBES cells whose centres are nearest it (an inverted-file index, as faiss' IVF):
about a sixteenth of the work. Distances are cosine distances on those axes. Seeded and deterministic.
"""
from __future__ import annotations

import hashlib
import threading

import numpy as np

from core.cpus import one_blas_thread

DIMS = 64
CELL_SIZE = 150
PROBES = 8


def _unit(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return (x / np.where(norms == 0, 1, norms)).astype(np.float32)


class CellSearch:
    """Nearest points of `reference` for query vectors, found cell by cell (see the module docstring).

    query(X, k) gives what umap's own search index gives: (indices into `reference`, cosine distances),
    each row sorted nearest first. Answers are remembered by the content of X, so that the clustering
    space and the 2D/3D view, which place the same texts, search once."""

    def __init__(self, reference: np.ndarray, *, seed: int = 42):
        from sklearn.cluster import KMeans
        from sklearn.decomposition import PCA

        reference = np.asarray(reference, dtype=np.float32)
        fewer = reference.shape[1] > DIMS and len(reference) > DIMS
        self.pca = PCA(DIMS, random_state=seed).fit(reference) if fewer else None
        self.points = _unit(self._axes(reference))
        cells = max(1, len(reference) // CELL_SIZE)
        with one_blas_thread():
            found = KMeans(cells, n_init=1, max_iter=20, random_state=seed).fit(self.points)
        self.centres = _unit(found.cluster_centers_)
        self.members = [np.flatnonzero(found.labels_ == c) for c in range(cells)]
        self._answers: dict = {}

    def _axes(self, x: np.ndarray) -> np.ndarray:
        return x if self.pca is None else self.pca.transform(x).astype(np.float32)

    def query(self, X: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        key = (hashlib.blake2b(np.ascontiguousarray(X).data, digest_size=16).digest(), X.shape, k)
        if key not in self._answers:
            self._answers[key] = self._search(np.asarray(X, dtype=np.float32), k)
        indices, distances = self._answers[key]
        return indices.copy(), distances.copy()

    def _search(self, X: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        q = _unit(self._axes(X))
        m, probes = len(q), min(PROBES, len(self.members))
        near = np.argpartition(-(q @ self.centres.T), probes - 1, axis=1)[:, :probes] if probes < len(self.members) \
            else np.broadcast_to(np.arange(probes), (m, probes))
        found_i = np.full((m, probes, k), -1, np.int64)
        found_d = np.full((m, probes, k), np.inf, np.float32)
        pairs = near.ravel()
        order = np.argsort(pairs, kind="stable")
        bounds = np.searchsorted(pairs[order], np.arange(len(self.members) + 1))
        for cell, members in enumerate(self.members):
            chosen = order[bounds[cell]:bounds[cell + 1]]
            if not len(chosen) or not len(members):
                continue
            rows, slot = np.divmod(chosen, probes)
            d = 1 - q[rows] @ self.points[members].T
            take = min(k, len(members))
            top = np.argpartition(d, take - 1, axis=1)[:, :take] if take < len(members) else \
                np.broadcast_to(np.arange(take), (len(rows), take))
            found_i[rows, slot, :take] = members[top]
            found_d[rows, slot, :take] = np.take_along_axis(d, top, axis=1)
        found_i, found_d = found_i.reshape(m, -1), found_d.reshape(m, -1)
        best = np.argsort(found_d, axis=1, kind="stable")[:, :k]
        indices, distances = np.take_along_axis(found_i, best, 1), np.take_along_axis(found_d, best, 1)
        short = np.flatnonzero(~np.isfinite(distances[:, -1]))  # too few points in the probed cells: search all
        if len(short):
            d = 1 - q[short] @ self.points.T
            indices[short] = np.argsort(d, axis=1, kind="stable")[:, :k]
            distances[short] = np.take_along_axis(d, indices[short], 1)
        return indices.astype(np.int32), np.maximum(distances, 0).astype(np.float32)


_last: dict = {}
_lock = threading.Lock()


def cell_search(reference: np.ndarray, seed: int = 42) -> CellSearch:
    """The CellSearch of `reference`, built once for the last reference given (keyed by its content)."""
    key = (hashlib.blake2b(np.ascontiguousarray(reference).data, digest_size=16).digest(), reference.shape, seed)
    with _lock:
        if _last.get("key") != key:
            _last.update(key=key, value=CellSearch(reference, seed=seed))
        return _last["value"]
