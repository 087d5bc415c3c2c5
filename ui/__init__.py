"""The dashboard's shared parts: session state with the cached pipeline stages, and Plotly figures."""
