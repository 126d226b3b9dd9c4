"""`encuentro backup` and `encuentro restore`: a round trip gives back every row, a database that
holds data is only replaced when asked, and every outcome says what happened. On SQLite and, when
TEST_DATABASE_URL is set, on PostgreSQL (pg_dump / pg_restore), each test on its own databases."""

import sqlite3
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, select
from typer.testing import CliRunner

from app import backup
from app.accounts import service
from app.accounts.models import Organization
from app.cli import cli
from app.db import make_engine
from app.demo import seed_demo
from app.settings import Settings
from tests.conftest import BACKENDS, POSTGRES_URL, fresh_database_url

runner = CliRunner()


@pytest.fixture(params=BACKENDS)
def new_database(request: pytest.FixtureRequest) -> Iterator[Callable[[], str]]:
    """Make empty, migrated databases of one backend; PostgreSQL ones are dropped afterwards."""
    made: list[str] = []

    def make() -> str:
        url = fresh_database_url(request.param)
        made.append(url)
        return url

    yield make
    for url in made:
        if url.startswith("postgresql"):
            admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                name = make_url(url).database
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def _org_names(url: str) -> set[str]:
    engine = make_engine(url, pool_size=1)
    with Session(engine) as session:
        names = set(session.exec(select(Organization.name)).all())
    engine.dispose()
    return names


def _add_org(url: str, name: str) -> None:
    engine = make_engine(url, pool_size=1)
    with Session(engine) as session:
        service.create_organization(session=session, name=name)
    engine.dispose()


def _demo(url: str) -> None:
    engine = make_engine(url, pool_size=1)
    with Session(engine, expire_on_commit=False) as session:
        seed_demo(session)
    engine.dispose()


def test_a_backup_restored_into_an_empty_database_gives_back_every_row(new_database, tmp_path):
    source, target = new_database(), new_database()
    _demo(source)
    _add_org(source, "Asociación Ñandú – «acogida»")
    held = backup.contents(source)
    assert held.total > 50 and backup.contents(target).total == 0

    said = backup.backup(url=source, path=tmp_path / "encuentro.backup")
    assert f"{held.total} rows" in said and str(tmp_path / "encuentro.backup") in said
    assert not list(tmp_path.glob("*.partial"))

    said = backup.restore(url=target, path=tmp_path / "encuentro.backup", force=False)
    assert backup.contents(target) == held  # every table, row for row, same schema revision
    assert "Asociación Ñandú – «acogida»" in _org_names(target)
    assert f"now holds {held.total} rows" in said and "held 0 rows before" in said
    assert "encuentro migrate" not in said  # the backup is at this code's schema


def test_restore_refuses_a_database_with_data_unless_forced(new_database, tmp_path):
    source, target = new_database(), new_database()
    _add_org(source, "From the backup")
    _add_org(target, "Already here")
    backup.backup(url=source, path=tmp_path / "b")

    with pytest.raises(backup.BackupError) as refused:
        backup.restore(url=target, path=tmp_path / "b", force=False)
    assert "not empty" in refused.value.message and "nothing was restored" in refused.value.message
    assert _org_names(target) == {"Already here"}

    said = backup.restore(url=target, path=tmp_path / "b", force=True)
    assert _org_names(target) == {"From the backup"}
    assert "held 1 rows before" in said


def test_backup_never_overwrites_a_file(new_database, tmp_path):
    url = new_database()
    existing = tmp_path / "b"
    existing.write_bytes(b"an older backup")
    with pytest.raises(backup.BackupError, match="already exists"):
        backup.backup(url=url, path=existing)
    assert existing.read_bytes() == b"an older backup"


def test_the_command_asks_before_replacing_data_and_says_what_it_did(
    new_database, tmp_path, monkeypatch
):
    source, target = new_database(), new_database()
    _add_org(source, "From the backup")
    _add_org(target, "Already here")
    path = tmp_path / "nightly.backup"
    monkeypatch.setattr("app.cli.get_settings", lambda: Settings(database_url=source))
    made = runner.invoke(cli, ["backup", str(path)])
    assert made.exit_code == 0 and "Backed up" in made.output and path.is_file()

    monkeypatch.setattr("app.cli.get_settings", lambda: Settings(database_url=target))
    declined = runner.invoke(cli, ["restore", str(path)], input="n\n")
    assert declined.exit_code == 1
    assert "Replace ALL of it" in declined.output and "nothing was restored" in declined.output
    assert _org_names(target) == {"Already here"}

    confirmed = runner.invoke(cli, ["restore", str(path)], input="y\n")
    assert confirmed.exit_code == 0 and "Restored" in confirmed.output
    assert _org_names(target) == {"From the backup"}

    _add_org(target, "Added later")
    forced = runner.invoke(cli, ["restore", "--force", str(path)])
    assert forced.exit_code == 0 and "Replace ALL" not in forced.output
    assert _org_names(target) == {"From the backup"}


def test_a_file_that_is_not_a_backup_is_refused_and_nothing_changes(new_database, tmp_path):
    url = new_database()
    _add_org(url, "Kept")
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database at all\n" * 100)
    with pytest.raises(backup.BackupError) as refused:
        backup.restore(url=url, path=junk, force=True)
    assert "nothing was" in refused.value.message
    assert _org_names(url) == {"Kept"}


def test_sqlite_backup_is_online_and_takes_only_committed_rows(tmp_path):
    url = fresh_database_url("sqlite")
    _add_org(url, "Committed")
    writer = sqlite3.connect(make_url(url).database, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # a writer in the middle of its transaction
    writer.execute(
        "INSERT INTO organization (name, created_at) VALUES ('Uncommitted', '2026-01-01')"
    )
    try:
        backup.backup(url=url, path=tmp_path / "b.db")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert _org_names(f"sqlite:///{tmp_path / 'b.db'}") == {"Committed"}
    assert not (tmp_path / "b.db-wal").exists()  # one self-contained file


def test_without_the_postgresql_client_tools_the_error_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr("app.backup.shutil.which", lambda _tool: None)
    nowhere = "postgresql+psycopg://nobody@127.0.0.1:9/none"  # never reached
    with pytest.raises(backup.BackupError, match="pg_dump was not found.*postgresql-client"):
        backup.backup(url=nowhere, path=tmp_path / "b")
    (tmp_path / "b").write_bytes(b"PGDMP")
    with pytest.raises(backup.BackupError, match="pg_restore was not found"):
        backup.restore(url=nowhere, path=tmp_path / "b", force=True)
    assert list(tmp_path.iterdir()) == [tmp_path / "b"]


def test_a_newer_schema_is_never_left_half_restored(new_database, tmp_path):
    """A table the backup does not know (a later migration) must not survive beside the older
    schema revision: SQLite's restore replaces the whole file; PostgreSQL's refuses first."""
    source, target = new_database(), new_database()
    _add_org(source, "From the backup")
    backup.backup(url=source, path=tmp_path / "b")
    engine = make_engine(target, pool_size=1)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE newer_things (id INTEGER PRIMARY KEY)"))
    engine.dispose()

    if target.startswith("sqlite"):
        backup.restore(url=target, path=tmp_path / "b", force=True)
        assert "newer_things" not in backup.contents(target).rows
        assert _org_names(target) == {"From the backup"}
    else:
        with pytest.raises(backup.BackupError) as refused:
            backup.restore(url=target, path=tmp_path / "b", force=True)
        assert "newer_things" in refused.value.message
        assert "Nothing was restored" in refused.value.message
        assert "newer_things" in backup.contents(target).rows and not _org_names(target)
