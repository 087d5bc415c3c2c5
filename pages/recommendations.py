"""Recommendations: top-N items per user with reasons, a new user from their own words, and evaluation."""
import pandas as pd
import streamlit as st

from ui import charts, session, stages, views

session.page_start()

st.title("Recommendations")
recommendations = stages.get("recommendations")
activity = views.users_by_activity()
user_column, n_column = st.columns(2)
user = session.choose("User", "user", list(activity.index), widget=user_column.selectbox,
                    format_func=lambda u: f"{u} ({activity[u]} events)")
with n_column:
    session.slider("Items per user (top-N)", "top_n", 1, 30)
columns = {"rank": "Rank", "title": "Item", "item_id": "Item id", "score": "Score", "reason": "Why"}
shown = recommendations[recommendations["user_id"] == user]
st.table(charts.markdown_table(shown[list(columns)].rename(columns=columns)), hide_index=True)

st.subheader("A new user: describe yourself")
text = st.text_area("A few sentences about what you like", **session.bind("new_user_text"),
                    placeholder="I bake bread at the weekend and follow my local football club.")
st.button("Recommend for this text")
if text.strip():
    mix, recommended = stages.profile_recommendations(text.strip())
    mix_column, list_column = st.columns([2, 3])
    names = stages.topic_labels()
    mix_column.plotly_chart(charts.bars(pd.DataFrame({"share": mix}, index=[names[t] for t in range(len(mix))]),
                                        "Your text's topic mix", percent=True), key="new_user_topics")
    list_column.table(charts.markdown_table(recommended[list(columns)].rename(columns=columns)), hide_index=True)

st.subheader("Offline evaluation")
st.caption(stages.get("recommender").blend_.sentence())
evaluation = stages.get("evaluation")
if evaluation is None:
    st.info("Load an interaction log on the Data page to evaluate the recommendations.")
else:
    table = views.evaluation_frame(evaluation)
    table_column, chart_column = st.columns([2, 3])
    table_column.table(charts.markdown_table(table))
    chart_column.plotly_chart(charts.bars(table[["HR@10", "NDCG@10"]], "Leave-last-out, higher is better",
                                          y_title="score"), key="evaluation_chart")
    st.caption(f"Each of the {evaluation.users} users' latest liked item is held out; the recommender above is "
               "fitted on the rest and ranks every item the user has not seen. HR@10: share of users whose held-out "
               "item is in their top 10 (± its standard error over users); NDCG@10 also rewards a higher place; "
               "coverage: share of the catalogue that appears in some list; top-10 % share: share of the listed "
               "items that are among the 10 % most popular. Popularity and random are baselines.")
