"""The pipeline's stages (core.stages) cached for the pages, each on the key core derives from the
declaration: the data's fingerprint plus the settings the stage and every stage before it read. So the
k slider re-clusters but never embeds or runs UMAP again, and the app computes exactly what
`python -m core run` would. Embeddings are also cached on disk by core.embedders; a corpus that needs
embedding is embedded in the background (ui/embedding.py), and the results are those of the settings
shown meanwhile (settings()).

    stages.get("topics")          # the described topics for the current settings
    stages.get("labels", other)   # with other settings (e.g. the base model, for a comparison)
"""
from __future__ import annotations

import dataclasses
import time

import numpy as np
import pandas as pd
import streamlit as st

from core import pipeline
from core.adapt import compare_topics, read_record
from core.export import tables as export_tables
from core.cluster import SWEEP_METHOD, method
from core.settings import Settings
from core.stages import BY_NAME, STAGES, Context, KnownVectors, stage_key
from ui import embedding, session

KEEP = {"vectors": 4, "space": 8, "view": 8}  # results kept per stage (the big ones fewer); others 32
# Kept as they are (st.cache_resource) instead of pickled and copied on every read (st.cache_data): a
# million texts' vectors are 1.5 GB: seconds and a second copy in memory per read. Nothing changes them (the
# recommender only remembers its items' kinds for the next list).
UNCOPIED = ("vectors", "history", "recommender")


def _progress_bar(doing: str):
    """A progress callback that shows a bar from its first call and moves it at most every 2 %."""
    state = {"bar": None, "shown": -1.0}

    def report(done: int, total: int) -> None:
        fraction = done / max(total, 1)
        if state["bar"] is None:
            state["bar"] = st.progress(0.0, text=doing)
        if done == total or fraction - state["shown"] >= 0.02:
            state["shown"] = fraction
            state["bar"].progress(fraction, text=f"{doing} {done:,} / {total:,}")

    return report, state


def _runner(stage):
    def run(key: tuple, _settings: Settings, _inputs: tuple):
        report, bar = _progress_bar(stage.doing)
        context = Context(cache=session.disk_cache(), progress=report, known=st.session_state.get("known"))
        inputs = tuple(context if value is Context else value for value in _inputs)
        start = time.perf_counter()
        value = stage.run(_settings, *inputs)
        if bar["bar"] is not None:
            bar["bar"].empty()
        return value, round(time.perf_counter() - start, 3)

    run.__qualname__ = run.__name__ = f"stage_{stage.name}"  # one Streamlit cache per stage
    cache = st.cache_resource if stage.name in UNCOPIED else st.cache_data
    return cache(show_spinner=stage.doing, max_entries=KEEP.get(stage.name, 32))(run)


_CACHED = {stage.name: _runner(stage) for stage in STAGES}


def settings() -> Settings:
    """The settings whose results the pages show: the session's, or while its texts are embedded in the
    background, the same with the TF-IDF/LSA baseline (ui/embedding.py)."""
    return embedding.shown_settings()


def _timed(name: str, s: Settings | None = None):
    s = s or settings()
    stage = BY_NAME[name]
    inputs = tuple(session.corpus() if i == "corpus" else Context if i == "context" else get(i, s)
                   for i in stage.inputs)
    return _CACHED[name]((session.fingerprint(), *stage_key(name, s)), s, inputs)


def get(name: str, s: Settings | None = None):
    """The value of stage `name` for the loaded data and the settings (the shown ones unless given)."""
    return _timed(name, s)[0]


def result() -> pipeline.Result:
    """The current run as the Result that core.export reads, the same record the command line writes."""
    s = settings()
    timed = {stage.name: _timed(stage.name, s) for stage in STAGES}
    return pipeline.Result(corpus=session.corpus(), settings=s, timings={n: t for n, (_, t) in timed.items()},
                           **{n: v for n, (v, _) in timed.items()})


def topic_labels() -> dict[int, str]:
    return {t.id: t.label for t in get("topics")}


@st.cache_data(show_spinner="Preparing the tables…", max_entries=4)
def _tables(key: tuple, _result: pipeline.Result) -> dict[str, pd.DataFrame]:
    return export_tables(_result)


def tables() -> dict[str, pd.DataFrame]:
    """Every exported table of the current run (core.export.tables), computed once per settings."""
    s = settings()
    key = (session.fingerprint(), *(p for name in ("recommendations", "evaluation", "view")
                                    for p in stage_key(name, s)))
    return _tables(key, result())


@st.cache_data(show_spinner="Trying each k for the sweep chart…", max_entries=8)
def _k_sweep(key: tuple, _space, _settings: Settings, ks: tuple[int, ...]) -> pd.DataFrame:
    return pipeline.k_sweep(session.corpus(), _space, _settings, ks)


def sweep_settings() -> Settings:
    """The settings the k sweep uses: the current ones, with KMeans for a method that does not take k."""
    s = settings()
    return s if s.topic_count is not None else dataclasses.replace(s, method=SWEEP_METHOD)


def k_sweep() -> pd.DataFrame:
    """Silhouette and NPMI coherence for k = 2 .. max_k() (every k, or every few for a slow method)."""
    s = sweep_settings()
    ks = tuple(range(2, session.max_k() + 1, method(s.method).sweep_step))
    return _k_sweep((session.fingerprint(), *stage_key("space", s), s.method), get("space", s), s, ks)


@st.cache_data(show_spinner="Listing the recommendations…", max_entries=64)
def _user_recommendations(user: str, key: tuple, _settings: Settings, _recommender) -> pd.DataFrame:
    return _recommender.recommend(top_n=_settings.top_n, users=[user])


def user_recommendations(user: str) -> pd.DataFrame:
    """One user's rows of the recommendations stage (recommendations.csv), from the same recommender, without
    listing every user's after each new k (at a million texts that took 27-51 s; bench/README.md)."""
    s = settings()
    return _user_recommendations(user, (session.fingerprint(), *stage_key("recommendations", s)), s,
                                 get("recommender"))


@st.cache_data(show_spinner="Reading your text…", max_entries=32)
def _profile(text: str, key: tuple, _settings: Settings, _vectors, _recommender):
    vector, vectors = pipeline.embed_profile(text, session.corpus(), _settings, _vectors, cache=session.disk_cache())
    return _recommender.recommend_for_texts([text], vector, text_vectors=vectors.texts,
                                            catalogue_vectors=vectors.catalogue, top_n=_settings.top_n)


def profile_recommendations(text: str) -> tuple[np.ndarray, pd.DataFrame]:
    """A new user's topic mix from their own words, and what the page's recommender lists for them."""
    s = settings()
    return _profile(text, (session.fingerprint(), *stage_key("recommendations", s)), s, get("vectors"),
                    get("recommender"))


def comparison() -> dict:
    """Topics of the current (adapted) model against its base model with the same data and settings."""
    s = session.settings()
    before = dataclasses.replace(s, model=read_record(s.model)["base_model"])
    return compare_topics(get("labels", before), get("quality", before), get("labels"), get("quality"))


def known_vectors() -> KnownVectors | None:
    """The session's embeddings for its own settings when they are ready (saved with the session), else None."""
    s = session.settings()
    if not embedding.ready(s):
        return None
    return KnownVectors(fingerprint=session.fingerprint(), settings=s, embeddings=get("vectors", s))
