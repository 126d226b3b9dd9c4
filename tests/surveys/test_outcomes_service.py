"""Outcome loaders and organizer services on the database (SQLite and PostgreSQL): what is read,
how it is scoped, and that the figures equal `surveys.analysis` on the data the test wrote."""

from datetime import date

import pandas as pd
import pytest
from sqlmodel import Session

from activities.participants import consent as consent_rules
from activities.participants.models import Consent
from app.accounts.models import Role
from app.errors import NotFound
from app.settings import get_settings
from surveys import analysis, outcomes
from surveys.outcomes import OverviewFilters
from tests.activities.participant_factories import give_consent, make_participant
from tests.activities.roster_factories import queries
from tests.factories import make_territory, make_user
from tests.surveys.outcome_factories import (
    CHANGES,
    another_activity,
    cohort,
    make_study,
    pair,
    respond,
)
from tests.surveys.survey_factories import add_person, make_world


def _expected(study_frame: pd.DataFrame) -> pd.DataFrame:
    return analysis.change_table(analysis.match_waves(study_frame)).set_index("scale_id")


def test_scores_are_one_row_per_participant_scale_and_wave_with_attributes(db: Session):
    study = make_study(db)
    person = pair(
        db, study, {"cohesion": 50.0, "trust": 40.0}, {"cohesion": 60.0}, group="host", gender="man"
    )

    frame = outcomes.scores(session=db, activity_ids=[study.activity_id])

    assert len(frame) == 3
    assert set(frame["participant_key"]) == {f"{study.activity_id}:p{person.id}"}
    row = frame[(frame["wave"] == "pre") & (frame["scale_id"] == "trust")].iloc[0]
    assert (row["score"], row["group"], row["gender"]) == (40.0, "host", "man")


def test_activity_outcomes_equal_analysis_on_the_same_scores(db: Session):
    study = make_study(db)
    cohort(db, study, CHANGES[:6], group="migrant")
    cohort(db, study, CHANGES[6:], group="host")
    assert study.world.organizer is not None

    outcome = outcomes.activity_outcomes(
        session=db, actor=study.world.organizer, activity_id=study.activity_id
    )

    assert outcome.state == "ready"
    report = outcome.report
    assert report is not None
    expected = _expected(study.frame()).loc["cohesion"]
    got = report.change.set_index("scale_id").loc["cohesion"]
    for column in ["n", "mean_pre", "mean_post", "mean_change", "ci_low", "ci_high", "sd_change"]:
        assert got[column] == pytest.approx(expected[column])
    for column in ["t", "df", "p", "wilcoxon_p", "d_z", "d_z_ci_low", "d_z_ci_high"]:
        assert got[column] == pytest.approx(expected[column])
    assert report.counts == {"enrolled": 12, "pre": 12, "post": 12, "matched": 12}


def test_unmatched_and_anonymous_answers_are_paired_only_on_the_same_key(db: Session):
    study = make_study(db)
    cohort(db, study, CHANGES[:5])
    pair(db, study, {"cohesion": 50.0}, None)  # answered before only
    late = add_person(db, study.world)
    respond(db, study, late, "post", {"cohesion": 90.0})  # answered after only
    respond(db, study, None, "pre", {"cohesion": 10.0}, anon_code="K7P2QX")
    respond(db, study, None, "post", {"cohesion": 95.0}, anon_code="K7P2QX")  # same code: a pair
    respond(db, study, None, "post", {"cohesion": 99.0}, anon_code="ZZZZZZ")  # no partner
    respond(db, study, None, "pre", {"cohesion": 1.0})  # no code at all
    respond(db, study, None, "post", {"cohesion": 2.0})

    report = outcomes.activity_outcomes(
        session=db, actor=study.world.organizer, activity_id=study.activity_id
    ).report

    assert report is not None
    assert report.counts["matched"] == 6
    assert sorted(report.pairs["change"]) == sorted([b - a for a, b in CHANGES[:5]] + [85.0])


def test_empty_states_say_what_is_missing(db: Session):
    world = make_world(db)
    assert world.activity.id is not None
    state = outcomes.activity_outcomes(
        session=db, actor=world.organizer, activity_id=world.activity.id
    ).state
    assert state == "no_survey"
    study = make_study(db, world=world)
    assert _state(db, study) == "no_answers"
    pair(db, study, {"cohesion": 50.0}, None)
    assert _state(db, study) == "no_post"


def _state(db: Session, study) -> str:  # type: ignore[no-untyped-def]
    return outcomes.activity_outcomes(
        session=db, actor=study.world.organizer, activity_id=study.activity_id
    ).state


def test_another_organization_or_a_viewer_cannot_reach_an_activity(db: Session):
    study = make_study(db)
    stranger = make_world(db).organizer
    viewer = make_user(db, None, role=Role.GOVERNMENT_VIEWER, territory=make_territory(db))
    for actor in (stranger, viewer):
        with pytest.raises(NotFound):
            outcomes.activity_outcomes(session=db, actor=actor, activity_id=study.activity_id)


def test_the_overview_reads_a_fixed_number_of_queries_whatever_the_activities(db: Session):
    study = make_study(db)
    cohort(db, study, CHANGES[:5])
    organizer = study.world.organizer
    with queries(db) as one:
        outcomes.organization_overview(session=db, actor=organizer, filters=OverviewFilters())
    for i in range(3):
        other = another_activity(db, study, title=f"Liga {i}")
        cohort(db, other, CHANGES[i : i + 6])
    with queries(db) as four:
        report = outcomes.organization_overview(
            session=db, actor=organizer, filters=OverviewFilters()
        )
    assert len(four) == len(one) <= 6
    assert report.meta.k == 4
    assert not any("FROM answer" in q for q in four)  # dashboards never read answers


def test_overview_filters_by_kind_and_period(db: Session):
    study = make_study(db)
    cohort(db, study, CHANGES[:5])
    sports = another_activity(db, study, title="Liga", kind="sports")
    cohort(db, sports, CHANGES[5:11])
    sports.world.activity.start_date = date(2027, 1, 1)
    sports.world.activity.end_date = date(2027, 3, 1)
    db.add(sports.world.activity)
    db.commit()
    organizer = study.world.organizer

    by_kind = outcomes.organization_overview(
        session=db, actor=organizer, filters=OverviewFilters(kind="sports")
    )
    by_period = outcomes.organization_overview(
        session=db, actor=organizer, filters=OverviewFilters(date_from=date(2027, 2, 1))
    )

    assert list(by_kind.per_activity["title"]) == ["Liga"]
    assert list(by_period.per_activity["title"]) == ["Liga"]
    assert by_kind.total.loc[0, "n"] == 6


def test_design_used_is_the_assessment_current_at_the_post_wave(db: Session):
    from datetime import UTC, datetime, timedelta

    from activities.models import PrincipleAssessment
    from tests.surveys.survey_factories import waves

    study = make_study(db)
    cohort(db, study, CHANGES[:5])
    post = waves(db, study.survey)["post"]
    closing = datetime.combine(post.closes_on, datetime.min.time(), tzinfo=UTC)
    for when, score in ((closing - timedelta(days=3), 20.0), (closing + timedelta(days=3), 90.0)):
        db.add(
            PrincipleAssessment(
                activity_id=study.activity_id,
                created_at=when,
                scores={str(n): score for n in range(1, 8)},
                overall=score,
            )
        )
    db.commit()

    report = outcomes.organization_overview(
        session=db, actor=study.world.organizer, filters=OverviewFilters()
    )

    row = report.per_activity.set_index("title").loc[study.world.activity.title]
    assert row["principle_3"] == 20.0 and row["design_overall"] == 20.0


@pytest.mark.parametrize(
    ("birth_year", "kinds", "withdrawn"),
    [
        (1990, ["participant"], False),
        (1990, ["participant"], True),
        (1990, [], False),
        ("minor", ["participant"], False),
        ("minor", ["guardian"], False),
        ("minor", ["guardian", "assent"], False),
        (None, ["participant"], False),
    ],
)
def test_the_sql_consent_rule_equals_consent_status(db: Session, birth_year, kinds, withdrawn):  # type: ignore[no-untyped-def]
    world = make_world(db)
    today = outcomes.utcnow().date()
    year = today.year - 12 if birth_year == "minor" else birth_year
    person = make_participant(db, world.org, birth_year=year, age_band="" if year else "35_49")
    for kind in kinds:
        given = give_consent(db, person, world.organizer, kind=kind)
        if withdrawn:
            given.withdrawn_at = outcomes.utcnow()
            db.add(given)
            db.commit()
    from sqlmodel import col, select

    from activities.participants.models import Participant

    query = select(col(Participant.id)).where(
        Participant.id == person.id, outcomes.shares_with_government(today)
    )
    in_sql = db.exec(query).first() is not None

    consents = list(db.exec(select(Consent).where(Consent.participant_id == person.id)))
    status = consent_rules.consent_status(
        person, consents, minor_age=get_settings().minor_age, today=today
    )
    assert in_sql == status.can_share
