"""Embedding in the background: a corpus that is not in the disk cache yet is embedded by a job (ui/jobs.Job)
that runs the vectors stage itself (core.stages), while every page stays usable and shows what is ready:
the data, and the results of the TF-IDF/LSA baseline, which needs no language model. A panel above each page
shows the progress (moving with every batch, a second or two apart on a CPU), a time estimate and Cancel;
what was embedded stays in the disk cache, so resuming starts where it stopped. When the job is done its
vectors go to the vectors stage as known embeddings (core.stages.KnownVectors) and the pages switch over.

    settings = embedding.shown_settings()   # the session's, or the same with the baseline while embedding
"""
from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass

import streamlit as st

from core.embedders import BASELINE, model_entry
from core.settings import Settings
from core.stages import BY_NAME, Context, KnownVectors, model_choice, pending_texts, stage_key
from ui import charts, jobs, session

INLINE_TEXTS = 32  # texts missing from the disk cache that the page embeds itself (seconds), without a job
_ONE_AT_A_TIME = threading.Lock()  # one embedding at a time in the process: two would share the same cores


@dataclass(kw_only=True)
class Embedding:
    """This session's background embedding: what it is for (the data and the settings it reads) and the job."""

    key: tuple
    settings: Settings
    model: str
    job: jobs.Job | None = None
    waiting: bool = True  # queued behind another session's embedding
    kept: int | None = None  # after a stop: texts in the disk cache (whole chunks; the last one's work is lost)


def _key(settings: Settings) -> tuple:
    return (session.fingerprint(), *stage_key("vectors", settings))


def current() -> Embedding | None:
    return st.session_state.get("embedding")


def ready(settings: Settings) -> bool:
    """Whether the vectors for `settings` can be had now without a long wait: already made in this session,
    known (a reopened session, a finished job), a model fitted on the corpus, or at most INLINE_TEXTS texts
    missing from the disk cache."""
    done = st.session_state.setdefault("vectors_ready", set())
    key = _key(settings)
    if key in done:
        return True
    known = st.session_state.get("known")
    job = current()
    if known is not None and known.fits(session.corpus(), settings):
        pass
    elif job is not None and job.key == key:
        if job.job.running or job.job.stopped or job.job.error:
            return False
        _adopt(job)
    elif pending_texts(settings, session.corpus(), session.disk_cache()) > INLINE_TEXTS:
        return False
    done.add(key)
    return True


def _adopt(job: Embedding) -> None:
    """A finished job's vectors become the known embeddings that the vectors stage returns."""
    st.session_state.known = KnownVectors(fingerprint=job.key[0], settings=job.settings, embeddings=job.job.result)
    st.session_state.embedding = None


def shown_settings() -> Settings:
    """The settings whose results the pages show: the session's when their vectors are ready; else the
    same with the TF-IDF/LSA baseline, while a job embeds the texts in the background (started here)."""
    settings = session.settings()
    if ready(settings):
        return settings
    job = current()
    if job is None or job.key != _key(settings):
        start(settings)
    return dataclasses.replace(settings, model=BASELINE)


def start(settings: Settings) -> None:
    """Embed the loaded corpus for `settings` in the background (stopping this session's earlier job)."""
    if (old := current()) is not None:
        old.job.stop()
    corpus, cache = session.corpus(), session.disk_cache()
    model = model_choice(corpus, settings)[0]
    embedding = Embedding(key=_key(settings), settings=settings, model=model)

    def work(progress, should_stop):
        def report(done: int, total: int) -> None:
            if should_stop():
                raise jobs.Stopped
            progress(done, total)

        while not _ONE_AT_A_TIME.acquire(timeout=0.5):
            if should_stop():
                raise jobs.Stopped
        try:
            embedding.waiting = False
            return BY_NAME["vectors"].run(settings, corpus, Context(cache=cache, progress=report))
        finally:
            _ONE_AT_A_TIME.release()

    embedding.job = jobs.Job(work, name="embed")
    st.session_state.embedding = embedding


def resume() -> None:
    if (job := current()) is not None:
        start(job.settings)


def panel() -> None:
    """Above every page: the background embedding's progress and Cancel, or why it stopped."""
    shown_settings()
    job = current()
    if job is None:
        return
    if job.key != _key(session.settings()):  # the data or the model changed since; its job is not needed
        job.job.stop()
        st.session_state.embedding = None
        return
    if job.job.running:
        st.fragment(_progress, run_every=2 if job.waiting else 0.5)()  # a queued job has no count to show
    elif job.job.stopped:
        if job.kept is None:
            corpus = session.corpus()
            texts = set(corpus.texts) | set(corpus.catalogue.texts if corpus.catalogue else ())
            job.kept = len(texts) - pending_texts(job.settings, corpus, session.disk_cache())
        st.info(charts.markdown(f"Embedding stopped: {job.kept:,} texts are embedded and kept in the disk cache, so "
                                "resuming starts from there. Meanwhile the pages show the TF-IDF/LSA baseline."))
        st.button("Resume embedding", on_click=resume, icon=":material/play_arrow:")
    elif job.job.error:
        st.error(charts.markdown(f"Embedding failed: {job.job.error} Meanwhile the pages show the TF-IDF/LSA "
                                 "baseline."))
        st.button("Try again", on_click=resume)


def _progress() -> None:
    """Redrawn twice a second while the job runs; the whole app reruns once it has finished."""
    job = current()
    if job is None or not job.job.running:
        st.rerun()
    label = model_entry(job.model).label
    done, total, seconds = job.job.done, job.job.total, job.job.seconds
    if job.waiting:
        text = f"Waiting for another visitor's texts to be embedded first… ({seconds:.0f} s)"
    elif not total:
        text = f"Loading {label}… ({seconds:.0f} s)"
    else:
        left = job.job.seconds_left
        text = (f"Embedding {done:,} of {total:,} texts with {label} in the background · {_duration(seconds)} so far"
                + (f" · about {_duration(left)} left" if left is not None else ""))
    st.progress(done / total if total else 0.0, text=charts.markdown(text) + (" (stopping…)" if job.job.stopping else ""))
    left_column, right_column = st.columns([4, 1])
    left_column.caption("Meanwhile every page works and shows the TF-IDF/LSA baseline (no language model); they "
                        "switch to the language model's results when it is done. Cancel keeps what is embedded.")
    right_column.button("Cancel", on_click=job.job.stop, disabled=job.job.stopping, key="cancel_embedding",
                        icon=":material/stop:")


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min" if seconds < 5400 else f"{seconds / 3600:.1f} h"

