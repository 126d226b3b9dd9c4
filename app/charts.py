"""Embedding Plotly figures: JSON in the page, drawn by static/js/charts.js with vendored plotly.js.

Pages that draw charts set `charts=True` in their context so base.html loads plotly.js; no other
page (and never a participant page) pays for it.
"""

import plotly.graph_objects as go
from markupsafe import Markup, escape


def embed(figure: go.Figure, element_id: str, *, height: int = 380, label: str = "") -> Markup:
    """A chart container plus its figure as JSON; `label` is the text alternative for screen readers."""
    figure.update_layout(height=height, margin={"l": 40, "r": 20, "t": 40, "b": 40})
    payload = figure.to_json().replace("</", "<\\/")
    return Markup(
        f'<div id="{escape(element_id)}" class="chart" role="img" aria-label="{escape(label)}"></div>'
        f'<script type="application/json" data-plotly="{escape(element_id)}">{payload}</script>'
    )
