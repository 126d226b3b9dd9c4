"""Outcome results assembled from `surveys.analysis`: DataFrames in, dataclasses of DataFrames out.

Pure (no database, no request). Every statistic is a call into `surveys.analysis`; this module only
selects, joins, orders and suppresses.

Small cells (`K_MIN`, the `k` argument):

* Organizer views: in a disaggregation (group, age band, gender, language) a cell with fewer than k
  pairs is hidden, and when it is the only hidden cell of its dimension and scale the smallest other
  cell is hidden too (secondary), so it cannot be recovered by subtracting from the total shown in
  the main table (`analysis.suppress_small_cells`).
* Government views are built from *atomic* cells so that no published figure, and no difference of
  two figures obtained with different filters, reveals a group under k: an activity with fewer than
  k pairs contributes to nothing (it is listed as "fewer than k"); inside a shown activity, a
  disaggregation cell under k is withheld together with its secondary partner, and territory cells
  add up only the cells that could be shown. Totals are therefore sums of cells that each hold at
  least k people, and a cell missing from a total always hides at least two groups.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from surveys import analysis, instruments
from surveys.analysis import DoseResponse, Meta, MixedResult
from surveys.instruments import COHESION_ITEMS
from surveys.scoring import COHESION

DIMENSIONS = ("group", "age_band", "gender", "language")
WITHHELD = "withheld"  # a government cell whose every activity-level part was too small to show
PRINCIPLE_COLUMNS = [f"principle_{n}" for n in range(1, 8)]
STAT_COLUMNS = [
    "mean_pre",
    "mean_post",
    "mean_change",
    "ci_low",
    "ci_high",
    "sd_change",
    "t",
    "df",
    "p",
    "p_holm",
    "wilcoxon_p",
    "d_z",
    "d_z_ci_low",
    "d_z_ci_high",
]
WILCOXON_METHOD = (
    "Wilcoxon signed-rank test, two-sided: pairs with no change are dropped before ranking "
    "(Wilcoxon's zero method, as R's wilcox.test and SPSS); exact p-value when there are at most "
    "50 pairs and no ties or zeros, otherwise the normal approximation with tie-corrected variance "
    "and continuity correction."
)


def scale_order(scale_ids: Sequence[str]) -> list[str]:
    """The cohesion index first, then bank scales in bank order, then the organizer's own."""
    present = set(scale_ids)
    bank = [s for s in instruments.bank() if s in present]
    rest = sorted(present - set(bank) - {COHESION})
    return ([COHESION] if COHESION in present else []) + bank + rest


def higher_is_better(scale_id: str) -> bool | None:
    """Whether a rise is good for intergroup relations; None when unknown (own questions)."""
    if scale_id == COHESION:
        return True
    scale = instruments.bank().get(scale_id)
    return None if scale is None else scale.higher_is_better


def _ordered(table: pd.DataFrame, keys: Sequence[str] = ()) -> pd.DataFrame:
    if table.empty:
        return table.reset_index(drop=True)
    rank = {s: i for i, s in enumerate(scale_order(list(table["scale_id"].unique())))}
    ordered = table.assign(_rank=table["scale_id"].map(rank))
    return ordered.sort_values([*keys, "_rank"]).drop(columns="_rank").reset_index(drop=True)


def change_of(
    pairs: pd.DataFrame, by: Sequence[str] = (), *, wilcoxon: bool = True
) -> pd.DataFrame:
    """`analysis.change_table`, with Holm across the scales of each cell of `by`.

    When the pairs hold one scale, each cell's family is that one test, whose Holm-adjusted p is
    its p: the table is then computed with a single family (one vectorised call instead of one
    call per cell, which dominated the time of tables with hundreds of cells) and p_holm = p.
    """
    if pairs["scale_id"].nunique() > 1:
        return analysis.change_table(pairs, by=by, wilcoxon=wilcoxon)
    table = analysis.change_table(pairs, by=by, family=[], wilcoxon=wilcoxon)
    return table.assign(p_holm=table["p"])


# --- one activity --------------------------------------------------------------------------------


@dataclass
class ActivityReport:
    """Everything the outcome page of one activity shows."""

    state: str  # "no_answers", "no_post", "no_matches" or "ready"
    counts: dict[str, int]
    attrition: pd.DataFrame
    change: pd.DataFrame
    reliability: pd.DataFrame
    means: pd.DataFrame
    pairs: pd.DataFrame
    by_group: pd.DataFrame
    scores: pd.DataFrame = field(default_factory=pd.DataFrame)
    dose: DoseResponse | None = None
    dose_scale: str | None = None
    dose_points: pd.DataFrame = field(default_factory=pd.DataFrame)
    scales: list[str] = field(default_factory=list)


def _state(n_pre: int, n_post: int, n_matched: int) -> str:
    if n_pre == 0 and n_post == 0:
        return "no_answers"
    if n_post == 0:
        return "no_post"
    return "ready" if n_matched else "no_matches"


def _people(scores: pd.DataFrame, wave: str) -> int:
    usable = scores.dropna(subset=["participant_key", "score"])
    return int(usable.loc[usable["wave"] == wave, "participant_key"].nunique())


def activity_report(
    scores: pd.DataFrame,
    *,
    enrolled: int,
    k: int,
    answers: pd.DataFrame | None = None,
    items: pd.DataFrame | None = None,
    doses: dict[int, int] | None = None,
) -> ActivityReport:
    """Attrition, change per scale (Holm across scales), reliability, groups and dose-response."""
    pairs = analysis.match_waves(scores)
    counts = {
        "enrolled": enrolled,
        "pre": _people(scores, "pre"),
        "post": _people(scores, "post"),
        "matched": int(pairs["participant_key"].nunique()),
    }
    reliability = reliability_of(answers, items)
    change = _ordered(_with_alpha(analysis.change_table(pairs), reliability))
    dose_scale = _dose_scale(pairs)
    dose, points = dose_of(pairs, doses, dose_scale)
    return ActivityReport(
        state=_state(counts["pre"], counts["post"], counts["matched"]),
        counts=counts,
        attrition=_ordered(analysis.attrition(scores)),
        change=change,
        reliability=reliability,
        means=wave_means(pairs),
        pairs=pairs,
        by_group=by_group(pairs, k=k),
        scores=scores,
        dose=dose,
        dose_scale=dose_scale,
        dose_points=points,
        scales=scale_order(list(scores["scale_id"].unique())),
    )


def _with_alpha(change: pd.DataFrame, reliability: pd.DataFrame) -> pd.DataFrame:
    for wave in ("pre", "post"):
        alpha = reliability.loc[reliability["wave"] == wave, ["scale_id", "alpha"]]
        change = change.merge(alpha.rename(columns={"alpha": f"alpha_{wave}"}), how="left")
    return change


def wave_means(pairs: pd.DataFrame, *, confidence: float = analysis.CONFIDENCE) -> pd.DataFrame:
    """Mean pre and post score of the matched pairs per scale, with the t-interval of each mean."""
    long = pairs.melt(id_vars=["scale_id"], value_vars=["pre", "post"], var_name="wave")
    grouped = long.groupby(["scale_id", "wave"], sort=False)["value"]
    table = grouped.agg(n="count", mean="mean", sem="sem").reset_index()
    ok = table["n"] >= 2
    df = np.where(ok, table["n"] - 1, 1)
    low, high = stats.t.interval(confidence, df, loc=table["mean"], scale=table["sem"])
    table["ci_low"] = np.where(ok, low, np.nan)
    table["ci_high"] = np.where(ok, high, np.nan)
    columns = ["scale_id", "wave", "n", "mean", "ci_low", "ci_high"]
    ordered = _ordered(table[columns].assign(_w=table["wave"].map({"pre": 0, "post": 1})), ["_w"])
    return ordered.drop(columns="_w")


# --- reliability ---------------------------------------------------------------------------------

_RELIABILITY_COLUMNS = [
    "scale_id",
    "wave",
    "alpha",
    "ci_low",
    "ci_high",
    "n",
    "k",
    "flagged",
    "note",
]


def _favourable(answers: pd.DataFrame, items: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cohesion items rescaled to 0-1 with 1 the cohesive end (as the index itself is built)."""
    meta = items[items["item_id"].isin(COHESION_ITEMS)]
    coded = answers.merge(meta, on="item_id")
    share = (coded["value"] - coded["min_value"]) / (coded["max_value"] - coded["min_value"])
    better = coded["scale_id"].map(lambda s: higher_is_better(s) is not False)
    flip = coded["reverse"].astype(bool) != ~better.astype(bool)
    coded["value"] = share.where(~flip, 1 - share)
    cohesion_items = meta.assign(scale_id=COHESION, min_value=0, max_value=1, reverse=False)
    return coded[["response_id", "item_id", "value", "wave"]], cohesion_items


def reliability_of(answers: pd.DataFrame | None, items: pd.DataFrame | None) -> pd.DataFrame:
    """Cronbach's alpha (Feldt CI) per scale and wave, and for the cohesion index."""
    if answers is None or items is None or answers.empty or items.empty:
        return pd.DataFrame(columns=_RELIABILITY_COLUMNS)
    known = answers[answers["item_id"].isin(items["item_id"])]
    tables = [analysis.reliability_table(known, items)]
    cohesion_answers, cohesion_items = _favourable(known, items)
    if not cohesion_answers.empty:
        tables.append(analysis.reliability_table(cohesion_answers, cohesion_items))
    table = pd.concat(tables, ignore_index=True)
    order = {"pre": 0, "post": 1}
    return _ordered(table.assign(_w=table["wave"].map(order)), ["_w"]).drop(columns="_w")


# --- disaggregation and suppression --------------------------------------------------------------


_STACKED = ("activity_id", "scale_id", "pre", "post")  # what the cells of a dimension need


def _stacked(pairs: pd.DataFrame) -> pd.DataFrame:
    """The pairs once per dimension, with `dimension` and its `value` (as text) as columns; only
    the columns the change tables use are copied four times."""
    if not len(pairs):
        return pairs.assign(dimension="", value="")
    narrow = pairs[[c for c in _STACKED if c in pairs.columns]]
    parts = [narrow.assign(dimension=dim, value=pairs[dim].astype(str)) for dim in DIMENSIONS]
    return pd.concat(parts, ignore_index=True)


def _cells(stacked: pd.DataFrame, *, wilcoxon: bool = True) -> pd.DataFrame:
    """change_table per dimension value of `_stacked` pairs (one call for all dimensions), Holm
    across its scales."""
    columns = ["dimension", "value", "scale_id", "n", *STAT_COLUMNS, "note"]
    if stacked.empty:
        return pd.DataFrame(columns=columns)
    return change_of(stacked, by=["dimension", "value"], wilcoxon=wilcoxon)[columns]


def suppress(table: pd.DataFrame, *, k: int, sets: Sequence[Sequence[str]]) -> pd.DataFrame:
    """`analysis.suppress_small_cells` on the statistics columns of a change table."""
    values = [c for c in STAT_COLUMNS if c in table.columns]
    return analysis.suppress_small_cells(table, count_col="n", k=k, value_cols=values, sets=sets)


def by_group(pairs: pd.DataFrame, *, k: int) -> pd.DataFrame:
    """Change per scale within each group, age band, gender and language; small cells hidden."""
    cells = _cells(_stacked(pairs), wilcoxon=False)
    if cells.empty:
        return cells.assign(suppressed=pd.Series(dtype=bool), suppression="")
    hidden = suppress(cells, k=k, sets=[("dimension", "scale_id")])
    return _ordered(hidden, ["dimension", "value"])


def _atom_counts(pairs: pd.DataFrame) -> pd.DataFrame:
    """Pairs per activity, dimension value and scale (only counts decide suppression)."""
    tables = []
    for dim in DIMENSIONS:
        counts = pairs.groupby(["activity_id", dim, "scale_id"], dropna=False).size()
        table = counts.rename("n").reset_index().rename(columns={dim: "value"})
        tables.append(table.assign(dimension=dim, value=table["value"].astype(str)))
    columns = ["dimension", "value", "activity_id", "scale_id", "n"]
    return pd.concat(tables, ignore_index=True)[columns] if len(pairs) else pd.DataFrame()


def atomic_by_group(pairs: pd.DataFrame, *, k: int) -> pd.DataFrame:
    """Government disaggregation: cells added up from activity-level cells that could be shown."""
    atoms = _atom_counts(pairs)
    if atoms.empty:
        return by_group(pairs.iloc[0:0], k=k)
    atoms = analysis.suppress_small_cells(
        atoms, k=k, value_cols=[], sets=[("dimension", "activity_id", "scale_id")]
    )
    kept = atoms.loc[~atoms["suppressed"], ["dimension", "value", "activity_id", "scale_id"]]
    chosen = _stacked(pairs).merge(kept)
    cells = _cells(chosen, wilcoxon=False)
    # every cell already holds >= k people; suppressing again is a safety net, not a rule change
    shown = suppress(cells, k=k, sets=[("dimension", "scale_id")])
    keys = ["dimension", "value", "scale_id"]
    absent = atoms[keys].drop_duplicates().merge(shown[keys], how="left", indicator=True)
    withheld = absent[absent["_merge"] == "left_only"][keys].assign(
        suppressed=True, suppression=WITHHELD
    )
    table = pd.concat([shown, withheld], ignore_index=True) if len(withheld) else shown
    return _ordered(table, ["dimension", "value"])


# --- dose-response -------------------------------------------------------------------------------


def _dose_scale(pairs: pd.DataFrame) -> str | None:
    scales = scale_order(list(pairs["scale_id"].unique()))
    return scales[0] if scales else None


def dose_of(
    pairs: pd.DataFrame, doses: dict[int, int] | None, scale: str | None
) -> tuple[DoseResponse | None, pd.DataFrame]:
    """Change on `scale` against sessions attended (named participants only)."""
    empty = pd.DataFrame(columns=["sessions_attended", "change"])
    if scale is None or not doses or "participant_id" not in pairs.columns:
        return None, empty
    chosen = pairs[(pairs["scale_id"] == scale) & pairs["participant_id"].notna()]
    ids = chosen["participant_id"].astype("int64")
    points = pd.DataFrame(
        {"sessions_attended": ids.map(doses).to_numpy(float), "change": chosen["change"].to_numpy()}
    ).dropna()
    return analysis.dose_response(points), points


# --- across activities ---------------------------------------------------------------------------


@dataclass
class AcrossReport:
    """Outcomes across activities (an organization's, or a territory's shared ones)."""

    scale: str
    government: bool
    k: int
    per_activity: pd.DataFrame
    total: pd.DataFrame
    funnel: dict[str, int]
    meta: Meta
    design: pd.DataFrame
    mixed: MixedResult | None
    mixed_reason: str | None
    by_group: pd.DataFrame
    over_time: pd.DataFrame
    mixed_computed: bool = True  # False: fitted on request (`mixed_of`), it is the slow part

    @property
    def shown(self) -> pd.DataFrame:
        """The activities whose figures are shown (all with pairs, for an organizer)."""
        rows = self.per_activity
        return rows[~rows["suppressed"] & (rows["n"].fillna(0) > 0)]


def design_at_post(assessments: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """Per activity, the assessment current when the post wave closed (else the latest one)."""
    columns = ["activity_id", "design_overall", *PRINCIPLE_COLUMNS]
    if assessments.empty:
        return pd.DataFrame(columns=columns)
    data = assessments.merge(facts[["activity_id", "post_closes_on"]], on="activity_id", how="left")
    created = pd.to_datetime(data["created_at"], utc=True).dt.tz_localize(None)
    closes = pd.to_datetime(data["post_closes_on"], errors="coerce")
    data["before"] = (created < closes + timedelta(days=1)).fillna(False).astype(bool)
    data["created"] = created
    latest = data.sort_values(["activity_id", "before", "created"]).groupby("activity_id").tail(1)
    principles = pd.DataFrame(
        [
            {f"principle_{n}": (s or {}).get(str(n)) for n in range(1, 8)}
            for s in latest["scores"].tolist()
        ],
        index=latest.index,
    )
    result = pd.concat([latest[["activity_id", "overall"]], principles], axis=1)
    return result.rename(columns={"overall": "design_overall"})[columns].reset_index(drop=True)


def _per_activity(
    pairs: pd.DataFrame, facts: pd.DataFrame, designs: pd.DataFrame, k: int, government: bool
) -> pd.DataFrame:
    table = change_of(pairs, by=["activity_id"], wilcoxon=False)
    rows = facts.merge(table.drop(columns="scale_id"), on="activity_id", how="left")
    rows = rows.merge(designs, on="activity_id", how="left")
    rows["n"] = rows["n"].fillna(0).astype(int)
    if government:
        # an activity under k contributes to nothing, so no total needs secondary suppression
        return suppress(rows, k=k, sets=())
    return rows.assign(suppressed=False, suppression="")


def _funnel(
    counts: pd.DataFrame, scale: str, ids: Sequence[int], pairs: pd.DataFrame
) -> dict[str, int]:
    chosen = counts[(counts["scale_id"] == scale) & counts["activity_id"].isin(ids)]
    n = chosen.groupby("wave")["n"].sum()
    return {
        "activities": len(ids),
        "pre": int(n.get("pre", 0)),
        "post": int(n.get("post", 0)),
        "matched": int(pairs["participant_key"].nunique()),
    }


def over_time(
    counts: pd.DataFrame, facts: pd.DataFrame, ids: Sequence[int], *, k: int, government: bool
) -> pd.DataFrame:
    """Mean cohesion index per quarter (of the wave's closing date) at pre and at post."""
    columns = ["period", "wave", "n", "mean", "suppressed", "suppression"]
    units = counts[(counts["scale_id"] == COHESION) & counts["activity_id"].isin(ids)]
    if government:
        units = units[units["n"] >= k]
    dates = facts.melt(
        id_vars="activity_id", value_vars=["pre_closes_on", "post_closes_on"], value_name="day"
    )
    dates["wave"] = dates["variable"].str.removesuffix("_closes_on")
    units = units.merge(dates[["activity_id", "wave", "day"]], on=["activity_id", "wave"])
    units = units.dropna(subset=["day"])
    if units.empty:
        return pd.DataFrame(columns=columns)
    units = units.assign(
        period=pd.to_datetime(units["day"]).dt.to_period("Q").astype(str),
        total=units["n"] * units["mean"],
    )
    table = units.groupby(["period", "wave"], as_index=False)[["n", "total"]].sum()
    table["mean"] = table["total"] / table["n"]
    table = table.sort_values(["period", "wave"], ascending=[True, False])
    table = table.drop(columns="total").reset_index(drop=True)
    if government:
        hidden = analysis.suppress_small_cells(table, k=k, value_cols=["mean"], sets=[("wave",)])
        return hidden[columns]
    return table.assign(suppressed=False, suppression="")[columns]


NOT_REQUESTED = "not requested"


def _shown_pairs(scores: pd.DataFrame, scale: str, k: int, government: bool) -> pd.DataFrame:
    pairs = analysis.match_waves(scores[scores["scale_id"] == scale])
    if not government:
        return pairs
    sizes = pairs.groupby("activity_id")["participant_key"].transform("size")
    return pairs[sizes >= k]


def mixed_of(
    scores: pd.DataFrame, *, scale: str, k: int, government: bool
) -> tuple[MixedResult | None, str | None, int]:
    """The multilevel model alone, on the pairs `across_activities` uses; and its activities."""
    pairs = _shown_pairs(scores, scale, k, government)
    mixed, reason = _mixed(pairs)
    return mixed, reason, int(pairs["activity_id"].nunique())


def _mixed(pairs: pd.DataFrame) -> tuple[MixedResult | None, str | None]:
    data = pairs.rename(columns={"participant_key": "participant", "activity_id": "activity"})
    data = data[["participant", "activity", "change"]]
    reason = analysis.mixed_model_skip_reason(data)
    if reason:
        return None, reason
    result = analysis.mixed_model(data)
    return result, None if result else "the model could not be fitted"


def across_activities(
    scores: pd.DataFrame,
    facts: pd.DataFrame,
    assessments: pd.DataFrame,
    counts: pd.DataFrame,
    *,
    scale: str,
    k: int,
    government: bool,
    mixed: bool = True,
) -> AcrossReport:
    """Per-activity change on one scale, pooled (random effects), against design, by group.

    ``mixed=False`` leaves out the multilevel model (the slowest part by far over hundreds of
    activities); pages fetch it afterwards with `mixed_of`.
    """
    all_pairs = analysis.match_waves(scores[scores["scale_id"] == scale])
    designs = design_at_post(assessments, facts)
    rows = _per_activity(all_pairs, facts, designs, k, government)
    shown = rows[~rows["suppressed"] & (rows["n"] > 0)]
    ids = [int(i) for i in shown["activity_id"]]
    pairs = all_pairs[all_pairs["activity_id"].isin(ids)]
    effects = shown.dropna(subset=["d_z"]).rename(columns={"title": "activity"})
    fit, reason = _mixed(pairs) if mixed else (None, NOT_REQUESTED)
    # only the activities shown count: pooling hidden ones would let a filter change expose them
    total = change_of(pairs)
    return AcrossReport(
        scale=scale,
        government=government,
        k=k,
        per_activity=rows,
        total=suppress(total, k=k, sets=()) if government else total.assign(suppressed=False),
        funnel=_funnel(counts, scale, ids, pairs),
        meta=analysis.meta_analysis(effects[["activity", "d_z", "n"]], effect_col="d_z"),
        design=analysis.design_vs_outcome(
            effects[["d_z", *PRINCIPLE_COLUMNS]].astype(float), outcome="d_z"
        ),
        mixed=fit,
        mixed_reason=reason,
        mixed_computed=mixed,
        by_group=atomic_by_group(pairs, k=k) if government else by_group(pairs, k=k),
        over_time=over_time(counts, facts, ids, k=k, government=government),
    )


# --- tables for exports and the API --------------------------------------------------------------


def clean(value: Any) -> Any:
    """A JSON- and spreadsheet-friendly scalar: NaN and NA become None, numpy types plain."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        return clean(value.item())
    return value


def records(table: pd.DataFrame, columns: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Rows as dicts of clean scalars (the chosen columns, in order)."""
    chosen = table[list(columns)] if columns is not None else table
    return [{str(k): clean(v) for k, v in row.items()} for row in chosen.to_dict("records")]
