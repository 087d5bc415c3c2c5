"""Topics: the clustering method and k, keywords, sizes and quality; renaming, merging, splitting and stop
words; and every text of a topic, with the users and items that carry it."""
import pandas as pd
import streamlit as st

from core import curation
from core.cluster import METHODS
from core.evaluate import FIGURES
from ui import charts, session, stages, views

session.page_start()

st.title("Topics")
left, right = st.columns([2, 3])
method = METHODS[session.choose("Method", "method", METHODS, widget=left.selectbox,
                                format_func=lambda name: METHODS[name].label)]
if method.caveat:
    left.caption(method.caveat)
corpus, s = session.corpus(), session.settings()
topics = [t for t in stages.get("topics")]
with right:
    if method.takes_k:
        session.slider("Number of topics (k)", "k", 2, session.max_k())
    else:
        st.metric("Topics found", sum(t.id >= 0 for t in topics),
                  help=f"{method.label.split(' (')[0]} finds the number of topics itself.")

quality = stages.get("quality")
shown = ["topics", "npmi", "diversity", "silhouette"] + (["purity", "nmi", "ari"] if corpus.labels is not None else [])
for column, name in zip(st.columns(len(shown)), shown):
    value = quality.get(name)
    column.metric(FIGURES[name].label, "–" if value is None else value if isinstance(value, int) else f"{value:.3f}",
                  help=FIGURES[name].help)
if quality["outliers"]:
    st.caption(f"{quality['outliers']:.1%} of the texts are outliers (no topic).")

st.plotly_chart(charts.keyword_bars(topics), key="keywords")
named = [t for t in topics if t.id >= 0]
names = {t.id: t.label for t in named}

with st.expander("Rename, merge or split topics, and keep words out of keywords", expanded=bool(s.topic_names)):
    st.caption("Names and edits belong to this clustering: changing the model, method or k starts afresh.")
    rename, merge, split = st.columns(3)
    with rename.form("rename"):
        topic = st.selectbox("Topic", list(names), format_func=names.get, key="w_rename_topic")
        name = st.text_input("New name (empty: back to its keywords)", key="w_rename_name")
        if st.form_submit_button("Rename"):
            session.update(topic_names=curation.renamed(s.topic_names, topic, name))
            st.rerun()
    with merge.form("merge"):
        keep = st.selectbox("Keep", list(names), format_func=names.get, key="w_merge_keep")
        absorbed = st.selectbox("Merge into it", list(names), index=min(1, len(names) - 1), format_func=names.get,
                                key="w_merge_absorbed")
        if st.form_submit_button("Merge", disabled=len(names) < 2):
            if keep != absorbed:
                edits, kept = curation.merged(s.topic_edits, s.topic_names, keep, absorbed)
                session.update(topic_edits=edits, topic_names=kept)
                st.rerun()
    with split.form("split"):
        parted = st.selectbox("Split into two", list(names), format_func=names.get, key="w_split_topic")
        if st.form_submit_button("Split"):
            edits, kept = curation.split(s.topic_edits, s.topic_names, parted)
            session.update(topic_edits=edits, topic_names=kept)
            st.rerun()
    words, scope = st.columns([3, 2])
    word = words.text_input("A word to keep out of keywords", key="w_stop_word").strip()
    where = scope.selectbox("Out of", [-1, *names], format_func=lambda t: "every topic" if t < 0 else names[t],
                            key="w_stop_scope")
    if st.button("Keep it out", disabled=not word):
        session.update(stop_words=tuple(dict.fromkeys((*s.stop_words, (where, word.lower())))))
        st.rerun()
    done = [f"{kind} {a}" + (f" and {b}" if kind == curation.MERGE else "") for kind, a, b in s.topic_edits]
    if done or s.stop_words:
        st.caption(charts.markdown("Edits: " + (", ".join(done) or "none") + "; words kept out: "
                                   + (", ".join(w for _, w in s.stop_words) or "none")))
        if st.button("Undo every edit and name"):
            session.update(**{field: () for field in session.CURATION})
            st.rerun()

sizes, texts = st.columns([2, 3])
sizes.plotly_chart(charts.bars(pd.DataFrame({"texts": [t.size for t in topics]}, index=[t.label for t in topics]),
                               "Topic sizes", y_title="texts"), key="sizes")
with texts:
    st.subheader("Inside a topic")
    chosen = session.choose("Topic", "drill_topic", list(names), format_func=names.get)
    search = st.text_input("Search its texts", key="w_drill_search", placeholder="a word or phrase")
    found = views.topic_texts(chosen, search)
    st.dataframe(found, hide_index=True, height=260)
    st.caption(f"{len(found)} of the topic's {next(t.size for t in named if t.id == chosen)} texts, the most "
               "representative first.")
    people, carried = views.topic_people_and_items(chosen)
    if corpus.has_users and len(people):
        st.write("Who writes about it most: " + charts.markdown(", ".join(f"{u} ({v:.0%})" for u, v in people.items())))
    if len(carried):
        st.dataframe(carried, hide_index=True)

st.subheader("Choosing k")
if st.toggle("Show silhouette and coherence for every k", **session.bind("sweep")):
    sweep = stages.sweep_settings()
    st.plotly_chart(charts.k_sweep(stages.k_sweep(), sum(t.id >= 0 for t in topics), METHODS[sweep.method].label),
                    key="sweep")
    st.caption("Each k is clustered with the same embeddings and clustering space" +
               ("" if method.takes_k else f" by {METHODS[sweep.method].label.split(' (')[0]}, since "
                f"{method.label.split(' (')[0]} finds k itself") +
               ". Prefer a k where silhouette and coherence are both high.")
