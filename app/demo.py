"""Demo data: a territory, an NGO with an org admin and an organizer, and a government viewer.

Idempotent: everything is looked up by its unique name or e-mail before it is created.
"""

from dataclasses import dataclass

from sqlmodel import Session, select

from activities import demo as activities_demo
from activities.participants import demo as participants_demo
from activities.roster import demo as roster_demo
from app.accounts import service
from app.accounts.models import DataSharing, Organization, Role, Territory, TerritoryKind, User
from surveys import demo as surveys_demo

DEMO_PASSWORD = "encuentro-demo"  # noqa: S105 - the documented demo password
DEMO_ORGANIZATION = "Puentes Comunitarios (demo NGO)"
DEMO_TERRITORY = "Villaverde (demo municipality)"
DEMO_ACCOUNTS = {
    "admin@demo.encuentro.org": Role.ORG_ADMIN,
    "organizer@demo.encuentro.org": Role.ORGANIZER,
    "viewer@demo.encuentro.org": Role.GOVERNMENT_VIEWER,
}


@dataclass
class Demo:
    territory: Territory
    organization: Organization
    admin: User
    organizer: User
    viewer: User


def _territory(session: Session) -> Territory:
    found = session.exec(select(Territory).where(Territory.name == DEMO_TERRITORY)).first()
    return found or service.create_territory(
        session=session, name=DEMO_TERRITORY, kind=TerritoryKind.MUNICIPALITY
    )


def _organization(session: Session) -> Organization:
    found = session.exec(select(Organization).where(Organization.name == DEMO_ORGANIZATION)).first()
    return found or service.create_organization(session=session, name=DEMO_ORGANIZATION)


def _user(
    session: Session, email: str, role: Role, org: Organization, territory: Territory
) -> User:
    found = session.exec(select(User).where(User.email == email)).first()
    if found:
        return found
    in_org = role != Role.GOVERNMENT_VIEWER
    return service.create_user(
        session=session,
        email=email,
        password=DEMO_PASSWORD,
        role=role,
        full_name=email.split("@")[0].title(),
        organization_id=org.id if in_org else None,
        territory_id=None if in_org else territory.id,
    )


def _share(session: Session, org: Organization, territory: Territory, admin: User) -> None:
    exists = session.exec(
        select(DataSharing).where(
            DataSharing.organization_id == org.id, DataSharing.territory_id == territory.id
        )
    ).first()
    if not exists:
        assert org.id is not None and territory.id is not None
        service.grant_sharing(
            session=session, actor=admin, organization_id=org.id, territory_id=territory.id
        )


def seed_accounts(session: Session) -> Demo:
    territory, organization = _territory(session), _organization(session)
    users = {e: _user(session, e, r, organization, territory) for e, r in DEMO_ACCOUNTS.items()}
    admin = users["admin@demo.encuentro.org"]
    _share(session, organization, territory, admin)
    return Demo(
        territory,
        organization,
        admin,
        users["organizer@demo.encuentro.org"],
        users["viewer@demo.encuentro.org"],
    )


def seed_demo(session: Session) -> Demo:
    """Create (once) everything the demo shows."""
    demo = seed_accounts(session)
    activities_demo.seed(session, demo)
    participants_demo.seed(session, demo)
    roster_demo.seed(session, demo)
    surveys_demo.seed(session, demo)
    return demo
