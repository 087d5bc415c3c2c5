"""An on-disk cache of vectors keyed by embedder and text, and embedding through it: each distinct text
once, chunk by chunk, so that an interrupted run resumes where it stopped."""
from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from pathlib import Path
from typing import Callable, Protocol

import numpy as np

Progress = Callable[[int, int], None]


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors, one row per text."""

    key: str  # identifies the model and its settings; part of the cache key
    fitted_on_corpus: bool  # True when a text's vector depends on the other texts (then never cached)

    def embed(self, texts: list[str], progress: Progress | None = None) -> np.ndarray: ...

def cache_dir() -> Path:
    """Where embeddings are cached: $TOPICDASH_CACHE, else the user cache folder."""
    root = os.environ.get("TOPICDASH_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "topicdash")
    return Path(root)


class EmbeddingCache:
    """Vectors keyed by (embedder key, text) in one SQLite file: safe for concurrent writers (each
    write is one transaction), and a damaged file is set aside and started afresh rather than trusted.
    A database that another process keeps busy past `timeout` seconds, or that cannot be written, is
    left alone and the run goes on without it: the cache never stops a run."""

    timeout = 60.0

    def __init__(self, folder: Path | None = None):
        self.path = Path(folder or cache_dir()) / "embeddings.sqlite"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._connect()

    def _open(self) -> sqlite3.Connection | None:
        """A connection, or None when the database is busy or cannot be opened (it is then not used)."""
        try:
            db = sqlite3.connect(self.path, timeout=self.timeout, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, dim INTEGER, data BLOB)")
            db.execute("SELECT count(*) FROM vectors WHERE key = ''").fetchone()
            return db
        except sqlite3.OperationalError:  # locked, read-only, disk full: not damage
            return None

    def _connect(self) -> None:
        try:
            self._db = self._open()
        except sqlite3.DatabaseError:  # not a database, or a damaged one
            self._reset()

    def _reset(self) -> None:
        try:
            self._db.close()
        except Exception:
            pass
        for suffix in ("", "-wal", "-shm"):
            try:
                Path(str(self.path) + suffix).replace(str(self.path) + suffix + ".damaged")
            except OSError:  # not there, or another process set it aside first
                pass
        try:
            self._db = self._open()
        except sqlite3.DatabaseError:
            self._db = None

    @staticmethod
    def key(embedder_key: str, text: str) -> str:
        return hashlib.sha256(f"{embedder_key}\0{text}".encode("utf-8", "surrogatepass")).hexdigest()

    def get(self, keys: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with self._lock:
            if self._db is None:
                return found
            try:
                for start in range(0, len(keys), 500):
                    chunk = keys[start:start + 500]
                    rows = self._db.execute(
                        f"SELECT key, dim, data FROM vectors WHERE key IN ({','.join('?' * len(chunk))})", chunk)
                    for key, dim, data in rows:
                        if data is not None and len(data) == 4 * dim:
                            found[key] = np.frombuffer(data, dtype=np.float32)
            except sqlite3.OperationalError:
                return {}
            except sqlite3.DatabaseError:
                self._reset()
                return {}
        return found

    def put(self, items: dict[str, np.ndarray]) -> None:
        rows = [(k, int(v.shape[0]), np.ascontiguousarray(v, dtype=np.float32).tobytes()) for k, v in items.items()]
        with self._lock:
            if self._db is None:
                return
            try:
                with self._db:
                    self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)", rows)
            except sqlite3.OperationalError:
                pass
            except sqlite3.DatabaseError:
                self._reset()


def count_missing(embedder: Embedder, texts, cache: EmbeddingCache | None) -> int:
    """How many distinct texts embed_texts would embed now: those not in the cache (none for an embedder
    fitted on the corpus, which is quick)."""
    unique = list(dict.fromkeys(texts))
    if embedder.fitted_on_corpus:
        return 0
    if cache is None:
        return len(unique)
    missing: set[str] = set()
    for part in getattr(embedder, "parts", None) or (embedder,):  # a pair's vectors are cached per model
        keys = {EmbeddingCache.key(part.key, t): t for t in unique}
        found = cache.get(list(keys))
        missing.update(t for k, t in keys.items() if k not in found)
    return len(missing)


def embed_texts(embedder: Embedder, texts, *, cache: EmbeddingCache | None = None,
                progress: Progress | None = None, chunk: int = 128) -> np.ndarray:
    """Embed texts, each distinct text once, reading and filling the cache chunk by chunk so that an
    interrupted run (Ctrl-C, the app's Cancel) resumes where it stopped and loses at most one chunk's work.
    Without a cache the texts go in the same chunks: a text's int8 vector depends slightly on what it is
    batched with, so a run without the cache gets the vectors (and topics) of a run with an empty one.
    Embedders fitted on the corpus (LSA) are never cached."""
    texts = list(texts)
    if getattr(embedder, "parts", None):  # a pair: each model's vectors on their own (and cached on their own)
        return embedder.embed(texts, progress, embed_part=lambda part, part_texts, part_progress: embed_texts(
            part, part_texts, cache=cache, progress=part_progress, chunk=chunk))
    unique = list(dict.fromkeys(texts))
    if embedder.fitted_on_corpus:
        vectors = embedder.embed(unique, progress)
    else:
        keys = [EmbeddingCache.key(embedder.key, t) for t in unique]
        found = cache.get(keys) if cache is not None else {}
        missing = [i for i, k in enumerate(keys) if k not in found]
        done = len(unique) - len(missing)
        if progress:
            progress(done, len(unique))
        for start in range(0, len(missing), chunk):
            part = missing[start:start + chunk]
            base = done
            vectors = embedder.embed([unique[i] for i in part],
                                     (lambda d, _t, b=base: progress(b + d, len(unique))) if progress else None)
            embedded = {keys[i]: v for i, v in zip(part, vectors)}
            if cache is not None:
                cache.put(embedded)
            found.update(embedded)
            done += len(part)
        vectors = np.stack([found[k] for k in keys]) if keys else np.zeros((0, 1), np.float32)
    index = {t: i for i, t in enumerate(unique)}
    return vectors[[index[t] for t in texts]]
