"""Embeddings: the model (optionally adapted to these texts), embedding with progress, and the UMAP
scatter in 2D or 3D."""
from pathlib import Path

import streamlit as st

from core.adapt import (DEFAULT_MAX_SECONDS, DEFAULT_STEPS, delete_adapted_model, fingerprint, list_adapted_models,
                        pair_note, read_record)
from core.embedders import AUTO, MAX_WINDOWS, MODELS, adapt_base, cache_dir, load_embedder, model_entry
from core.embedders.hardware import WARNING
from core.errors import CoreError
from core.settings import Settings
from ui import charts, jobs, session, stages, views

session.page_start()

CHOICES = {AUTO: "Chosen by the texts' language", **{name: model.label for name, model in MODELS.items()},
           "adapted": "Adapted to your texts (experimental)", "other": "Hugging Face id or local folder"}


def choice_of(model: str) -> str:
    if model == AUTO or model in MODELS:
        return model
    return "adapted" if read_record(model) is not None else "other"


def pick_model() -> None:
    choice = st.session_state.w_model
    if choice == AUTO or choice in MODELS:
        session.update(model=choice)
    elif choice == "adapted" and (found := list_adapted_models()):
        session.update(model=str(found[0].path))  # the newest; a typed model is used only once it has loaded


def use_model(path: str) -> None:
    session.update(model=path)
    st.session_state.w_model = choice_of(path)
    st.session_state.pop("w_adapted", None)


def delete_model(path: str) -> None:
    try:
        delete_adapted_model(path)
    except CoreError as exc:
        st.session_state.adapt_message = str(exc)
    else:
        st.session_state.adapt_message = f"Deleted {path}."
        if session.settings().model == path:
            session.update(model=Settings().model)
        st.session_state.w_model = choice_of(session.settings().model)


def running_panel() -> None:
    """Redrawn every second while the model adapts; the whole page reruns once it has finished."""
    job = jobs.adapt_job()
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
    trained = (read_record(job.result) or {}).get("trained", {})
    why = {"steps": "all steps done", "time": "time budget used", "stopped": "stopped by you"}
    st.success(charts.markdown(
        f"Saved the adapted model in {job.result} after {trained.get('steps')} steps in {trained.get('seconds')} s "
        f"({why.get(trained.get('stopped_by'), trained.get('stopped_by'))}); training loss "
        f"{trained.get('first_loss')} → {trained.get('last_loss')}."))
    if session.settings().model != str(job.result):
        st.button("Use the adapted model", on_click=use_model, args=(str(job.result),))


st.title("Embeddings")
model = session.settings().model
st.session_state.setdefault("w_model", choice_of(model))
choice = st.radio("Model", list(CHOICES), key="w_model", horizontal=True, on_change=pick_model,
                  format_func=CHOICES.get)
if message := st.session_state.pop("adapt_message", None):
    st.info(charts.markdown(message))
if choice == "other":
    typed = st.text_input("Hugging Face id (already downloaded) or path to a model folder",
                          value="" if choice_of(model) != "other" else model,
                          placeholder="sentence-transformers/all-mpnet-base-v2 or /models/my-encoder").strip()
    if st.button("Use this model", disabled=not typed):
        try:
            with st.spinner("Loading the language model…"):
                load_embedder(typed)  # a model that cannot be used is reported now
        except CoreError as exc:
            st.error(charts.markdown(f"{exc} Still using: {session.model_name()}."))
        else:
            session.update(model=typed)
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
        session.update(model=picked)
        with st.popover("Delete this adapted model"):
            st.write(charts.markdown(f"Deletes the folder {picked} from disk."))
            st.button("Delete it", on_click=delete_model, args=(picked,), type="primary")

with st.expander("Adapt the model to these texts (experimental)", expanded=jobs.adapt_job() is not None):
    st.caption("Fine-tunes the current model on the loaded texts without labels (contrastive training: two "
               "random spans of a text are pulled together, other texts pushed apart) and saves it as a new "
               "model folder. Experimental and off by default: on BBC News, 10 minutes of adapting on a "
               "2-core CPU changed NMI and coherence by less than 0.01 (bench/README.md). The model in use "
               "does not change until you pick the adapted one.")
    job = jobs.adapt_job()
    busy = job is not None and job.running
    in_use = stages.get("vectors").model
    steps_column, minutes_column, seed_column = st.columns(3)
    steps = steps_column.number_input("Steps (32 texts each)", 1, 100_000, DEFAULT_STEPS, key="w_adapt_steps")
    minutes = minutes_column.number_input("Time budget (minutes)", 0.1, 600.0, DEFAULT_MAX_SECONDS / 60,
                                          step=1.0, key="w_adapt_minutes")
    seed = seed_column.number_input("Seed", 0, 2 ** 31 - 1, session.settings().seed, key="w_adapt_seed")
    base = adapt_base(in_use)
    if base is None:
        st.info(charts.markdown(f"The {model_entry(in_use).label} has no language model to adapt: choose a "
                                "transformer model above."))
    else:
        if note := pair_note(in_use):
            st.caption(charts.markdown(note))
        if warning := views.adapt_warning(base):
            st.warning(charts.markdown(warning))
        if st.button("Start adapting", disabled=busy, type="primary"):
            jobs.start_adapting(list(session.corpus().texts), base, int(steps), float(minutes), int(seed))
            st.rerun()
    if busy:
        st.fragment(running_panel, run_every=1.0)()
    elif job is not None:
        finished_panel(job)

session.choose("How much of a long text the model reads", "windows", [1, 2, 4, MAX_WINDOWS],
               format_func=lambda n: "up to the model's limit (fastest)" if n == 1 else f"up to {n} windows, spread over it",
               help="The default reads each text up to the model's limit, as sentence-transformers does; on BBC News "
                    "reading every window took twice as long and found the same topics.")
vectors = stages.get("vectors")
items = f" and {len(vectors.catalogue)} catalogue items" if vectors.catalogue is not None else ""
precision = f" in {vectors.precision} ({vectors.precision_why})" if vectors.precision else ""
st.caption(charts.markdown(f"{len(vectors.texts)} texts{items} as {vectors.texts.shape[1]}-dimensional vectors from "
                           f"{session.model_name(vectors.model)}{precision}, cached on disk in {cache_dir()}."))
if vectors.read_in_part:
    st.caption(f"{vectors.read_in_part:,} long texts were read in part: encoded attachments and other runs of 100+ "
               "characters without a space were left out, and texts over 200,000 characters read from evenly "
               "spaced parts. The texts themselves are unchanged everywhere else.")
if vectors.precision_why.startswith(WARNING):
    st.warning(charts.markdown(f"Precision {vectors.precision}: {vectors.precision_why}."))

corpus = session.corpus()
dims_column, colour_column, user_column = st.columns(3)
session.choose("View", "view_dims", [2, 3], widget=dims_column.radio, horizontal=True, format_func=lambda d: f"{d}D")
colour = session.choose("Colour by", "colour", ["topic", "user"] + (["label"] if corpus.labels is not None else []),
                        widget=colour_column.selectbox)
highlight = session.choose("Highlight one user's texts", "highlight", [None, *dict.fromkeys(corpus.users)],
                           widget=user_column.selectbox, format_func=lambda u: "nobody" if u is None else u)
frame = views.view_frame()
st.plotly_chart(charts.scatter(frame, colour, highlight), key="scatter")
if note := charts.colour_note(frame, colour):
    st.caption(note)

if session.settings().model not in MODELS and (record := read_record(session.settings().model)) is not None:
    st.subheader("Before and after adaptation")
    st.caption(charts.markdown(
        f"The same texts, method, k and seed, clustered with the base model ({session.model_name(record['base_model'])}) "
        "and with the adapted one. Silhouette is measured in each model's own space."
        + ("" if record.get("data", {}).get("fingerprint") == fingerprint(corpus.texts) else
           f" Note: this model was adapted on other texts ({record.get('data', {}).get('texts')} of them).")))
    if st.toggle("Compare with the base model", **session.bind("compare")):
        try:
            found = stages.comparison()
        except CoreError as exc:
            st.error(charts.markdown(f"{exc} The comparison needs the base model on disk."))
        else:
            st.metric("Texts that changed topic", f"{found['changed']} of {found['texts']}",
                      f"{found['changed_share']:.1%}", delta_color="off",
                      help="After matching each topic before to the topic after that shares most texts with it.")
            st.dataframe(views.comparison_frame(found))
