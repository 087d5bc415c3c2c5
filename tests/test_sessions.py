"""Saved sessions (core.sessions): the same topics, names and recommendations after reopening, with nothing
embedded again; settings saved generically over their fields; and every damaged, truncated or foreign file
refused with a CoreError, never another exception."""
import dataclasses
import io
import json
import random
import zipfile
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest

from core import records, sessions, stages, vectors
from core.__main__ import main
from core.data import DataFile, Sources
from core.errors import CoreError
from core.export import tables
from core.pipeline import run
from core.settings import Settings
from core.stages import KnownVectors
from tests.conftest import ENGLISH


def posts() -> bytes:
    rows = [(f"u{n % 4}", text, label, f"i{n % 5}") for n, (label, text) in
            enumerate((label, text) for label, texts in ENGLISH.items() for text in texts)]
    return pd.DataFrame(rows, columns=["author", "review", "category", "item"]).to_csv(index=False).encode()


SOURCES = Sources(texts=DataFile(name="reviews.csv", data=posts()),
                  columns={"text": "review", "user": "author", "label": "category", "item": "item"})


@pytest.fixture(scope="module")
def saved():
    """A session of the TF-IDF baseline (quick) with its result, as zip bytes."""
    settings = Settings(model="tfidf", k=3)
    corpus = SOURCES.corpus()
    result = run(corpus, settings)
    known = KnownVectors(fingerprint=corpus.fingerprint, settings=settings, embeddings=result.vectors)
    return sessions.write_session(sources=SOURCES, corpus=corpus, settings=settings, known=known), result


@pytest.fixture
def no_embedding(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a reopened session embedded texts")

    monkeypatch.setattr(vectors, "embed_texts", refuse)


def same_results(a, b) -> None:
    for name, table in tables(a).items():
        pd.testing.assert_frame_equal(table, tables(b)[name], obj=name)
    assert [t.label for t in a.topics] == [t.label for t in b.topics]


# --- reopening gives the same results -------------------------------------------------------------

def test_a_reopened_session_gives_the_same_topics_names_and_recommendations_without_embedding(saved, no_embedding):
    data, before = saved
    reopened = sessions.read_session(data, name="work.topicdash.zip")
    assert reopened.settings == before.settings and reopened.corpus == before.corpus and not reopened.notes
    assert reopened.sources.texts.data == SOURCES.texts.data  # the file as it was given, byte for byte
    after = run(reopened.corpus, reopened.settings, known=reopened.known)
    same_results(before, after)
    assert np.array_equal(after.vectors.texts, before.vectors.texts)


def test_topic_names_merges_stop_words_windows_and_the_domain_column_survive_a_reopen(monkeypatch):
    """An analyst's curation (issue 13) and the domain column are part of a session like any other setting."""
    frame = pd.read_csv(io.BytesIO(posts()))
    frame["where"] = ["forum" if n % 2 else "reviews" for n in range(len(frame))]
    sources = Sources(texts=DataFile(name="reviews.csv", data=frame.to_csv(index=False).encode()),
                      columns={"text": "review", "user": "author", "item": "item", "domain": "where"})
    settings = Settings(model="tfidf", k=4, windows=2, topic_edits=(("merge", 0, 3),),
                        topic_names=((0, "Baking and more"), (1, "Ball games")), stop_words=((1, "match"),))
    corpus = sources.corpus()
    before = run(corpus, settings)
    known = KnownVectors(fingerprint=corpus.fingerprint, settings=settings, embeddings=before.vectors)
    reopened = sessions.read_session(sessions.write_session(sources=sources, corpus=corpus, settings=settings,
                                                            known=known), name="curated.zip")
    assert reopened.settings == settings and reopened.corpus.domains == corpus.domains == tuple(frame["where"])
    monkeypatch.setattr(vectors, "embed_texts", lambda *a, **k: pytest.fail("the reopened session embedded texts"))
    after = run(reopened.corpus, reopened.settings, known=reopened.known)
    same_results(before, after)
    assert [t.label for t in after.topics][:2] == ["0: Baking and more", "1: Ball games"] and len(after.topics) == 3
    assert "match" not in next(t.words for t in after.topics if t.id == 1)


def test_the_command_line_saves_and_reopens_a_session_and_options_change_its_settings(tmp_path, monkeypatch):
    (tmp_path / "reviews.csv").write_bytes(posts())
    session = tmp_path / "work.topicdash.zip"
    assert main(["run", str(tmp_path / "reviews.csv"), "--text-col", "review", "--user-col", "author", "--k", "3",
                 "--out", str(tmp_path / "before"), "--save-session", str(session)]) == 0
    monkeypatch.setattr(vectors, "embed_texts", lambda *a, **k: pytest.fail("the reopened session embedded texts"))
    assert main(["run", "--session", str(session), "--out", str(tmp_path / "after")]) == 0
    for name in ("documents.csv", "topics.csv", "recommendations.csv", "U.csv"):
        assert (tmp_path / "before" / name).read_bytes() == (tmp_path / "after" / name).read_bytes(), name
    before, after = (json.loads((tmp_path / d / "run.json").read_text()) for d in ("before", "after"))
    assert before["settings"] == after["settings"] and before["model"] == after["model"]
    assert main(["run", "--session", str(session), "--k", "2", "--out", str(tmp_path / "k2")]) == 0
    assert len(pd.read_csv(tmp_path / "k2" / "topics.csv")) == 2


def test_a_session_with_data_options_is_refused(tmp_path, capsys, saved):
    (tmp_path / "s.zip").write_bytes(saved[0])
    assert main(["run", "x.csv", "--session", str(tmp_path / "s.zip"), "--out", str(tmp_path / "o")]) == 2
    assert "A session holds its own data" in capsys.readouterr().err


# --- settings are saved generically ---------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class Merge:
    topics: tuple[int, ...]
    name: str = ""


@dataclass(frozen=True, kw_only=True)
class Curation:
    names: dict[int, str] = field(default_factory=dict)
    merges: tuple[Merge, ...] = ()
    stop_words: frozenset[str] = frozenset()
    split: tuple[int, int] | None = None


@dataclass(frozen=True, kw_only=True)
class LaterSettings(Settings):
    """Settings as another change may grow them: nested records, tuples, dicts with int keys, sets."""

    curation: Curation = Curation()
    topic_names: dict[int, str] = field(default_factory=dict)


def test_fields_added_to_settings_later_round_trip_without_a_change_to_the_format():
    grown = LaterSettings(k=5, min_cluster_size=7, topic_names={0: "Baking", 3: "Football"},
                          curation=Curation(names={1: "Money"}, merges=(Merge(topics=(2, 4), name="Both"),),
                                            stop_words=frozenset({"the", "a"}), split=(3, 2)))
    record = json.loads(json.dumps(records.to_json(grown)))
    assert records.from_json(LaterSettings, record).value == grown
    assert records.from_json(Settings, records.to_json(Settings(k=4))).value == Settings(k=4)


def test_a_setting_of_the_wrong_type_names_the_field():
    with pytest.raises(CoreError, match=r"Settings\.k"):
        records.from_json(Settings, {"k": "eight"})
    with pytest.raises(CoreError, match="topic_names"):
        records.from_json(LaterSettings, {"topic_names": [[0, "a"], ["x", "b"]]})
    assert records.from_json(Settings, {"k": 3, "made_up": 1}).unknown == ("Settings.made_up",)


# --- damaged, truncated and foreign files are refused ---------------------------------------------

def rezip(data: bytes, change) -> bytes:
    """The session with its members passed through change(dict of name -> bytes), zipped again."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members = change(members)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def with_record(data: bytes, edit) -> bytes:
    def change(members):
        record = json.loads(members["session.json"])
        edit(record)
        return {**members, "session.json": json.dumps(record).encode()}
    return rezip(data, change)


def refused(data: bytes, match: str | None = None) -> str:
    with pytest.raises(CoreError, match=match) as caught:
        sessions.read_session(data, name="s.zip")
    return str(caught.value)


def test_every_truncation_and_many_random_byte_changes_are_refused_or_read_the_same(saved):
    data, before = saved
    for end in sorted({*range(0, len(data), max(1, len(data) // 60)), len(data) - 1, len(data) - 22}):
        refused(data[:end])
    rng = random.Random(15)
    for _ in range(150):
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        try:
            reopened = sessions.read_session(bytes(damaged), name="s.zip")
        except CoreError:
            continue  # what any other exception would fail the test with
        assert reopened.settings == before.settings and reopened.corpus == before.corpus  # e.g. a date changed


@pytest.mark.parametrize("content, message", [
    (b"text,user\nhello,u1\n", "not a saved session"),
    (b"", "not a saved session"),
])
def test_a_file_that_is_not_a_session_is_refused(content, message):
    refused(content, message)


def test_foreign_zips_path_traversal_and_zip_bombs_are_refused(saved, monkeypatch):
    data = saved[0]
    monkeypatch.setattr(sessions, "MAX_BYTES", 1_000_000)  # a data file's limit, smaller to keep the test quick
    refused(rezip(data, lambda m: {**m, "../../evil.py": b"print('no')"}), "holds files a saved session does not")
    refused(rezip(data, lambda m: {"notes.txt": b"hello"}), "not a saved session")
    refused(rezip(data, lambda m: {k: v for k, v in m.items() if k != "embeddings.parquet"}), "embeddings are missing")
    refused(rezip(data, lambda m: {**m, "data/texts.csv": b"text\n" + b"0" * 2_000_000}), "over the")
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as archive:
        for n in range(40):
            archive.writestr(f"f{n}", b"")
    refused(many.getvalue(), "40 entries")


@pytest.mark.parametrize("edit, message", [
    (lambda r: r.update(format="something-else"), "not a saved session of this dashboard"),
    (lambda r: r.update(version=99), "newer version"),
    (lambda r: r["settings"].update(k="eight"), r"Settings\.k"),
    (lambda r: r["settings"].update(method="no-such-method"), "Unknown clustering method"),
    (lambda r: r["data"]["texts"].update(sha256="0" * 64), "not the one that was saved"),
    (lambda r: r["data"]["texts"].update(member="data/../../x.csv"), "name a session does not use"),
    (lambda r: r["embeddings"].update(texts=3), "do not match its texts"),
    (lambda r: r["embeddings"]["record"].update(model=["x"]), "embeddings.model"),
    (lambda r: r["embeddings"]["language_means"].update(en=[1.0]), "language means"),
    (lambda r: r["data"].update(columns="review"), "column mapping"),
])
def test_a_record_that_does_not_fit_the_format_is_refused_with_what_is_wrong(saved, edit, message):
    refused(with_record(saved[0], edit), message)


def test_a_file_name_in_the_record_cannot_reach_outside_the_session(saved, no_embedding):
    data = with_record(saved[0], lambda r: r["data"]["texts"].update(name="../../etc/reviews.csv"))
    assert sessions.read_session(data, name="s.zip").sources.texts.name == "reviews.csv"


def test_embeddings_made_for_other_data_are_not_used(saved):
    data, before = saved
    other = dataclasses.replace(before.corpus, texts=before.corpus.texts[::-1])
    known = KnownVectors(fingerprint=other.fingerprint, settings=before.settings, embeddings=before.vectors)
    written = sessions.write_session(sources=SOURCES, corpus=before.corpus, settings=before.settings, known=known)
    assert sessions.read_session(written, name="s.zip").known is None
