"""Every result offered for download, through core.export: the same tables and records the command
line writes, under file names that say which data, method and k they came from."""
from __future__ import annotations

import re

import streamlit as st

from core import pipeline
from core.export import csv_bytes, json_bytes, run_record, tables
from core.stages import stage_key
from ui import session, stages

EXPORTS = {"documents": "documents-with-topics", "topics": "topic-keywords", "R": "R-user-topic-interests",
           "U": "U-user-latent-factors", "V": "V-topic-latent-factors", "recommendations": "recommendations",
           "metrics": "quality-metrics", "run": "run-settings"}


def export_name(stem: str, extension: str) -> str:
    """A file name that says which data, method and k it came from, and what it holds."""
    s = stages.settings()
    source = re.sub(r"[^\w.-]+", "-", session.corpus().report.source).strip("-.") or "data"
    return f"{source}_{s.method}-k{s.topic_count or 'auto'}_{EXPORTS[stem]}.{extension}"


@st.cache_data(show_spinner="Preparing the downloads…", max_entries=4)
def _downloads(key: tuple, _result: pipeline.Result) -> list[tuple[str, str, bytes]]:
    files = []
    for stem, frame in tables(_result).items():
        with_index = stem in ("R", "U", "V")
        records = (frame.reset_index() if with_index else frame).to_json(orient="records", force_ascii=False)
        files += [(stem, "csv", csv_bytes(frame, index=with_index)), (stem, "json", records.encode("utf-8"))]
    files += [("metrics", "json", json_bytes(_result.metrics)), ("run", "json", json_bytes(run_record(_result)))]
    return files


def downloads() -> list[tuple[str, str, bytes]]:
    """(what, file name, bytes) of every export: each table as CSV (through core.export.csv_bytes, which
    neutralises spreadsheet formulas) and as JSON records, then the metrics and the run record."""
    key = (session.fingerprint(), *(part for name in ("recommendations", "evaluation", "view")
                                    for part in stage_key(name, stages.settings())))
    return [(stem, export_name(stem, extension), data) for stem, extension, data in _downloads(key, stages.result())]
