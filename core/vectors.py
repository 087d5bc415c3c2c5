"""Vectors in Parquet: what `python -m core embed` writes (core.scale) and what `python -m core run
--embeddings` and the app's optional vectors file read, so that the costly step can run elsewhere (a
Ray cluster, a GPU machine) and everything after it here, with the same topics.

A file has one row per non-empty text: `row`, the text's row number as core.data numbers the rows of
the texts file (0 is the first row under the header), and `vector`, a list of float32. Its Parquet
metadata (key b"topicdash", JSON) names the model, its precision, the windows setting, the dimensions
and a fingerprint of the (row, text) pairs, so that a file is refused, with a message that says why,
when it belongs to other texts or another model than the run it is given to.
"""
from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.embedders import EmbeddingCache, embed_texts, model_entry, resolve_folder
from core.errors import CoreError

META_KEY = b"topicdash"
FORMAT = 1
ROW_GROUP = 65_536  # rows per Parquet row group: about 100 MB of 384-dimensional vectors


@dataclass(frozen=True, kw_only=True)
class GivenVectors:
    """Vectors from a file, one row per text of the corpus they were attached to, in its order; the model
    that made them (a --model name), the precision and windows setting they were made with, the engine,
    the file's name and `digest`, a hash of the vectors that core.data.Corpus.fingerprint folds in."""

    vectors: np.ndarray
    model: str
    precision: str
    windows: int
    engine: str
    source: str
    digest: str


def row_hash(row: int, text: str) -> int:
    """A 64-bit hash of one (row, text) pair; texts_fingerprint adds them up."""
    data = f"{row}\0{text}".encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")


def fingerprint_of(count: int, total: int) -> str:
    return f"{count}:{total % 2 ** 64:016x}"


def texts_fingerprint(rows, texts) -> str:
    """A fingerprint of the (row, text) pairs that does not depend on their order: the sum of row_hash
    modulo 2^64, so that the workers of a cluster can each add up their share."""
    rows, texts = list(rows), list(texts)
    return fingerprint_of(len(rows), sum(row_hash(r, t) for r, t in zip(rows, texts)))


def vector_array(vectors: np.ndarray):
    """float32 vectors (n x d) as an Arrow column of fixed-size lists, without a copy."""
    import pyarrow as pa

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    return pa.FixedSizeListArray.from_arrays(pa.array(vectors.reshape(-1)), vectors.shape[1])


def matrix(column) -> np.ndarray:
    """An Arrow column of equal-length float lists (fixed-size or not) as an n x d float32 matrix."""
    import pyarrow as pa

    column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if len(column) == 0:
        return np.zeros((0, 0), np.float32)
    if column.null_count:
        raise CoreError("The vectors file has rows without a vector.")
    if pa.types.is_fixed_size_list(column.type):  # no copy: a view of Arrow's buffer
        width = column.type.list_size
        return column.values.to_numpy(zero_copy_only=False).astype(np.float32, copy=False).reshape(-1, width)
    else:
        lengths = np.diff(column.offsets.to_numpy())
        if len(set(lengths.tolist())) != 1:
            raise CoreError("The vectors in the file are not all of one length.")
        width = int(lengths[0])
    return column.flatten().to_numpy(zero_copy_only=False).astype(np.float32, copy=False).reshape(-1, width)


class VectorsWriter:
    """Writes a vectors file row group by row group (memory stays flat however many rows), under a
    temporary name that becomes `path` only when close() has written the metadata: a stopped run never
    leaves a file that looks whole."""

    def __init__(self, path: Path, dimensions: int):
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.path = Path(path)
        self.partial = self.path.with_name(f".{self.path.name}.partial")
        self.schema = pa.schema([("row", pa.int64()), ("vector", pa.list_(pa.float32(), dimensions))])
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.writer = pq.ParquetWriter(self.partial, self.schema)
        except OSError as exc:
            raise CoreError(f"The vectors file {path} could not be written ({exc.strerror or exc}).") from None
        self.rows = 0

    def write(self, rows: np.ndarray, vectors: np.ndarray) -> None:
        import pyarrow as pa

        for start in range(0, len(rows), ROW_GROUP):
            part = slice(start, start + ROW_GROUP)
            self.writer.write_table(pa.Table.from_arrays(
                [pa.array(np.asarray(rows[part], dtype=np.int64)), vector_array(vectors[part])], schema=self.schema))
        self.rows += len(rows)

    def close(self, metadata: dict) -> None:
        self.writer.add_key_value_metadata({META_KEY: json.dumps(metadata, ensure_ascii=False)})
        self.writer.close()
        os.replace(self.partial, self.path)


def write_vectors(path: Path, rows, vectors: np.ndarray, metadata: dict) -> None:
    """One vectors file: `rows` (row numbers), `vectors` (n x d float32) and the metadata."""
    writer = VectorsWriter(path, vectors.shape[1])
    writer.write(np.asarray(rows), vectors)
    writer.close(metadata)


def read_vectors(source, name: str | None = None) -> tuple[dict, np.ndarray, np.ndarray]:
    """(metadata, rows, vectors) of a vectors file: a path, bytes or an upload (a file-like object)."""
    import pyarrow.parquet as pq

    name = name or Path(str(getattr(source, "name", source))).name
    if isinstance(source, (bytes, bytearray)):
        source = io.BytesIO(source)
    elif not isinstance(source, (str, Path)):
        source.seek(0)
    elif not Path(source).is_file():
        raise CoreError(f"Vectors file not found: {source}. Check the path (python -m core embed writes one).")
    try:
        parquet = pq.ParquetFile(source)
        found = parquet.metadata.metadata or {}
        if META_KEY not in found:
            raise CoreError(f"'{name}' is a Parquet file without the record `python -m core embed` writes "
                            "(model, precision, texts); make it with that command.")
        metadata = json.loads(found[META_KEY])
        n = parquet.metadata.num_rows
        rows, vectors, at = np.empty(n, np.int64), None, 0
        for group in range(parquet.num_row_groups):  # group by group into one array: memory stays near its size
            table = parquet.read_row_group(group, columns=["row", "vector"])
            part = matrix(table.column("vector"))
            vectors = np.empty((n, part.shape[1]), np.float32) if vectors is None else vectors
            rows[at:at + len(part)], vectors[at:at + len(part)] = table.column("row").to_numpy(), part
            at += len(part)
    except CoreError:
        raise
    except Exception as exc:  # pyarrow raises several types for what is not a Parquet file
        raise CoreError(f"'{name}' is not a vectors file from `python -m core embed` "
                        f"({type(exc).__name__}: {exc}).") from None
    return metadata, rows, np.zeros((0, 0), np.float32) if vectors is None else vectors


def attach(corpus, source, name: str | None = None):
    """The corpus with the vectors of a file attached (core.data.Corpus.vectors), in the corpus' order.
    Refused with a CoreError when the file has another number of texts, other rows, or other texts than
    the corpus; the model is checked when the run has chosen one (check_model)."""
    metadata, rows, vectors = read_vectors(source, name)
    name = name or Path(str(getattr(source, "name", source))).name
    origin = f"The vectors file '{name}' (from {metadata.get('texts', {}).get('source', 'another file')})"
    if len(np.unique(rows)) != len(rows):
        raise CoreError(f"{origin} holds some rows twice; embed the texts again.")
    if len(rows) != len(corpus):
        raise CoreError(f"{origin} has vectors for {len(rows):,} texts but these texts have {len(corpus):,} "
                        "non-empty rows. Use the vectors made from this file and this text column "
                        "(python -m core embed FILE --text-col COLUMN).")
    order = np.argsort(rows, kind="stable")
    wanted = np.asarray(corpus.rows, dtype=np.int64)
    at = np.clip(np.searchsorted(rows[order], wanted), 0, len(rows) - 1)
    missing = wanted[rows[order][at] != wanted]
    if len(missing):
        shown = ", ".join(str(r + 1) for r in missing[:5]) + (" …" if len(missing) > 5 else "")
        raise CoreError(f"{origin} has no vector for the texts in rows {shown} under the header: it was made "
                        "from another file. Embed this file with python -m core embed.")
    if metadata.get("fingerprint") != texts_fingerprint(corpus.rows, corpus.texts):
        raise CoreError(f"{origin} was made from other texts: its rows match but the texts in them differ "
                        "(another file, an edited file or another text column). Embed these texts again.")
    given = vectors if np.array_equal(rows, wanted) else vectors[order[at]]  # a file in the corpus' order: no copy
    given = np.ascontiguousarray(given)
    return dataclasses.replace(corpus, vectors=GivenVectors(
        vectors=given, model=str(metadata.get("model")), precision=str(metadata.get("precision", "")),
        windows=int(metadata.get("windows", 1)), engine=str(metadata.get("engine", "")), source=name,
        digest=hashlib.blake2b(given.data, digest_size=16).hexdigest()))


def model_dimensions(model: str) -> int | None:
    """The length of a transformer's vectors from its folder's configuration alone (no weights loaded):
    the last Dense layer's outputs, else the hidden size; None when the folder does not say."""
    from core.embedders.folder import read_layout

    try:
        folder = resolve_folder(model)
        layout = read_layout(folder)
        config = json.loads(((layout.dense[-1] if layout.dense else folder) / "config.json").read_text())
    except (CoreError, OSError, ValueError):
        return None
    found = config.get("out_features") or config.get("hidden_size") or config.get("d_model") or config.get("dim")
    return int(found) if found else None


def same_model(a: str, b: str) -> bool:
    """Do two model names (as --model takes them) name one model: a bundled model by its name, a folder
    or Hugging Face id by its last part, so that the same model under another folder path matches."""
    return a == b or model_entry(a).short == model_entry(b).short


def check_model(given: GivenVectors, model: str, windows: int) -> None:
    """Refuse vectors made by another model, with another windows setting, or of another length than
    `model` makes, with a message that says which model and setting made them."""
    if not same_model(given.model, model) or model_entry(model).fitted_on_corpus:
        raise CoreError(f"The vectors in '{given.source}' were made by {model_entry(given.model).label}, but this "
                        f"run uses {model_entry(model).label}. Choose that model (--model {given.model}), or run "
                        "without the vectors file.")
    if given.windows != windows:
        raise CoreError(f"The vectors in '{given.source}' were made reading {given.windows} window(s) of each long "
                        f"text, but this run reads {windows}. Use --windows {given.windows}, or run without the "
                        "vectors file.")
    expected = model_dimensions(model)
    if expected and given.vectors.shape[1] != expected:
        raise CoreError(f"The vectors in '{given.source}' have {given.vectors.shape[1]} dimensions, but "
                        f"{model_entry(model).label} makes {expected}: they are not this model's vectors.")


def embed_corpus(embedder, corpus, catalogue: list[str], *, model: str, windows: int,
                 cache: EmbeddingCache | None = None, progress=None) -> np.ndarray:
    """The vectors of the corpus' texts followed by those of the catalogue's: all embedded by `embedder`,
    or, when the corpus has a vectors file attached, the texts' taken from it (checked against `model`
    and `windows` first) and only the catalogue embedded."""
    given = corpus.vectors
    if given is None:
        return embed_texts(embedder, list(corpus.texts) + catalogue, cache=cache, progress=progress)
    check_model(given, model, windows)
    items = embed_texts(embedder, catalogue, cache=cache) if catalogue else np.zeros((0, given.vectors.shape[1]))
    return np.vstack([given.vectors, items.astype(np.float32)]) if len(items) else given.vectors


def made_with(corpus, embedder) -> tuple[str, str]:
    """(precision, why) of the texts' vectors: the embedder's, or the vectors file's."""
    given = corpus.vectors
    if given is None:
        return getattr(embedder, "precision", ""), getattr(embedder, "precision_reason", "")
    return given.precision, f"from the vectors file '{given.source}' (python -m core embed --engine {given.engine})"
