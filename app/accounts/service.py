"""Account services. Every read of organization data goes through `scoped_organization`."""

from datetime import timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from app.accounts.models import (
    DataSharing,
    LoginAttempt,
    Organization,
    Role,
    Territory,
    TerritoryKind,
    User,
    utcnow,
)
from app.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, TooManyRequests
from app.i18n import STAFF_LANGUAGES, _
from app.security import MIN_PASSWORD_LENGTH, hash_password, verify_password
from app.settings import get_settings

ORG_ROLES = (Role.ORG_ADMIN, Role.ORGANIZER)


def scoped_organization(*, session: Session, actor: User, organization_id: int) -> Organization:
    """The actor's own organization, or 404: other organizations' objects do not exist for them."""
    if actor.organization_id is None or actor.organization_id != organization_id:
        raise NotFound(_("Organization not found."))
    organization = session.get(Organization, organization_id)
    if organization is None:
        raise NotFound(_("Organization not found."))
    return organization


def require_role(actor: User, *roles: Role) -> None:
    if actor.role not in roles:
        raise Forbidden(_("Your role does not allow this."))


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or len(email) > 254 or email.startswith("@") or email.endswith("@"):
        raise Invalid(_("Enter a valid e-mail address."))
    return email


def validate_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(_("The password must have at least 10 characters."))
    if len(password) > 256:
        raise Invalid(_("The password is too long."))


def _recent_failures(session: Session, email: str) -> int:
    since = utcnow() - timedelta(minutes=get_settings().login_window_minutes)
    query = select(func.count()).where(LoginAttempt.email == email, LoginAttempt.at >= since)
    return int(session.exec(query).one())


def authenticate(*, session: Session, email: str, password: str, ip: str) -> User:
    """Check credentials; failures are counted per e-mail in the database (shared by workers)."""
    email = email.strip().lower()[:254]
    if _recent_failures(session, email) >= get_settings().login_max_failures:
        raise TooManyRequests(_("Too many failed attempts. Wait 15 minutes and try again."))
    user = session.exec(select(User).where(User.email == email)).first()
    if user is None or not verify_password(user.password_hash, password) or not user.is_active:
        session.add(LoginAttempt(email=email, ip=ip[:64]))
        session.commit()
        raise DomainError(
            _("Wrong e-mail or password, or the account is deactivated."), status_code=401
        )
    session.exec(delete(LoginAttempt).where(col(LoginAttempt.email) == email))  # type: ignore[call-overload]
    session.commit()
    return user


def load_active_user(*, session: Session, user_id: int, auth_version: int) -> User | None:
    user = session.get(User, user_id)
    if user is None or not user.is_active or user.auth_version != auth_version:
        return None
    return user


def change_password(*, session: Session, user: User, current: str, new: str) -> User:
    if not verify_password(user.password_hash, current):
        raise Invalid(_("The current password is not correct."))
    validate_new_password(new)
    user.password_hash = hash_password(new)
    user.auth_version += 1
    session.add(user)
    session.commit()
    return user


def set_language(*, session: Session, user: User, language: str) -> User:
    if language not in STAFF_LANGUAGES:
        raise Invalid(_("Unknown language."))
    user.language = language
    session.add(user)
    session.commit()
    return user


def create_organization(*, session: Session, name: str) -> Organization:
    name = name.strip()
    if not name:
        raise Invalid(_("The organization needs a name."))
    if session.exec(select(Organization).where(Organization.name == name)).first():
        raise Conflict(_("An organization with this name already exists."))
    organization = Organization(name=name)
    session.add(organization)
    session.commit()
    return organization


def create_territory(*, session: Session, name: str, kind: TerritoryKind) -> Territory:
    name = name.strip()
    if not name:
        raise Invalid(_("The territory needs a name."))
    if session.exec(select(Territory).where(Territory.name == name)).first():
        raise Conflict(_("A territory with this name already exists."))
    territory = Territory(name=name, kind=kind)
    session.add(territory)
    session.commit()
    return territory


def create_user(
    *,
    session: Session,
    email: str,
    password: str,
    role: Role,
    full_name: str = "",
    organization_id: int | None = None,
    territory_id: int | None = None,
) -> User:
    """Create a staff account; organization roles need an organization, viewers a territory."""
    email = normalise_email(email)
    validate_new_password(password)
    if role in ORG_ROLES and (organization_id is None or territory_id is not None):
        raise Invalid(_("Organizers and org admins belong to an organization."))
    if role == Role.GOVERNMENT_VIEWER and (territory_id is None or organization_id is not None):
        raise Invalid(_("A government viewer belongs to a territory, not an organization."))
    if session.exec(select(User).where(User.email == email)).first():
        raise Conflict(_("An account with this e-mail already exists."))
    user = User(
        email=email,
        full_name=full_name.strip()[:120],
        password_hash=hash_password(password),
        role=role,
        organization_id=organization_id,
        territory_id=territory_id,
    )
    session.add(user)
    session.commit()
    return user


def list_staff(*, session: Session, actor: User, organization_id: int) -> list[User]:
    scoped_organization(session=session, actor=actor, organization_id=organization_id)
    query = select(User).where(User.organization_id == organization_id).order_by(col(User.email))
    return list(session.exec(query))


def add_staff(
    *,
    session: Session,
    actor: User,
    organization_id: int,
    email: str,
    full_name: str,
    role: Role,
    password: str,
) -> User:
    scoped_organization(session=session, actor=actor, organization_id=organization_id)
    require_role(actor, Role.ORG_ADMIN)
    if role not in ORG_ROLES:
        raise Invalid(_("Staff are organizers or org admins."))
    return create_user(
        session=session,
        email=email,
        password=password,
        role=role,
        full_name=full_name,
        organization_id=organization_id,
    )


def set_staff_active(
    *, session: Session, actor: User, organization_id: int, user_id: int, active: bool
) -> User:
    scoped_organization(session=session, actor=actor, organization_id=organization_id)
    require_role(actor, Role.ORG_ADMIN)
    staff = session.get(User, user_id)
    if staff is None or staff.organization_id != organization_id:
        raise NotFound(_("Staff member not found."))
    if staff.id == actor.id and not active:
        raise Invalid(_("You cannot deactivate your own account."))
    staff.is_active = active
    staff.auth_version += 1
    session.add(staff)
    session.commit()
    return staff


def list_territories(*, session: Session) -> list[Territory]:
    return list(session.exec(select(Territory).order_by(col(Territory.name))))


def list_sharing(*, session: Session, actor: User, organization_id: int) -> list[DataSharing]:
    scoped_organization(session=session, actor=actor, organization_id=organization_id)
    query = select(DataSharing).where(DataSharing.organization_id == organization_id)
    return list(session.exec(query.order_by(col(DataSharing.granted_at))))


def grant_sharing(
    *, session: Session, actor: User, organization_id: int, territory_id: int
) -> DataSharing:
    """Let a territory's government viewers see this organization's aggregates."""
    scoped_organization(session=session, actor=actor, organization_id=organization_id)
    require_role(actor, Role.ORG_ADMIN)
    if session.get(Territory, territory_id) is None:
        raise NotFound(_("Territory not found."))
    existing = session.exec(
        select(DataSharing).where(
            DataSharing.organization_id == organization_id,
            DataSharing.territory_id == territory_id,
        )
    ).first()
    if existing:
        return existing
    sharing = DataSharing(
        organization_id=organization_id, territory_id=territory_id, granted_by_id=actor.id
    )
    session.add(sharing)
    session.commit()
    return sharing


def revoke_sharing(
    *, session: Session, actor: User, organization_id: int, territory_id: int
) -> None:
    scoped_organization(session=session, actor=actor, organization_id=organization_id)
    require_role(actor, Role.ORG_ADMIN)
    sharing = session.exec(
        select(DataSharing).where(
            DataSharing.organization_id == organization_id,
            DataSharing.territory_id == territory_id,
        )
    ).first()
    if sharing is None:
        raise NotFound(_("This territory has no data sharing with your organization."))
    session.delete(sharing)
    session.commit()


def sharing_organization_ids(*, session: Session, territory_id: int) -> list[int]:
    """Organizations that agreed to share aggregates with the territory."""
    query = select(DataSharing.organization_id).where(DataSharing.territory_id == territory_id)
    return list(session.exec(query))
