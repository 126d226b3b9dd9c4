"""The `encuentro` command: serve, migrate, seed the demo, create organizations and accounts,
back up and restore."""

from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import Session

from app.accounts import service
from app.accounts.models import Role, TerritoryKind
from app.db import get_engine
from app.errors import DomainError
from app.migrate import upgrade
from app.settings import get_settings

cli = typer.Typer(
    help="Encuentro: social-mixing activities and their evaluation.", no_args_is_help=True
)


def _fail(error: DomainError) -> None:
    typer.secho(f"Error: {error.message}", fg="red", err=True)
    raise typer.Exit(code=1)


@cli.command()
def migrate() -> None:
    """Apply database migrations up to the newest."""
    upgrade()
    typer.echo("Database is up to date.")


@cli.command("seed-demo")
def seed_demo() -> None:
    """Load the demo data (safe to run again: nothing is duplicated)."""
    from app.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
    from app.demo import seed_demo as run_seed

    with Session(get_engine(), expire_on_commit=False) as session:
        run_seed(session)
    typer.echo("Demo data ready. Sign in at http://127.0.0.1:8000 with:")
    for email, role in DEMO_ACCOUNTS.items():
        typer.echo(f"  {role.value:<18} {email} / {DEMO_PASSWORD}")


@cli.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64)] = 1,
    reload: bool = False,
) -> None:
    """Serve the web application with uvicorn."""
    import uvicorn

    uvicorn.run(
        "app.main:app",
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        proxy_headers=True,
        log_level="info",
    )


@cli.command("create-org")
def create_org(name: str) -> None:
    """Create an organization (NGO)."""
    with Session(get_engine()) as session:
        try:
            org = service.create_organization(session=session, name=name)
        except DomainError as error:
            _fail(error)
        typer.echo(f"Organization {org.id}: {org.name}")


@cli.command("create-territory")
def create_territory(
    name: str, kind: Annotated[TerritoryKind, typer.Option()] = TerritoryKind.MUNICIPALITY
) -> None:
    """Create a territory (municipality or region)."""
    with Session(get_engine()) as session:
        try:
            territory = service.create_territory(session=session, name=name, kind=kind)
        except DomainError as error:
            _fail(error)
        typer.echo(f"Territory {territory.id}: {territory.name} ({territory.kind})")


@cli.command("create-user")
def create_user(
    email: str,
    role: Annotated[Role, typer.Option()],
    org: Annotated[int | None, typer.Option(help="organization id (staff roles)")] = None,
    territory: Annotated[int | None, typer.Option(help="territory id (government viewer)")] = None,
    name: str = "",
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)
    ] = "",
) -> None:
    """Create a staff account; asks for the password unless --password is given."""
    with Session(get_engine()) as session:
        try:
            user = service.create_user(
                session=session,
                email=email,
                password=password,
                role=role,
                full_name=name,
                organization_id=org,
                territory_id=territory,
            )
        except DomainError as error:
            _fail(error)
        typer.echo(f"User {user.id}: {user.email} ({user.role})")


@cli.command("backup")
def backup_command(
    path: Annotated[Path, typer.Argument(help="the new backup file", dir_okay=False)],
) -> None:
    """Copy the whole database into a new file (safe while the server runs)."""
    from app import backup

    try:
        typer.echo(backup.backup(url=get_settings().database_url, path=path))
    except backup.BackupError as error:
        _fail(error)


@cli.command("restore")
def restore_command(
    path: Annotated[Path, typer.Argument(help="a file made by `encuentro backup`")],
    force: Annotated[
        bool, typer.Option(help="replace a database that holds data, no question")
    ] = False,
) -> None:
    """Replace the whole database with a backup (asks first if the database holds data)."""
    from app import backup

    url = get_settings().database_url
    try:
        held = backup.contents(url)
        question = f"The database holds {held.describe()}. Replace ALL of it with {path}?"
        if held.total and not force and not typer.confirm(question):
            typer.echo("Declined: nothing was restored.")
            raise typer.Exit(1)
        force = True
        typer.echo(backup.restore(url=url, path=path, force=force))
    except backup.BackupError as error:
        _fail(error)


def main() -> None:
    cli()
