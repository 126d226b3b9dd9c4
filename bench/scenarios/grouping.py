"""Mixed-group formation: 300 participants into 30 groups (anticlustering, `activities.grouping`),
the default three restarts. Target: under 2 s."""

from __future__ import annotations

import random
from pathlib import Path

from activities.grouping import Member, form_groups
from bench.scenarios.common import Row, median_seconds

PEOPLE, GROUPS, TARGET_S = 300, 30, 2.0


def members(n: int = PEOPLE, seed: int = 3) -> list[Member]:
    rng = random.Random(seed)
    return [
        Member(
            key=i,
            group=rng.choice(["migrant", "migrant", "host", "host", "other"]),
            gender=rng.choice(["woman", "man", "non_binary"]),
            language=rng.choice(["es", "ar", "fr", "en", "uk"]),
            age_band=rng.choice(["13_17", "18_24", "25_34", "35_49", "50_64"]),
        )
        for i in range(n)
    ]


def run(_backends: list[str], _results_dir: Path) -> list[Row]:
    people = members()
    seconds = median_seconds(lambda: form_groups(people, n_groups=GROUPS), repeat=3, warmup=1)
    proposal = form_groups(people, n_groups=GROUPS)
    return [
        Row(
            f"group formation {PEOPLE} → {GROUPS} groups",
            "-",
            f"{seconds * 1000:.0f} ms",
            f"< {TARGET_S:.0f} s",
            round(seconds / TARGET_S, 2),
            seconds < TARGET_S,
            details={"groups": len(proposal.groups), "warnings": len(proposal.warnings)},
        )
    ]
