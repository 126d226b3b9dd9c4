"""The design radar: the seven principle scores on one Plotly polar chart (pure, no database)."""

import textwrap
from collections.abc import Sequence

import plotly.graph_objects as go

LABEL_WIDTH = 14  # characters per line, so labels fit around the chart in a 390 px column


def _wrapped(label: str) -> str:
    return "<br>".join(textwrap.wrap(label, LABEL_WIDTH)) or label


def design_radar(*, labels: Sequence[str], scores: Sequence[float], name: str) -> go.Figure:
    """A closed Scatterpolar of scores 0–100, one spoke per principle, in the principles' order."""
    theta = [_wrapped(label) for label in [*labels, labels[0]]]
    r = [round(s) for s in scores] + [round(scores[0])]
    figure = go.Figure(
        go.Scatterpolar(
            r=r,
            theta=theta,
            fill="toself",
            name=name,
            line={"color": "#0b6e6e", "width": 2},
            fillcolor="rgba(11,110,110,0.25)",
            hovertemplate="%{theta}: %{r}<extra></extra>",
        )
    )
    figure.update_layout(
        polar={
            # The circle leaves room at the sides for the principle names.
            "domain": {"x": [0.2, 0.8], "y": [0.08, 0.92]},
            "radialaxis": {
                "range": [0, 100],
                "tickvals": [25, 50, 75, 100],
                "showticklabels": False,
            },
            "angularaxis": {"direction": "clockwise", "rotation": 90, "tickfont": {"size": 10}},
        },
        showlegend=False,
        font={"family": "system-ui, sans-serif", "color": "#1d2330"},
        paper_bgcolor="rgba(0,0,0,0)",
    )
    return figure
