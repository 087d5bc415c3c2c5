"""Embed texts with a local transformer encoder, the way its model folder says (core.embedders.folder),
with length-sorted batches and, for texts longer than the model's limit, window by window."""
from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from core.embedders.folder import FolderLayout, describe, read_layout
from core.embedders.hardware import pick_device, resolve_precision
from core.errors import CoreError
from core.text import model_input

GPU_BATCH, CPU_TOKENS = 32, 2048  # a forward pass's windows on a GPU, tokens on a CPU (see batch_size)
MAX_WINDOWS = 64  # windows per text at most (~16k tokens)
# The default reads each text up to the model's limit, as sentence-transformers does: on BBC News (2,225
# articles, 2.4 windows of 256 tokens each on average) reading every window took twice as long and gave the
# same topics (k = 5, NMI 0.877 against 0.874 for the first window; 2 or 4 windows 0.874; bench/README.md).
DEFAULT_WINDOWS = 1
# On a CPU, batches run a few at once, each on its share of torch's threads (see _pooled): on 2 cores, two
# batches on one thread each embedded THUCNews titles 1.14-1.57x as fast as one batch on both threads with
# multilingual-e5-small in int8 (1.09x for all-MiniLM-L6-v2 in fp32), and BBC articles as fast in fp32 (1.2x
# in int8), with the same vectors (bench/README.md, "Two batches at once"). More cores were not measured;
# past a few streams the threads would mostly wait for Python's lock between operations.
MAX_STREAMS = 4


class TransformerEmbedder:
    """Embed texts with a local transformer encoder.

    Parameters
    ----------
    path : the model folder (see core.embedders.registry for names such as 'default').
    name : what to call the model in messages.
    batch_size : windows per forward pass (default 32 on a GPU; on a CPU as many as hold 2,048 tokens, 8
        windows of all-MiniLM-L6-v2 or 4 of multilingual-e5-small, which were as fast or faster than 32 on a
        2-core CPU (bench/batches.py) and let progress move every few seconds instead of every half minute).
        Shorter windows go in larger batches of as many tokens (batch_size x max_length, at most
        8 x batch_size windows): twice as fast on short texts. fixed_batches=True keeps exactly batch_size
        windows per pass, as sentence-transformers does.
    windows : windows per text at most (1 to MAX_WINDOWS, default DEFAULT_WINDOWS). 1 reads a text up to
        the model's limit, as sentence-transformers does; with more, a longer text is read window by window
        (that many at most, spread evenly from start to end) and the windows averaged, weighted by their
        token counts. The model reads core.text.model_input of each text: encoded attachments and other long
        runs without a space left out, a text over 200,000 characters read from evenly spaced parts.
    precision : 'auto' (default: bf16 where the hardware runs it natively, else `cpu_precision`), 'fp32',
        'bf16' or 'int8' (CPU only: faster, slightly different vectors; core.embedders.hardware, .int8).
    cpu_precision : what 'auto' runs on a CPU without native bf16: 'fp32' (default) or 'int8' for a model
        measured to keep its topics in int8 (core.embedders.MODELS).
    int8_smoothing : SmoothQuant's a for int8 (core.embedders.int8), for a model it was measured to help;
        None quantises the layers as they are.
    device : 'cuda' or 'cpu'; default CUDA when available.
    lazy : load the weights only when a text must be embedded (the folder must declare its token limit).

    `encoder` (core.embedders.encoder.Encoder) is the model itself, loaded on first use.
    """

    fitted_on_corpus = False

    def __init__(self, path: Path, *, name: str = "", batch_size: int | None = None, windows: int = DEFAULT_WINDOWS,
                 precision: str = "auto", device: str | None = None, max_length: int | None = None,
                 fixed_batches: bool = False, lazy: bool = False, cpu_precision: str = "fp32",
                 int8_smoothing: float | None = None):
        self.path, self.name = Path(path), name or Path(path).name
        self.layout: FolderLayout = read_layout(self.path)
        self.device = pick_device(device)
        self.precision, self.precision_reason = resolve_precision(precision, self.device, cpu=cpu_precision)
        if not 1 <= int(windows) <= MAX_WINDOWS:
            raise CoreError(f"Windows per text must be between 1 and {MAX_WINDOWS} (got {windows}).")
        self.windows, self.fixed_batches, self.int8_smoothing = int(windows), fixed_batches, int8_smoothing
        self.max_length = max_length or self.layout.max_length
        self.encoder = None
        if not lazy or self.max_length is None:
            self._load()
        self.batch_size = batch_size or (max(1, CPU_TOKENS // self.max_length) if self.device == "cpu" else GPU_BATCH)
        self.key = "|".join([_model_identity(self.path), describe(self.layout), str(self.max_length),
                             f"windows<={self.windows}" if self.windows > 1 else "truncate",
                             "bf16-weights" if self.precision == "bf16" else self._int8() if self.precision == "int8"
                             else self.precision, "no-blobs"])

    def _load(self) -> None:
        """Read the tokenizer and weights (about 5 s with the imports). With lazy=True this waits for the
        first text that is not in the cache, so a dashboard whose texts are all cached never loads it."""
        import torch

        from core.embedders.encoder import Encoder

        encoder = Encoder(self.path, self.name)
        encoder.eval().to(self.device)
        if self.precision == "bf16":  # the transformer only; pooling and Dense layers stay in fp32
            encoder.transformer.to(torch.bfloat16)
        elif self.precision == "int8":
            from core.embedders.int8 import quantize_int8

            quantize_int8(encoder, _model_identity(self.path), self.int8_smoothing)
        self.max_length = self.max_length or encoder.max_length
        self._torch, self.encoder = torch, encoder

    def _int8(self) -> str:
        """int8's part of the cache key: its calibration and smoothing change the vectors."""
        from core.embedders.int8 import calibration_tag

        smoothing = "" if self.int8_smoothing is None else f"-smoothed-{self.int8_smoothing}"
        return f"int8-fixed-{calibration_tag()}{smoothing}"

    def _windows(self, texts: list[str]) -> tuple[list[list[int]], np.ndarray]:
        """Token windows (with the prompt and special tokens) and, for each window, the index of its text."""
        if self.encoder is None:
            self._load()
        prefix, suffix = self.encoder.special[0] + self.encoder.prompt_ids, self.encoder.special[1]
        body = self.max_length - len(prefix) - len(suffix)
        if body < 1:
            raise CoreError(f"The model '{self.name}' allows {self.max_length} tokens, too few for its prompt.")
        whole = self.windows > 1
        ids = self.encoder.tokenizer([model_input(t) for t in texts], add_special_tokens=False, truncation=not whole,
                                     max_length=None if whole else body, verbose=False)["input_ids"]
        windows, owner = [], []
        for i, seq in enumerate(ids):
            chunks = [seq[s:s + body] for s in range(0, max(len(seq), 1), body)] if whole else [seq[:body]]
            if len(chunks) > self.windows:
                chunks = [chunks[j] for j in np.linspace(0, len(chunks) - 1, self.windows).round().astype(int)]
            for chunk in chunks:
                windows.append(prefix + chunk + suffix)
                owner.append(i)
        return windows, np.asarray(owner)

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        with self._torch.inference_mode():
            return self.encoder(*self.encoder.batch(batch, self.device)).cpu().numpy()

    def _batches(self, lengths: np.ndarray, order: np.ndarray):
        """Runs of the windows sorted longest first: batch_size windows, or more while they hold no more
        tokens than batch_size windows of the longest length would."""
        start = 0
        while start < len(order):
            rows = self.batch_size if self.fixed_batches else \
                min(8 * self.batch_size, max(self.batch_size, self.batch_size * self.max_length // lengths[order[start]]))
            yield order[start:start + rows]
            start += rows

    def _pooled(self, windows: list[list[int]], batches: list[np.ndarray]):
        """Each batch's pooled vectors, in order. On a CPU with T torch threads, min(T, MAX_STREAMS) batches
        run at once in worker threads, each on T // streams threads (torch releases Python's lock inside
        its operations); a batch gives the same vectors either way. Progress stays in the caller's thread."""
        def forward(idx):
            return self._forward([windows[i] for i in idx])

        threads = self._torch.get_num_threads()
        streams = min(threads, MAX_STREAMS, len(batches)) if self.device == "cpu" else 1
        if streams < 2:
            yield from map(forward, batches)
            return
        try:
            with ThreadPoolExecutor(streams, initializer=self._torch.set_num_threads,
                                    initargs=(threads // streams,)) as pool:
                yield from pool.map(forward, batches)  # closing this early cancels the batches not yet started
        finally:  # torch's threads are per thread with OpenMP; a build with one pool for all gets them back
            self._torch.set_num_threads(threads)

    def embed(self, texts: list[str], progress=None) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text; progress(done, total) after each batch, with
        `done` in texts' worth of tokens."""
        texts = list(texts)
        windows, owner = self._windows(texts)
        if not texts:
            return np.zeros((0, self.encoder.dimensions), dtype=np.float32)
        lengths = np.array([len(w) for w in windows])
        order = np.argsort(-lengths, kind="stable")
        pooled = np.zeros((len(windows), self.encoder.dimensions), dtype=np.float32)
        done, total = 0, int(lengths.sum())
        batches = list(self._batches(lengths, order))
        for idx, vectors in zip(batches, self._pooled(windows, batches)):
            pooled[idx] = vectors
            done += int(lengths[idx].sum())
            if progress:  # in texts, by the share of tokens done: it moves with every batch
                progress(len(texts) * done // total, len(texts))
        out = np.zeros((len(texts), self.encoder.dimensions), dtype=np.float32)
        np.add.at(out, owner, pooled * lengths.astype(np.float32)[:, None])
        return normalise(out)


def _model_identity(path: Path) -> str:
    """Model folder name plus the size and mtime of its weights, so a retrained folder gets new cache keys."""
    weights = sorted(p for p in path.rglob("*") if p.suffix in (".safetensors", ".bin"))
    stamp = ";".join(f"{p.relative_to(path)}:{p.stat().st_size}:{int(p.stat().st_mtime)}" for p in weights)
    return f"{path.name}:{hashlib.sha256(stamp.encode()).hexdigest()[:12]}"


def normalise(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return (x / np.where(norms == 0, 1, norms)).astype(np.float32)
