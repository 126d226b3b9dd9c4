"""The `encuentro` command, the demo data, and behaviour when the database is down."""

from sqlmodel import Session, select
from typer.testing import CliRunner

from app.accounts.models import Organization, User
from app.cli import cli
from app.db import get_engine, make_engine
from app.demo import seed_demo

runner = CliRunner()


def test_cli_migrates_seeds_and_creates_accounts():
    assert runner.invoke(cli, ["migrate"]).exit_code == 0
    first = runner.invoke(cli, ["seed-demo"])
    assert first.exit_code == 0 and "organizer@demo.encuentro.org" in first.output
    assert runner.invoke(cli, ["create-org", "Red Vecinal"]).exit_code == 0
    duplicate = runner.invoke(cli, ["create-org", "Red Vecinal"])
    assert duplicate.exit_code == 1 and "already exists" in duplicate.output
    assert runner.invoke(cli, ["create-territory", "Ribera", "--kind", "region"]).exit_code == 0
    with Session(get_engine()) as session:
        org = session.exec(select(Organization).where(Organization.name == "Red Vecinal")).one()
    made = runner.invoke(
        cli,
        [
            "create-user",
            "lead@red.org",
            "--role",
            "org_admin",
            "--org",
            str(org.id),
            "--password",
            "a-long-password",
        ],
    )
    assert made.exit_code == 0, made.output
    bad = runner.invoke(
        cli,
        [
            "create-user",
            "v@red.org",
            "--role",
            "government_viewer",
            "--org",
            str(org.id),
            "--password",
            "a-long-password",
        ],
    )
    assert bad.exit_code == 1 and "territory" in bad.output


def test_seed_demo_is_idempotent(db):
    seed_demo(db)
    counts = (len(db.exec(select(User)).all()), len(db.exec(select(Organization)).all()))
    seed_demo(db)
    assert (len(db.exec(select(User)).all()), len(db.exec(select(Organization)).all())) == counts


def test_database_down_gives_503_with_a_kind_message(app, client, monkeypatch):
    from app import db as app_db

    dead = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    monkeypatch.setattr("app.main.get_engine", lambda: dead)
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json()["database"] == "unreachable"

    def dead_session():
        with Session(dead) as session:
            yield session

    app.dependency_overrides[app_db.get_session] = dead_session
    client.cookies.set("encuentro_session", "x")
    page = client.get("/login")  # needs no database: still served
    assert page.status_code == 200
    api = client.post("/api/v1/auth/token", data={"username": "a@b.org", "password": "x"})
    assert api.status_code == 503 and "try again" in api.json()["detail"]
