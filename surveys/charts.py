"""Plotly figures of survey outcomes: pure functions from DataFrames (or results) to figures.

Labels arrive already translated; the figures are embedded with `app.charts.embed` (JSON drawn by
the vendored plotly.js). Figures for government views take only aggregate tables; the two that
plot individuals (`change_distribution`, `dose_scatter`) are used on organizer pages only.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from surveys.analysis import DoseResponse, Meta

ACCENT = "#0b6e6e"
PRE = "#8a93a3"
MUTED = "#5b6472"
PALETTE = ["#0b6e6e", "#c0562a", "#6a4c93", "#2a7ab0", "#8a6d00", "#3d7a3d", "#a23b72"]
FONT = {"family": "system-ui, sans-serif", "color": "#1d2330"}


def _wrap(label: str, width: int = 14) -> str:
    return "<br>".join(textwrap.wrap(label, width)) or label


GRID = {"gridcolor": "#e3e7ed", "zerolinecolor": "#8a93a3"}


def _figure(
    traces: Sequence[go.Scatter | go.Bar | go.Box | go.Funnel],
    *,
    xaxis: Mapping[str, object] | None = None,
    yaxis: Mapping[str, object] | None = None,
    shapes: Sequence[Mapping[str, object]] = (),
    **extra: object,
) -> go.Figure:
    """The figure in the house style, built and validated once: every `update_*` or `add_*line`
    call on a figure walks and re-validates it (~3-7 ms each, most of a dashboard's charts)."""
    layout: dict[str, object] = {
        "font": FONT,
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        **extra,
        "xaxis": {**(xaxis or {}), **GRID},
        "yaxis": {**(yaxis or {}), **GRID},
    }
    if shapes:
        layout["shapes"] = list(shapes)
    return go.Figure(data=list(traces), layout=layout)


def _vline(x: float, line: Mapping[str, object]) -> dict[str, object]:
    """What `Figure.add_vline` adds: a line at x across the plot's height."""
    return {
        "type": "line",
        "x0": x,
        "x1": x,
        "xref": "x",
        "y0": 0,
        "y1": 1,
        "yref": "y domain",
        "line": dict(line),
    }


def _hline(y: float, line: Mapping[str, object]) -> dict[str, object]:
    """What `Figure.add_hline` adds: a line at y across the plot's width."""
    return {
        "type": "line",
        "x0": 0,
        "x1": 1,
        "xref": "x domain",
        "y0": y,
        "y1": y,
        "yref": "y",
        "line": dict(line),
    }


def _title(text: str) -> dict[str, object]:
    return {"title": {"text": text}}


def _errors(table: pd.DataFrame, centre: str, low: str, high: str) -> dict[str, object]:
    return {
        "type": "data",
        "symmetric": False,
        "array": (table[high] - table[centre]).to_numpy(float),
        "arrayminus": (table[centre] - table[low]).to_numpy(float),
        "thickness": 1.5,
    }


def attrition_funnel(stages: Sequence[tuple[str, int]]) -> go.Figure:
    """Enrolled -> answered pre -> answered post -> matched pairs."""
    funnel = go.Funnel(
        y=[label for label, _ in stages],
        x=[n for _, n in stages],
        textinfo="value+percent initial",
        marker={"color": [PRE, ACCENT, ACCENT, "#064848"][: len(stages)]},
        hovertemplate="%{y}: %{x}<extra></extra>",
    )
    return _figure([funnel], showlegend=False)


def pre_post_means(
    means: pd.DataFrame, names: Mapping[str, str], waves: Mapping[str, str]
) -> go.Figure:
    """Mean pre and post score (matched pairs) per scale, with 95% confidence intervals."""
    bars = []
    for wave, colour in (("pre", PRE), ("post", ACCENT)):
        rows = means[means["wave"] == wave]
        bars.append(
            go.Bar(
                x=[_wrap(names.get(s, s)) for s in rows["scale_id"]],
                y=rows["mean"].to_numpy(float),
                name=waves[wave],
                marker_color=colour,
                error_y=_errors(rows, "mean", "ci_low", "ci_high"),
                hovertemplate="%{x}: %{y:.1f}<extra>" + waves[wave] + "</extra>",
            )
        )
    yaxis = {"range": [0, 100], **_title("0–100")}
    return _figure(bars, xaxis={"tickangle": 0}, yaxis=yaxis, barmode="group")


def change_distribution(
    pairs: pd.DataFrame, names: Mapping[str, str], scales: Sequence[str]
) -> go.Figure:
    """Each participant's change per scale, as a box with every point (organizer pages only)."""
    boxes = []
    for i, scale in enumerate(scales):
        values = pairs.loc[pairs["scale_id"] == scale, "change"].to_numpy(float)
        boxes.append(
            go.Box(
                x=values,
                name=_wrap(names.get(scale, scale), 22),
                boxpoints="all",
                jitter=0.4,
                pointpos=0,
                marker={"color": PALETTE[i % len(PALETTE)], "size": 5, "opacity": 0.7},
                line={"width": 1.5},
                hoveron="boxes",
            )
        )
    return _figure(
        boxes,
        xaxis=_title("post − pre"),
        yaxis={"autorange": "reversed"},
        shapes=[_vline(0, {"color": MUTED, "dash": "dot"})],
        showlegend=False,
    )


def group_comparison(
    cells: pd.DataFrame,
    names: Mapping[str, str],
    labels: Mapping[str, str],
    scales: Sequence[str],
    *,
    dimension: str = "group",
) -> go.Figure:
    """Mean change with its 95% CI per scale for each value of one dimension (shown cells only)."""
    rows = cells[(cells["dimension"] == dimension) & ~cells["suppressed"].astype(bool)]
    bars = []
    for i, value in enumerate(sorted(rows["value"].unique())):
        part = rows[rows["value"] == value].set_index("scale_id").reindex(list(scales))
        part = part.dropna(subset=["mean_change"])
        bars.append(
            go.Bar(
                x=[_wrap(names.get(s, s)) for s in part.index],
                y=part["mean_change"].to_numpy(float),
                name=labels.get(value, value),
                marker_color=PALETTE[i % len(PALETTE)],
                error_y=_errors(part, "mean_change", "ci_low", "ci_high"),
                customdata=part["n"].to_numpy(),
                hovertemplate="%{x}: %{y:.1f} (n = %{customdata})<extra>"
                + labels.get(value, value)
                + "</extra>",
            )
        )
    return _figure(
        bars,
        xaxis={"tickangle": 0},
        yaxis=_title("post − pre"),
        shapes=[_hline(0, {"color": MUTED})],
        barmode="group",
    )


def dose_scatter(
    points: pd.DataFrame, fit: DoseResponse | None, labels: Mapping[str, str]
) -> go.Figure:
    """Change against sessions attended, one dot per participant, with the OLS line."""
    x = points["sessions_attended"].to_numpy(float)
    traces = [
        go.Scatter(
            x=x,
            y=points["change"].to_numpy(float),
            mode="markers",
            marker={"color": ACCENT, "size": 8, "opacity": 0.7},
            name=labels["points"],
            hovertemplate="%{x}: %{y:.1f}<extra></extra>",
        )
    ]
    if fit is not None and np.isfinite(fit.slope) and len(x):
        line_x = np.array([x.min(), x.max()])
        traces.append(
            go.Scatter(
                x=line_x,
                y=fit.intercept + fit.slope * line_x,
                mode="lines",
                line={"color": "#c0562a", "width": 2},
                name=labels["fit"],
            )
        )
    return _figure(
        traces,
        xaxis={"dtick": 1, **_title(labels["x"])},
        yaxis=_title(labels["y"]),
        shapes=[_hline(0, {"color": MUTED, "dash": "dot"})],
    )


def forest_plot(meta: Meta, labels: Mapping[str, str]) -> go.Figure:
    """Cohen's d_z per activity with its 95% CI, and the pooled random-effects estimate."""
    studies = meta.studies.iloc[::-1]
    names = [_wrap(str(s), 34) for s in studies["activity"]]
    size = 6 + 14 * studies["weight"].fillna(0).to_numpy(float)
    traces = [
        go.Scatter(
            x=studies["d_z"].to_numpy(float),
            y=names,
            mode="markers",
            marker={"symbol": "square", "size": size, "color": ACCENT},
            error_x=_errors(studies, "d_z", "ci_low", "ci_high"),
            customdata=studies["n"].to_numpy() if "n" in studies else None,
            name=labels["activity"],
            hovertemplate="%{y}: d = %{x:.2f} (n = %{customdata})<extra></extra>",
        )
    ]
    yaxis: dict[str, object] = {}
    if np.isfinite(meta.estimate):
        pooled = labels["pooled"]
        traces.append(
            go.Scatter(
                x=[meta.ci_low, meta.estimate, meta.ci_high, meta.estimate, meta.ci_low],
                y=[pooled, pooled, pooled, pooled, pooled],
                mode="lines",
                fill="toself",
                line={"color": "#c0562a", "width": 8},
                name=pooled,
                hoverinfo="skip",
            )
        )
        traces.append(
            go.Scatter(
                x=[meta.estimate],
                y=[pooled],
                mode="markers",
                marker={"symbol": "diamond", "size": 16, "color": "#c0562a"},
                showlegend=False,
                hovertemplate=f"{pooled}: %{{x:.2f}}<extra></extra>",
            )
        )
        yaxis.update(categoryorder="array", categoryarray=[pooled, *names])
    yaxis["automargin"] = True
    return _figure(
        traces,
        xaxis=_title(labels["x"]),
        yaxis=yaxis,
        shapes=[_vline(0, {"color": MUTED, "dash": "dot"})],
        showlegend=False,
    )


def design_chart(design: pd.DataFrame, names: Mapping[str, str], label: str) -> go.Figure:
    """Correlation of each principle's design score with the change (r and its 95% CI)."""
    rows = design.dropna(subset=["r"]).iloc[::-1]
    dots = go.Scatter(
        x=rows["r"].to_numpy(float),
        y=[names.get(p, p) for p in rows["principle"]],
        mode="markers",
        marker={"size": 12, "color": ACCENT},
        error_x=_errors(rows, "r", "r_ci_low", "r_ci_high"),
        customdata=rows["n"].to_numpy(),
        hovertemplate="%{y}: r = %{x:.2f} (%{customdata})<extra></extra>",
    )
    return _figure(
        [dots],
        xaxis={"range": [-1, 1], **_title(label)},
        yaxis={"automargin": True},
        shapes=[_vline(0, {"color": MUTED, "dash": "dot"})],
        showlegend=False,
    )


def over_time_chart(table: pd.DataFrame, waves: Mapping[str, str], label: str) -> go.Figure:
    """Mean cohesion index per quarter, before and after the activities (hidden cells are gaps)."""
    periods = sorted(table["period"].unique())
    lines = []
    for wave, colour in (("pre", PRE), ("post", ACCENT)):
        rows = table[table["wave"] == wave].set_index("period").reindex(periods)
        lines.append(
            go.Scatter(
                x=periods,
                y=rows["mean"].to_numpy(float),
                mode="lines+markers",
                name=waves[wave],
                line={"color": colour, "width": 2},
                marker={"size": 9},
                connectgaps=False,
                hovertemplate="%{x}: %{y:.1f}<extra>" + waves[wave] + "</extra>",
            )
        )
    return _figure(lines, xaxis={"type": "category"}, yaxis={"range": [0, 100], **_title(label)})
