"""An item as one respondent sees it: wording for their group and language, and the choices.

Pure (no database, no request); used by the participant pages and the participant API, so both
show exactly the same words and accept exactly the same values (`value` is what is stored: the
item's own scale, never a smiley number).

Layouts
    ``stack``    adult Likert items: one full-width choice per anchor, top to bottom;
    ``numbers``  0-10 and the 0-100 thermometer (steps of 10): a grid of numbers, ends labelled;
    ``yesno``    two large choices;
    ``faces``    child-friendly mode: five smileys from frowning to beaming (yes/no: two icons).

A wording missing in the respondent's language falls back to English *visibly*: `fell_back` is
set and the page marks that text as English (``lang="en"``) instead of passing it off as theirs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from surveys import instruments
from surveys.instruments import ItemDef

THERMOMETER_STEP = 10


@dataclass(frozen=True)
class Choice:
    value: str  # the stored value, formatted ("4", "2.5", "70")
    label: str
    face: int | None = None  # 1-5 (or 1-2 for yes/no) in child-friendly mode


@dataclass(frozen=True)
class Question:
    item_id: str
    number: int
    text: str
    fell_back: bool
    layout: str
    choices: tuple[Choice, ...]
    low_label: str = ""
    high_label: str = ""
    thermometer: bool = False


def fmt(value: float) -> str:
    """A stored value as a form value: 4.0 -> "4", 2.5 -> "2.5"."""
    return f"{value:g}"


def _adult(
    one: ItemDef, number: int, lang: str, group: str, terms: Mapping[str, Mapping[str, str]]
) -> Question:
    text, fell_back = instruments.render_text(one, lang, group, custom_terms=terms)
    anchors, anchors_fell_back = instruments.render_anchors(one, lang)
    if one.format in ("likert5", "likert7", "yesno"):
        choices = tuple(Choice(fmt(one.min_value + k), label) for k, label in enumerate(anchors))
        layout = "yesno" if one.format == "yesno" else "stack"
        return Question(one.id, number, text, fell_back or anchors_fell_back, layout, choices)
    step = THERMOMETER_STEP if one.format == "thermometer" else 1
    values = range(one.min_value, one.max_value + 1, step)
    return Question(
        one.id,
        number,
        text,
        fell_back or anchors_fell_back,
        "numbers",
        tuple(Choice(fmt(v), str(v)) for v in values),
        low_label=anchors[0],
        high_label=anchors[-1],
        thermometer=one.format == "thermometer",
    )


def _child(
    one: ItemDef, number: int, lang: str, group: str, terms: Mapping[str, Mapping[str, str]]
) -> Question:
    shown = instruments.child_presentation(one, lang, group, custom_terms=terms)
    points = len(shown.values)
    choices = tuple(
        Choice(fmt(value), label or f"{face}/{points}", face)
        for face, (value, label) in enumerate(zip(shown.values, shown.anchors, strict=True), 1)
    )
    return Question(one.id, number, shown.text, shown.fell_back_to_english, "faces", choices)


def question(
    one: ItemDef,
    *,
    number: int,
    lang: str,
    group: str,
    child: bool,
    custom_terms: Mapping[str, Mapping[str, str]] | None = None,
) -> Question:
    """The item for this respondent (group picks the words for the other group)."""
    terms = custom_terms or {}
    if child:
        return _child(one, number, lang, group, terms)
    return _adult(one, number, lang, group, terms)
