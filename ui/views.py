"""Results shaped for display: tables and frames that the pages hand to charts."""
from __future__ import annotations

import numpy as np
import pandas as pd

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
