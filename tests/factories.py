"""Test data builders and small helpers that read like the user's actions."""

from itertools import count

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.accounts import service
from app.accounts.models import Organization, Role, Territory, TerritoryKind, User

PASSWORD = "correct-horse-battery"
_seq = count(1)


def make_org(db: Session, name: str | None = None) -> Organization:
    return service.create_organization(session=db, name=name or f"NGO {next(_seq)}")


def make_territory(db: Session, name: str | None = None) -> Territory:
    return service.create_territory(
        session=db, name=name or f"Town {next(_seq)}", kind=TerritoryKind.MUNICIPALITY
    )


def make_user(
    db: Session,
    org: Organization | None = None,
    *,
    role: Role = Role.ORGANIZER,
    territory: Territory | None = None,
    email: str | None = None,
) -> User:
    return service.create_user(
        session=db,
        email=email or f"user{next(_seq)}@example.org",
        password=PASSWORD,
        role=role,
        organization_id=org.id if org else None,
        territory_id=territory.id if territory else None,
    )


def csrf(client: TestClient) -> str:
    """The CSRF token a page would embed in its forms (the signed cookie's value)."""
    if "csrftoken" not in client.cookies:
        client.get("/login")
    return client.cookies["csrftoken"]


def post_form(client: TestClient, url: str, data: dict[str, str] | None = None, **kwargs):  # type: ignore[no-untyped-def]
    return client.post(url, data={"csrftoken": csrf(client), **(data or {})}, **kwargs)


def login(client: TestClient, user: User, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    response = post_form(client, "/login", {"email": user.email, "password": password})
    assert response.status_code == 303, response.text
    return response


def api_token(client: TestClient, user: User, password: str = PASSWORD) -> dict[str, str]:
    response = client.post(
        "/api/v1/auth/token", data={"username": user.email, "password": password}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
