"""The topic dashboard: `streamlit run app.py`. Starts on the bundled demo; the pages are in pages/."""
import streamlit as st

from core.errors import CoreError
from ui import charts, state

st.set_page_config(page_title="Topic dashboard", page_icon=":material/hub:", layout="wide")
state.init()
page = st.navigation([
    st.Page("pages/data.py", title="Data", icon=":material/upload_file:"),
    st.Page("pages/embeddings.py", title="Embeddings", icon=":material/scatter_plot:"),
    st.Page("pages/topics.py", title="Topics", icon=":material/topic:", default=True),
    st.Page("pages/interests.py", title="Interests", icon=":material/grid_on:"),
    st.Page("pages/recommendations.py", title="Recommendations", icon=":material/recommend:"),
    st.Page("pages/export.py", title="Export", icon=":material/download:"),
])

corpus, settings = state.corpus(), state.settings()
report = corpus.report
with st.sidebar:
    st.subheader("Dataset")
    st.text(f"{report.source}\n{len(corpus)} texts · {report.users} users · {report.items} items\n"
            f"language: {report.language}"
            + (f"\n{len(corpus.interactions)} interactions" if corpus.interactions is not None else ""))
    st.subheader("Model")
    st.text(state.model_name())
    st.subheader("Settings")
    st.text(f"topics: {settings.method}" + ("" if settings.method == "hdbscan" else f", k = {settings.k}")
            + f"\nlatent factors: {settings.factors}\ntop-N: {settings.top_n}\nseed: {settings.seed}")

st.session_state.in_app = True
try:
    page.run()
    state.warm_up_umap()
except CoreError as exc:  # bad input or settings: the message says what to do; no traceback
    st.error(charts.markdown(exc))
finally:
    st.session_state.in_app = False
