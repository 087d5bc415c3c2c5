"""Results shaped for display: tables and frames that the pages hand to charts."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from core import export
from core.adapt import short_text_warning
from core.analysis import period_of, similar_texts
from core.domains import recommend_across_domains
from core.evaluate import FIGURES
from ui import charts, session, stages


def users_by_activity() -> pd.Series:
    """Texts written plus items rated, per user in R, most active first (ties in first-seen order)."""
    c = session.corpus()
    events = pd.Series(c.users)
    if c.interactions is not None:
        events = pd.concat([events, c.interactions["user_id"]])
    counts = events.value_counts(sort=False).reindex(stages.get("interests").index, fill_value=0)
    return counts.sort_values(ascending=False, kind="stable")


def interest_profile(user: str) -> pd.DataFrame:
    """One user's topic shares in R and what U V^T predicts, by topic label."""
    R = stages.get("interests")
    names = stages.topic_labels()
    predicted = stages.get("factorization").reconstructed.loc[user].to_numpy()
    return pd.DataFrame({"share": R.loc[user].to_numpy(), "predicted": predicted}, index=[names[t] for t in R.columns])


def comparison_frame(found: dict) -> pd.DataFrame:
    """The before/after figures of stages.comparison() as a table, one row per quality figure."""
    rows = {FIGURES[name].label if name in FIGURES else name: values for name, values in found["figures"].items()}
    return pd.DataFrame.from_dict(rows, orient="index", columns=["before", "after", "change"])


def view_frame() -> pd.DataFrame:
    """One row per text: its view coordinates, text, user, topic label and (when mapped) label; for more
    than charts.MAX_POINTS texts a seeded random sample of that many, with the count of all texts in
    frame.attrs["texts"] (the scatter says it shows a sample)."""
    c, coords, labels = session.corpus(), stages.get("view"), stages.get("labels")
    rows = np.arange(len(c))
    if len(c) > charts.MAX_POINTS:
        rows = np.sort(np.random.default_rng(session.settings().seed).choice(len(c), charts.MAX_POINTS, replace=False))
    names = stages.topic_labels()
    order = [names[t] for t in sorted(names, key=lambda t: (t < 0, t))]
    frame = pd.DataFrame(coords[rows], columns=["x", "y", "z"][:coords.shape[1]], index=rows)
    frame["text"], frame["user"] = [c.texts[i] for i in rows], [c.users[i] for i in rows]
    frame["topic"] = pd.Categorical([names[t] for t in labels[rows]], categories=order)
    if c.labels is not None:
        frame["label"] = [c.labels[i] for i in rows]
    frame.attrs["texts"] = len(c)
    return frame


def topic_names() -> dict[int, str]:
    return {t.id: t.label for t in stages.get("topics") if t.id >= 0}


def topic_texts(topic: int, search: str = "") -> pd.DataFrame:
    """Every text of a topic (its user, label and time when known), those holding `search` (any case) first
    filtered in; the most representative first."""
    c, labels = session.corpus(), stages.get("labels")
    found = next(t for t in stages.get("topics") if t.id == topic)
    members = [i for i in found.representatives] + [i for i in np.flatnonzero(labels == topic)
                                                    if i not in found.representatives]
    frame = pd.DataFrame({"text": [c.texts[i] for i in members], "user": [c.users[i] for i in members]})
    for name, values in (("label", c.labels), ("time", c.times), ("domain", c.domains)):
        if values is not None:
            frame[name] = [values[i] for i in members]
    if search.strip():
        frame = frame[frame["text"].str.contains(search.strip(), case=False, regex=False)]
    return frame


def topic_people_and_items(topic: int, n: int = 10) -> tuple[pd.Series, pd.DataFrame]:
    """The users who write about a topic most (their share of it in R) and the items that carry it most."""
    R, items = stages.get("interests"), stages.get("items")
    users = R[topic].sort_values(ascending=False, kind="stable").head(n) if topic in R else pd.Series(dtype=float)
    weights = items.topics[:, topic] if items.topics.shape[1] > topic else np.zeros(len(items.ids))
    order = np.argsort(-weights, kind="stable")[:n]
    carried = pd.DataFrame({"item": [items.titles[i] for i in order], "item id": [items.ids[i] for i in order],
                            "share of the topic": weights[order]})
    return users[users > 0], carried[carried["share of the topic"] > 0]


def analysis_tables() -> dict[str, pd.DataFrame]:
    """The analysis views the data allows, as core.export writes them (topics over time, per label, map,
    hierarchy, per domain and across domains)."""
    return {stem: frame for stem, frame in stages.tables().items()
            if stem in ("topics_over_time", "topics_per_label", "topic_map", "topic_hierarchy", "domains",
                        "domain_links")}


def factor_names() -> dict[str, str]:
    """Each latent factor named after its two strongest topics (core.export.factor_names)."""
    return export.factor_names(stages.get("factorization").V, stages.topic_labels())


def time_period() -> str:
    """The period the time line is counted in (day, week, month, quarter or year; see core.analysis)."""
    return period_of(session.corpus().times)[1]


def top_interests(n: int = 5) -> pd.Series:
    """The topics most users care about: each topic's mean share in R, largest first."""
    R = stages.get("interests")
    names = topic_names()
    return R.mean(axis=0).rename(index=names).sort_values(ascending=False).head(n)


EVALUATION_COLUMNS = {"hr@10": "HR@10", "hr@10 se": "± SE", "ndcg@10": "NDCG@10", "coverage": "Coverage",
                      "popular share": "Top-10 % share"}
SYSTEMS = {"project": "this recommender", "collaborative": "collaborative alone (ALS)", "popularity": "popularity",
           "random": "random"}


def evaluation_frame(evaluation) -> pd.DataFrame:
    """One row per system of a core.recommender.Evaluation (the recommender shown first), its figures as columns."""
    rows = {label: evaluation.systems[name] for name, label in SYSTEMS.items() if name in evaluation.systems}
    return pd.DataFrame(rows).T.reindex(columns=list(EVALUATION_COLUMNS)).rename(columns=EVALUATION_COLUMNS)


def popularity_below_random(table: pd.DataFrame) -> bool:
    return table.loc["popularity", "HR@10"] < table.loc["random", "HR@10"]


def more_like_this(row: int, n: int = 10) -> pd.DataFrame:
    """The texts nearest to one text (never the text itself or a copy of it), for a file without users."""
    c = session.corpus()
    return similar_texts(stages.get("vectors").texts, c.texts, row, n)


def user_domains(user: str) -> list[str]:
    """The domains a user writes in, in first-seen order."""
    c = session.corpus()
    return list(dict.fromkeys(d for u, d in zip(c.users, c.domains or ()) if u == user))


def across_domains(user: str, source: str, target: str) -> pd.DataFrame:
    """Items of domain `target` for `user` from what they write in `source` (core.domains)."""
    return recommend_across_domains(session.corpus(), stages.get("labels"), stages.get("items"), stages.get("topics"),
                                    user, source, target, top_n=session.settings().top_n)


def adapt_warning(model: str) -> str | None:
    """Why adapting `model` to the loaded texts is unlikely to help, when they are mostly short (core.adapt)."""
    return _adapt_warning(tuple(session.corpus().texts), model)


@st.cache_data(show_spinner="Checking the texts' lengths…", max_entries=8)
def _adapt_warning(texts: tuple[str, ...], model: str) -> str | None:
    return short_text_warning(texts, model)
