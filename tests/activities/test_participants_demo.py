"""The demo registry: the 60 people of the current activities and those of the completed ones,
consents (minors with guardian consent and assent), enrolments."""

from sqlmodel import col, select

from activities.demo import HISTORY
from activities.models import Activity
from activities.participants import consent
from activities.participants.demo import PROFILES
from activities.participants.models import Enrollment, Participant, SupportNote
from app.demo import PUENTES, seed_demo


def test_demo_participants_are_seeded_once_with_consents_and_enrolments(db):
    demo = seed_demo(db)
    seed_demo(db)
    people = db.exec(
        select(Participant).where(Participant.organization_id == demo.organization.id)
    ).all()
    history = sum(PROFILES[h.title].size for h in HISTORY if h.org == PUENTES)
    assert len(people) == 60 + history
    assert {p.group for p in people} == {"migrant", "host", "other"}
    assert len({lang for p in people for lang in p.languages}) >= 8
    statuses = consent.statuses_of(session=db, participants=people)
    minors = [p for p in people if statuses[p.id].is_minor]
    assert len(minors) >= 8
    assert sum(statuses[p.id].can_survey for p in minors) >= len(minors) - 1
    assert any(not s.complete for s in statuses.values())  # the warnings have something to show
    activities = db.exec(
        select(Activity.id).where(Activity.organization_id == demo.organization.id)
    ).all()
    enrolled = db.exec(
        select(Enrollment.participant_id).where(col(Enrollment.activity_id).in_(activities))
    ).all()
    assert {p.id for p in people} <= set(enrolled)  # everyone takes part in something
    for activity_id in activities:
        roster = db.exec(select(Enrollment).where(Enrollment.activity_id == activity_id)).all()
        assert len(roster) >= 20
    ids = [p.id for p in people]
    assert db.exec(select(SupportNote).where(col(SupportNote.participant_id).in_(ids))).all()
