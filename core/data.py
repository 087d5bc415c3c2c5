"""Read user files into a validated Corpus, plus an optional item catalogue and interaction log.

Nothing the user gave is changed: texts keep their exact characters; only empty texts are
dropped (and counted). Every problem becomes a CoreError that says what to fix.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from core.errors import CoreError
from core.text import detect_language

FORMATS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".xlsx": "xlsx", ".json": "json",
           ".jsonl": "jsonl", ".ndjson": "jsonl", ".txt": "txt"}
MAX_BYTES = 200 * 1024 * 1024          # a larger file is refused before it is read whole
MAX_XLSX_UNPACKED = 500 * 1024 * 1024  # zip bombs posing as .xlsx
MAX_JSON_DEPTH = 50
ASSETS = Path(__file__).resolve().parent.parent / "assets"

COLUMN_HINTS = {
    "text": ("text", "review", "content", "body", "comment", "post", "message", "description", "文本", "内容"),
    "user": ("user_id", "user", "userid", "author", "customer", "reviewer", "用户"),
    "item": ("item_id", "item", "itemid", "product", "movie", "movieid", "article", "物品"),
    "label": ("label", "category", "interest", "class", "topic", "标签", "类别"),
    "time": ("time", "timestamp", "date", "datetime", "created_at", "时间"),
    "rating": ("rating", "score", "stars", "评分"),
}


@dataclass(frozen=True)
class Report:
    """What reading found: counts and the detected encoding, delimiter and language."""

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


@dataclass(frozen=True)
class Catalogue:
    """Items that can be recommended: ids and the text describing each."""

    item_ids: tuple[str, ...]
    texts: tuple[str, ...]
    titles: tuple[str, ...]


@dataclass(frozen=True)
class Corpus:
    """The texts and what is known about them, aligned by position.

    `users` is always filled (a text without a user is its own user); `items`, `labels` and
    `times` are None when the column was not given. `rows` are the 0-based row numbers in the file.
    """

    texts: tuple[str, ...]
    users: tuple[str, ...]
    rows: tuple[int, ...]
    report: Report
    items: tuple[str, ...] | None = None
    labels: tuple[str, ...] | None = None
    times: tuple[str, ...] | None = None
    catalogue: Catalogue | None = None
    interactions: pd.DataFrame | None = field(default=None, compare=False)

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def fingerprint(self) -> str:
        """A content hash that changes whenever anything the pipeline reads changes."""
        h = hashlib.sha256()
        for part in (self.texts, self.users, self.items, self.labels, self.times):
            h.update(json.dumps(part, ensure_ascii=False).encode())
        if self.catalogue is not None:
            h.update(json.dumps([self.catalogue.item_ids, self.catalogue.texts], ensure_ascii=False).encode())
        if self.interactions is not None:
            h.update(pd.util.hash_pandas_object(self.interactions, index=False).values.tobytes())
        return h.hexdigest()[:16]


# --- reading raw bytes --------------------------------------------------------------------------

def _read_bytes(source, name: str | None, max_bytes: int) -> tuple[bytes, str]:
    """Bytes and a display name from a path, bytes, or a file-like object (e.g. a Streamlit upload)."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise CoreError(f"File not found: {path}. Check the path and try again.")
        size = path.stat().st_size
        if size > max_bytes:
            raise CoreError(f"{path.name} is {size / 1e6:.0f} MB, over the {max_bytes / 1e6:.0f} MB limit. "
                            "Split the file or sample its rows.")
        return path.read_bytes(), name or path.name
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    else:
        size = getattr(source, "size", None)
        if size is not None and size > max_bytes:
            raise CoreError(f"The file is {size / 1e6:.0f} MB, over the {max_bytes / 1e6:.0f} MB limit. "
                            "Split the file or sample its rows.")
        data = source.read(max_bytes + 1)
        name = name or getattr(source, "name", None)
    if len(data) > max_bytes:
        raise CoreError(f"The file is over the {max_bytes / 1e6:.0f} MB limit. Split the file or sample its rows.")
    return data, name or "upload"


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes with the first encoding that fits: BOMs, UTF-8, GB18030 (Chinese), then Latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise CoreError(f"The file starts with a UTF-16 mark but has invalid bytes ({exc.reason}). "
                            "Save it again as UTF-8.") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
        high = [c for c in text if ord(c) > 127]
        if high and sum("\u4e00" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f" or "\uff00" <= c <= "\uffef"
                        for c in high) / len(high) > 0.8:
            return text, "gb18030"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    return b"\x00" in head


def _sniff_delimiter(text: str, default: str) -> str:
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
    except csv.Error:
        return default


def _read_delimited(text: str, delimiter: str) -> pd.DataFrame:
    """Rows of a delimited file as strings; a row whose field count differs from the header's is an error
    (guessing which field is missing would silently move the user's data between columns)."""
    csv.field_size_limit(1 << 30)
    try:
        rows = [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) if row]
    except csv.Error as exc:
        raise CoreError(f"The file could not be split into rows ({exc}). Check the quoting.") from None
    if not rows:
        raise CoreError("The file is empty. Upload a file with a header row and at least one text.")
    header, body = rows[0], rows[1:]
    for n, row in enumerate(body, 2):
        if len(row) != len(header):
            raise CoreError(f"Row {n} has {len(row)} fields but the header has {len(header)}, so the rows do not "
                            f"line up with the header. Check the delimiter ('{delimiter}') and quoting, or fix that row.")
    names = _unique_names(header)
    return pd.DataFrame({name: [row[i] for row in body] for i, name in enumerate(names)}, dtype=object)


def _unique_names(header: list[str]) -> list[str]:
    """Column names made unique by a suffix (.1, .2, ...) so that no column is lost."""
    seen: dict[str, int] = {}
    names = []
    for name in header:
        name = name.strip() or f"column{len(names) + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        seen.setdefault(name, 0)
        names.append(name)
    return names


def _check_xlsx(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            unpacked = sum(i.file_size for i in zf.infolist())
            names = set(zf.namelist())
    except zipfile.BadZipFile:
        raise CoreError("This .xlsx file is not a valid Excel workbook (it may be another file renamed). "
                        "Open it in a spreadsheet program and save it as .xlsx or .csv.") from None
    if unpacked > MAX_XLSX_UNPACKED or unpacked > 200 * max(len(data), 1):
        raise CoreError(f"This .xlsx file unpacks to {unpacked / 1e6:.0f} MB, far more than a real workbook "
                        "of its size; it was not opened. Save it as .csv instead.")
    if "[Content_Types].xml" not in names:
        raise CoreError("This .xlsx file is a zip archive but not an Excel workbook. Save it as .xlsx or .csv.")


def _json_depth(value, limit: int = MAX_JSON_DEPTH) -> int:
    depth, stack = 0, [(value, 1)]
    while stack:
        v, d = stack.pop()
        depth = max(depth, d)
        if depth > limit:
            return depth
        if isinstance(v, dict):
            stack.extend((x, d + 1) for x in v.values())
        elif isinstance(v, list):
            stack.extend((x, d + 1) for x in v)
    return depth


def _cell(value) -> str:
    """A JSON value as a cell: strings as they are, everything else as compact JSON."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False)


def _records_frame(records, what: str) -> pd.DataFrame:
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise CoreError(f"The {what} must be a list of records (objects with the same keys), "
                        "like [{\"text\": \"...\", \"user\": \"...\"}].")
    if not records:
        raise CoreError(f"The {what} holds no records.")
    if _json_depth(records) > MAX_JSON_DEPTH:
        raise CoreError(f"The {what} is nested more than {MAX_JSON_DEPTH} levels deep; flatten it to records.")
    columns = list(dict.fromkeys(k for r in records for k in r))
    return pd.DataFrame({c: [_cell(r.get(c)) for r in records] for c in columns}, dtype=str)


def _parse_json(text: str, what: str):
    try:
        return json.loads(text)
    except RecursionError:
        raise CoreError(f"The {what} is nested too deeply to read; flatten it to records.") from None
    except json.JSONDecodeError as exc:
        raise CoreError(f"The {what} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).") from None


def read_table(source, *, name: str | None = None, max_bytes: int = MAX_BYTES) -> tuple[pd.DataFrame, dict]:
    """Read a CSV, TSV, Excel, JSON, JSONL or plain-text file into a table of strings.

    Returns the table and what was detected (format, encoding, delimiter). Every cell is kept
    as the exact text in the file; nothing is parsed as a number or a date.
    """
    data, name = _read_bytes(source, name, max_bytes)
    suffix = Path(name).suffix.lower()
    fmt = FORMATS.get(suffix)
    if fmt is None:
        raise CoreError(f"'{name}' has an unsupported extension '{suffix or '(none)'}'. "
                        f"Use one of: {', '.join(sorted(FORMATS))}.")
    if not data.strip():
        raise CoreError(f"'{name}' is empty. Upload a file with at least one text.")
    info = {"format": fmt, "encoding": "", "delimiter": ""}
    if fmt == "xlsx":
        _check_xlsx(data)
        try:
            frame = pd.read_excel(io.BytesIO(data), dtype=str, keep_default_na=False, engine="openpyxl")
        except Exception as exc:  # openpyxl raises many types for damaged workbooks
            raise CoreError(f"The workbook '{name}' could not be read ({type(exc).__name__}: {exc}). "
                            "Save it again as .xlsx or .csv.") from None
        frame = frame.fillna("").astype(str)
        return _check_frame(frame, name), info
    if _looks_binary(data):
        raise CoreError(f"'{name}' looks like a binary file, not {fmt.upper()} text. "
                        "Export it from its program as CSV, Excel or JSON.")
    text, info["encoding"] = decode(data)
    if fmt == "txt":
        lines = text.splitlines()
        frame = pd.DataFrame({"text": lines}, dtype=str)
    elif fmt == "json":
        frame = _records_frame(_parse_json(text, f"JSON file '{name}'"), f"JSON file '{name}'")
    elif fmt == "jsonl":
        records = []
        for n, line in enumerate(text.splitlines(), 1):
            if line.strip():
                record = _parse_json(line, f"line {n} of '{name}'")
                if not isinstance(record, dict):
                    raise CoreError(f"Line {n} of '{name}' is not a JSON object; each line must be one record.")
                records.append(record)
        frame = _records_frame(records, f"JSON lines file '{name}'")
    else:
        info["delimiter"] = _sniff_delimiter(text, "\t" if fmt == "tsv" else ",")
        frame = _read_delimited(text, info["delimiter"])
    return _check_frame(frame, name), info


def _check_frame(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    if frame.shape[1] == 0:
        raise CoreError(f"'{name}' has no columns. The first row must name the columns.")
    if frame.shape[0] == 0:
        raise CoreError(f"'{name}' has a header but no rows. Add at least one text below the header.")
    frame.columns = [str(c) for c in frame.columns]
    return frame


# --- building the corpus -------------------------------------------------------------------------

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
    return ["" if v is None else str(v) for v in values.tolist()]


def _is_number(value: str) -> bool:
    try:
        float(value.replace(",", ""))
        return True
    except ValueError:
        return False


def build_corpus(frame: pd.DataFrame, text_col: str, *, user_col: str | None = None, item_col: str | None = None,
                 label_col: str | None = None, time_col: str | None = None, source: str = "table",
                 info: dict | None = None, catalogue: Catalogue | None = None,
                 interactions: pd.DataFrame | None = None) -> Corpus:
    """Validate a table and turn it into a Corpus. Empty texts are dropped and counted; nothing else changes."""
    texts = _column(frame, text_col, "text")
    if texts is None:
        raise CoreError("Choose the column that holds the texts.")
    numeric = [t for t in texts if t.strip() and _is_number(t.strip())]
    filled = [t for t in texts if t.strip()]
    if filled and len(numeric) == len(filled):
        raise CoreError(f"The text column '{text_col}' holds only numbers. Choose the column with the written texts.")
    columns = {role: _column(frame, col, role) for role, col in
               (("user", user_col), ("item", item_col), ("label", label_col), ("time", time_col))}
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
        warnings=tuple(f"Column name '{c}' was repeated in the file and renamed." for c in frame.columns
                       if "." in c and c.rsplit(".", 1)[0] in frame.columns),
    )
    return Corpus(texts=tuple(kept), users=users, rows=tuple(keep), report=report, items=items,
                  labels=pick(columns["label"]), times=pick(columns["time"]),
                  catalogue=catalogue, interactions=interactions)


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


def load_demo() -> Corpus:
    """The bundled demo: posts by users, an item catalogue and an interaction log."""
    posts, info = read_table(ASSETS / "demo_posts.csv")
    items, _ = read_table(ASSETS / "demo_items.csv")
    log, _ = read_table(ASSETS / "demo_interactions.csv")
    return build_corpus(posts, "text", user_col="user_id", item_col="item_id", label_col="interest",
                        time_col="time", source="bundled demo", info=info,
                        catalogue=build_catalogue(items, "item_id", "text", "title"),
                        interactions=build_interactions(log, "user_id", "item_id", "rating", "time"))
