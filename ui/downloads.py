"""Every result offered for download, through core.export: the same tables and records the command
line writes, under file names that say which data, method and k they came from."""
from __future__ import annotations

import re

import streamlit as st

from core.export import csv_bytes, json_bytes, run_record
from core.stages import stage_key
from ui import session, stages

EXPORTS = {"documents": "documents-with-topics", "topics": "topic-keywords", "R": "R-user-topic-interests",
           "U": "U-user-latent-factors", "V": "V-topic-latent-factors", "recommendations": "recommendations",
           "topic_map": "intertopic-distance-map", "topic_hierarchy": "topic-hierarchy",
           "topics_over_time": "topics-over-time", "topics_per_label": "topics-per-label",
           "domains": "topics-per-domain", "domain_links": "topics-across-domains",
           "metrics": "quality-metrics", "run": "run-settings"}


def export_name(stem: str, extension: str) -> str:
    """A file name that says which data, method and k it came from, and what it holds."""
    s = stages.settings()
    source = re.sub(r"[^\w.-]+", "-", session.corpus().report.source).strip("-.") or "data"
    return f"{source}_{s.method}-k{s.topic_count or 'auto'}_{EXPORTS[stem]}.{extension}"


@st.cache_data(show_spinner="Preparing the downloads…", max_entries=4)
def _downloads(key: tuple, _tables: dict, _metrics: dict, _run: dict) -> list[tuple[str, str, bytes]]:
    files = []
    for stem, frame in _tables.items():
        with_index = stem in ("R", "U", "V")
        records = (frame.reset_index() if with_index else frame).to_json(orient="records", force_ascii=False)
        files += [(stem, "csv", csv_bytes(frame, index=with_index)), (stem, "json", records.encode("utf-8"))]
    return files + [("metrics", "json", json_bytes(_metrics)), ("run", "json", json_bytes(_run))]


def downloads() -> list[tuple[str, str, bytes]]:
    """(what, file name, bytes) of every export: each table as CSV (through core.export.csv_bytes, which
    neutralises spreadsheet formulas) and as JSON records, then the metrics and the run record."""
    key = (session.fingerprint(), *(part for name in ("recommendations", "evaluation", "view")
                                    for part in stage_key(name, stages.settings())))
    result = stages.result()
    files = _downloads(key, stages.tables(), result.metrics, run_record(result))
    return [(stem, export_name(stem, extension), data) for stem, extension, data in files]
