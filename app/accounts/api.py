"""Account endpoints of the JSON API (`/api/v1`)."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from pydantic import BaseModel, Field

from app.accounts import service
from app.accounts.models import Role, TerritoryKind
from app.db import SessionDep
from app.deps import ApiStaff, ApiUser
from app.security import issue_api_token

router = APIRouter(tags=["accounts"])


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret


class UserOut(BaseModel):
    id: int
    email: str
    full_name: str
    role: Role
    organization_id: int | None
    territory_id: int | None
    is_active: bool
    language: str


class OrganizationOut(BaseModel):
    id: int
    name: str


class TerritoryOut(BaseModel):
    id: int
    name: str
    kind: TerritoryKind


class SharingOut(BaseModel):
    territory_id: int
    organization_id: int
    granted_at: datetime


class StaffIn(BaseModel):
    email: str = Field(max_length=254)
    full_name: str = Field(default="", max_length=120)
    role: Role = Role.ORGANIZER
    password: str = Field(min_length=10, max_length=256)


class PasswordIn(BaseModel):
    current_password: str = Field(max_length=256)
    new_password: str = Field(min_length=10, max_length=256)


class LanguageIn(BaseModel):
    language: str = Field(max_length=5)


class SharingIn(BaseModel):
    territory_id: int


@router.post("/auth/token", response_model=Token, summary="OAuth2 password flow")
def api_token(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=256)],
) -> Token:
    ip = request.client.host if request.client else ""
    user = service.authenticate(session=session, email=username, password=password, ip=ip)
    assert user.id is not None
    return Token(access_token=issue_api_token(user_id=user.id, auth_version=user.auth_version))


@router.get("/me", response_model=UserOut)
def api_me(user: ApiUser) -> UserOut:
    return UserOut.model_validate(user, from_attributes=True)


@router.post("/me/password", status_code=status.HTTP_204_NO_CONTENT)
def api_change_password(session: SessionDep, user: ApiUser, body: PasswordIn) -> None:
    """Change the password; every token issued before stops working."""
    service.change_password(
        session=session, user=user, current=body.current_password, new=body.new_password
    )


@router.put("/me/language", response_model=UserOut)
def api_set_language(session: SessionDep, user: ApiUser, body: LanguageIn) -> UserOut:
    service.set_language(session=session, user=user, language=body.language)
    return UserOut.model_validate(user, from_attributes=True)


@router.get("/territories", response_model=list[TerritoryOut])
def api_territories(session: SessionDep, user: ApiUser) -> list[TerritoryOut]:
    return [
        TerritoryOut.model_validate(t, from_attributes=True)
        for t in service.list_territories(session=session)
    ]


@router.get("/orgs/{organization_id}", response_model=OrganizationOut)
def api_organization(session: SessionDep, user: ApiStaff, organization_id: int) -> OrganizationOut:
    org = service.scoped_organization(session=session, actor=user, organization_id=organization_id)
    return OrganizationOut.model_validate(org, from_attributes=True)


@router.get("/orgs/{organization_id}/staff", response_model=list[UserOut])
def api_staff(session: SessionDep, user: ApiStaff, organization_id: int) -> list[UserOut]:
    members = service.list_staff(session=session, actor=user, organization_id=organization_id)
    return [UserOut.model_validate(m, from_attributes=True) for m in members]


@router.post("/orgs/{organization_id}/staff", response_model=UserOut, status_code=201)
def api_add_staff(
    session: SessionDep, user: ApiStaff, organization_id: int, body: StaffIn
) -> UserOut:
    member = service.add_staff(
        session=session,
        actor=user,
        organization_id=organization_id,
        email=body.email,
        full_name=body.full_name,
        role=body.role,
        password=body.password,
    )
    return UserOut.model_validate(member, from_attributes=True)


@router.post("/orgs/{organization_id}/staff/{staff_id}/deactivate", response_model=UserOut)
def api_deactivate_staff(
    session: SessionDep, user: ApiStaff, organization_id: int, staff_id: int
) -> UserOut:
    member = service.set_staff_active(
        session=session, actor=user, organization_id=organization_id, user_id=staff_id, active=False
    )
    return UserOut.model_validate(member, from_attributes=True)


@router.post("/orgs/{organization_id}/staff/{staff_id}/activate", response_model=UserOut)
def api_activate_staff(
    session: SessionDep, user: ApiStaff, organization_id: int, staff_id: int
) -> UserOut:
    member = service.set_staff_active(
        session=session, actor=user, organization_id=organization_id, user_id=staff_id, active=True
    )
    return UserOut.model_validate(member, from_attributes=True)


@router.get("/orgs/{organization_id}/sharing", response_model=list[SharingOut])
def api_sharing(session: SessionDep, user: ApiStaff, organization_id: int) -> list[SharingOut]:
    rows = service.list_sharing(session=session, actor=user, organization_id=organization_id)
    return [SharingOut.model_validate(r, from_attributes=True) for r in rows]


@router.post("/orgs/{organization_id}/sharing", response_model=SharingOut, status_code=201)
def api_grant_sharing(
    session: SessionDep, user: ApiStaff, organization_id: int, body: SharingIn
) -> SharingOut:
    row = service.grant_sharing(
        session=session, actor=user, organization_id=organization_id, territory_id=body.territory_id
    )
    return SharingOut.model_validate(row, from_attributes=True)


@router.delete("/orgs/{organization_id}/sharing/{territory_id}", status_code=204)
def api_revoke_sharing(
    session: SessionDep, user: ApiStaff, organization_id: int, territory_id: int
) -> None:
    service.revoke_sharing(
        session=session, actor=user, organization_id=organization_id, territory_id=territory_id
    )
