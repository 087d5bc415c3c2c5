"""`python -m core embed`: the embedding step alone, from a file of texts to a Parquet file of vectors
(core.vectors), in this process (engine 'local') or with Ray Data on a Ray cluster (engine 'ray'); the same
model, windows, batching and precision either way, so that `core run --embeddings` gives the topics a
plain run gives.

Ray: Ray Data reads the file (CSV, TSV, JSONL or Parquet, or a folder of Parquet shards) into blocks of
BLOCK_ROWS rows (the local engine's chunk), numbers the rows as core.data does and drops empty texts;
map_batches hands each block to a pool of actors (one per CPU, or one per GPU where the cluster has
GPUs), each of which loads the project's embedder once and embeds through the disk cache of its
machine. Ray retries the block of an actor that dies. The driver writes what comes back into part
files of PART_ROWS rows beside the output (FILE.parquet.parts/); a stopped run skips the rows already
in a part, and rows embedded before a stop but not yet in a part cost only a cache look-up on the same
machine. When every row is in, the parts are joined, sorted by row, into the output file and removed.
Without an address a local Ray is started on this machine (and stopped after); with one, the run joins
that cluster, whose nodes need this project's requirements installed (the `core` package is sent).
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import time
from pathlib import Path
from typing import Callable

import numpy as np

from core.cpus import usable_cpus
from core.embedders import AUTO, DEFAULT_WINDOWS, EmbeddingCache, choose_model, embed_texts, load_embedder, model_entry
from core.embedders.cache import cache_dir
from core.errors import CoreError
from core.language import detect_language
from core.vectors import (VectorsWriter, fingerprint_of, matrix, row_hash, texts_fingerprint, vector_array,
                          write_vectors)

BLOCK_ROWS = 1024  # rows per actor call: core.embedders.embed_texts' chunk, so both engines batch alike
PART_ROWS = 16_384  # rows per part file (about 25 MB of 384-dimensional vectors)
READERS = {".csv": "csv", ".tsv": "csv", ".tab": "csv", ".jsonl": "json", ".ndjson": "json", ".parquet": "parquet"}
Progress = Callable[[int, int], None]


def choose(model: str, language: str) -> tuple[str, str]:
    """(model, why): core.stages.model_choice for a corpus in `language`."""
    return choose_model(language) if model == AUTO else (model, "chosen by hand")


def _record(*, model: str, why: str, embedder, windows: int, precisions, rows: int, dimensions: int,
            fingerprint: str, source: Path, text_col: str, engine: str, seconds: float, empty: int) -> dict:
    """The metadata a vectors file carries: what core.vectors checks, and what repeats the run."""
    return {"format": 1, "model": model, "model_label": model_entry(model).label, "why": why,
            "precision": ",".join(sorted(set(precisions))) or "", "windows": windows,
            "max_windows": getattr(embedder, "max_windows", None), "embedder_key": getattr(embedder, "key", ""),
            "dimensions": dimensions, "rows": rows, "fingerprint": fingerprint, "engine": engine,
            "texts": {"source": source.name, "text_col": text_col, "empty_left_out": empty},
            "seconds": round(seconds, 1), "created": time.strftime("%Y-%m-%dT%H:%M:%S%z")}


def _transformer(model: str, windows: int, precision: str):
    if model_entry(model).fitted_on_corpus:
        raise CoreError(f"The {model_entry(model).label} is fitted on the whole corpus, so its vectors cannot be "
                        "made ahead; embed with a transformer model, or run without --embeddings.")
    return load_embedder(model, windows, precision)


def embed_file(texts: Path, *, text_col: str, out: Path, model: str = AUTO, precision: str = AUTO,
               windows: int = DEFAULT_WINDOWS, engine: str = "local", address: str | None = None,
               progress: Progress | None = None, say: Callable[[str], None] = lambda line: None) -> dict:
    """Embed the texts of a file into the vectors file `out` with `engine` (ENGINES); returns its metadata."""
    if engine not in ENGINES:
        raise CoreError(f"Unknown engine '{engine}'; choose one of {', '.join(ENGINES)}.")
    if Path(out).suffix.lower() != ".parquet":
        raise CoreError(f"The output '{out}' must be a .parquet file.")
    return ENGINES[engine](Path(texts), text_col=text_col, out=Path(out), model=model, precision=precision,
                           windows=windows, address=address, progress=progress, say=say)


def _local(texts: Path, *, text_col, out, model, precision, windows, address, progress, say) -> dict:
    """In this process: core.data reads the file (as `core run` does), core.embedders embeds through the disk
    cache chunk by chunk (a stopped run resumes from it), and the file is written in one go."""
    from core.data import read_corpus

    if address:
        raise CoreError("--ray-address needs --engine ray.")
    start = time.perf_counter()
    corpus = read_corpus(texts, text_col)
    model, why = choose(model, corpus.report.language)
    embedder = _transformer(model, windows, precision)
    say(f"{len(corpus):,} texts; model {model_entry(model).label} ({why}), precision {embedder.precision}")
    vectors = embed_texts(embedder, corpus.texts, cache=EmbeddingCache(), progress=progress)
    record = _record(model=model, why=why, embedder=embedder, windows=windows, precisions=[embedder.precision],
                     rows=len(corpus), dimensions=vectors.shape[1],
                     fingerprint=texts_fingerprint(corpus.rows, corpus.texts), source=texts, text_col=text_col,
                     engine="local", seconds=time.perf_counter() - start, empty=corpus.report.empty_dropped)
    write_vectors(out, corpus.rows, vectors, record)
    return record


# --- Ray ------------------------------------------------------------------------------------------

class RayEmbedder:
    """The callable class map_batches runs in each actor: one embedder, loaded once per actor, and the disk
    cache of the actor's machine. A block of (row, text) becomes (row, vector, hash, precision)."""

    def __init__(self, *, model: str, windows: int, precision: str):
        import core  # noqa: F401  (first: the thread settings torch reads when it loads)

        self.embedder = load_embedder(model, windows, precision)
        self.cache = EmbeddingCache()

    def __call__(self, block):
        import pyarrow as pa

        rows, texts = block.column("row").to_pylist(), block.column("text").to_pylist()
        vectors = embed_texts(self.embedder, texts, cache=self.cache)
        precision = pa.array([self.embedder.precision] * len(rows), pa.string()).dictionary_encode()
        return pa.table({"row": pa.array(rows, pa.int64()), "vector": vector_array(vectors),
                         "hash": pa.array([row_hash(r, t) for r, t in zip(rows, texts)], pa.uint64()),
                         "precision": precision})


def _connect(address: str | None) -> bool:
    """Join the cluster at `address`, or start a local Ray on this machine; True when this run started it."""
    import ray

    for name in ("ray", "ray.data"):  # Ray Data's progress lines would drown the command's own
        logging.getLogger(name).setLevel(logging.WARNING)
    if ray.is_initialized():
        return False
    quiet = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False}
    if address:
        ray.init(address=address, runtime_env={"py_modules": [str(Path(__file__).resolve().parent)]}, **quiet)
        return False
    ray.init(num_cpus=usable_cpus(), **quiet)
    return True


def _read(texts: Path, text_col: str):
    """The text column of the file as a Ray Dataset of strings, in file order, in blocks of BLOCK_ROWS rows."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import ray.data

    if not texts.exists():
        raise CoreError(f"File not found: {texts}. Check the path and try again.")
    kind = "parquet" if texts.is_dir() else READERS.get(texts.suffix.lower())
    if kind is None:
        raise CoreError(f"--engine ray reads {', '.join(sorted(READERS))} files (or a folder of Parquet files); "
                        f"'{texts.name}' is another kind: use --engine local.")
    if kind == "csv":
        from core.data.tables import _pick_delimiter

        head = texts.open("rb").read(1 << 18)
        if head.startswith(b"\xef\xbb\xbf"):
            head = head[3:]
        try:
            sample = head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:
                raise CoreError(f"--engine ray reads UTF-8 files; '{texts.name}' is in another encoding. Use "
                                "--engine local, or save the file as UTF-8.") from None
            sample = head[:exc.start].decode("utf-8")
        delimiter = _pick_delimiter(sample, "\t" if texts.suffix.lower() != ".csv" else ",")
        ds = ray.data.read_csv(str(texts), parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
                               convert_options=pacsv.ConvertOptions(column_types={text_col: pa.string()},
                                                                    strings_can_be_null=False,
                                                                    quoted_strings_can_be_null=False))
    elif kind == "json":
        ds = ray.data.read_json(str(texts), lines=True)
    else:
        ds = ray.data.read_parquet(str(texts))
    if text_col not in ds.columns():
        raise CoreError(f"The text column '{text_col}' is not in the file. Its columns are: {', '.join(ds.columns())}.")
    return ds.select_columns([text_col]).rename_columns({text_col: "text"}) \
        .repartition(target_num_rows_per_block=BLOCK_ROWS)


def _numbered(blocks, done: np.ndarray):
    """Each block with its rows numbered from the rows before it, empty texts and rows in `done` left out.
    Returns the refs of the numbered blocks, how many non-empty texts the file has, and how many rows."""
    import ray

    @ray.remote
    def count(block):
        return block.num_rows

    @ray.remote(num_returns=2)
    def number(block, start: int, done: np.ndarray):
        import pyarrow as pa
        import pyarrow.compute as pc

        texts = pc.fill_null(block.column("text").cast(pa.string()), "")
        rows = pa.array(np.arange(start, start + block.num_rows, dtype=np.int64))
        filled = pc.invert(pc.equal(pc.utf8_trim_whitespace(texts), ""))
        table = pa.table({"row": rows, "text": texts}).filter(filled)
        return table.filter(pc.invert(pc.is_in(table.column("row"), pa.array(done)))), table.num_rows

    sizes = ray.get([count.remote(b) for b in blocks])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(int)
    done_ref = ray.put(done)
    pairs = [number.remote(b, int(s), done_ref) for b, s in zip(blocks, starts)]
    return [p[0] for p in pairs], int(sum(ray.get([p[1] for p in pairs]))), int(sum(sizes))


def _first_texts(blocks, n: int = 5000) -> list[str]:
    """The first `n` non-empty texts, as core.language.detect_language reads a corpus."""
    import ray

    texts: list[str] = []
    for block in blocks:
        texts += [t for t in ray.get(block).column("text").to_pylist() if t and t.strip()]
        if len(texts) >= n:
            break
    return texts[:n]


class Parts:
    """The part files of one output beside it (OUT.parquet.parts/), each PART_ROWS rows with their
    vectors, row hashes and precision, written whole under a temporary name; `job.json` names the
    file, column and model they belong to, and parts of another job are cleared."""

    def __init__(self, out: Path, job: dict):
        self.folder = out.with_name(out.name + ".parts")
        marker = self.folder / "job.json"
        if self.folder.is_dir() and (not marker.is_file() or json.loads(marker.read_text()) != job):
            shutil.rmtree(self.folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        marker.write_text(json.dumps(job))
        self.pending: list = []

    def files(self) -> list[Path]:
        return sorted(self.folder.glob("part-*.parquet"))

    def done(self) -> np.ndarray:
        """Rows already in a part; a part that cannot be read (cut short by a stop) is removed."""
        import pyarrow.parquet as pq

        found = []
        for path in self.files():
            try:
                found.append(pq.read_table(path, columns=["row"]).column("row").to_numpy())
            except Exception:
                path.unlink()
        return np.concatenate(found) if found else np.zeros(0, np.int64)

    def add(self, batch, force: bool = False) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if batch is not None and batch.num_rows:
            self.pending.append(batch)
        if self.pending and (force or sum(b.num_rows for b in self.pending) >= PART_ROWS):
            table = pa.concat_tables(self.pending).combine_chunks()
            first = int(table.column("row")[0].as_py())
            path = self.folder / f"part-{first:012d}-{time.time_ns()}.parquet"
            pq.write_table(table, path.with_suffix(".partial"))
            os.replace(path.with_suffix(".partial"), path)
            self.pending = []

    def join(self, out: Path, expected: int, record: Callable[..., dict]) -> dict:
        """Write every part's rows into `out` (parts in the order of their first row, each sorted by row,
        a row that came back twice kept once) with the metadata that record(rows=, fingerprint=,
        precisions=, dimensions=) gives, then remove the parts. A missing row is an error, not a shorter file."""
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        self.add(None, force=True)
        files = self.files()
        rows = [pq.read_table(p, columns=["row"]).column("row").to_numpy() for p in files]
        found = len(np.unique(np.concatenate(rows))) if rows else 0
        if found != expected:
            raise CoreError(f"{expected - found:,} of {expected:,} texts came back without a vector; run the same "
                            "command again to embed them.")
        seen = np.zeros(max(int(r.max()) + 1 for r in rows if len(r)), bool)
        writer, total, precisions = None, 0, set()
        for path in files:
            table = pq.read_table(path)
            position = table.column("row").to_numpy()
            keep = np.flatnonzero(~seen[position])
            keep = keep[np.argsort(position[keep], kind="stable")]
            seen[position[keep]] = True
            vectors = matrix(table.column("vector"))
            writer = writer or VectorsWriter(out, vectors.shape[1])
            writer.write(position[keep], vectors[keep])
            total += sum(int(h) for h in table.column("hash").to_numpy()[keep])
            precisions |= set(pc.unique(table.column("precision").cast("string")).to_pylist())
        metadata = record(rows=writer.rows, fingerprint=fingerprint_of(writer.rows, total), precisions=precisions,
                          dimensions=writer.schema.field("vector").type.list_size)
        writer.close(metadata)
        shutil.rmtree(self.folder, ignore_errors=True)
        return metadata


def _ray(texts: Path, *, text_col, out, model, precision, windows, address, progress, say) -> dict:
    """With Ray Data on the cluster at `address` (a local Ray when None); see the module docstring."""
    import ray
    import ray.data

    start = time.perf_counter()
    started = _connect(address)
    try:
        context = ray.data.DataContext.get_current()
        context.execution_options.preserve_order = True  # blocks come back in row order: sorted parts
        context.enable_progress_bars = False
        blocks = _read(texts, text_col).materialize().to_arrow_refs()
        job = {"texts": str(texts.resolve()), "bytes": _size(texts), "text_col": text_col, "model": model,
               "windows": windows, "precision": precision}
        parts = Parts(out, job)
        done = parts.done()
        numbered, total, all_rows = _numbered(blocks, done)
        if total == 0:
            raise CoreError(f"All texts in column '{text_col}' of '{texts.name}' are empty.")
        model, why = choose(model, detect_language(_first_texts(blocks)) if model == AUTO else "")
        embedder = _transformer(model, windows, precision)
        resources = ray.cluster_resources()
        gpus, cpus = int(resources.get("GPU", 0)), max(1, int(resources.get("CPU", 1)))
        say(f"{total:,} texts ({len(done):,} already embedded); model {model_entry(model).label} ({why}); "
            f"{gpus or cpus} actors on {'GPUs' if gpus else 'CPUs'} ({address or 'a local Ray'})")
        vectors = ray.data.from_arrow_refs(numbered).map_batches(
            RayEmbedder, fn_constructor_kwargs={"model": model, "windows": windows, "precision": precision},
            batch_size=None, batch_format="pyarrow", compute=ray.data.ActorPoolStrategy(size=gpus or cpus),
            **({"num_gpus": 1} if gpus else {"num_cpus": 1}))
        count = len(done)
        for batch in vectors.iter_batches(batch_size=None, batch_format="pyarrow"):
            parts.add(batch)
            count += batch.num_rows
            if progress:
                progress(count, total)

        def record(**facts):
            return _record(model=model, why=why, embedder=embedder, windows=windows, source=texts,
                           text_col=text_col, engine="ray", seconds=time.perf_counter() - start,
                           empty=all_rows - total, **facts)

        return parts.join(out, total, record)
    finally:
        if started:
            ray.shutdown()


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*")) if path.is_dir() else path.stat().st_size


ENGINES = {"local": _local, "ray": _ray}
