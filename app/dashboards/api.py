"""Territory impact endpoints of the JSON API (`/api/v1`), for government viewers only (403 for
staff; another territory is a 404). The same suppressed aggregates as the dashboard page."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel

from app.accounts.models import Role, User
from app.dashboards import service
from app.dashboards.views import impact_filters
from app.db import SessionDep
from app.deps import api_user
from app.errors import Forbidden
from app.i18n import _
from surveys import outcome_export
from surveys.outcome_api import MIXED_HELP, AcrossOut, ExportFormat, across_out
from surveys.outcome_views import download, export_bytes
from surveys.scoring import COHESION

router = APIRouter(tags=["territory impact"])


def api_viewer(user: Annotated[User, Depends(api_user)]) -> User:
    """A government viewer named by a valid bearer token, else 403."""
    if user.role != Role.GOVERNMENT_VIEWER:
        raise Forbidden(_("This is for government viewers."))
    return user


ApiViewer = Annotated[User, Depends(api_viewer)]


class SharingOrganizationOut(BaseModel):
    id: int
    name: str


class TerritoryImpactOut(AcrossOut):
    territory_id: int
    territory: str
    organizations: list[SharingOrganizationOut]


def _impact(
    session: SessionDep,
    user: User,
    territory_id: int,
    scale: str,
    kind: str,
    organization_id: int | None,
    date_from: date | None,
    date_to: date | None,
    mixed: bool,
) -> service.TerritoryImpact:
    filters = impact_filters(
        scale,
        kind,
        "" if organization_id is None else str(organization_id),
        date_from.isoformat() if date_from else "",
        date_to.isoformat() if date_to else "",
    )
    return service.territory_impact(
        session=session, actor=user, territory_id=territory_id, filters=filters, mixed=mixed
    )


@router.get("/territories/{territory_id}/impact", response_model=TerritoryImpactOut)
def api_territory_impact(
    session: SessionDep,
    user: ApiViewer,
    territory_id: int,
    scale: str = COHESION,
    kind: str = "",
    organization_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    include_mixed: bool = Query(default=False, description=MIXED_HELP),
) -> TerritoryImpactOut:
    """Pooled and per-activity results, by group and over time; small cells suppressed."""
    impact = _impact(
        session, user, territory_id, scale, kind, organization_id, date_from, date_to, include_mixed
    )
    assert impact.territory.id is not None
    return TerritoryImpactOut(
        **across_out(impact.report),
        territory_id=impact.territory.id,
        territory=impact.territory.name,
        organizations=[SharingOrganizationOut(id=i, name=n) for i, n in impact.organizations],
    )


@router.get("/territories/{territory_id}/impact/export")
def api_territory_impact_export(
    session: SessionDep,
    user: ApiViewer,
    territory_id: int,
    format: ExportFormat = Query(default="csv"),  # noqa: A002 - the public parameter name
    scale: str = COHESION,
    kind: str = "",
    organization_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Response:
    """CSV or XLSX of the same suppressed aggregates as the dashboard (and the mixed model)."""
    impact = _impact(
        session, user, territory_id, scale, kind, organization_id, date_from, date_to, True
    )
    data = export_bytes(outcome_export.across_tables(impact.report), format)
    return download(f"territory-impact-{impact.report.scale}", data, format)
