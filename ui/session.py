"""This browser session: the loaded dataset (and the files it was read from), the settings, and widgets bound
to them so that a choice survives moving between pages; uploads read into a Corpus; saving and opening a
whole session (core.sessions)."""
from __future__ import annotations

import dataclasses
import runpy
from pathlib import Path

import pandas as pd
import streamlit as st

from core import reduce
from core.adapt import read_record
from core.data import Corpus, DataFile, Sources, demo_sources, read_table
from core.embedders import MODELS, EmbeddingCache, model_entry
from core.sessions import EXTENSION, read_session, write_session
from core.settings import Settings
from core.stages import KnownVectors, stage_settings
from core.vectors import attach

# View options that are not settings (they change no result); they start afresh with a new dataset.
OPTIONS = {"colour": "topic", "highlight": None, "shown_users": 30, "user": None, "sweep": True,
           "new_user_text": "", "compare": False, "drill_topic": None}
MAX_K = 30
APP = Path(__file__).resolve().parent.parent / "app.py"


def init() -> None:
    """Default settings, and the bundled demo as the dataset until another is loaded."""
    st.session_state.setdefault("settings", Settings())
    st.session_state.setdefault("options", dict(OPTIONS))
    if "corpus" not in st.session_state:
        use(*demo())


def page_start() -> None:
    """Called first by every page, so that a page always runs inside app.py (state, sidebar, errors).
    Streamlit runs a page file on its own while it takes pages/ for an old-style multipage folder: for
    the first request after a server start, until app.py has called st.navigation once, and in every
    AppTest run. Then run app.py here, which runs this page inside it, and stop this bare run."""
    if not st.session_state.get("in_app"):
        runpy.run_path(str(APP), run_name="__main__")
        st.stop()


@st.cache_resource(show_spinner=False)
def warm_up_umap():
    """Compile UMAP in a background thread, once per server process, after the first page is shown:
    the first UMAP view (Embeddings, HDBSCAN) then need not wait the ~8 s of numba compiling."""
    import threading

    thread = threading.Thread(target=reduce.warm_up, name="umap-warm-up", daemon=True)
    thread.start()
    return thread


@st.cache_resource(show_spinner="Reading the bundled demo…")
def demo() -> tuple[Sources, Corpus]:
    sources = demo_sources()
    return sources, sources.corpus()


@st.cache_resource(show_spinner=False)
def disk_cache() -> EmbeddingCache:
    return EmbeddingCache()


def corpus() -> Corpus:
    return st.session_state.corpus


def settings() -> Settings:
    return st.session_state.settings


def fingerprint() -> str:
    return st.session_state.fingerprint


def use(sources: Sources, new: Corpus | None = None, *, saved: Settings | None = None,
        known: KnownVectors | None = None) -> None:
    """Make the corpus of `sources` (`new`, when already built) the loaded dataset, with the `saved` settings
    and `known` embeddings of a reopened session when given; choices about particular users start afresh."""
    new = new or sources.corpus()
    st.session_state.sources = sources
    st.session_state.corpus = new
    st.session_state.fingerprint = new.fingerprint
    st.session_state.known = known
    if saved is not None:
        st.session_state.settings = saved
    st.session_state.options = dict(OPTIONS)
    for key in [k for k in st.session_state if str(k).startswith("w_")]:
        del st.session_state[key]
    update(k=min(settings().k, max_k()))


CURATION = ("topic_edits", "topic_names", "stop_words")


def update(**changes) -> None:
    """Change settings. A change to what the topics are found from (model, method, k, seed, ...) starts the
    curation afresh: merges, splits and names refer to the topics of one clustering."""
    old = settings()
    new = dataclasses.replace(old, **changes)
    if any(getattr(old, f) != getattr(new, f) for f in stage_settings("clusters")) and \
            not set(changes) & set(CURATION):
        new = dataclasses.replace(new, **{f: () for f in CURATION})
    st.session_state.settings = new


def model_name(model: str | None = None) -> str:
    """How to call a model in the sidebar and captions: its picker label, or for an adapted folder its
    name and base model."""
    model = model or settings().model
    if model not in MODELS and (record := read_record(model)) is not None:
        return f"{Path(model).name} (adapted from {model_name(record.get('base_model') or 'default')})"
    return model_entry(model).label


def max_k() -> int:
    return max(2, min(MAX_K, len(corpus())))


def _get(name: str):
    fields = {f.name for f in dataclasses.fields(Settings)}
    return getattr(settings(), name) if name in fields else st.session_state.options[name]


def _set(name: str, value) -> None:
    if value == _get(name):
        return
    if hasattr(settings(), name):
        update(**{name: value})
    else:
        st.session_state.options[name] = value


def bind(name: str, *, choices=None, low=None, high=None) -> dict:
    """Widget arguments that keep a setting (or a view option) in session state, so that its value
    survives moving between pages: Streamlit forgets a widget's own state when its page is left."""
    value = _get(name)
    if choices is not None and value not in choices:
        value = choices[0]
    if low is not None:
        value = min(max(value, low), high)
    _set(name, value)
    key = f"w_{name}"
    if st.session_state.get(key) != value:
        st.session_state[key] = value
    return {"key": key, "on_change": lambda: _set(name, st.session_state[key])}


def slider(label: str, name: str, low: int, high: int, **kwargs) -> int:
    if high <= low:  # a slider needs a range; one possible value is shown as text
        _set(name, low)
        st.text(f"{label}: {low}")
        return low
    return st.slider(label, low, high, **bind(name, low=low, high=high), **kwargs)


def choose(label: str, name: str, options, *, widget=st.selectbox, **kwargs):
    options = list(options)
    return widget(label, options, **bind(name, choices=options), **kwargs)


@st.cache_data(show_spinner="Reading the file…", max_entries=8)
def _read(name: str, file_id: str, _data: bytes) -> tuple[pd.DataFrame, dict]:
    return read_table(_data, name=name)


def read_upload(upload) -> tuple[pd.DataFrame, dict]:
    """The table in an uploaded file (cached on the upload, not its bytes)."""
    return _read(upload.name, upload.file_id, upload.getvalue())


def upload_sources(upload, columns: dict, catalogue=None, interactions=None) -> Sources:
    """The uploaded files as given, with the mapped columns (see core.data.Sources)."""
    def given(file):
        return DataFile(name=file.name, data=file.getvalue()) if file is not None else None

    return Sources(texts=given(upload), columns=columns, catalogue=given(catalogue), interactions=given(interactions))


def open_session(upload) -> str:
    """Load a saved session from an upload: its data, settings and embeddings (a CoreError when it cannot be);
    returns what to tell the person."""
    reopened = read_session(upload, name=upload.name)
    use(reopened.sources, reopened.corpus, saved=reopened.settings, known=reopened.known)
    what = " and its embeddings (nothing is embedded again)." if reopened.known else "."
    return " ".join((f"{upload.name} is open: {reopened.corpus.report.source} with its settings{what}", *reopened.notes))


def session_file(known: KnownVectors | None) -> tuple[str, object]:
    """(file name, a function that writes this session as zip bytes): the file is made only when asked for."""
    sources, corpus_, settings_ = st.session_state.sources, corpus(), settings()
    stem = Path(corpus_.report.source).stem.replace(" ", "-") or "session"
    return f"{stem}{EXTENSION}", lambda: write_session(sources=sources, corpus=corpus_, settings=settings_, known=known)


def with_vectors(corpus: Corpus, upload) -> Corpus:
    """The corpus with an uploaded vectors file (from `python -m core embed`) attached: checked against the
    texts here, against the model when the vectors stage runs. The corpus as it is without one."""
    return corpus if upload is None else attach(corpus, upload, upload.name)
