"""Plotly figures for the pages: pure functions of data, so tests can read their JSON.

Plotly renders a subset of HTML in hover labels, tick labels, legends and titles, so every string
that came from the user's data goes through `safe` (HTML-escaped) before it reaches a figure.
"""
from __future__ import annotations

import html
import re
import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative
from plotly.subplots import make_subplots

PALETTE = qualitative.Dark24
MAX_LEGEND = 30   # above this many groups the scatter is one trace without a legend
SVG_POINTS = 5000  # above this the 2D scatter uses WebGL
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def safe(value, limit: int | None = None) -> str:
    """User text for a figure: whitespace collapsed, shortened to `limit` characters, HTML-escaped."""
    text = " ".join(str(value).split())
    if limit and len(text) > limit:
        text = text[:limit - 1] + "…"
    return html.escape(text)


def markdown(value) -> str:
    """User text for a Streamlit markdown label (expander, caption): markdown characters escaped."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


def markdown_table(frame: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    """A table for st.table, which renders Markdown in cells: numbers rounded, text escaped."""
    out = frame.round(digits)
    for column in out.select_dtypes(exclude="number").columns:
        out[column] = out[column].map(markdown)
    return out


def hover_text(text: str, limit: int = 200, width: int = 60) -> str:
    """A text shortened for a hover label, escaped, wrapped into lines of about `width` characters."""
    return "<br>".join(textwrap.wrap(safe(text, limit), width, break_long_words=False) or [""])


def _layout(fig: go.Figure, title: str, height: int | None = None, **layout) -> go.Figure:
    fig.update_layout(title=title, height=height, margin=dict(l=10, r=10, t=50, b=10), **layout)
    return fig


def scatter(frame: pd.DataFrame, colour: str = "topic", highlight: str | None = None) -> go.Figure:
    """The UMAP view: one point per text, coloured by `colour` (a column of `frame`), with the text
    (shortened), the user and the topic on hover. `highlight` enlarges one user's points and fades the rest.

    `frame` has x, y (and z for 3D), text, user and topic columns (see ui.state.view_frame)."""
    three = "z" in frame
    trace = go.Scatter3d if three else (go.Scattergl if len(frame) > SVG_POINTS else go.Scatter)
    custom = np.column_stack([frame["text"].map(hover_text), frame["user"].map(safe), frame["topic"].map(safe)])
    template = "%{customdata[0]}<br><b>user</b> %{customdata[1]}<br><b>topic</b> %{customdata[2]}<extra></extra>"
    values = frame[colour].astype("category")
    groups = list(values.cat.categories)
    size = 3 if three else 7
    faded = 0.2 if highlight is not None else 0.85

    def points(mask, **marker):
        coords = {axis: frame.loc[mask, axis] for axis in ("x", "y", "z") if axis in frame}
        return dict(mode="markers", customdata=custom[mask], hovertemplate=template, marker=marker, **coords)

    fig = go.Figure()
    if len(groups) > MAX_LEGEND:
        codes = values.cat.codes.to_numpy()
        fig.add_trace(trace(**points(np.ones(len(frame), bool), size=size, opacity=faded,
                                     color=[PALETTE[c % len(PALETTE)] for c in codes]),
                            name=colour, showlegend=False))
    else:
        for n, group in enumerate(groups):
            mask = (values == group).to_numpy()
            fig.add_trace(trace(**points(mask, size=size, opacity=faded, color=PALETTE[n % len(PALETTE)]),
                                name=safe(group, 40)))
    if highlight is not None:
        mask = (frame["user"] == highlight).to_numpy()
        fig.add_trace(trace(**points(mask, size=size * 2, opacity=1, color="black", symbol="diamond"),
                            name=f"user {safe(highlight, 30)}"))
    axes = dict(showticklabels=False, title=None)
    layout = dict(scene=dict(xaxis=axes, yaxis=axes, zaxis=axes)) if three else dict(xaxis=axes, yaxis=axes)
    return _layout(fig, f"Texts in {'3D' if three else '2D'} (UMAP), coloured by {colour}", 650,
                   legend=dict(itemsizing="constant"), **layout)


def keyword_bars(topics, columns: int = 3) -> go.Figure:
    """One small horizontal bar chart per topic: its keywords by weight (how distinctive each word is of the topic), strongest on top."""
    shown = [t for t in topics if t.words]
    rows = max(1, -(-len(shown) // columns))
    fig = make_subplots(rows, columns, subplot_titles=[safe(t.label, 45) for t in shown],
                        horizontal_spacing=0.15, vertical_spacing=min(0.3 / rows, 0.12))
    for n, t in enumerate(shown):
        fig.add_trace(go.Bar(x=list(t.weights)[::-1], y=[safe(w) for w in t.words][::-1], orientation="h",
                             name=safe(t.label, 45), marker_color=PALETTE[n % len(PALETTE)], showlegend=False,
                             hovertemplate="%{y}: %{x:.4f}<extra></extra>"),
                      row=n // columns + 1, col=n % columns + 1)
    fig.update_annotations(font_size=12)
    return _layout(fig, "Keywords per topic (distinctiveness weight)", 60 + 230 * rows)


def bars(frame: pd.DataFrame, title: str, x_title: str = "", y_title: str = "", *, percent: bool = False,
         height: int = 380) -> go.Figure:
    """Grouped bars: one group per row of `frame` (its index), one colour per column."""
    fig = go.Figure()
    labels = [safe(i, 45) for i in frame.index]
    for n, column in enumerate(frame.columns):
        fig.add_trace(go.Bar(x=labels, y=frame[column].to_numpy(), name=safe(column),
                             marker_color=PALETTE[n % len(PALETTE)],
                             hovertemplate="%{x}: %{y" + (":.1%" if percent else ":.3~f") + "}<extra></extra>"))
    fig.update_yaxes(title=y_title, tickformat=".0%" if percent else None)
    fig.update_xaxes(title=x_title, tickangle=-30)
    return _layout(fig, title, height, barmode="group", showlegend=len(frame.columns) > 1)


def k_sweep(frame: pd.DataFrame, current_k: int, method: str) -> go.Figure:
    """Silhouette (left axis) and NPMI coherence (right axis) against k, the current k marked."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    for n, (column, name) in enumerate((("silhouette", "silhouette"), ("coherence", "coherence (NPMI)"))):
        fig.add_trace(go.Scatter(x=frame["k"], y=frame[column], name=name, mode="lines+markers",
                                 line_color=PALETTE[n]), secondary_y=bool(n))
    fig.add_vline(x=current_k, line_dash="dot", annotation_text=f"k = {current_k}")
    fig.update_xaxes(title="k (number of topics)", dtick=1 if len(frame) <= 30 else None)
    fig.update_yaxes(title="silhouette", secondary_y=False)
    fig.update_yaxes(title="coherence (NPMI)", secondary_y=True)
    return _layout(fig, f"Choosing k: quality of {method} for each k (higher is better)", 400,
                   legend=dict(orientation="h", y=-0.25))


def heatmap(matrix: pd.DataFrame, title: str, x_title: str, y_title: str) -> go.Figure:
    """A matrix as a heatmap, first row on top; the height grows with the rows so labels stay readable."""
    fig = go.Figure(go.Heatmap(z=matrix.to_numpy(), x=[safe(c, 40) for c in matrix.columns],
                               y=[safe(i, 30) for i in matrix.index], colorscale="Blues",
                               hovertemplate="%{y} · %{x}: %{z:.3f}<extra></extra>"))
    fig.update_yaxes(title=y_title, autorange="reversed", type="category")
    fig.update_xaxes(title=x_title, type="category", tickangle=-30)
    return _layout(fig, title, 160 + 18 * len(matrix))


def shares_over_time(frame: pd.DataFrame, period: str) -> go.Figure:
    """Topics over time: each topic's share of the texts in each period, stacked to 100 %."""
    fig = go.Figure()
    for n, (label, rows) in enumerate(frame.groupby("topic_label", sort=False)):
        fig.add_trace(go.Scatter(x=rows["period"], y=rows["share"], name=safe(label, 40), stackgroup="one",
                                 mode="lines", line_color=PALETTE[n % len(PALETTE)],
                                 hovertemplate="%{x}: %{y:.0%}<extra>" + safe(label, 40) + "</extra>"))
    fig.update_yaxes(title="share of the period's texts", tickformat=".0%", range=[0, 1])
    fig.update_xaxes(title=period, type="category")
    return _layout(fig, f"Topics over time (by {period})", 420)


def share_heatmap(frame: pd.DataFrame, row: str, title: str) -> go.Figure:
    """Each group's (label's, domain's) texts shared out over the topics: rows sum to 100 %."""
    matrix = frame.pivot_table(index=row, columns="topic_label", values="share", fill_value=0, sort=False)
    fig = go.Figure(go.Heatmap(z=matrix.to_numpy(), x=[safe(c, 40) for c in matrix.columns],
                               y=[safe(i, 30) for i in matrix.index], colorscale="Blues", zmin=0, zmax=1,
                               hovertemplate="%{y} · %{x}: %{z:.0%}<extra></extra>"))
    fig.update_yaxes(type="category", autorange="reversed", automargin=True)
    fig.update_xaxes(type="category", tickangle=-30, automargin=True)
    return _layout(fig, title, 200 + 24 * len(matrix))


def topic_map(frame: pd.DataFrame) -> go.Figure:
    """The intertopic distance map: one bubble per topic, area by size; close topics are close."""
    size = np.sqrt(frame["size"].to_numpy(dtype=float))
    fig = go.Figure(go.Scatter(x=frame["x"], y=frame["y"], mode="markers+text",
                               text=[safe(label, 30) for label in frame["topic_label"]], textposition="top center",
                               marker=dict(size=10 + 50 * size / max(size.max(), 1), color=PALETTE[:len(frame)],
                                           opacity=0.6, line=dict(width=1, color="white")),
                               customdata=frame["size"], hovertemplate="%{text}: %{customdata} texts<extra></extra>"))
    axes = dict(showticklabels=False, title=None, zeroline=False)
    return _layout(fig, "Intertopic distance map (bubble area: texts in the topic)", 520, xaxis=axes, yaxis=axes)


def hierarchy(frame: pd.DataFrame, names: dict[int, str]) -> go.Figure:
    """The topic hierarchy as a dendrogram: topics that join lower are closer in meaning."""
    from scipy.cluster.hierarchy import dendrogram

    k = len(names)
    sizes = {t: 1 for t in range(k)}
    linkage = []
    for row in frame.itertuples():
        sizes[row.parent] = sizes[row.left] + sizes[row.right]
        linkage.append([row.left, row.right, row.distance, sizes[row.parent]])
    tree = dendrogram(np.array(linkage, dtype=float), no_plot=True, orientation="left",
                      labels=[safe(names[t], 40) for t in range(k)])
    fig = go.Figure()
    for xs, ys in zip(tree["dcoord"], tree["icoord"]):
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line_color=PALETTE[0], hoverinfo="skip", showlegend=False))
    fig.update_yaxes(tickvals=[5 + 10 * i for i in range(k)], ticktext=tree["ivl"], automargin=True)
    fig.update_xaxes(title="distance at which they join (cosine)")
    return _layout(fig, "Topic hierarchy: which topics merge first as k falls", 120 + 30 * k)
