"""The dashboard's pages driven with Streamlit's AppTest, on the real model and real UMAP.

The stage caches live in the process, so the demo is embedded and projected once for the whole file.
"""
import base64
import io
import json
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core import reduce, vectors
from core.data import load_demo
from tests.conftest import ENGLISH

APP = Path(__file__).resolve().parent.parent / "app.py"
TIMEOUT = 300  # a cold start embeds the demo and compiles UMAP's numba code


def start(page: str | None = None) -> AppTest:
    """The app after its first run (on the demo) and its background embedding, then on `page` if given."""
    at = settle(AppTest.from_file(str(APP), default_timeout=TIMEOUT).run())
    if page:
        at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def settle(at: AppTest) -> AppTest:
    """The page again once a background embedding (ui/embedding.py) has finished: in a browser the progress
    panel's timer reruns the app then, which AppTest does not run."""
    try:
        job = at.session_state["embedding"]
    except KeyError:
        return at
    deadline = time.monotonic() + TIMEOUT
    while job is not None and job.job.running and time.monotonic() < deadline:
        time.sleep(0.2)
    return at.run() if job is not None else at


def chart(at: AppTest, key: str) -> dict:
    """The Plotly figure that the page sent for the chart with this key, arrays as lists."""
    return plain(json.loads(next(e for e in at.get("plotly_chart") if e.key == key).proto.spec))


def plain(value):
    """Plotly's JSON with its typed arrays ({"dtype", "bdata", "shape"}) decoded into lists."""
    if isinstance(value, dict) and {"dtype", "bdata"} <= set(value):
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        shape = [int(n) for n in str(value.get("shape", len(array))).split(",")]
        return array.reshape(shape).tolist()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return [plain(v) for v in value] if isinstance(value, list) else value


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def sidebar(at: AppTest) -> str:
    return "\n".join(t.value for t in at.sidebar.text)


def upload(at: AppTest, name: str, data: bytes, key: str = "upload_texts") -> AppTest:
    at.file_uploader(key=key).set_value((name, data, "application/octet-stream"))
    return at.run()


def posts_csv(extra: list[tuple[str, str, str]] = ()) -> bytes:
    rows = [(f"u{n % 4}", text, label) for n, (label, text) in
            enumerate((label, text) for label, texts in ENGLISH.items() for text in texts)]
    frame = pd.DataFrame(rows + list(extra), columns=["author", "review", "category"])
    return frame.to_csv(index=False).encode()


@pytest.fixture
def downloads(monkeypatch) -> dict[str, bytes]:
    """The files the app hands to the browser for download, by file name."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    files = {}
    store = MemoryMediaFileStorage.load_and_get_id

    def keep(self, data, mimetype, kind, filename=None):
        files[filename] = data
        return store(self, data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    return files


@pytest.fixture
def calls(monkeypatch):
    """How often the app embeds texts and runs UMAP (the real functions, counted)."""
    counts = {"embed": 0, "umap": 0}

    def counted(name, fn):
        def wrapper(*args, **kwargs):
            counts[name] += 1
            return fn(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(vectors, "embed_texts", counted("embed", vectors.embed_texts))
    monkeypatch.setattr(reduce, "reduce", counted("umap", reduce.reduce))
    return counts


# --- start and sidebar --------------------------------------------------------------------------

def test_the_topics_page_shows_the_demo_topics_and_the_sidebar_the_data_and_model():
    at = start("topics")
    assert at.title[0].value == "Topics"
    assert "bundled demo" in sidebar(at) and "343 texts · 48 users · 80 items" in sidebar(at)
    assert "Bundled multilingual-e5-small" in sidebar(at) and "k = 8" in sidebar(at)
    assert "Chinese and English" in at.sidebar.caption[0].value  # why the model was chosen
    assert metric(at, "Topics") == "8"
    assert len(chart(at, "keywords")["data"]) == 8
    assert {"Purity", "NMI", "ARI", "Silhouette", "Coherence (NPMI)", "Diversity"} <= {m.label for m in at.metric}


# --- topics -------------------------------------------------------------------------------------

def test_the_k_slider_changes_the_topics_without_embedding_or_umap_again(calls):
    at = start("topics")
    calls.update(embed=0, umap=0)
    began = time.perf_counter()
    at.slider(key="w_k").set_value(5).run()
    print(f"\nk 8 -> 5: the Topics page ran in {time.perf_counter() - began:.2f} s")
    assert calls == {"embed": 0, "umap": 0}
    assert metric(at, "Topics") == "5"
    assert len(chart(at, "keywords")["data"]) == 5
    assert len(chart(at, "sizes")["data"][0]["x"]) == 5
    assert len(at.selectbox(key="w_drill_topic").options) == 5
    assert "k = 5" in sidebar(at)


def test_the_k_sweep_charts_silhouette_and_coherence_for_every_k():
    figure = chart(start("topics"), "sweep")
    names = [trace["name"] for trace in figure["data"]]
    assert names == ["silhouette", "coherence (NPMI)"]
    assert figure["data"][0]["x"] == list(range(2, 31))
    assert all(value is not None for value in figure["data"][0]["y"])


def test_hdbscan_finds_the_number_of_topics_itself():
    at = start("topics")
    at.selectbox(key="w_method").set_value("hdbscan").run()
    assert int(metric(at, "Topics")) >= 2 and metric(at, "Topics found") == metric(at, "Topics")
    assert "topics: hdbscan" in sidebar(at)


@pytest.mark.parametrize("method", ["agglomerative", "lda"])
def test_agglomerative_and_lda_find_k_topics(method):
    at = start("topics")
    at.toggle(key="w_sweep").set_value(False).run()  # the sweep would fit every k again
    at.selectbox(key="w_method").set_value(method).run()
    assert not at.exception
    assert metric(at, "Topics") == "8" and len(chart(at, "keywords")["data"]) == 8


def test_settings_survive_moving_between_pages():
    at = start("topics")
    at.slider(key="w_k").set_value(6).run()
    at.switch_page("pages/interests.py").run()
    at.slider(key="w_factors").set_value(2).run()
    at.switch_page("pages/topics.py").run()
    assert at.slider(key="w_k").value == 6 and metric(at, "Topics") == "6"
    at.switch_page("pages/interests.py").run()
    assert at.slider(key="w_factors").value == 2


# --- embeddings ---------------------------------------------------------------------------------

def test_the_scatter_shows_every_text_coloured_by_topic_with_its_text_on_hover():
    at = start("embeddings")
    figure = chart(at, "scatter")
    assert len(figure["data"]) == 8 and figure["data"][0]["type"] == "scatter"
    assert sum(len(trace["x"]) for trace in figure["data"]) == 343
    hover = figure["data"][0]["customdata"][0]
    assert hover[1].startswith("u") and hover[2] == figure["data"][0]["name"]


def test_the_scatter_switches_to_3d_colours_by_label_and_highlights_a_user():
    at = start("embeddings")
    at.radio(key="w_view_dims").set_value(3).run()
    at.selectbox(key="w_colour").set_value("label").run()
    at.selectbox(key="w_highlight").set_value("u01").run()
    figure = chart(at, "scatter")
    assert {trace["type"] for trace in figure["data"]} == {"scatter3d"}
    assert [t["name"] for t in figure["data"][:-1]] == ["cooking", "fitness", "football", "gardening",
                                                        "personal_finance", "photography", "travel", "video_games"]
    highlighted = figure["data"][-1]
    assert highlighted["name"] == "user u01" and len(highlighted["z"]) == load_demo().users.count("u01")


def test_colouring_by_user_with_many_users_uses_one_trace():
    at = start("embeddings")
    at.selectbox(key="w_colour").set_value("user").run()
    figure = chart(at, "scatter")
    assert len(figure["data"]) == 1 and len(figure["data"][0]["marker"]["color"]) == 343
    assert any(c.value.startswith("48 users share 24 colours, with no legend") for c in at.caption)


def test_a_model_that_is_not_on_disk_is_refused_with_a_clear_message():
    at = start("embeddings")
    at.radio(key="w_model").set_value("other").run()
    at.text_input[0].input("someone/not-a-downloaded-model").run()
    at.button[0].click().run()
    assert "is not on this computer" in at.error[0].value
    assert "Bundled multilingual-e5-small" in sidebar(at)


def test_a_model_folder_typed_in_is_loaded_and_used():
    from core.embedders.bundled import minilm as default_model_path

    at = start("embeddings")
    at.radio(key="w_model").set_value("other").run()
    at.text_input[0].input(str(default_model_path())).run()
    settle(at.button[0].click().run())
    assert not at.error and not at.exception
    assert str(default_model_path()) in sidebar(at)
    assert sum(len(trace["x"]) for trace in chart(at, "scatter")["data"]) == 343


def test_the_tfidf_baseline_embeds_without_a_model():
    at = start("embeddings")
    at.radio(key="w_model").set_value("tfidf").run()
    assert not at.exception
    assert "TF-IDF / LSA baseline" in sidebar(at)
    assert any(c.value.startswith("343 texts") and "TF\\-IDF / LSA baseline" in c.value for c in at.caption)
    assert sum(len(trace["x"]) for trace in chart(at, "scatter")["data"]) == 343


# --- interests ----------------------------------------------------------------------------------

def test_the_latent_factor_slider_changes_the_shapes_of_U_and_V(calls):
    at = start("interests")
    assert pd.DataFrame(chart(at, "U")["data"][0]["z"]).shape == (30, 4)
    error = metric(at, "Reconstruction error ‖R − UVᵀ‖")
    calls.update(embed=0, umap=0)
    at.slider(key="w_factors").set_value(2).run()
    assert pd.DataFrame(chart(at, "U")["data"][0]["z"]).shape == (30, 2)
    assert pd.DataFrame(chart(at, "V")["data"][0]["z"]).shape == (8, 2)
    assert metric(at, "Reconstruction error ‖R − UVᵀ‖") != error
    assert calls == {"embed": 0, "umap": 0}


def test_the_heatmaps_show_the_most_active_users_with_topic_labels_on_the_axes():
    at = start("interests")
    R = chart(at, "R")["data"][0]
    assert len(R["y"]) == 30 and "30 most active of 48 users" in at.caption[0].value
    assert len(R["x"]) == 8 and all(label.split(":")[0].isdigit() for label in R["x"])
    at.slider(key="w_shown_users").set_value(48).run()
    assert len(chart(at, "R")["data"][0]["y"]) == 48


def test_one_users_profile_shows_their_shares_and_the_prediction():
    at = start("interests")
    at.selectbox(key="w_user").set_value("u05").run()
    share, predicted = chart(at, "profile")["data"]
    assert share["name"] == "their share (R)" and len(share["y"]) == len(predicted["y"]) == 8
    assert sum(share["y"]) == pytest.approx(1)


# --- recommendations ----------------------------------------------------------------------------

def test_a_users_top_n_items_come_with_scores_and_reasons():
    at = start("recommendations")
    at.selectbox(key="w_user").set_value("u02").run()
    table = at.table[0].value
    assert len(table) == 10 and list(table.columns) == ["Rank", "Item", "Item id", "Score", "Why"]
    assert all(reason.startswith(("About ", "Popular right now", "People who liked ", "Close to ", "New: "))
               for reason in table["Why"])
    at.slider(key="w_top_n").set_value(3).run()
    assert len(at.table[0].value) == 3


def test_a_new_user_who_writes_about_baking_gets_cooking_items():
    at = start("recommendations")
    text = "I bake sourdough bread every weekend and love cooking pasta sauce."
    at.text_area(key="w_new_user_text").input(text).run()
    mix = chart(at, "new_user_topics")["data"][0]
    assert len(mix["y"]) == 8 and sum(mix["y"]) == pytest.approx(1)
    items = at.table[-2].value["Item id"].tolist()
    assert len(items) == 10 and sum(i <= "i010" for i in items) >= 5  # i001..i010 are the cooking items
    at.switch_page("pages/topics.py").run()
    at.switch_page("pages/recommendations.py").run()
    assert at.text_area(key="w_new_user_text").value == text and at.table[-2].value["Item id"].tolist() == items


def test_a_new_user_who_writes_chinese_about_football_gets_football_items_in_both_languages():
    at = start("recommendations")
    at.text_area(key="w_new_user_text").input("周末喜欢踢足球，也关注英超联赛").run()  # issue 16's example
    mix = chart(at, "new_user_topics")["data"][0]
    assert max(mix["y"]) > 0.5
    table = at.table[-2].value
    football = table[table["Item id"].between("i011", "i020")]  # i011..i020 are the football items
    assert len(football) >= 8
    chinese = football["Item"].map(lambda title: any("\u4e00" <= c <= "\u9fff" for c in title))
    assert chinese.any() and not chinese.all()


def test_a_new_users_text_also_gets_recommendations_with_the_tfidf_baseline():
    at = start("embeddings")
    at.radio(key="w_model").set_value("tfidf").run()
    at.switch_page("pages/recommendations.py").run()
    at.text_area(key="w_new_user_text").input("I bake sourdough bread every weekend and love cooking pasta.").run()
    assert not at.exception, at.exception
    assert sum(chart(at, "new_user_topics")["data"][0]["y"]) == pytest.approx(1)
    assert len(at.table[-2].value) == 10


def test_the_offline_evaluation_compares_the_recommender_shown_with_popularity():
    at = start("recommendations")
    table = at.table[-1].value
    assert list(table.columns) == ["HR@10", "± SE", "NDCG@10", "Coverage", "Top-10 % share"]
    assert {"this recommender", "collaborative alone (ALS)", "popularity", "random"} <= set(table.index)
    assert table.loc["this recommender", "HR@10"] >= table.loc["popularity", "HR@10"] - table.loc["popularity", "± SE"]


def test_the_page_shows_the_weights_the_list_and_the_evaluation_share():
    at = start("recommendations")
    sentence = next(c.value for c in at.caption if c.value.startswith("The list and the evaluation both score"))
    assert "chosen on a validation split of the history" in sentence
    shares = [int(s) for s in re.findall(r"(\d+)%", sentence)]
    assert len(shares) == 4 and sum(shares) == 100


# --- export -------------------------------------------------------------------------------------

def test_every_export_is_offered_as_csv_and_json_under_a_telling_name(downloads):
    start("export")
    assert len(downloads) == 26  # 12 tables (the demo has time, label and domain columns) as CSV and JSON, 2 records
    assert {"R-user-topic-interests", "U-user-latent-factors", "V-topic-latent-factors", "topic-keywords",
            "recommendations", "documents-with-topics", "quality-metrics", "run-settings", "intertopic-distance-map",
            "topic-hierarchy", "topics-over-time", "topics-per-label", "topics-per-domain",
            "topics-across-domains"} == {name.split("_")[-1].split(".")[0] for name in downloads}
    documents = downloads["bundled-demo_kmeans-k8_documents-with-topics.csv"]
    assert documents.startswith("\ufeff".encode()) and len(pd.read_csv(io.BytesIO(documents))) == 343
    assert json.loads(downloads["bundled-demo_kmeans-k8_run-settings.json"])["settings"]["k"] == 8
    U = json.loads(downloads["bundled-demo_kmeans-k8_U-user-latent-factors.json"])
    assert len(U) == 48 and len(U[0]) == 5 and all(key.startswith(("user_id", "f")) for key in U[0])
    assert all(" + " in key for key in U[0] if key != "user_id")  # factors named by their strongest topics


def test_the_apps_run_record_equals_the_command_lines_for_the_same_data_and_settings(downloads, tmp_path):
    from core.__main__ import main

    start("export")
    app = json.loads(downloads["bundled-demo_kmeans-k8_run-settings.json"])
    assert main(["run", "--out", str(tmp_path)]) == 0
    cli = json.loads((tmp_path / "run.json").read_text())
    assert set(app.pop("seconds")) == set(cli.pop("seconds"))  # the same stages, timed in each
    assert app.pop("peak_memory_mb") > 0 and cli.pop("peak_memory_mb") > 0  # measured in each
    assert app == cli


# --- data ---------------------------------------------------------------------------------------

def test_an_uploaded_csv_is_mapped_by_column_name_and_becomes_the_dataset(downloads):
    at = upload(start("data"), "reviews.csv", posts_csv([("u9", "=HYPERLINK(\"http://x\")", "finance")]))
    assert {s.label: s.value for s in at.selectbox} == {"Text": "review", "User": "author", "Item": None,
                                                        "Label": "category", "Time": None, "Domain": None}
    next(s for s in at.selectbox if s.label == "Label").select_index(0).run()  # "— none —"
    at.button[1].click().run()  # "Load this file"
    assert at.success[0].value == r"reviews\.csv is loaded\."  # markdown-escaped: shown as typed
    assert "reviews.csv\n19 texts · 5 users" in sidebar(at) and "language: English" in sidebar(at)
    assert metric(at, "Rows read") == "19"
    assert any(c.value.startswith("texts in English · encoding") for c in at.caption)
    at.switch_page("pages/topics.py").run()
    assert not at.exception and "Silhouette" in {m.label for m in at.metric}
    assert not {"Purity", "NMI", "ARI"} & {m.label for m in at.metric}  # no label column was mapped
    at.switch_page("pages/export.py").run()
    documents = downloads["reviews.csv_kmeans-k8_documents-with-topics.csv"].decode("utf-8-sig")
    assert "'=HYPERLINK" in documents  # a spreadsheet would have run it as a formula


@pytest.mark.parametrize("name, data", [
    ("posts.tsv", b"text\tuser\nbread and butter\tu1\nfootball match\tu2\n"),
    ("posts.json", json.dumps([{"text": "bread and butter", "user": "u1"}]).encode()),
    ("posts.jsonl", b'{"text": "bread and butter", "user": "u1"}\n{"text": "a football match", "user": "u2"}\n'),
    ("posts.txt", "bread and butter\n足球比赛很精彩\n".encode()),
])
def test_every_text_format_is_read_and_previewed(name, data):
    at = upload(start("data"), name, data)
    assert not at.error and not at.exception
    assert at.selectbox(key=next(s.key for s in at.selectbox if s.label == "Text")).value == "text"
    assert len(at.dataframe[0].value) >= 1


def test_an_uploaded_excel_workbook_is_read():
    buffer = io.BytesIO()
    frame = pd.DataFrame({"comment": ["bread and butter", "football match"], "customer": ["a", "b"]})
    frame.to_excel(buffer, index=False)
    at = upload(start("data"), "posts.xlsx", buffer.getvalue())
    assert not at.error
    assert {s.label: s.value for s in at.selectbox}["User"] == "customer"


def test_a_bad_upload_shows_the_reason_and_keeps_the_loaded_data():
    at = upload(start("data"), "broken.csv", b"text,user\n\"one\",u1\n\"two\",u2,extra\n")
    assert "3 fields but the header has 2" in at.error[0].value
    assert "bundled demo" in at.error[0].value and "stays loaded" in at.error[0].value
    assert "bundled demo" in sidebar(at) and metric(at, "Rows read") == "343"


def test_a_bad_interaction_log_is_reported_when_loading_and_the_old_data_stays():
    at = upload(start("data"), "reviews.csv", posts_csv())
    upload(at, "log.csv", b"user_id,item_id,rating\nu1,i1,five\n", key="upload_log")
    at.button[1].click().run()
    assert "not a number" in at.error[0].value
    assert "bundled demo" in sidebar(at)
