"""The dashboard's pure parts: the chart builders (escaping user text); the new-user recommender is tested in
tests/test_recommender.py."""
import tomllib
from pathlib import Path

import pandas as pd

from core.keywords import Topic
from ui import charts

SCRIPT = "<script>alert(1)</script>"


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
