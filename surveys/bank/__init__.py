"""Data of the instrument bank: one module per scale, loaded and validated by surveys.instruments.

Item wording is Encuentro's own paraphrase of the cited scales, never the published items.
Each module holds one plain ``SCALE`` dict; ``SCALES`` lists them in presentation order.
"""

from typing import Any

from surveys.bank import (
    anxiety,
    belonging,
    contact_quality,
    contact_quantity,
    social_distance,
    thermometer,
    threat,
    trust,
)

SCALES: tuple[dict[str, Any], ...] = (
    thermometer.SCALE,
    anxiety.SCALE,
    trust.SCALE,
    social_distance.SCALE,
    contact_quantity.SCALE,
    contact_quality.SCALE,
    belonging.SCALE,
    threat.SCALE,
)
