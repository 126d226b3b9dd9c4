"""Signing in, roles, staff management and data sharing, through the pages and the API."""

from app.accounts.models import Role
from tests.factories import api_token, login, make_org, make_territory, make_user, post_form


def test_organizer_signs_in_and_sees_their_organization(client, db):
    org = make_org(db, "Casa Abierta")
    user = make_user(db, org)
    login(client, user)
    page = client.get("/")
    assert page.status_code == 200
    assert "Casa Abierta" in page.text


def test_home_redirects_anonymous_visitors_to_login(client):
    response = client.get("/")
    assert response.status_code == 303
    assert response.headers["location"].startswith("http://testserver/login?next=")


def test_wrong_password_is_refused_with_a_clear_message(client, db):
    user = make_user(db, make_org(db))
    response = post_form(client, "/login", {"email": user.email, "password": "wrong-password"})
    assert response.status_code == 401
    assert "Wrong e-mail or password" in response.text
    assert client.get("/").status_code == 303


def test_login_is_throttled_after_repeated_failures(client, db):
    user = make_user(db, make_org(db))
    for _ in range(5):
        post_form(client, "/login", {"email": user.email, "password": "nope-nope-nope"})
    response = post_form(
        client, "/login", {"email": user.email, "password": "correct-horse-battery"}
    )
    assert response.status_code == 429
    assert "Too many failed attempts" in response.text
    api = client.post("/api/v1/auth/token", data={"username": user.email, "password": "x"})
    assert api.status_code == 429


def test_form_without_csrf_token_gets_a_clear_403_page(client, db):
    user = make_user(db, make_org(db))
    client.get("/login")
    response = client.post(
        "/login", data={"email": user.email, "password": "correct-horse-battery"}
    )
    assert response.status_code == 403
    assert "This form has expired" in response.text
    assert client.get("/").status_code == 303  # not signed in


def test_cookieless_post_is_also_protected(client, db):
    response = client.post("/login", data={"email": "a@b.org", "password": "x"})
    assert response.status_code == 403


def test_deactivated_user_cannot_sign_in_and_is_signed_out(client, db):
    org = make_org(db)
    admin = make_user(db, org, role=Role.ORG_ADMIN)
    worker = make_user(db, org)
    headers = api_token(client, worker)
    api_admin = api_token(client, admin)
    response = client.post(f"/api/v1/orgs/{org.id}/staff/{worker.id}/deactivate", headers=api_admin)
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    refused = post_form(
        client, "/login", {"email": worker.email, "password": "correct-horse-battery"}
    )
    assert refused.status_code == 401


def test_org_admin_adds_and_deactivates_staff_through_the_pages(client, db):
    org = make_org(db)
    admin = make_user(db, org, role=Role.ORG_ADMIN)
    login(client, admin)
    added = post_form(
        client,
        f"/orgs/{org.id}/staff",
        {
            "email": "New.Person@Example.org",
            "full_name": "New Person",
            "role": "organizer",
            "password": "long-enough-password",
        },
    )
    assert added.status_code == 303
    page = client.get(f"/orgs/{org.id}/staff")
    assert "new.person@example.org" in page.text
    from sqlmodel import select

    from app.accounts.models import User

    new = db.exec(select(User).where(User.email == "new.person@example.org")).one()
    confirm = client.get(f"/orgs/{org.id}/staff/{new.id}/deactivate")
    assert confirm.status_code == 200 and "Deactivate new.person@example.org?" in confirm.text
    done = post_form(client, f"/orgs/{org.id}/staff/{new.id}/active", {"active": "false"})
    assert done.status_code == 303
    db.refresh(new)
    assert new.is_active is False


def test_staff_form_reports_bad_input_without_losing_it(client, db):
    org = make_org(db)
    login(client, make_user(db, org, role=Role.ORG_ADMIN))
    response = post_form(
        client,
        f"/orgs/{org.id}/staff",
        {
            "email": "someone@example.org",
            "full_name": "Some One",
            "role": "organizer",
            "password": "short",
        },
    )
    assert response.status_code == 422
    assert "at least 10 characters" in response.text
    assert 'value="someone@example.org"' in response.text


def test_organizer_cannot_add_staff(client, db):
    org = make_org(db)
    headers = api_token(client, make_user(db, org))
    body = {"email": "x@example.org", "password": "long-enough-password"}
    response = client.post(f"/api/v1/orgs/{org.id}/staff", json=body, headers=headers)
    assert response.status_code == 403
    assert response.json() == {"detail": "Your role does not allow this."}


def test_other_organizations_staff_is_not_found_on_pages_and_api(client, db):
    org_a, org_b = make_org(db), make_org(db)
    make_user(db, org_b)
    organizer_a = make_user(db, org_a)
    login(client, organizer_a)
    assert client.get(f"/orgs/{org_b.id}/staff").status_code == 404
    headers = api_token(client, organizer_a)
    response = client.get(f"/api/v1/orgs/{org_b.id}/staff", headers=headers)
    assert response.status_code == 404
    assert response.json() == {"detail": "Organization not found."}
    assert client.get(f"/api/v1/orgs/{org_a.id}/staff", headers=headers).status_code == 200


def test_api_requires_a_bearer_token(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "detail" in response.json()
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer forged"}).status_code == 401


def test_api_me_and_password_change_revokes_old_tokens(client, db):
    user = make_user(db, make_org(db))
    headers = api_token(client, user)
    me = client.get("/api/v1/me", headers=headers).json()
    assert me["email"] == user.email and me["role"] == "organizer"
    changed = client.post(
        "/api/v1/me/password",
        json={"current_password": "correct-horse-battery", "new_password": "another-long-password"},
        headers=headers,
    )
    assert changed.status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert api_token(client, user, "another-long-password")


def test_password_change_page_checks_the_current_password(client, db):
    user = make_user(db, make_org(db))
    login(client, user)
    wrong = post_form(
        client,
        "/account/password",
        {
            "current_password": "nope",
            "new_password": "new-long-password",
            "confirm_password": "new-long-password",
        },
    )
    assert wrong.status_code == 422 and "current password is not correct" in wrong.text
    ok = post_form(
        client,
        "/account/password",
        {
            "current_password": "correct-horse-battery",
            "new_password": "new-long-password",
            "confirm_password": "new-long-password",
        },
    )
    assert ok.status_code == 303
    assert client.get("/").status_code == 200  # still signed in on this browser


def test_org_admin_grants_and_revokes_data_sharing(client, db):
    org = make_org(db)
    town = make_territory(db, "Alcalá")
    admin = make_user(db, org, role=Role.ORG_ADMIN)
    headers = api_token(client, admin)
    granted = client.post(
        f"/api/v1/orgs/{org.id}/sharing", json={"territory_id": town.id}, headers=headers
    )
    assert granted.status_code == 201
    assert [
        s["territory_id"]
        for s in client.get(f"/api/v1/orgs/{org.id}/sharing", headers=headers).json()
    ] == [town.id]
    login(client, admin)
    assert "Alcalá" in client.get(f"/orgs/{org.id}/sharing").text
    revoked = post_form(client, f"/orgs/{org.id}/sharing/{town.id}/revoke")
    assert revoked.status_code == 303
    assert client.get(f"/api/v1/orgs/{org.id}/sharing", headers=headers).json() == []


def test_government_viewer_belongs_to_a_territory_and_sees_no_staff_pages(client, db):
    town = make_territory(db)
    viewer = make_user(db, role=Role.GOVERNMENT_VIEWER, territory=town)
    login(client, viewer)
    assert town.name in client.get("/").text
    assert client.get("/orgs/1/staff").status_code == 403


def test_language_switch_is_remembered_on_the_account(client, db):
    user = make_user(db, make_org(db))
    login(client, user)
    switched = post_form(client, "/language", {"language": "es", "next": "/"})
    assert switched.status_code == 303
    db.refresh(user)
    assert user.language == "es"
    assert "Personal" in client.get("/").text  # the navigation, in Spanish


def test_bad_ids_and_unknown_pages_never_give_500(client, db):
    login(client, make_user(db, make_org(db)))
    assert client.get("/orgs/not-a-number/staff").status_code == 422
    missing = client.get("/no/such/page")
    assert missing.status_code == 404 and "This page does not exist." in missing.text
    token = client.post("/api/v1/auth/token", data={"username": "x"})
    assert token.status_code == 422 and "detail" in token.json()


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_every_route_has_a_unique_name(app):
    names = [r.name for r in app.routes if getattr(r, "name", None)]
    assert len(names) == len(set(names)), "url_for would pick the wrong route"


def test_htmx_navigation_gets_only_the_content_and_a_vary_header(client, db):
    user = make_user(db, make_org(db, "Fragmentos"))
    login(client, user)
    fragment = client.get("/", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "Fragmentos" in fragment.text
    assert fragment.headers["vary"].startswith("HX-Request")
    restore = client.get("/", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.text
