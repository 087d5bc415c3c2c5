"""Raw bytes of a user's file: read within a size limit, decoded from the encoding it is in, and refused
when it is a binary file under a text name."""
from __future__ import annotations

import io
import re
from pathlib import Path

from core.errors import CoreError

MAX_BYTES = 200 * 1024 * 1024  # a larger file is refused before it is read whole


def _too_big(what: str, size: int, max_bytes: int) -> CoreError:
    return CoreError(f"{what} is {size / 1e6:.0f} MB, over the {max_bytes / 1e6:.0f} MB limit. "
                     "Split the file or sample its rows.")


def read_bytes(source, name: str | None, max_bytes: int) -> tuple[bytes, str]:
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


def binary_kind(data: bytes) -> str | None:
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

