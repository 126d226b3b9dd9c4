"""Account pages: login, home, password, language, staff and data sharing."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from app.accounts import service
from app.accounts.models import Organization, Role, Territory, User
from app.db import SessionDep
from app.deps import PageStaff, PageUser
from app.errors import DomainError
from app.i18n import STAFF_LANGUAGES, _
from app.templating import flash, render

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths, so the login form cannot redirect elsewhere."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("/login", name="login")
def login_page(request: Request, next: str | None = None) -> HTMLResponse:
    return render(request, "accounts/login.html", {"next": _safe_next(next)})


@router.post("/login", name="login_submit")
def login_submit(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    ip = request.client.host if request.client else ""
    try:
        user = service.authenticate(session=session, email=email, password=password, ip=ip)
    except DomainError as error:
        context = {"next": _safe_next(next), "email": email, "error": error.message}
        return render(request, "accounts/login.html", context, status_code=error.status_code)
    request.session.clear()
    request.session.update({"uid": user.id, "v": user.auth_version, "lang": user.language})
    return _see_other(_safe_next(next))


@router.post("/logout", name="logout")
def logout(request: Request) -> RedirectResponse:
    lang = request.session.get("lang")
    request.session.clear()
    if lang:
        request.session["lang"] = lang
    flash(request, _("You are signed out."))
    return _see_other("/login")


def _home_context(session: Session, user: User) -> dict[str, object]:
    if user.role == Role.GOVERNMENT_VIEWER and user.territory_id:
        return {"territory": session.get(Territory, user.territory_id)}
    return {"organization": session.get(Organization, user.organization_id)}


@router.get("/", name="home")
def home(request: Request, session: SessionDep, user: PageUser) -> HTMLResponse:
    return render(request, "accounts/home.html", _home_context(session, user))


@router.post("/language", name="set_language")
def set_language(
    request: Request,
    session: SessionDep,
    language: Annotated[str, Form(max_length=5)],
    next: Annotated[str, Form(max_length=500)] = "/",
) -> RedirectResponse:
    """Switch the interface language; remembered on the account when signed in."""
    if language not in STAFF_LANGUAGES:
        language = "en"
    request.session["lang"] = language
    uid, version = request.session.get("uid"), request.session.get("v")
    if isinstance(uid, int) and isinstance(version, int):
        user = service.load_active_user(session=session, user_id=uid, auth_version=version)
        if user:
            service.set_language(session=session, user=user, language=language)
    return _see_other(_safe_next(next))


@router.get("/account/password", name="password_page")
def password_page(request: Request, user: PageUser) -> HTMLResponse:
    return render(request, "accounts/password.html")


@router.post("/account/password", name="password_submit")
def password_submit(
    request: Request,
    session: SessionDep,
    user: PageUser,
    current_password: Annotated[str, Form(max_length=256)] = "",
    new_password: Annotated[str, Form(max_length=256)] = "",
    confirm_password: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    try:
        if new_password != confirm_password:
            raise DomainError(_("The new passwords do not match."), status_code=422)
        service.change_password(
            session=session, user=user, current=current_password, new=new_password
        )
    except DomainError as error:
        return render(
            request,
            "accounts/password.html",
            {"error": error.message},
            status_code=error.status_code,
        )
    request.session["v"] = user.auth_version
    flash(request, _("Your password was changed."))
    return _see_other(str(request.url_for("home")))


def _staff_context(session: Session, user: User, organization_id: int) -> dict[str, object]:
    staff = service.list_staff(session=session, actor=user, organization_id=organization_id)
    organization = session.get(Organization, organization_id)
    return {"organization": organization, "staff": staff, "roles": [Role.ORGANIZER, Role.ORG_ADMIN]}


@router.get("/orgs/{organization_id}/staff", name="staff_page")
def staff_page(
    request: Request, session: SessionDep, user: PageStaff, organization_id: int
) -> HTMLResponse:
    return render(request, "accounts/staff.html", _staff_context(session, user, organization_id))


@router.post("/orgs/{organization_id}/staff", name="staff_add")
def staff_add(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    organization_id: int,
    email: Annotated[str, Form(max_length=254)] = "",
    full_name: Annotated[str, Form(max_length=120)] = "",
    role: Annotated[str, Form(max_length=30)] = Role.ORGANIZER.value,
    password: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    try:
        chosen = Role(role) if role in {r.value for r in Role} else Role.ORGANIZER
        service.add_staff(
            session=session,
            actor=user,
            organization_id=organization_id,
            email=email,
            full_name=full_name,
            role=chosen,
            password=password,
        )
    except DomainError as error:
        context = _staff_context(session, user, organization_id)
        context |= {"error": error.message, "form": {"email": email, "full_name": full_name}}
        return render(request, "accounts/staff.html", context, status_code=error.status_code)
    flash(request, _("Staff member added."))
    return _see_other(str(request.url_for("staff_page", organization_id=organization_id)))


@router.get("/orgs/{organization_id}/staff/{staff_id}/deactivate", name="staff_deactivate_confirm")
def staff_deactivate_confirm(
    request: Request, session: SessionDep, user: PageStaff, organization_id: int, staff_id: int
) -> HTMLResponse:
    staff = {
        s.id: s
        for s in service.list_staff(session=session, actor=user, organization_id=organization_id)
    }
    if staff_id not in staff:
        raise DomainError(_("Staff member not found."), status_code=404)
    return render(
        request,
        "accounts/confirm_deactivate.html",
        {"staff": staff[staff_id], "organization_id": organization_id},
    )


@router.post("/orgs/{organization_id}/staff/{staff_id}/active", name="staff_set_active")
def staff_set_active(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    organization_id: int,
    staff_id: int,
    active: Annotated[bool, Form()],
) -> RedirectResponse:
    service.set_staff_active(
        session=session,
        actor=user,
        organization_id=organization_id,
        user_id=staff_id,
        active=active,
    )
    flash(request, _("Account reactivated.") if active else _("Account deactivated."))
    return _see_other(str(request.url_for("staff_page", organization_id=organization_id)))


@router.get("/orgs/{organization_id}/sharing", name="sharing_page")
def sharing_page(
    request: Request, session: SessionDep, user: PageStaff, organization_id: int
) -> HTMLResponse:
    sharing = service.list_sharing(session=session, actor=user, organization_id=organization_id)
    shared_ids = {s.territory_id for s in sharing}
    territories = service.list_territories(session=session)
    context = {
        "organization_id": organization_id,
        "shared": [t for t in territories if t.id in shared_ids],
        "available": [t for t in territories if t.id not in shared_ids],
        "sharing": {s.territory_id: s for s in sharing},
    }
    return render(request, "accounts/sharing.html", context)


@router.post("/orgs/{organization_id}/sharing", name="sharing_grant")
def sharing_grant(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    organization_id: int,
    territory_id: Annotated[int, Form()],
) -> RedirectResponse:
    service.grant_sharing(
        session=session, actor=user, organization_id=organization_id, territory_id=territory_id
    )
    flash(request, _("Data sharing granted."))
    return _see_other(str(request.url_for("sharing_page", organization_id=organization_id)))


@router.post("/orgs/{organization_id}/sharing/{territory_id}/revoke", name="sharing_revoke")
def sharing_revoke(
    request: Request, session: SessionDep, user: PageStaff, organization_id: int, territory_id: int
) -> RedirectResponse:
    service.revoke_sharing(
        session=session, actor=user, organization_id=organization_id, territory_id=territory_id
    )
    flash(request, _("Data sharing revoked."))
    return _see_other(str(request.url_for("sharing_page", organization_id=organization_id)))
