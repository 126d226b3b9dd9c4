"""The territory impact dashboard page (government viewers): filters applied by htmx without a full
reload (and by a plain GET form without JavaScript), a printable report, CSV and XLSX exports.

Thin: parse the filters, call `app.dashboards.service`, render. Organizer pages answer 403 to a
government viewer (`PageStaff`), and this page answers 403 to staff (`PageViewer`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.dashboards import service
from app.db import SessionDep
from app.deps import PageViewer
from app.errors import Invalid, NotFound
from app.i18n import _
from app.templating import render
from surveys import outcome_export
from surveys.outcome_views import (
    across_context,
    download,
    export_bytes,
    lang_of,
    mixed_context,
    mixed_url,
    overview_filters,
    results_block,
    wants_mixed_only,
)
from surveys.outcomes import OverviewFilters
from surveys.scoring import COHESION

router = APIRouter(include_in_schema=False)


def impact_filters(
    scale: str, kind: str, organization: str, date_from: str, date_to: str
) -> OverviewFilters:
    filters = overview_filters(scale, kind, date_from, date_to)
    if organization.strip():
        try:
            filters.organization_id = int(organization)
        except ValueError as error:
            raise Invalid(_("Unknown organization.")) from error
    return filters


def _territory_id(user: Any) -> int:
    if user.territory_id is None:
        raise NotFound(_("Territory not found."))
    return int(user.territory_id)


@router.get("/dashboards/territory", name="territory_dashboard")
def territory_dashboard(
    request: Request,
    session: SessionDep,
    user: PageViewer,
    scale: str = COHESION,
    kind: str = "",
    organization: str = "",
    date_from: str = "",
    date_to: str = "",
    mixed: str = "",
) -> HTMLResponse:
    filters = impact_filters(scale, kind, organization, date_from, date_to)
    lang, territory_id = lang_of(request), _territory_id(user)
    if wants_mixed_only(request):
        fit, reason, n = service.territory_mixed(
            session=session, actor=user, territory_id=territory_id, filters=filters
        )
        context = mixed_context(fit, reason, n, filters.scale, lang)
        return render(request, "outcomes/_mixed.html", context, block="mixed")
    impact = service.territory_impact(
        session=session, actor=user, territory_id=territory_id, filters=filters, mixed=bool(mixed)
    )
    context = across_context(impact.report, lang)
    context.update(
        territory=impact.territory,
        organizations=impact.organizations,
        kinds=impact.kinds,
        query={
            "scale": filters.scale,
            "kind": kind,
            "organization": organization,
            "date_from": date_from,
            "date_to": date_to,
        },
        mixed_url=mixed_url(request),
    )
    return render(request, "dashboards/territory.html", context, block=results_block(request))


@router.get("/dashboards/territory/export.{fmt}", name="territory_dashboard_export")
def territory_dashboard_export(
    session: SessionDep,
    user: PageViewer,
    fmt: str,
    scale: str = COHESION,
    kind: str = "",
    organization: str = "",
    date_from: str = "",
    date_to: str = "",
) -> Response:
    filters = impact_filters(scale, kind, organization, date_from, date_to)
    impact = service.territory_impact(
        session=session, actor=user, territory_id=_territory_id(user), filters=filters
    )
    data = export_bytes(outcome_export.across_tables(impact.report), fmt)
    return download(f"territory-impact-{filters.scale}", data, fmt)
