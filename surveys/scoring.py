"""Pure helpers over an instrument version: its items, its pages, which values an item accepts,
and the scores a completed response stores. No database, no request.

Scores (one row per scale of the instrument, plus ``cohesion`` when the instrument has cohesion
items):

* ``score``: the bank's scoring, 0-100 in the scale's direction — the mean of
  ``instruments.rescale_0_1`` over the scale's answered items × 100 (for a bank scale this is
  ``instruments.scale_score``; organizer items are scored the same way within their own scale),
  and ``instruments.cohesion_index`` for ``cohesion``;
* ``raw_mean``: ``analysis.score_responses`` — the mean of the reverse-coded answers in the items'
  own units (``min + max - value`` for reverse items);
* both are None when fewer than the scale's ``min_items_share`` (half) of its items are answered.

`compute_scores` is what `surveys.responses` stores on completion and what `recompute_scores`
re-derives from the stored answers; a test checks it against both functions it mirrors.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from surveys import instruments
from surveys.instruments import COHESION_ITEMS, ItemDef

COHESION = "cohesion"
MAX_ITEMS_PER_PAGE = 6
DEFAULT_MIN_SHARE = 0.5

_CACHE: dict[tuple[int, str], tuple[ItemDef, ...]] = {}
_CACHE_LIMIT = 512


@dataclass(frozen=True)
class ScoreRow:
    scale_id: str
    score: float | None
    raw_mean: float | None
    n_items: int

    def record(self, response_id: int) -> dict[str, Any]:
        """The `response_score` row of this score (for Core inserts)."""
        return {"response_id": response_id, **asdict(self)}


def parse_items(raw: Sequence[Mapping[str, Any]]) -> tuple[ItemDef, ...]:
    """Validate stored item dumps back into `ItemDef`s."""
    return tuple(ItemDef.model_validate(dict(data)) for data in raw)


def cached_items(
    version_id: int,
    stamp: str,
    load: Callable[[], Sequence[Mapping[str, Any]]],
) -> tuple[ItemDef, ...]:
    """`parse_items`, cached per version and edit time (versions change rarely, pages often);
    `load` reads the stored items, only when they are not cached yet."""
    key = (version_id, stamp)
    found = _CACHE.get(key)
    if found is None:
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.clear()
        found = _CACHE[key] = parse_items(load())
    return found


def pages(items: Sequence[ItemDef], per_page: int = MAX_ITEMS_PER_PAGE) -> list[list[ItemDef]]:
    """Items in pages of at most `per_page`: a scale stays on one page when it fits."""
    groups: list[list[ItemDef]] = []
    for one in items:
        if groups and groups[-1][0].scale == one.scale:
            groups[-1].append(one)
        else:
            groups.append([one])
    result: list[list[ItemDef]] = []
    for group in groups:
        for start in range(0, len(group), per_page):
            chunk = group[start : start + per_page]
            if result and len(result[-1]) + len(chunk) <= per_page and len(group) <= per_page:
                result[-1].extend(chunk)
            else:
                result.append(list(chunk))
    return result


def accepted_values(one: ItemDef) -> frozenset[float] | None:
    """The values an item accepts (adult choices and child faces); None = any in its range."""
    if one.format == "thermometer":
        return None
    adult = {float(v) for v in range(one.min_value, one.max_value + 1)}
    points = 2 if one.format == "yesno" else instruments.CHILD_POINTS
    span = one.max_value - one.min_value
    child = {one.min_value + span * k / (points - 1) for k in range(points)}
    return frozenset(adult | child)


def check_value(one: ItemDef, value: Any) -> float:
    """The value as a float if the item accepts it, else ValueError saying what is allowed."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{one.id}: {value!r} is not a number") from None
    if isinstance(value, bool) or not math.isfinite(number):
        raise ValueError(f"{one.id}: {value!r} is not a number")
    if not one.min_value <= number <= one.max_value:
        raise ValueError(
            f"{one.id}: {number:g} is outside {one.min_value}-{one.max_value} ({one.format})"
        )
    allowed = accepted_values(one)
    if allowed is not None and number not in allowed:
        raise ValueError(f"{one.id}: {number:g} is not one of the answer choices")
    return number


def _min_share(scale_id: str) -> float:
    scale = instruments.bank().get(scale_id)
    return scale.min_items_share if scale is not None else DEFAULT_MIN_SHARE


def _enough(answered: int, total: int, share: float) -> bool:
    return answered > 0 and answered >= share * total - 1e-9


def _reverse_coded(one: ItemDef, value: float) -> float:
    return one.min_value + one.max_value - value if one.reverse else value


def _scale_row(scale_id: str, members: Sequence[ItemDef], answers: Mapping[str, float]) -> ScoreRow:
    given = [(one, answers[one.id]) for one in members if answers.get(one.id) is not None]
    if not _enough(len(given), len(members), _min_share(scale_id)):
        return ScoreRow(scale_id, None, None, len(given))
    score = 100.0 * sum(instruments.rescale_0_1(one, v) for one, v in given) / len(given)
    raw = sum(_reverse_coded(one, v) for one, v in given) / len(given)
    return ScoreRow(scale_id, score, raw, len(given))


def compute_scores(items: Sequence[ItemDef], answers: Mapping[str, float]) -> list[ScoreRow]:
    """One row per scale of the instrument (in order), plus the cohesion index if it applies."""
    by_scale: dict[str, list[ItemDef]] = {}
    for one in items:
        by_scale.setdefault(one.scale, []).append(one)
    rows = [_scale_row(scale_id, members, answers) for scale_id, members in by_scale.items()]
    ids = {one.id for one in items}
    if ids & set(COHESION_ITEMS):
        index = instruments.cohesion_index({k: answers.get(k) for k in COHESION_ITEMS if k in ids})
        answered = sum(1 for k in COHESION_ITEMS if k in ids and answers.get(k) is not None)
        rows.append(ScoreRow(COHESION, index, None, answered))
    return rows


def missing_items(items: Sequence[ItemDef], answers: Mapping[str, float]) -> list[ItemDef]:
    """The items without an answer, in order."""
    return [one for one in items if answers.get(one.id) is None]
