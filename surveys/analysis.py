"""Pure statistics for pre/post attitude surveys: DataFrames in, DataFrames or dataclasses out.

Every test statistic, interval and correction comes from scipy, statsmodels or pingouin; the only
arithmetic written here is bookkeeping (means of items, differences, groupby aggregates) and the
vectorised paired t-test in `change_table`, which a test checks against `scipy.stats.ttest_rel`.

Methods chosen, in one place:

* Reverse coding: ``min + max - value``. A scale score is the mean of the answered items; it is
  missing when fewer than ``min_share`` of the scale's items were answered.
* Reliability: Cronbach's alpha with Feldt's 95% interval, ``pingouin.cronbach_alpha``
  (pairwise deletion by default, as ``psych::alpha(use="pairwise")``). Alpha < 0.6 is flagged.
  Rows are dropped before pingouin sees them, so Feldt's n is the number of rows used (pingouin
  alone keeps the pre-deletion n under listwise deletion). pingouin rounds the CI to 3 decimals.
* Matching: only participant keys present, with a score, in both waves are paired; a missing key
  is never a match (pandas would otherwise join NaN to NaN).
* Paired change: ``scipy.stats.ttest_rel`` (t, df, p and the t-based interval of the mean change).
  Wilcoxon signed-rank: ``scipy.stats.wilcoxon`` with ``zero_method="wilcox"`` (zero differences
  are dropped, as R's ``wilcox.test`` and SPSS do, so analysts can reproduce the figure) and R's
  choice of method: the exact null distribution when n <= 50 with no ties and no zeros, otherwise
  the normal approximation with tie-corrected variance and continuity correction. (scipy's own
  ``method="auto"`` would run a sign-flip permutation test for n <= 13 with ties: exact, but about
  2 s per group at n = 13, too slow for a table of hundreds of activities.)
* Effect size: Cohen's d_z = mean change / SD of change. Its interval inverts the noncentral t
  distribution (Steiger & Fouladi 1997; Cumming & Finch 2001) with ``scipy.special.nctdtrinc``:
  the limits of the noncentrality parameter of the observed t, divided by sqrt(n). This is the
  method of MBESS ``conf.limits.nct`` and JASP, and is exact under normality.
* Multiplicity: Holm across the scales of one cell (an activity, or an activity x group cell),
  reported beside the raw p; computed by ``pingouin.multicomp`` because statsmodels'
  ``multipletests(method="holm")``, which gives identical values (tested), runs a full garbage
  collection on every call.
* Meta-analysis: ``statsmodels.stats.meta_analysis.combine_effects``, random effects, Paule-Mandel
  tau^2 by default (recommended over DerSimonian-Laird by Veroniki et al. 2016, Langan et al. 2019)
  and DerSimonian-Laird on request, truncated at zero as metafor does. Normal-based intervals.
  I^2 = max(0, (Q - df) / Q) (Higgins & Thompson 2002).
* Standard error of d_z in a paired design: sqrt(1/n + d^2/(2n)) (Hedges & Olkin 1985, p. 86;
  the formula pingouin's ``compute_esci(paired=True)`` uses). Used when an activity row has no se.
* Small cells: see `suppress_small_cells`.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats
from statsmodels.regression.linear_model import OLS
from statsmodels.regression.mixed_linear_model import MixedLM
from statsmodels.stats.meta_analysis import combine_effects
from statsmodels.tools.tools import add_constant

logger = logging.getLogger(__name__)

CONFIDENCE = 0.95
ALPHA_FLAG = 0.6
MIN_ACTIVITIES = 5
_FLAT = 1e-12  # relative SD below which a change is treated as constant

CHANGE_FIELDS = [
    "n",
    "mean_pre",
    "mean_post",
    "mean_change",
    "ci_low",
    "ci_high",
    "sd_change",
    "t",
    "df",
    "p",
    "wilcoxon_p",
    "d_z",
    "d_z_ci_low",
    "d_z_ci_high",
    "note",
]


def _require(df: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{what} is missing column(s): {', '.join(missing)}")


# --- scoring and reliability -------------------------------------------------------------------


def reverse_code(answers: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """Attach each answer's scale and reverse-code it (min + max - value); validate the input."""
    _require(answers, ["response_id", "item_id", "value"], "answers")
    _require(items, ["item_id", "scale_id", "min_value", "max_value", "reverse"], "items")
    if answers.duplicated(["response_id", "item_id"]).any():
        raise ValueError("answers has more than one value for the same response and item")
    meta = items[["item_id", "scale_id", "min_value", "max_value", "reverse"]]
    coded = answers.merge(meta, on="item_id", how="left", validate="many_to_one")
    unknown = coded["scale_id"].isna()
    if unknown.any():
        raise ValueError(f"{int(unknown.sum())} answer(s) refer to items not in the item table")
    value = coded["value"].astype(float)
    out_of_range = (value < coded["min_value"]) | (value > coded["max_value"])
    if out_of_range.any():
        raise ValueError(f"{int(out_of_range.sum())} answer(s) lie outside their item's range")
    flipped = coded["min_value"] + coded["max_value"] - value
    coded["value"] = value.where(~coded["reverse"].astype(bool), flipped)
    return coded.drop(columns=["min_value", "max_value", "reverse"])


def score_responses(
    answers: pd.DataFrame, items: pd.DataFrame, *, min_share: float = 0.5
) -> pd.DataFrame:
    """Score each response on each scale: mean of answered, reverse-coded items, or NaN."""
    if not 0 < min_share <= 1:
        raise ValueError("min_share must be in (0, 1]")
    coded = reverse_code(answers, items)
    k = items.groupby("scale_id")["item_id"].nunique().rename("k")
    scored = (
        coded.groupby(["response_id", "scale_id"], sort=True)["value"]
        .agg(score="mean", n_items="count")
        .reset_index()
        .merge(k, left_on="scale_id", right_index=True)
    )
    too_few = scored["n_items"] < min_share * scored["k"]
    scored["score"] = scored["score"].where(~too_few)
    return scored[["response_id", "scale_id", "score", "n_items"]].reset_index(drop=True)


@dataclass(frozen=True)
class Reliability:
    """Cronbach's alpha of one scale with its Feldt interval; flagged when alpha < 0.6."""

    alpha: float
    ci_low: float
    ci_high: float
    n: int
    k: int
    flagged: bool
    note: str = ""


def cronbach_alpha(
    wide: pd.DataFrame, *, nan_policy: str = "pairwise", confidence: float = CONFIDENCE
) -> Reliability:
    """Cronbach's alpha of a respondents x items table, via pingouin (Feldt CI)."""
    data = wide.dropna(axis=0, how="all").dropna(axis=1, how="all").astype(float)
    if nan_policy == "listwise":
        data = data.dropna(axis=0, how="any")
    n, k = data.shape
    note = _alpha_problem(data)
    if note:
        return Reliability(np.nan, np.nan, np.nan, n, k, False, note)
    import pingouin  # heavy import (matplotlib, seaborn, sklearn): load only when needed

    alpha, (low, high) = pingouin.cronbach_alpha(data=data, nan_policy=nan_policy, ci=confidence)
    alpha = float(alpha)
    return Reliability(alpha, float(low), float(high), n, k, bool(alpha < ALPHA_FLAG))


def _alpha_problem(data: pd.DataFrame) -> str:
    n, k = data.shape
    if k < 2:
        return "alpha needs at least two answered items"
    if n < 2:
        return "alpha needs at least two respondents"
    cov = data.cov()
    if cov.isna().to_numpy().any():
        return "some pairs of items were never answered together"
    if float(cov.to_numpy().sum()) <= 0:
        return "the total score does not vary"
    return ""


def reliability_table(
    answers: pd.DataFrame,
    items: pd.DataFrame,
    *,
    responses: pd.DataFrame | None = None,
    nan_policy: str = "pairwise",
) -> pd.DataFrame:
    """Cronbach's alpha per scale and wave; waves come from `responses` or an answers column."""
    coded = reverse_code(answers, items)
    if responses is not None:
        _require(responses, ["response_id", "wave"], "responses")
        coded = coded.drop(columns="wave", errors="ignore").merge(
            responses[["response_id", "wave"]], on="response_id", validate="many_to_one"
        )
    elif "wave" not in coded.columns:
        coded["wave"] = "all"
    rows = []
    for (scale_id, wave), group in coded.groupby(["scale_id", "wave"], sort=True):
        wide = group.pivot(index="response_id", columns="item_id", values="value")
        rel = cronbach_alpha(wide, nan_policy=nan_policy)
        rows.append({"scale_id": scale_id, "wave": wave, **asdict(rel)})
    columns = ["scale_id", "wave", "alpha", "ci_low", "ci_high", "n", "k", "flagged", "note"]
    return pd.DataFrame(rows, columns=columns)


# --- matching waves and attrition -------------------------------------------------------------

_SCORE_KEYS = ["participant_key", "wave", "scale_id", "score"]


def _usable(scores: pd.DataFrame) -> pd.DataFrame:
    _require(scores, _SCORE_KEYS, "scores")
    return scores.dropna(subset=["participant_key", "score"])


def match_waves(scores: pd.DataFrame, *, pre: str = "pre", post: str = "post") -> pd.DataFrame:
    """Pair each participant's pre and post score per scale; other columns come from the pre row."""
    usable = _usable(scores)
    keys = ["participant_key", "scale_id"]
    in_wave = {wave: (usable["wave"] == wave).to_numpy() for wave in (pre, post)}
    for wave, rows in in_wave.items():
        if usable.loc[rows, keys].duplicated().any():
            raise ValueError(f"a participant has more than one {wave!r} score on the same scale")
    before = usable[in_wave[pre]].drop(columns="wave").rename(columns={"score": "pre"})
    after = usable.loc[in_wave[post], [*keys, "score"]].rename(columns={"score": "post"})
    pairs = before.merge(after, on=keys, how="inner", validate="one_to_one")
    pairs["change"] = pairs["post"] - pairs["pre"]
    extras = [c for c in pairs.columns if c not in {*keys, "pre", "post", "change"}]
    return pairs[[*keys, *extras, "pre", "post", "change"]].reset_index(drop=True)


def attrition(
    scores: pd.DataFrame, *, pre: str = "pre", post: str = "post", by: Sequence[str] = ()
) -> pd.DataFrame:
    """Per scale (and cell): n pre/post/matched and baseline mean of dropouts vs stayers (Welch)."""
    usable = _usable(scores)
    keys = [*by, "scale_id"]
    before = usable[usable["wave"] == pre]
    after = usable.loc[usable["wave"] == post, ["participant_key", "scale_id"]].drop_duplicates()
    flagged = before.merge(after, on=["participant_key", "scale_id"], how="left", indicator=True)
    flagged["stayed"] = flagged["_merge"] == "both"
    rows = []
    for key, group in flagged.groupby(keys, sort=True, dropna=False):
        stayed = group.loc[group["stayed"], "score"].to_numpy(float)
        dropped = group.loc[~group["stayed"], "score"].to_numpy(float)
        rows.append(
            {
                **dict(zip(keys, key, strict=True)),
                "n_pre": len(group),
                "n_matched": len(stayed),
                "n_dropped": len(dropped),
                "mean_pre_stayed": _mean(stayed),
                "mean_pre_dropped": _mean(dropped),
                "welch_p": _welch_p(dropped, stayed),
            }
        )
    columns = [*keys, "n_pre", "n_matched", "n_dropped", "mean_pre_stayed", "mean_pre_dropped"]
    table = pd.DataFrame(rows, columns=[*columns, "welch_p"])
    n_post = usable[usable["wave"] == post].groupby(keys, dropna=False).size()
    table = table.merge(n_post.rename("n_post").reset_index(), on=keys, how="outer")
    counts = ["n_pre", "n_post", "n_matched", "n_dropped"]
    table[counts] = table[counts].fillna(0).astype(int)
    return table[[*keys, *counts, "mean_pre_stayed", "mean_pre_dropped", "welch_p"]]


def _mean(values: np.ndarray) -> float:
    return float(np.mean(values)) if len(values) else np.nan


def _welch_p(a: np.ndarray, b: np.ndarray) -> float:
    if len(a) < 2 or len(b) < 2 or (np.ptp(a) == 0 and np.ptp(b) == 0):
        return np.nan
    return float(stats.ttest_ind(a, b, equal_var=False).pvalue)


# --- paired change ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """Paired pre/post change of one scale in one group of participants."""

    n: int
    mean_pre: float
    mean_post: float
    mean_change: float
    ci_low: float
    ci_high: float
    sd_change: float
    t: float
    df: float
    p: float
    wilcoxon_p: float
    d_z: float
    d_z_ci_low: float
    d_z_ci_high: float
    note: str = ""


def dz_confidence_interval(
    t: Any, n: Any, *, confidence: float = CONFIDENCE
) -> tuple[np.ndarray, np.ndarray]:
    """Noncentral-t interval of d_z from the paired t and n (vectorised; NaN where undefined)."""
    t_arr = np.asarray(t, dtype=float)
    n_arr = np.asarray(n, dtype=float)
    ok = np.isfinite(t_arr) & (n_arr >= 2)
    t_ok = np.where(ok, t_arr, 0.0)
    df = np.where(ok, n_arr - 1, 1.0)
    tail = (1 - confidence) / 2
    low = special.nctdtrinc(df, 1 - tail, t_ok) / np.sqrt(np.where(ok, n_arr, 1.0))
    high = special.nctdtrinc(df, tail, t_ok) / np.sqrt(np.where(ok, n_arr, 1.0))
    return np.where(ok, low, np.nan), np.where(ok, high, np.nan)


def se_dz(d: Any, n: Any) -> Any:
    """Large-sample standard error of d_z, sqrt(1/n + d^2/(2n)) (Hedges & Olkin 1985, p. 86)."""
    d_arr = np.asarray(d, dtype=float)
    n_arr = np.asarray(n, dtype=float)
    return np.sqrt(1 / n_arr + d_arr**2 / (2 * n_arr))


def _wilcoxon_p(diff: np.ndarray, method: str = "auto") -> float:
    if len(diff) < 2 or not np.any(diff != 0):
        return np.nan
    if method == "auto":
        # R's rule; scipy's own "auto" runs a permutation test with ties (seconds per group)
        nonzero = np.abs(diff[diff != 0])
        exact = len(diff) <= 50 and len(nonzero) == len(diff) and _no_ties(nonzero)
        method = "exact" if exact else "asymptotic"
    result = stats.wilcoxon(diff, zero_method="wilcox", correction=True, method=method)
    return float(result.pvalue)


def _no_ties(values: np.ndarray) -> bool:
    return len(np.unique(values)) == len(values)


def _is_flat(sd: float, mean: float) -> bool:
    return bool(sd <= _FLAT * max(1.0, abs(mean)))


def paired_change(
    pre: Any, post: Any, *, confidence: float = CONFIDENCE, wilcoxon_method: str = "auto"
) -> Change:
    """Mean change with t-test, Wilcoxon and d_z (noncentral-t CI); pairs with a NaN are dropped."""
    a = np.asarray(pre, dtype=float)
    b = np.asarray(post, dtype=float)
    if a.shape != b.shape:
        raise ValueError("pre and post must have the same length")
    keep = np.isfinite(a) & np.isfinite(b)
    a, b = a[keep], b[keep]
    n = len(a)
    if n < 2:
        return _no_test(n, a, b, note="fewer than two matched pairs")
    diff = b - a
    mean_change, sd = float(np.mean(diff)), float(np.std(diff, ddof=1))
    base: dict[str, Any] = {
        "n": n,
        "mean_pre": float(np.mean(a)),
        "mean_post": float(np.mean(b)),
        "mean_change": mean_change,
        "sd_change": sd,
        "df": float(n - 1),
        "wilcoxon_p": _wilcoxon_p(diff, wilcoxon_method),
    }
    if _is_flat(sd, mean_change):
        note = "every participant changed by the same amount, so no t-test or d_z"
        return _no_test(n, a, b, note=note, sd=sd, wilcoxon_p=base["wilcoxon_p"])
    test = stats.ttest_rel(b, a)
    ci = test.confidence_interval(confidence_level=confidence)
    dz_low, dz_high = dz_confidence_interval(test.statistic, n, confidence=confidence)
    return Change(
        **base,
        ci_low=float(ci.low),
        ci_high=float(ci.high),
        t=float(test.statistic),
        p=float(test.pvalue),
        d_z=mean_change / sd,
        d_z_ci_low=float(dz_low),
        d_z_ci_high=float(dz_high),
    )


def _no_test(
    n: int,
    a: np.ndarray,
    b: np.ndarray,
    *,
    note: str,
    sd: float = np.nan,
    wilcoxon_p: float = np.nan,
) -> Change:
    nan = np.nan
    return Change(
        n=n,
        mean_pre=_mean(a),
        mean_post=_mean(b),
        mean_change=_mean(b - a),
        ci_low=nan,
        ci_high=nan,
        sd_change=sd,
        t=nan,
        df=float(n - 1) if n >= 2 else nan,
        p=nan,
        wilcoxon_p=wilcoxon_p,
        d_z=nan,
        d_z_ci_low=nan,
        d_z_ci_high=nan,
        note=note,
    )


def _number(x: float) -> str:
    return f"{x:.1f}" if abs(x) >= 1 else f"{x:.2f}"


def describe_change(
    scale_name: str, change: Change, *, higher_is_better: bool | None = True
) -> str:
    """One plain-language sentence about a Change, for dashboards and printed reports."""
    if change.n < 2 or np.isnan(change.mean_change):
        return f"{scale_name}: too few matched pre/post answers to measure change (n = {change.n})."
    size = _number(abs(change.mean_change))
    if change.mean_change == 0:
        verb = "did not change on average"
    elif higher_is_better is None:
        verb = f"{'rose' if change.mean_change > 0 else 'fell'} by {size} points"
    else:
        better = (change.mean_change > 0) == higher_is_better
        verb = f"{'improved' if better else 'worsened'} by {size} points"
    if np.isnan(change.d_z):
        return f"{scale_name} {verb} (n = {change.n}; {change.note})."
    detail = (
        f"d = {change.d_z:.2f}, 95% CI {change.d_z_ci_low:.2f} to {change.d_z_ci_high:.2f}, "
        f"n = {change.n}"
    )
    chance = "" if change.d_z_ci_low > 0 or change.d_z_ci_high < 0 else "; this could be chance"
    return f"{scale_name} {verb} ({detail}){chance}."


# --- tables of change -------------------------------------------------------------------------


def holm(p: pd.Series) -> pd.Series:
    """Holm-adjusted p-values (pingouin.multicomp), leaving NaN where the raw p is NaN."""
    # statsmodels' multipletests(method="holm") gives the same values but calls gc.collect()
    # on every call (~0.1 s): 50 s for a table of 500 activities (statsmodels PR #8671).
    from pingouin import multicomp

    adjusted = pd.Series(np.nan, index=p.index, dtype=float)
    present = p.notna()
    if present.any():
        adjusted[present] = multicomp(p[present].to_numpy(float), method="holm")[1]
    return adjusted


def change_table(
    pairs: pd.DataFrame,
    *,
    by: Sequence[str] = (),
    family: Sequence[str] | None = None,
    confidence: float = CONFIDENCE,
    wilcoxon: bool = True,
) -> pd.DataFrame:
    """Paired change per scale and cell of `by`; Holm across the scales of each `family` cell.

    The t-test is vectorised (groupby mean/SD, scipy.stats.t); it equals ttest_rel per group.
    `family` defaults to `by`: with by=["activity"] the scales of one activity are one family.
    """
    _require(pairs, [*by, "scale_id", "pre", "post"], "pairs")
    keys = [*by, "scale_id"]
    data = pairs.dropna(subset=["pre", "post"]).assign(diff=lambda d: d["post"] - d["pre"])
    grouped = data.groupby(keys, sort=True, dropna=False)
    # three grouped reductions, not five named aggregations (each a pass of pandas' machinery)
    means = grouped[["pre", "post", "diff"]].mean()
    table = pd.DataFrame(
        {
            "n": grouped.size(),
            "mean_pre": means["pre"],
            "mean_post": means["post"],
            "mean_change": means["diff"],
            "sd_change": grouped["diff"].std(),
        }
    )
    table = _add_t_columns(table, confidence)
    if wilcoxon:
        table["wilcoxon_p"] = grouped["diff"].agg(lambda d: _wilcoxon_p(d.to_numpy(float)))
    else:
        table["wilcoxon_p"] = np.nan
    table = table.reset_index()
    fam = list(by if family is None else family)
    if fam:
        table["p_holm"] = table.groupby(fam, dropna=False)["p"].transform(holm)
    else:
        table["p_holm"] = holm(table["p"])
    ordered = [*keys, *CHANGE_FIELDS[:10], "p_holm", *CHANGE_FIELDS[10:]]
    return table[ordered]


def _add_t_columns(table: pd.DataFrame, confidence: float) -> pd.DataFrame:
    n = table["n"].to_numpy(float)
    mean = table["mean_change"].to_numpy(float)
    sd = table["sd_change"].to_numpy(float)
    flat = sd <= _FLAT * np.maximum(1.0, np.abs(mean))
    ok = (n >= 2) & ~flat
    df = np.where(n >= 2, n - 1, np.nan)
    se = np.where(ok, sd / np.sqrt(n), np.nan)
    t = mean / se
    crit = stats.t.ppf(0.5 + confidence / 2, df)
    dz_low, dz_high = dz_confidence_interval(t, n, confidence=confidence)
    return table.assign(
        ci_low=mean - crit * se,
        ci_high=mean + crit * se,
        t=t,
        df=df,
        p=2 * stats.t.sf(np.abs(t), df),
        d_z=np.where(ok, mean / np.where(ok, sd, 1), np.nan),
        d_z_ci_low=dz_low,
        d_z_ci_high=dz_high,
        note=np.where(
            n < 2,
            "fewer than two matched pairs",
            np.where(flat, "every participant changed by the same amount, so no t-test or d_z", ""),
        ),
    )


# --- small-cell suppression -------------------------------------------------------------------


def suppress_small_cells(
    table: pd.DataFrame,
    *,
    count_col: str = "n",
    k: int = 5,
    value_cols: Sequence[str] | None = None,
    sets: Sequence[Sequence[str]] = ((),),
) -> pd.DataFrame:
    """Blank cells with fewer than k respondents, plus secondary suppression within each set.

    Primary rule: a row whose `count_col` is below k (or missing) has its count and values
    blanked and is marked "fewer than k".
    Secondary rule: a *set* is the rows that share the values of one entry of `sets` (the cells of
    one disaggregation, e.g. migrants / locals / other of one activity and scale, which add up to
    a total shown elsewhere); `()` makes the whole table one set. When exactly one row of a set
    is suppressed, or when the suppressed rows of a set hold fewer than k people together (two
    hidden cells of 2 and 1 would be recovered together, as 3 people, by subtraction), the
    unsuppressed row with the smallest count is suppressed too ("secondary"), so hidden cells
    cannot be recovered from the total. The rule is
    applied to every set repeatedly until no set has such a hidden remainder, so suppressions
    made for one dimension are protected in the others. Totals must be suppressed by the caller
    when the only other cell of their set is hidden: list the total row inside the set to do so.
    `value_cols` defaults to every numeric column except the count and the set columns: pass it
    explicitly when the table has other numeric key columns (an activity id, a year).
    """
    _require(table, [count_col], "table")
    set_cols = {c for cols in sets for c in cols}
    if value_cols is None:
        numeric = table.select_dtypes("number").columns
        value_cols = [c for c in numeric if c != count_col and c not in set_cols]
    counts = table[count_col].astype(float)
    primary = ~(counts >= k)
    hidden = _secondary(table, counts, primary.to_numpy(), sets, k)
    out = table.copy()
    for col in [count_col, *value_cols]:
        out[col] = out[col].where(~hidden)
    out["suppressed"] = hidden
    out["suppression"] = np.where(primary, f"fewer than {k}", np.where(hidden, "secondary", ""))
    return out


def _secondary(
    table: pd.DataFrame,
    counts: pd.Series,
    primary: np.ndarray,
    sets: Sequence[Sequence[str]],
    k: int,
) -> np.ndarray:
    hidden = primary.copy()
    order = counts.fillna(-1).to_numpy()
    size = counts.fillna(0).to_numpy()
    positions = np.arange(len(table))
    changed = True
    while changed:
        changed = False
        for cols in sets:
            labels = [table[c].to_numpy() for c in cols] or [np.zeros(len(table))]
            for found in pd.Series(positions).groupby(labels, dropna=False).indices.values():
                idx = np.asarray(found)
                gone = hidden[idx]
                exposed = gone.sum() == 1 or size[idx][gone].sum() < k
                if gone.any() and not gone.all() and exposed:
                    shown = idx[~hidden[idx]]
                    hidden[shown[np.argmin(order[shown])]] = True
                    changed = True
    return hidden


# --- dose-response, design and meta-analysis --------------------------------------------------


@dataclass(frozen=True)
class DoseResponse:
    """OLS slope of change on sessions attended."""

    slope: float
    ci_low: float
    ci_high: float
    p: float
    n: int
    intercept: float
    note: str = ""


def _ols(x: np.ndarray, y: np.ndarray, *, groups: np.ndarray | None = None) -> Any:
    model = OLS(y, add_constant(x, has_constant="add"))
    if groups is None:
        return model.fit()
    return model.fit(cov_type="cluster", cov_kwds={"groups": groups})


def dose_response(
    df: pd.DataFrame,
    *,
    outcome: str = "change",
    dose: str = "sessions_attended",
    cluster: str | None = None,
    confidence: float = CONFIDENCE,
) -> DoseResponse:
    """Slope of change per session attended (statsmodels OLS; cluster-robust SE if `cluster`)."""
    cols = [outcome, dose, *([cluster] if cluster else [])]
    _require(df, cols, "df")
    data = df[cols].dropna()
    n = len(data)
    x = data[dose].to_numpy(float)
    if n < 3 or np.ptp(x) == 0:
        note = "needs at least three participants who attended different numbers of sessions"
        return DoseResponse(np.nan, np.nan, np.nan, np.nan, n, np.nan, note)
    groups = pd.factorize(data[cluster])[0] if cluster else None
    fit = _ols(x, data[outcome].to_numpy(float), groups=groups)
    ci = np.asarray(fit.conf_int(alpha=1 - confidence))
    return DoseResponse(
        slope=float(fit.params[1]),
        ci_low=float(ci[1, 0]),
        ci_high=float(ci[1, 1]),
        p=float(fit.pvalues[1]),
        n=n,
        intercept=float(fit.params[0]),
    )


def design_vs_outcome(
    df: pd.DataFrame,
    *,
    outcome: str = "d",
    principles: Sequence[str] | None = None,
    confidence: float = CONFIDENCE,
) -> pd.DataFrame:
    """Per design principle: Pearson r (Fisher CI) and OLS slope (CI) of outcome on the score."""
    if principles is None:
        principles = [c for c in df.columns if str(c).startswith("principle_")]
    _require(df, [outcome, *principles], "df")
    rows = []
    y_all = df[outcome].to_numpy(float, na_value=np.nan)
    for principle in principles:
        x_all = df[principle].to_numpy(float, na_value=np.nan)
        both = ~np.isnan(x_all) & ~np.isnan(y_all)  # the rows `dropna` would keep
        x, y = x_all[both], y_all[both]
        row: dict[str, Any] = {"principle": principle, "n": len(x)}
        if len(x) < 4 or np.ptp(x) == 0 or np.ptp(y) == 0:
            row["note"] = "needs at least four activities with varying scores and outcomes"
        else:
            row.update(_association(x, y, confidence))
        rows.append(row)
    columns = [
        "principle",
        "n",
        "r",
        "r_ci_low",
        "r_ci_high",
        "p",
        "slope",
        "slope_ci_low",
        "slope_ci_high",
        "note",
    ]
    return pd.DataFrame(rows).reindex(columns=columns).fillna({"note": ""})


def _association(x: np.ndarray, y: np.ndarray, confidence: float) -> dict[str, Any]:
    corr = stats.pearsonr(x, y)
    r_ci = corr.confidence_interval(confidence_level=confidence)
    fit = _ols(x, y)
    slope_ci = np.asarray(fit.conf_int(alpha=1 - confidence))[1]
    return {
        "r": float(corr.statistic),
        "r_ci_low": float(r_ci.low),
        "r_ci_high": float(r_ci.high),
        "p": float(corr.pvalue),
        "slope": float(fit.params[1]),
        "slope_ci_low": float(slope_ci[0]),
        "slope_ci_high": float(slope_ci[1]),
        "note": "",
    }


@dataclass(frozen=True)
class Meta:
    """Random-effects pooled effect across activities, with per-activity rows for a forest plot."""

    estimate: float
    ci_low: float
    ci_high: float
    se: float
    p: float
    tau2: float
    i2: float
    q: float
    q_p: float
    k: int
    method: str
    studies: pd.DataFrame = field(repr=False, compare=False)
    note: str = ""


def meta_analysis(
    effects: pd.DataFrame,
    *,
    effect_col: str = "d",
    label_col: str = "activity",
    method: str = "pm",
    confidence: float = CONFIDENCE,
) -> Meta:
    """Pool per-activity effects (random effects, statsmodels combine_effects).

    Sampling variance comes from a `var` column, else `se`, else `se_dz(d, n)`.
    `method` is "pm" (Paule-Mandel, default) or "dl" (DerSimonian-Laird, truncated at 0).
    """
    if method not in {"pm", "dl"}:
        raise ValueError('method must be "pm" or "dl"')
    data = _with_variance(effects, effect_col, label_col)
    k = len(data)
    y, v = data[effect_col].to_numpy(float), data["var"].to_numpy(float)
    studies = pd.DataFrame({label_col: data[label_col].to_numpy(), effect_col: y, "se": np.sqrt(v)})
    if "n" in data.columns:
        studies["n"] = data["n"].to_numpy()
    low, high = stats.norm.interval(confidence, loc=y, scale=np.sqrt(v))
    studies["ci_low"], studies["ci_high"] = low, high
    if k < 2:
        studies["weight"] = 1.0 if k else np.nan
        return _no_pooling(k, method, studies)
    with np.errstate(invalid="ignore"):  # sqrt of a negative DL tau^2 fit, replaced below
        res = combine_effects(y, v, method_re=method, row_names=list(studies[label_col]))
    return _meta_result(res, studies, method, confidence)


def _no_pooling(k: int, method: str, studies: pd.DataFrame) -> Meta:
    nan = np.nan
    return Meta(
        estimate=nan,
        ci_low=nan,
        ci_high=nan,
        se=nan,
        p=nan,
        tau2=nan,
        i2=nan,
        q=nan,
        q_p=nan,
        k=k,
        method=method,
        studies=studies,
        note="pooling needs at least two activities",
    )


def _with_variance(effects: pd.DataFrame, effect_col: str, label_col: str) -> pd.DataFrame:
    _require(effects, [label_col, effect_col], "effects")
    data = effects.copy()
    if "var" not in data.columns:
        if "se" in data.columns:
            data["var"] = data["se"].astype(float) ** 2
        elif "n" in data.columns:
            data["var"] = se_dz(data[effect_col], data["n"]) ** 2
        else:
            raise ValueError("effects needs a var, se or n column")
    data = data.dropna(subset=[effect_col, "var"])
    return data[data["var"] > 0].reset_index(drop=True)


def _meta_result(res: Any, studies: pd.DataFrame, method: str, confidence: float) -> Meta:
    # statsmodels' DL does not truncate tau^2 at 0; with tau^2 = 0 random effects equal fixed.
    truncated = bool(res.tau2 <= 0)
    estimate = res.mean_effect_fe if truncated else res.mean_effect_re
    se = res.sd_eff_w_fe if truncated else res.sd_eff_w_re
    weights = res.weights_rel_fe if truncated else res.weights_rel_re
    low, high = stats.norm.interval(confidence, loc=estimate, scale=se)
    homogeneity = res.test_homogeneity()
    studies = studies.assign(weight=np.asarray(weights, dtype=float))
    return Meta(
        estimate=float(estimate),
        ci_low=float(low),
        ci_high=float(high),
        se=float(se),
        p=float(2 * stats.norm.sf(abs(estimate / se))),
        tau2=max(0.0, float(res.tau2)),
        i2=max(0.0, float(res.i2)),
        q=float(res.q),
        q_p=float(homogeneity.pvalue),
        k=int(res.k),
        method=method,
        studies=studies,
    )


# --- multilevel model -------------------------------------------------------------------------


@dataclass(frozen=True)
class MixedResult:
    """Mean change from a random-intercept-per-activity model (statsmodels MixedLM, REML)."""

    estimate: float
    ci_low: float
    ci_high: float
    se: float
    p: float
    n_obs: int
    n_participants: int
    n_activities: int
    activity_variance: float  # between-activity variance of change
    residual_variance: float  # within-activity variance of change
    icc: float  # share of the variance of change that lies between activities
    converged: bool
    formula: str


def _mixed_data(df: pd.DataFrame, pre: str, post: str) -> tuple[pd.DataFrame, str]:
    if "change" in df.columns:
        _require(df, ["participant", "activity", "change"], "df")
        return df[["participant", "activity", "change"]].dropna().reset_index(
            drop=True
        ), "change ~ 1"
    _require(df, ["participant", "activity", "wave", "score"], "df")
    data = df.loc[df["wave"].isin([pre, post]), ["participant", "activity", "wave", "score"]]
    data = data.dropna().assign(post=lambda d: (d["wave"] == post).astype(float))
    # statsmodels aligns the formula's design matrices on the index: it must be unique
    return data.reset_index(drop=True), "score ~ post"


def mixed_model_skip_reason(
    df: pd.DataFrame, *, min_activities: int = MIN_ACTIVITIES, pre: str = "pre", post: str = "post"
) -> str | None:
    """Why `mixed_model` would not fit this data, or None when it can be tried."""
    data, _ = _mixed_data(df, pre, post)
    n_activities = data["activity"].nunique()
    if n_activities < min_activities:
        return (
            f"only {n_activities} activit{'y' if n_activities == 1 else 'ies'} with data; "
            f"a between-activity variance needs at least {min_activities}"
        )
    if "post" in data.columns and data["post"].nunique() < 2:
        return "both waves are needed"
    return None


def mixed_model(
    df: pd.DataFrame,
    *,
    min_activities: int = MIN_ACTIVITIES,
    pre: str = "pre",
    post: str = "post",
    confidence: float = CONFIDENCE,
) -> MixedResult | None:
    """Mean change with activities as random effects (statsmodels MixedLM, REML).

    With a `change` column: `change ~ 1`, random intercept per activity (one row per participant).
    With `wave` and `score`: `score ~ post` with a random intercept and random `post` slope per
    activity and a participant variance component, so participants seen in one wave still count;
    the slope variance is then the between-activity variance of change. Returns None when
    `mixed_model_skip_reason` gives a reason or the fit fails (both logged).
    """
    reason = mixed_model_skip_reason(df, min_activities=min_activities, pre=pre, post=post)
    if reason:
        logger.info("mixed model not fitted: %s", reason)
        return None
    data, formula = _mixed_data(df, pre, post)
    long = formula.startswith("score")
    options: dict[str, Any] = {"groups": "activity"}
    if long:
        options.update(re_formula="~post", vc_formula={"participant": "0 + C(participant)"})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence is reported through `converged`
            fit = MixedLM.from_formula(formula, data, **options).fit(reml=True)
    except (np.linalg.LinAlgError, ValueError) as exc:
        logger.info("mixed model not fitted: %s", exc)
        return None
    return _mixed_result(fit, data, formula, confidence)


def _mixed_result(fit: Any, data: pd.DataFrame, formula: str, confidence: float) -> MixedResult:
    long = formula.startswith("score")
    name = "post" if long else "Intercept"
    ci = fit.conf_int(alpha=1 - confidence).loc[name]
    cov_re = np.asarray(fit.cov_re)
    between = float(cov_re[-1, -1])
    # a change is the difference of two observations, so its residual variance is twice the scale
    residual = float(fit.scale) * (2 if long else 1)
    return MixedResult(
        estimate=float(fit.fe_params[name]),
        ci_low=float(ci.iloc[0]),
        ci_high=float(ci.iloc[1]),
        se=float(fit.bse_fe[name]),
        p=float(fit.pvalues[name]),
        n_obs=len(data),
        n_participants=int(data["participant"].nunique()),
        n_activities=int(data["activity"].nunique()),
        activity_variance=between,
        residual_variance=residual,
        icc=between / (between + residual),
        converged=bool(fit.converged),
        formula=formula,
    )


def describe_mixed(
    result: MixedResult | None, *, scale_name: str = "The score", reason: str | None = None
) -> str:
    """One plain-language sentence about a MixedResult, or why there is none."""
    if result is None:
        return f"No multilevel estimate: {reason or 'the model could not be fitted'}."
    share = f"{100 * result.icc:.0f}%"
    caveat = "" if result.converged else " (the model did not fully converge; treat with care)"
    return (
        f"{scale_name} changed by {_number(result.estimate)} points on average across "
        f"{result.n_activities} activities and {result.n_participants} participants "
        f"(95% CI {_number(result.ci_low)} to {_number(result.ci_high)}); differences between "
        f"activities account for {share} of the variation in change{caveat}."
    )
