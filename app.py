"""The topic dashboard: `streamlit run app.py`. Starts on the bundled demo; the pages are in pages/."""
import sys

import streamlit as st

# The frame and the menu come first, before the libraries load: right after a server start that takes
# seconds, and the first visitor sees the app with a note instead of a blank page.
st.set_page_config(page_title="Topic dashboard", page_icon=":material/hub:", layout="wide")
warming = st.empty() if "ui.session" not in sys.modules else None
if warming is not None:
    warming.info("Warming up: loading the libraries and the bundled demo, once after the server starts…",
                 icon=":material/hourglass_top:")
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

from core.errors import CoreError  # noqa: E402  (after the frame: see above)
from core.stages import model_choice  # noqa: E402
from ui import charts, embedding, session  # noqa: E402

session.init()
if warming is not None:
    warming.empty()
corpus, settings = session.corpus(), session.settings()
report = corpus.report
st.session_state.in_app = True
try:
    with st.sidebar:
        st.subheader("Dataset")
        st.text(f"{report.source}\n{len(corpus)} texts · {report.users} users · {report.items} items\n"
                f"language: {report.language_name}"
                + (f"\n{len(corpus.interactions)} interactions" if corpus.interactions is not None else ""))
        st.subheader("Model")
        model, why = model_choice(corpus, settings)
        st.text(session.model_name(model))
        st.caption(charts.markdown(f"Why: {why}."))
        st.subheader("Settings")
        st.text(f"topics: {settings.method}" + (f", k = {settings.k}" if settings.topic_count else "")
                + f"\nlatent factors: {settings.factors}\ntop-N: {settings.top_n}\nseed: {settings.seed}")
    embedding.panel()  # the background embedding's progress and Cancel, above every page
    page.run()
    session.warm_up_umap()
except CoreError as exc:  # bad input or settings: the message says what to do; no traceback
    st.error(charts.markdown(exc))
finally:
    st.session_state.in_app = False
