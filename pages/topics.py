"""Topics: the clustering method and k, keywords, sizes, representative texts, quality and a k sweep."""
import pandas as pd
import streamlit as st

from core.cluster import METHODS
from core.evaluate import FIGURES
from ui import charts, session, stages

session.page_start()

st.title("Topics")
left, right = st.columns([2, 3])
method = METHODS[session.choose("Method", "method", METHODS, widget=left.selectbox,
                                format_func=lambda name: METHODS[name].label)]
with right:
    session.slider("Number of topics (k)", "k", 2, session.max_k(), disabled=not method.takes_k,
                   help=None if method.takes_k else f"{method.label.split(' (')[0]} finds the number of topics itself.")

corpus = session.corpus()
topics = stages.get("topics")
quality = stages.get("quality")
shown = ["topics", "npmi", "diversity", "silhouette"] + (["purity", "nmi", "ari"] if corpus.labels is not None else [])
for column, name in zip(st.columns(len(shown)), shown):
    value = quality.get(name)
    column.metric(FIGURES[name].label, "–" if value is None else value if isinstance(value, int) else f"{value:.3f}",
                  help=FIGURES[name].help)
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
if st.toggle("Show silhouette and coherence for every k", **session.bind("sweep")):
    st.plotly_chart(charts.k_sweep(stages.k_sweep(), quality["topics"], stages.sweep_settings().method), key="sweep")
    st.caption("Each k is clustered with the same embeddings and clustering space. Prefer a k where silhouette and "
               "coherence are both high; a peak in silhouette marks well-separated topics.")
