"""Backup and restore of the whole database.

SQLite: the online backup API (`sqlite3.Connection.backup`), safe while the server runs, into one
self-contained file. PostgreSQL: `pg_dump --format=custom` and `pg_restore`, which must be on the
PATH (the PostgreSQL client tools, the server's major version or newer).
A restore replaces everything; it refuses a database that holds rows unless told to replace them.
"""

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select, table
from sqlalchemy.engine import URL, make_url

from app.db import make_engine
from app.errors import DomainError
from app.migrate import alembic_config

IGNORED_TABLES = {"alembic_version"}


class BackupError(DomainError):
    """A backup or restore that cannot be done; nothing was changed."""


@dataclass(frozen=True)
class Contents:
    """What a database holds: rows per table and its schema revision."""

    rows: dict[str, int]
    revision: str | None

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    def describe(self) -> str:
        tables = sum(1 for count in self.rows.values() if count)
        return f"{self.total} rows in {tables} tables, schema revision {self.revision or 'none'}"


def contents(url: str) -> Contents:
    """Count the rows of every table (bar Alembic's) of the database at `url`."""
    engine = make_engine(url, pool_size=1)
    try:
        with engine.connect() as connection:
            all_names = inspect(connection).get_table_names()
            rows = {
                name: connection.execute(select(func.count()).select_from(table(name))).scalar_one()
                for name in sorted(set(all_names) - IGNORED_TABLES)
            }
            revision = None
            if "alembic_version" in all_names:
                revision = connection.exec_driver_sql(
                    "SELECT version_num FROM alembic_version"
                ).scalar()
    finally:
        engine.dispose()
    return Contents(rows=rows, revision=revision)


def head_revision() -> str | None:
    """The schema revision this code expects (`encuentro migrate` brings a database there)."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def backup(*, url: str, path: Path) -> str:
    """Copy the whole database at `url` into a new file at `path`; say what was copied."""
    if path.exists():
        raise BackupError(f"{path} already exists: choose a new file name (nothing was written).")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} is not a directory (nothing was written).")
    sqlite = _is_sqlite(url)
    source = _sqlite_file(url) if sqlite else None  # both check before anything is written
    program = "" if sqlite else _pg_tool("pg_dump")
    held = contents(url)
    partial = path.with_name(path.name + ".partial")
    try:
        if source is not None:
            _sqlite_copy(source=source, target=partial)
            with closing(sqlite3.connect(partial)) as copy:  # one file: no -wal beside it
                copy.execute("PRAGMA journal_mode=DELETE")
        else:
            _run_pg(
                program,
                ["--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"],
                url,
            )
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    size = path.stat().st_size / 1e6
    return f"Backed up {_name(url)} ({held.describe()}) to {path} ({size:.1f} MB)."


def restore(*, url: str, path: Path, force: bool) -> str:
    """Replace the database at `url` with the backup at `path`; say what was replaced by what.

    Refuses (BackupError, nothing changed) when the database holds rows and `force` is false.
    """
    if not path.is_file():
        raise BackupError(f"{path} is not a file (nothing was restored).")
    sqlite = _is_sqlite(url)
    program = "" if sqlite else _pg_tool("pg_restore")
    before = contents(url)
    if before.total and not force:
        raise BackupError(
            f"{_name(url)} is not empty ({before.describe()}): nothing was restored. "
            "Restore replaces all of it; confirm, or pass --force, to do that."
        )
    if sqlite:
        _check_sqlite_backup(path)
        _sqlite_copy(source=path, target=_sqlite_file(url))
    else:
        _refuse_tables_the_dump_lacks(program, path, url, before)
        _run_pg(
            program,
            [
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                str(path),
            ],
            url,
        )
    after = contents(url)
    message = (
        f"Restored {path} into {_name(url)}: it now holds {after.describe()} "
        f"(it held {before.total} rows before)."
    )
    if after.revision != head_revision():
        message += " Run `encuentro migrate` to bring its schema up to this version's."
    return message


def _is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _name(url: str) -> str:
    parsed = make_url(url)
    if _is_sqlite(url):
        return f"SQLite database {parsed.database}"
    return f"PostgreSQL database {parsed.database} on {parsed.host or 'localhost'}"


def _sqlite_file(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:" or not Path(database).is_file():
        raise BackupError(f"No SQLite database file at {database!r} (nothing was done).")
    return Path(database)


def _sqlite_copy(*, source: Path, target: Path) -> None:
    """Page by page through SQLite's online backup API: consistent while others write."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def _check_sqlite_backup(path: Path) -> None:
    """An Encuentro SQLite backup: a sound SQLite file with a schema revision."""
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as backup:
            if backup.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupError(f"{path} is damaged (nothing was restored).")
            backup.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(
            f"{path} is not an Encuentro SQLite backup ({error}); nothing was restored."
        ) from error


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The libpq connection string for the client tools, with the password in the environment
    (not on the command line, where `ps` would show it)."""
    parsed: URL = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _pg_tool(tool: str) -> str:
    """The client tool's path, or a clear error before anything is touched."""
    program = shutil.which(tool)
    if program is None:
        raise BackupError(
            f"{tool} was not found on the PATH: install the PostgreSQL client tools (the "
            "server's major version or newer), e.g. `apt install postgresql-client`. "
            "Nothing was done."
        )
    return program


def _refuse_tables_the_dump_lacks(program: str, path: Path, url: str, held: Contents) -> None:
    """pg_restore --clean drops only what the dump holds: tables of a newer schema would stay
    beside an older alembic_version, and `encuentro migrate` would then fail. Refuse instead."""
    listing = _run_pg(program, ["--list", str(path)], url=None)
    dumped = {line.split()[5] for line in listing.splitlines() if " TABLE public " in line}
    extra = sorted(set(held.rows) - dumped)
    if extra:
        raise BackupError(
            f"{_name(url)} has tables the backup does not ({', '.join(extra)}): it has a newer "
            "schema. Restore into a new, empty database (createdb), then run `encuentro "
            "migrate`. Nothing was restored."
        )


def _run_pg(program: str, arguments: list[str], url: str | None) -> str:
    """Run a client tool against `url` (None: on a file only); its output."""
    conninfo, env = _libpq(url) if url else ("", dict(os.environ))
    database = [f"--dbname={conninfo}"] if url else []
    done = subprocess.run(  # noqa: S603 - a fixed program and arguments, no shell
        [program, *arguments, *database],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        tool = Path(program).name
        raise BackupError(
            f"{tool} failed (exit {done.returncode}), nothing was changed: {done.stderr.strip()}"
        )
    return done.stdout
