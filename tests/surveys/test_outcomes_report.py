"""The assembly of outcome results (pure): suppression, matching, design at the post wave, exports.

Every expected number comes from `surveys.analysis` (or scipy) run by the test on its own data."""

import io
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from surveys import analysis, instruments
from surveys.outcome_export import across_tables, activity_tables, assert_no_people, to_csv, to_xlsx
from surveys.outcome_report import (
    WITHHELD,
    across_activities,
    activity_report,
    design_at_post,
    reliability_of,
    wave_means,
)
from surveys.outcomes import SCORE_COLUMNS

K = 5


def _scores(cells: list[tuple[int, str, int]], *, start: int = 0) -> pd.DataFrame:
    """(activity, group, n) -> n people per cell with a pre and a post cohesion score."""
    rows, i = [], start
    rng = np.random.default_rng(7)
    for activity, group, n in cells:
        for _ in range(n):
            i += 1
            pre = float(rng.uniform(30, 70))
            for wave, score in (("pre", pre), ("post", pre + float(rng.normal(5, 8)))):
                rows.append(
                    {
                        "activity_id": activity,
                        "participant_key": f"{activity}:p{i}",
                        "participant_id": i,
                        "wave": wave,
                        "scale_id": "cohesion",
                        "score": score,
                        "group": group,
                        "age_band": "25_34",
                        "gender": "woman",
                        "language": "es",
                    }
                )
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)


def _facts(ids: list[int]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "activity_id": i,
                "title": f"Activity {i}",
                "kind": "cooking",
                "organization_id": 1,
                "organization": "NGO",
                "start_date": date(2026, 1, 10),
                "end_date": date(2026, 3, 1),
                "design_score": 50.0,
                "survey_id": i,
                "pre_closes_on": date(2026, 1, 20),
                "post_closes_on": date(2026, 3, 20),
            }
            for i in ids
        ]
    )


def _counts(scores: pd.DataFrame) -> pd.DataFrame:
    grouped = scores.groupby(["activity_id", "wave", "scale_id"])["score"]
    return grouped.agg(n="count", mean="mean").reset_index()


def _no_assessments() -> pd.DataFrame:
    return pd.DataFrame(columns=["activity_id", "created_at", "scores", "overall"])


def _across(scores: pd.DataFrame, *, government: bool = True):  # type: ignore[no-untyped-def]
    ids = sorted(scores["activity_id"].unique())
    return across_activities(
        scores,
        _facts(ids),
        _no_assessments(),
        _counts(scores),
        scale="cohesion",
        k=K,
        government=government,
    )


def _groups(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["dimension"] == "group"].set_index("value")


# --- one activity --------------------------------------------------------------------------------


def test_a_cell_of_four_is_hidden_and_so_is_its_complement_while_the_total_stays():
    scores = _scores([(1, "migrant", 4), (1, "host", 8)])

    report = activity_report(scores, enrolled=12, k=K)

    groups = _groups(report.by_group)
    assert groups.loc["migrant", "suppression"] == "fewer than 5"
    assert groups.loc["host", "suppression"] == "secondary"
    assert groups[["n", "mean_change", "d_z"]].isna().all().all()
    assert report.change.loc[0, "n"] == 12  # the total is shown, and is the sum of both cells


def test_with_three_groups_only_the_smallest_other_cell_is_hidden_too():
    scores = _scores([(1, "migrant", 4), (1, "host", 10), (1, "other", 6)])

    groups = _groups(activity_report(scores, enrolled=20, k=K).by_group)

    assert list(groups.loc[["migrant", "other"], "suppression"]) == ["fewer than 5", "secondary"]
    assert groups.loc["host", "n"] == 10 and not groups.loc["host", "suppressed"]
    # what subtraction recovers (20 - 10) is the sum of two hidden cells, not either of them
    expected = analysis.change_table(analysis.match_waves(scores[scores["group"] == "host"])).iloc[
        0
    ]
    assert groups.loc["host", "mean_change"] == pytest.approx(expected["mean_change"])


def test_the_change_table_is_analysis_change_table_with_holm_across_scales():
    scores = _scores([(1, "migrant", 9), (1, "host", 9)])
    trust = scores.assign(scale_id="trust", score=scores["score"] * 0.8 + 10)
    both = pd.concat([scores, trust], ignore_index=True)

    report = activity_report(both, enrolled=18, k=K)

    expected = analysis.change_table(analysis.match_waves(both)).set_index("scale_id")
    got = report.change.set_index("scale_id")
    assert list(got.index) == ["cohesion", "trust"]  # the index first, then bank order
    for column in ["n", "mean_change", "ci_low", "t", "p", "p_holm", "wilcoxon_p", "d_z"]:
        assert got[column].to_numpy() == pytest.approx(expected.loc[got.index, column].to_numpy())


def test_unmatched_answers_are_never_paired():
    scores = _scores([(1, "migrant", 6)])
    only_pre = scores[(scores["participant_id"] == 1) & (scores["wave"] == "pre")]
    only_post = scores[(scores["participant_id"] == 2) & (scores["wave"] == "post")]
    keyless = scores[scores["participant_id"] == 3].assign(participant_key=None)
    rest = scores[scores["participant_id"] > 3]
    data = pd.concat([only_pre, only_post, keyless, rest], ignore_index=True)

    report = activity_report(data, enrolled=6, k=K)

    assert report.counts == {"enrolled": 6, "pre": 4, "post": 4, "matched": 3}
    assert set(report.pairs["participant_id"]) == {4, 5, 6}
    assert report.change.loc[0, "n"] == 3


def test_states_say_what_is_missing():
    scores = _scores([(1, "host", 5)])
    assert activity_report(scores.iloc[0:0], enrolled=5, k=K).state == "no_answers"
    assert activity_report(scores[scores["wave"] == "pre"], enrolled=5, k=K).state == "no_post"
    assert activity_report(scores, enrolled=5, k=K).state == "ready"


def test_wave_means_carry_the_t_interval_of_each_mean():
    scores = _scores([(1, "host", 9)])
    pairs = analysis.match_waves(scores)

    means = wave_means(pairs).set_index("wave")

    for wave in ("pre", "post"):
        values = pairs[wave].to_numpy(float)
        low, high = stats.t.interval(
            0.95, len(values) - 1, loc=values.mean(), scale=stats.sem(values)
        )
        assert means.loc[wave, "ci_low"] == pytest.approx(low)
        assert means.loc[wave, "ci_high"] == pytest.approx(high)


def test_dose_response_is_the_ols_of_analysis():
    scores = _scores([(1, "host", 8)])
    doses = {i: i % 4 + 1 for i in range(1, 9)}

    report = activity_report(scores, enrolled=8, k=K, doses=doses)

    pairs = analysis.match_waves(scores)
    data = pd.DataFrame(
        {"sessions_attended": pairs["participant_id"].map(doses), "change": pairs["change"]}
    )
    assert report.dose == analysis.dose_response(data)


def _item_row(item_id: str) -> dict[str, object]:
    one = instruments.item(item_id)
    return {
        "item_id": one.id,
        "scale_id": one.scale,
        "min_value": one.min_value,
        "max_value": one.max_value,
        "reverse": one.reverse,
    }


def _likert(value: float) -> float:
    return float(np.clip(round(value), 1, 5))


def test_cohesion_alpha_is_computed_on_the_cohesive_end_of_each_item():
    items = pd.DataFrame([_item_row(i) for i in ("therm_1", "anx_1", "anx_2", "trust_1")])
    rng = np.random.default_rng(3)
    rows = []
    for response in range(12):
        mood = rng.uniform(0, 1)
        values = {
            "therm_1": float(round(100 * mood, -1)),
            "anx_1": _likert(5 - 4 * mood + rng.normal(0, 0.5)),  # anxiety: high is bad
            "anx_2": _likert(1 + 4 * mood + rng.normal(0, 0.5)),  # reverse-coded anxiety item
            "trust_1": _likert(1 + 4 * mood + rng.normal(0, 0.5)),
        }
        for item, value in values.items():
            rows.append({"response_id": response, "item_id": item, "value": value, "wave": "pre"})
    answers = pd.DataFrame(rows)

    table = reliability_of(answers, items)

    wide = answers.pivot(index="response_id", columns="item_id", values="value")
    favourable = pd.DataFrame(
        {item: [instruments.favourable_0_1(item, v) for v in wide[item]] for item in wide}
    )
    expected = analysis.cronbach_alpha(favourable)
    got = table[(table["scale_id"] == "cohesion") & (table["wave"] == "pre")].iloc[0]
    assert got["alpha"] == pytest.approx(expected.alpha)
    assert got["alpha"] > 0.6  # the items agree once each is turned to its cohesive end
    assert got["k"] == 4


def test_design_at_post_is_the_assessment_current_when_the_post_wave_closed():
    facts = _facts([1, 2, 3]).assign(post_closes_on=[date(2026, 3, 15), date(2026, 3, 15), None])
    made = [
        (1, datetime(2026, 1, 1), 10.0),
        (1, datetime(2026, 3, 15, 18), 20.0),  # on the closing day: still current
        (1, datetime(2026, 6, 1), 30.0),
        (2, datetime(2026, 5, 1), 40.0),  # only after: the latest one
        (3, datetime(2026, 2, 1), 50.0),
        (3, datetime(2026, 4, 1), 60.0),  # no post wave: the latest one
    ]
    assessments = pd.DataFrame(
        [
            {"activity_id": a, "created_at": when, "scores": {"6": score}, "overall": score}
            for a, when, score in made
        ]
    )

    design = design_at_post(assessments, facts).set_index("activity_id")

    assert design["principle_6"].to_dict() == {1: 20.0, 2: 40.0, 3: 60.0}
    assert design["design_overall"].to_dict() == {1: 20.0, 2: 40.0, 3: 60.0}


# --- across activities ---------------------------------------------------------------------------


def test_a_government_report_leaves_an_activity_under_k_out_of_every_figure():
    scores = _scores([(1, "host", 3), (2, "host", 8), (3, "host", 9)])

    report = _across(scores)

    rows = report.per_activity.set_index("activity_id")
    assert rows.loc[1, "suppressed"] and rows.loc[1, "suppression"] == "fewer than 5"
    assert pd.isna(rows.loc[1, "d_z"]) and pd.isna(rows.loc[1, "n"])
    assert report.total.loc[0, "n"] == 17 == report.funnel["matched"]
    assert report.funnel["pre"] == 17 and report.funnel["activities"] == 2
    assert report.meta.k == 2
    assert set(report.meta.studies["activity"]) == {"Activity 2", "Activity 3"}
    assert report.over_time["n"].sum() == 34  # pre and post of activities 2 and 3 only
    organizer = _across(scores, government=False)
    assert organizer.total.loc[0, "n"] == 20 and organizer.meta.k == 3


def test_when_every_activity_is_under_k_the_government_total_pools_none_of_them():
    # three activities of 3 pairs: pooling them (n = 9) would let a filter that drops one of them
    # reveal it by subtraction
    scores = _scores([(1, "host", 3), (2, "host", 3), (3, "migrant", 3)])

    report = _across(scores)

    assert report.per_activity["suppressed"].all()
    assert report.total.empty  # no pooled figure at all, as with no data
    assert _across(scores, government=False).total.loc[0, "n"] == 9  # the organizer sees all


def test_the_pooled_estimate_is_analysis_meta_analysis_of_the_shown_activities():
    scores = _scores([(1, "host", 8), (2, "host", 9), (3, "migrant", 12)])

    report = _across(scores)

    table = analysis.change_table(analysis.match_waves(scores), by=["activity_id"])
    effects = table.assign(activity=[f"Activity {i}" for i in table["activity_id"]])
    expected = analysis.meta_analysis(effects[["activity", "d_z", "n"]], effect_col="d_z")
    assert report.meta.estimate == pytest.approx(expected.estimate)
    assert report.meta.ci_low == pytest.approx(expected.ci_low)
    assert report.meta.tau2 == pytest.approx(expected.tau2)


def test_government_groups_add_up_only_cells_that_could_be_shown_in_their_activity():
    # Activity 1: 4 migrants (hidden) and 10 locals (hidden too: the secondary cell).
    scores = _scores([(1, "migrant", 4), (1, "host", 10), (2, "migrant", 10), (2, "host", 10)])

    report = _across(scores)

    groups = _groups(report.by_group)
    assert groups.loc["migrant", "n"] == 10 and groups.loc["host", "n"] == 10
    assert report.total.loc[0, "n"] == 34
    # filtering activity 1 out changes no group figure, so no difference reveals its 4 migrants
    alone = _groups(_across(scores[scores["activity_id"] == 2]).by_group)
    for column in ["n", "mean_change", "d_z"]:
        assert groups.loc[["migrant", "host"], column].to_numpy() == pytest.approx(
            alone.loc[["migrant", "host"], column].to_numpy()
        )


def test_a_group_with_no_showable_part_is_listed_as_withheld():
    scores = _scores([(1, "migrant", 4), (1, "host", 10), (2, "host", 10)])

    groups = _groups(_across(scores).by_group)

    assert groups.loc["migrant", "suppression"] == WITHHELD
    assert pd.isna(groups.loc["migrant", "n"])


def test_cohesion_over_time_is_per_quarter_of_the_wave_close():
    scores = _scores([(1, "host", 6), (2, "host", 7)])

    table = _across(scores).over_time.set_index(["period", "wave"])

    assert table.loc[("2026Q1", "pre"), "n"] == 13
    expected = scores[scores["wave"] == "post"]["score"].mean()
    assert table.loc[("2026Q1", "post"), "mean"] == pytest.approx(expected)


# --- exports -------------------------------------------------------------------------------------


def test_government_exports_hold_the_same_suppressed_figures_and_nobody():
    scores = _scores([(1, "migrant", 4), (1, "host", 10), (2, "migrant", 10), (2, "host", 10)])
    report = _across(scores)
    tables = across_tables(report)

    csv = pd.read_csv(io.BytesIO(to_csv(tables)))
    xlsx = pd.read_excel(io.BytesIO(to_xlsx(tables)), sheet_name=None)

    shown = csv[csv["table"] == "activities"].set_index("activity_id")
    assert shown["n_pairs"].to_dict() == {1: 14, 2: 20}
    groups = csv[(csv["table"] == "by_group") & (csv["dimension"] == "group")].set_index("value")
    assert groups.loc["migrant", "n_pairs"] == 10
    assert xlsx["by_group"].set_index("value").loc["migrant", "n_pairs"] == 10
    assert set(xlsx) >= {"activities", "total", "pooled", "by_group", "over_time"}
    for frame in [csv, *xlsx.values()]:
        assert not {"participant_key", "participant_id", "participant"} & set(frame.columns)


def test_an_export_with_a_column_about_people_is_refused():
    with pytest.raises(ValueError, match="individual"):
        assert_no_people({"oops": pd.DataFrame({"participant_key": ["1:p2"]})})


def test_organizer_exports_name_participants_by_code_only_when_asked():
    scores = _scores([(1, "host", 6)])
    report = activity_report(scores, enrolled=6, k=K)

    without = activity_tables(report)
    named = activity_tables(report, codes={i: f"CODE{i}" for i in range(1, 7)})

    assert "scores" not in without
    assert set(named["scores"]["participant"]) == {f"CODE{i}" for i in range(1, 7)}
    assert len(named["scores"]) == 12  # every stored score: pre and post
