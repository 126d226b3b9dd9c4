"""The territory impact dashboard: outcomes of the activities that organizations sharing data with a
territory run there, for that territory's government viewers, as suppressed aggregates only.

Scoping lives here, in one place: a viewer sees their own territory (any other is a 404); the
activities are those of organizations with a `DataSharing` row for the territory, located in the
territory or without a territory set (an organization's unlocated activities are shared wherever
it shares); only participants whose consent covers data sharing count (`outcomes.scores` with
``shared_only``); and the report is built with ``government=True`` (see `surveys.outcome_report`
for the small-cell rules).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from activities.models import Activity
from app.accounts.models import DataSharing, Organization, Role, Territory, User
from app.errors import NotFound
from app.i18n import _
from surveys import outcomes
from surveys.analysis import MixedResult
from surveys.outcome_report import AcrossReport
from surveys.outcomes import OverviewFilters


@dataclass
class TerritoryImpact:
    territory: Territory
    filters: OverviewFilters
    organizations: list[tuple[int, str]]
    kinds: list[str]
    report: AcrossReport


def scoped_territory(*, session: Session, actor: User, territory_id: int) -> Territory:
    """The viewer's own territory, else 404."""
    if actor.role != Role.GOVERNMENT_VIEWER or actor.territory_id != territory_id:
        raise NotFound(_("Territory not found."))
    territory = session.get(Territory, territory_id)
    if territory is None:
        raise NotFound(_("Territory not found."))
    return territory


def _sharing(territory_id: int) -> Any:
    return select(col(DataSharing.organization_id)).where(DataSharing.territory_id == territory_id)


def sharing_organizations(*, session: Session, territory_id: int) -> list[tuple[int, str]]:
    """(id, name) of the organizations that share aggregates with the territory."""
    query = (
        select(col(Organization.id), col(Organization.name))
        .where(col(Organization.id).in_(_sharing(territory_id)))
        .order_by(col(Organization.name))
    )
    return [(int(i), str(n)) for i, n in session.execute(query).all()]


def territory_activity_ids(territory_id: int, filters: OverviewFilters) -> Any:
    """A `select` of the ids of the shared activities in the territory that pass the filters."""
    query = outcomes.filtered_activity_ids(_sharing(territory_id), filters)
    return query.where(
        or_(col(Activity.territory_id) == territory_id, col(Activity.territory_id).is_(None))
    )


def territory_impact(
    *,
    session: Session,
    actor: User,
    territory_id: int,
    filters: OverviewFilters,
    mixed: bool = True,
) -> TerritoryImpact:
    """Suppressed outcome aggregates across the territory's shared activities."""
    territory = scoped_territory(session=session, actor=actor, territory_id=territory_id)
    ids = territory_activity_ids(territory_id, filters)
    report = outcomes.across(
        session=session, activity_ids=ids, filters=filters, government=True, mixed=mixed
    )
    return TerritoryImpact(
        territory=territory,
        filters=filters,
        organizations=sharing_organizations(session=session, territory_id=territory_id),
        kinds=outcomes.organization_kinds(session=session, organization_ids=_sharing(territory_id)),
        report=report,
    )


def territory_mixed(
    *, session: Session, actor: User, territory_id: int, filters: OverviewFilters
) -> tuple[MixedResult | None, str | None, int]:
    """Only the multilevel model of the territory's shared activities (loaded after the page)."""
    scoped_territory(session=session, actor=actor, territory_id=territory_id)
    ids = territory_activity_ids(territory_id, filters)
    return outcomes.across_mixed(
        session=session, activity_ids=ids, filters=filters, government=True
    )
