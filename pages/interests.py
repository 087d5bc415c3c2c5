"""Interests: R (users x topics) and its factorisation R ~ U V^T, and one user's interest profile."""
import streamlit as st

from ui import charts, session, stages, views

MAX_ROWS = 300  # more rows than this would not be readable in a heatmap

session.page_start()

st.title("Interests")
if not session.corpus().has_users:
    st.info("These texts have no user column, so there are no users' interests to show: each text would be a user "
            "of its own. Map the column that says who wrote each text on the Data page (or load an interaction "
            "log); the Topics page shows what the texts are about meanwhile.")
    st.stop()
R = stages.get("interests")
factors_column, users_column = st.columns(2)
with factors_column:
    session.slider("Latent factors", "factors", 1, min(R.shape), help="The rank of the factorisation R ≈ U Vᵀ.")
with users_column:
    shown = session.slider("Users shown in the heatmaps", "shown_users", min(5, len(R)), min(len(R), MAX_ROWS))
factorization = stages.get("factorization")
error, relative, size = st.columns(3)
error.metric("Reconstruction error ‖R − UVᵀ‖", f"{factorization.error:.3f}")
relative.metric("Relative to ‖R‖", f"{factorization.relative_error:.1%}")
size.metric("Matrix R", f"{R.shape[0]} users × {R.shape[1]} topics")
if factorization.note:
    st.info(factorization.note)

activity = views.users_by_activity()
users = list(activity.index[:shown])
st.caption(f"The heatmaps show the {len(users)} most active of {len(R)} users (texts written plus items rated); "
           "move the slider above to show more, and scroll the page for tall charts.")
topic_names = stages.topic_labels()
factor_names = views.factor_names()
r_column, u_column = st.columns([3, 2])
r_column.plotly_chart(charts.heatmap(R.loc[users].rename(columns=topic_names),
                                     "R: share of each user's activity per topic", "topic", "user"), key="R")
u_column.plotly_chart(charts.heatmap(factorization.U.loc[users].rename(columns=factor_names),
                                     "U: users × latent factors", "latent factor", "user"), key="U")
st.plotly_chart(charts.heatmap(factorization.V.rename(index=topic_names, columns=factor_names),
                               "V: topics × latent factors", "latent factor (named by its strongest topics)", "topic"),
                key="V")

st.subheader("One user's interest profile")
user = session.choose("User", "user", list(activity.index), format_func=lambda u: f"{u} ({activity[u]} events)")
profile = views.interest_profile(user)
st.plotly_chart(charts.bars(profile.rename(columns={"share": "their share (R)", "predicted": "predicted (U Vᵀ)"}),
                            f"Interests of user {charts.safe(user)}", y_title="share", percent=True), key="profile")
gaps = (profile["predicted"] - profile["share"]).sort_values(ascending=False)
also = gaps[gaps > 0.01].head(3)
if len(also):
    st.write("The factorisation predicts they would also like:")
    for label, gap in also.items():
        st.text(f"{label}: predicted {profile.loc[label, 'predicted']:.0%}, "
                f"their share so far {profile.loc[label, 'share']:.0%}")
else:
    st.write("The factorisation predicts nothing beyond what they already show.")
