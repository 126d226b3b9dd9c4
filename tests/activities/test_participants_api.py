"""Participant API (/api/v1): scoped to the organization, notes only where allowed and logged."""

import pytest
from sqlmodel import select

from activities.codes import format_code
from activities.participants import imports, service
from activities.participants.models import Consent, Enrollment, ImportDraft, Participant
from app.accounts.models import Role
from app.audit import AuditAction, AuditEntry
from tests.activities.activity_factories import make_activity
from tests.activities.participant_factories import (
    enrol,
    give_consent,
    make_minor,
    make_participant,
)
from tests.factories import api_token, make_org, make_user

API = "/api/v1"
CSV = "name,group,birth_year\nAmina Ejemplo,migrant,1994\nLucía Ejemplo,host,1980\n"


@pytest.fixture
def org(db):
    return make_org(db)


@pytest.fixture
def admin(db, org):
    return make_user(db, org, role=Role.ORG_ADMIN)


@pytest.fixture
def organizer(db, org):
    return make_user(db, org)


@pytest.fixture
def admin_auth(client, admin):
    return api_token(client, admin)


@pytest.fixture
def organizer_auth(client, organizer):
    return api_token(client, organizer)


def body(**overrides):
    return {
        "group": "migrant",
        "name": "Amina",
        "birth_year": 1994,
        "languages": ["ar"],
    } | overrides


def test_create_get_update_list(client, admin_auth, db, org):
    created = client.post(f"{API}/participants", json=body(), headers=admin_auth)
    assert created.status_code == 201, created.text
    data = created.json()
    assert data["code"][3] == "-" and data["preferred_language"] == "ar"
    pid = data["id"]
    patched = client.patch(
        f"{API}/participants/{pid}", json={"birth_year": 2012}, headers=admin_auth
    )
    assert patched.status_code == 200 and patched.json()["age_band"] in ("12_14", "under_12")
    one = client.get(f"{API}/participants/{pid}", headers=admin_auth).json()
    assert one["consent"]["is_minor"] and not one["consent"]["can_survey"]
    listing = client.get(f"{API}/participants", headers=admin_auth).json()
    assert listing["total"] == 1 and listing["items"][0]["id"] == pid


def test_invalid_input_and_legal_status_fields_are_refused(client, admin_auth):
    bad = client.post(f"{API}/participants", json=body(group="refugee"), headers=admin_auth)
    assert bad.status_code == 422
    years = client.post(f"{API}/participants", json=body(birth_year=1800), headers=admin_auth)
    assert years.status_code == 422 and "Birth year" in years.json()["detail"]
    # Unknown fields such as a legal status are not stored anywhere.
    extra = client.post(
        f"{API}/participants", json=body(legal_status="irregular"), headers=admin_auth
    )
    assert extra.status_code == 201 and "legal_status" not in extra.json()


def test_support_notes_never_appear_in_list_responses(client, admin_auth, db, org, admin):
    participant = make_participant(db, org)
    service.save_support_note(
        session=db, actor=admin, participant_id=participant.id, text="Unaccompanied minor"
    )
    listing = client.get(f"{API}/participants", headers=admin_auth)
    assert "Unaccompanied minor" not in listing.text and "support_note" not in listing.text
    enrolled = make_activity(db, admin)
    enrol(db, enrolled, participant)
    roster = client.get(f"{API}/activities/{enrolled.id}/enrollments", headers=admin_auth)
    assert "Unaccompanied minor" not in roster.text


def test_admin_reads_the_note_in_the_detail_and_the_read_is_logged(
    client, admin_auth, db, org, admin
):
    participant = make_participant(db, org)
    service.save_support_note(
        session=db, actor=admin, participant_id=participant.id, text="Needs interpreter"
    )
    one = client.get(f"{API}/participants/{participant.id}", headers=admin_auth).json()
    assert one["support_note_visible"] and one["support_note"] == "Needs interpreter"
    skipped = client.get(
        f"{API}/participants/{participant.id}?include_support_note=false", headers=admin_auth
    ).json()
    assert skipped["support_note"] is None
    reads = db.exec(
        select(AuditEntry).where(
            AuditEntry.subject_id == participant.id,
            AuditEntry.action == AuditAction.VIEW_RESTRICTED,
        )
    ).all()
    assert len(reads) == 1


def test_organizer_who_is_not_a_facilitator_gets_no_note(client, organizer_auth, db, org, admin):
    participant = make_participant(db, org)
    service.save_support_note(session=db, actor=admin, participant_id=participant.id, text="x")
    one = client.get(f"{API}/participants/{participant.id}", headers=organizer_auth).json()
    assert not one["support_note_visible"] and one["support_note"] is None
    note = client.get(f"{API}/participants/{participant.id}/support-note", headers=organizer_auth)
    assert note.status_code == 403
    put = client.put(
        f"{API}/participants/{participant.id}/support-note",
        json={"text": "y"},
        headers=organizer_auth,
    )
    assert put.status_code == 403


def test_consents_add_list_withdraw(client, organizer_auth, db, org):
    child = make_minor(db, org)
    url = f"{API}/participants/{child.id}/consents"
    guardian = {"kind": "guardian", "purposes": ["surveys"], "given_on": "2026-01-10"}
    assert client.post(url, json=guardian, headers=organizer_auth).status_code == 201
    assent = client.post(url, json=guardian | {"kind": "assent"}, headers=organizer_auth)
    assert assent.status_code == 201
    status = client.get(f"{API}/participants/{child.id}", headers=organizer_auth).json()
    assert status["consent"]["can_survey"] and not status["consent"]["can_participate"]
    withdrawn = client.post(f"{url}/{assent.json()['id']}/withdraw", headers=organizer_auth)
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_at"]
    after = client.get(f"{API}/participants/{child.id}", headers=organizer_auth).json()
    assert not after["consent"]["can_survey"]
    assert f"assent for surveys is missing for {format_code(child.code)}" in " ".join(
        after["consent"]["missing"]
    )
    assert len(client.get(url, headers=organizer_auth).json()) == 2
    empty = client.post(url, json=guardian | {"purposes": []}, headers=organizer_auth)
    assert empty.status_code == 422


def test_export_and_erase(client, admin_auth, db, org, admin):
    participant = make_participant(db, org, name="Omar")
    give_consent(db, participant, admin)
    exported = client.get(f"{API}/participants/{participant.id}/export", headers=admin_auth)
    assert exported.status_code == 200 and exported.json()["participant"]["name"] == "Omar"
    erased = client.delete(f"{API}/participants/{participant.id}", headers=admin_auth)
    assert erased.status_code == 204
    db.expire_all()
    assert db.get(Participant, participant.id) is None
    assert db.exec(select(Consent).where(Consent.participant_id == participant.id)).all() == []
    gone = client.get(f"{API}/participants/{participant.id}", headers=admin_auth)
    assert gone.status_code == 404


def test_import_preview_then_confirm_with_enrolment(client, organizer_auth, db, org, organizer):
    activity = make_activity(db, organizer)
    preview = client.post(
        f"{API}/participants/import",
        files={"file": ("people.csv", CSV.encode(), "text/csv")},
        headers=organizer_auth,
    )
    assert preview.status_code == 201, preview.text
    data = preview.json()
    assert data["ok"] and data["creatable"] == 2 and data["matching_rule"]
    again = client.get(f"{API}/participants/import/{data['draft_id']}", headers=organizer_auth)
    assert again.json()["creatable"] == 2
    confirmed = client.post(
        f"{API}/participants/import/{data['draft_id']}/confirm",
        json={"activity_id": activity.id},
        headers=organizer_auth,
    )
    assert confirmed.status_code == 200 and len(confirmed.json()["created"]) == 2
    assert confirmed.json()["enrolled"] == 2
    roster = client.get(f"{API}/activities/{activity.id}/enrollments", headers=organizer_auth)
    assert len(roster.json()) == 2


def test_import_with_bad_rows_reports_them_and_confirm_writes_nothing(
    client, organizer_auth, db, org
):
    bad = CSV + "Bad,tourist,1990\nOld,host,1850\n"
    data = client.post(
        f"{API}/participants/import",
        files={"file": ("people.csv", bad.encode(), "text/csv")},
        headers=organizer_auth,
    ).json()
    errors = {r["line"]: r["errors"] for r in data["rows"] if r["action"] == "error"}
    assert set(errors) == {4, 5}
    confirm = client.post(
        f"{API}/participants/import/{data['draft_id']}/confirm", headers=organizer_auth
    )
    assert confirm.status_code == 422
    assert db.exec(select(Participant).where(Participant.organization_id == org.id)).all() == []


def test_template_download(client, organizer_auth):
    csv_file = client.get(f"{API}/participants/import/template", headers=organizer_auth)
    assert csv_file.status_code == 200 and b"group" in csv_file.content
    xlsx = client.get(f"{API}/participants/import/template?format=xlsx", headers=organizer_auth)
    assert xlsx.content.startswith(b"PK")


def test_enrolments_add_and_remove(client, organizer_auth, db, org, organizer):
    activity = make_activity(db, organizer)
    people = [make_participant(db, org) for _ in range(3)]
    url = f"{API}/activities/{activity.id}/enrollments"
    added = client.post(
        url, json={"participant_ids": [p.id for p in people]}, headers=organizer_auth
    )
    assert added.status_code == 201 and len(added.json()) == 3
    removed = client.delete(f"{url}/{people[0].id}", headers=organizer_auth)
    assert removed.status_code == 204
    assert len(client.get(url, headers=organizer_auth).json()) == 2


def test_audit_log_api_is_for_org_admins(client, admin_auth, organizer_auth, db, org, admin):
    participant = make_participant(db, org)
    give_consent(db, participant, admin)
    log = client.get(f"{API}/audit-log", headers=admin_auth)
    assert log.status_code == 200
    assert log.json()["items"][0]["action"] == "consent"
    assert log.json()["items"][0]["subject_code"] == format_code(participant.code)
    assert client.get(f"{API}/audit-log", headers=organizer_auth).status_code == 403


# --- organization isolation ---------------------------------------------------------------------


@pytest.fixture
def org_a(db, org, admin):
    participant = make_participant(db, org, name="Only In A")
    consent = give_consent(db, participant, admin)
    service.save_support_note(session=db, actor=admin, participant_id=participant.id, text="n")
    activity = make_activity(db, admin)
    enrol(db, activity, participant)
    draft = imports.create_draft(session=db, actor=admin, filename="a.csv", data=CSV.encode())
    return {"pid": participant.id, "cid": consent.id, "aid": activity.id, "did": draft.id}


ENDPOINTS = [
    ("GET", "/participants/{pid}", None),
    ("PATCH", "/participants/{pid}", {"name": "Hijacked"}),
    ("DELETE", "/participants/{pid}", None),
    ("GET", "/participants/{pid}/export", None),
    ("GET", "/participants/{pid}/support-note", None),
    ("PUT", "/participants/{pid}/support-note", {"text": "Hijacked"}),
    ("GET", "/participants/{pid}/consents", None),
    (
        "POST",
        "/participants/{pid}/consents",
        {"kind": "participant", "purposes": ["surveys"], "given_on": "2026-01-01"},
    ),
    ("POST", "/participants/{pid}/consents/{cid}/withdraw", None),
    ("GET", "/participants/import/{did}", None),
    ("POST", "/participants/import/{did}/confirm", {}),
    ("GET", "/activities/{aid}/enrollments", None),
    ("POST", "/activities/{aid}/enrollments", {"participant_ids": ["{pid}"]}),
    ("DELETE", "/activities/{aid}/enrollments/{pid}", None),
    ("GET", "/participants?activity_id={aid}", None),
]


@pytest.mark.parametrize(("method", "path", "payload"), ENDPOINTS)
def test_another_organization_gets_404_on_every_participant_endpoint(
    client, db, org_a, method, path, payload
):
    stranger = make_user(db, make_org(db), role=Role.ORG_ADMIN)
    auth = api_token(client, stranger)
    if payload and "participant_ids" in payload:
        payload = {"participant_ids": [org_a["pid"]]}
    response = client.request(method, API + path.format(**org_a), json=payload, headers=auth)
    assert response.status_code == 404, (method, path, response.text)
    assert "Only In A" not in response.text


def test_the_other_organization_changed_nothing_and_sees_nothing(client, db, org_a):
    stranger = make_user(db, make_org(db), role=Role.ORG_ADMIN)
    auth = api_token(client, stranger)
    for method, path, payload in ENDPOINTS:
        if payload and "participant_ids" in payload:
            payload = {"participant_ids": [org_a["pid"]]}
        client.request(method, API + path.format(**org_a), json=payload, headers=auth)
    listing = client.get(f"{API}/participants?q=only", headers=auth).json()
    assert listing["total"] == 0
    log = client.get(f"{API}/audit-log", headers=auth).json()
    assert all(item["subject_id"] != org_a["pid"] for item in log["items"])
    db.expire_all()
    participant = db.get(Participant, org_a["pid"])
    assert participant is not None and participant.name == "Only In A"
    assert db.get(Consent, org_a["cid"]).withdrawn_at is None
    assert db.get(ImportDraft, org_a["did"]) is not None
    assert db.exec(select(Enrollment).where(Enrollment.participant_id == org_a["pid"])).all()


def test_the_api_needs_a_token(client, org_a):
    assert client.get(f"{API}/participants").status_code == 401
    assert client.get(f"{API}/participants/{org_a['pid']}").status_code == 401
