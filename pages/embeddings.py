"""Embeddings: the model (optionally adapted to these texts), embedding with progress, and the UMAP
scatter in 2D or 3D."""
from pathlib import Path

import streamlit as st

from core.adapt import DEFAULT_MAX_SECONDS, DEFAULT_STEPS, list_adapted_models
from core.embed import cache_dir
from core.errors import CoreError
from ui import charts, state

state.page_start()

CHOICES = ["default", "tfidf", "adapted", "other"]
CHOICE_NAMES = {**state.MODEL_NAMES, "adapted": "Adapted to your texts (experimental)",
                "other": "Hugging Face id or local folder"}


def choice_of(model: str) -> str:
    if model in state.MODEL_NAMES:
        return model
    return "adapted" if state.adapted_record(model) is not None else "other"


def pick_model() -> None:
    choice = st.session_state.w_model
    if choice in state.MODEL_NAMES:
        state.update(model=choice)
    elif choice == "adapted" and (found := list_adapted_models()):
        state.update(model=str(found[0].path))  # the newest; a typed model is used only once it has loaded


def use_model(path: str) -> None:
    state.update(model=path)
    st.session_state.w_model = choice_of(path)
    st.session_state.pop("w_adapted", None)


def delete_model(path: str) -> None:
    try:
        state.delete_adapted(path)
    except CoreError as exc:
        st.session_state.adapt_message = str(exc)
    else:
        st.session_state.adapt_message = f"Deleted {path}."
        st.session_state.w_model = choice_of(state.settings().model)


def running_panel() -> None:
    """Redrawn every second while the model adapts; the whole page reruns once it has finished."""
    job = state.adapt_job()
    if not job.running:
        st.rerun()
    text = f"Adapting: step {job.done} of {job.total or '…'}, {job.seconds:.0f} s"
    st.progress(job.done / job.total if job.total else 0.0,
                text=text + (" (stopping after this step)" if job.stopping else ""))
    st.button("Stop and keep the steps done so far", on_click=job.stop, disabled=job.stopping)


def finished_panel(job) -> None:
    if job.error:
        st.error(charts.markdown(job.error))
        return
    if not Path(job.result).is_dir():
        return  # deleted since
    trained = (state.adapted_record(str(job.result)) or {}).get("trained", {})
    why = {"steps": "all steps done", "time": "time budget used", "stopped": "stopped by you"}
    st.success(charts.markdown(
        f"Saved the adapted model in {job.result} after {trained.get('steps')} steps in {trained.get('seconds')} s "
        f"({why.get(trained.get('stopped_by'), trained.get('stopped_by'))}); training loss "
        f"{trained.get('first_loss')} → {trained.get('last_loss')}."))
    if state.settings().model != str(job.result):
        st.button("Use the adapted model", on_click=use_model, args=(str(job.result),))


st.title("Embeddings")
model = state.settings().model
st.session_state.setdefault("w_model", choice_of(model))
choice = st.radio("Model", CHOICES, key="w_model", horizontal=True, on_change=pick_model,
                  format_func=CHOICE_NAMES.get)
if message := st.session_state.pop("adapt_message", None):
    st.info(charts.markdown(message))
if choice == "other":
    typed = st.text_input("Hugging Face id (already downloaded) or path to a model folder",
                          value="" if choice_of(model) != "other" else model,
                          placeholder="sentence-transformers/all-mpnet-base-v2 or /models/my-encoder").strip()
    if st.button("Use this model", disabled=not typed):
        try:
            state.check_model(typed)
        except CoreError as exc:
            st.error(charts.markdown(f"{exc} Still using: {state.model_name()}."))
        else:
            state.update(model=typed)
            st.rerun()
elif choice == "adapted":
    found = {m.label: str(m.path) for m in list_adapted_models()}  # labels as options: AppTest needs them plain
    if not found:
        st.info("No adapted models yet: adapt one under “Adapt the model to these texts” below.")
    else:
        if st.session_state.get("w_adapted") not in found:
            st.session_state.w_adapted = next((label for label, path in found.items() if path == model),
                                              next(iter(found)))
        picked = found[st.selectbox("Adapted model", list(found), key="w_adapted")]
        state.update(model=picked)
        with st.popover("Delete this adapted model"):
            st.write(charts.markdown(f"Deletes the folder {picked} from disk."))
            st.button("Delete it", on_click=delete_model, args=(picked,), type="primary")

with st.expander("Adapt the model to these texts (experimental)", expanded=state.adapt_job() is not None):
    st.caption("Fine-tunes the current model on the loaded texts without labels (contrastive training: two "
               "random spans of a text are pulled together, other texts pushed apart) and saves it as a new "
               "model folder. Experimental and off by default: on BBC News, 10 minutes of adapting on a "
               "2-core CPU changed NMI and coherence by less than 0.01 (bench/README.md). The model in use "
               "does not change until you pick the adapted one.")
    job = state.adapt_job()
    busy = job is not None and job.running
    steps_column, minutes_column, seed_column = st.columns(3)
    steps = steps_column.number_input("Steps (32 texts each)", 1, 100_000, DEFAULT_STEPS, key="w_adapt_steps")
    minutes = minutes_column.number_input("Time budget (minutes)", 0.1, 600.0, DEFAULT_MAX_SECONDS / 60,
                                          step=1.0, key="w_adapt_minutes")
    seed = seed_column.number_input("Seed", 0, 2 ** 31 - 1, state.settings().seed, key="w_adapt_seed")
    if state.settings().model == "tfidf":
        st.info("The TF-IDF baseline has no language model to adapt: choose a transformer model above.")
    elif st.button("Start adapting", disabled=busy, type="primary"):
        state.start_adapting(int(steps), float(minutes), int(seed))
        st.rerun()
    if busy:
        st.fragment(running_panel, run_every=1.0)()
    elif job is not None:
        finished_panel(job)

vectors, catalogue_vectors = state.vectors()
items = f" and {len(catalogue_vectors)} catalogue items" if catalogue_vectors is not None else ""
st.caption(charts.markdown(f"{len(vectors)} texts{items} as {vectors.shape[1]}-dimensional vectors from "
                           f"{state.model_name()}, cached on disk in {cache_dir()}."))

corpus = state.corpus()
dims_column, colour_column, user_column = st.columns(3)
dims = state.choose("View", "dims", [2, 3], widget=dims_column.radio, horizontal=True, format_func=lambda d: f"{d}D")
colour = state.choose("Colour by", "colour", ["topic", "user"] + (["label"] if corpus.labels is not None else []),
                      widget=colour_column.selectbox)
highlight = state.choose("Highlight one user's texts", "highlight", [None, *dict.fromkeys(corpus.users)],
                         widget=user_column.selectbox, format_func=lambda u: "nobody" if u is None else u)
st.plotly_chart(charts.scatter(state.view_frame(dims), colour, highlight), key="scatter")

if (record := state.adapted_record()) is not None:
    st.subheader("Before and after adaptation")
    st.caption(charts.markdown(
        f"The same texts, method, k and seed, clustered with the base model ({state.model_name(record['base_model'])}) "
        "and with the adapted one. Silhouette is measured in each model's own space."
        + ("" if state.adapted_on_these_texts(record) else
           f" Note: this model was adapted on other texts ({record.get('data', {}).get('texts')} of them).")))
    if st.toggle("Compare with the base model", **state.bind("compare")):
        try:
            found = state.comparison()
        except CoreError as exc:
            st.error(charts.markdown(f"{exc} The comparison needs the base model on disk."))
        else:
            st.metric("Texts that changed topic", f"{found['changed']} of {found['texts']}",
                      f"{found['changed_share']:.1%}", delta_color="off",
                      help="After matching each topic before to the topic after that shares most texts with it.")
            st.dataframe(state.comparison_frame(found))
