"""Participant registry, consent rules, support notes, enrolment, export and erasure (services)."""

from datetime import date

import pytest
from sqlalchemy import inspect
from sqlmodel import select

from activities.codes import format_code, is_valid_code
from activities.participants import consent, rights, service
from activities.participants.models import (
    Consent,
    ConsentKind,
    Enrollment,
    Participant,
    SupportNote,
)
from app.accounts.models import Role
from app.audit import AuditAction, AuditEntry
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.models import metadata
from tests.activities.activity_factories import make_activity
from tests.activities.participant_factories import (
    enrol,
    give_consent,
    make_minor,
    make_participant,
)
from tests.factories import make_org, make_user

STATUS_WORDS = ("legal", "immigration", "visa", "permit", "asylum", "papers", "status")
TODAY = date(2026, 6, 15)


@pytest.fixture
def org(db):
    return make_org(db)


@pytest.fixture
def admin(db, org):
    return make_user(db, org, role=Role.ORG_ADMIN)


@pytest.fixture
def organizer(db, org):
    return make_user(db, org)


def fields(**overrides):
    return service.ParticipantFields(
        **{"group": "migrant", "name": "Amina Ejemplo", "birth_year": 1994, "languages": ["ar, fr"]}
        | overrides
    )


def audit_actions(db, participant_id):
    query = select(AuditEntry.action).where(AuditEntry.subject_id == participant_id)
    return list(db.exec(query))


# --- the registry holds no legal status --------------------------------------------------------


def test_no_participant_table_has_a_column_for_legal_or_immigration_status():
    tables = ["participant", "consent", "support_note", "enrollment", "import_draft"]
    for table in tables:
        for column in metadata.tables[table].columns:
            assert not any(word in column.name.lower() for word in STATUS_WORDS), column


def test_the_migrated_participant_table_has_no_status_column_either(engine):
    columns = [c["name"] for c in inspect(engine).get_columns("participant")]
    assert "code" in columns and "fingerprint" in columns
    assert not [c for c in columns if any(word in c.lower() for word in STATUS_WORDS)]


# --- registry -----------------------------------------------------------------------------------


def test_register_gives_a_pseudonymous_code_and_derives_the_age_band(db, organizer):
    participant = service.create_participant(session=db, actor=organizer, fields=fields())
    assert is_valid_code(participant.code)
    assert participant.age_band == service.importing.age_band_for(1994, service.today())
    assert participant.languages == ["ar", "fr"]
    assert participant.preferred_language == "ar"  # the first supported language spoken
    assert participant.fingerprint
    assert audit_actions(db, participant.id) == [AuditAction.CREATE]


def test_codes_are_unique_per_organization(db, org, organizer):
    codes = {
        service.create_participant(session=db, actor=organizer, fields=fields(name=f"P{i}")).code
        for i in range(30)
    }
    assert len(codes) == 30


def test_invalid_fields_are_reported_one_by_one(db, organizer):
    with pytest.raises(service.FieldErrors) as caught:
        service.create_participant(
            session=db,
            actor=organizer,
            fields=fields(
                group="refugee",
                birth_year=1850,
                email="not-an-email",
                languages=["klingon"],
                preferred_language="de",
            ),
        )
    assert set(caught.value.errors) == {
        "group",
        "birth_year",
        "email",
        "languages",
        "preferred_language",
    }


def test_age_band_must_match_the_birth_year_and_one_of_them_is_needed(db, organizer):
    with pytest.raises(service.FieldErrors) as caught:
        service.create_participant(
            session=db, actor=organizer, fields=fields(birth_year=1994, age_band="12_14")
        )
    assert "age_band" in caught.value.errors
    with pytest.raises(service.FieldErrors):
        service.create_participant(session=db, actor=organizer, fields=fields(birth_year=None))
    banded = service.create_participant(
        session=db, actor=organizer, fields=fields(birth_year=None, age_band="35_49")
    )
    assert banded.age_band == "35_49" and banded.birth_year is None


def test_update_audits_which_fields_changed_but_not_their_values(db, organizer):
    participant = service.create_participant(session=db, actor=organizer, fields=fields())
    service.update_participant(
        session=db,
        actor=organizer,
        participant_id=participant.id,
        fields=fields(name="Amina Nueva", phone="+34 600 000 009"),
    )
    entry = db.exec(
        select(AuditEntry).where(
            AuditEntry.subject_id == participant.id, AuditEntry.action == AuditAction.UPDATE
        )
    ).one()
    assert "name" in entry.detail and "phone" in entry.detail
    assert "Amina" not in entry.detail and "600" not in entry.detail


def test_another_organizations_participant_does_not_exist(db, org):
    other = make_user(db, make_org(db), role=Role.ORG_ADMIN)
    participant = make_participant(db, org)
    with pytest.raises(NotFound):
        service.scoped_participant(session=db, actor=other, participant_id=participant.id)
    with pytest.raises(NotFound):
        service.update_participant(
            session=db, actor=other, participant_id=participant.id, fields=fields()
        )
    with pytest.raises(NotFound):
        service.participant_by_code(session=db, actor=other, code=participant.code)
    page = service.list_participants(session=db, actor=other, filters=service.ParticipantFilters())
    assert page.total == 0


def test_list_searches_by_code_or_name_and_filters(db, org, organizer):
    amina = make_participant(db, org, name="Amina Benali", group="migrant")
    lucia = make_participant(db, org, name="Lucía García", group="host", birth_year=2012)
    activity = make_activity(db, organizer)
    enrol(db, activity, lucia)

    def codes(**filters):
        page = service.list_participants(
            session=db, actor=organizer, filters=service.ParticipantFilters(**filters)
        )
        return {p.code for p in page.rows}

    assert codes() == {amina.code, lucia.code}
    assert codes(q="benali") == {amina.code}
    assert codes(q=format_code(lucia.code).lower()) == {lucia.code}
    assert codes(group="host") == {lucia.code}
    assert codes(age_band="12_14") == {lucia.code}
    assert codes(activity_id=activity.id) == {lucia.code}
    assert codes(q="%") == set()  # LIKE wildcards are searched literally


def test_list_pages(db, org, organizer):
    for i in range(7):
        make_participant(db, org, name=f"Person {i}")
    page = service.list_participants(
        session=db, actor=organizer, filters=service.ParticipantFilters(page=9), per_page=3
    )
    assert (page.total, page.pages, page.page, len(page.rows)) == (7, 3, 3, 1)


# --- consent ------------------------------------------------------------------------------------


def test_an_adult_needs_their_own_consent_for_each_purpose(db, org, admin):
    adult = make_participant(db, org, birth_year=1990)
    status = consent.consent_status(adult, [], minor_age=18, today=TODAY)
    assert not status.is_minor and not status.can_participate and not status.can_survey
    assert f"Consent for surveys is missing for {format_code(adult.code)}." in status.missing
    give_consent(db, adult, admin, purposes=["participation", "surveys"])
    status = consent.status_of(session=db, participant=adult)
    assert status.can_participate and status.can_survey and not status.can_share
    consent.require_survey_consent(session=db, participant=adult)  # does not raise


def test_a_minor_without_guardian_consent_cannot_be_surveyed(db, org, admin):
    child = make_minor(db, org)
    give_consent(db, child, admin, kind="assent")
    give_consent(db, child, admin, kind="participant")  # an adult's form does not count for a child
    with pytest.raises(Invalid) as caught:
        consent.require_survey_consent(session=db, participant=child)
    assert f"Guardian consent for surveys is missing for {format_code(child.code)}" in str(
        caught.value.message
    )


def test_a_minor_needs_their_own_assent_too(db, org, admin):
    child = make_minor(db, org)
    give_consent(db, child, admin, kind="guardian", guardian_name="Mother")
    with pytest.raises(Invalid, match="assent for surveys is missing"):
        consent.require_survey_consent(session=db, participant=child)


def test_a_minor_with_guardian_consent_and_assent_can_be_surveyed(db, org, admin):
    child = make_minor(db, org)
    give_consent(db, child, admin, kind="guardian", guardian_name="Mother")
    give_consent(db, child, admin, kind="assent")
    consent.require_survey_consent(session=db, participant=child)
    assert consent.status_of(session=db, participant=child).complete


def test_unknown_age_counts_as_minor_and_minor_age_is_a_setting(db, org):
    seventeen = make_participant(db, org, birth_year=TODAY.year - 17)
    assert consent.consent_status(seventeen, [], minor_age=18, today=TODAY).is_minor
    assert not consent.consent_status(seventeen, [], minor_age=16, today=TODAY).is_minor
    banded = make_participant(db, org, birth_year=None, age_band="15_17")
    assert consent.consent_status(banded, [], minor_age=16, today=TODAY).is_minor


def test_withdrawn_consent_no_longer_counts_and_is_audited(db, org, admin):
    adult = make_participant(db, org)
    given = give_consent(db, adult, admin)
    consent.withdraw_consent(session=db, actor=admin, participant_id=adult.id, consent_id=given.id)
    assert given.withdrawn_at is not None
    with pytest.raises(Invalid, match="Consent for surveys is missing"):
        consent.require_survey_consent(session=db, participant=adult)
    with pytest.raises(Conflict):
        consent.withdraw_consent(
            session=db, actor=admin, participant_id=adult.id, consent_id=given.id
        )
    assert AuditAction.WITHDRAW_CONSENT in audit_actions(db, adult.id)


def test_consent_needs_a_purpose_a_known_kind_and_a_past_date(db, org, admin):
    adult = make_participant(db, org)
    record = dict(session=db, actor=admin, participant_id=adult.id, given_on=TODAY)
    with pytest.raises(Invalid):
        consent.record_consent(**record, kind="participant", purposes=[])
    with pytest.raises(Invalid):
        consent.record_consent(**record, kind="spouse", purposes=["surveys"])
    with pytest.raises(Invalid):
        consent.record_consent(
            **(record | {"given_on": date(2999, 1, 1)}), kind="participant", purposes=["surveys"]
        )


def test_consents_of_another_organization_are_not_found(db, org, admin):
    adult = make_participant(db, org)
    given = give_consent(db, adult, admin)
    stranger = make_user(db, make_org(db), role=Role.ORG_ADMIN)
    with pytest.raises(NotFound):
        consent.list_consents(session=db, actor=stranger, participant_id=adult.id)
    with pytest.raises(NotFound):
        consent.withdraw_consent(
            session=db, actor=stranger, participant_id=adult.id, consent_id=given.id
        )
    with pytest.raises(NotFound):
        give_consent(db, adult, stranger)
    other_adult = make_participant(db, make_org(db))
    with pytest.raises(NotFound):  # a consent id under someone else's participant id
        consent.withdraw_consent(
            session=db, actor=admin, participant_id=other_adult.id, consent_id=given.id
        )


# --- support notes ------------------------------------------------------------------------------


def test_org_admin_reads_the_support_note_and_the_read_is_audited(db, org, admin):
    participant = make_participant(db, org)
    service.save_support_note(
        session=db, actor=admin, participant_id=participant.id, text="Needs an interpreter"
    )
    note = service.read_support_note(session=db, actor=admin, participant_id=participant.id)
    assert note is not None and note.text == "Needs an interpreter"
    entries = db.exec(
        select(AuditEntry).where(
            AuditEntry.subject_id == participant.id,
            AuditEntry.action == AuditAction.VIEW_RESTRICTED,
        )
    ).all()
    assert len(entries) == 1 and entries[0].actor_id == admin.id
    assert "interpreter" not in entries[0].detail


def test_organizer_reads_the_note_only_when_facilitating_an_activity_of_the_participant(
    db, org, admin, organizer
):
    participant = make_participant(db, org)
    service.save_support_note(
        session=db, actor=admin, participant_id=participant.id, text="Unaccompanied minor"
    )
    with pytest.raises(Forbidden):
        service.read_support_note(session=db, actor=organizer, participant_id=participant.id)
    with pytest.raises(Forbidden):
        service.save_support_note(
            session=db, actor=organizer, participant_id=participant.id, text="x"
        )
    activity = service_activity_with_facilitator(db, admin, organizer)
    assert not service.can_read_support_note(session=db, actor=organizer, participant=participant)
    enrol(db, activity, participant)
    assert service.read_support_note(session=db, actor=organizer, participant_id=participant.id)


def service_activity_with_facilitator(db, admin, facilitator):
    from activities import service as activity_service

    return activity_service.create_activity(
        session=db,
        actor=admin,
        fields=activity_service.ActivityFields(title="Huerto", kind="gardening"),
        facilitators=[(facilitator.id, True)],
    )


def test_a_blank_note_deletes_it(db, org, admin):
    participant = make_participant(db, org)
    service.save_support_note(session=db, actor=admin, participant_id=participant.id, text="x")
    service.save_support_note(session=db, actor=admin, participant_id=participant.id, text=" ")
    query = select(SupportNote).where(SupportNote.participant_id == participant.id)
    assert db.exec(query).all() == []


def test_list_queries_never_load_support_notes(db, org, admin):
    participant = make_participant(db, org)
    service.save_support_note(
        session=db, actor=admin, participant_id=participant.id, text="Secret need"
    )
    db.expunge_all()
    page = service.list_participants(session=db, actor=admin, filters=service.ParticipantFilters())
    loaded = [type(obj).__name__ for obj in db.identity_map.values()]
    assert page.total == 1 and "SupportNote" not in loaded
    assert not hasattr(page.rows[0], "support_note")


# --- enrolment ----------------------------------------------------------------------------------


def test_enrol_is_idempotent_and_unenrol_removes(db, org, organizer):
    activity = make_activity(db, organizer)
    participant = make_participant(db, org)
    first = service.enrol(
        session=db, actor=organizer, activity_id=activity.id, participant_id=participant.id
    )
    again = service.enrol(
        session=db, actor=organizer, activity_id=activity.id, participant_id=participant.id
    )
    assert first.id == again.id
    rows = service.list_enrollments(session=db, actor=organizer, activity_id=activity.id)
    assert [p.code for _, p in rows] == [participant.code]
    service.unenrol(
        session=db, actor=organizer, activity_id=activity.id, participant_id=participant.id
    )
    with pytest.raises(NotFound):
        service.unenrol(
            session=db, actor=organizer, activity_id=activity.id, participant_id=participant.id
        )


def test_enrolment_requires_the_same_organization(db, org, organizer):
    activity = make_activity(db, organizer)
    outsider = make_participant(db, make_org(db))
    with pytest.raises(NotFound):
        service.enrol(
            session=db, actor=organizer, activity_id=activity.id, participant_id=outsider.id
        )
    with pytest.raises(NotFound):
        service.add_enrollment(session=db, activity=activity, participant=outsider)
    stranger = make_user(db, make_org(db))
    mine = make_participant(db, org)
    with pytest.raises(NotFound):
        service.enrol(session=db, actor=stranger, activity_id=activity.id, participant_id=mine.id)
    with pytest.raises(NotFound):
        service.list_enrollments(session=db, actor=stranger, activity_id=activity.id)


# --- rights -------------------------------------------------------------------------------------


def test_export_holds_attributes_consents_enrolments_and_the_note_for_admins(db, org, admin):
    participant = make_participant(db, org, name="Omar Haddad", email="omar@example.org")
    give_consent(db, participant, admin, purposes=["participation"])
    activity = make_activity(db, admin, title="Liga mixta", kind="sports")
    enrol(db, activity, participant)
    service.save_support_note(
        session=db, actor=admin, participant_id=participant.id, text="Needs a ride"
    )
    data = rights.export_participant(session=db, actor=admin, participant_id=participant.id)
    assert data["participant"]["code"] == format_code(participant.code)
    assert data["participant"]["name"] == "Omar Haddad"
    assert data["participant"]["email"] == "omar@example.org"
    assert data["consents"][0]["purposes"] == ["participation"]
    assert data["enrollments"][0]["activity"] == "Liga mixta"
    assert data["support_note"] == "Needs a ride"
    actions = audit_actions(db, participant.id)
    assert AuditAction.EXPORT in actions and AuditAction.VIEW_RESTRICTED in actions


def test_export_leaves_out_the_note_for_organizers_who_may_not_read_it(db, org, admin, organizer):
    participant = make_participant(db, org)
    service.save_support_note(session=db, actor=admin, participant_id=participant.id, text="x")
    data = rights.export_participant(session=db, actor=organizer, participant_id=participant.id)
    assert "support_note" not in data


def test_export_sections_from_other_packages_are_included(db, org, admin, monkeypatch):
    participant = make_participant(db, org)
    monkeypatch.setattr(
        rights, "EXPORT_SECTIONS", [("answers", lambda session, p: [{"code": p.code}])]
    )
    data = rights.export_participant(session=db, actor=admin, participant_id=participant.id)
    assert data["answers"] == [{"code": participant.code}]


def test_erasure_removes_the_participant_from_every_table(db, org, admin, monkeypatch):
    participant = make_participant(db, org)
    keep = make_participant(db, org)
    for person in (participant, keep):
        give_consent(db, person, admin)
        service.save_support_note(session=db, actor=admin, participant_id=person.id, text="n")
        enrol(db, make_activity(db, admin), person)
    erased_by_hook = []
    monkeypatch.setattr(rights, "ERASERS", [lambda session, p: erased_by_hook.append(p.id) or 0])
    pid, code = rights.erase_participant(session=db, actor=admin, participant_id=participant.id)
    assert erased_by_hook == [pid]
    for model in (Consent, SupportNote, Enrollment):
        rows = db.exec(select(model).where(model.participant_id == pid)).all()
        assert rows == [], model
        assert db.exec(select(model).where(model.participant_id == keep.id)).all()
    assert db.get(Participant, pid) is None
    for table in metadata.sorted_tables:  # no table anywhere keeps a reference to them
        for fk in table.foreign_keys:
            if fk.column.table.name == "participant":
                count = db.exec(select(fk.parent).where(fk.parent == pid)).all()
                assert count == [], table.name
    entry = db.exec(
        select(AuditEntry).where(
            AuditEntry.action == AuditAction.ERASE, AuditEntry.organization_id == org.id
        )
    ).one()
    assert (entry.subject_id, entry.subject_code) == (pid, code)
    assert participant.name not in entry.detail


def test_erasure_and_export_of_another_organizations_participant_are_not_found(db, org):
    participant = make_participant(db, org)
    stranger = make_user(db, make_org(db), role=Role.ORG_ADMIN)
    with pytest.raises(NotFound):
        rights.export_participant(session=db, actor=stranger, participant_id=participant.id)
    with pytest.raises(NotFound):
        rights.erase_participant(session=db, actor=stranger, participant_id=participant.id)
    assert db.get(Participant, participant.id) is not None


# --- audit log ----------------------------------------------------------------------------------


def test_audit_log_is_for_org_admins_of_the_organization_only(db, org, admin, organizer):
    participant = service.create_participant(session=db, actor=organizer, fields=fields())
    log = service.audit_log(session=db, actor=admin)
    assert [e.subject_code for e in log.entries] == [participant.code]
    with pytest.raises(Forbidden):
        service.audit_log(session=db, actor=organizer)
    other_admin = make_user(db, make_org(db), role=Role.ORG_ADMIN)
    assert service.audit_log(session=db, actor=other_admin).total == 0


def test_consent_kinds_are_the_three_documented(db):
    assert {k.value for k in ConsentKind} == {"participant", "guardian", "assent"}
