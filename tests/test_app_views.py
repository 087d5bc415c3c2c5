"""The analyst's pages with Streamlit's AppTest on the bundled demo: the overview, renaming, merging and
splitting topics, looking inside a topic, and the topic views (time, labels, map, hierarchy, domains)."""
import pandas as pd

from core.text import tokenize
from tests.test_app import chart, downloads, metric, sidebar, start  # noqa: F401 (downloads is a fixture)


def form_button(at, label: str):
    return next(b for b in at.button if b.label == label)


def test_the_app_opens_on_an_overview_of_the_demo_with_next_steps():
    at = start()
    assert at.title[0].value == "Overview"
    assert "bundled demo" in at.info[0].value and "48 users" in at.info[0].value
    assert len(chart(at, "overview_topics")["data"][0]["x"]) == 8
    assert metric(at, "Topics") == "8" and any("NMI" in m.label for m in at.metric)
    assert all(m.help for m in at.metric)  # every figure says how to read it
    assert any("Chinese and English" in md.value for md in at.markdown)  # the model and why


def test_a_renamed_topic_is_called_so_on_every_page_and_in_the_exports(downloads):
    at = start("topics")
    at.selectbox(key="w_rename_topic").set_value(0)
    at.text_input(key="w_rename_name").input("Football talk")
    form_button(at, "Rename").click().run()
    assert chart(at, "keywords")["layout"]["annotations"][0]["text"] == "0: Football talk"
    at.switch_page("pages/interests.py").run()
    assert "0: Football talk" in chart(at, "R")["data"][0]["x"]
    at.switch_page("pages/export.py").run()
    topics = next(v for k, v in downloads.items() if k.endswith("topic-keywords.csv")).decode("utf-8-sig")
    assert "0: Football talk" in topics


def test_merging_two_topics_leaves_one_fewer_and_splitting_adds_one():
    at = start("topics")
    at.toggle(key="w_sweep").set_value(False).run()
    at.selectbox(key="w_merge_keep").set_value(0)
    at.selectbox(key="w_merge_absorbed").set_value(1)
    form_button(at, "Merge").click().run()
    assert not at.exception and metric(at, "Topics") == "7"
    assert any("merge 0 and 1" in c.value for c in at.caption)
    at.selectbox(key="w_split_topic").set_value(0)
    form_button(at, "Split").click().run()
    assert metric(at, "Topics") == "8"
    next(b for b in at.button if b.label == "Undo every edit and name").click().run()
    assert metric(at, "Topics") == "8" and not any("Edits:" in c.value for c in at.caption)


def test_a_word_kept_out_leaves_the_keywords():
    at = start("topics")
    at.toggle(key="w_sweep").set_value(False).run()
    first = chart(at, "keywords")["data"][0]["y"][-1]  # the strongest keyword of the first topic
    at.text_input(key="w_stop_word").input(first).run()
    next(b for b in at.button if b.label == "Keep it out").click().run()
    assert all(first not in trace["y"] for trace in chart(at, "keywords")["data"])


def test_inside_a_topic_every_text_can_be_searched_with_its_users_and_items():
    at = start("topics")
    at.toggle(key="w_sweep").set_value(False).run()
    texts = at.dataframe[0].value
    size = int(chart(at, "sizes")["data"][0]["y"][0])
    assert len(texts) == size and {"text", "user", "label", "time", "domain"} <= set(texts.columns)
    word = tokenize(texts["text"].iloc[0])[0]  # a keyword of the first text (a jieba word if it is Chinese)
    at.text_input(key="w_drill_search").input(word).run()
    found = at.dataframe[0].value
    assert 1 <= len(found) <= size and found["text"].str.contains(word, case=False, regex=False).all()
    assert len(at.dataframe[1].value) > 0  # the items that carry the topic


def test_hdbscan_shows_how_many_topics_it_found_instead_of_a_slider():
    at = start("topics")
    at.toggle(key="w_sweep").set_value(False).run()
    at.selectbox(key="w_method").set_value("hdbscan").run()
    assert not [s for s in at.slider if s.key == "w_k"]
    assert int(metric(at, "Topics found")) >= 2 and "hdbscan" in sidebar(at)


def test_the_topic_views_show_time_labels_map_hierarchy_and_domains():
    at = start("views")
    assert not at.exception
    over_time = chart(at, "over_time")
    assert len(over_time["data"]) == 8 and over_time["layout"]["xaxis"]["title"]["text"] in ("week", "month")
    assert len(chart(at, "per_label")["data"][0]["y"]) == 8  # the demo's 8 interests
    assert len(chart(at, "topic_map")["data"][0]["x"]) == 8
    assert chart(at, "hierarchy")["data"]
    assert pd.DataFrame(chart(at, "per_domain")["data"][0]["z"]).shape == (2, 8)
    links = at.dataframe[0].value
    assert len(links) and (links["lift"] > 0).all()


def test_without_a_user_column_the_pages_say_so_and_offer_more_like_this():
    from tests.test_app import posts_csv, upload

    at = upload(start("data"), "reviews.csv", posts_csv())
    next(s for s in at.selectbox if s.label == "User").select_index(0).run()  # "— none —"
    at.button[1].click().run()  # "Load this file"
    at.switch_page("pages/interests.py").run()
    assert not at.exception and "no user column" in at.info[0].value
    at.switch_page("pages/recommendations.py").run()
    assert not at.exception and "no user column" in at.info[0].value
    similar = at.dataframe[0].value
    chosen = at.selectbox(key="similar_to").value
    assert len(similar) == 10 and chosen not in set(similar["row"])  # never the text itself
    assert similar["similarity"].is_monotonic_decreasing
    assert "There is no interaction log" in at.info[-1].value  # and how to get one


def test_items_of_one_domain_are_offered_from_what_a_user_writes_in_another():
    from core.data import load_demo

    demo = load_demo()
    both = sorted({u for u, d in zip(demo.users, demo.domains) if d == "forum"}
                  & {u for u, d in zip(demo.users, demo.domains) if d == "reviews"})
    reviewed = {i for i, d in zip(demo.items, demo.domains) if d == "reviews" and i}
    at = start("recommendations")
    at.selectbox(key="w_user").set_value(both[0]).run()
    at.selectbox(key="domain_from").set_value("forum").run()
    at.selectbox(key="domain_to").set_value("reviews").run()
    assert not at.exception and "Across domains" in [h.value for h in at.subheader]
    offered = at.table[1].value["Item id"]
    assert len(offered) and set(offered) <= reviewed
