"""Views of the topics that analysts rely on, as tables: topics over time, topics per label or domain,
an intertopic distance map, the topic hierarchy, and which topics in one domain go with which in another.
ui/charts draws them; core.export writes them."""
from __future__ import annotations

import numpy as np
import pandas as pd

from core.items import topic_centroids

PERIODS = (("D", "day", 21), ("W", "week", 150), ("M", "month", 3 * 365), ("Q", "quarter", 8 * 365))  # up to that many days


def period_of(times) -> tuple[pd.Series | None, str]:
    """Each text's period (as text) and the period's name, chosen so that the time span holds roughly 10-50
    periods (days up to three weeks, weeks up to five months, months up to three years, quarters up to
    eight, years beyond); (None, why) when fewer than half the times can be read as dates."""
    parsed = pd.to_datetime(pd.Series(list(times), dtype=object), errors="coerce", utc=True, format="mixed")
    if parsed.notna().mean() < 0.5:
        return None, "fewer than half of the time values read as dates"
    days = (parsed.max() - parsed.min()).days
    code, name = next(((c, n) for c, n, limit in PERIODS if days <= limit), ("Y", "year"))
    periods = parsed.dt.tz_localize(None).dt.to_period(code).astype(str).where(parsed.notna(), None)
    return periods, name


def shares(groups, labels, topic_names: dict[int, str], column: str) -> pd.DataFrame:
    """(group, topic, texts, share) for every group and topic, shares summing to 1 within a group; texts of
    no group (None) and outliers are left out."""
    frame = pd.DataFrame({column: list(groups), "topic": np.asarray(labels)})
    frame = frame[frame[column].notna() & (frame["topic"] >= 0)]
    counts = frame.groupby([column, "topic"]).size().rename("texts").reset_index()
    counts["share"] = counts["texts"] / counts.groupby(column)["texts"].transform("sum")
    counts["topic_label"] = counts["topic"].map(topic_names)
    return counts[[column, "topic", "topic_label", "texts", "share"]]


def topics_over_time(times, labels, topic_names: dict[int, str]) -> tuple[pd.DataFrame, str]:
    """(period, topic, texts, share) and the period's name; an empty table (and why) without readable dates."""
    periods, name = period_of(times)
    if periods is None:
        return pd.DataFrame(columns=["period", "topic", "topic_label", "texts", "share"]), name
    return shares(periods, labels, topic_names, "period").sort_values(["period", "topic"], ignore_index=True), name


def topic_map(vectors: np.ndarray, labels, topic_names: dict[int, str], seed: int = 42) -> pd.DataFrame:
    """Each topic's centroid placed in 2D by metric MDS of the cosine distances between centroids (close
    topics are close on the map), with its size: (topic, topic_label, x, y, size)."""
    from sklearn.manifold import MDS

    labels = np.asarray(labels)
    k = int(labels.max()) + 1 if (labels >= 0).any() else 0
    centroids = topic_centroids(vectors, labels, k)
    sizes = np.bincount(labels[labels >= 0], minlength=k)
    if k < 3:
        xy = np.column_stack([np.arange(k, dtype=float), np.zeros(k)])
    else:
        distances = np.clip(1 - centroids @ centroids.T, 0, None)
        np.fill_diagonal(distances, 0)
        xy = MDS(2, metric="precomputed", random_state=seed, n_init=4, init="random").fit_transform(distances)
    return pd.DataFrame({"topic": range(k), "topic_label": [topic_names.get(t, str(t)) for t in range(k)],
                         "x": xy[:, 0].round(5), "y": xy[:, 1].round(5), "size": sizes})


def topic_hierarchy(vectors: np.ndarray, labels, topic_names: dict[int, str]) -> pd.DataFrame:
    """Which topics merge first as k falls: average-linkage clustering of the topic centroids by cosine
    distance, one row per merge (parent, left, right, distance, parent_label). Topics keep their ids;
    merged groups get ids from k up, as in scipy's linkage."""
    from scipy.cluster.hierarchy import linkage

    labels = np.asarray(labels)
    k = int(labels.max()) + 1 if (labels >= 0).any() else 0
    if k < 2:
        return pd.DataFrame(columns=["parent", "left", "right", "distance", "parent_label"])
    merges = linkage(topic_centroids(vectors, labels, k), method="average", metric="cosine")
    names = {t: topic_names.get(t, str(t)) for t in range(k)}
    rows = []
    for n, (left, right, distance, _) in enumerate(merges):
        left, right = int(left), int(right)
        names[k + n] = f"{names[left]} + {names[right]}"
        rows.append({"parent": k + n, "left": left, "right": right, "distance": round(float(distance), 5),
                     "parent_label": names[k + n]})
    return pd.DataFrame(rows)


def domain_links(users, domains, labels, topic_names: dict[int, str], min_users: int = 2) -> pd.DataFrame:
    """For users who write in two or more domains: how much more often a user with topic A in one domain has
    topic B in another than users in general do (lift = P(B in b | A in a) / P(B in b)), with the number of
    users who have both; pairs with fewer than `min_users` such users are left out."""
    frame = pd.DataFrame({"user": list(users), "domain": list(domains), "topic": np.asarray(labels)})
    frame = frame[frame["domain"].notna() & (frame["domain"] != "") & (frame["topic"] >= 0)].drop_duplicates()
    active = frame.groupby("user")["domain"].nunique()
    frame = frame[frame["user"].isin(active[active >= 2].index)]
    columns = ["domain_a", "topic_a", "domain_b", "topic_b", "lift", "users", "topic_a_label", "topic_b_label"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    has = frame.assign(key=list(zip(frame["domain"], frame["topic"]))).groupby("key")["user"].apply(set).to_dict()
    everyone = frame["user"].nunique()
    rows = []
    for (da, ta), users_a in has.items():
        for (db, tb), users_b in has.items():
            both = len(users_a & users_b)
            if da == db or both < min_users:
                continue
            lift = (both / len(users_a)) / (len(users_b) / everyone)
            rows.append({"domain_a": da, "topic_a": ta, "domain_b": db, "topic_b": tb, "lift": round(lift, 4),
                         "users": both, "topic_a_label": topic_names.get(ta, str(ta)),
                         "topic_b_label": topic_names.get(tb, str(tb))})
    return pd.DataFrame(rows, columns=columns).sort_values(["lift", "users"], ascending=False, ignore_index=True)


def similar_texts(vectors: np.ndarray, texts, index: int, n: int = 10) -> pd.DataFrame:
    """"More like this" for one text: the n texts nearest to it (cosine), never the text itself or a copy of it."""
    similarity = vectors @ vectors[index]
    order = [i for i in np.argsort(-similarity, kind="stable") if i != index and texts[i] != texts[index]][:n]
    return pd.DataFrame({"row": order, "similarity": similarity[order].round(4), "text": [texts[i] for i in order]})
