"""Participant pages: an organizer registers, imports, records consent and handles rights requests
in the browser without JavaScript (and with htmx where the page uses it)."""

import json

import pytest
from sqlmodel import select

from activities.codes import format_code
from activities.participants import service
from activities.participants.models import Consent, ImportDraft, Participant, SupportNote
from app.accounts.models import Role
from app.audit import AuditAction, AuditEntry
from tests.activities.activity_factories import make_activity
from tests.activities.participant_factories import enrol, give_consent, make_participant
from tests.factories import csrf, login, make_org, make_user, post_form

HX = {"HX-Request": "true"}
CSV = (
    "name,group,birth_year,gender,languages\n"
    'Amina Ejemplo,migrant,1994,woman,"ar, fr"\n'
    "Lucía Ejemplo,host,1980,woman,es\n"
)
BAD_CSV = CSV + "Bad Year,host,1890,man,es\n"


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
def as_admin(client, admin):
    login(client, admin)
    return client


@pytest.fixture
def as_organizer(client, organizer):
    login(client, organizer)
    return client


def upload(client, text, filename="people.csv", headers=None):
    return client.post(
        "/participants/import",
        data={"csrftoken": csrf(client)},
        files={"file": (filename, text.encode(), "text/csv")},
        headers=headers or {},
    )


def form(**overrides):
    return {
        "group": "migrant",
        "name": "Amina Ejemplo",
        "birth_year": "1994",
        "gender": "woman",
        "languages": "ar, fr",
    } | overrides


# --- registry -----------------------------------------------------------------------------------


def test_empty_registry_invites_to_import_or_add(as_organizer):
    page = as_organizer.get("/participants")
    assert page.status_code == 200
    assert "No participants yet" in page.text
    assert 'href="http://testserver/participants/import"' in page.text
    assert 'href="http://testserver/participants/new"' in page.text


def test_nav_and_home_link_to_participants(as_organizer):
    home = as_organizer.get("/")
    assert home.text.count('href="http://testserver/participants"') >= 2
    assert 'href="http://testserver/activities"' in home.text  # the existing item stays


def test_register_then_edit_a_participant(as_organizer, db, org):
    new = as_organizer.get("/participants/new")
    assert new.status_code == 200 and 'name="csrftoken"' in new.text
    assert '<label for="p-group">' in new.text
    created = post_form(as_organizer, "/participants", form())
    assert created.status_code == 303
    participant = db.exec(select(Participant).where(Participant.organization_id == org.id)).one()
    assert created.headers["location"].endswith(f"/participants/{participant.id}")
    page = as_organizer.get(f"/participants/{participant.id}")
    assert format_code(participant.code) in page.text and "Amina Ejemplo" in page.text
    assert "Consent for surveys is missing" in page.text
    saved = post_form(
        as_organizer, f"/participants/{participant.id}/edit", form(name="Amina Nueva")
    )
    assert saved.status_code == 303
    db.refresh(participant)
    assert participant.name == "Amina Nueva"


def test_form_errors_are_shown_per_field_and_the_input_is_kept(as_organizer, db, org):
    response = post_form(
        as_organizer,
        "/participants",
        form(group="", birth_year="1850", email="nope", name="Keep Me"),
    )
    assert response.status_code == 422
    assert 'value="Keep Me"' in response.text and 'value="nope"' in response.text
    assert 'id="err-group"' in response.text and 'id="err-birth_year"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert db.exec(select(Participant).where(Participant.organization_id == org.id)).all() == []


def test_list_searches_and_never_shows_support_notes(as_admin, db, org, admin):
    amina = make_participant(db, org, name="Amina Benali")
    make_participant(db, org, name="Lucía García", group="host")
    service.save_support_note(
        session=db, actor=admin, participant_id=amina.id, text="Unaccompanied minor"
    )
    page = as_admin.get("/participants")
    assert "Amina Benali" in page.text and "Lucía García" in page.text
    assert "Unaccompanied minor" not in page.text
    found = as_admin.get("/participants?q=benali", headers=HX)
    assert "HX-Request" in found.headers["vary"]
    assert "Amina Benali" in found.text and "Lucía García" not in found.text
    assert "Unaccompanied minor" not in found.text
    by_group = as_admin.get("/participants?group=host")
    assert "Lucía García" in by_group.text and "Amina Benali" not in by_group.text


# --- detail: consent, note, enrolment -----------------------------------------------------------


def test_record_and_withdraw_consent_then_erasure_is_offered(as_organizer, db, org):
    participant = make_participant(db, org)
    response = post_form(
        as_organizer,
        f"/participants/{participant.id}/consents",
        {"kind": "participant", "given_on": "2026-01-10", "purposes": "surveys"},
    )
    assert response.status_code == 303
    consent = db.exec(select(Consent).where(Consent.participant_id == participant.id)).one()
    assert consent.purposes == ["surveys"]
    withdrawn = post_form(
        as_organizer, f"/participants/{participant.id}/consents/{consent.id}/withdraw"
    )
    assert withdrawn.status_code == 303 and withdrawn.headers["location"].endswith("#rights")
    page = as_organizer.get(f"/participants/{participant.id}")
    assert "A consent was withdrawn" in page.text
    assert f'href="http://testserver/participants/{participant.id}/erase"' in page.text


def test_a_consent_without_purpose_shows_the_error_on_the_page(as_organizer, db, org):
    participant = make_participant(db, org)
    response = post_form(
        as_organizer,
        f"/participants/{participant.id}/consents",
        {"kind": "participant", "given_on": "2026-01-10"},
    )
    assert response.status_code == 422 and "Tick at least one purpose" in response.text


def test_minor_page_explains_guardian_consent_and_assent(as_organizer, db, org, organizer):
    child = make_participant(db, org, birth_year=service.today().year - 12)
    give_consent(db, child, organizer, kind="guardian", guardian_name="Madre")
    page = as_organizer.get(f"/participants/{child.id}")
    assert "guardian" in page.text and "assent for surveys is missing" in page.text
    assert "No survey link can be sent" in page.text


def test_support_note_is_revealed_on_request_and_the_read_is_logged(as_admin, db, org):
    participant = make_participant(db, org)
    page = as_admin.get(f"/participants/{participant.id}")
    assert "Write a support note" in page.text
    saved = post_form(
        as_admin, f"/participants/{participant.id}/support-note", {"text": "Needs an interpreter"}
    )
    assert saved.status_code == 303
    page = as_admin.get(f"/participants/{participant.id}")
    assert "A support note is recorded" in page.text
    assert "Needs an interpreter" not in page.text  # not shown until opened
    opened = as_admin.get(f"/participants/{participant.id}/support-note", headers=HX)
    assert "Needs an interpreter" in opened.text and "<html" not in opened.text
    reads = db.exec(
        select(AuditEntry).where(
            AuditEntry.subject_id == participant.id,
            AuditEntry.action == AuditAction.VIEW_RESTRICTED,
        )
    ).all()
    assert len(reads) == 1


def test_organizer_who_does_not_facilitate_cannot_see_the_note(as_organizer, db, org, admin):
    participant = make_participant(db, org)
    service.save_support_note(
        session=db, actor=admin, participant_id=participant.id, text="Secret need"
    )
    page = as_organizer.get(f"/participants/{participant.id}")
    assert "Secret need" not in page.text and "visible only to org admins" in page.text
    assert as_organizer.get(f"/participants/{participant.id}/support-note").status_code == 403
    denied = post_form(as_organizer, f"/participants/{participant.id}/support-note", {"text": "x"})
    assert denied.status_code == 403
    note = db.exec(select(SupportNote).where(SupportNote.participant_id == participant.id)).one()
    assert note.text == "Secret need"


def test_enrol_from_the_participant_page(as_organizer, db, org, organizer):
    participant = make_participant(db, org)
    activity = make_activity(db, organizer, title="Huerto compartido", kind="gardening")
    response = post_form(
        as_organizer, f"/participants/{participant.id}/enrolments", {"activity": str(activity.id)}
    )
    assert response.status_code == 303
    page = as_organizer.get(f"/participants/{participant.id}")
    assert "Huerto compartido" in page.text
    filtered = as_organizer.get(f"/participants?activity={activity.id}")
    assert format_code(participant.code) in filtered.text
    removed = post_form(
        as_organizer, f"/participants/{participant.id}/enrolments/{activity.id}/remove"
    )
    assert removed.status_code == 303


# --- rights -------------------------------------------------------------------------------------


def test_export_downloads_json_and_is_logged(as_admin, db, org, admin):
    participant = make_participant(db, org, name="Omar Haddad")
    give_consent(db, participant, admin)
    response = post_form(as_admin, f"/participants/{participant.id}/export")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert "attachment" in response.headers["content-disposition"]
    data = json.loads(response.text)
    assert data["participant"]["name"] == "Omar Haddad"
    assert len(data["consents"]) == 1
    assert (
        AuditAction.EXPORT
        in db.exec(select(AuditEntry.action).where(AuditEntry.subject_id == participant.id)).all()
    )


def test_erasure_needs_the_code_typed_and_then_removes_everything(as_organizer, db, org, admin):
    participant = make_participant(db, org)
    give_consent(db, participant, admin)
    confirm = as_organizer.get(f"/participants/{participant.id}/erase")
    assert confirm.status_code == 200 and "cannot be undone" in confirm.text
    wrong = post_form(as_organizer, f"/participants/{participant.id}/erase", {"confirm_code": "x"})
    assert wrong.status_code == 422
    assert db.get(Participant, participant.id) is not None
    done = post_form(
        as_organizer,
        f"/participants/{participant.id}/erase",
        {"confirm_code": format_code(participant.code).lower()},
    )
    assert done.status_code == 303
    db.expire_all()
    assert db.get(Participant, participant.id) is None
    assert db.exec(select(Consent).where(Consent.participant_id == participant.id)).all() == []


# --- import -------------------------------------------------------------------------------------


def test_template_downloads(as_organizer):
    csv_file = as_organizer.get("/participants/template.csv")
    assert csv_file.status_code == 200 and b"birth_year" in csv_file.content
    xlsx = as_organizer.get("/participants/template.xlsx")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")


def test_import_without_js_preview_then_confirm_then_summary(as_organizer, db, org):
    page = as_organizer.get("/participants/import")
    assert "How rows are matched" in page.text and "birth year" in page.text
    uploaded = upload(as_organizer, CSV)
    assert uploaded.status_code == 303
    preview = as_organizer.get(uploaded.headers["location"])
    assert "2 new" in preview.text and "Confirm the import" in preview.text
    assert db.exec(select(Participant).where(Participant.organization_id == org.id)).all() == []
    draft_id = uploaded.headers["location"].rstrip("/").rsplit("/", 1)[-1]
    confirmed = post_form(as_organizer, f"/participants/import/{draft_id}/confirm")
    assert confirmed.status_code == 303
    summary = as_organizer.get(confirmed.headers["location"])
    assert "Import complete" in summary.text and "2 registered" in summary.text
    listing = as_organizer.get("/participants")
    assert "Amina Ejemplo" in listing.text and "Lucía Ejemplo" in listing.text


def test_import_with_htmx_swaps_the_preview_and_shows_row_errors(as_organizer, db, org):
    response = upload(as_organizer, BAD_CSV, headers=HX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="import-preview"')
    assert "Line 4" in response.text and "1890" in response.text
    assert "Confirm the import" not in response.text
    assert response.headers["HX-Push-Url"].startswith("http://testserver/participants/import/")
    assert db.exec(select(Participant).where(Participant.organization_id == org.id)).all() == []


def test_import_of_a_legal_status_column_is_refused(as_organizer):
    response = upload(as_organizer, "name,group,birth_year,visa\nA,migrant,1990,yes\n")
    preview = as_organizer.get(response.headers["location"])
    assert "never records immigration or legal status" in preview.text
    assert "Confirm the import" not in preview.text


def test_confirming_a_file_with_errors_writes_nothing(as_organizer, db, org):
    uploaded = upload(as_organizer, BAD_CSV)
    draft_id = uploaded.headers["location"].rsplit("/", 1)[-1]
    response = post_form(as_organizer, f"/participants/import/{draft_id}/confirm")
    assert response.status_code == 422
    assert db.exec(select(Participant).where(Participant.organization_id == org.id)).all() == []
    assert db.get(ImportDraft, int(draft_id)) is not None


def test_an_upload_without_a_file_says_so(as_organizer):
    response = as_organizer.post("/participants/import", data={"csrftoken": csrf(as_organizer)})
    assert response.status_code == 422 and "Choose a CSV or XLSX file" in response.text


def test_upload_without_csrf_token_is_refused(as_organizer):
    response = as_organizer.post(
        "/participants/import", files={"file": ("p.csv", CSV.encode(), "text/csv")}
    )
    assert response.status_code == 403


# --- audit log ----------------------------------------------------------------------------------


def test_audit_log_page_is_for_org_admins(as_admin, db, org, admin, client):
    participant = make_participant(db, org)
    give_consent(db, participant, admin)
    page = as_admin.get("/audit-log")
    assert page.status_code == 200 and "Recorded consent" in page.text
    assert format_code(participant.code) in page.text and participant.name not in page.text
    one = as_admin.get(f"/audit-log?participant={participant.id}")
    assert "Showing entries about one participant" in one.text


def test_audit_log_page_is_forbidden_to_organizers(as_organizer):
    assert as_organizer.get("/audit-log").status_code == 403
    assert "Audit log" not in as_organizer.get("/participants").text


# --- organization isolation ---------------------------------------------------------------------

PAGE_ENDPOINTS = [
    ("GET", "/participants/{pid}"),
    ("GET", "/participants/{pid}/edit"),
    ("POST", "/participants/{pid}/edit"),
    ("POST", "/participants/{pid}/consents"),
    ("POST", "/participants/{pid}/consents/{cid}/withdraw"),
    ("GET", "/participants/{pid}/support-note"),
    ("POST", "/participants/{pid}/support-note"),
    ("POST", "/participants/{pid}/enrolments"),
    ("POST", "/participants/{pid}/enrolments/{aid}/remove"),
    ("POST", "/participants/{pid}/export"),
    ("GET", "/participants/{pid}/erase"),
    ("POST", "/participants/{pid}/erase"),
    ("GET", "/participants/import/{did}"),
    ("POST", "/participants/import/{did}/confirm"),
]


@pytest.fixture
def org_a_data(db, org, admin):
    participant = make_participant(db, org, name="Only In A")
    consent = give_consent(db, participant, admin)
    service.save_support_note(session=db, actor=admin, participant_id=participant.id, text="n")
    activity = make_activity(db, admin)
    enrol(db, activity, participant)
    from activities.participants import imports

    draft = imports.create_draft(session=db, actor=admin, filename="a.csv", data=CSV.encode())
    return {"pid": participant.id, "cid": consent.id, "aid": activity.id, "did": draft.id}


@pytest.mark.parametrize(("method", "path"), PAGE_ENDPOINTS)
def test_another_organization_gets_404_on_every_participant_page(
    client, db, org_a_data, method, path
):
    stranger = make_user(db, make_org(db), role=Role.ORG_ADMIN)
    login(client, stranger)
    url = path.format(**org_a_data)
    data = {
        "csrftoken": csrf(client),
        "confirm_code": "",
        "group": "host",
        "birth_year": "1990",
        "kind": "participant",
        "given_on": "2026-01-01",
        "purposes": "surveys",
        "text": "overwritten",
        "activity": str(org_a_data["aid"]),
    }
    response = client.get(url) if method == "GET" else client.post(url, data=data)
    assert response.status_code == 404, (method, url, response.status_code)
    assert "Only In A" not in response.text


def test_another_organization_never_sees_a_participant_in_its_lists(client, db, org_a_data):
    stranger = make_user(db, make_org(db), role=Role.ORG_ADMIN)
    login(client, stranger)
    for url in ("/participants", "/participants?q=only", "/audit-log"):
        response = client.get(url)
        assert response.status_code == 200 and "Only In A" not in response.text
    activity_filter = client.get(f"/participants?activity={org_a_data['aid']}")
    assert activity_filter.status_code == 404


def test_nothing_was_changed_by_the_other_organization(client, db, org_a_data):
    stranger = make_user(db, make_org(db), role=Role.ORG_ADMIN)
    login(client, stranger)
    for method, path in PAGE_ENDPOINTS:
        if method == "POST":
            post_form(client, path.format(**org_a_data), {"text": "x", "confirm_code": ""})
    db.expire_all()
    assert db.get(Participant, org_a_data["pid"]) is not None
    note = db.exec(select(SupportNote).where(SupportNote.participant_id == org_a_data["pid"])).one()
    assert note.text == "n"
    assert db.get(Consent, org_a_data["cid"]).withdrawn_at is None
    assert db.get(ImportDraft, org_a_data["did"]) is not None


def test_a_file_before_the_csrf_token_is_refused(as_organizer, db, org):
    boundary = "encuentro-boundary"
    body = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="p.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
        f"{CSV}\r\n"
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="csrftoken"\r\n\r\n'
        f"{csrf(as_organizer)}\r\n"
        f"--{boundary}--\r\n"
    ).encode()
    response = as_organizer.post(
        "/participants/import",
        content=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 403
    assert db.exec(select(ImportDraft).where(ImportDraft.organization_id == org.id)).all() == []
