"""Topic views: topics over time, per label and per domain, across domains, the intertopic distance map and
the topic hierarchy; each is also on the Export page."""
import streamlit as st

from ui import charts, session, stages, views

session.page_start()

st.title("Topic views")
corpus = session.corpus()
tables = views.analysis_tables()
names = views.topic_names()

st.subheader("Topics over time")
if corpus.times is None:
    st.info("Map a time column on the Data page to see how the topics change over time.")
elif tables["topics_over_time"].empty:
    st.info("The time column could not be read as dates, so there is no time line.")
else:
    st.plotly_chart(charts.shares_over_time(tables["topics_over_time"], views.time_period()), key="over_time")

st.subheader("Topics per label")
if corpus.labels is None:
    st.info("Map a label column on the Data page to see how each label's texts spread over the topics.")
else:
    st.plotly_chart(charts.share_heatmap(tables["topics_per_label"], "label", "Each label's texts over the topics"),
                    key="per_label")

st.subheader("Intertopic distance map and hierarchy")
map_column, tree_column = st.columns(2)
map_column.plotly_chart(charts.topic_map(tables["topic_map"]), key="topic_map")
if len(tables["topic_hierarchy"]):
    tree_column.plotly_chart(charts.hierarchy(tables["topic_hierarchy"], names), key="hierarchy")

st.subheader("Across domains")
if corpus.domains is None:
    st.info("Map a domain column on the Data page (where each text was written: reviews, forum, support, …) to "
            "compare the interests users show in each.")
else:
    st.plotly_chart(charts.share_heatmap(tables["domains"], "domain", "Each domain's texts over the topics"),
                    key="per_domain")
    links = tables["domain_links"]
    if links.empty:
        st.info("No users write in two domains, so topics cannot be linked across domains.")
    else:
        st.write("Topics that go together across domains, for users who write in both: a lift of 2 means users "
                 "with the first topic in one domain have the second in the other twice as often as users do.")
        st.dataframe(links.head(20)[["domain_a", "topic_a_label", "domain_b", "topic_b_label", "lift", "users"]],
                     hide_index=True, column_config={"lift": st.column_config.NumberColumn(format="%.2f")})
