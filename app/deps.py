"""Who is asking: the signed-in staff member for pages (cookie) and for the API (bearer token)."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from app.accounts.models import Role, User
from app.accounts.service import load_active_user
from app.db import SessionDep
from app.errors import DomainError, Forbidden, LoginRequired
from app.i18n import _
from app.security import read_api_token

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


class Unauthorized(DomainError):
    status_code = 401


def _remember(request: Request, user: User) -> User:
    # Templates get a detached copy: an error page is rendered after the request's session has
    # closed, possibly after a rollback expired the loaded instance (DetachedInstanceError → 500).
    request.state.user = User(**{name: getattr(user, name) for name in User.model_fields})
    request.state.lang = user.language
    return user


def page_user(request: Request, session: SessionDep) -> User:
    """The staff member in the signed session cookie, else a redirect to the login page."""
    uid, version = request.session.get("uid"), request.session.get("v")
    user = None
    if isinstance(uid, int) and isinstance(version, int):
        user = load_active_user(session=session, user_id=uid, auth_version=version)
    if user is None:
        request.session.pop("uid", None)
        raise LoginRequired()
    return _remember(request, user)


def api_user(
    request: Request, session: SessionDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> User:
    """The staff member named by a valid bearer token, else 401."""
    claims = read_api_token(token) if token else None
    user = (
        load_active_user(session=session, user_id=claims[0], auth_version=claims[1])
        if claims
        else None
    )
    if user is None:
        raise Unauthorized(_("Not authenticated: send a valid bearer token."))
    return _remember(request, user)


def org_member(user: User) -> User:
    if user.organization_id is None:
        raise Forbidden(_("This page is for organization staff."))
    return user


def page_org_member(user: Annotated[User, Depends(page_user)]) -> User:
    return org_member(user)


def api_org_member(user: Annotated[User, Depends(api_user)]) -> User:
    return org_member(user)


def page_viewer(user: Annotated[User, Depends(page_user)]) -> User:
    if user.role != Role.GOVERNMENT_VIEWER:
        raise Forbidden(_("This page is for government viewers."))
    return user


PageUser = Annotated[User, Depends(page_user)]
ApiUser = Annotated[User, Depends(api_user)]
PageStaff = Annotated[User, Depends(page_org_member)]
ApiStaff = Annotated[User, Depends(api_org_member)]
PageViewer = Annotated[User, Depends(page_viewer)]
