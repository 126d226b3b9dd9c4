"""Stories for forming mixed groups of migrants and locals (anticlustering, exchange method)."""

import itertools
import time
from collections.abc import Sequence

import numpy as np
import pytest

from activities.grouping import (
    GroupingError,
    Member,
    Proposal,
    composition,
    diversity,
    encode,
    form_groups,
    lopsided_warnings,
)

GENDERS = ("woman", "man", "non-binary")
LANGUAGES = ("es", "ar", "uk", "wo", "en")
AGE_BANDS = ("18-29", "30-49", "50+")


def crossed_people(n: int) -> list[Member]:
    """People whose attributes cycle independently, so a perfectly even split exists."""
    return [
        Member(
            key=100 + i,
            group=("migrant", "host")[i % 2],
            gender=("woman", "man")[(i // 2) % 2],
            language=("es", "ar", "uk")[i % 3],
            age_band=("18-29", "50+")[(i // 4) % 2],
        )
        for i in range(n)
    ]


def random_people(
    n: int, *, seed: int, groups: Sequence[str] = ("migrant", "host")
) -> list[Member]:
    """People with random gender, language and age, and `group` cycling through groups."""
    rng = np.random.default_rng(seed)
    return [
        Member(
            key=i,
            group=groups[i % len(groups)],
            gender=str(rng.choice(GENDERS, p=[0.45, 0.45, 0.1])),
            language=str(rng.choice(LANGUAGES)),
            age_band=str(rng.choice(AGE_BANDS)),
        )
        for i in range(n)
    ]


def label_of(proposal: Proposal) -> dict[int, int]:
    """Group number of each participant key."""
    return {key: g for g, keys in enumerate(proposal.groups) for key in keys}


def spread(proposal: Proposal, attribute: str, value: str) -> list[int]:
    """How many people with this value each group got."""
    return [parts[attribute].get(value, 0) for parts in proposal.compositions]


def assert_valid(proposal: Proposal, members: Sequence[Member], n_groups: int) -> None:
    """Everyone is in exactly one group, and group sizes differ by at most one."""
    keys = sorted(key for group in proposal.groups for key in group)
    assert keys == sorted(m.key for m in members)
    sizes = [len(group) for group in proposal.groups]
    assert len(sizes) == n_groups
    assert max(sizes) - min(sizes) <= 1


def balanced_random_labels(members: Sequence[Member], n_groups: int, rng) -> np.ndarray:
    """A random partition dealt round-robin by category, as balanced as the algorithm's."""
    order = sorted(rng.permutation(len(members)), key=lambda i: members[i].group)
    labels = np.empty(len(members), dtype=int)
    labels[order] = np.arange(len(members)) % n_groups
    return rng.permutation(n_groups)[labels]


# ---------------------------------------------------------------- balance


def test_twelve_migrants_and_twelve_hosts_in_four_groups_get_three_of_each():
    members = crossed_people(24)

    proposal = form_groups(members, n_groups=4)

    assert_valid(proposal, members, 4)
    assert spread(proposal, "group", "migrant") == [3, 3, 3, 3]
    assert spread(proposal, "group", "host") == [3, 3, 3, 3]
    for attribute in ("gender", "language", "age_band"):
        for value in {getattr(m, attribute) for m in members}:
            counts = spread(proposal, attribute, value)
            assert max(counts) - min(counts) <= 1, (attribute, value, counts)
    assert proposal.warnings == []


def test_uneven_numbers_give_every_group_its_fair_share_within_one():
    members = random_people(23, seed=3, groups=("migrant", "host", "host", "migrant", "other"))

    proposal = form_groups(members, n_groups=4)

    assert_valid(proposal, members, 4)
    for category in ("migrant", "host", "other"):
        total = sum(m.group == category for m in members)
        for count in spread(proposal, "group", category):
            assert total // 4 <= count <= -(-total // 4)


def test_gender_and_language_are_spread_within_one_on_random_people():
    members = random_people(24, seed=7)

    proposal = form_groups(members, n_groups=4)

    for attribute in ("gender", "language"):
        for value in {getattr(m, attribute) for m in members}:
            counts = spread(proposal, attribute, value)
            assert max(counts) - min(counts) <= 1, (attribute, value, counts)


def test_a_group_size_makes_groups_no_smaller_than_asked():
    members = random_people(25, seed=1)

    proposal = form_groups(members, group_size=6)

    assert_valid(proposal, members, 4)
    assert sorted(len(group) for group in proposal.groups) == [6, 6, 6, 7]


# ---------------------------------------------------------------- quality


def test_groups_are_more_diverse_than_any_of_200_random_balanced_splits():
    members = random_people(40, seed=11, groups=("migrant", "host", "host", "other"))
    features = encode(members)
    rng = np.random.default_rng(99)

    proposal = form_groups(members, n_groups=5)
    random_scores = [
        diversity(features, balanced_random_labels(members, 5, rng)) for _ in range(200)
    ]

    assert proposal.objective > max(random_scores)


def best_by_brute_force(
    members: Sequence[Member],
    n_groups: int,
    *,
    together: Sequence[tuple[int, int]] = (),
    apart: Sequence[tuple[int, int]] = (),
) -> float:
    """Highest diversity over every evenly spread partition that honours the pairs."""
    features = encode(members)
    categories = np.array([m.group for m in members])
    position = {m.key: i for i, m in enumerate(members)}
    best = -np.inf
    for labels in itertools.product(range(n_groups), repeat=len(members)):
        labels_array = np.array(labels)
        if labels[0] != 0 or not _evenly_spread(labels_array, categories, n_groups):
            continue
        same = [labels[position[a]] == labels[position[b]] for a, b in together]
        split = [labels[position[a]] != labels[position[b]] for a, b in apart]
        if all(same) and all(split):
            best = max(best, diversity(features, labels_array))
    return best


def _evenly_spread(labels: np.ndarray, categories: np.ndarray, n_groups: int) -> bool:
    """Group sizes and every category's counts differ by at most one between groups."""
    columns = [np.ones(len(labels), dtype=bool)] + [categories == c for c in set(categories)]
    for column in columns:
        counts = np.bincount(labels[column], minlength=n_groups)
        if counts.max() - counts.min() > 1:
            return False
    return True


@pytest.mark.parametrize(
    ("n_people", "n_groups", "seed"),
    [(6, 2, s) for s in range(5)] + [(8, 2, s) for s in range(5)] + [(6, 3, s) for s in range(3)],
)
def test_small_cases_reach_the_brute_force_optimum(n_people, n_groups, seed):
    members = random_people(n_people, seed=100 + seed)

    proposal = form_groups(members, n_groups=n_groups, restarts=20)

    assert proposal.objective == pytest.approx(best_by_brute_force(members, n_groups))


@pytest.mark.parametrize("seed", range(5))
def test_small_cases_with_pairs_reach_the_constrained_optimum(seed):
    members = random_people(8, seed=200 + seed)
    together, apart = [(1, 2)], [(0, 3), (4, 5)]

    proposal = form_groups(
        members, n_groups=2, keep_together=together, keep_apart=apart, restarts=20
    )

    best = best_by_brute_force(members, 2, together=together, apart=apart)
    assert proposal.objective == pytest.approx(best)


def test_objective_is_the_diversity_of_the_proposed_groups():
    members = random_people(30, seed=5)
    proposal = form_groups(members, n_groups=3)
    labels = np.array([label_of(proposal)[m.key] for m in members])

    assert proposal.objective == pytest.approx(diversity(encode(members), labels))


# ---------------------------------------------------------------- determinism


def test_the_same_seed_gives_the_same_groups():
    members = random_people(60, seed=2)

    first = form_groups(members, n_groups=6, seed=42)
    second = form_groups(members, n_groups=6, seed=42)

    assert first == second


def test_different_seeds_can_give_different_groups():
    members = random_people(60, seed=2)

    proposals = {str(form_groups(members, n_groups=6, seed=seed).groups) for seed in range(5)}

    assert len(proposals) > 1


# ---------------------------------------------------------------- pair constraints


def test_siblings_kept_together_end_up_in_the_same_group():
    members = random_people(30, seed=4)
    siblings = [(0, 2), (2, 4), (1, 3), (10, 12)]

    proposal = form_groups(members, n_groups=5, keep_together=siblings)

    groups = label_of(proposal)
    assert all(groups[a] == groups[b] for a, b in siblings)
    assert spread(proposal, "group", "migrant") == [3, 3, 3, 3, 3]
    assert_valid(proposal, members, 5)


def test_people_kept_apart_never_share_a_group():
    members = random_people(30, seed=6)
    apart = [(0, 1), (0, 2), (1, 2), (3, 5), (7, 9), (9, 11), (11, 13), (20, 21)]

    proposal = form_groups(members, n_groups=3, keep_apart=apart)

    groups = label_of(proposal)
    assert all(groups[a] != groups[b] for a, b in apart)
    assert_valid(proposal, members, 3)


def test_together_and_apart_pairs_are_honoured_at_once():
    members = random_people(40, seed=8)
    together = [(0, 2), (5, 7), (21, 23)]
    apart = [(0, 5), (2, 21), (1, 3)]

    proposal = form_groups(members, n_groups=4, keep_together=together, keep_apart=apart)

    groups = label_of(proposal)
    assert all(groups[a] == groups[b] for a, b in together)
    assert all(groups[a] != groups[b] for a, b in apart)


def test_a_sibling_pair_that_breaks_the_even_spread_is_allowed_with_a_warning():
    members = crossed_people(8)  # groups of two: one migrant and one host each, unless siblings

    proposal = form_groups(members, n_groups=4, keep_together=[(100, 102)])

    assert label_of(proposal)[100] == label_of(proposal)[102]
    assert "even migrant / host spread impossible" in proposal.warnings[0]


@pytest.mark.parametrize(
    ("together", "apart", "message"),
    [
        ([], [(0, 1), (1, 2), (0, 2)], "keep-apart"),
        ([(0, 1), (1, 2), (2, 3), (3, 4)], [], "must stay together"),
        ([(0, 1), (1, 2)], [(0, 2)], "must be kept apart"),
        ([(0, 99)], [], "not listed"),
        ([], [(3, 3)], "from themself"),
    ],
)
def test_impossible_pair_constraints_are_refused_with_a_reason(together, apart, message):
    members = random_people(8, seed=0)

    with pytest.raises(GroupingError, match=message):
        form_groups(members, n_groups=2, keep_together=together, keep_apart=apart)


def test_three_couples_cannot_fill_two_groups_of_three():
    members = random_people(6, seed=0)
    couples = [(0, 1), (2, 3), (4, 5)]

    with pytest.raises(GroupingError, match="remove some pairs or make more groups"):
        form_groups(members, n_groups=2, keep_together=couples)


# ---------------------------------------------------------------- bad requests


@pytest.mark.parametrize(
    ("n_people", "options", "message"),
    [
        (0, {"n_groups": 2}, "nobody"),
        (10, {"group_size": 1}, "at least 2 people"),
        (10, {"group_size": 2, "n_groups": 5}, "exactly one"),
        (10, {}, "exactly one"),
        (10, {"n_groups": 11}, "only 10 people"),
        (10, {"n_groups": 1}, "at least 2 groups"),
        (10, {"n_groups": 6}, "alone"),
        (10, {"group_size": 6}, "fewer than 2 groups"),
        (10, {"n_groups": 2, "restarts": 0}, "Restarts"),
        (10, {"n_groups": 2, "weights": {"height": 1.0}}, "Unknown attribute"),
    ],
)
def test_a_request_that_makes_no_sense_is_refused_with_a_reason(n_people, options, message):
    members = random_people(n_people, seed=0)

    with pytest.raises(GroupingError, match=message):
        form_groups(members, **options)


def test_a_participant_listed_twice_is_refused():
    members = random_people(6, seed=0)

    with pytest.raises(GroupingError, match="listed twice"):
        form_groups([*members, members[0]], n_groups=2)


def test_grouping_errors_are_value_errors_with_a_message():
    with pytest.raises(ValueError) as raised:
        form_groups([], n_groups=2)

    assert isinstance(raised.value, GroupingError)
    assert raised.value.message == str(raised.value)


# ---------------------------------------------------------------- warnings and make-up


def test_three_migrants_in_three_groups_warns_that_each_is_alone():
    members = random_people(12, seed=9, groups=("migrant", "host", "host", "host"))

    proposal = form_groups(members, n_groups=3)

    assert proposal.warnings == [
        "Group 1 has only one migrant.",
        "Group 2 has only one migrant.",
        "Group 3 has only one migrant.",
    ]


def test_a_group_without_locals_is_flagged():
    compositions = [
        {"group": {"migrant": 3, "host": 3}},
        {"group": {"migrant": 4, "other": 2}},
    ]

    assert lopsided_warnings(compositions) == ["Group 2 has no host-community member."]


def test_no_migrant_warning_when_the_activity_has_no_migrants():
    compositions = [{"group": {"host": 4}}, {"group": {"host": 3, "other": 1}}]

    assert lopsided_warnings(compositions) == []


def test_composition_counts_each_attribute_value():
    members = crossed_people(4)

    parts = composition(members, [100, 101, 102])

    assert parts == {
        "group": {"host": 1, "migrant": 2},
        "gender": {"man": 1, "woman": 2},
        "language": {"ar": 1, "es": 1, "uk": 1},
        "age_band": {"18-29": 3},
    }


def test_diversity_sums_distances_within_each_group_only():
    features = np.array([[0.0, 0.0], [3.0, 4.0], [10.0, 0.0], [10.0, 1.0]])

    assert diversity(features, np.array([0, 0, 1, 1])) == pytest.approx(5.0 + 1.0)


def test_the_migrant_host_attribute_weighs_twice_the_others_by_default():
    members = crossed_people(4)

    features = encode(members)

    group_columns = features[:, :2]  # "host", "migrant": attributes are encoded in order
    assert np.unique(group_columns).tolist() == [0.0, 2.0]
    assert np.unique(features[:, 2:]).tolist() == [0.0, 1.0]


def test_weights_can_make_an_attribute_count_for_nothing():
    members = crossed_people(4)

    features = encode(members, weights={"gender": 0.0, "language": 0.0, "age_band": 0.0})

    assert np.count_nonzero(features) == len(members)  # only the group column remains


# ---------------------------------------------------------------- scale


def test_three_hundred_people_form_thirty_groups():
    members = random_people(300, seed=12, groups=("migrant", "host", "other", "host", "migrant"))

    started = time.perf_counter()
    proposal = form_groups(members, n_groups=30)
    print(f"300 people into 30 groups took {time.perf_counter() - started:.3f} s")

    assert_valid(proposal, members, 30)
    for category in ("migrant", "host", "other"):
        counts = spread(proposal, "group", category)
        assert max(counts) - min(counts) <= 1
