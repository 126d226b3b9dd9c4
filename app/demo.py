"""Demo data: a territory, three NGOs with an org admin and an organizer each, a government viewer.

- "Puentes Comunitarios" (the README's demo NGO) and "Asociación Mosaico" share their aggregates
  with the demo municipality, so the viewer's impact dashboard spans both;
- "Fundación Horizonte" runs an activity in the same municipality but shares nothing: the viewer
  never sees it (tenant isolation you can click through).

Every demo account has the password `DEMO_PASSWORD`. Idempotent: everything is looked up by its
unique name or e-mail before it is created.
"""

from dataclasses import dataclass, field

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
PUENTES, MOSAICO, HORIZONTE = "puentes", "mosaico", "horizonte"


@dataclass(frozen=True)
class OrgPlan:
    key: str
    name: str
    admin: str
    organizer: str
    shares: bool  # with the demo territory


ORGANIZATIONS = (
    OrgPlan(
        PUENTES, DEMO_ORGANIZATION, "admin@demo.encuentro.org", "organizer@demo.encuentro.org", True
    ),
    OrgPlan(
        MOSAICO,
        "Asociación Mosaico (demo NGO)",
        "admin@mosaico.demo.encuentro.org",
        "organizer@mosaico.demo.encuentro.org",
        True,
    ),
    OrgPlan(
        HORIZONTE,
        "Fundación Horizonte (demo NGO, does not share)",
        "admin@horizonte.demo.encuentro.org",
        "organizer@horizonte.demo.encuentro.org",
        False,
    ),
)
VIEWER = "viewer@demo.encuentro.org"
# Every demo login, the README's three first (the CLI prints them in this order).
DEMO_ACCOUNTS: dict[str, Role] = {
    ORGANIZATIONS[0].admin: Role.ORG_ADMIN,
    ORGANIZATIONS[0].organizer: Role.ORGANIZER,
    VIEWER: Role.GOVERNMENT_VIEWER,
    **{
        email: role
        for plan in ORGANIZATIONS[1:]
        for email, role in ((plan.admin, Role.ORG_ADMIN), (plan.organizer, Role.ORGANIZER))
    },
}


@dataclass
class DemoOrg:
    organization: Organization
    admin: User
    organizer: User


@dataclass
class Demo:
    territory: Territory
    organization: Organization
    admin: User
    organizer: User
    viewer: User
    orgs: dict[str, DemoOrg] = field(default_factory=dict)  # every demo NGO, by its key


def _territory(session: Session) -> Territory:
    found = session.exec(select(Territory).where(Territory.name == DEMO_TERRITORY)).first()
    return found or service.create_territory(
        session=session, name=DEMO_TERRITORY, kind=TerritoryKind.MUNICIPALITY
    )


def _organization(session: Session, name: str) -> Organization:
    found = session.exec(select(Organization).where(Organization.name == name)).first()
    return found or service.create_organization(session=session, name=name)


def _account(
    session: Session, email: str, role: Role, org_id: int | None, territory_id: int | None
) -> User:
    found = session.exec(select(User).where(User.email == email)).first()
    return found or service.create_user(
        session=session,
        email=email,
        password=DEMO_PASSWORD,
        role=role,
        full_name=email.split("@")[0].title(),
        organization_id=org_id,
        territory_id=territory_id,
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
    territory = _territory(session)
    orgs: dict[str, DemoOrg] = {}
    for plan in ORGANIZATIONS:
        org = _organization(session, plan.name)
        admin = _account(session, plan.admin, Role.ORG_ADMIN, org.id, None)
        organizer = _account(session, plan.organizer, Role.ORGANIZER, org.id, None)
        if plan.shares:
            _share(session, org, territory, admin)
        orgs[plan.key] = DemoOrg(org, admin, organizer)
    viewer = _account(session, VIEWER, Role.GOVERNMENT_VIEWER, None, territory.id)
    first = orgs[PUENTES]
    return Demo(territory, first.organization, first.admin, first.organizer, viewer, orgs)


def seed_demo(session: Session) -> Demo:
    """Create (once) everything the demo shows."""
    demo = seed_accounts(session)
    activities_demo.seed(session, demo)
    participants_demo.seed(session, demo)
    roster_demo.seed(session, demo)
    surveys_demo.seed(session, demo)
    return demo
