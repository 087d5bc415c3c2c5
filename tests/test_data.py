"""Reading every supported format and encoding into a Corpus without changing any text."""
import io
import json

import pandas as pd
import pytest

from core.data import build_catalogue, build_corpus, build_interactions, decode, guess_column, load_demo, read_corpus, read_table
from core.errors import CoreError

ROWS = [("u1", "Grüße aus München, café au lait", "i1"), ("u2", "Second text, with a comma", "i2"),
        ("u1", "  ", "i3"), ("u3", "Second text, with a comma", "i1")]


def frame():
    return pd.DataFrame(ROWS, columns=["user", "text", "item"])


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".xlsx", ".json", ".jsonl"])
def test_every_table_format_reads_the_same_texts(tmp_path, suffix):
    path = tmp_path / f"posts{suffix}"
    df = frame()
    if suffix == ".csv":
        df.to_csv(path, index=False)
    elif suffix == ".tsv":
        df.to_csv(path, index=False, sep="\t")
    elif suffix == ".xlsx":
        df.to_excel(path, index=False)
    elif suffix == ".json":
        path.write_text(json.dumps(df.to_dict("records"), ensure_ascii=False), encoding="utf-8")
    else:
        path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in df.to_dict("records")), encoding="utf-8")
    corpus = read_corpus(path, "text", user_col="user", item_col="item")
    assert corpus.texts == ("Grüße aus München, café au lait", "Second text, with a comma", "Second text, with a comma")
    assert corpus.users == ("u1", "u2", "u3")
    assert corpus.report.empty_dropped == 1
    assert corpus.report.duplicates == 1
    assert corpus.rows == (0, 1, 3)


def test_plain_text_is_one_text_per_line_and_each_its_own_user(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("first idea\n\nsecond idea\n", encoding="utf-8")
    corpus = read_corpus(path)
    assert corpus.texts == ("first idea", "second idea")
    assert len(set(corpus.users)) == 2


@pytest.mark.parametrize("encoding,expected", [("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"),
                                               ("latin-1", "cp1252"), ("utf-16", "utf-16")])
def test_encodings_are_detected(tmp_path, encoding, expected):
    text = "用户喜欢摄影和旅行" if encoding == "gbk" else "Crème brûlée for the café"
    path = tmp_path / "posts.csv"
    path.write_bytes(f"text,user\n{text},u1\n".encode(encoding))
    table, info = read_table(path)
    assert table["text"].tolist() == [text]
    assert info["encoding"] == expected


def test_semicolon_delimiter_is_sniffed_and_quoted_newlines_kept(tmp_path):
    path = tmp_path / "posts.csv"
    path.write_text('text;user\n"line one\nline two; still text";u1\nplain;u2\n', encoding="utf-8")
    table, info = read_table(path)
    assert info["delimiter"] == ";"
    assert table["text"].tolist() == ["line one\nline two; still text", "plain"]


def test_cells_stay_exact_strings(tmp_path):
    path = tmp_path / "posts.csv"
    path.write_text("text,user\nNA,007\n1e5 is not a number here,0042\n", encoding="utf-8")
    corpus = read_corpus(path, "text", user_col="user")
    assert corpus.texts == ("NA", "1e5 is not a number here")
    assert corpus.users == ("007", "0042")


@pytest.mark.parametrize("content,message", [
    (b"", "empty"), (b"text,user\n", "no rows"), (b"a,b\n1,2,3,4\n5,6\n", "line up"),
])
def test_bad_csv_gives_a_clear_error(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(CoreError, match=message):
        read_corpus(path)


def test_missing_and_numeric_text_columns_are_explained():
    df = pd.DataFrame({"text": ["1", "2.5", "3"], "body": ["a", "b", "c"]})
    with pytest.raises(CoreError, match="not in the file. Its columns are: text, body"):
        build_corpus(df, "content")
    with pytest.raises(CoreError, match="only numbers"):
        build_corpus(df, "text")


def test_binary_file_and_bad_json_are_refused(tmp_path):
    (tmp_path / "x.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    with pytest.raises(CoreError, match="binary"):
        read_table(tmp_path / "x.csv")
    (tmp_path / "x.json").write_text('{"text": "not a list"}')
    with pytest.raises(CoreError, match="list of records"):
        read_table(tmp_path / "x.json")
    (tmp_path / "x.xlsx").write_bytes(b"not a zip at all")
    with pytest.raises(CoreError, match="not a valid Excel"):
        read_table(tmp_path / "x.xlsx")


def test_upload_objects_are_read_like_files():
    upload = io.BytesIO("text\nhello\n".encode())
    upload.name = "up.csv"
    table, _ = read_table(upload)
    assert table["text"].tolist() == ["hello"]


def test_decode_prefers_utf8_then_gb18030():
    assert decode("中文".encode("utf-8")) == ("中文", "utf-8")
    assert decode("中文内容".encode("gb18030"))[1] == "gb18030"


def test_column_guessing_and_catalogue_and_interactions():
    assert guess_column(["UserID", "Review Text"], "user") == "UserID"
    assert guess_column(["UserID", "Review Text"], "text") == "Review Text"
    cat = build_catalogue(pd.DataFrame({"item_id": ["a", "b"], "title": ["A", "B"], "text": ["about a", "about b"]}))
    assert cat.texts == ("A. about a", "B. about b")
    log = build_interactions(pd.DataFrame({"user": ["u"], "item": ["a"], "rating": ["4.5"]}))
    assert log.loc[0, "rating"] == 4.5
    with pytest.raises(CoreError, match="not a number"):
        build_interactions(pd.DataFrame({"user": ["u"], "item": ["a"], "rating": ["great"]}))


def test_demo_has_users_items_and_chinese():
    corpus = load_demo()
    assert len(corpus) >= 300 and corpus.report.users >= 40
    assert len(corpus.catalogue.item_ids) >= 60
    assert corpus.report.language == "mixed"
    assert set(corpus.items) <= set(corpus.catalogue.item_ids)
