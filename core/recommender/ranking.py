"""Top-N selection: each user's best items that they have not seen, by score, then by the order the
items are listed in. Items that score alike for every user (texts as items: one-hot topics) are scored
once per kind, so 100,000 texts cost as much as k kinds."""
from __future__ import annotations

import numpy as np


def kinds(parts: list[np.ndarray] | None, n_items: int) -> tuple[np.ndarray, np.ndarray]:
    """(the distinct rows of the columns `parts` side by side, the kind of each item); every item its own
    kind without them.

    Rows are grouped by one number each (their dot product with a fixed random vector: equal rows give
    equal numbers), then checked, block by block, to equal their group's first row; only if two different
    rows met on one number does np.unique sort the rows themselves. The columns are never copied side by
    side: at a million texts as items that copy and the sort took 3 s, this takes under a second."""
    if parts is None:
        return np.arange(n_items)[:, None], np.arange(n_items)
    # in their own dtype: a million float32 rows times a float64 vector would first be copied to float64
    parts = [np.asarray(part).reshape(n_items, -1) for part in parts]
    rng = np.random.default_rng(0)
    key = sum(part @ rng.random(part.shape[1]).astype(np.result_type(part, np.float32)) for part in parts)
    _, first, kind_of = np.unique(key, return_index=True, return_inverse=True)
    kind_of = kind_of.ravel()
    if all(_rows_equal(part, part[first], kind_of) for part in parts):
        return np.column_stack([part[first] for part in parts]), kind_of
    distinct, kind_of = np.unique(np.column_stack(parts), axis=0, return_inverse=True)
    return distinct, kind_of.ravel()


def _rows_equal(part: np.ndarray, distinct: np.ndarray, kind_of: np.ndarray, block: int = 1 << 16) -> bool:
    return all((part[s:s + block] == distinct[kind_of[s:s + block]]).all() for s in range(0, len(part), block))


def heads_of_kinds(kind_of: np.ndarray, n_kinds: int, need: int) -> np.ndarray:
    """kinds x h: the first h = min(need, largest kind) items of each kind by position, -1 after its last."""
    order = np.argsort(kind_of, kind="stable")
    sizes = np.bincount(kind_of, minlength=n_kinds)
    position = np.arange(len(order)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    heads = np.full((n_kinds, min(need, int(sizes.max()))), -1, dtype=np.int64)
    keep = position < heads.shape[1]
    heads[kind_of[order[keep]], position[keep]] = order[keep]
    return heads


def best_items(scores: np.ndarray, heads: np.ndarray, kind_of: np.ndarray, blocked: list[np.ndarray], n: int,
               limit: int = 1 << 22) -> np.ndarray:
    """users x n: each user's n best items that are not blocked, by their kind's score, then the item
    listed first (-1 where fewer are left). Only the best kinds are looked at: the top n + blocked
    ones, and any tied with the last, hold enough items."""
    users, n_kinds = scores.shape
    need = n + max(map(len, blocked), default=0)
    m = min(need, n_kinds)
    cut = -np.partition(-scores, m - 1, axis=1)[:, m - 1]
    width = int((scores >= cut[:, None]).sum(axis=1).max())
    h = min(need, heads.shape[1])
    if users > 1 and users * width * h > limit:  # many tied kinds: fewer users at a time
        half = users // 2
        return np.vstack([best_items(scores[:half], heads, kind_of, blocked[:half], n, limit),
                          best_items(scores[half:], heads, kind_of, blocked[half:], n, limit)])
    top = np.argpartition(-scores, width - 1, axis=1)[:, :width] if width < n_kinds else \
        np.broadcast_to(np.arange(n_kinds), (users, n_kinds))
    candidates = heads[top, :h].reshape(users, -1)
    kind_scores = np.repeat(np.take_along_axis(scores, top, axis=1), h, axis=1)
    valid = (candidates >= 0) & (kind_scores >= cut[:, None])
    if any(len(b) for b in blocked):
        rows = np.repeat(np.arange(users), [len(b) for b in blocked])
        span = len(kind_of) + 1
        valid &= ~np.isin(np.arange(users)[:, None] * span + candidates, rows * span + np.concatenate(blocked))
    order = np.lexsort((candidates, -kind_scores, ~valid), axis=-1)[:, :n]
    best = np.full((users, n), -1, dtype=np.int64)
    best[:, :order.shape[1]] = np.where(np.take_along_axis(valid, order, axis=1),
                                        np.take_along_axis(candidates, order, axis=1), -1)
    return best
