"""Embedding Plotly figures: JSON in the page, drawn by static/js/charts.js with vendored plotly.js.

Pages that draw charts set `charts=True` in their context so base.html loads plotly.js; no other
page (and never a participant page) pays for it.
"""

import plotly.graph_objects as go
from markupsafe import Markup

_CHART = (
    '<div id="{id}" class="chart" role="img" aria-label="{label}"></div>'
    '<script type="application/json" data-plotly="{id}">{payload}</script>'
)


def embed(figure: go.Figure, element_id: str, *, height: int = 380, label: str = "") -> Markup:
    """A chart container plus its figure as JSON; `label` is the text alternative."""
    figure.update_layout(height=height, margin={"l": 40, "r": 20, "t": 40, "b": 40})
    # "</" cannot end the script element early once escaped; ids and labels are HTML-escaped.
    payload = Markup(figure.to_json().replace("</", "<\\/"))  # noqa: S704 - JSON, made safe above
    return Markup(_CHART).format(id=element_id, label=label, payload=payload)  # noqa: S704
