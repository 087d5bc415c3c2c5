"""Results shaped for display: tables and frames that the pages hand to charts."""
from __future__ import annotations

import numpy as np
import pandas as pd

from core import export
from core.analysis import period_of
from core.evaluate import FIGURES
from ui import session, stages


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
    """One row per text: its view coordinates, text, user, topic label and (when mapped) label."""
    c, coords = session.corpus(), stages.get("view")
    names = stages.topic_labels()
    order = [names[t] for t in sorted(names, key=lambda t: (t < 0, t))]
    frame = pd.DataFrame(coords, columns=["x", "y", "z"][:coords.shape[1]])
    frame["text"], frame["user"] = c.texts, c.users
    frame["topic"] = pd.Categorical([names[t] for t in stages.get("labels")], categories=order)
    if c.labels is not None:
        frame["label"] = c.labels
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
