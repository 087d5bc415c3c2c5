"""A validated Corpus from a table: the texts and what is known about them, plus an optional item
catalogue and interaction log.

Nothing the user gave is changed: texts keep their exact characters; only empty texts are dropped
(and counted).
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from core.data.tables import read_table
from core.errors import CoreError
from core.language import NAMES as LANGUAGES, detect_language

if TYPE_CHECKING:
    from core.vectors import GivenVectors

ASSETS = Path(__file__).resolve().parents[2] / "assets"

COLUMN_HINTS = {
    "text": ("text", "review", "content", "body", "comment", "post", "message", "description", "文本", "内容"),
    "user": ("user_id", "user", "userid", "author", "customer", "reviewer", "用户"),
    "item": ("item_id", "item", "itemid", "product", "movie", "movieid", "article", "物品"),
    "label": ("label", "category", "interest", "class", "topic", "标签", "类别"),
    "time": ("time", "timestamp", "date", "datetime", "created_at", "时间"),
    "domain": ("domain", "source", "channel", "platform", "section", "来源", "渠道"),
    "rating": ("rating", "score", "stars", "评分"),
}


@dataclass(frozen=True, kw_only=True)
class Report:
    """What reading found: counts, the detected encoding, delimiter and language, and `inputs`: the
    files and columns the corpus was read from (recorded in run.json so that a run can be repeated)."""

    source: str
    rows: int
    empty_dropped: int
    duplicates: int
    users: int
    items: int
    language: str
    encoding: str = ""
    delimiter: str = ""
    warnings: tuple[str, ...] = ()
    inputs: tuple[tuple[str, str], ...] = ()

    @property
    def language_name(self) -> str:
        """The language as the pages name it ("Chinese and English"), the code where it has no name."""
        return LANGUAGES.get(self.language, self.language)


@dataclass(frozen=True, kw_only=True)
class Catalogue:
    """Items that can be recommended: ids and the text describing each."""

    item_ids: tuple[str, ...]
    texts: tuple[str, ...]
    titles: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Corpus:
    """The texts and what is known about them, aligned by position.

    `users` is always filled (a text without a user is its own user, and `has_users` is False when no
    user column was given); `items`, `labels`, `times` and `domains` (where a text was written: reviews,
    forum, ...) are None when the column was not given. `rows` are the 0-based row numbers in the file.
    `vectors` holds the texts' vectors when they were given in a file (core.vectors.attach).
    """

    texts: tuple[str, ...]
    users: tuple[str, ...]
    rows: tuple[int, ...]
    report: Report
    items: tuple[str, ...] | None = None
    labels: tuple[str, ...] | None = None
    times: tuple[str, ...] | None = None
    domains: tuple[str, ...] | None = None
    has_users: bool = True
    catalogue: Catalogue | None = None
    interactions: pd.DataFrame | None = field(default=None, compare=False)
    vectors: GivenVectors | None = field(default=None, compare=False)

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def fingerprint(self) -> str:
        """A content hash that changes whenever anything the pipeline reads changes."""
        h = hashlib.sha256()
        for part in (self.texts, self.users, self.items, self.labels, self.times, self.domains, self.has_users):
            h.update(json.dumps(part, ensure_ascii=False).encode())
        if self.catalogue is not None:
            h.update(json.dumps([self.catalogue.item_ids, self.catalogue.texts], ensure_ascii=False).encode())
        if self.interactions is not None:
            h.update(pd.util.hash_pandas_object(self.interactions, index=False).values.tobytes())
        if self.vectors is not None:
            h.update(self.vectors.digest.encode())
        return h.hexdigest()[:16]


def guess_column(columns, role: str) -> str | None:
    """The column whose name best matches a role (text, user, item, label, time, rating), or None."""
    lowered = {str(c).lower().strip(): c for c in columns}
    for hint in COLUMN_HINTS[role]:
        if hint in lowered:
            return lowered[hint]
    for hint in COLUMN_HINTS[role]:
        for low, original in lowered.items():
            if hint in low:
                return original
    return None


def _column(frame: pd.DataFrame, column: str | None, role: str) -> list[str] | None:
    if column is None or column == "":
        return None
    if column not in frame.columns:
        raise CoreError(f"The {role} column '{column}' is not in the file. "
                        f"Its columns are: {', '.join(map(str, frame.columns))}.")
    values = frame[column]
    if isinstance(values, pd.DataFrame):
        raise CoreError(f"More than one column is named '{column}'. Rename them so each name is unique.")
    return ["" if v is None or (pd.api.types.is_scalar(v) and pd.isna(v)) else str(v) for v in values.tolist()]


NUMBER = re.compile(r"[+-]?(\d[\d,]*\.?\d*|\.\d+)([eE][+-]?\d+)?%?")  # 12, -2.5, 1,000, 3e5, 50%


def build_corpus(frame: pd.DataFrame, text_col: str, *, user_col: str | None = None, item_col: str | None = None,
                 label_col: str | None = None, time_col: str | None = None, domain_col: str | None = None,
                 source: str = "table",
                 info: dict | None = None, catalogue: Catalogue | None = None,
                 interactions: pd.DataFrame | None = None, files: dict[str, str] | None = None) -> Corpus:
    """Validate a table and turn it into a Corpus. Empty texts are dropped and counted; nothing else changes.

    `files` names the catalogue and interaction files (items, interactions) for the record of inputs."""
    texts = _column(frame, text_col, "text")
    if texts is None:
        raise CoreError("Choose the column that holds the texts.")
    numeric = [t for t in texts if NUMBER.fullmatch(t.strip())]
    filled = [t for t in texts if t.strip()]
    if filled and len(numeric) == len(filled):
        raise CoreError(f"The text column '{text_col}' holds only numbers. Choose the column with the written texts.")
    columns = {role: _column(frame, col, role) for role, col in
               (("user", user_col), ("item", item_col), ("label", label_col), ("time", time_col),
                ("domain", domain_col))}
    keep = [i for i, t in enumerate(texts) if t.strip()]
    if not keep:
        raise CoreError(f"All {len(texts)} texts in column '{text_col}' are empty. Choose the column with the texts.")
    users_raw = columns["user"]
    users = tuple((users_raw[i].strip() or f"row{i}") if users_raw else f"row{i}" for i in keep)

    def pick(values):
        return None if values is None else tuple(values[i] for i in keep)

    kept = [texts[i] for i in keep]
    items = pick(columns["item"])
    language = detect_language(kept)
    report = Report(
        source=source, rows=len(texts), empty_dropped=len(texts) - len(keep),
        duplicates=len(kept) - len(set(kept)), users=len(set(users)),
        items=len({i for i in items if i}) if items else (len(catalogue.item_ids) if catalogue else 0),
        language=language, encoding=(info or {}).get("encoding", ""), delimiter=(info or {}).get("delimiter", ""),
        warnings=tuple((info or {}).get("warnings", ())),
        inputs=tuple((name, value) for name, value in (
            ("texts", source), ("text_col", text_col), ("user_col", user_col), ("item_col", item_col),
            ("label_col", label_col), ("time_col", time_col), ("domain_col", domain_col),
            *(files or {}).items()) if value),
    )
    return Corpus(texts=tuple(kept), users=users, rows=tuple(keep), report=report, items=items,
                  labels=pick(columns["label"]), times=pick(columns["time"]), domains=pick(columns["domain"]),
                  has_users=users_raw is not None or interactions is not None, catalogue=catalogue,
                  interactions=interactions)


def read_corpus(path, text_col: str = "text", **columns) -> Corpus:
    """Read a file and build a Corpus from the named columns (see build_corpus)."""
    frame, info = read_table(path)
    return build_corpus(frame, text_col, source=Path(str(path)).name, info=info, **columns)


def build_catalogue(frame: pd.DataFrame, id_col: str | None = None, text_col: str | None = None,
                    title_col: str | None = None) -> Catalogue:
    """Items with an id and a describing text; the title, when given, is put in front of the text."""
    id_col = id_col or guess_column(frame.columns, "item")
    text_col = text_col or guess_column(frame.columns, "text")
    if id_col is None or text_col is None:
        raise CoreError("The item catalogue needs an item id column and a text column "
                        f"(found columns: {', '.join(frame.columns)}).")
    ids, texts = _column(frame, id_col, "item id"), _column(frame, text_col, "item text")
    if title_col is None and "title" in frame.columns and text_col != "title":
        title_col = "title"
    titles = _column(frame, title_col, "title") if title_col else ids
    if len(set(ids)) != len(ids):
        dup = pd.Series(ids)[pd.Series(ids).duplicated()].iloc[0]
        raise CoreError(f"Item id '{dup}' appears more than once in the catalogue; each item needs one row.")
    full = [f"{t}. {x}" if title_col and t and t not in x else x for t, x in zip(titles, texts)]
    return Catalogue(item_ids=tuple(ids), texts=tuple(full), titles=tuple(titles))


def build_interactions(frame: pd.DataFrame, user_col: str | None = None, item_col: str | None = None,
                       rating_col: str | None = None, time_col: str | None = None) -> pd.DataFrame:
    """A log of (user_id, item_id, rating, time); rating defaults to 1 and time to the row order."""
    user_col = user_col or guess_column(frame.columns, "user")
    item_col = item_col or guess_column(frame.columns, "item")
    if user_col is None or item_col is None:
        raise CoreError("The interaction log needs a user id column and an item id column "
                        f"(found columns: {', '.join(frame.columns)}).")
    rating_col = rating_col if rating_col is not None else guess_column(frame.columns, "rating")
    time_col = time_col if time_col is not None else guess_column(frame.columns, "time")
    log = pd.DataFrame({"user_id": _column(frame, user_col, "user id"), "item_id": _column(frame, item_col, "item id")})
    if rating_col:
        ratings = pd.to_numeric(pd.Series(_column(frame, rating_col, "rating")), errors="coerce")
        if ratings.isna().any():
            row = int(ratings.isna().to_numpy().argmax())
            raise CoreError(f"Rating in row {row + 2} of the interaction log is not a number. Fix or remove it.")
        log["rating"] = ratings.astype(float)
    else:
        log["rating"] = 1.0
    log["time"] = _column(frame, time_col, "time") if time_col else [f"{i:012d}" for i in range(len(log))]
    return log

