"""Session state, settings-bound widgets and the cached pipeline stages that the pages read.

Each stage is cached on its own inputs: the data fingerprint plus only the settings it reads. So
moving the k slider re-clusters but never embeds or runs UMAP again, and moving the latent-factor
slider only refactorises. Big inputs (the corpus, vectors) are passed unhashed (leading underscore)
next to the small key that identifies them; embeddings are also cached on disk by core.embed.
"""
from __future__ import annotations

import dataclasses
import re
import runpy
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from core import pipeline, reduce
from core.adapt import adapt, compare_topics, delete_adapted_model, fingerprint, read_record
from core.data import Corpus, build_catalogue, build_corpus, build_interactions, load_demo, read_table
from core.embed import EmbeddingCache
from core.evaluate import topic_quality
from core.export import csv_bytes, json_bytes, run_record, tables
from core.interests import factorize
from core.keywords import describe_topics
from core.recommend import recommend, recommend_for_profile, seen_items
from ui.jobs import Job

MODEL_NAMES = {"default": "Bundled all-MiniLM-L6-v2", "tfidf": "TF-IDF / LSA baseline"}
METHOD_NAMES = {"kmeans": "KMeans (choose k)", "hdbscan": "HDBSCAN (automatic)",
                "agglomerative": "Agglomerative (choose k)", "lda": "LDA on word counts (choose k)"}
# The settings each stage reads: its cache key is the data fingerprint plus these values.
EMBED = ("model", "windows", "precision", "seed")
VIEW = EMBED + ("n_neighbors",)
POINTS = VIEW + ("cluster_dims",)
TOPICS = POINTS + ("method", "k", "min_cluster_size", "reassign_outliers")
ITEMS = TOPICS + ("min_rating",)
FACTORS = ITEMS + ("factors",)
EVALUATION = FACTORS + ("popularity_weight",)
RECS = EVALUATION + ("top_n",)
OPTIONS = {"dims": 2, "colour": "topic", "highlight": None, "shown_users": 30, "user": None, "sweep": True,
           "new_user_text": "", "compare": False}
MAX_K = 30
APP = Path(__file__).resolve().parent.parent / "app.py"


# --- session ------------------------------------------------------------------------------------

def init() -> None:
    """Default settings, and the bundled demo as the dataset until another is loaded."""
    st.session_state.setdefault("settings", pipeline.Settings())
    st.session_state.setdefault("options", dict(OPTIONS))
    if "corpus" not in st.session_state:
        use(demo())


def page_start() -> None:
    """Called first by every page, so that a page always runs inside app.py (state, sidebar, errors).
    Streamlit runs a page file on its own while it takes pages/ for an old-style multipage folder: for
    the first request after a server start, until app.py has called st.navigation once, and in every
    AppTest run. Then run app.py here, which runs this page inside it, and stop this bare run."""
    if not st.session_state.get("in_app"):
        runpy.run_path(str(APP), run_name="__main__")
        st.stop()


@st.cache_resource(show_spinner=False)
def warm_up_umap() -> threading.Thread:
    """Compile UMAP in a background thread, once per server process, after the first page is shown:
    the first UMAP view (Embeddings, HDBSCAN) then need not wait the ~8 s of numba compiling."""
    thread = threading.Thread(target=reduce.warm_up, name="umap-warm-up", daemon=True)
    thread.start()
    return thread


@st.cache_resource(show_spinner="Reading the bundled demo…")
def demo() -> Corpus:
    return load_demo()


def corpus() -> Corpus:
    return st.session_state.corpus


def settings() -> pipeline.Settings:
    return st.session_state.settings


def use(new: Corpus) -> None:
    """Make `new` the loaded dataset; choices about particular users start afresh."""
    st.session_state.corpus = new
    st.session_state.fingerprint = new.fingerprint
    st.session_state.options = dict(OPTIONS)
    for key in [k for k in st.session_state if str(k).startswith("w_")]:
        del st.session_state[key]
    update(k=min(settings().k, max_k()))


def update(**changes) -> None:
    st.session_state.settings = dataclasses.replace(settings(), **changes)


def model_name(model: str | None = None) -> str:
    model = model or settings().model
    if (record := adapted_record(model)) is not None:
        return f"{Path(model).name} (adapted from {model_name(record.get('base_model') or 'default')})"
    return MODEL_NAMES.get(model, model)


def max_k() -> int:
    return max(2, min(MAX_K, len(corpus())))


def _get(name: str):
    fields = {f.name for f in dataclasses.fields(pipeline.Settings)}
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


# --- reading uploads ----------------------------------------------------------------------------

@st.cache_data(show_spinner="Reading the file…", max_entries=8)
def _read(name: str, file_id: str, _data: bytes) -> tuple[pd.DataFrame, dict]:
    return read_table(_data, name=name)


def read_upload(upload) -> tuple[pd.DataFrame, dict]:
    """The table in an uploaded file (cached on the upload, not its bytes)."""
    return _read(upload.name, upload.file_id, upload.getvalue())


def corpus_from_upload(upload, columns: dict, catalogue=None, interactions=None) -> Corpus:
    """A Corpus from the uploaded texts with the mapped columns, plus an optional catalogue and log."""
    frame, info = read_upload(upload)
    return build_corpus(frame, columns["text"], user_col=columns["user"], item_col=columns["item"],
                        label_col=columns["label"], time_col=columns["time"], source=upload.name, info=info,
                        catalogue=build_catalogue(read_upload(catalogue)[0]) if catalogue else None,
                        interactions=build_interactions(read_upload(interactions)[0]) if interactions else None)


# --- the cached stages --------------------------------------------------------------------------

def key(fields: tuple[str, ...], s: pipeline.Settings | None = None) -> tuple:
    s = s or settings()
    return (st.session_state.fingerprint, *(getattr(s, f) for f in fields))


def embedder(s: pipeline.Settings):
    """The embedder for the settings (core.pipeline makes each one once per process)."""
    with st.spinner("Loading the language model…"):
        return pipeline.embedder_for(s)


def check_model(model: str) -> None:
    """Load `model` with the current settings, so that one that cannot be used is reported now (CoreError)."""
    embedder(dataclasses.replace(settings(), model=model))


@st.cache_resource(show_spinner=False)
def disk_cache() -> EmbeddingCache:
    return EmbeddingCache()


@st.cache_data(show_spinner=False, max_entries=4)
def _embed(_corpus: Corpus, _settings: pipeline.Settings, key: tuple):
    s = _settings
    embedder(s)  # a missing model fails here, before any progress
    name = model_name(s.model)
    slot = st.empty()  # made inside the cached call so that Streamlit can replay it on a cache hit
    bar = slot.progress(0.0, text=f"Embedding with {name}…")
    shown = [-1.0]

    def report(done: int, total: int) -> None:
        if done == total or done / total - shown[0] >= 0.02:
            shown[0] = done / total
            bar.progress(done / total, text=f"Embedding with {name}: {done} / {total} texts")

    vectors = pipeline.embed(_corpus, s, cache=disk_cache(), progress=report)
    slot.empty()
    return vectors


def vectors(s: pipeline.Settings | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """Text vectors and catalogue vectors, embedded together (with the current settings unless given;
    the same holds for the stages below)."""
    s = s or settings()
    return _embed(corpus(), s, key(EMBED, s))


@st.cache_data(show_spinner="Projecting with UMAP… (right after a server start, numba may still be compiling "
                            "UMAP: up to about 10 s)", max_entries=8)
def _project(_vectors: np.ndarray, _settings: pipeline.Settings, key: tuple, dims: int | None) -> np.ndarray:
    return pipeline.project(_vectors, _settings, dims)


@st.cache_data(show_spinner="Preparing the clustering space (UMAP for HDBSCAN)…", max_entries=8)
def _space(_vectors: np.ndarray, _settings: pipeline.Settings, key: tuple) -> np.ndarray | None:
    return pipeline.clustering_space(_vectors, _settings)


def points(s: pipeline.Settings | None = None) -> np.ndarray | None:
    """Where the method clusters, as core.pipeline.clustering_space decides (UMAP for HDBSCAN, the
    embeddings' principal axes for KMeans and agglomerative, None for LDA), computed once per method."""
    s = s or settings()
    return _space(vectors(s)[0], s, key(POINTS, s) + (s.method,))


def view(dims: int = 2, s: pipeline.Settings | None = None) -> np.ndarray:
    """UMAP coordinates for the 2D or 3D scatter."""
    s = s or settings()
    return _project(vectors(s)[0], s, key(VIEW, s), dims)


@st.cache_data(show_spinner="Finding topics…", max_entries=32)
def _topics(_corpus: Corpus, _vectors: np.ndarray, _points, _settings: pipeline.Settings, key: tuple):
    labels = pipeline.assign_topics(_corpus.texts, _points, _settings)
    return labels, describe_topics(_corpus.texts, labels, _vectors, top_n=10)


def topics(s: pipeline.Settings | None = None):
    """(a topic id per text, the described topics) for the current method and k."""
    s = s or settings()
    return _topics(corpus(), vectors(s)[0], points(s), s, key(TOPICS, s))


def topic_labels() -> dict[int, str]:
    return {t.id: t.label for t in topics()[1]}


def quality_space(s: pipeline.Settings | None = None) -> np.ndarray:
    """Where silhouette is measured: the clustering space (the 2D view for LDA, as the pipeline does)."""
    s = s or settings()
    return view(2, s) if s.method == "lda" else points(s)


@st.cache_data(show_spinner=False, max_entries=32)
def _quality(_corpus: Corpus, _labels, _topics, _space, key: tuple) -> dict:
    words = [list(t.words) for t in _topics if t.id >= 0]
    return topic_quality(_corpus.texts, words, _labels, _space, _corpus.labels)


def quality(s: pipeline.Settings | None = None) -> dict:
    """Coherence, diversity, silhouette, and purity/NMI/ARI when labels are mapped."""
    s = s or settings()
    labels, found = topics(s)
    return _quality(corpus(), labels, found, quality_space(s), key(TOPICS, s))


def sweep_method() -> str:
    return "kmeans" if settings().method == "hdbscan" else settings().method


@st.cache_data(show_spinner="Trying each k for the sweep chart…", max_entries=8)
def _k_sweep(_corpus: Corpus, _space, _settings: pipeline.Settings, key: tuple, ks: tuple[int, ...]) -> pd.DataFrame:
    rows = []
    for k in ks:
        labels = pipeline.assign_topics(_corpus.texts, _space, dataclasses.replace(_settings, k=k))
        words = [list(t.words) for t in describe_topics(_corpus.texts, labels, top_n=10) if t.id >= 0]
        figures = topic_quality(_corpus.texts, words, labels, _space)
        rows.append({"k": k, "silhouette": figures.get("silhouette"), "coherence": figures["npmi"]})
    return pd.DataFrame(rows)


def k_sweep() -> pd.DataFrame:
    """Silhouette and NPMI coherence for k = 2 .. max_k() with the current method (KMeans for HDBSCAN;
    every 4th k for LDA, which takes about a second per fit on the demo)."""
    s = dataclasses.replace(settings(), method=sweep_method())
    ks = tuple(range(2, max_k() + 1, 4 if s.method == "lda" else 1))
    return _k_sweep(corpus(), quality_space(s), s, key(POINTS) + (s.method,), ks)


@st.cache_data(show_spinner=False, max_entries=32)
def _interests(_corpus: Corpus, _vectors, _catalogue_vectors, _labels, _settings: pipeline.Settings, key: tuple):
    liked = pipeline.positive(_corpus.interactions, _settings.min_rating)
    items = pipeline.item_topics(_corpus, _labels, _vectors, _catalogue_vectors, liked)
    return items, pipeline.interests(_corpus, _labels, items, liked)


def interests():
    """(the items with their topic vectors, R: users x topics)."""
    return _interests(corpus(), *vectors(), topics()[0], settings(), key(ITEMS))


@st.cache_data(show_spinner=False, max_entries=32)
def _factorize(_R: pd.DataFrame, factors: int, seed: int, key: tuple):
    return factorize(_R, factors, seed=seed)


def factorization():
    """R ~ U V^T with the current number of latent factors."""
    s = settings()
    return _factorize(interests()[1], s.factors, s.seed, key(FACTORS))


@st.cache_data(show_spinner="Ranking items for every user…", max_entries=32)
def _recommend(_corpus: Corpus, _R, _factorization, _items, _topics, _settings: pipeline.Settings, key: tuple):
    return recommend(_R, _factorization.reconstructed, _items, _topics,
                     seen=seen_items(_corpus.users, _corpus.items, _corpus.interactions),
                     top_n=_settings.top_n, popularity_weight=_settings.popularity_weight)


def recommendations() -> pd.DataFrame:
    """Top-N unseen items per user: user_id, rank, item_id, title, score, reason."""
    items, R = interests()
    return _recommend(corpus(), R, factorization(), items, topics()[1], settings(), key(RECS))


@st.cache_data(show_spinner="Evaluating: holding out each user's latest liked item…", max_entries=8)
def _evaluate(_corpus: Corpus, _settings: pipeline.Settings, _labels, _vectors, _catalogue_vectors, key: tuple):
    return pipeline.evaluate_recommendations(_corpus, _settings, _labels, _vectors, _catalogue_vectors)


def evaluation() -> dict | None:
    """Leave-last-out HR@10 / NDCG@10 of the project, popularity and random; None without interactions."""
    c = corpus()
    if c.interactions is None or not len(c.interactions):
        return None
    return _evaluate(c, settings(), topics()[0], *vectors(), key(EVALUATION))


@st.cache_data(show_spinner="Reading your text…", max_entries=32)
def _profile(text: str, _corpus: Corpus, _vectors, _labels, _items, _topics, _settings: pipeline.Settings,
             key: tuple):
    s = _settings
    vector, space = pipeline.embed_profile(text, _corpus, s, _vectors, cache=disk_cache())
    return recommend_for_profile(vector, space, _labels, _items, _topics, top_n=s.top_n,
                                 popularity_weight=s.popularity_weight)


def profile_recommendations(text: str) -> tuple[np.ndarray, pd.DataFrame]:
    """A new user's topic mix from their own words, and the items recommended for it."""
    labels, found = topics()
    return _profile(text, corpus(), vectors()[0], labels, interests()[0], found, settings(), key(RECS))


def result() -> pipeline.Result:
    """The current run as the Result that core.export reads (the same shape the command line writes)."""
    s, (text_vectors, _), (labels, found) = settings(), vectors(), topics()
    items, R = interests()
    metrics = {"topics": quality()}
    if (figures := evaluation()) is not None:
        metrics["recommendations"] = figures
    return pipeline.Result(corpus(), s, text_vectors, quality_space(), view(2), labels, found, R, factorization(),
                           items, recommendations(), metrics)


# --- adapting the model (core.adapt) -------------------------------------------------------------

def adapted_record(model: str | None = None) -> dict | None:
    """The adaptation record of `model` (default: the current one), None when it was not adapted."""
    model = model or settings().model
    return None if model in MODEL_NAMES else read_record(model)


def adapted_on_these_texts(record: dict) -> bool:
    return record.get("data", {}).get("fingerprint") == fingerprint(corpus().texts)


def adapt_job() -> Job | None:
    """This session's adaptation, running or finished, if one was started."""
    return st.session_state.get("adapt_job")


def start_adapting(steps: int, minutes: float, seed: int) -> None:
    """Adapt the current model to the loaded texts in the background (one job per session)."""
    texts, base = list(corpus().texts), settings().model
    st.session_state.adapt_job = Job(lambda progress, should_stop: adapt(
        texts, base, steps=steps, max_seconds=minutes * 60, seed=seed, progress=progress,
        should_stop=should_stop), name="adapt")


def delete_adapted(path: str) -> None:
    """Delete an adapted model folder; if it was in use, go back to the bundled model."""
    delete_adapted_model(path)
    if settings().model == path:
        update(model="default")


def comparison() -> dict:
    """Topics of the current (adapted) model against its base model with the same data and settings."""
    before = dataclasses.replace(settings(), model=adapted_record()["base_model"])
    return compare_topics(topics(before)[0], quality(before), topics()[0], quality())


# --- shaped for display -------------------------------------------------------------------------

def users_by_activity() -> pd.Series:
    """Texts written plus items rated, per user in R, most active first (ties in first-seen order)."""
    c = corpus()
    events = pd.Series(c.users)
    if c.interactions is not None:
        events = pd.concat([events, c.interactions["user_id"]])
    counts = events.value_counts(sort=False).reindex(interests()[1].index, fill_value=0)
    return counts.sort_values(ascending=False, kind="stable")


def interest_profile(user: str) -> pd.DataFrame:
    """One user's topic shares in R and what U V^T predicts, by topic label."""
    R = interests()[1]
    names = topic_labels()
    predicted = factorization().reconstructed.loc[user].to_numpy()
    return pd.DataFrame({"share": R.loc[user].to_numpy(), "predicted": predicted}, index=[names[t] for t in R.columns])


FIGURES = {"topics": "Topics", "npmi": "Coherence (NPMI)", "diversity": "Diversity", "silhouette": "Silhouette",
           "outliers": "Outliers (share)", "purity": "Purity", "nmi": "NMI", "ari": "ARI"}


def comparison_frame(found: dict) -> pd.DataFrame:
    """The before/after figures of comparison() as a table, one row per quality figure."""
    rows = {FIGURES.get(name, name): values for name, values in found["figures"].items()}
    return pd.DataFrame.from_dict(rows, orient="index", columns=["before", "after", "change"])


def view_frame(dims: int) -> pd.DataFrame:
    """One row per text: its view coordinates, text, user, topic label and (when mapped) label."""
    c, coords = corpus(), view(dims)
    names = topic_labels()
    order = [names[t] for t in sorted(names, key=lambda t: (t < 0, t))]
    frame = pd.DataFrame(coords[:, :dims], columns=["x", "y", "z"][:dims])
    frame["text"], frame["user"] = c.texts, c.users
    frame["topic"] = pd.Categorical([names[t] for t in topics()[0]], categories=order)
    if c.labels is not None:
        frame["label"] = c.labels
    return frame


EXPORTS = {"documents": "documents-with-topics", "topics": "topic-keywords", "R": "R-user-topic-interests",
           "U": "U-user-latent-factors", "V": "V-topic-latent-factors", "recommendations": "recommendations",
           "metrics": "quality-metrics", "run": "run-settings"}


def export_name(stem: str, extension: str) -> str:
    """A file name that says which data, method and k it came from, and what it holds."""
    s = settings()
    source = re.sub(r"[^\w.-]+", "-", corpus().report.source).strip("-.") or "data"
    k = "auto" if s.method == "hdbscan" else s.k
    return f"{source}_{s.method}-k{k}_{EXPORTS[stem]}.{extension}"


@st.cache_data(show_spinner="Preparing the downloads…", max_entries=4)
def _downloads(_result: pipeline.Result, key: tuple) -> list[tuple[str, str, bytes]]:
    files = []
    for stem, frame in tables(_result).items():
        with_index = stem in ("R", "U", "V")
        records = (frame.reset_index() if with_index else frame).to_json(orient="records", force_ascii=False)
        files += [(stem, "csv", csv_bytes(frame, index=with_index)), (stem, "json", records.encode("utf-8"))]
    files += [("metrics", "json", json_bytes(_result.metrics)), ("run", "json", json_bytes(run_record(_result)))]
    return files


def downloads() -> list[tuple[str, str, bytes]]:
    """(what, file name, bytes) of every export: each table as CSV (through core.export.csv_bytes, which
    neutralises spreadsheet formulas) and as JSON records, then the metrics and the run settings."""
    return [(stem, export_name(stem, extension), data) for stem, extension, data in _downloads(result(), key(RECS))]
