"""Overview: what the data is, the headline topics and interests, and what to do next."""
import pandas as pd
import streamlit as st

from core.evaluate import FIGURES
from core.stages import model_choice
from ui import charts, session, stages, views

session.page_start()

corpus, s = session.corpus(), session.settings()
report = corpus.report
st.title("Overview")
demo = report.source == "bundled demo"
if demo:
    st.info("This is the bundled demo: 343 short posts by 48 users of a hobby site (8 of them write in Chinese) "
            "about 8 interests, an item catalogue of 80 articles, products and videos, and 594 ratings. Upload "
            "your own texts on the Data page.")
model, why = model_choice(corpus, s)
st.write(charts.markdown(
    f"{report.source}: {len(corpus):,} texts in {report.language_name}"
    + (f" by {report.users:,} users" if corpus.has_users else " (no user column)")
    + (f", {len(corpus.interactions):,} interactions" if corpus.interactions is not None else "")
    + f". Read by {session.model_name(model)}, because {why}."))

topics = [t for t in stages.get("topics") if t.id >= 0]
quality = stages.get("quality")
left, right = st.columns([3, 2])
left.plotly_chart(charts.bars(pd.DataFrame({"texts": [t.size for t in topics]}, index=[t.label for t in topics]),
                              f"The {len(topics)} topics and how many texts each holds", y_title="texts"),
                  key="overview_topics")
with right:
    st.metric("Topics", len(topics), help="How many groups of texts on one subject were found; change it on Topics.")
    if quality.get("nmi") is not None:
        st.metric("Agreement with your labels (NMI)", f"{quality['nmi']:.2f}", help=FIGURES["nmi"].help)
    st.metric("Coherence (NPMI)", "–" if quality["npmi"] is None else f"{quality['npmi']:.2f}",
              help=FIGURES["npmi"].help)
    if corpus.has_users:
        st.write("What users care about most (mean share of their texts and likes):")
        for label, share in views.top_interests().items():
            st.text(f"{share:6.1%}  {label}")

st.subheader("Next steps")
first, second, third = st.columns(3)
first.page_link("pages/topics.py", label="Name and curate the topics", icon=":material/topic:")
first.caption("Read each topic's keywords and texts, rename, merge or split it.")
second.page_link("pages/interests.py", label="See who cares about what", icon=":material/grid_on:")
second.caption("Each user's share of each topic, and the factors behind them.")
third.page_link("pages/recommendations.py", label="Recommend for a user or a new text", icon=":material/recommend:")
third.caption("Items per user with the reason, and how well that does offline.")
