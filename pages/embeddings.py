"""Embeddings: the model, embedding with progress, and the UMAP scatter in 2D or 3D."""
import streamlit as st

from core.embed import cache_dir
from core.errors import CoreError
from ui import charts, state

state.page_start()

CHOICES = ["default", "tfidf", "other"]


def pick_model() -> None:
    if st.session_state.w_model != "other":  # a typed model is used only once it has loaded
        state.update(model=st.session_state.w_model)


st.title("Embeddings")
model = state.settings().model
st.session_state.setdefault("w_model", model if model in CHOICES else "other")
choice = st.radio("Model", CHOICES, key="w_model", horizontal=True, on_change=pick_model,
                  format_func=lambda c: state.MODEL_NAMES.get(c, "Hugging Face id or local folder"))
if choice == "other":
    typed = st.text_input("Hugging Face id (already downloaded) or path to a model folder",
                          value="" if model in CHOICES else model,
                          placeholder="sentence-transformers/all-mpnet-base-v2 or /models/my-encoder").strip()
    if st.button("Use this model", disabled=not typed):
        try:
            state.embedder(typed)
        except CoreError as exc:
            st.error(charts.markdown(f"{exc} Still using: {state.model_name()}."))
        else:
            state.update(model=typed)
            st.rerun()

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
