"""Read user files into a validated Corpus, plus an optional item catalogue and interaction log.

Nothing the user gave is changed: texts keep their exact characters; only empty texts are
dropped (and counted). Every problem becomes a CoreError that says what to fix.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import warnings
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
# The last header cell of a CSV that core.export escaped for spreadsheets (see README, "Exports and
# spreadsheets"): reading such a file takes exactly those apostrophes off again.
ESCAPE_MARKER = "topicdash: a ' was put in front of every cell that began with = + - @ ' tab or CR"
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

def _too_big(what: str, size: int, max_bytes: int) -> CoreError:
    return CoreError(f"{what} is {size / 1e6:.0f} MB, over the {max_bytes / 1e6:.0f} MB limit. "
                     "Split the file or sample its rows.")


def _read_bytes(source, name: str | None, max_bytes: int) -> tuple[bytes, str]:
    """Bytes and a display name from a path, bytes, or a file-like object (e.g. a Streamlit upload).

    A file over `max_bytes` is refused from its size before it is read; a file-like object without
    a size is read in chunks and refused as soon as it passes the limit. An upload is read from its
    start, however often it is read."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise CoreError(f"File not found: {path}. Check the path and try again.")
        if path.stat().st_size > max_bytes:
            raise _too_big(path.name, path.stat().st_size, max_bytes)
        try:
            return path.read_bytes(), name or path.name
        except OSError as exc:
            raise CoreError(f"{path} could not be read ({exc.strerror or exc}). Check that you may open it.") from None
    name = str(name or getattr(source, "name", None) or "upload")
    shown = f"'{Path(name).name}'"
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    else:
        seekable = getattr(source, "seekable", lambda: False)()
        size = getattr(source, "size", None)
        if size is None and seekable:
            size = source.seek(0, io.SEEK_END)
        if size is not None and size > max_bytes:
            raise _too_big(shown, size, max_bytes)
        if seekable:
            source.seek(0)
        chunks, total = [], 0
        while total <= max_bytes:
            chunk = source.read(min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
            total += len(chunk)
        data = b"".join(chunks)
    if len(data) > max_bytes:
        raise _too_big(shown, len(data), max_bytes)
    return data, name


_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
_UTF8_CHAR = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")  # 2-4 bytes


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes with the encoding they are in: a byte-order mark (UTF-8, UTF-16, UTF-32), else
    UTF-8, else GB18030 when it reads as common Chinese, else Windows-1252/Latin-1.

    A file that is UTF-8 except for some bytes (it has at least as many valid multi-byte UTF-8
    characters as invalid bytes) is refused with the line to fix rather than read in a Western
    encoding, which would garble every non-English character in it."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise CoreError(f"The file starts with a {encoding.upper()} byte-order mark but byte {exc.start} "
                                f"is not valid {encoding.upper()} ({exc.reason}). Save it again as UTF-8.") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        bad = exc.start
    if len(_UTF8_CHAR.findall(data)) >= data.decode("utf-8", "replace").count("\ufffd"):
        line = data.count(b"\n", 0, bad) + 1
        raise CoreError(f"Line {line} holds a byte (0x{data[bad]:02X}) that is not valid UTF-8, although the rest "
                        "of the file is UTF-8: the file mixes encodings or was damaged. Fix that line, or open the "
                        "file in a text editor and save it again as UTF-8.")
    try:
        text = data.decode("gb18030")
        wide = [c for c in text if ord(c) > 127]
        if wide and _share(wide, _is_cjk) > 0.8 and _share(wide, _is_gb2312) > 0.5:
            return text, "gb18030"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _share(chars, test) -> float:
    return sum(map(test, chars)) / len(chars)


def _is_cjk(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f" or "\uff00" <= c <= "\uffef"


def _is_gb2312(c: str) -> bool:
    """Common simplified Chinese (GB2312). Latin-1 text misread as GB18030 turns into rare characters
    outside it (e.g. 'Crème' into 'Cr鑝e'), which is how the two are told apart."""
    try:
        c.encode("gb2312")
        return True
    except UnicodeEncodeError:
        return False


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAGIC = ((b"%PDF-", "a PDF document"), (b"PK\x03\x04", "a zip archive (an .xlsx workbook is one)"),
          (b"PK\x05\x06", "an empty zip archive"), (_OLE, "an old-style Office file (.xls or .doc)"),
          (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
          (b"\x1f\x8b", "a gzip archive"), (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"), (b"Rar!\x1a\x07", "a RAR archive"),
          (b"SQLite format 3\x00", "an SQLite database"), (b"\x7fELF", "a program"))


_CONTROL_BYTES = bytes([*range(0, 9), *range(14, 27), *range(28, 32)])  # not tab, line breaks or escape


def _binary_kind(data: bytes) -> str | None:
    """What a binary file is ('a PDF document', ..., 'unreadable as text'), or None for text.

    A file with a byte-order mark is text, whatever characters it holds (core.export writes one, so
    texts with control characters come back); without one, a file is binary when over 1% of its
    start is NUL bytes or over 5% other control bytes."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data.startswith(tuple(bom for bom, _ in _BOMS)):
        return None
    head = data[:65536]
    if head.count(0) > len(head) // 100:
        return "unreadable as text, or text saved as UTF-16 without a byte-order mark (save it again as UTF-8)"
    if len(head) - len(head.translate(None, _CONTROL_BYTES)) > len(head) // 20:
        return "unreadable as text"
    return None


def _parse_delimited(text: str, delimiter: str, strict: bool) -> list[tuple[int, list[str]]]:
    """(line number, fields) of each non-blank row."""
    csv.field_size_limit(1 << 30)  # a 1 MB text in one cell is a text, not an error
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=strict)
    try:
        return [(reader.line_num, row) for row in reader if row]
    except csv.Error as exc:
        raise csv.Error(f"line {reader.line_num}: {exc}") from None


def _pick_delimiter(text: str, default: str) -> str:
    """The first of the extension's delimiter, ',', tab, ';' and '|' that splits the start of the file
    into rows of the header's width (more than one column); the extension's when none does."""
    sample = text[:1 << 18]
    for delimiter in dict.fromkeys(default + ",\t;|"):
        try:
            rows = [row for _, row in _parse_delimited(sample, delimiter, strict=False)]
        except csv.Error:
            continue
        if len(sample) < len(text):
            rows = rows[:-1]  # the sample may end inside the last row
        if rows and len(rows[0]) > 1 and all(_fits(row, len(rows[0])) for row in rows[1:]):
            return delimiter
    return default


def _fits(row: list[str], width: int) -> bool:
    """A row fits the header when it has as many fields, or more but only empty ones at the end."""
    return len(row) == width or (len(row) > width and not any(row[width:]))


def _read_delimited(text: str, delimiter: str, info: dict) -> pd.DataFrame:
    """Rows of a delimited file as strings. A row with fewer fields than the header, or with more that
    are not empty, is an error: guessing which field is missing would move the user's data between
    columns. A file exported by core.export has the apostrophes it put before formula-like cells taken off."""
    name = {",": "comma", "\t": "tab", ";": "semicolon", "|": "bar"}[delimiter]
    try:
        rows = _parse_delimited(text, delimiter, strict=True)
    except csv.Error as exc:
        raise CoreError(f"The file could not be split into rows ({exc}). Check the quoting: a field that holds "
                        f"a {name}, a quote or a line break must be in double quotes, with any quote inside "
                        "doubled (\"\").") from None
    if not rows:
        raise CoreError("The file is empty. Upload a file with a header row and at least one text.")
    header, body = rows[0][1], rows[1:]
    for line, row in body:
        if not _fits(row, len(header)):
            hint = (" If the file has a single column, put texts that hold commas in double quotes, or save it "
                    "as .txt with one text per line." if len(header) == 1 else "")
            raise CoreError(f"The row ending on line {line} has {len(row)} fields but the header has {len(header)}, "
                            f"so the rows do not line up with the header. Check the delimiter ({name}) and the "
                            f"quoting, or fix that row.{hint}")
    columns = [row[:len(header)] for _, row in body]
    if header[-1] == ESCAPE_MARKER:
        header, columns = [_unescape(h) for h in header[:-1]], [[_unescape(v) for v in row[:-1]] for row in columns]
        info["warnings"].append("This file was exported by this app: the apostrophes it had put in front of "
                                "cells starting with = + - @ or ' were taken off again.")
    names = _unique_names(header, info)
    return pd.DataFrame({name: [row[i] for row in columns] for i, name in enumerate(names)}, dtype=object)


def _unescape(value: str) -> str:
    return value[1:] if value.startswith("'") else value


def _unique_names(header: list[str], info: dict) -> list[str]:
    """Column names made unique by a suffix (.1, .2, ...) so that no column is lost; a blank name
    becomes columnN. Each renaming is recorded in info['warnings']."""
    names: list[str] = []
    for n, original in enumerate(header, 1):
        base = str(original).strip() or f"column{n}"
        names.append(_free_name(base, names, info, f"Column name '{base}' is repeated in the file"))
    return names


def _free_name(base: str, taken, info: dict, repeated: str) -> str:
    """`base`, or the first of base.1, base.2, ... not in `taken`; a renaming is added to the warnings."""
    name, copy = base, 0
    while name in taken:
        copy += 1
        name = f"{base}.{copy}"
    if name != base:
        info["warnings"].append(f"{repeated}; the copy is named '{name}'.")
    return name


def _check_xlsx(data: bytes) -> None:
    """Refuse what is not a workbook, and zip bombs, from the zip directory alone (nothing is unpacked;
    zipfile never unpacks more than the sizes it declares)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            unpacked = sum(i.file_size for i in zf.infolist())
            names = set(zf.namelist())
    except (zipfile.BadZipFile, EOFError, ValueError):
        if data.startswith(_OLE):
            raise CoreError("This .xlsx file is an old-style Excel workbook (.xls). Open it in a spreadsheet "
                            "program and save it as .xlsx or .csv.") from None
        raise CoreError(f"This .xlsx file is not a valid Excel workbook ({_binary_kind(data) or 'it is text'}; perhaps "
                        "another file renamed). Open it in its program and save it as .xlsx or .csv.") from None
    if unpacked > MAX_XLSX_UNPACKED or unpacked > 200 * max(len(data), 1):
        raise CoreError(f"This .xlsx file unpacks to {unpacked / 1e6:.0f} MB, far more than a real workbook "
                        "of its size; it was not opened. Save it as .csv instead.")
    if "[Content_Types].xml" not in names:
        raise CoreError("This .xlsx file is a zip archive but not an Excel workbook. Save it as .xlsx or .csv.")


def _read_xlsx(data: bytes, name: str, info: dict) -> pd.DataFrame:
    _check_xlsx(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it ignores
            sheet = pd.read_excel(io.BytesIO(data), header=None, dtype=str, keep_default_na=False,
                                  engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for damaged workbooks
        raise CoreError(f"The workbook '{name}' could not be read ({type(exc).__name__}: {exc}). "
                        "Save it again as .xlsx or .csv.") from None
    if sheet.empty:
        return pd.DataFrame()
    rows = sheet.fillna("").astype(str).values.tolist()
    names = _unique_names(rows[0], info)
    return pd.DataFrame({name: [row[i] for row in rows[1:]] for i, name in enumerate(names)}, dtype=object)


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


_SURROGATE = re.compile("[\ud800-\udfff]")
_LINES = re.compile(r"\r\n|\r|\n")


def _cell(value) -> str:
    """A JSON value as a cell: strings as they are, everything else as compact JSON."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False)


def _records_frame(records, what: str) -> pd.DataFrame:
    if isinstance(records, dict):
        keys = ", ".join(f"'{k}'" for k in list(records)[:10])
        raise CoreError(f"The {what} holds one object (with the keys {keys}), not a list of records like "
                        "[{\"text\": \"...\", \"user\": \"...\"}]. If the records are under one of these keys, "
                        "save that list on its own.")
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise CoreError(f"The {what} must be a list of records (objects with the same keys), "
                        "like [{\"text\": \"...\", \"user\": \"...\"}].")
    if not records:
        raise CoreError(f"The {what} holds no records.")
    if _json_depth(records) > MAX_JSON_DEPTH:
        raise CoreError(f"The {what} is nested more than {MAX_JSON_DEPTH} levels deep; flatten it to records.")
    columns = list(dict.fromkeys(k for r in records for k in r))
    cells = {c: [_cell(r.get(c)) for r in records] for c in columns}
    for c, values in cells.items():
        if _SURROGATE.search(c) or any(map(_SURROGATE.search, values)):
            n = next((n for n, v in enumerate(values, 1) if _SURROGATE.search(v)), 1)
            raise CoreError(f"Record {n} of the {what} holds an escape like \\ud800 that is half of a "
                            "character (an unpaired surrogate), which no file can store. Fix or remove it.")
    return pd.DataFrame(cells, dtype=object)


def _parse_json(text: str, what: str, info: dict):
    def keep_repeated_keys(pairs):
        record: dict = {}
        for key, value in pairs:
            record[_free_name(key, record, info, f"Key '{key}' is repeated in a record")] = value
        return record

    try:
        return json.loads(text, object_pairs_hook=keep_repeated_keys)
    except RecursionError:
        raise CoreError(f"The {what} is nested too deeply to read; flatten it to records.") from None
    except json.JSONDecodeError as exc:
        raise CoreError(f"The {what} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).") from None
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise CoreError(f"The {what} could not be read ({exc}).") from None


def read_table(source, *, name: str | None = None, max_bytes: int = MAX_BYTES) -> tuple[pd.DataFrame, dict]:
    """Read a CSV, TSV, Excel, JSON, JSONL or plain-text file into a table of strings.

    Returns the table and what was detected: format, encoding, delimiter and warnings (renamed
    columns, escapes taken off). Every cell is kept as the exact text in the file; nothing is
    parsed as a number or a date.
    """
    data, name = _read_bytes(source, name, max_bytes)
    suffix = Path(name).suffix.lower()
    fmt = FORMATS.get(suffix)
    if fmt is None:
        raise CoreError(f"'{name}' has an unsupported extension '{suffix or '(none)'}'. "
                        f"Use one of: {', '.join(sorted(FORMATS))}.")
    if not data.strip():
        raise CoreError(f"'{name}' is empty. Upload a file with at least one text.")
    info = {"format": fmt, "encoding": "", "delimiter": "", "warnings": []}
    if fmt == "xlsx":
        return _check_frame(_read_xlsx(data, name, info), name), info
    kind = _binary_kind(data)
    if kind:
        rename = " If it is a workbook, rename it to .xlsx." if data.startswith(b"PK") else ""
        raise CoreError(f"'{name}' is a binary file, not {fmt.upper()} text: {kind}.{rename} "
                        "Export the data from its program as CSV, Excel or JSON.")
    text, info["encoding"] = decode(data)
    if fmt == "txt":  # lines end at \n, \r\n or \r only: other separators (form feed, U+2028) stay in the text
        lines = _LINES.split(text)
        frame = pd.DataFrame({"text": lines[:-1] if lines[-1] == "" else lines}, dtype=object)
    elif fmt == "json":
        frame = _records_frame(_parse_json(text, f"JSON file '{name}'", info), f"JSON file '{name}'")
    elif fmt == "jsonl":
        records = []
        for n, line in enumerate(_LINES.split(text), 1):
            if line.strip():
                record = _parse_json(line, f"line {n} of '{name}'", info)
                if not isinstance(record, dict):
                    raise CoreError(f"Line {n} of '{name}' is not a JSON object; each line must be one record.")
                records.append(record)
        frame = _records_frame(records, f"JSON lines file '{name}'")
    else:
        info["delimiter"] = _pick_delimiter(text, "\t" if fmt == "tsv" else ",")
        frame = _read_delimited(text, info["delimiter"], info)
    info["warnings"] = list(dict.fromkeys(info["warnings"]))
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
    return ["" if v is None or (pd.api.types.is_scalar(v) and pd.isna(v)) else str(v) for v in values.tolist()]


NUMBER = re.compile(r"[+-]?(\d[\d,]*\.?\d*|\.\d+)([eE][+-]?\d+)?%?")  # 12, -2.5, 1,000, 3e5, 50%


def build_corpus(frame: pd.DataFrame, text_col: str, *, user_col: str | None = None, item_col: str | None = None,
                 label_col: str | None = None, time_col: str | None = None, source: str = "table",
                 info: dict | None = None, catalogue: Catalogue | None = None,
                 interactions: pd.DataFrame | None = None) -> Corpus:
    """Validate a table and turn it into a Corpus. Empty texts are dropped and counted; nothing else changes."""
    texts = _column(frame, text_col, "text")
    if texts is None:
        raise CoreError("Choose the column that holds the texts.")
    numeric = [t for t in texts if NUMBER.fullmatch(t.strip())]
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
        warnings=tuple((info or {}).get("warnings", ())),
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
