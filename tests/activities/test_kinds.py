"""Stories for activity kinds and their starting templates."""

import pytest

from activities.kinds import FREQUENCIES, TEMPLATES, Kind, KindTemplate, template
from activities.principles import LANGS, QUESTIONS, Choice, Facts, assess, validate_answers

QUESTION_KINDS = {q.id: q.kind for q in QUESTIONS}
WEEKS_BETWEEN = {"weekly": 1, "biweekly": 2, "monthly": 52 / 12}


def facts_from(kind_template: KindTemplate, lang: str = "en") -> Facts:
    """What the platform would know after scheduling the template's suggested sessions."""
    recurrence = kind_template.recurrence
    count, minutes = int(recurrence["count"]), int(recurrence["duration_minutes"])
    gap = WEEKS_BETWEEN[str(recurrence["frequency"])]
    span = gap * (count - 1)
    return Facts(
        shared_goal=kind_template.shared_goal[lang],
        session_count=count,
        total_hours=count * minutes / 60,
        span_weeks=span,
        sessions_per_month=count / (span / (52 / 12)),
        regular=True,
    )


def test_every_kind_has_a_template():
    assert set(TEMPLATES) == set(Kind)
    assert all(t.kind is kind for kind, t in TEMPLATES.items())


@pytest.mark.parametrize("kind", list(Kind))
def test_template_texts_exist_in_english_and_spanish(kind):
    kind_template = TEMPLATES[kind]
    for texts in (kind_template.label, kind_template.description, kind_template.shared_goal):
        assert set(texts) == set(LANGS)
    assert all(kind_template.label.values()) and all(kind_template.description.values())
    assert set(kind_template.suggestions) == set(LANGS)
    tips = kind_template.suggestions
    assert len(tips["en"]) == len(tips["es"]) >= 2
    assert all(tip.strip() for lang in LANGS for tip in tips[lang])


@pytest.mark.parametrize("kind", [k for k in Kind if k is not Kind.OTHER])
def test_a_specific_kind_states_a_shared_goal(kind):
    facts = facts_from(TEMPLATES[kind], "es")
    assert assess(answers={}, facts=facts).scores[0].results[0].answer == "yes"


def test_other_leaves_the_goal_for_the_organizer_to_write():
    assert TEMPLATES[Kind.OTHER].shared_goal == {"en": "", "es": ""}
    assert TEMPLATES[Kind.OTHER].suggested_answers == {}


@pytest.mark.parametrize("kind", list(Kind))
def test_suggested_answers_are_valid_rubric_choices(kind):
    suggested = TEMPLATES[kind].suggested_answers
    assert validate_answers(suggested) == suggested
    for question_id, choice in suggested.items():
        assert QUESTION_KINDS[question_id] == "choice"
        assert choice in {c.value for c in Choice}


@pytest.mark.parametrize("kind", list(Kind))
def test_the_suggested_schedule_is_a_regular_series(kind):
    recurrence = TEMPLATES[kind].recurrence
    assert set(recurrence) == {"frequency", "count", "duration_minutes"}
    assert recurrence["frequency"] in FREQUENCIES
    assert isinstance(recurrence["count"], int) and recurrence["count"] >= 8
    assert isinstance(recurrence["duration_minutes"], int) and recurrence["duration_minutes"] >= 60


@pytest.mark.parametrize("kind", list(Kind))
def test_starting_from_a_template_beats_starting_from_nothing(kind):
    kind_template = TEMPLATES[kind]
    empty = assess(answers={}, facts=Facts())
    started = assess(answers=kind_template.suggested_answers, facts=facts_from(kind_template))
    assert started.overall > empty.overall
    assert started.score(6) >= 60, "the suggested schedule earns most of principle 6"


def test_a_cooking_club_starts_strong_on_mutual_appreciation():
    cooking = template("cooking")
    assessment = assess(answers=cooking.suggested_answers, facts=facts_from(cooking))
    assert assessment.score(2) > 80
    assert 2 not in assessment.weakest


def test_template_accepts_the_kind_or_its_value():
    assert template("language_exchange") is TEMPLATES[Kind.LANGUAGE_EXCHANGE]
    assert template(Kind.GARDENING) is TEMPLATES[Kind.GARDENING]


@pytest.mark.parametrize("unknown", ["karaoke", "", "Sports"])
def test_an_unknown_kind_is_refused(unknown):
    with pytest.raises(ValueError, match="Unknown activity kind") as caught:
        template(unknown)
    assert "cooking" in str(caught.value), "the message lists the kinds to choose from"
