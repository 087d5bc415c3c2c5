"""Saved sessions: one zip file that reopens a piece of work exactly, on this machine or another, after a
restart, from the app ("Save session", "Open a session") or the command line (`run --save-session FILE`,
`run --session FILE`).

Format (FORMAT, VERSION 1), each member read by its fixed name, within a size limit, never extracted:
    session.json                what it is (format, version), the data files' names, sizes and SHA-256 and the
                                column mapping, every setting (core.records: generic over Settings' fields),
                                the corpus fingerprint, and the embeddings' record (model, why, precision, the
                                settings they were made with, each language's mean vector)
    data/texts.<ext>            the texts' file, byte for byte as it was given
    data/catalogue.<ext>        the item catalogue, if one was given
    data/interactions.<ext>     the interaction log, if one was given
    embeddings.parquet          the vectors, one row per text then per catalogue item: part, row, vector (float32)

Nothing in a session is executed or unpickled: it is JSON, Parquet and the data files' own bytes. A file that
is not a zip, a zip with other members, a damaged, truncated or oversized member, or a record that does
not fit the format is refused with a CoreError that says so.
"""
from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import struct
import time
import typing
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core import cluster
from core.data import FORMATS, MAX_BYTES, Corpus, DataFile, Sources
from core.data.files import read_bytes
from core.data.sources import ROLES
from core.embedders.hardware import PRECISIONS
from core.errors import CoreError
from core.records import from_json, revive, to_json
from core.settings import Settings
from core.stages import Embeddings, KnownVectors
from core.versions import package_versions

FORMAT, VERSION = "topicdash-session", 1
RECORD = "session.json"
VECTORS = "embeddings.parquet"
FILES = ("texts", "catalogue", "interactions")  # the data files a session may hold, by role
MEMBERS = {RECORD, VECTORS, *(f"data/{role}{ext}" for role in FILES for ext in FORMATS)}
MAX_RECORD_BYTES = 16 * 1024 * 1024  # session.json: settings, names and language means
MAX_VECTOR_BYTES = 2 * 1024 ** 3
MAX_SESSION_BYTES = 3 * MAX_BYTES + MAX_VECTOR_BYTES + MAX_RECORD_BYTES
EXTENSION = ".topicdash.zip"


@dataclass(frozen=True, kw_only=True)
class Session:
    """A reopened session: the data files and mapping, every setting, the corpus they give, the embeddings
    saved with it (None when none were, or when they do not fit the data any more), and notes for the person."""

    sources: Sources
    settings: Settings
    corpus: Corpus
    known: KnownVectors | None
    notes: tuple[str, ...] = ()


def write_session(*, sources: Sources, corpus: Corpus, settings: Settings, known: KnownVectors | None) -> bytes:
    """The session as zip bytes. `corpus` is what `sources` give; `known` the embeddings to keep with it
    (left out when they belong to other data)."""
    if known is not None and known.fingerprint != corpus.fingerprint:
        known = None
    record = {"format": FORMAT, "version": VERSION, "saved": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
              "written_by": package_versions(("numpy", "pyarrow", "torch", "transformers")),
              "data": {"columns": {role: sources.columns.get(role) for role in ROLES}, "fingerprint": corpus.fingerprint},
              "settings": to_json(settings), "embeddings": None}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for role in FILES:
            given: DataFile | None = getattr(sources, role)
            if given is None:
                record["data"][role] = None
                continue
            member = f"data/{role}{Path(given.name).suffix.lower()}"
            if member not in MEMBERS:
                raise CoreError(f"'{given.name}' has an extension a session cannot hold; use one of {', '.join(FORMATS)}.")
            archive.writestr(member, given.data)
            record["data"][role] = {"member": member, "name": given.name, "shown": given.shown,
                                    "bytes": len(given.data), "sha256": hashlib.sha256(given.data).hexdigest()}
        if known is not None:
            vectors = _parquet(known.embeddings)
            archive.writestr(zipfile.ZipInfo(VECTORS, time.localtime()[:6]), vectors, compress_type=zipfile.ZIP_STORED)
            record["embeddings"] = _embeddings_record(known, vectors)
        archive.writestr(RECORD, json.dumps(record, indent=1, ensure_ascii=False, allow_nan=False))
    return buffer.getvalue()


def save_session(path, **parts) -> Path:
    """write_session's bytes into the file `path`, written whole under a temporary name and then renamed."""
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_bytes(write_session(**parts))
        partial.replace(path)
    except OSError as exc:
        raise CoreError(f"The session could not be written to {path} ({exc.strerror or exc}). "
                        "Choose another file.") from None
    return path


def _embeddings_record(known: KnownVectors, vectors: bytes) -> dict:
    e = known.embeddings
    scalars = {f.name: to_json(getattr(e, f.name)) for f in dataclasses.fields(Embeddings)
               if f.name not in ("texts", "catalogue", "language_means")}
    return {"member": VECTORS, "texts": int(e.texts.shape[0]), "dimensions": int(e.texts.shape[1]),
            "catalogue": None if e.catalogue is None else int(e.catalogue.shape[0]),
            "made_with": to_json(known.settings), "record": scalars, "bytes": len(vectors),
            "sha256": hashlib.sha256(vectors).hexdigest(),
            "language_means": {str(k): np.asarray(v, dtype=np.float32).tolist() for k, v in e.language_means.items()}}


def _parquet(e: Embeddings) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    parts = [("text", e.texts)] + ([("item", e.catalogue)] if e.catalogue is not None else [])
    matrix = np.vstack([np.asarray(m, dtype=np.float32) for _, m in parts])
    flat = pa.array(matrix.reshape(-1), type=pa.float32())
    table = pa.table({"part": [p for p, m in parts for _ in range(len(m))],
                      "row": np.concatenate([np.arange(len(m)) for _, m in parts]).astype(np.int64),
                      "vector": pa.FixedSizeListArray.from_arrays(flat, matrix.shape[1])})
    out = io.BytesIO()
    pq.write_table(table, out, compression="zstd")
    return out.getvalue()


# --- reading ------------------------------------------------------------------------------------------

def _damaged(what: str) -> CoreError:
    return CoreError(f"This session file is damaged or incomplete ({what}). Save the session again, "
                     "or copy the file again in full.")


def read_session(source, *, name: str | None = None) -> Session:
    """A saved session from a path, bytes or an upload, checked member by member (see the module's doc)."""
    data, name = read_bytes(source, name, MAX_SESSION_BYTES)
    shown = Path(str(name)).name
    if not data.startswith(b"PK\x03\x04"):
        raise CoreError(f"'{shown}' is not a saved session: a session is a zip file written by “Save session” "
                        "or `python -m core run --save-session`.")
    _check_directory(data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError, struct.error) as exc:
        raise _damaged(f"the zip directory cannot be read: {exc}") from None
    if RECORD not in names:
        raise CoreError(f"'{shown}' is a zip file but not a saved session (it has no {RECORD}).")
    strange = [n for n in names if n not in MEMBERS]
    if strange or len(set(names)) != len(names):
        listed = ", ".join(repr(n)[1:-1][:80] for n in strange[:3]) or "a file twice"
        raise CoreError(f"'{shown}' holds files a saved session does not ({listed}), so it is not opened.")
    record = _record(_member(archive, RECORD, MAX_RECORD_BYTES))
    files = {role: _data_file(archive, record["data"], role) for role in FILES}
    if files["texts"] is None:
        raise _damaged("it names no texts' file")
    columns = record["data"].get("columns")
    if not isinstance(columns, dict) or not set(columns) <= set(ROLES) or \
            not all(v is None or isinstance(v, str) for v in columns.values()) or not isinstance(columns.get("text"), str):
        raise _damaged("its column mapping is not a mapping of roles to column names")
    revived = from_json(Settings, record.get("settings"))
    settings = _checked(revived.value)
    notes = [f"This session was saved with settings this version does not know ({', '.join(revived.unknown[:5])}); "
             "they are left out, so results may differ."] if revived.unknown else []
    sources = Sources(texts=files["texts"], columns=columns, catalogue=files["catalogue"],
                      interactions=files["interactions"])
    try:
        corpus = sources.corpus()
    except CoreError as exc:
        raise CoreError(f"The data in this session could not be read: {exc}") from None
    known = None
    if record.get("embeddings") is not None:
        if corpus.fingerprint != record["data"].get("fingerprint"):
            notes.append("The data in this session reads differently in this version, so its saved embeddings "
                         "are not used: the texts are embedded again.")
        else:
            known = _known(archive, record["embeddings"], corpus)
    return Session(sources=sources, settings=settings, corpus=corpus, known=known, notes=tuple(notes))


def _check_directory(data: bytes) -> None:
    """Refuse a zip whose directory announces more entries than a session has, before Python's zipfile
    reads every entry of it into memory (a few bytes of file can announce millions)."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 65535))
    if end < 0 or len(data) < end + 22:
        raise _damaged("the end of the zip file is missing")
    entries = struct.unpack("<H", data[end + 10:end + 12])[0]
    if entries > len(MEMBERS) or entries == 0:
        raise CoreError(f"This zip file has {entries} entries, not those of a saved session, so it is not opened.")


def _member(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """One member's bytes, refused when it says or turns out to be larger than `limit` (a zip bomb) or
    its checksum fails (damage)."""
    info = archive.getinfo(name)
    if info.flag_bits & 0x1:
        raise CoreError(f"{name} in this session is encrypted; a saved session never is.")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise CoreError(f"{name} in this session is compressed in a way a saved session never is.")
    if info.file_size > limit:
        raise CoreError(f"{name} in this session is {info.file_size / 1e6:.0f} MB unpacked, over the "
                        f"{limit / 1e6:.0f} MB a session may hold.")
    try:
        with archive.open(info) as member:
            content = member.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError, struct.error) as exc:
        raise _damaged(f"{name}: {exc}") from None
    if len(content) > limit:
        raise CoreError(f"{name} in this session unpacks to more than {limit / 1e6:.0f} MB; it is not opened.")
    return content


def _record(raw: bytes) -> dict:
    def no_constants(word):
        raise ValueError(f"{word} is not a number JSON allows")

    try:
        record = json.loads(raw.decode("utf-8"), parse_constant=no_constants)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _damaged(f"{RECORD} is not valid JSON: {str(exc)[:80]}") from None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise CoreError(f"This zip file is not a saved session of this dashboard ({RECORD} is someone else's).")
    version = record.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _damaged("its format version is missing")
    if version > VERSION:
        raise CoreError(f"This session was saved by a newer version of the dashboard (session format {version}; "
                        f"this one reads up to {VERSION}). Update the dashboard to open it.")
    if not isinstance(record.get("data"), dict):
        raise _damaged("it does not describe its data")
    return record


def _data_file(archive: zipfile.ZipFile, data: dict, role: str) -> DataFile | None:
    entry = data.get(role)
    if entry is None:
        return None
    if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in ("member", "name", "sha256")):
        raise _damaged(f"the record of its {role} file is incomplete")
    if entry["member"] not in MEMBERS or not entry["member"].startswith(f"data/{role}."):
        raise _damaged(f"its {role} file is recorded under a name a session does not use")
    if entry["member"] not in archive.namelist():
        raise _damaged(f"its {role} file is missing")
    content = _member(archive, entry["member"], MAX_BYTES)
    if hashlib.sha256(content).hexdigest() != entry["sha256"]:
        raise _damaged(f"its {role} file is not the one that was saved")
    name = Path(entry["name"].replace("\\", "/")).name[:255]  # shown and read by its extension only
    if Path(name).suffix.lower() != Path(entry["member"]).suffix or not name.isprintable():
        name = f"{role}{Path(entry['member']).suffix}"
    shown = entry.get("shown") if isinstance(entry.get("shown"), str) and entry["shown"].isprintable() else ""
    return DataFile(name=name, data=content, shown=shown[:255])


def _checked(settings: Settings) -> Settings:
    """The settings, refused when a name in them is not one this version knows."""
    cluster.method(settings.method)
    if settings.precision not in PRECISIONS:
        raise CoreError(f"The saved precision '{settings.precision[:40]}' is not one of {', '.join(PRECISIONS)}.")
    return settings


def _known(archive: zipfile.ZipFile, entry, corpus: Corpus) -> KnownVectors:
    """The saved embeddings, checked against the corpus they were made for."""
    if not isinstance(entry, dict) or entry.get("member") != VECTORS or VECTORS not in archive.namelist():
        raise _damaged("its embeddings are missing")
    n, d, m = entry.get("texts"), entry.get("dimensions"), entry.get("catalogue")
    items = len(corpus.catalogue.texts) if corpus.catalogue is not None else None
    if n != len(corpus) or m != items or not isinstance(d, int) or isinstance(d, bool) or not 0 < d <= 65536:
        raise _damaged("its embeddings do not match its texts")
    raw = _member(archive, VECTORS, MAX_VECTOR_BYTES)
    if hashlib.sha256(raw).hexdigest() != entry.get("sha256"):
        raise _damaged("its embeddings are not the ones that were saved")
    matrix = _read_vectors(raw, n + (m or 0), d)
    means = entry.get("language_means")
    if not isinstance(means, dict) or not all(isinstance(v, list) and len(v) == d for v in means.values()):
        raise _damaged("its language means are not vectors of the embeddings' size")
    try:
        means = {str(k): np.asarray(v, dtype=np.float32) for k, v in means.items()}
    except (TypeError, ValueError):
        raise _damaged("its language means are not numbers") from None
    scalars, hints = entry.get("record"), typing.get_type_hints(Embeddings)
    if not isinstance(scalars, dict) or not set(scalars) <= set(hints) - {"texts", "catalogue", "language_means"}:
        raise _damaged("the record of its embeddings is not one this version reads")
    try:
        embeddings = Embeddings(texts=matrix[:n], catalogue=None if m is None else matrix[n:], language_means=means,
                                **{k: revive(v, hints[k], f"embeddings.{k}") for k, v in scalars.items()})
    except TypeError:  # a field it needs is missing
        raise _damaged("the record of its embeddings is incomplete") from None
    made_with = from_json(Settings, entry.get("made_with")).value
    return KnownVectors(fingerprint=corpus.fingerprint, settings=made_with, embeddings=embeddings)


def _read_vectors(raw: bytes, rows: int, d: int) -> np.ndarray:
    """The vector column of the Parquet bytes as a rows x d float32 matrix, checked before it is read whole."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(io.BytesIO(raw))
        meta = parquet.metadata
        unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        if meta.num_rows != rows or unpacked > 4 * rows * (d + 8) + (1 << 20):
            raise _damaged(f"its embeddings hold {meta.num_rows} rows, not {rows}")
        kind = parquet.schema_arrow.field("vector").type
        if not pa.types.is_fixed_size_list(kind) or kind.list_size != d or kind.value_type != pa.float32():
            raise _damaged("its embeddings are not float32 vectors of the recorded size")
        column = parquet.read(columns=["vector"]).column("vector").combine_chunks()
        if column.null_count:
            raise _damaged("some of its embeddings are empty")
        matrix = column.flatten().to_numpy(zero_copy_only=False).reshape(rows, d).astype(np.float32, copy=False)
    except CoreError:
        raise
    except Exception as exc:  # pyarrow raises its own errors for bytes that are not Parquet
        raise _damaged(f"its embeddings cannot be read: {type(exc).__name__}") from None
    if not np.isfinite(matrix).all():
        raise _damaged("its embeddings hold values that are not numbers")
    return matrix
