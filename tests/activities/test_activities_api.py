"""The activities JSON API: CRUD, sessions, assessment, bad input and organization isolation."""

import pytest

from tests.factories import api_token, make_org, make_user

ACTIVITY = {
    "title": "Liga de barrio",
    "kind": "sports",
    "start_date": "2027-01-04",
    "end_date": "2027-06-30",
    "target_migrants": 12,
    "target_locals": 12,
}
WEEKLY = {
    "frequency": "weekly",
    "start_date": "2027-01-04",
    "weekday": 2,
    "start_time": "18:30",
    "duration_minutes": 120,
    "count": 10,
}


@pytest.fixture
def org(db):
    return make_org(db)


@pytest.fixture
def organizer(db, org):
    return make_user(db, org)


@pytest.fixture
def headers(client, organizer):
    return api_token(client, organizer)


def create(client, headers, **overrides):
    response = client.post("/api/v1/activities", json=ACTIVITY | overrides, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def principle(design, number):
    return next(p for p in design["principles"] if p["number"] == number)


def test_create_read_update_and_list_an_activity(client, headers, organizer):
    created = create(
        client,
        headers,
        from_template=True,
        facilitators=[{"user_id": organizer.id, "trained": True}],
        partners=[{"name": "Ayuntamiento", "type": "local_government", "role": "pitch"}],
    )
    assert created["status"] == "draft" and created["design_score"] is None
    assert "tournament" in created["shared_goal"]  # from the sports template
    assert created["facilitators"][0]["trained"] is True
    assert created["partners"][0]["name"] == "Ayuntamiento"
    url = f"/api/v1/activities/{created['id']}"
    assert client.get(url, headers=headers).json()["title"] == "Liga de barrio"
    patched = client.patch(url, json={"title": "Liga mixta", "target_locals": 15}, headers=headers)
    assert patched.status_code == 200
    assert patched.json()["title"] == "Liga mixta" and patched.json()["kind"] == "sports"
    assert patched.json()["target_locals"] == 15 and patched.json()["target_migrants"] == 12
    cleared = client.patch(url, json={"end_date": None, "title": None}, headers=headers)
    assert cleared.status_code == 200
    assert cleared.json()["end_date"] is None and cleared.json()["title"] == "Liga mixta"
    listing = client.get("/api/v1/activities", headers=headers).json()
    assert listing["total"] == 1 and listing["items"][0]["title"] == "Liga mixta"
    assert listing["items"][0]["session_count"] == 0


def test_status_transitions_and_a_refused_jump(client, headers):
    activity = create(client, headers)
    url = f"/api/v1/activities/{activity['id']}/status"
    assert client.post(url, json={"status": "planned"}, headers=headers).json()["status"] == (
        "planned"
    )
    jump = client.post(url, json={"status": "completed"}, headers=headers)
    assert jump.status_code == 409
    assert jump.json() == {
        "detail": "The activity cannot move to this status from its current one."
    }
    assert client.post(url, json={"status": "flying"}, headers=headers).status_code == 422


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"end_date": "2026-12-01"}, "The end date is before the start date."),
        ({"target_migrants": -4}, "Target numbers of participants must be between 0 and 100000."),
        ({"title": "   "}, "The activity needs a title."),
    ],
)
def test_bad_activity_input_gets_a_clear_message(client, headers, body, message):
    response = client.post("/api/v1/activities", json=ACTIVITY | body, headers=headers)
    assert response.status_code == 422
    assert response.json() == {"detail": message}


def test_unknown_kind_and_bad_dates_are_422(client, headers):
    kind = client.post("/api/v1/activities", json=ACTIVITY | {"kind": "bungee"}, headers=headers)
    assert kind.status_code == 422 and "kind" in kind.json()["detail"][0]["loc"]
    bad_date = client.post(
        "/api/v1/activities", json=ACTIVITY | {"start_date": "2027-02-30"}, headers=headers
    )
    assert bad_date.status_code == 422 and "start_date" in bad_date.json()["detail"][0]["loc"]


def test_unknown_facilitator_is_refused(client, headers, db):
    activity = create(client, headers)
    stranger = make_user(db, make_org(db))
    for user_id in (stranger.id, 999999):
        response = client.put(
            f"/api/v1/activities/{activity['id']}/facilitators/{user_id}",
            json={"trained": True},
            headers=headers,
        )
        assert response.status_code == 422
        assert response.json() == {
            "detail": "A facilitator must be an active staff member of your organization."
        }


def test_a_refused_facilitator_leaves_no_half_created_activity(client, headers, db):
    stranger = make_user(db, make_org(db))
    body = ACTIVITY | {"facilitators": [{"user_id": stranger.id, "trained": True}]}
    response = client.post("/api/v1/activities", json=body, headers=headers)
    assert response.status_code == 422
    assert client.get("/api/v1/activities?status=all", headers=headers).json()["total"] == 0


def test_weekly_sessions_via_the_api_raise_principle_six(client, headers):
    activity = create(client, headers)
    base = f"/api/v1/activities/{activity['id']}"
    before = client.get(f"{base}/assessment", headers=headers).json()
    made = client.post(f"{base}/sessions/recurring", json=WEEKLY, headers=headers)
    assert made.status_code == 201
    sessions = made.json()
    assert len(sessions) == 10 and sessions[0]["date"] == "2027-01-06"  # first Wednesday
    assert len({s["series_id"] for s in sessions}) == 1 and sessions[0]["frequency"] == "weekly"
    after = client.get(f"{base}/assessment", headers=headers).json()
    assert principle(after, 6)["score"] > principle(before, 6)["score"] == 0
    derived = {q["id"]: q["answer"] for q in principle(after, 6)["questions"] if q["derived"]}
    assert derived["p6_sessions"] == 10 and derived["p6_hours"] == 20
    assert client.get(f"/api/v1/activities/{activity['id']}", headers=headers).status_code == 200
    listing = client.get("/api/v1/activities", headers=headers).json()
    assert listing["items"][0]["session_count"] == 10


@pytest.mark.parametrize("count", [0, 500])
def test_zero_or_five_hundred_sessions_get_a_clear_422(client, headers, count):
    activity = create(client, headers)
    response = client.post(
        f"/api/v1/activities/{activity['id']}/sessions/recurring",
        json=WEEKLY | {"count": count},
        headers=headers,
    )
    assert response.status_code == 422
    assert response.json() == {"detail": "The number of sessions must be between 1 and 200."}


def test_single_session_edit_and_cancel(client, headers):
    activity = create(client, headers)
    base = f"/api/v1/activities/{activity['id']}/sessions"
    one = {"date": "2027-02-01", "start_time": "10:00", "duration_minutes": 90}
    added = client.post(base, json=one, headers=headers)
    assert added.status_code == 201 and added.json()["series_id"] is None
    sid = added.json()["id"]
    moved = client.put(f"{base}/{sid}", json=one | {"date": "2027-02-02"}, headers=headers)
    assert moved.json()["date"] == "2027-02-02"
    outside = client.put(f"{base}/{sid}", json=one | {"date": "2028-01-01"}, headers=headers)
    assert outside.status_code == 422 and "end date" in outside.json()["detail"]
    cancelled = client.post(f"{base}/{sid}/cancel", headers=headers)
    assert cancelled.json()["status"] == "cancelled"
    assert client.post(f"{base}/{sid}/cancel", headers=headers).status_code == 409
    assert client.get(base, headers=headers).json()[0]["status"] == "cancelled"


def test_partners_raise_principle_seven_and_can_be_removed(client, headers):
    activity = create(client, headers)
    base = f"/api/v1/activities/{activity['id']}"
    assert principle(client.get(f"{base}/assessment", headers=headers).json(), 7)["score"] == 0
    partner = client.post(
        f"{base}/partners", json={"name": "Radio Sur", "type": "media"}, headers=headers
    )
    assert partner.status_code == 201
    assert principle(client.get(f"{base}/assessment", headers=headers).json(), 7)["score"] > 0
    bad = client.post(f"{base}/partners", json={"name": "X", "type": "church"}, headers=headers)
    assert bad.status_code == 422 and bad.json()["detail"] == "Unknown type of partner institution."
    gone = client.delete(f"{base}/partners/{partner.json()['id']}", headers=headers)
    assert gone.status_code == 204


def test_preview_scores_without_saving_and_history_keeps_each_save(client, headers):
    activity = create(client, headers)
    base = f"/api/v1/activities/{activity['id']}"
    answers = {"p1_enjoyable": "yes", "p1_interdependence": "yes", "p6_commitment": 90}
    preview = client.post(f"{base}/assessment/preview", json={"answers": answers}, headers=headers)
    assert preview.status_code == 200
    body = preview.json()
    assert principle(body, 1)["score"] > 0 and body["saved_assessment_id"] is None
    assert len(body["principles"]) == 7 and len(body["recommendations"]) == 2
    assert body["recommendations"][0]["principle"] == body["weakest"][0]
    assert body["recommendations"][0]["recommendations"]
    assert client.get(f"{base}/assessments", headers=headers).json() == []

    first = client.post(f"{base}/assessments", json={"answers": answers}, headers=headers)
    second = client.post(
        f"{base}/assessments",
        json={"answers": answers | {"p2_both_cultures": "yes"}},
        headers=headers,
    )
    assert first.status_code == second.status_code == 201
    history = client.get(f"{base}/assessments", headers=headers).json()
    assert [h["id"] for h in history] == [second.json()["id"], first.json()["id"]]
    assert history[0]["scores"]["2"] > history[1]["scores"]["2"]
    current = client.get(f"{base}/assessment", headers=headers).json()
    assert current["saved_assessment_id"] == second.json()["id"]
    assert current["answers"]["p2_both_cultures"] == "yes"
    assert client.get(base, headers=headers).json()["design_score"] == history[0]["overall"]

    wrong = client.post(
        f"{base}/assessments", json={"answers": {"p1_enjoyable": "maybe"}}, headers=headers
    )
    assert wrong.status_code == 422 and "yes, partly or no" in wrong.json()["detail"]


def test_rubric_and_templates_are_published_in_the_users_language(client, headers, organizer, db):
    rubric = client.get("/api/v1/design-rubric", headers=headers).json()
    assert len(rubric["principles"]) == 7 and rubric["questions"] and rubric["scoring"]
    templates = client.get("/api/v1/activity-templates", headers=headers).json()
    assert {t["kind"] for t in templates} >= {"sports", "cooking", "language_exchange", "other"}
    client.put("/api/v1/me/language", json={"language": "es"}, headers=headers)
    spanish = client.get("/api/v1/design-rubric", headers=headers).json()
    assert spanish["principles"][0]["name"] == "Divertida y con una meta común"


def test_other_organizations_activity_is_404_on_every_endpoint(client, db, headers):
    mine = create(client, headers)
    other = make_user(db, make_org(db))
    theirs = api_token(client, other)
    base = f"/api/v1/activities/{mine['id']}"
    one = {"date": "2027-02-01", "start_time": "10:00", "duration_minutes": 90}
    calls = [
        ("get", base, None),
        ("patch", base, {"title": "Mine now"}),
        ("post", f"{base}/status", {"status": "planned"}),
        ("put", f"{base}/facilitators/{other.id}", {"trained": True}),
        ("delete", f"{base}/facilitators/{other.id}", None),
        ("post", f"{base}/partners", {"name": "X", "type": "media"}),
        ("delete", f"{base}/partners/1", None),
        ("get", f"{base}/sessions", None),
        ("post", f"{base}/sessions", one),
        ("post", f"{base}/sessions/recurring", WEEKLY),
        ("get", f"{base}/assessment", None),
        ("post", f"{base}/assessment/preview", {"answers": {}}),
        ("post", f"{base}/assessments", {"answers": {}}),
        ("get", f"{base}/assessments", None),
    ]
    for method, url, body in calls:
        kwargs = {"json": body} if body is not None else {}
        response = client.request(method.upper(), url, headers=theirs, **kwargs)
        assert response.status_code == 404, (method, url, response.text)
        assert response.json() == {"detail": "Activity not found."}
    assert client.get("/api/v1/activities?status=all", headers=theirs).json()["total"] == 0
    assert client.get(base, headers=headers).json()["title"] == "Liga de barrio"


def test_the_api_needs_a_token(client):
    assert client.get("/api/v1/activities").status_code == 401


def test_the_openapi_document_lists_the_activity_endpoints(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/v1/activities" in paths
    assert "/api/v1/activities/{activity_id}/assessment/preview" in paths
    assert "/api/v1/activities/{activity_id}/sessions/recurring" in paths
