"""The topic dashboard: `streamlit run app.py`. Starts on the bundled demo; the pages are in pages/."""
import streamlit as st

from core.errors import CoreError
from core.stages import model_choice
from ui import charts, session

st.set_page_config(page_title="Topic dashboard", page_icon=":material/hub:", layout="wide")
session.init()
page = st.navigation([
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("pages/data.py", title="Data", icon=":material/upload_file:"),
    st.Page("pages/embeddings.py", title="Embeddings", icon=":material/scatter_plot:"),
    st.Page("pages/topics.py", title="Topics", icon=":material/topic:"),
    st.Page("pages/views.py", title="Topic views", icon=":material/timeline:"),
    st.Page("pages/interests.py", title="Interests", icon=":material/grid_on:"),
    st.Page("pages/recommendations.py", title="Recommendations", icon=":material/recommend:"),
    st.Page("pages/export.py", title="Export", icon=":material/download:"),
])

corpus, settings = session.corpus(), session.settings()
report = corpus.report
st.session_state.in_app = True
try:
    with st.sidebar:
        st.subheader("Dataset")
        st.text(f"{report.source}\n{len(corpus)} texts · {report.users} users · {report.items} items\n"
                f"language: {report.language}"
                + (f"\n{len(corpus.interactions)} interactions" if corpus.interactions is not None else ""))
        st.subheader("Model")
        model, why = model_choice(corpus, settings)
        st.text(session.model_name(model))
        st.caption(charts.markdown(f"Why: {why}."))
        st.subheader("Settings")
        st.text(f"topics: {settings.method}" + (f", k = {settings.k}" if settings.topic_count else "")
                + f"\nlatent factors: {settings.factors}\ntop-N: {settings.top_n}\nseed: {settings.seed}")
    page.run()
    session.warm_up_umap()
except CoreError as exc:  # bad input or settings: the message says what to do; no traceback
    st.error(charts.markdown(exc))
finally:
    st.session_state.in_app = False
