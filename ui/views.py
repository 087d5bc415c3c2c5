"""Results shaped for display: tables and frames that the pages hand to charts."""
from __future__ import annotations

import pandas as pd

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


EVALUATION_COLUMNS = {"hr@10": "HR@10", "hr@10 se": "± SE", "ndcg@10": "NDCG@10", "coverage": "Coverage",
                      "popular share": "Top-10 % share"}
SYSTEMS = {"project": "project", "collaborative": "collaborative alone (ALS)", "popularity": "popularity",
           "random": "random"}


def evaluation_frame(evaluation) -> pd.DataFrame:
    """One row per system of a core.recommender.Evaluation (the project first), its figures as columns."""
    rows = {label: evaluation.systems[name] for name, label in SYSTEMS.items() if name in evaluation.systems}
    return pd.DataFrame(rows).T.reindex(columns=list(EVALUATION_COLUMNS)).rename(columns=EVALUATION_COLUMNS)
