"""Tests for surveys.analysis against published values wherever one exists.

References used below:
* Student's sleep data (Cushny & Peebles 1905), R `datasets::sleep`; R's output for
  `t.test(extra ~ group, data = sleep, paired = TRUE)`: t = -4.0621, df = 9, p = 0.002833,
  95% CI -2.4598858 to -0.7001142, mean difference -1.58 (signs flip for post - pre);
  `wilcox.test(..., paired = TRUE)` (normal approximation, continuity correction): p = 0.009091;
  Welch `t.test(extra ~ group, data = sleep)`: t = -1.8608, df = 17.776, p = 0.07939.
* scipy.stats.wilcoxon documentation: Fisher's 15 height differences, exact p = 0.041259765625.
* MBESS `conf.limits.nct(1.5, 98, .95)`: noncentrality limits -0.474934 and 3.467371 (quoted in
  statsmodels' test_effectsize.py).
* pingouin.cronbach_alpha documentation (checked there against R psych::alpha): the
  `cronbach_wide_missing` data give alpha 0.732660835214447, CI [0.435, 0.909] with pairwise
  deletion and 0.8016949152542373, CI [0.581, 0.933] with listwise deletion.
* Anscombe (1973), data set I: slope 0.5001, intercept 3.0001, r = 0.816, p = 0.00217; R's
  `confint(lm(y1 ~ x1, anscombe))` gives 0.2334 to 0.7668 for the slope.
* BCG vaccine trials, metafor `dat.bcg` (Colditz et al. 1994; Viechtbauer 2010): log risk ratios
  (first trial yi = -0.8893, vi = 0.3256); `rma(measure="RR", method="DL")`: estimate -0.7141,
  se 0.1787, 95% CI -1.0644 to -0.3638, tau^2 = 0.3088, I^2 = 92.12%, Q(12) = 152.2330.
"""

import io

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.formula.api import ols
from statsmodels.stats.anova import anova_lm
from statsmodels.stats.meta_analysis import effectsize_2proportions
from statsmodels.stats.multitest import multipletests

from surveys.analysis import (
    Change,
    attrition,
    change_table,
    cronbach_alpha,
    describe_change,
    describe_mixed,
    design_vs_outcome,
    dose_response,
    dz_confidence_interval,
    holm,
    match_waves,
    meta_analysis,
    mixed_model,
    mixed_model_skip_reason,
    paired_change,
    reliability_table,
    score_responses,
    se_dz,
    suppress_small_cells,
)

SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
ANSCOMBE_X = [10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5]
ANSCOMBE_Y1 = [8.04, 6.95, 7.58, 8.81, 8.33, 9.96, 7.24, 4.26, 10.84, 4.82, 5.68]


# --- scoring ---------------------------------------------------------------------------------


@pytest.fixture
def items() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "item_id": ["trust1", "trust2", "trust3", "anx1", "anx2"],
            "scale_id": ["trust", "trust", "trust", "anxiety", "anxiety"],
            "min_value": [1, 1, 1, 0, 0],
            "max_value": [5, 5, 5, 10, 10],
            "reverse": [False, True, False, False, True],
        }
    )


def answers_of(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["response_id", "item_id", "value"])


def test_scores_are_means_of_reverse_coded_items(items):
    answers = answers_of(
        [("r1", "trust1", 5), ("r1", "trust2", 1), ("r1", "trust3", 4), ("r1", "anx1", 2)]
        + [("r1", "anx2", 7)]
    )
    scores = score_responses(answers, items).set_index("scale_id")
    # trust2 is reversed on 1..5: 1 -> 5; anx2 on 0..10: 7 -> 3
    assert scores.loc["trust", "score"] == pytest.approx((5 + 5 + 4) / 3)
    assert scores.loc["anxiety", "score"] == pytest.approx((2 + 3) / 2)
    assert scores.loc["trust", "n_items"] == 3


def test_a_scale_with_too_few_answered_items_has_no_score(items):
    answers = answers_of(
        [("few", "trust1", 4), ("few", "trust2", np.nan), ("half", "anx1", 6)]
        + [("enough", "trust1", 4), ("enough", "trust3", 2)]
    )
    scores = score_responses(answers, items).set_index(["response_id", "scale_id"])
    assert np.isnan(scores.loc[("few", "trust"), "score"])  # 1 of 3 answered
    assert scores.loc[("few", "trust"), "n_items"] == 1  # a skipped item is not an answer
    assert scores.loc[("half", "anxiety"), "score"] == 6  # 1 of 2 is exactly half
    assert scores.loc[("enough", "trust"), "score"] == 3
    strict = score_responses(answers, items, min_share=0.6).set_index(["response_id", "scale_id"])
    assert np.isnan(strict.loc[("half", "anxiety"), "score"])


@pytest.mark.parametrize(
    "rows, message",
    [
        ([("r1", "trust1", 6)], "outside"),
        ([("r1", "nope", 3)], "not in the item table"),
        ([("r1", "trust1", 3), ("r1", "trust1", 4)], "more than one value"),
    ],
)
def test_bad_answers_are_rejected(items, rows, message):
    with pytest.raises(ValueError, match=message):
        score_responses(answers_of(rows), items)


# --- reliability -----------------------------------------------------------------------------

# pingouin's `cronbach_wide_missing` data set (binary items, some missing)
CRONBACH_WIDE_MISSING = """Q1,Q2,Q3,Q4,Q5,Q6,Q7,Q8,Q9,Q10,Q11
1,1,1,1,1,1,1,1,1,1,1
1,1,1,1,1,1,1,1,0,1,0
,0,1,1,,1,1,1,1,0,0
1,1,1,0,1,1,0,1,1,0,0
1,1,1,1,1,0,0,0,1,0,0
0,1,,0,1,1,1,1,0,0,0
1,1,1,1,0,0,1,0,0,0,0
1,1,1,1,1,0,0,0,0,0,0
0,1,0,1,1,0,0,0,0,1,0
1,0,0,1,0,1,0,0,,0,0
1,1,1,0,0,0,0,0,0,0,0
1,0,0,1,0,0,0,0,0,0,0
"""


def test_cronbach_alpha_matches_the_published_pairwise_and_listwise_values():
    wide = pd.read_csv(io.StringIO(CRONBACH_WIDE_MISSING))
    pairwise = cronbach_alpha(wide)
    assert pairwise.alpha == pytest.approx(0.732660835214447, abs=1e-12)
    assert (pairwise.ci_low, pairwise.ci_high) == pytest.approx((0.435, 0.909), abs=1e-9)
    assert (pairwise.n, pairwise.k, pairwise.flagged) == (12, 11, False)
    listwise = cronbach_alpha(wide, nan_policy="listwise")
    assert listwise.alpha == pytest.approx(0.8016949152542373, abs=1e-12)
    assert listwise.n == 9
    # pingouin's documented listwise interval [0.581, 0.933] keeps n = 12 in Feldt's formula
    # although only 9 rows are complete; we count the rows used, so Feldt with n = 9, k = 11:
    df1, df2 = 8, 8 * 10
    feldt = [1 - (1 - listwise.alpha) * stats.f.isf(q, df1, df2) for q in (0.025, 0.975)]
    assert (listwise.ci_low, listwise.ci_high) == pytest.approx(feldt, abs=5e-4)


def test_parallel_items_have_alpha_one_and_unrelated_items_are_flagged():
    x = np.array([1, 2, 3, 4, 5, 2, 4], dtype=float)
    assert cronbach_alpha(pd.DataFrame({"a": x, "b": x, "c": x})).alpha == pytest.approx(1.0)
    rng = np.random.default_rng(0)
    noise = pd.DataFrame(rng.integers(1, 6, size=(40, 4)), columns=list("abcd"))
    assert cronbach_alpha(noise).flagged


def test_alpha_is_not_computed_from_too_little_data():
    one_item = cronbach_alpha(pd.DataFrame({"a": [1.0, 2, 3]}))
    assert np.isnan(one_item.alpha) and "two answered items" in one_item.note
    flat = cronbach_alpha(pd.DataFrame({"a": [3.0, 3, 3], "b": [2.0, 2, 2]}))
    assert np.isnan(flat.alpha) and not flat.flagged and flat.note


def test_reliability_table_reverse_codes_before_alpha(items):
    rng = np.random.default_rng(1)
    latent = rng.normal(3, 1, size=60)
    rows = []
    for i, level in enumerate(latent):
        wave = "pre" if i < 30 else "post"
        for item, reverse in [("trust1", False), ("trust2", True), ("trust3", False)]:
            value = np.clip(np.round(level + rng.normal(0, 0.4)), 1, 5)
            rows.append((f"r{i}", item, 6 - value if reverse else value, wave))
    answers = pd.DataFrame(rows, columns=["response_id", "item_id", "value", "wave"])
    table = reliability_table(answers, items).set_index("wave")
    assert list(table["scale_id"]) == ["trust", "trust"]
    assert (table["alpha"] > 0.8).all()  # would be negative if trust2 were not reversed
    assert not table["flagged"].any()
    assert table.loc["pre", "n"] == 30 and table.loc["pre", "k"] == 3


# --- matching and attrition ------------------------------------------------------------------


def scores_of(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["participant_key", "wave", "scale_id", "score", "group"])


def test_only_participants_present_in_both_waves_are_paired():
    scores = scores_of(
        [
            ("p1", "pre", "trust", 2.0, "migrant"),
            ("p1", "post", "trust", 3.0, "migrant"),
            ("p2", "pre", "trust", 4.0, "local"),  # dropped out
            ("p3", "post", "trust", 5.0, "local"),  # joined late
            (None, "pre", "trust", 1.0, "local"),  # anonymous, no code
            (None, "post", "trust", 5.0, "local"),
            ("p4", "pre", "trust", np.nan, "local"),  # too few items answered
            ("p4", "post", "trust", 3.0, "local"),
        ]
    )
    pairs = match_waves(scores)
    assert list(pairs["participant_key"]) == ["p1"]
    assert pairs.loc[0, ["pre", "post", "change", "group"]].tolist() == [2.0, 3.0, 1.0, "migrant"]


def test_a_participant_scored_twice_in_one_wave_is_an_error():
    scores = scores_of(
        [("p1", "pre", "trust", 2.0, "x"), ("p1", "pre", "trust", 3.0, "x")]
        + [("p1", "post", "trust", 3.0, "x")]
    )
    with pytest.raises(ValueError, match="more than one 'pre'"):
        match_waves(scores)


def test_attrition_compares_baseline_of_dropouts_and_stayers_with_welch():
    rows = [(f"d{i}", "pre", "trust", v, "x") for i, v in enumerate(SLEEP_1)]
    rows += [(f"s{i}", "pre", "trust", v, "x") for i, v in enumerate(SLEEP_2)]
    rows += [(f"s{i}", "post", "trust", 0.0, "x") for i in range(len(SLEEP_2))]
    rows += [("late", "post", "trust", 1.0, "x")]
    table = attrition(scores_of(rows)).iloc[0]
    assert (table["n_pre"], table["n_post"], table["n_matched"], table["n_dropped"]) == (
        20,
        11,
        10,
        10,
    )
    assert table["mean_pre_dropped"] == pytest.approx(0.75)
    assert table["mean_pre_stayed"] == pytest.approx(2.33)
    assert table["welch_p"] == pytest.approx(0.07939, abs=5e-6)  # R's Welch t.test on sleep


def test_attrition_by_cell_keeps_cells_with_only_post_answers():
    rows = [
        ("a", "pre", "trust", 3.0, "migrant"),
        ("a", "post", "trust", 3.0, "migrant"),
        ("b", "post", "trust", 3.0, "local"),
    ]
    table = attrition(scores_of(rows), by=["group"]).set_index("group")
    assert table.loc["local", ["n_pre", "n_post", "n_matched"]].tolist() == [0, 1, 0]
    assert np.isnan(table.loc["migrant", "welch_p"])


# --- paired change ---------------------------------------------------------------------------


def test_paired_change_reproduces_r_on_the_sleep_data():
    change = paired_change(SLEEP_1, SLEEP_2)
    assert change.n == 10
    assert change.mean_change == pytest.approx(1.58)
    assert change.t == pytest.approx(4.0621, abs=5e-5)
    assert change.df == 9
    assert change.p == pytest.approx(0.002833, abs=5e-7)
    assert (change.ci_low, change.ci_high) == pytest.approx((0.7001142, 2.4598858), abs=1e-7)
    assert change.d_z == pytest.approx(change.t / np.sqrt(10))  # d_z = t / sqrt(n)
    assert change.d_z_ci_low < change.d_z < change.d_z_ci_high


def test_wilcoxon_drops_zero_differences_and_approximates_with_ties_like_r():
    # one difference is zero and two are tied, so R (and we) use the corrected normal approximation
    assert paired_change(SLEEP_1, SLEEP_2).wilcoxon_p == pytest.approx(0.009091, abs=5e-7)
    # on request, scipy's exact distribution: all nine nonzero differences positive, 2 * (1/2)^9
    exact = paired_change(SLEEP_1, SLEEP_2, wilcoxon_method="exact")
    assert exact.wilcoxon_p == pytest.approx(2 / 2**9)


def test_wilcoxon_exact_p_of_the_scipy_documentation_example():
    d = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75]
    assert paired_change(np.zeros(15), d).wilcoxon_p == pytest.approx(0.041259765625)


def test_d_z_interval_matches_mbess_noncentral_t_limits():
    low, high = dz_confidence_interval(1.5, 99)
    assert float(low) * np.sqrt(99) == pytest.approx(-0.474934, abs=1e-5)
    assert float(high) * np.sqrt(99) == pytest.approx(3.467371, abs=1e-5)


def test_too_few_pairs_or_no_variation_give_nan_and_a_note():
    single = paired_change([3.0], [4.0])
    assert single.n == 1 and np.isnan(single.p) and "fewer than two" in single.note
    empty = paired_change([], [])
    assert empty.n == 0 and np.isnan(empty.mean_change)
    flat = paired_change([1.0, 2.0, 3.0], [2.0, 3.0, 4.0])
    assert flat.mean_change == 1 and np.isnan(flat.t) and np.isnan(flat.d_z) and flat.note
    with_gaps = paired_change([1.0, np.nan, 3.0, 2.0], [2.0, 5.0, np.nan, 4.0])
    assert with_gaps.n == 2


def test_describe_change_reads_like_a_sentence():
    change = Change(36, 50.0, 58.2, 8.2, 3.0, 13.4, 18.0, 2.7, 35, 0.01, 0.02, 0.45, 0.12, 0.78)
    assert describe_change("Attitudes toward the other group", change) == (
        "Attitudes toward the other group improved by 8.2 points "
        "(d = 0.45, 95% CI 0.12 to 0.78, n = 36)."
    )
    anxiety = describe_change("Intergroup anxiety", change, higher_is_better=False)
    assert anxiety.startswith("Intergroup anxiety worsened by 8.2 points")
    unsure = Change(12, 3.0, 3.2, 0.2, -0.1, 0.5, 0.5, 1.4, 11, 0.2, 0.2, 0.4, -0.2, 1.0)
    assert describe_change("Trust", unsure).endswith("; this could be chance.")
    assert "too few" in describe_change("Trust", paired_change([1.0], [2.0]))


# --- change tables ---------------------------------------------------------------------------


def random_pairs(seed: int = 3, activities: int = 25) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frames = []
    for activity in range(activities):
        for scale in ["trust", "anxiety", "belonging"]:
            n = int(rng.integers(2, 40))
            pre = rng.integers(1, 6, size=n).astype(float)
            post = np.clip(pre + rng.normal(0.3, 1.0, size=n).round(), 1, 5)
            frames.append(
                pd.DataFrame({"activity": activity, "scale_id": scale, "pre": pre, "post": post})
            )
    return pd.concat(frames, ignore_index=True)


def test_vectorised_t_test_equals_scipy_ttest_rel_in_every_group():
    pairs = random_pairs()
    table = change_table(pairs, by=["activity"])
    for _, row in table.iterrows():
        group = pairs[
            (pairs["activity"] == row["activity"]) & (pairs["scale_id"] == row["scale_id"])
        ]
        reference = stats.ttest_rel(group["post"], group["pre"])
        ci = reference.confidence_interval()
        if np.isnan(reference.statistic):
            assert np.isnan(row["t"])
            continue
        assert row["t"] == pytest.approx(reference.statistic, rel=1e-10, abs=1e-10)
        assert row["p"] == pytest.approx(reference.pvalue, rel=1e-10, abs=1e-10)
        assert row["df"] == reference.df
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high), abs=1e-10)


def test_change_table_rows_equal_paired_change():
    pairs = random_pairs(seed=4, activities=4)
    table = change_table(pairs, by=["activity"])
    for _, row in table.iterrows():
        group = pairs[
            (pairs["activity"] == row["activity"]) & (pairs["scale_id"] == row["scale_id"])
        ]
        single = paired_change(group["pre"], group["post"])
        for name in ["n", "mean_change", "sd_change", "d_z", "d_z_ci_low", "d_z_ci_high"]:
            assert row[name] == pytest.approx(getattr(single, name), rel=1e-9, nan_ok=True)
        assert row["wilcoxon_p"] == pytest.approx(single.wilcoxon_p, nan_ok=True)


def test_holm_by_hand():
    # sorted p 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 = 0.02, 0.03, 0.06, 0.04 -> monotone 0.06
    p = pd.Series([0.01, 0.04, 0.03, 0.005, np.nan])
    assert holm(p).tolist()[:4] == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert np.isnan(holm(p).iloc[4])


def test_holm_equals_statsmodels_multipletests():
    rng = np.random.default_rng(9)
    for size in (1, 2, 3, 7, 20):
        p = rng.uniform(0, 0.2, size=size)
        expected = multipletests(p, method="holm")[1]
        assert holm(pd.Series(p)).to_numpy() == pytest.approx(expected, rel=1e-12)


def test_holm_is_applied_across_the_scales_of_one_activity_only():
    table = change_table(random_pairs(seed=5, activities=3), by=["activity"])
    for _, scales in table.groupby("activity"):
        assert scales["p_holm"].tolist() == pytest.approx(holm(scales["p"]).tolist())
        assert (scales["p_holm"] >= scales["p"]).all()
    pooled = change_table(random_pairs(seed=5, activities=3), by=["activity"], family=[])
    assert pooled["p_holm"].tolist() == pytest.approx(holm(pooled["p"]).tolist())


def test_change_table_survives_tiny_and_flat_cells():
    pairs = pd.DataFrame(
        {
            "group": ["migrant", "local", "local", "local"],
            "scale_id": "trust",
            "pre": [3.0, 2.0, 3.0, 4.0],
            "post": [4.0, 3.0, 4.0, 5.0],
        }
    )
    table = change_table(pairs, by=["group"]).set_index("group")
    assert table.loc["migrant", "n"] == 1 and "fewer than two" in table.loc["migrant", "note"]
    assert table.loc["local", "mean_change"] == 1 and np.isnan(table.loc["local", "t"])
    assert "same amount" in table.loc["local", "note"]


# --- suppression -----------------------------------------------------------------------------


def test_cells_below_k_are_blanked_and_marked():
    table = pd.DataFrame(
        {"group": ["migrant", "local"], "n": [4, 5], "mean_change": [1.2, 0.4], "p": [0.1, 0.2]}
    )
    out = suppress_small_cells(table, sets=[])
    assert out["suppressed"].tolist() == [True, False]
    assert out["suppression"].tolist() == ["fewer than 5", ""]
    assert out.loc[0, ["n", "mean_change", "p"]].isna().all()
    assert out.loc[1, ["n", "mean_change", "p"]].tolist() == [5, 0.4, 0.2]
    assert out.loc[0, "group"] == "migrant"


def test_a_lone_small_cell_takes_the_next_smallest_with_it():
    table = pd.DataFrame(
        {
            "activity": ["A", "A", "A", "B", "B", "B"],
            "group": ["migrant", "local", "other", "migrant", "local", "other"],
            "n": [3, 20, 12, 2, 1, 30],
            "mean_change": [0.9, 0.2, 0.4, 1.0, 1.0, 0.1],
        }
    )
    out = suppress_small_cells(table, sets=[["activity"]])
    assert out["suppression"].tolist() == [
        "fewer than 5",
        "",
        "secondary",  # next-smallest of A, so A's migrants cannot be derived from the total
        "fewer than 5",
        "fewer than 5",
        "secondary",  # B's two hidden cells hold only 3 people together: the total would
    ]  # give their mean, so B's largest cell goes too
    assert out.loc[2, ["n", "mean_change"]].isna().all()


def test_secondary_suppression_is_repeated_across_dimensions():
    table = pd.DataFrame(
        {
            "group": ["migrant", "migrant", "local", "local"],
            "gender": ["female", "male", "female", "male"],
            "n": [3, 10, 8, 20],
            "mean_change": [1.0, 0.5, 0.2, 0.3],
        }
    )
    out = suppress_small_cells(table, sets=[["group"], ["gender"]])
    for cols in (["group"], ["gender"]):
        hidden_per_set = out.groupby(cols)["suppressed"].sum()
        assert (hidden_per_set != 1).all()
    assert out["suppressed"].all()


def test_whole_table_is_one_set_by_default():
    table = pd.DataFrame({"group": ["m", "l", "o"], "n": [2, 40, 9], "share": [0.1, 0.6, 0.3]})
    out = suppress_small_cells(table, k=3)
    assert out["suppression"].tolist() == ["fewer than 3", "", "secondary"]


# --- dose-response and design ----------------------------------------------------------------


def test_dose_response_reproduces_anscombe():
    df = pd.DataFrame({"change": ANSCOMBE_Y1, "sessions_attended": ANSCOMBE_X})
    fit = dose_response(df)
    assert fit.slope == pytest.approx(0.5001, abs=5e-5)
    assert fit.intercept == pytest.approx(3.0001, abs=5e-5)
    assert fit.p == pytest.approx(0.00217, abs=5e-6)
    assert (fit.ci_low, fit.ci_high) == pytest.approx((0.2334, 0.7668), abs=5e-5)
    assert fit.n == 11


def test_dose_response_recovers_a_known_slope():
    rng = np.random.default_rng(7)
    sessions = rng.integers(1, 13, size=4000)
    exact = dose_response(
        pd.DataFrame({"change": 0.5 + 0.25 * sessions, "sessions_attended": sessions})
    )
    assert exact.slope == pytest.approx(0.25) and exact.intercept == pytest.approx(0.5)
    noisy = pd.DataFrame(
        {
            "change": 0.5 + 0.25 * sessions + rng.normal(0, 1, size=sessions.size),
            "sessions_attended": sessions,
            "activity": rng.integers(0, 40, size=sessions.size),
        }
    )
    fit = dose_response(noisy, cluster="activity")
    assert fit.ci_low < 0.25 < fit.ci_high and fit.slope == pytest.approx(0.25, abs=0.02)


def test_dose_response_without_variation_in_dose_gives_a_note():
    fit = dose_response(pd.DataFrame({"change": [1.0, 2.0, 3.0], "sessions_attended": [4, 4, 4]}))
    assert np.isnan(fit.slope) and fit.note


def test_design_vs_outcome_per_principle():
    df = pd.DataFrame(
        {
            "activity": range(11),
            "principle_1": ANSCOMBE_X,
            "principle_2": [3] * 11,
            "principle_3": ANSCOMBE_X[:8] + [np.nan] * 3,
            "d": ANSCOMBE_Y1,
        }
    )
    table = design_vs_outcome(df).set_index("principle")
    first = table.loc["principle_1"]
    assert first["r"] == pytest.approx(0.816, abs=5e-4)
    assert first["p"] == pytest.approx(0.00217, abs=5e-6)
    assert first["slope"] == pytest.approx(0.5001, abs=5e-5)
    assert first["r_ci_low"] == pytest.approx(0.424, abs=1e-3)
    assert first["r_ci_high"] == pytest.approx(0.951, abs=1e-3)
    assert np.isnan(table.loc["principle_2", "r"]) and table.loc["principle_2", "note"]
    assert table.loc["principle_3", "n"] == 8


# --- meta-analysis ---------------------------------------------------------------------------

BCG = np.array(
    [
        [4, 119, 11, 128],
        [6, 300, 29, 274],
        [3, 228, 11, 209],
        [62, 13536, 248, 12619],
        [33, 5036, 47, 5761],
        [180, 1361, 372, 1079],
        [8, 2537, 10, 619],
        [505, 87886, 499, 87892],
        [29, 7470, 45, 7232],
        [17, 1699, 65, 1600],
        [186, 50448, 141, 27197],
        [5, 2493, 3, 2338],
        [27, 16886, 29, 17825],
    ]
)


@pytest.fixture
def bcg() -> pd.DataFrame:
    tpos, tneg, cpos, cneg = BCG.T
    log_rr, var = effectsize_2proportions(
        tpos, tpos + tneg, cpos, cpos + cneg, statistic="risk-ratio"
    )
    return pd.DataFrame(
        {"activity": [f"trial {i + 1}" for i in range(13)], "d": log_rr, "var": var}
    )


def test_meta_analysis_reproduces_metafor_dersimonian_laird_on_bcg(bcg):
    assert bcg.loc[0, "d"] == pytest.approx(-0.8893, abs=5e-5)
    assert bcg.loc[0, "var"] == pytest.approx(0.3256, abs=5e-5)
    meta = meta_analysis(bcg, method="dl")
    assert meta.estimate == pytest.approx(-0.7141, abs=5e-5)
    assert meta.se == pytest.approx(0.1787, abs=5e-5)
    assert (meta.ci_low, meta.ci_high) == pytest.approx((-1.0644, -0.3638), abs=5e-5)
    assert meta.tau2 == pytest.approx(0.3088, abs=5e-5)
    assert meta.i2 == pytest.approx(0.9212, abs=5e-5)
    assert meta.q == pytest.approx(152.2330, abs=5e-5)
    assert meta.q_p < 1e-4 and meta.k == 13


def test_paule_mandel_tau2_solves_its_defining_equation(bcg):
    meta = meta_analysis(bcg)  # Paule & Mandel: generalised Q equals k - 1 at tau^2
    w = 1 / (bcg["var"] + meta.tau2)
    mu = np.average(bcg["d"], weights=w)
    assert (w * (bcg["d"] - mu) ** 2).sum() == pytest.approx(12, abs=1e-3)
    assert meta.estimate == pytest.approx(mu)
    assert meta.q == pytest.approx(152.2330, abs=5e-5)


def test_forest_rows_have_intervals_and_weights(bcg):
    studies = meta_analysis(bcg).studies
    assert list(studies.columns) == ["activity", "d", "se", "ci_low", "ci_high", "weight"]
    assert studies["weight"].sum() == pytest.approx(1.0)
    assert (studies["ci_low"] < studies["d"]).all() and (studies["d"] < studies["ci_high"]).all()


def test_homogeneous_effects_give_zero_tau2_and_the_fixed_effect_estimate():
    effects = pd.DataFrame(
        {"activity": list("abcd"), "d": [0.1, 0.12, 0.11, 0.09], "se": [0.1, 0.14, 0.1, 0.17]}
    )
    for method in ("dl", "pm"):
        meta = meta_analysis(effects, method=method)
        assert meta.tau2 == 0 and meta.i2 == 0
        fixed = np.average(effects["d"], weights=1 / effects["se"] ** 2)
        assert meta.estimate == pytest.approx(fixed)


def test_one_activity_is_not_pooled():
    meta = meta_analysis(pd.DataFrame({"activity": ["a"], "d": [0.3], "n": [20]}))
    assert np.isnan(meta.estimate) and meta.k == 1 and meta.note
    assert meta.studies.loc[0, "se"] == pytest.approx(float(se_dz(0.3, 20)))


def test_se_of_d_z_agrees_with_pingouin_paired_interval():
    from pingouin import compute_esci

    d, n = 0.45, 36
    low, high = compute_esci(stat=d, nx=n, ny=n, paired=True, eftype="cohen", decimals=12)
    crit = stats.t.ppf(0.975, n - 1)
    assert float(se_dz(d, n)) == pytest.approx((high - low) / (2 * crit), rel=1e-9)


# --- mixed model -----------------------------------------------------------------------------


def balanced_changes(activities: int, per_activity: int = 8, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for a in range(activities):
        effect = rng.normal(0.5, 0.4)
        for p in range(per_activity):
            rows.append(
                {
                    "participant": f"{a}-{p}",
                    "activity": f"A{a}",
                    "change": effect + rng.normal(0, 0.5),
                }
            )
    return pd.DataFrame(rows)


def test_balanced_random_intercept_model_equals_the_anova_estimators():
    # Balanced one-way random effects: REML = ANOVA estimators when positive (Searle et al. 1992)
    data = balanced_changes(activities=10)
    result = mixed_model(data)
    assert result is not None and result.converged
    assert result.estimate == pytest.approx(data["change"].mean(), abs=1e-6)
    anova = anova_lm(ols("change ~ C(activity)", data).fit())
    ms_between, ms_within = anova["mean_sq"].iloc[0], anova["mean_sq"].iloc[1]
    assert result.residual_variance == pytest.approx(ms_within, rel=1e-4)
    assert result.activity_variance == pytest.approx((ms_between - ms_within) / 8, rel=1e-3)
    assert result.n_activities == 10 and result.n_participants == 80
    assert "10 activities and 80 participants" in describe_mixed(result, scale_name="Trust")


def test_long_and_change_forms_agree():
    changes = balanced_changes(activities=8)
    rng = np.random.default_rng(12)
    base = rng.normal(3, 1, size=len(changes))
    long = pd.concat(
        [
            changes.assign(wave="pre", score=base),
            changes.assign(wave="post", score=base + changes["change"]),
        ]
    ).drop(columns="change")
    from_changes, from_long = mixed_model(changes), mixed_model(long)
    assert from_changes is not None and from_long is not None
    assert from_long.estimate == pytest.approx(from_changes.estimate, abs=1e-6)
    assert from_long.se == pytest.approx(from_changes.se, rel=0.05)


def test_too_few_activities_give_none_with_a_reason():
    data = balanced_changes(activities=3)
    assert mixed_model(data) is None
    reason = mixed_model_skip_reason(data)
    assert reason and "only 3 activities" in reason
    assert describe_mixed(None, reason=reason).startswith("No multilevel estimate: only 3")


def test_hidden_cells_that_together_hold_fewer_than_k_take_another_with_them():
    # 17 + 2 + 1 = 20 shown as the total: with only the 2 and the 1 hidden, total - 17 would
    # give the mean of those 3 people, so the 17 is hidden too
    table = pd.DataFrame(
        {"gender": ["female", "male", "other"], "n": [17, 2, 1], "mean_change": [4.0, 1.0, 9.0]}
    )
    out = suppress_small_cells(table)
    assert out["suppression"].tolist() == ["secondary", "fewer than 5", "fewer than 5"]


def test_hidden_cells_that_together_hold_k_or_more_are_safe_as_they_are():
    table = pd.DataFrame(
        {"gender": ["female", "male", "other"], "n": [17, 3, 3], "mean_change": [4.0, 1.0, 9.0]}
    )
    out = suppress_small_cells(table)
    assert out["suppression"].tolist() == ["", "fewer than 5", "fewer than 5"]
