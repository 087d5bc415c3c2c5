"""Topics: the clustering method and k, keywords, sizes, representative texts, quality and a k sweep."""
import pandas as pd
import streamlit as st

from core.cluster import METHODS
from ui import charts, state

state.page_start()

st.title("Topics")
left, right = st.columns([2, 3])
method = state.choose("Method", "method", METHODS, widget=left.selectbox, format_func=state.METHOD_NAMES.get)
with right:
    state.slider("Number of topics (k)", "k", 2, state.max_k(), disabled=method == "hdbscan",
                 help="HDBSCAN finds the number of topics itself." if method == "hdbscan" else None)

corpus = state.corpus()
_, topics = state.topics()
quality = state.quality()
figures = {"Topics": quality["topics"], "Coherence (NPMI)": quality["npmi"], "Diversity": quality["diversity"],
           "Silhouette": quality.get("silhouette")}
if corpus.labels is not None:
    figures |= {"Purity": quality["purity"], "NMI": quality["nmi"], "ARI": quality["ari"]}
for column, (name, value) in zip(st.columns(len(figures)), figures.items()):
    column.metric(name, "–" if value is None else value if isinstance(value, int) else f"{value:.3f}")
if quality["outliers"]:
    st.caption(f"{quality['outliers']:.1%} of the texts are outliers (no topic).")

st.plotly_chart(charts.keyword_bars(topics), key="keywords")
sizes, texts = st.columns([2, 3])
sizes.plotly_chart(charts.bars(pd.DataFrame({"texts": [t.size for t in topics]}, index=[t.label for t in topics]),
                               "Topic sizes", y_title="texts"), key="sizes")
with texts:
    st.subheader("Representative texts")
    for topic in topics:
        with st.expander(f"{charts.markdown(topic.label)} · {topic.size} text{'s' * (topic.size != 1)}"):
            for i in topic.representatives:
                st.text(corpus.texts[i])

st.subheader("Choosing k")
if st.toggle("Show silhouette and coherence for every k", **state.bind("sweep")):
    st.plotly_chart(charts.k_sweep(state.k_sweep(), quality["topics"], state.sweep_method()), key="sweep")
    st.caption("Each k is clustered with the same embeddings and UMAP space. Prefer a k where silhouette and "
               "coherence are both high; a peak in silhouette marks well-separated topics.")
