"""Participant import: preview writes nothing, bad rows are reported, confirm writes, re-import
creates nobody twice, and drafts belong to one organization."""

from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from activities.codes import format_code
from activities.participants import imports, service
from activities.participants.models import Enrollment, ImportDraft, Participant
from app.accounts.models import Role, utcnow
from app.audit import AuditAction, AuditEntry
from app.errors import Invalid, NotFound
from tests.activities.activity_factories import make_activity
from tests.activities.participant_factories import make_participant
from tests.factories import make_org, make_user

HEADER = "code,name,email,group,birth_year,age_band,gender,languages,preferred_language\n"
GOOD = (
    HEADER + ',Amina Ejemplo,amina@example.org,migrant,1994,,woman,"ar, fr",ar\n'
    ",Lucía Ejemplo,,host,,35_49,prefer_not_to_say,es,es\n"
    ",Niño Ejemplo,,local,2014,,man,es,\n"
)


@pytest.fixture
def org(db):
    return make_org(db)


@pytest.fixture
def organizer(db, org):
    return make_user(db, org)


def count(db, org):
    query = (
        select(func.count()).select_from(Participant).where(Participant.organization_id == org.id)
    )
    return db.exec(query).one()


def upload(db, actor, text, filename="people.csv"):
    return imports.create_draft(session=db, actor=actor, filename=filename, data=text.encode())


def test_bad_rows_are_each_reported_and_nothing_is_written(db, org, organizer):
    existing = make_participant(db, org)
    code = format_code(existing.code)
    text = (
        HEADER + f"{code},Amina Ejemplo,,migrant,1994,,woman,ar,ar\n"
        ",Bad Year,,host,1890,,man,es,es\n"
        ",Bad Group,,tourist,1990,,man,es,es\n"
        f"{code},Same Code,,host,1990,,woman,es,es\n"
        ",Fine Row,,host,1990,,woman,es,es\n"
    )
    draft = upload(db, organizer, text)
    preview = imports.preview_draft(session=db, actor=organizer, draft_id=draft.id)
    assert not preview.ok
    by_line = {r.line: r for r in preview.rows}
    assert by_line[2].action == "update"
    assert "birth year 1890" in by_line[3].errors[0]
    assert "group 'tourist'" in by_line[4].errors[0]
    assert "duplicate of line 2" in by_line[5].errors[0]
    assert by_line[6].action == "create"
    assert preview.error_count == 3
    with pytest.raises(Invalid):
        imports.confirm_draft(session=db, actor=organizer, draft_id=draft.id)
    db.rollback()
    assert count(db, org) == 1
    assert db.get(Participant, existing.id).name == existing.name  # not updated either


def test_confirm_writes_every_row_in_one_go_and_deletes_the_draft(db, org, organizer):
    draft = upload(db, organizer, GOOD)
    assert count(db, org) == 0  # an upload alone writes no participant
    summary = imports.confirm_draft(session=db, actor=organizer, draft_id=draft.id)
    assert len(summary.created) == 3 and not summary.updated and not summary.skipped
    people = db.exec(select(Participant).where(Participant.organization_id == org.id)).all()
    by_name = {p.name: p for p in people}
    assert by_name["Amina Ejemplo"].languages == ["ar", "fr"]
    assert by_name["Niño Ejemplo"].group == "host"  # "local" is read as host community
    assert by_name["Lucía Ejemplo"].birth_year is None
    assert db.get(ImportDraft, draft.id) is None
    actions = db.exec(select(AuditEntry.action).where(AuditEntry.organization_id == org.id)).all()
    assert actions.count(AuditAction.CREATE) == 3 and actions.count(AuditAction.IMPORT) == 1


def test_reimporting_the_same_file_creates_nobody_twice(db, org, organizer):
    imports.confirm_draft(session=db, actor=organizer, draft_id=upload(db, organizer, GOOD).id)
    again = upload(db, organizer, GOOD)
    preview = imports.preview_draft(session=db, actor=organizer, draft_id=again.id)
    # Rows with a name match by fingerprint; the row without a name or contact would register again.
    assert [r.action for r in preview.rows] == [
        "skip_duplicate",
        "skip_duplicate",
        "skip_duplicate",
    ]
    summary = imports.confirm_draft(session=db, actor=organizer, draft_id=again.id)
    assert len(summary.skipped) == 3 and not summary.created
    assert count(db, org) == 3


def test_a_row_with_a_code_updates_that_participant(db, org, organizer):
    participant = make_participant(db, org, name="Old Name", group="migrant")
    text = HEADER + f"{format_code(participant.code)},New Name,,other,1990,,man,es,es\n"
    summary = imports.confirm_draft(
        session=db, actor=organizer, draft_id=upload(db, organizer, text).id
    )
    assert summary.updated == [participant.code]
    db.refresh(participant)
    assert (participant.name, participant.group) == ("New Name", "other")


def test_a_legal_status_column_rejects_the_whole_file(db, org, organizer):
    text = "name,group,birth_year,legal status\nAmina,migrant,1994,irregular\n"
    draft = upload(db, organizer, text)
    preview = imports.preview_draft(session=db, actor=organizer, draft_id=draft.id)
    assert not preview.ok and not preview.rows
    assert "never records immigration or legal status" in preview.file_errors[0]
    with pytest.raises(Invalid):
        imports.confirm_draft(session=db, actor=organizer, draft_id=draft.id)


def test_confirm_can_enrol_everyone_in_an_activity(db, org, organizer):
    activity = make_activity(db, organizer)
    summary = imports.confirm_draft(
        session=db,
        actor=organizer,
        draft_id=upload(db, organizer, GOOD).id,
        activity_id=activity.id,
    )
    assert summary.enrolled == 3
    enrolled = db.exec(select(Enrollment).where(Enrollment.activity_id == activity.id)).all()
    assert len(enrolled) == 3


def test_enrolling_in_another_organizations_activity_writes_nothing(db, org, organizer):
    foreign = make_activity(db, make_user(db, make_org(db)))
    draft = upload(db, organizer, GOOD)
    with pytest.raises(NotFound):
        imports.confirm_draft(
            session=db, actor=organizer, draft_id=draft.id, activity_id=foreign.id
        )
    db.rollback()
    assert count(db, org) == 0


def test_a_draft_belongs_to_its_organization(db, org, organizer):
    draft = upload(db, organizer, GOOD)
    stranger = make_user(db, make_org(db), role=Role.ORG_ADMIN)
    with pytest.raises(NotFound):
        imports.preview_draft(session=db, actor=stranger, draft_id=draft.id)
    with pytest.raises(NotFound):
        imports.confirm_draft(session=db, actor=stranger, draft_id=draft.id)
    assert count(db, org) == 0


def test_drafts_older_than_a_day_expire_and_are_purged_on_the_next_upload(db, org, organizer):
    old = upload(db, organizer, GOOD)
    old.created_at = utcnow() - timedelta(days=2)
    db.add(old)
    db.commit()
    with pytest.raises(NotFound):
        imports.preview_draft(session=db, actor=organizer, draft_id=old.id)
    fresh = upload(db, organizer, GOOD)
    drafts = db.exec(select(ImportDraft).where(ImportDraft.organization_id == org.id)).all()
    assert [d.created_at for d in drafts] == [fresh.created_at]


def test_an_empty_or_huge_upload_is_refused(db, organizer):
    with pytest.raises(Invalid):
        upload(db, organizer, "")
    with pytest.raises(Invalid):
        upload(db, organizer, "x" * (3 * 1024 * 1024))


def test_the_matching_rule_is_explained(db):
    rule = " ".join(imports.MATCHING_RULE)
    assert "code" in rule and "birth year" in rule and "again creates nobody twice" in rule
    assert service.PER_PAGE > 0
