"""Recommendations: top-N items per user with reasons (or "more like this" without users), across domains,
for a new user from their own words, and the offline evaluation of exactly the recommender listed."""
import pandas as pd
import streamlit as st

from ui import charts, session, stages, views

session.page_start()

st.title("Recommendations")
corpus = session.corpus()
columns = {"rank": "Rank", "title": "Item", "item_id": "Item id", "score": "Score", "reason": "Why"}
if not corpus.has_users:
    st.info("This file has no user column, so there is nobody to recommend to: map a user column on the Data page "
            "(who wrote each text) for per-user lists. Meanwhile, pick a text to see the texts most like it.")
    row = st.selectbox("A text", range(len(corpus)), format_func=lambda i: f"{i + 1}: {corpus.texts[i][:90]}",
                       key="similar_to")
    st.dataframe(views.more_like_this(row), hide_index=True,
                 column_config={"row": "Row", "similarity": st.column_config.NumberColumn("Similarity", format="%.3f"),
                                "text": "Text"})
else:
    activity = views.users_by_activity()
    user_column, n_column = st.columns(2)
    user = session.choose("User", "user", list(activity.index), widget=user_column.selectbox,
                          format_func=lambda u: f"{u} ({activity[u]} events)")
    with n_column:
        session.slider("Items per user (top-N)", "top_n", 1, 30)
    shown = stages.user_recommendations(user)
    st.table(charts.markdown_table(shown[list(columns)].rename(columns=columns)), hide_index=True)
    st.caption(stages.get("recommender").blend_.sentence())

    if corpus.domains is not None:
        st.subheader("Across domains")
        written = views.user_domains(user)
        domains = list(dict.fromkeys(corpus.domains))
        from_column, to_column = st.columns(2)
        source = from_column.selectbox("From what they write in", written or domains, key="domain_from")
        target = to_column.selectbox("Items of", [d for d in domains if d != source] or domains, key="domain_to")
        found = views.across_domains(user, source, target)
        if found.empty:
            st.info(f"{user} writes nothing in {source} that points to an item of {target} they have not seen.")
        else:
            st.table(charts.markdown_table(found[list(columns)].rename(columns=columns)), hide_index=True)

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

st.subheader("Offline evaluation of this recommender")
evaluation = stages.get("evaluation")
if evaluation is None:
    st.info("There is no interaction log, so there is nothing to hold out and check against. An interaction log "
            "is a file with one row per user and item they clicked, bought, watched or rated (columns: user id, "
            "item id, and optionally a rating and a time), the kind most products keep in their event tables; load "
            "it on the Data page (or pass --interactions FILE on the command line) to see how often this "
            "recommender finds what each user took next.")
else:
    table = views.evaluation_frame(evaluation)
    table_column, chart_column = st.columns([2, 3])
    table_column.table(charts.markdown_table(table))
    chart_column.plotly_chart(charts.bars(table[["HR@10", "NDCG@10"]], "Leave-last-out, higher is better",
                                          y_title="score"), key="evaluation_chart")
    st.caption(f"Each of the {evaluation.users} users' latest liked item is held out; the recommender listed above, "
               "with the same weights, is fitted on the rest and ranks every item the user has not seen. HR@10: share "
               "of users whose held-out item is in their top 10 (± its standard error over users); NDCG@10 also "
               "rewards a higher place; coverage: share of the catalogue that appears in some list; top-10 % share: "
               "share of the listed items that are among the 10 % most popular. Popularity and random are baselines.")
    if views.popularity_below_random(table):
        st.caption("Popularity scores below random here: the items most users have are already seen by most of the "
                   "users tested, so popularity's picks are rarely what they took next; their interests tell more.")
