"""Data: the bundled demo or an upload, column mapping, saving and opening a session, a validation report and
a preview."""
import pandas as pd
import streamlit as st

from core.data import FORMATS, guess_column
from core.errors import CoreError
from ui import charts, session, stages

session.page_start()

ROLES = ("text", "user", "item", "label", "time", "domain")
TYPES = sorted(extension.lstrip(".") for extension in FORMATS)


def loaded(sources, corpus, message: str, upload: str | None = None) -> None:
    session.use(sources, corpus)
    st.session_state.loaded_message = message
    st.session_state.loaded_upload = upload  # the uploaded file now in use, whose mapping then folds away
    st.rerun()  # so that the sidebar shows the new dataset


st.title("Data")
if message := st.session_state.pop("loaded_message", None):
    st.success(charts.markdown(message))
if st.button("Open the bundled demo", type="primary", icon=":material/play_arrow:"):
    loaded(*session.demo(), "The bundled demo is loaded: posts by 48 users, an item catalogue and an interaction log.")

st.subheader("Or upload your own")
texts_column, catalogue_column, log_column, vectors_column = st.columns(4)
texts = texts_column.file_uploader("Texts (one row per text)", type=TYPES, key="upload_texts")
catalogue = catalogue_column.file_uploader("Item catalogue (optional: item id and text)", type=TYPES,
                                           key="upload_catalogue")
log = log_column.file_uploader("Interaction log (optional: user id, item id, rating, time)", type=TYPES,
                               key="upload_log")
vectors = vectors_column.file_uploader("Vectors of the texts (optional: from `python -m core embed`)", type=["parquet"],
                                       key="upload_vectors")
if texts is not None:
    # Once this file is loaded, its mapping and preview fold away (the preview below shows what was loaded).
    place = st.expander(f"Change how the columns of {texts.name} are read") \
        if st.session_state.get("loaded_upload") == texts.file_id else st.container()
    try:
        frame, _ = session.read_upload(texts)
        place.write("Which column holds what?")
        columns = {}
        for column, role in zip(place.columns(len(ROLES)), ROLES):
            options = ([] if role == "text" else [None]) + list(frame.columns)
            guess = guess_column(frame.columns, role)
            columns[role] = column.selectbox(role.title(), options, options.index(guess) if guess in options else 0,
                                             format_func=lambda c: "— none —" if c is None else c,
                                             key=f"map_{role}_{texts.file_id}")
        place.dataframe(frame.head(10), hide_index=True)
        if place.button("Load this file", type="primary", icon=":material/check:"):
            sources = session.upload_sources(texts, columns, catalogue, log)
            loaded(sources, session.with_vectors(sources.corpus(), vectors),
                   f"{texts.name} is loaded" + (f" with the vectors in {vectors.name}." if vectors else "."),
                   upload=texts.file_id)
    except CoreError as exc:
        st.error(charts.markdown(f"This data could not be used: {exc}") + "\n\n"
                 + charts.markdown(f"The data loaded before ({session.corpus().report.source}) stays loaded."))

st.subheader("Sessions")
save_column, open_column = st.columns(2)
known = stages.known_vectors()
name, make = session.session_file(known)
save_column.download_button("Save session", make, name, "application/zip", on_click="ignore", icon=":material/save:",
                            help="One file with the data as uploaded, the column mapping, every setting and the "
                                 "embeddings; “Open a session” or `python -m core run --session` reopens it.")
save_column.caption("Holds the data, the settings and the embeddings: reopening embeds nothing." if known else
                    "Holds the data and the settings; the embeddings are not ready yet, so reopening it embeds them.")
opened = open_column.file_uploader("Open a session", type=["zip"], key="upload_session")
if opened is not None and open_column.button("Open this session", icon=":material/folder_open:"):
    try:
        st.session_state.loaded_message = session.open_session(opened)
    except CoreError as exc:
        open_column.error(charts.markdown(f"This session could not be opened: {exc}"))
    else:
        st.rerun()

corpus = session.corpus()
report = corpus.report
st.subheader(charts.markdown(f"Loaded: {report.source}"))
counts = {"Rows read": report.rows, "Empty texts dropped": report.empty_dropped, "Duplicate texts": report.duplicates,
          "Users": report.users, "Items": report.items}
for column, (name, value) in zip(st.columns(len(counts)), counts.items()):
    column.metric(name, value)
details = [f"texts in {report.language_name}",
           f"encoding {report.encoding}" if report.encoding else "",
           f"delimiter {report.delimiter!r}" if report.delimiter else "",
           f"{len(corpus.catalogue.item_ids)} catalogue items" if corpus.catalogue else "",
           f"{len(corpus.interactions)} interactions" if corpus.interactions is not None else ""]
st.caption(charts.markdown(" · ".join(d for d in details if d)))
for warning in report.warnings:
    st.warning(charts.markdown(warning))
preview = {"text": corpus.texts, "user": corpus.users, "item": corpus.items, "label": corpus.labels,
           "time": corpus.times}
st.dataframe(pd.DataFrame({k: v[:200] for k, v in preview.items() if v is not None}), hide_index=True)
st.caption(f"The first {min(200, len(corpus))} of {len(corpus)} texts.")
