"""Topics as an analyst shapes them: merged, split, renamed, and with words that must not describe them.

The edits are settings (core.settings.Settings: topic_edits, topic_names, stop_words), so they flow
through the declared pipeline like any other choice: the app, the command line and a saved session see
the same topics. Edits apply in order to the clustering's topic ids; merging keeps the first topic's id
and closes the gap, splitting adds the new topic at the end; names always refer to the ids after every
edit (the functions below move them along).
"""
from __future__ import annotations

import numpy as np

from core.errors import CoreError

MERGE, SPLIT = "merge", "split"


def apply_edits(labels: np.ndarray, edits, points: np.ndarray, seed: int) -> np.ndarray:
    """The labels after each (MERGE, keep, absorbed) or (SPLIT, topic, 0) edit in turn. A split re-clusters
    the topic's texts into two by KMeans on their rows of `points` (the clustering space or the vectors)."""
    labels = np.asarray(labels).copy()
    for kind, a, b in edits:
        count = int(labels.max()) + 1 if (labels >= 0).any() else 0
        if not (0 <= a < count and (kind == SPLIT or 0 <= b < count)) or (kind == MERGE and a == b):
            raise CoreError(f"The topic edit {kind} {a} {b} names a topic that does not exist (there are {count}); "
                            "clear the edits and make them again.")
        if kind == MERGE:
            labels[labels == b] = a
            labels[labels > b] -= 1
        elif kind == SPLIT:
            labels = _split(labels, a, count, points, seed)
        else:
            raise CoreError(f"Unknown topic edit '{kind}'; use {MERGE} or {SPLIT}.")
    return labels


def _split(labels: np.ndarray, topic: int, count: int, points: np.ndarray, seed: int) -> np.ndarray:
    from sklearn.cluster import KMeans

    members = np.flatnonzero(labels == topic)
    if len(members) < 2 or len(np.unique(points[members], axis=0)) < 2:
        raise CoreError(f"Topic {topic} has too few different texts to split.")
    halves = KMeans(2, n_init=10, random_state=seed).fit_predict(points[members])
    labels[members[halves == 1]] = count
    return labels


def merged(edits, names, keep: int, absorbed: int) -> tuple[tuple, tuple]:
    """(edits, names) with topic `absorbed` merged into `keep`: the merged topic keeps `keep`'s name (or
    takes `absorbed`'s when `keep` had none) and the names of later topics move down one id."""
    names = dict(names)
    if keep not in names and absorbed in names:
        names[keep] = names[absorbed]
    names.pop(absorbed, None)
    moved = {(t - 1 if t > absorbed else t): name for t, name in names.items()}
    return (*edits, (MERGE, keep, absorbed)), tuple(sorted(moved.items()))


def split(edits, names, topic: int) -> tuple[tuple, tuple]:
    """(edits, names) with `topic` split in two; the new half comes last, without a name."""
    return (*edits, (SPLIT, topic, 0)), tuple(names)


def renamed(names, topic: int, name: str) -> tuple:
    """Names with `topic` called `name` (an empty name removes it)."""
    names = {t: n for t, n in names if t != topic}
    if name.strip():
        names[topic] = " ".join(name.split())
    return tuple(sorted(names.items()))


def read_names(frame) -> tuple:
    """Topic names from a table with the columns topic and name (`core run --topic-names FILE`)."""
    if not {"topic", "name"} <= set(frame.columns):
        raise CoreError("The topic names file needs the columns topic and name (one row per topic to rename).")
    names = []
    for n, (topic, name) in enumerate(zip(frame["topic"], frame["name"]), 2):
        try:
            names.append((int(str(topic).strip()), str(name)))
        except ValueError:
            raise CoreError(f"Row {n} of the topic names file has topic '{topic}', not a topic number.") from None
    return tuple(sorted(dict(names).items()))
