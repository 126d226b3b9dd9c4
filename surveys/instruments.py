"""The survey instrument bank: scales, items, translations, scoring and the cohesion index.

The wording lives in ``surveys/bank/`` (one module per scale, plain data); this module validates it
into ``ScaleDef`` and ``ItemDef`` models and offers pure helpers. Nothing here touches the database.

Formats and values (anchors are labels per language, lowest value first)
    ``likert5``      1 … 5, five anchors
    ``likert7``      1 … 7, seven anchors
    ``thermometer``  0 … 100, two anchors (the ends)
    ``scale0_10``    0 … 10, two anchors (the ends)
    ``yesno``        0 = no, 1 = yes, two anchors ``[no, yes]``

``rescale_0_1(item, value)`` maps a value onto 0–1 in the direction of its *scale* (``reverse``
items are flipped), so 1.0 always means "more of what the scale measures": more anxiety on
``anxiety``, more threat on ``threat``, more trust on ``trust``. ``favourable_0_1`` additionally
flips scales whose ``higher_is_better`` is false, so 1.0 is the end that is good for intergroup
relations. ``scale_score`` is the mean of ``rescale_0_1`` over a scale's answered items × 100, or
``None`` when fewer than ``min_items_share`` of the items are answered. For social distance that
mean is the share of the five cumulative steps accepted (Bogardus), so higher = less distance.

The other group
    Item texts about the other group contain the placeholder ``{outgroup}``; ``render_text``
    replaces it with ``outgroup_term(respondent_group, lang)``: a migrant respondent reads about
    "people born here", a host-community respondent about "people who moved here from other
    countries", anyone else about "people from other backgrounds". Sentences are written so the
    term is never the first word (nothing to capitalise), is always a plural subject or object,
    and only follows words that leave its article unchanged (e.g. en "with", es "con / que",
    fr "avec / que / parmi / sur", ar "مع / أنّ / أحد / أمام"): French never has "de" or "à"
    before it (no "des / aux" contraction), Arabic never a one-letter attached preposition, and
    no adjective or pronoun agrees with it in Spanish or French. An organizer's own terms
    (``custom_terms={"host": {"es": "los vecinos recién llegados"}}``) must follow the same rule:
    a plural noun phrase, with its definite article in es/fr/ar; in Arabic preferably a form
    whose spelling does not change with case (a broken plural or "الأشخاص الذين ...", not
    "المهاجرون / المهاجرين"). A language without a custom term uses that language's default.

Languages and fallbacks
    Every bank item and scale has all of ``LANGUAGES``. Organizer items need English only;
    ``render_text`` returns ``(text, fell_back_to_english)`` so an editor can show the gap instead
    of silently serving English. ``missing_translations`` lists the gaps.

Child-friendly mode
    ``child_presentation`` shows an item as five faces, ``format="smiley5"``, from frowning (face
    1) to beaming (face 5); yes/no items stay ``"yesno"`` (two pictures). The simpler child wording
    is used when the item has one in the language, else the normal text in that language, else
    English (flagged). Child wordings are statements framed so that "Yes, a lot" (face 5) is the
    end that is good for intergroup relations; where that is the opposite of the adult wording
    the item has ``child_flip=True``. The answer is stored on the item's own scale, never as a
    face number, so child and adult answers score alike: face *k* (1–5) stores
    ``min + (k-1)/4 × (max-min)``, or ``max - (k-1)/4 × (max-min)`` when the child wording is
    shown and ``child_flip`` is set. Thus likert5 → 1…5, thermometer → 0/25/50/75/100,
    scale0_10 → 0/2.5/5/7.5/10, likert7 → 1/2.5/4/5.5/7. ``ChildPresentation.values`` lists the
    five stored values.

Cohesion index
    ``COHESION_ITEMS`` are eleven items, at least one from each attitude scale:
    ``therm_1``; ``anx_1``, ``anx_2`` (anxiety); ``trust_1``, ``trust_3``; ``sd_2`` (neighbour),
    ``sd_4`` (close friend); ``bel_1``, ``bel_3`` (belonging); ``threat_1`` (realistic),
    ``threat_3`` (symbolic). Contact quantity and quality are left out: they describe the dose
    of contact, not its outcome. Each answered item is rescaled with ``favourable_0_1``: the
    value goes to 0–1 on its format's range, reverse-coded items (``anx_2``, ``trust_3``) are
    flipped, and items of scales where higher is worse (anxiety, threat) are flipped again, so
    1.0 is always the cohesive end (thermometer 100, anxiety low, trust high, "yes" to a
    social-distance step, belonging high, threat low). The index is the mean of those scores
    × 100, from 0 (least cohesive) to 100, with every answered item weighted equally. It is
    ``None`` when fewer than ``COHESION_MIN_SHARE`` (half, i.e. 6 of 11) of the items are
    answered; ``None`` and NaN count as unanswered; out-of-range values raise ``ValueError``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from surveys.bank import SCALES
from surveys.bank.anchors import (
    AGREE5,
    AGREE7,
    CHILD_AGREE5,
    SCALE0_10_ENDS,
    THERMOMETER_ENDS,
    YESNO,
)
from surveys.bank.outgroup import OUTGROUP_TERMS

LANGUAGES = ("en", "es", "fr", "ar")
RTL_LANGUAGES = frozenset({"ar"})
RESPONDENT_GROUPS = ("migrant", "host", "other")
OUTGROUP = "{outgroup}"
CHILD_FORMAT = "smiley5"
CHILD_POINTS = 5

Format = Literal["likert5", "likert7", "thermometer", "scale0_10", "yesno"]


@dataclass(frozen=True)
class FormatSpec:
    min_value: int
    max_value: int
    anchor_count: int


FORMATS: dict[str, FormatSpec] = {
    "likert5": FormatSpec(1, 5, 5),
    "likert7": FormatSpec(1, 7, 7),
    "thermometer": FormatSpec(0, 100, 2),
    "scale0_10": FormatSpec(0, 10, 2),
    "yesno": FormatSpec(0, 1, 2),
}

# Anchors an organizer item gets when it brings none of its own.
DEFAULT_ANCHORS: dict[str, dict[str, list[str]]] = {
    "likert5": AGREE5,
    "likert7": AGREE7,
    "thermometer": THERMOMETER_ENDS,
    "scale0_10": SCALE0_10_ENDS,
    "yesno": YESNO,
}

COHESION_ITEMS: tuple[str, ...] = (
    "therm_1",
    "anx_1",
    "anx_2",
    "trust_1",
    "trust_3",
    "sd_2",
    "sd_4",
    "bel_1",
    "bel_3",
    "threat_1",
    "threat_3",
)
COHESION_MIN_SHARE = 0.5

_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_LANGUAGE_NAMES = {"en": "English", "es": "Spanish", "fr": "French", "ar": "Arabic"}

Texts = dict[str, str]
AnchorSets = dict[str, tuple[str, ...]]


class ItemDef(BaseModel):
    """One question: its wording and labels per language, response format and coding."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    scale: str
    format: Format
    reverse: bool = False
    text: Texts
    anchors: AnchorSets
    child_text: Texts | None = None
    child_anchors: AnchorSets | None = None
    child_flip: bool = False
    custom: bool = False

    @property
    def min_value(self) -> int:
        return FORMATS[self.format].min_value

    @property
    def max_value(self) -> int:
        return FORMATS[self.format].max_value

    @property
    def mentions_outgroup(self) -> bool:
        return OUTGROUP in self.text["en"]

    @model_validator(mode="after")
    def _consistent(self) -> ItemDef:
        problems = _item_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self


class ScaleDef(BaseModel):
    """A published scale, rewritten: its items, citation and scoring direction."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    name: Texts
    description: Texts
    source: str = Field(min_length=20)
    items: tuple[ItemDef, ...]
    min_items_share: float = Field(default=0.5, gt=0, le=1)
    higher_is_better: bool
    about_outgroup: bool

    @model_validator(mode="after")
    def _consistent(self) -> ScaleDef:
        problems = [
            f"{field} needs English and Spanish"
            for field in ("name", "description")
            if not {"en", "es"} <= getattr(self, field).keys()
        ]
        problems += [
            f"item {i.id} belongs to scale {i.scale}" for i in self.items if i.scale != self.id
        ]
        if not self.items:
            problems.append("a scale needs at least one item")
        if problems:
            raise ValueError(f"scale {self.id}: " + "; ".join(problems))
        return self


@dataclass(frozen=True)
class ChildPresentation:
    """How an item is shown in child-friendly mode; ``values[k-1]`` is stored for face k."""

    item_id: str
    format: str
    text: str
    anchors: tuple[str, ...]
    values: tuple[float, ...]
    simplified: bool
    fell_back_to_english: bool


# --- validation ---------------------------------------------------------------------------


def _language_problems(field: str, values: Mapping[str, Any]) -> list[str]:
    problems = [
        f"{field}: unknown language {lang!r} (use {', '.join(LANGUAGES)})"
        for lang in values
        if lang not in LANGUAGES
    ]
    if "en" not in values:
        problems.append(f"{field}: English is required")
    return problems


def _text_problems(field: str, texts: Mapping[str, str]) -> list[str]:
    problems = _language_problems(field, texts)
    for lang, text in texts.items():
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{field}: the {_LANGUAGE_NAMES.get(lang, lang)} text is empty")
            continue
        unknown = [p for p in _PLACEHOLDER.findall(text) if p != OUTGROUP]
        if unknown or "{" in _PLACEHOLDER.sub("", text) or "}" in _PLACEHOLDER.sub("", text):
            problems.append(f"{field} ({lang}): only the placeholder {OUTGROUP} may use braces")
    has_outgroup = {lang for lang, text in texts.items() if OUTGROUP in str(text)}
    if has_outgroup and has_outgroup != set(texts):
        lacking = ", ".join(sorted(set(texts) - has_outgroup))
        problems.append(f"{field}: {OUTGROUP} is in some languages but not in {lacking}")
    return problems


def _anchor_problems(field: str, anchors: Mapping[str, tuple[str, ...]], count: int) -> list[str]:
    problems = _language_problems(field, anchors)
    for lang, labels in anchors.items():
        if len(labels) != count:
            problems.append(f"{field} ({lang}): expected {count} labels, got {len(labels)}")
        elif not all(isinstance(label, str) for label in labels):
            problems.append(f"{field} ({lang}): labels must be text")
    return problems


def _item_problems(item: ItemDef) -> list[str]:
    problems = (
        []
        if _ID_PATTERN.match(item.id)
        else [f"id {item.id!r} must be 1-64 letters, digits, '_', '.' or '-'"]
    )
    if not item.scale.strip():
        problems.append("scale is required")
    problems += _text_problems("text", item.text)
    problems += _anchor_problems("anchors", item.anchors, FORMATS[item.format].anchor_count)
    if item.child_text is not None:
        problems += _text_problems("child_text", item.child_text)
    if item.child_anchors is not None:
        problems += _anchor_problems("child_anchors", item.child_anchors, _child_points(item))
    if item.child_flip and item.child_text is None:
        problems.append("child_flip needs a child_text whose wording is flipped")
    return problems


# --- the bank -----------------------------------------------------------------------------


@cache
def _bank() -> dict[str, ScaleDef]:
    scales: dict[str, ScaleDef] = {}
    for data in SCALES:
        items = [{**raw, "scale": data["id"]} for raw in data["items"]]
        scale = ScaleDef.model_validate({**data, "items": items})
        scales[scale.id] = scale
    return scales


@cache
def _index() -> dict[str, ItemDef]:
    index: dict[str, ItemDef] = {}
    for scale in _bank().values():
        for one in scale.items:
            if one.id in index:
                raise ValueError(f"item id {one.id!r} is used twice in the bank")
            index[one.id] = one
    return index


def bank() -> dict[str, ScaleDef]:
    """All bank scales by id, in presentation order (a fresh dict over cached, frozen scales)."""
    return dict(_bank())


def item(item_id: str) -> ItemDef:
    """The bank item with this id; KeyError if there is none."""
    try:
        return _index()[item_id]
    except KeyError:
        raise KeyError(f"no item {item_id!r} in the instrument bank") from None


def _resolve(ref: ItemDef | str) -> ItemDef:
    return ref if isinstance(ref, ItemDef) else item(ref)


def _check_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")


# --- organizer items ----------------------------------------------------------------------


def custom_item(
    id: str,
    scale: str,
    format: str,
    text: Mapping[str, str],
    anchors: Mapping[str, list[str] | tuple[str, ...]] | None = None,
    reverse: bool = False,
    *,
    child_text: Mapping[str, str] | None = None,
) -> ItemDef:
    """An organizer's own item, validated; ValueError with a readable message if it is wrong."""
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; use one of {', '.join(FORMATS)}")
    if id in _index():
        raise ValueError(f"item id {id!r} is already used by the instrument bank")
    if not isinstance(text, Mapping):
        raise ValueError("text must map language codes to wording, e.g. {'en': '...'}")
    data = {
        "id": id,
        "scale": scale,
        "format": format,
        "reverse": reverse,
        "text": dict(text),
        "anchors": dict(anchors if anchors is not None else DEFAULT_ANCHORS[format]),
        "child_text": dict(child_text) if child_text is not None else None,
        "custom": True,
    }
    try:
        return ItemDef.model_validate(data)
    except ValidationError as exc:
        raise ValueError(_readable(exc)) from None


def _readable(exc: ValidationError) -> str:
    messages = []
    for error in exc.errors():
        message = str(error["msg"]).removeprefix("Value error, ")
        where = ".".join(str(part) for part in error["loc"])
        messages.append(f"{where}: {message}" if where else message)
    return "; ".join(messages)


# --- wording ------------------------------------------------------------------------------


def outgroup_term(
    respondent_group: str, lang: str, custom: Mapping[str, Mapping[str, str]] | None = None
) -> str:
    """What ``{outgroup}`` means for this respondent: the organizer's term, else the default."""
    _check_language(lang)
    if respondent_group not in RESPONDENT_GROUPS:
        raise ValueError(
            f"unknown respondent group {respondent_group!r}; use {', '.join(RESPONDENT_GROUPS)}"
        )
    term = ((custom or {}).get(respondent_group) or {}).get(lang, "").strip()
    if term and ("{" in term or "}" in term):
        raise ValueError(f"the term for {respondent_group} ({lang}) may not contain braces")
    return term or OUTGROUP_TERMS[respondent_group][lang]


def _substitute(
    text: str,
    lang: str,
    respondent_group: str,
    custom_terms: Mapping[str, Mapping[str, str]] | None,
) -> str:
    if OUTGROUP not in text:
        return text
    return text.replace(OUTGROUP, outgroup_term(respondent_group, lang, custom_terms))


def _child_wording(one: ItemDef, lang: str) -> tuple[str, str, bool]:
    """(text, language used, simplified): child text in lang, normal text in lang, then English."""
    child = one.child_text or {}
    for language in dict.fromkeys((lang, "en")):
        if language in child:
            return child[language], language, True
        if language in one.text:
            return one.text[language], language, False
    raise AssertionError("unreachable: English text is required")


def render_text(
    item: ItemDef | str,
    lang: str,
    respondent_group: str,
    *,
    child: bool = False,
    custom_terms: Mapping[str, Mapping[str, str]] | None = None,
) -> tuple[str, bool]:
    """The item's wording for this respondent, and whether it fell back to English."""
    _check_language(lang)
    one = _resolve(item)
    if child:
        text, used, _ = _child_wording(one, lang)
    else:
        used = lang if lang in one.text else "en"
        text = one.text[used]
    return _substitute(text, used, respondent_group, custom_terms), used != lang


def render_anchors(item: ItemDef | str, lang: str) -> tuple[tuple[str, ...], bool]:
    """The item's response labels in lang, and whether they fell back to English."""
    _check_language(lang)
    one = _resolve(item)
    used = lang if lang in one.anchors else "en"
    return one.anchors[used], used != lang


# --- child-friendly mode ------------------------------------------------------------------


def _child_points(one: ItemDef) -> int:
    return 2 if one.format == "yesno" else CHILD_POINTS


def _child_anchor_sets(one: ItemDef, simplified: bool) -> Mapping[str, Any]:
    if simplified and one.child_anchors is not None:
        return one.child_anchors
    if one.format == "yesno" or (not simplified and one.format == "likert5"):
        return one.anchors
    if simplified:
        return CHILD_AGREE5
    # Normal wording on five faces: keep the item's own end labels on the outer faces.
    return {lang: (labels[0], "", "", "", labels[-1]) for lang, labels in one.anchors.items()}


def _child_values(one: ItemDef, simplified: bool) -> tuple[float, ...]:
    points = _child_points(one)
    span = one.max_value - one.min_value
    values = tuple(one.min_value + span * k / (points - 1) for k in range(points))
    return values[::-1] if simplified and one.child_flip else values


def child_presentation(
    item: ItemDef | str,
    lang: str,
    respondent_group: str,
    *,
    custom_terms: Mapping[str, Mapping[str, str]] | None = None,
) -> ChildPresentation:
    """The item as shown in child-friendly mode: smiley faces and the simpler wording."""
    _check_language(lang)
    one = _resolve(item)
    text, used, simplified = _child_wording(one, lang)
    anchor_sets = _child_anchor_sets(one, simplified)
    anchor_lang = used if used in anchor_sets else "en"
    return ChildPresentation(
        item_id=one.id,
        format="yesno" if one.format == "yesno" else CHILD_FORMAT,
        text=_substitute(text, used, respondent_group, custom_terms),
        anchors=tuple(anchor_sets[anchor_lang]),
        values=_child_values(one, simplified),
        simplified=simplified,
        fell_back_to_english=used != lang or anchor_lang != lang,
    )


def smiley_to_value(item: ItemDef | str, face: int, lang: str) -> float:
    """The value stored on the item's own scale when a child picks face 1-5 (yes/no: 1-2)."""
    _check_language(lang)
    one = _resolve(item)
    values = _child_values(one, simplified=_child_wording(one, lang)[2])
    if not 1 <= face <= len(values):
        raise ValueError(f"face must be between 1 and {len(values)}, got {face}")
    return values[face - 1]


# --- translations -------------------------------------------------------------------------


def _gaps(owner: str, field: str, values: Mapping[str, Any] | None) -> list[tuple[str, str, str]]:
    if values is None:
        return []
    return [(owner, lang, field) for lang in LANGUAGES if not values.get(lang)]


def missing_translations(obj: ItemDef | ScaleDef | str) -> list[tuple[str, str, str]]:
    """(item or scale id, language, field) for every translation that is missing."""
    if isinstance(obj, ScaleDef):
        gaps = _gaps(obj.id, "name", obj.name) + _gaps(obj.id, "description", obj.description)
        return gaps + [gap for one in obj.items for gap in missing_translations(one)]
    one = _resolve(obj)
    return (
        _gaps(one.id, "text", one.text)
        + _gaps(one.id, "anchors", one.anchors)
        + _gaps(one.id, "child_text", one.child_text)
        + _gaps(one.id, "child_anchors", one.child_anchors)
    )


# --- scoring ------------------------------------------------------------------------------


def rescale_0_1(item: ItemDef | str, value: float) -> float:
    """The value on 0-1 in the scale's direction: reverse-coded items are flipped."""
    one = _resolve(item)
    if not one.min_value <= value <= one.max_value:
        raise ValueError(
            f"{one.id}: {value} is outside {one.min_value}-{one.max_value} ({one.format})"
        )
    share = (value - one.min_value) / (one.max_value - one.min_value)
    return 1.0 - share if one.reverse else share


def favourable_0_1(item: ItemDef | str, value: float) -> float:
    """The value on 0-1 where 1 is the end that is good for intergroup relations."""
    one = _resolve(item)
    share = rescale_0_1(one, value)
    scale = _bank().get(one.scale)
    return share if scale is None or scale.higher_is_better else 1.0 - share


def _answered(value: float | None) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def _enough(answered: int, total: int, share: float) -> bool:
    return answered > 0 and answered >= math.ceil(total * share - 1e-9)


def scale_score(scale: ScaleDef | str, answers: Mapping[str, float | None]) -> float | None:
    """Mean of the answered items on 0-100 in the scale's direction; None if too few answered."""
    scale_def = scale if isinstance(scale, ScaleDef) else _bank()[scale]
    scores = [
        rescale_0_1(one, value)
        for one in scale_def.items
        if (value := _answered(answers.get(one.id))) is not None
    ]
    if not _enough(len(scores), len(scale_def.items), scale_def.min_items_share):
        return None
    return 100.0 * sum(scores) / len(scores)


def cohesion_index(answers: Mapping[str, float | None]) -> float | None:
    """The 0-100 cohesion index (see the module docstring); None if too few items answered."""
    scores = [
        favourable_0_1(item_id, value)
        for item_id in COHESION_ITEMS
        if (value := _answered(answers.get(item_id))) is not None
    ]
    if not _enough(len(scores), len(COHESION_ITEMS), COHESION_MIN_SHARE):
        return None
    return 100.0 * sum(scores) / len(scores)
