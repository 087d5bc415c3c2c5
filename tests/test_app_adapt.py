"""Adapting the model from the Embeddings page (AppTest, the real bundled model, a few steps on the demo):
progress, stop, the picker entry, the before/after comparison and deleting."""
import time
from pathlib import Path

from core.adapt import delete_adapted_model
from tests.test_app import chart, metric, settle, sidebar, start

WAIT = 300


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


def english(at):
    """The Embeddings page with the bundled English model picked (small enough to adapt in seconds)."""
    settle(at.radio(key="w_model").set_value("default").run())
    assert "Bundled all-MiniLM-L6-v2" in sidebar(at)
    return at


def begin(at, steps: int):
    at.number_input(key="w_adapt_steps").set_value(steps)
    button(at.run(), "Start adapting").click().run()
    assert not at.exception, at.exception
    return at.session_state["adapt_job"]


def finish(at, job):
    deadline = time.monotonic() + WAIT
    while job.running and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not job.running, "adapting did not finish in time"
    return at.run()


def test_a_model_adapted_on_the_page_can_be_used_compared_with_its_base_and_deleted():
    demo = start("embeddings")  # the demo's languages picked the pair of multilingual models
    assert any("the transformer of the Bundled multilingual-e5-small + Universal"
               in c.value.replace("\\", "") for c in demo.caption)
    at = english(start("embeddings"))
    assert any("shorter than the 128" in w.value for w in at.warning)  # the demo's posts are short
    before = english(start("embeddings")).switch_page("pages/topics.py").run()
    job = begin(at, 2)
    assert button(at, "Start adapting").disabled  # one adaptation at a time
    at = finish(at, job)
    assert not at.error, at.error[0].value
    assert "after 2 steps" in at.success[0].value and "all steps done" in at.success[0].value
    folder = Path(job.result)
    assert (folder / "model.safetensors").is_file() and (folder / "adapted.json").is_file()
    assert "Bundled all-MiniLM-L6-v2" in sidebar(at)  # nothing changes until the adapted model is picked

    button(at, "Use the adapted model").click().run()
    assert at.radio(key="w_model").value == "adapted"
    assert at.selectbox(key="w_adapted").value.startswith(f"{folder.name} (adapted from the bundled")
    assert f"{folder.name} (adapted from Bundled all-MiniLM-L6-v2 (English))" in sidebar(at)
    assert sum(len(trace["x"]) for trace in chart(at, "scatter")["data"]) == 343

    at.toggle(key="w_compare").set_value(True).run()
    assert not at.exception and not at.error
    assert metric(at, "Texts that changed topic").endswith("of 343")
    table = at.dataframe[0].value
    assert f"{table.loc['Coherence (NPMI)', 'before']:.3f}" == metric(before, "Coherence (NPMI)")
    assert table.loc["Topics", "before"] == table.loc["Topics", "after"] == 8
    assert abs(table.loc["NMI", "change"] - (table.loc["NMI", "after"] - table.loc["NMI", "before"])) < 1e-12

    button(at, "Delete it").click().run()
    assert not folder.exists()
    assert "Bundled multilingual-e5-small" in sidebar(at) and at.radio(key="w_model").value == "auto"
    assert f"Deleted {folder}" in at.info[0].value.replace("\\", "")


def test_stopping_keeps_the_steps_done_so_far():
    at = english(start("embeddings"))
    job = begin(at, 500)
    deadline = time.monotonic() + WAIT
    while job.done < 1 and job.running and time.monotonic() < deadline:
        time.sleep(0.2)
    at.run()
    progress = at.get("progress")[0].proto.text
    assert progress.startswith("Adapting: step ") and "of 500" in progress
    button(at, "Stop and keep the steps done so far").click().run()
    at = finish(at, job)
    assert "stopped by you" in at.success[0].value
    steps = int(at.success[0].value.split(" after ")[1].split()[0])
    assert 1 <= steps < 500
    delete_adapted_model(job.result)


def test_the_tfidf_baseline_cannot_be_adapted():
    at = start("embeddings")
    at.radio(key="w_model").set_value("tfidf").run()
    assert not any(b.label == "Start adapting" for b in at.button)
    assert any("no language model to adapt" in i.value for i in at.info)
