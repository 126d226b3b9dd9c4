"""Mixed-group formation by anticlustering.

Anticlustering (Papenberg & Klau, 2021, "Using anticlustering to partition data sets into
equivalent parts", Psychological Methods 26(2), 161-174; R package `anticlust`) splits N people
into K groups of (near-)equal size so that each group is internally as diverse as possible and the
groups are as alike as possible - the opposite of clustering.

Features. Each participant's categorical attributes (`group`: migrant / host / other, `gender`,
`language`, `age_band`) are one-hot encoded and each attribute's columns are multiplied by its
weight (`group` weighs most by default). The distance between two people is the Euclidean
distance of their encoded rows: the more (and heavier) attributes they differ on, the further apart.

Objective. The diversity of a partition is the sum of the distances between every two people in the
same group; we maximise it. With equal group sizes, a high total within-group distance means every
group spans the whole mix of the activity.

Method. The exchange method of Papenberg & Klau: start from a balanced assignment (people are
stratified by `group` and dealt round-robin, like anticlust's `categories` argument), then, for each
person in turn, evaluate swapping them with every eligible person in another group and make the
best swap if it raises the objective. Passes repeat until one makes no swap (a local maximum, as
in anticlust's "local-maximum" method) or `MAX_PASSES` is reached. Random restarts keep the best.

Constraints.
- Migrant / host balance is hard: swaps only exchange people of the same `group` category, so each
  group keeps the floor or ceiling of its fair share of every category from the initial deal.
- Keep-together pairs (e.g. siblings) are merged into units that always move together; a unit only
  swaps with a unit of the same size and `group` make-up. If the pairs make an even migrant / host
  spread impossible, the spread is relaxed (sizes stay even) and the proposal says so.
- Keep-apart pairs are honoured by the initial deal and by rejecting any swap that would join them.
Infeasible requests raise `GroupingError` with a message meant for the coordinator.

Complexity. Distances cost O(N^2 * F) time and O(N^2) memory (F one-hot columns). The gain of every
swap of one unit is computed at once from the distance matrix and per-unit, per-group distance sums,
in O(M) for M units, and a swap updates the sums in O(M); so one pass costs O(M^2).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

ATTRIBUTES = ("group", "gender", "language", "age_band")
DEFAULT_WEIGHTS: Mapping[str, float] = {
    "group": 2.0,
    "gender": 1.0,
    "language": 1.0,
    "age_band": 1.0,
}
MAX_PASSES = 100
PLACEMENT_ATTEMPTS = 50
# Swaps must gain more than float noise (relative to the largest distance), or passes could cycle
# between equally good partitions.
_MIN_GAIN = 1e-9
# The `group` categories every group should have, and how warnings name one such person.
_WATCHED = {"migrant": "migrant", "host": "host-community member"}


class GroupingError(ValueError):
    """A grouping request that cannot be met; the message is meant for the coordinator."""

    # Mirrors app.errors.Invalid without importing it: domains must not import `app`.
    status_code = 422

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Member:
    """One participant as seen by the grouping algorithm."""

    key: int
    group: str
    gender: str
    language: str
    age_band: str


@dataclass(frozen=True)
class Proposal:
    """Proposed groups (participant keys), their diversity and make-up, and what to check."""

    groups: list[list[int]]
    objective: float
    compositions: list[dict[str, dict[str, int]]]
    warnings: list[str]


@dataclass(frozen=True)
class _Units:
    """People merged by keep-together pairs; the exchange method moves units, not people."""

    people: list[IntArray]  # member indices of each unit
    counts: IntArray  # units x (1 + categories): size, then people per `group` category
    kinds: IntArray  # units with equal kind may swap: same size and category make-up
    conflicts: BoolArray  # units x units: some keep-apart pair spans the two units


# ---------------------------------------------------------------- public functions


def form_groups(
    members: Sequence[Member],
    *,
    group_size: int | None = None,
    n_groups: int | None = None,
    keep_together: Sequence[tuple[int, int]] = (),
    keep_apart: Sequence[tuple[int, int]] = (),
    seed: int = 0,
    restarts: int = 3,
    weights: Mapping[str, float] | None = None,
) -> Proposal:
    """Split members into diverse, alike groups that respect balance and pair constraints."""
    k = _group_count(len(members), group_size=group_size, n_groups=n_groups)
    if restarts < 1:
        raise GroupingError("Restarts must be at least 1.")
    index = _index_by_key(members)
    units = _build_units(members, index=index, keep_together=keep_together, keep_apart=keep_apart)
    _check_unit_sizes(members, units=units, n_groups=k)
    features = encode(members, weights=weights)
    unit_distances = _unit_distances(_distances(features), units.people)
    rng = np.random.default_rng(seed)
    start, balanced = _first_start(units, n_groups=k, rng=rng)
    best, best_score = _exchange(unit_distances, units=units, labels=start, n_groups=k, rng=rng)
    for _ in range(restarts - 1):
        other = _start(units, n_groups=k, rng=rng, balanced=balanced, careful_first=False)
        if other is None:
            continue  # no other deal found this time; the first result stands
        labels, score = _exchange(unit_distances, units=units, labels=other, n_groups=k, rng=rng)
        if score > best_score:
            best, best_score = labels, score
    return _proposal(members, units=units, unit_labels=best, features=features, balanced=balanced)


def encode(members: Sequence[Member], *, weights: Mapping[str, float] | None = None) -> FloatArray:
    """One-hot encode the members' attributes, each attribute's columns scaled by its weight."""
    weights = _checked_weights(weights)
    blocks = [np.zeros((len(members), 0))]
    for attribute in ATTRIBUTES:
        values = [getattr(member, attribute) for member in members]
        levels = sorted(set(values))
        codes = np.array([levels.index(value) for value in values], dtype=np.intp)
        blocks.append(np.eye(len(levels))[codes] * weights[attribute])
    return np.hstack(blocks)


def diversity(features: np.ndarray, labels: np.ndarray) -> float:
    """Sum of Euclidean distances between every two rows that share a label."""
    distances = _distances(np.asarray(features, dtype=np.float64))
    same = np.equal.outer(labels, labels)
    return float(np.triu(distances * same, k=1).sum())


def composition(members: Sequence[Member], keys: Sequence[int]) -> dict[str, dict[str, int]]:
    """Count, for each attribute, how many of the given members have each value."""
    chosen = set(keys)
    people = [member for member in members if member.key in chosen]
    return {
        attribute: dict(sorted(Counter(getattr(person, attribute) for person in people).items()))
        for attribute in ATTRIBUTES
    }


def lopsided_warnings(
    compositions: Sequence[Mapping[str, Mapping[str, int]]],
    *,
    watched: Mapping[str, str] = _WATCHED,
) -> list[str]:
    """Warn about groups with none or only one of the migrants or hosts the activity has."""
    # Groups are numbered from 1 in messages, as coordinators count them.
    present = {
        category
        for category in watched
        if any(parts.get("group", {}).get(category, 0) for parts in compositions)
    }
    warnings = []
    for number, parts in enumerate(compositions, start=1):
        for category, noun in watched.items():
            count = parts.get("group", {}).get(category, 0)
            if category not in present or count > 1:
                continue  # nobody of this kind to spread, or enough of them here
            amount = "no" if count == 0 else "only one"
            warnings.append(f"Group {number} has {amount} {noun}.")
    return warnings


# ---------------------------------------------------------------- validation


def _group_count(n_people: int, *, group_size: int | None, n_groups: int | None) -> int:
    """Number of groups asked for, after checking the request makes sense."""
    if n_people == 0:
        raise GroupingError("There is nobody to put into groups yet.")
    if (group_size is None) == (n_groups is None):
        raise GroupingError("Give either a group size or a number of groups (exactly one).")
    if group_size is not None:
        if group_size < 2:
            raise GroupingError("A group needs at least 2 people.")
        n_groups = n_people // group_size
        if n_groups < 2:
            raise GroupingError(
                f"{n_people} people make fewer than 2 groups of {group_size}; "
                "choose a smaller group size."
            )
        return n_groups
    assert n_groups is not None
    if n_groups < 2:
        raise GroupingError("Make at least 2 groups.")
    if n_groups > n_people:
        raise GroupingError(f"Cannot make {n_groups} groups from only {n_people} people.")
    if n_people // n_groups < 2:
        raise GroupingError(
            f"{n_people} people in {n_groups} groups would leave someone alone; make fewer groups."
        )
    return n_groups


def _index_by_key(members: Sequence[Member]) -> dict[int, int]:
    """Position of each participant key, refusing duplicates."""
    index: dict[int, int] = {}
    for position, member in enumerate(members):
        if member.key in index:
            raise GroupingError(f"Participant {member.key} is listed twice.")
        index[member.key] = position
    return index


def _pair_positions(
    pairs: Sequence[tuple[int, int]], *, index: Mapping[int, int], kind: str
) -> list[tuple[int, int]]:
    """Translate participant-key pairs to member positions, refusing unknown keys."""
    positions = []
    for a, b in pairs:
        for key in (a, b):
            if key not in index:
                raise GroupingError(f"A {kind} pair names participant {key}, who is not listed.")
        positions.append((index[a], index[b]))
    return positions


def _checked_weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    """Default weights overridden by the given ones, refusing unknown or negative weights."""
    merged = dict(DEFAULT_WEIGHTS)
    for attribute, weight in (weights or {}).items():
        if attribute not in merged:
            raise GroupingError(f"Unknown attribute '{attribute}' in weights.")
        if weight < 0:
            raise GroupingError(f"The weight of '{attribute}' cannot be negative.")
        merged[attribute] = float(weight)
    return merged


# ---------------------------------------------------------------- units and constraints


def _build_units(
    members: Sequence[Member],
    *,
    index: Mapping[int, int],
    keep_together: Sequence[tuple[int, int]],
    keep_apart: Sequence[tuple[int, int]],
) -> _Units:
    """Merge keep-together pairs into units and map keep-apart pairs onto units."""
    together = _pair_positions(keep_together, index=index, kind="keep-together")
    apart = _pair_positions(keep_apart, index=index, kind="keep-apart")
    unit_of = _connected_components(len(members), together)
    people = [np.flatnonzero(unit_of == unit) for unit in range(int(unit_of.max()) + 1)]
    conflicts = np.zeros((len(people), len(people)), dtype=np.bool_)
    for a, b in apart:
        if a == b:
            raise GroupingError(f"Participant {members[a].key} cannot be kept apart from themself.")
        if unit_of[a] == unit_of[b]:
            raise GroupingError(
                f"Participants {members[a].key} and {members[b].key} must be kept apart, "
                "but the keep-together pairs put them in the same group."
            )
        conflicts[unit_of[a], unit_of[b]] = conflicts[unit_of[b], unit_of[a]] = True
    counts = _unit_counts(members, people)
    _, kinds = np.unique(counts, axis=0, return_inverse=True)
    return _Units(people=people, counts=counts, kinds=kinds.ravel(), conflicts=conflicts)


def _connected_components(n: int, pairs: Sequence[tuple[int, int]]) -> IntArray:
    """Component number of each of n items linked by pairs, numbered by first appearance."""
    parent = list(range(n))

    def root(item: int) -> int:
        while parent[item] != item:
            parent[item] = parent[parent[item]]  # path halving keeps the trees shallow
            item = parent[item]
        return item

    for a, b in pairs:
        parent[root(a)] = root(b)
    roots = [root(item) for item in range(n)]
    numbering = {r: number for number, r in enumerate(dict.fromkeys(roots))}
    return np.array([numbering[r] for r in roots], dtype=np.intp)


def _unit_counts(members: Sequence[Member], people: list[IntArray]) -> IntArray:
    """Per unit: its size, then how many of its people are in each `group` category."""
    categories = sorted({member.group for member in members})
    counts = np.zeros((len(people), 1 + len(categories)), dtype=np.intp)
    for unit, positions in enumerate(people):
        counts[unit, 0] = len(positions)
        for position in positions:
            counts[unit, 1 + categories.index(members[position].group)] += 1
    return counts


def _check_unit_sizes(members: Sequence[Member], *, units: _Units, n_groups: int) -> None:
    """Refuse keep-together chains larger than the largest group can be."""
    largest_group = -(-len(members) // n_groups)
    for positions in units.people:
        if len(positions) > largest_group:
            keys = ", ".join(str(members[p].key) for p in positions)
            raise GroupingError(
                f"Participants {keys} must stay together, but groups hold at most "
                f"{largest_group} people; make bigger groups or remove a keep-together pair."
            )


# ---------------------------------------------------------------- initial assignment


def _first_start(
    units: _Units, *, n_groups: int, rng: np.random.Generator
) -> tuple[IntArray, bool]:
    """A first deal, and whether it could keep the migrant / host spread even."""
    for balanced in (True, False):
        labels = _start(units, n_groups=n_groups, rng=rng, balanced=balanced, careful_first=True)
        if labels is not None:
            return labels, balanced
    raise GroupingError(
        "Could not form groups that keep every keep-apart pair apart and every keep-together "
        "pair together; remove some pairs or make more groups."
    )


def _start(
    units: _Units,
    *,
    n_groups: int,
    rng: np.random.Generator,
    balanced: bool,
    careful_first: bool,
) -> IntArray | None:
    """A deal that respects every constraint, alternating careful and random attempts."""
    # Size is always kept even; the `group` categories only while that is possible.
    columns = np.arange(units.counts.shape[1] if balanced else 1)
    for attempt in range(PLACEMENT_ATTEMPTS):
        careful = (attempt % 2 == 0) == careful_first
        labels = _deal(units, n_groups=n_groups, rng=rng, columns=columns, careful=careful)
        if labels is not None:
            return labels
    return None


def _deal(
    units: _Units, *, n_groups: int, rng: np.random.Generator, columns: IntArray, careful: bool
) -> IntArray | None:
    """Deal units into groups so that every checked column ends at its floor or ceiling."""
    totals = units.counts.sum(axis=0)
    floor, ceiling = totals // n_groups, -(-totals // n_groups)
    # Only this many groups may end above the floor, so the rest cannot end below it.
    above_allowed = totals - floor * n_groups
    held = np.zeros((n_groups, units.counts.shape[1]), dtype=np.intp)
    labels = np.full(len(units.people), -1, dtype=np.intp)
    for unit in _deal_order(units, rng=rng, careful=careful):
        after = held + units.counts[unit]
        above = (held > floor).sum(axis=0) + ((after > floor) & (held <= floor))
        fits = ((after <= ceiling) & (above <= above_allowed))[:, columns].all(axis=1)
        fits &= _free_of_conflict(units, unit=unit, labels=labels, n_groups=n_groups)
        if not fits.any():
            return None
        target = _pick_group(
            held, fits=fits, unit_counts=units.counts[unit], rng=rng, careful=careful
        )
        labels[unit] = target
        held[target] += units.counts[unit]
    return labels


def _free_of_conflict(units: _Units, *, unit: int, labels: IntArray, n_groups: int) -> BoolArray:
    """Groups holding no unit that must be kept apart from this one."""
    placed = labels >= 0
    clashing = labels[placed & units.conflicts[unit]]
    free = np.ones(n_groups, dtype=np.bool_)
    free[clashing] = False
    return free


def _deal_order(units: _Units, *, rng: np.random.Generator, careful: bool) -> IntArray:
    """Big units first; a careful deal then takes constrained units, then one category at a time."""
    keys = [rng.random(len(units.people))]
    if careful:
        keys += [np.argmax(units.counts[:, 1:], axis=1), -units.conflicts.sum(axis=1)]
    return np.lexsort((*keys, -units.counts[:, 0]))


def _pick_group(
    held: IntArray,
    *,
    fits: BoolArray,
    unit_counts: IntArray,
    rng: np.random.Generator,
    careful: bool,
) -> int:
    """A fitting group: at random, or, carefully, as a round-robin deal would choose."""
    if not careful:
        return int(rng.choice(np.flatnonzero(fits)))
    # The emptiest group first, then the one with fewest of the unit's kind, ties at random.
    same_kind = held[:, 1:] @ unit_counts[1:]
    order = np.lexsort((rng.random(len(held)), same_kind, held[:, 0]))
    return int(order[fits[order]][0])


# ---------------------------------------------------------------- exchange method


def _distances(features: FloatArray) -> FloatArray:
    """Euclidean distance matrix between the rows of features."""
    squared = (features**2).sum(axis=1)
    gram = features @ features.T
    distances = np.sqrt(np.maximum(squared[:, None] + squared[None, :] - 2 * gram, 0.0))
    np.fill_diagonal(distances, 0.0)
    return distances


def _unit_distances(distances: FloatArray, people: list[IntArray]) -> FloatArray:
    """Summed distances between units; the diagonal is twice each unit's internal sum."""
    if len(people) == distances.shape[0]:
        return distances  # no keep-together pairs: units are people, in the same order
    membership = np.zeros((distances.shape[0], len(people)))
    for unit, positions in enumerate(people):
        membership[positions, unit] = 1.0
    return membership.T @ distances @ membership


@dataclass
class _Search:
    """State of one exchange run; `_swap` keeps the sums in step with the labels."""

    distances: FloatArray  # unit x unit summed distances
    pair_terms: FloatArray  # unit x unit: what a swap of the two changes besides group sums
    conflicts: BoolArray  # unit x unit keep-apart
    labels: IntArray  # group of each unit
    sums: FloatArray  # unit x group: summed distance from the unit to the group's units
    own: FloatArray  # per unit: its summed distance to its own group
    clashes: FloatArray  # unit x group: how many keep-apart partners of the unit the group holds
    min_gain: float  # smallest gain worth a swap

    @classmethod
    def start(
        cls, distances: FloatArray, *, conflicts: BoolArray, labels: IntArray, n_groups: int
    ) -> _Search:
        """Search state for a starting assignment."""
        onehot = np.eye(n_groups)[labels]
        sums = distances @ onehot
        # Swapping a and b keeps each unit's inner distances and cannot pair a with b.
        inner = np.diag(distances)
        pair_terms = inner[:, None] + inner[None, :] - 2 * distances
        own = sums[np.arange(len(labels)), labels]
        clashes = conflicts.astype(np.float64) @ onehot
        min_gain = _MIN_GAIN * float(distances.max(initial=0.0))
        return cls(distances, pair_terms, conflicts, labels.copy(), sums, own, clashes, min_gain)

    def objective(self) -> float:
        """Diversity of the current assignment (each pair is counted from both ends)."""
        return float(self.own.sum() / 2)


def _exchange(
    distances: FloatArray,
    *,
    units: _Units,
    labels: IntArray,
    n_groups: int,
    rng: np.random.Generator,
) -> tuple[IntArray, float]:
    """Improve labels by best-improving swaps until a pass makes none; return labels, objective."""
    search = _Search.start(distances, conflicts=units.conflicts, labels=labels, n_groups=n_groups)
    same_kind = units.kinds[:, None] == units.kinds[None, :]
    constrained = bool(units.conflicts.any())
    order = rng.permutation(len(labels))
    for _ in range(MAX_PASSES):
        swapped = False
        for unit in order:
            other = _best_swap(
                search, unit=int(unit), eligible=same_kind[unit], constrained=constrained
            )
            if other is not None:
                _swap(search, a=int(unit), b=other)
                swapped = True
        if not swapped:
            break
    return search.labels, search.objective()


def _best_swap(search: _Search, *, unit: int, eligible: BoolArray, constrained: bool) -> int | None:
    """The swap partner that raises the objective most, or None if no swap helps."""
    labels, own_group = search.labels, search.labels[unit]
    # Gain of swapping `unit` with every unit at once: both leave their group and join the other's.
    gain = (
        search.sums[unit][labels]
        - search.own[unit]
        + search.sums[:, own_group]
        - search.own
        + search.pair_terms[unit]
    )
    allowed = eligible & (labels != own_group)
    if constrained:
        # Allowed when the only keep-apart partner in the new group is the one leaving it.
        allowed &= search.clashes[unit][labels] == search.conflicts[unit]
        allowed &= search.clashes[:, own_group] == search.conflicts[:, unit]
    gain[~allowed] = -np.inf
    best = int(np.argmax(gain))
    return best if gain[best] > search.min_gain else None


def _swap(search: _Search, *, a: int, b: int) -> None:
    """Swap the groups of units a and b, updating the per-group sums in place."""
    group_a, group_b = search.labels[a], search.labels[b]
    moved = search.distances[:, b] - search.distances[:, a]
    search.sums[:, group_a] += moved
    search.sums[:, group_b] -= moved
    moved_clash = search.conflicts[:, b].astype(np.float64) - search.conflicts[:, a]
    search.clashes[:, group_a] += moved_clash
    search.clashes[:, group_b] -= moved_clash
    search.labels[a], search.labels[b] = group_b, group_a
    search.own[:] = search.sums[np.arange(len(search.labels)), search.labels]


# ---------------------------------------------------------------- result


def _proposal(
    members: Sequence[Member],
    *,
    units: _Units,
    unit_labels: IntArray,
    features: FloatArray,
    balanced: bool,
) -> Proposal:
    """Turn unit labels into ordered groups of keys with make-up and warnings."""
    labels = np.empty(len(members), dtype=np.intp)
    for unit, positions in enumerate(units.people):
        labels[positions] = unit_labels[unit]
    # Number groups by their first listed member so equal partitions always print the same.
    first_seen = list(dict.fromkeys(int(label) for label in labels))
    groups = [[members[int(p)].key for p in np.flatnonzero(labels == g)] for g in first_seen]
    compositions = [composition(members, keys) for keys in groups]
    warnings = lopsided_warnings(compositions)
    if not balanced:
        warnings.insert(
            0,
            "The keep-together and keep-apart pairs made an even migrant / host spread "
            "impossible; check the make-up of each group.",
        )
    return Proposal(
        groups=groups,
        objective=diversity(features, labels),
        compositions=compositions,
        warnings=warnings,
    )
