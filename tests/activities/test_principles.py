"""Stories for the seven-principle design rubric: questions, scoring and recommendations."""

import re
from dataclasses import replace

import pytest

from activities.principles import (
    ADVICE,
    CURVES,
    LANGS,
    PARTNER_TYPES,
    PRINCIPLES,
    PUBLIC_PARTNER_TYPES,
    QUESTIONS,
    SCORING_DOC,
    SCORING_DOCS,
    Assessment,
    Choice,
    Curve,
    Facts,
    RubricError,
    assess,
    derived_answers,
    validate_answers,
)

ASKED = [q for q in QUESTIONS if q.kind != "derived"]
DERIVED = [q for q in QUESTIONS if q.kind == "derived"]

TEN_WEEKLY = Facts(
    session_count=10, regular=True, sessions_per_month=4.3, total_hours=15, span_weeks=10
)
STRONG = Facts(
    shared_goal="Cook a menu with one dish from each country for the closing dinner.",
    session_count=12,
    total_hours=24,
    span_weeks=12,
    sessions_per_month=4.3,
    regular=True,
    partner_types=("local_government", "media", "community_organization"),
    facilitator_count=2,
    trained_facilitator=True,
    mixing_tool_used=True,
)


def all_yes() -> dict[str, str | float]:
    return {q.id: ("yes" if q.kind == "choice" else 100) for q in ASKED}


def result(assessment: Assessment, question_id: str):
    return next(r for s in assessment.scores for r in s.results if r.question_id == question_id)


# ---------------------------------------------------------------- the rubric itself


def test_seven_principles_in_order_each_with_three_to_five_questions():
    assert [p.number for p in PRINCIPLES] == [1, 2, 3, 4, 5, 6, 7]
    for principle in PRINCIPLES:
        questions = [q for q in QUESTIONS if q.principle == principle.number]
        assert 3 <= len(questions) <= 5, principle.key
        assert any(q.kind != "derived" for q in questions), "every principle asks something"


def test_question_ids_are_unique_and_say_their_principle():
    ids = [q.id for q in QUESTIONS]
    assert len(ids) == len(set(ids))
    for question in QUESTIONS:
        assert question.id.startswith(f"p{question.principle}_")
        assert question.weight > 0


def test_every_text_exists_in_english_and_spanish():
    assert LANGS == ("en", "es")
    for principle in PRINCIPLES:
        for texts in (principle.name, principle.guidance):
            assert set(texts) == set(LANGS) and all(t.strip() for t in texts.values())
        sentences = len(re.findall(r"[.!?](\s|$)", principle.guidance["en"]))
        assert 2 <= sentences <= 4, principle.key
    for question in QUESTIONS:
        texts_of_question = [question.text, question.help, ADVICE[question.id]]
        if question.unit is not None:
            texts_of_question.append(question.unit)
        for texts in texts_of_question:
            assert set(texts) == set(LANGS) and all(t.strip() for t in texts.values()), question.id
    assert set(ADVICE) == {q.id for q in QUESTIONS}
    assert set(SCORING_DOCS) == set(LANGS) and SCORING_DOCS["en"] == SCORING_DOC


def test_number_questions_have_a_curve_and_a_unit():
    numbered = {q.id for q in QUESTIONS if q.unit is not None}
    assert numbered == set(CURVES)
    assert {q.id for q in QUESTIONS if q.kind == "number"} <= numbered


def test_the_derived_questions_are_the_ones_the_platform_knows():
    assert {q.id for q in DERIVED} == {
        "p1_shared_goal",
        "p5_trained_facilitator",
        "p5_mixing_tool",
        "p6_sessions",
        "p6_frequency",
        "p6_span",
        "p6_hours",
        "p7_partner_count",
        "p7_public_partner",
        "p7_media_partner",
    }
    assert PUBLIC_PARTNER_TYPES.issubset(PARTNER_TYPES)


# ---------------------------------------------------------------- the formula


def test_a_curve_is_straight_between_anchors_and_flat_beyond():
    curve = Curve(((0, 0.0), (1, 0.4), (4, 1.0)))
    assert curve.points(-3) == 0.0
    assert curve.points(0.5) == pytest.approx(0.2)
    assert curve.points(2.5) == pytest.approx(0.7)
    assert curve.points(40) == 1.0


def test_the_documented_anchor_points():
    assert CURVES["p6_sessions"].points(1) == 0.0
    assert CURVES["p6_sessions"].points(12) == 1.0
    assert CURVES["p6_frequency"].points(1) == pytest.approx(0.4)
    assert CURVES["p6_frequency"].points(4.3) == 1.0
    assert CURVES["p6_hours"].points(20) == 1.0
    assert CURVES["p6_span"].points(12) == 1.0
    assert CURVES["p6_commitment"].points(80) == 1.0
    assert CURVES["p7_partner_count"].points(1) == 0.5
    for phrase in ("yes = 1, partly = 0.5, no = 0", "12 or more → 1", "20 or more → 1"):
        assert phrase in SCORING_DOC


def test_an_empty_rubric_scores_zero_and_says_nothing_is_answered():
    assessment = assess(answers={}, facts=Facts())
    assert assessment.overall == 0.0
    assert all(s.score == 0.0 for s in assessment.scores)
    asked_results = [r for s in assessment.scores for r in s.results if not r.derived]
    assert all(r.answer is None and r.points == 0.0 for r in asked_results)


def test_all_yes_with_strong_facts_scores_the_maximum():
    assessment = assess(answers=all_yes(), facts=STRONG)
    assert [s.score for s in assessment.scores] == [100.0] * 7
    assert assessment.overall == 100.0
    assert all(s.answered == s.total for s in assessment.scores)


def test_a_principle_is_the_weighted_mean_of_its_points():
    # P1: shared goal (derived, weight 1) yes, enjoyable (1) partly, interdependence (1.5) no.
    answers = {"p1_enjoyable": "partly", "p1_interdependence": "no"}
    assessment = assess(answers=answers, facts=Facts(shared_goal="Cook a shared menu together"))
    assert assessment.score(1) == pytest.approx(round(100 * (1 + 0.5 + 0) / 3.5, 1))


def test_the_overall_score_is_the_mean_of_the_seven():
    assessment = assess(answers={"p1_enjoyable": "yes", "p3_design": "partly"}, facts=TEN_WEEKLY)
    mean = sum(s.score for s in assessment.scores) / 7
    assert assessment.overall == pytest.approx(mean, abs=0.05)


# ---------------------------------------------------------------- what moves each principle


def test_adding_ten_weekly_sessions_raises_principle_six():
    before = assess(answers={}, facts=Facts(session_count=0)).score(6)
    after = assess(answers={}, facts=TEN_WEEKLY).score(6)
    assert before == 0.0
    assert after > 60
    # sessions 9/11 (weight 1.5), weekly 1, 10 of 12 weeks, 15 of 20 hours, commitment unanswered
    expected = 100 * (1.5 * 9 / 11 + 1 + 10 / 12 + 15 / 20 + 0) / 5.5
    assert after == pytest.approx(round(expected, 1))


def test_a_single_session_has_no_rhythm_and_an_irregular_schedule_counts_less():
    one_off = Facts(session_count=1, sessions_per_month=30, total_hours=3)
    assert result(assess(answers={}, facts=one_off), "p6_frequency").points == 0.0
    irregular = Facts(session_count=10, regular=False, sessions_per_month=4.3)
    regular = Facts(session_count=10, regular=True, sessions_per_month=4.3)
    assert result(assess(answers={}, facts=irregular), "p6_frequency").points == 0.75
    assert result(assess(answers={}, facts=regular), "p6_frequency").points == 1.0


def test_a_monthly_rhythm_earns_less_than_a_weekly_one():
    monthly = Facts(session_count=6, regular=True, sessions_per_month=1)
    weekly = Facts(session_count=6, regular=True, sessions_per_month=4.3)
    assert result(assess(answers={}, facts=monthly), "p6_frequency").points == pytest.approx(0.4)
    assert assess(answers={}, facts=monthly).score(6) < assess(answers={}, facts=weekly).score(6)


def test_a_public_partner_raises_principle_seven():
    ngo_only = assess(answers={}, facts=Facts(partner_types=("community_organization",)))
    with_city = assess(
        answers={}, facts=Facts(partner_types=("community_organization", "local_government"))
    )
    assert with_city.score(7) > ngo_only.score(7)
    assert result(with_city, "p7_public_partner").answer == "yes"
    assert result(ngo_only, "p7_public_partner").answer == "no"


@pytest.mark.parametrize("partner", sorted(PUBLIC_PARTNER_TYPES))
def test_every_public_partner_type_counts_as_public(partner):
    assert derived_answers(Facts(partner_types=(partner,)))["p7_public_partner"] == "yes"


def test_a_media_partner_is_recognised():
    assert derived_answers(Facts(partner_types=("media",)))["p7_media_partner"] == "yes"
    assert derived_answers(Facts(partner_types=("school",)))["p7_media_partner"] == "no"


def test_a_stated_shared_goal_raises_principle_one():
    goal = "Together, cook a menu with one dish from each country."
    without = assess(answers={}, facts=Facts())
    with_goal = assess(answers={}, facts=Facts(shared_goal=goal))
    assert with_goal.score(1) > without.score(1)


@pytest.mark.parametrize("goal", ["", "   ", "Cook", "  fun    "])
def test_a_blank_or_too_short_goal_is_not_a_stated_goal(goal):
    assert derived_answers(Facts(shared_goal=goal))["p1_shared_goal"] == "no"


def test_the_mixing_tool_counts_only_once_groups_are_formed():
    answers = {
        "p5_equal_status": "yes",
        "p5_break_segregation": "yes",
        "p5_language_support": "yes",
    }
    facts = Facts(trained_facilitator=True)
    not_yet = assess(answers=answers, facts=facts)
    used = assess(answers=answers, facts=Facts(trained_facilitator=True, mixing_tool_used=True))
    not_used = assess(
        answers=answers, facts=Facts(trained_facilitator=True, mixing_tool_used=False)
    )

    # Not formed yet: left out of the denominator, so it neither helps nor hurts.
    pending = result(not_yet, "p5_mixing_tool")
    assert pending.points is None and pending.answer is None and pending.derived
    assert "p5_mixing_tool" not in derived_answers(facts)
    assert not_yet.score(5) == 100.0
    assert not_yet.scores[4].total == 4
    # Formed: counts like any yes/no question.
    assert used.score(5) == 100.0 and used.scores[4].total == 5
    # trained 1 + equal status 1.5 + two more at 1, out of 5.5 with the mixing tool at 0
    assert not_used.score(5) == pytest.approx(round(100 * 4.5 / 5.5, 1))
    assert result(not_used, "p5_mixing_tool").answer == "no"


def test_derived_answers_show_what_the_platform_knows():
    known = derived_answers(TEN_WEEKLY)
    assert known["p6_sessions"] == 10
    assert known["p6_frequency"] == 4.3
    assert known["p6_span"] == 10
    assert known["p6_hours"] == 15
    assert known["p7_partner_count"] == 0
    assert known["p1_shared_goal"] == "no"


def test_answered_and_total_count_the_questions_in_the_score():
    assessment = assess(answers={"p2_both_cultures": "yes"}, facts=Facts())
    p2 = assessment.scores[1]
    assert (p2.answered, p2.total) == (1, 3)


# ---------------------------------------------------------------- weakest and recommendations


def test_the_two_weakest_principles_are_found():
    answers = all_yes()
    answers.update({"p4_reflection_moments": "no", "p2_both_cultures": "partly"})
    assessment = assess(answers=answers, facts=STRONG)
    assert assessment.weakest == (4, 2)


def test_ties_for_weakest_go_to_the_lower_principle_number():
    assert assess(answers={}, facts=Facts()).weakest == (1, 2)
    answers = all_yes()
    answers.update({"p7_resources": "no", "p3_design": "no", "p3_organisation": "no"})
    answers.update({"p3_running": "no", "p3_evaluation": "no"})
    answers.update({"p2_both_cultures": "no", "p2_visible_contributions": "no"})
    answers.update({"p2_commonalities": "no"})
    assert assess(answers=answers, facts=STRONG).weakest == (2, 3)


def test_recommendations_target_the_questions_that_scored_low():
    answers = all_yes()
    answers.update({"p1_interdependence": "no", "p1_enjoyable": "partly"})
    facts = replace(STRONG, session_count=1, span_weeks=0, total_hours=2)
    assessment = assess(answers=answers, facts=facts)
    assert assessment.weakest == (6, 1)
    (p6, p6_tips), (p1, p1_tips) = assessment.recommendations("en")
    assert (p6, p1) == (6, 1)
    assert any("at least 12 sessions (now: 1)" in tip for tip in p6_tips)
    assert any("20 hours" in tip for tip in p6_tips)
    assert not any("commit" in tip for tip in p6_tips), "commitment was answered in full"
    # the worst question comes first; the stated goal, fully met, gets no advice
    assert p1_tips[0] == ADVICE["p1_interdependence"]["en"]
    assert p1_tips[1] == ADVICE["p1_enjoyable"]["en"]
    assert len(p1_tips) == 2


def test_recommendations_exist_in_both_languages():
    assessment = assess(answers={}, facts=Facts(session_count=1))
    english, spanish = assessment.recommendations("en"), assessment.recommendations("es")
    assert [n for n, _ in english] == [n for n, _ in spanish] == list(assessment.weakest)
    for (_, en_tips), (_, es_tips) in zip(english, spanish, strict=True):
        assert len(en_tips) == len(es_tips) >= 1
        assert en_tips != es_tips


def test_spanish_recommendations_use_a_decimal_comma():
    facts = Facts(session_count=3, regular=True, sessions_per_month=1.5, span_weeks=8)
    assessment = assess(answers=all_yes(), facts=facts)
    tips = dict(assessment.recommendations("es"))[6]
    assert any("(ahora: 1,5 sesiones al mes)" in tip for tip in tips)


def test_unanswered_questions_are_flagged_in_the_advice():
    tips = dict(assess(answers={}, facts=Facts()).recommendations("en"))[1]
    assert any(tip.endswith("(Not answered yet.)") for tip in tips)
    assert ADVICE["p1_shared_goal"]["en"] in tips, "a derived question is never 'unanswered'"


def test_a_pending_mixing_tool_is_advised_last():
    answers = {"p5_equal_status": "yes", "p5_language_support": "partly"}
    assessment = assess(answers=answers, facts=Facts())
    tips = _tips(assessment, 5)
    assert tips[-1] == ADVICE["p5_mixing_tool"]["en"]


def _tips(assessment: Assessment, number: int) -> list[str]:
    forced = Assessment(assessment.scores, assessment.overall, (number, 1))
    return forced.recommendations("en")[0][1]


def test_a_principle_already_met_is_praised_not_lectured():
    assessment = assess(answers=all_yes(), facts=STRONG)
    for _, tips in assessment.recommendations("es"):
        assert len(tips) == 1 and "ya está bien cubierto" in tips[0]


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="Unknown language"):
        assess(answers={}, facts=Facts()).recommendations("fr")


def test_an_unknown_principle_number_is_refused():
    with pytest.raises(ValueError, match="numbered 1 to 7"):
        assess(answers={}, facts=Facts()).score(8)


# ---------------------------------------------------------------- validating answers


def test_valid_answers_are_normalised():
    clean = validate_answers(
        {
            "p1_enjoyable": " YES ",
            "p2_both_cultures": Choice.PARTLY,
            "p6_commitment": "62,5",
            "p3_design": "",
            "p3_running": None,
        }
    )
    assert clean == {"p1_enjoyable": "yes", "p2_both_cultures": "partly", "p6_commitment": 62.5}


def test_numbers_may_be_numbers_or_numeric_strings():
    assert validate_answers({"p6_commitment": 80})["p6_commitment"] == 80.0
    assert validate_answers({"p6_commitment": "100"})["p6_commitment"] == 100.0


def test_an_unknown_question_is_rejected():
    with pytest.raises(ValueError, match="“p9_magic” is not a question of the design rubric"):
        validate_answers({"p9_magic": "yes"})


def test_a_derived_question_cannot_be_answered():
    with pytest.raises(ValueError, match="“p6_sessions” is worked out from the activity"):
        validate_answers({"p6_sessions": 12})


@pytest.mark.parametrize("bad", ["maybe", "si", 1, True, ["yes"]])
def test_a_bad_choice_is_rejected(bad):
    with pytest.raises(ValueError, match="must be yes, partly or no"):
        validate_answers({"p1_enjoyable": bad})


@pytest.mark.parametrize("bad", ["lots", "150", -1, 100.5, float("nan"), True, "inf"])
def test_a_bad_number_is_rejected(bad):
    with pytest.raises(ValueError, match="“p6_commitment” must be a number from 0 to 100"):
        validate_answers({"p6_commitment": bad})


def test_every_problem_is_reported_at_once():
    with pytest.raises(RubricError) as caught:
        validate_answers({"p9_magic": "yes", "p1_enjoyable": "maybe"})
    assert "p9_magic" in caught.value.message and "p1_enjoyable" in caught.value.message
    assert caught.value.status_code == 422


def test_assess_refuses_invalid_answers():
    with pytest.raises(ValueError, match="yes, partly or no"):
        assess(answers={"p1_enjoyable": "sometimes"}, facts=Facts())
