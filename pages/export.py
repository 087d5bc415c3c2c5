"""Export: every result as CSV and JSON, and the run settings, under names that say what they hold."""
import streamlit as st

from ui import charts, downloads, session

session.page_start()

TITLES = {"documents": "Documents with their topics", "topics": "Topic keywords",
          "R": "R: user × topic interests", "U": "U: user × latent factors", "V": "V: topic × latent factors",
          "recommendations": "Recommendations with scores and reasons",
          "topic_map": "Intertopic distance map (topic, x, y, size)", "topic_hierarchy": "Topic hierarchy (merges)",
          "topics_over_time": "Topics over time", "topics_per_label": "Topics per label",
          "domains": "Topics per domain", "domain_links": "Topics across domains (lift)", "metrics": "Quality metrics",
          "run": "Run settings (seed, model, every setting, package versions)"}

st.title("Export")
st.caption("CSV files are UTF-8 with a byte-order mark (spreadsheets read Chinese correctly); a cell that would run "
           "as a spreadsheet formula gets an apostrophe in front. The run settings are enough to repeat this run.")
files = downloads.downloads()
for stem, title in TITLES.items():
    mine = [(name, data) for what, name, data in files if what == stem]
    if not mine:
        continue  # a view the data does not allow (no time, label or domain column)
    name_column, *buttons = st.columns([4, 1, 1])
    name_column.write(title)
    name_column.caption(charts.markdown(" · ".join(name for name, _ in mine)))
    for column, (name, data) in zip(buttons, mine):
        extension = name.rsplit(".", 1)[1]
        column.download_button(extension.upper(), data, name, "text/csv" if extension == "csv" else "application/json",
                               key=name, on_click="ignore", icon=":material/download:", help=name)
