"""Read a CSV, TSV, Excel, JSON, JSONL or plain-text file into a table of strings, exactly as written.

Every cell keeps its exact text; nothing is parsed as a number or a date. Each problem becomes a
CoreError that says what to fix.
"""
from __future__ import annotations

import csv
import io
import json
import re
import warnings
import zipfile
from pathlib import Path

import pandas as pd

from core.data.files import _BOMS, _OLE, MAX_BYTES, binary_kind, decode, read_bytes
from core.errors import CoreError

FORMATS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".xlsx": "xlsx", ".json": "json",
           ".jsonl": "jsonl", ".ndjson": "jsonl", ".txt": "txt"}
MAX_XLSX_UNPACKED = 500 * 1024 * 1024  # zip bombs posing as .xlsx
MAX_JSON_DEPTH = 50
# The last header cell of a CSV that core.export escaped for spreadsheets (see README, "Exports and
# spreadsheets"): reading such a file takes exactly those apostrophes off again.
ESCAPE_MARKER = "topicdash: a ' was put in front of every cell that began with = + - @ ' tab or CR"


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
        raise CoreError(f"This .xlsx file is not a valid Excel workbook ({binary_kind(data) or 'it is text'}; perhaps "
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
    data, name = read_bytes(source, name, max_bytes)
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
    kind = binary_kind(data)
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

