"""Read user files (formats, encodings, delimiters) into a validated Corpus, plus an optional item
catalogue and interaction log."""
from core.data.corpus import (Catalogue, Corpus, Report, build_catalogue, build_corpus, build_interactions,
                              guess_column, read_corpus)
from core.data.files import MAX_BYTES, decode
from core.data.sources import DataFile, Sources, demo_sources, load_demo
from core.data.tables import ESCAPE_MARKER, FORMATS, read_table

__all__ = ["Catalogue", "Corpus", "Report", "build_catalogue", "build_corpus", "build_interactions", "guess_column",
           "load_demo", "read_corpus", "DataFile", "Sources", "demo_sources", "MAX_BYTES", "decode", "ESCAPE_MARKER",
           "FORMATS", "read_table"]
