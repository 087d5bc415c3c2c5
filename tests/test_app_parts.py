"""The dashboard's pure parts: the chart builders (escaping user text) and the new-user recommender."""
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd

from core.keywords import Topic
from core.items import Items
from core.ranking import recommend_for_profile
from ui import charts

SCRIPT = "<script>alert(1)</script>"


def test_a_new_users_text_gets_the_topic_mix_of_its_vector_and_items_of_that_topic():
    vectors = np.array([[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9]], dtype=np.float32)
    topics = [Topic(id=0, size=2, words=("bread",), weights=(1.0,), label="0: bread", representatives=()),
              Topic(id=1, size=2, words=("goal",), weights=(1.0,), label="1: goal", representatives=())]
    items = Items(ids=("ball", "loaf"), titles=("Ball", "Loaf"), topics=np.array([[0.0, 1.0], [1.0, 0.0]]),
                  popularity=np.zeros(2))
    mix, recs = recommend_for_profile(np.array([0.95, 0.05]), vectors, np.array([0, 0, 1, 1]), items, topics,
                                      top_n=2, popularity_weight=0)
    assert abs(mix.sum() - 1) < 1e-9 and mix[0] > 0.9
    assert recs["item_id"].tolist() == ["loaf", "ball"] and set(recs["user_id"]) == {"you"}
    assert "bread" in recs["reason"].iloc[0]


def test_user_text_in_the_scatter_is_escaped_not_rendered():
    frame = pd.DataFrame({"x": [0.0, 1.0], "y": [0.0, 1.0], "text": [SCRIPT, "fine"], "user": ["<b>u</b>", "v"],
                          "topic": pd.Categorical(["0: <i>a</i>", "1: b"])})
    figure = charts.scatter(frame, "topic", highlight="<b>u</b>").to_plotly_json()
    dumped = str(figure["data"])
    assert "<script>" not in dumped and "<b>u</b>" not in dumped and "<i>" not in dumped
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dumped
    assert figure["data"][-1]["name"] == "user &lt;b&gt;u&lt;/b&gt;"


def test_long_texts_are_shortened_and_wrapped_for_hover():
    label = charts.hover_text("word " * 100, limit=100, width=40)
    assert label.endswith("…") and label.count("<br>") >= 2 and len(label.replace("<br>", " ")) <= 100


def test_heatmap_labels_are_escaped_and_rows_keep_their_order():
    matrix = pd.DataFrame([[0.1, 0.9], [0.5, 0.5]], index=["<u1>", "u2"], columns=["0: a", "1: <b>"])
    trace = charts.heatmap(matrix, "R", "topic", "user").to_plotly_json()["data"][0]
    assert list(trace["y"]) == ["&lt;u1&gt;", "u2"] and list(trace["x"]) == ["0: a", "1: &lt;b&gt;"]


def test_markdown_labels_show_user_text_literally():
    assert charts.markdown("**x** [a](http://b) :red[c]") == r"\*\*x\*\* \[a\]\(http\://b\) \:red\[c\]"


def test_tables_escape_text_cells_and_round_numbers():
    table = charts.markdown_table(pd.DataFrame({"title": ["**Bold** <b>x</b>"], "score": [0.98765]}))
    assert table.to_dict("records") == [{"title": r"\*\*Bold\*\* \<b\>x\</b\>", "score": 0.988}]


def test_keyword_bars_draw_one_panel_per_topic_strongest_word_on_top():
    topics = [Topic(id=i, size=5, words=("alpha", "beta"), weights=(0.9, 0.4), label=f"{i}: alpha", representatives=())
              for i in range(4)]
    figure = charts.keyword_bars(topics).to_plotly_json()
    assert len(figure["data"]) == 4
    assert list(figure["data"][0]["y"]) == ["beta", "alpha"]  # plotly draws the last bar on top


def test_the_app_sends_no_usage_statistics_and_limits_uploads():
    config = tomllib.loads((Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml").read_text())
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["maxUploadSize"] == 200  # MB, as core.data.MAX_BYTES
