"""The survey API: organizer endpoints scoped to the organization, and the token-authenticated
participant flow with the same guarantees as the pages."""

import io
import secrets
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from surveys import api as surveys_api
from surveys import links, service
from surveys.models import Answer, Response
from tests.factories import api_token, make_org, make_user
from tests.surveys.survey_factories import add_person, issue, make_survey, make_world, waves


@pytest.fixture
def world(db):
    return make_world(db)


def test_an_organizer_sets_up_a_survey_and_issues_links(client, db, world):
    person = add_person(db, world)
    auth = api_token(client, world.organizer)
    bank = client.get("/api/v1/instruments/bank", headers=auth).json()
    assert {s["id"] for s in bank["scales"]} >= {"trust", "thermometer", "anxiety"}
    assert set(bank["languages"]) == {"en", "es", "fr", "ar"}
    created = client.post(
        f"/api/v1/activities/{world.activity.id}/survey",
        json={"title": "Antes y después", "scales": ["thermometer", "trust"]},
        headers=auth,
    )
    assert created.status_code == 201, created.text
    survey = created.json()
    assert survey["current_version"] == 1 and [w["kind"] for w in survey["waves"]] == [
        "pre",
        "post",
    ]
    pre = survey["waves"][0]["id"]
    today = service.today()
    dates = {
        "opens_on": str(today - timedelta(days=1)),
        "closes_on": str(today + timedelta(days=9)),
    }
    opened = client.patch(f"/api/v1/waves/{pre}", json=dates, headers=auth)
    assert opened.json()["state"] == "open"
    item = client.post(
        f"/api/v1/surveys/{survey['id']}/instrument/items",
        json={"text": {"en": "I would cook again with {outgroup}."}, "format": "yesno"},
        headers=auth,
    )
    assert item.status_code == 201 and item.json()["items"][-1]["id"] == "own_1"
    sheet = client.post(f"/api/v1/waves/{pre}/links", json={}, headers=auth).json()
    assert [link["participant_id"] for link in sheet["links"]] == [person.id]
    url = sheet["links"][0]["url"]
    assert url.startswith("http://testserver/s/") and len(sheet["links"][0]["token"]) == 43
    progress = client.get(f"/api/v1/surveys/{survey['id']}/progress", headers=auth).json()
    assert (progress[0]["kind"], progress[0]["invited"], progress[0]["started"]) == ("pre", 1, 0)
    pending = client.get(f"/api/v1/waves/{pre}/pending", headers=auth).json()
    assert [p["participant_id"] for p in pending] == [person.id]
    revoked = client.post(f"/api/v1/links/{sheet['links'][0]['id']}/revoke", headers=auth).json()
    assert revoked["revoked"]
    reissued = client.post(f"/api/v1/links/{sheet['links'][0]['id']}/reissue", headers=auth).json()
    assert not reissued["revoked"] and reissued["token"] != sheet["links"][0]["token"]
    versions = client.get(f"/api/v1/surveys/{survey['id']}/versions", headers=auth).json()
    assert [v["number"] for v in versions] == [1] and not versions[0]["frozen"]
    raw = client.get(f"/api/v1/surveys/{survey['id']}/answers?format=csv", headers=auth)
    assert raw.status_code == 200 and raw.text.startswith("\ufeffresponse_id,wave,respondent")
    form = client.get(f"/api/v1/surveys/{survey['id']}/xlsform", headers=auth)
    assert load_workbook(io.BytesIO(form.content)).sheetnames == ["survey", "choices", "settings"]


def test_a_consent_blocked_participant_is_refused_with_the_reason(client, db, world):
    blocked = add_person(db, world, consent=False)
    survey = make_survey(db, world)
    auth = api_token(client, world.organizer)
    refused = client.post(
        f"/api/v1/waves/{waves(db, survey)['pre'].id}/links",
        json={"participant_ids": [blocked.id]},
        headers=auth,
    )
    assert refused.status_code == 422
    assert "Consent for surveys is missing for" in refused.json()["detail"]


def test_the_participant_flow_over_json(client, db, world):
    person = add_person(db, world, group="host")
    survey = make_survey(db, world, scales=["thermometer", "trust"])
    token = issue(db, world, waves(db, survey)["pre"])[person.id]
    shown = client.get(f"/api/v1/respond/{token}?lang=fr").json()
    assert shown["state"] == "open" and shown["direction"] == "ltr"
    assert "les personnes arrivées d'autres pays" in shown["pages"][0][0]["text"]
    started = client.post(f"/api/v1/respond/{token}/start", json={"language": "ar"}).json()
    assert started["state"] == "started" and started["direction"] == "rtl"
    again = client.post(f"/api/v1/respond/{token}/start", json={"language": "ar"})
    assert again.status_code == 200
    bad = client.put(f"/api/v1/respond/{token}/answers", json={"answers": {"trust_1": 9}})
    assert bad.status_code == 422 and "outside 1-5" in bad.json()["detail"]
    unknown = client.put(f"/api/v1/respond/{token}/answers", json={"answers": {"x": 1}})
    assert unknown.status_code == 422
    saved = client.put(f"/api/v1/respond/{token}/answers", json={"answers": {"therm_1": 70}})
    assert saved.json() == {"saved": 1}
    missing = client.post(f"/api/v1/respond/{token}/submit", json={"answers": {"trust_1": 4}})
    assert missing.status_code == 422 and "trust_2" in missing.json()["detail"]
    full = {"trust_1": 4, "trust_2": 4, "trust_3": 2, "trust_4": 5}
    submits = [
        client.post(f"/api/v1/respond/{token}/submit", json={"answers": full}) for _ in range(3)
    ]
    assert [s.json()["status"] for s in submits] == [
        "received",
        "already_received",
        "already_received",
    ]
    response = db.exec(select(Response).where(Response.participant_id == person.id)).one()
    assert response.source == "api" and response.language == "ar"
    answers = db.exec(select(Answer).where(Answer.response_id == response.id)).all()
    assert {a.item_id: a.value for a in answers} == full | {"therm_1": 70}
    late = client.put(f"/api/v1/respond/{token}/answers", json={"answers": {"therm_1": 0}})
    assert late.status_code == 409
    assert client.get("/api/v1/respond/" + "B" * 43).status_code == 404


def test_an_anonymous_respondent_over_json(client, db, world):
    survey = make_survey(db, world, anonymous=True, scales=["thermometer"])
    pre = waves(db, survey)["pre"]
    public = links.token_of(links.public_link(session=db, actor=world.organizer, wave_id=pre.id))
    key = secrets.token_urlsafe(24)
    body = {
        "mother": "Ana",
        "day": "9",
        "siblings": "0",
        "birthplace": "Cali",
        "group": "host",
        "idempotency_key": key,
    }
    first = client.post(f"/api/v1/respond/{public}/anonymous", json=body).json()
    second = client.post(f"/api/v1/respond/{public}/anonymous", json=body).json()
    assert first == second
    taken = client.post(
        f"/api/v1/respond/{public}/anonymous",
        json=body | {"idempotency_key": secrets.token_urlsafe(24)},
    )
    assert taken.status_code == 409
    done = client.post(
        f"/api/v1/respond/{first['resume_token']}/submit", json={"answers": {"therm_1": 60}}
    )
    assert done.json()["status"] == "received"


def _organizer_calls(db, world):
    """Every organizer endpoint, with another organization's ids and a valid body."""
    person = add_person(db, world)
    survey = make_survey(db, world)
    pre = waves(db, survey)["pre"]
    issue(db, world, pre)
    link = links.find_link(session=db, token=issue(db, world, pre)[person.id])
    s, w, a = survey.id, pre.id, world.activity.id
    return [
        ("GET", f"/api/v1/activities/{a}/survey", None),
        ("POST", f"/api/v1/activities/{a}/survey", {}),
        ("GET", f"/api/v1/surveys/{s}", None),
        ("PATCH", f"/api/v1/surveys/{s}", {"title": "x"}),
        ("GET", f"/api/v1/surveys/{s}/instrument", None),
        ("GET", f"/api/v1/surveys/{s}/versions", None),
        ("GET", f"/api/v1/surveys/{s}/versions/1", None),
        ("PUT", f"/api/v1/surveys/{s}/instrument/scales", {"scales": ["trust"]}),
        ("POST", f"/api/v1/surveys/{s}/instrument/items", {"text": {"en": "x"}}),
        ("PUT", f"/api/v1/surveys/{s}/instrument/items/own_1", {"text": {"en": "x"}}),
        ("DELETE", f"/api/v1/surveys/{s}/instrument/items/own_1", None),
        ("GET", f"/api/v1/surveys/{s}/xlsform", None),
        ("GET", f"/api/v1/surveys/{s}/answers", None),
        ("GET", f"/api/v1/surveys/{s}/waves", None),
        (
            "POST",
            f"/api/v1/surveys/{s}/waves",
            {"kind": "follow_up", "opens_on": "2030-01-01", "closes_on": "2030-02-01"},
        ),
        ("PATCH", f"/api/v1/waves/{w}", {"opens_on": "2030-01-01", "closes_on": "2030-02-01"}),
        ("DELETE", f"/api/v1/waves/{w}", None),
        ("GET", f"/api/v1/surveys/{s}/progress", None),
        ("GET", f"/api/v1/waves/{w}/pending", None),
        ("GET", f"/api/v1/waves/{w}/links", None),
        ("POST", f"/api/v1/waves/{w}/links", {}),
        ("POST", f"/api/v1/waves/{w}/public-link", None),
        ("POST", f"/api/v1/links/{link.id}/revoke", None),
        ("POST", f"/api/v1/links/{link.id}/reissue", None),
        ("POST", f"/api/v1/waves/{w}/import", "file"),
    ]


def test_every_organizer_endpoint_is_scoped_to_the_organization(client, db, world):
    calls = _organizer_calls(db, world)
    routes = {
        (method, route.path)
        for route in surveys_api.router.routes
        for method in route.methods  # type: ignore[attr-defined]
    }
    covered = {(m, p) for m, p, _ in calls}
    assert len(covered) == len(routes) - 2  # all but the bank and the organization's own list
    stranger = make_user(db, make_org(db))
    auth = api_token(client, stranger)
    for method, path, body in calls:
        if body == "file":
            answer = client.post(
                path, files={"file": ("x.csv", b"participant_code\n")}, headers=auth
            )
        else:
            answer = client.request(method, path, json=body, headers=auth)
        assert answer.status_code == 404, (method, path, answer.status_code, answer.text)
    assert client.get("/api/v1/surveys", headers=auth).json() == []
    anonymous = client.get(calls[2][1])
    assert anonymous.status_code == 401
