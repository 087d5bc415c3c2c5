"""Saving a session from the app and opening it in a fresh app (AppTest, caches cleared as by a restart): the
same topics, names and recommendations with nothing embedded; a damaged file is refused on the page and the
loaded data stays."""
import pytest
import streamlit as st
from streamlit.runtime.media_file_manager import MediaFileManager

from tests.test_app import calls, downloads, posts_csv, sidebar, start, upload  # noqa: F401  (fixtures)


@pytest.fixture
def deferred(monkeypatch) -> dict:
    """The functions that make a file only when its download button is clicked, by file name."""
    made = {}
    register = MediaFileManager.add_deferred

    def keep(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        made[file_name] = data_callable
        return register(self, data_callable, mimetype, coordinates, file_name=file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", keep)
    return made


def exports(at, downloads: dict) -> dict[str, bytes]:
    """Every table and the metrics the Export page offers (the run record's timings aside), by what they hold."""
    downloads.clear()
    at.switch_page("pages/export.py").run()
    assert not at.exception, at.exception
    return {name.split("_", 1)[1]: data for name, data in downloads.items() if "run-settings" not in name}


def open_session(at, name: str, data: bytes):
    upload(at, name, data, key="upload_session")
    next(b for b in at.button if b.label == "Open this session").click().run()
    return at


def test_a_saved_session_reopens_in_a_restarted_app_with_the_same_results_and_nothing_embedded(
        deferred, downloads, calls):
    at = upload(start("data"), "reviews.csv", posts_csv())
    next(b for b in at.button if b.label == "Load this file").click().run()
    at.switch_page("pages/topics.py").run()
    at.slider(key="w_k").set_value(3).run()
    before = exports(at, downloads)
    at.switch_page("pages/data.py").run()
    assert any("reopening embeds nothing" in c.value for c in at.caption)
    saved = deferred["reviews.topicdash.zip"]()

    st.cache_data.clear()  # a restart: no stage is cached in the process any more
    st.cache_resource.clear()
    fresh = start("data")
    calls.update(embed=0, umap=0)
    open_session(fresh, "reviews.topicdash.zip", saved)
    assert not fresh.exception and not fresh.error
    assert "nothing is embedded again" in fresh.success[0].value
    assert "reviews.csv\n18 texts" in sidebar(fresh) and "k = 3" in sidebar(fresh)
    after = exports(fresh, downloads)
    assert calls["embed"] == 0
    assert set(after) == set(before) and len(before) == 19  # 9 tables as CSV and JSON, and the metrics
    for name in before:
        assert after[name] == before[name], name


def test_a_damaged_session_is_refused_and_the_loaded_data_stays(deferred):
    at = start("data")
    saved = deferred["bundled-demo.topicdash.zip"]()
    open_session(at, "cut.topicdash.zip", saved[:len(saved) // 2])
    assert "could not be opened" in at.error[0].value and "damaged or incomplete" in at.error[0].value
    assert "bundled demo" in sidebar(at)
    open_session(at, "table.zip", b"PK\x03\x04 not really a zip")
    assert "could not be opened" in at.error[0].value
