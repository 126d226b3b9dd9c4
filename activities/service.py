"""Activity services: activities, facilitators, partners, sessions and design assessments.

Every function takes the acting staff member and goes through `scoped_activity`, so another
organization's activity (and everything hanging from it) does not exist for the caller: 404.
"""

import math
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from sqlalchemy import exists, func, nulls_last, or_
from sqlmodel import Session, col, select

from activities import assessment, scheduling
from activities.kinds import Kind
from activities.kinds import template as kind_template
from activities.models import (
    STATUS_TRANSITIONS,
    Activity,
    ActivityFacilitator,
    ActivityPartner,
    ActivitySession,
    ActivityStatus,
    PrincipleAssessment,
    SessionStatus,
)
from activities.principles import PARTNER_TYPES
from app.accounts.models import Role, Territory, User, utcnow
from app.errors import Conflict, Invalid, NotFound
from app.i18n import _

PER_PAGE = 20
MAX_TARGET = 100_000
MAX_SESSIONS_PER_ACTIVITY = 500
SORTS = ("start_desc", "start_asc", "title", "score_desc", "score_asc")
STAFF_ROLES = (Role.ORG_ADMIN, Role.ORGANIZER)


@dataclass
class ActivityFields:
    """What an organizer fills in for an activity (everything but status, people and partners)."""

    title: str
    kind: str
    description: str = ""
    shared_goal: str = ""
    location: str = ""
    territory_id: int | None = None
    start_date: date | None = None
    end_date: date | None = None
    target_migrants: int = 0
    target_locals: int = 0


@dataclass
class ActivityFilters:
    status: str = ""  # "" = every status but archived; "all" = every status
    kind: str = ""
    date_from: date | None = None
    date_to: date | None = None
    facilitator_id: int | None = None
    sort: str = "start_desc"
    page: int = 1


@dataclass
class ActivityRow:
    activity: Activity
    session_count: int


@dataclass
class ActivityPage:
    rows: list[ActivityRow]
    total: int
    page: int
    pages: int
    per_page: int = PER_PAGE


@dataclass
class FacilitatorRow:
    user: User
    trained: bool


@dataclass
class ActivityDetail:
    activity: Activity
    facilitators: list[FacilitatorRow] = field(default_factory=list)
    partners: list[ActivityPartner] = field(default_factory=list)
    territory: Territory | None = None


# --- activities -------------------------------------------------------------------------------


def scoped_activity(*, session: Session, actor: User, activity_id: int) -> Activity:
    """The activity if it belongs to the actor's organization, else 404."""
    activity = session.get(Activity, activity_id)
    if activity is None or actor.organization_id is None:
        raise NotFound(_("Activity not found."))
    if activity.organization_id != actor.organization_id:
        raise NotFound(_("Activity not found."))
    return activity


def _clean(fields: ActivityFields, session: Session) -> ActivityFields:
    """Validate and trim the fields, or raise Invalid with a message for the organizer."""
    title = fields.title.strip()
    if not title:
        raise Invalid(_("The activity needs a title."))
    if len(title) > 160:
        raise Invalid(_("The title is too long (at most 160 characters)."))
    if fields.kind not in {k.value for k in Kind}:
        raise Invalid(_("Unknown kind of activity."))
    if len(fields.description) > 4000 or len(fields.shared_goal) > 1000:
        raise Invalid(_("The description or the shared goal is too long."))
    if len(fields.location.strip()) > 200:
        raise Invalid(_("The location is too long (at most 200 characters)."))
    if fields.start_date and fields.end_date and fields.end_date < fields.start_date:
        raise Invalid(_("The end date is before the start date."))
    for target in (fields.target_migrants, fields.target_locals):
        if target < 0 or target > MAX_TARGET:
            raise Invalid(_("Target numbers of participants must be between 0 and 100000."))
    if fields.territory_id is not None and session.get(Territory, fields.territory_id) is None:
        raise Invalid(_("Unknown territory."))
    return ActivityFields(
        title=title,
        kind=fields.kind,
        description=fields.description.strip(),
        shared_goal=fields.shared_goal.strip(),
        location=fields.location.strip(),
        territory_id=fields.territory_id,
        start_date=fields.start_date,
        end_date=fields.end_date,
        target_migrants=fields.target_migrants,
        target_locals=fields.target_locals,
    )


def template_fields(*, kind: str, lang: str) -> ActivityFields:
    """A new activity pre-filled from the kind's template (description and shared goal)."""
    try:
        chosen = kind_template(kind)
    except ValueError as error:
        raise Invalid(_("Unknown kind of activity.")) from error
    return ActivityFields(
        title="",
        kind=chosen.kind.value,
        description=chosen.description.get(lang, chosen.description["en"]),
        shared_goal=chosen.shared_goal.get(lang, chosen.shared_goal["en"]),
    )


def create_activity(
    *,
    session: Session,
    actor: User,
    fields: ActivityFields,
    facilitators: Sequence[tuple[int, bool]] = (),
    partners: Sequence[tuple[str, str, str]] = (),
) -> Activity:
    """Create a draft activity in the actor's organization, with facilitators and partners."""
    if actor.organization_id is None:
        raise NotFound(_("Organization not found."))
    clean = _clean(fields, session)
    people = dict(facilitators)  # a person listed twice is one facilitator
    for user_id in people:
        _check_facilitator(session, actor.organization_id, user_id)
    checked = [_partner_fields(name, type_, role) for name, type_, role in partners]
    activity = Activity(
        organization_id=actor.organization_id, created_by_id=actor.id, **vars(clean)
    )
    session.add(activity)
    session.flush()
    assert activity.id is not None
    for user_id, trained in people.items():
        session.add(ActivityFacilitator(activity_id=activity.id, user_id=user_id, trained=trained))
    session.add_all(_partner(activity.id, p) for p in checked)
    session.commit()
    return activity


def update_activity(
    *, session: Session, actor: User, activity_id: int, fields: ActivityFields
) -> Activity:
    """Change what the organizer filled in; sessions must stay inside the activity's dates."""
    activity = scoped_activity(session=session, actor=actor, activity_id=activity_id)
    clean = _clean(fields, session)
    _check_sessions_fit(session, activity, clean.start_date, clean.end_date)
    for name, value in vars(clean).items():
        setattr(activity, name, value)
    activity.updated_at = utcnow()
    session.add(activity)
    assessment.refresh_design_score(session=session, activity=activity)
    session.commit()
    return activity


def _check_sessions_fit(
    session: Session, activity: Activity, start: date | None, end: date | None
) -> None:
    query = select(func.count()).where(
        ActivitySession.activity_id == activity.id,
        ActivitySession.status == SessionStatus.SCHEDULED,
    )
    outside = []
    if start:
        outside.append(col(ActivitySession.date) < start)
    if end:
        outside.append(col(ActivitySession.date) > end)
    if outside and session.exec(query.where(or_(*outside))).one():
        raise Invalid(
            _("Some scheduled sessions fall outside these dates. Move or cancel them first.")
        )


def change_status(*, session: Session, actor: User, activity_id: int, status: str) -> Activity:
    """Move the activity along draft → planned → running → completed → archived."""
    activity = scoped_activity(session=session, actor=actor, activity_id=activity_id)
    if status not in {s.value for s in ActivityStatus}:
        raise Invalid(_("Unknown status."))
    target = ActivityStatus(status)
    if target not in STATUS_TRANSITIONS[ActivityStatus(activity.status)]:
        raise Conflict(_("The activity cannot move to this status from its current one."))
    activity.status = target
    activity.updated_at = utcnow()
    session.add(activity)
    session.commit()
    return activity


def activity_detail(*, session: Session, actor: User, activity_id: int) -> ActivityDetail:
    """The activity with its facilitators (and whether trained), partners and territory."""
    activity = scoped_activity(session=session, actor=actor, activity_id=activity_id)
    rows = session.exec(
        select(User, ActivityFacilitator.trained)
        .join(ActivityFacilitator, col(ActivityFacilitator.user_id) == User.id)
        .where(ActivityFacilitator.activity_id == activity.id)
        .order_by(col(User.full_name), col(User.email))
    ).all()
    partners = session.exec(
        select(ActivityPartner)
        .where(ActivityPartner.activity_id == activity.id)
        .order_by(col(ActivityPartner.id))
    ).all()
    territory = session.get(Territory, activity.territory_id) if activity.territory_id else None
    return ActivityDetail(
        activity, [FacilitatorRow(u, t) for u, t in rows], list(partners), territory
    )


def _filtered(query: Any, actor: User, filters: ActivityFilters) -> Any:
    """The query restricted to the actor's organization and the chosen filters."""
    query = query.where(Activity.organization_id == actor.organization_id)
    if filters.status == "":
        query = query.where(Activity.status != ActivityStatus.ARCHIVED)
    elif filters.status != "all":
        query = query.where(Activity.status == filters.status)
    if filters.kind:
        query = query.where(Activity.kind == filters.kind)
    if filters.date_from:
        ends = func.coalesce(col(Activity.end_date), col(Activity.start_date))
        query = query.where(ends >= filters.date_from)
    if filters.date_to:
        query = query.where(col(Activity.start_date) <= filters.date_to)
    if filters.facilitator_id:
        query = query.where(
            exists().where(
                col(ActivityFacilitator.activity_id) == col(Activity.id),
                col(ActivityFacilitator.user_id) == filters.facilitator_id,
            )
        )
    return query


def _ordering(sort: str) -> list[Any]:
    orders: dict[str, list[Any]] = {
        "start_desc": [nulls_last(col(Activity.start_date).desc())],
        "start_asc": [nulls_last(col(Activity.start_date).asc())],
        "title": [func.lower(Activity.title)],
        "score_desc": [nulls_last(col(Activity.design_score).desc())],
        "score_asc": [nulls_last(col(Activity.design_score).asc())],
    }
    return [*orders[sort], col(Activity.id).desc()]


def list_activities(
    *, session: Session, actor: User, filters: ActivityFilters, per_page: int = PER_PAGE
) -> ActivityPage:
    """One page of the organization's activities, with session counts, in two queries."""
    if filters.sort not in SORTS:
        raise Invalid(_("Unknown sort order."))
    if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
        raise Invalid(_("The end of the period is before its start."))
    if actor.organization_id is None:
        raise NotFound(_("Organization not found."))
    total = int(session.exec(_filtered(select(func.count(col(Activity.id))), actor, filters)).one())
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, filters.page), pages)
    counts = (
        select(ActivitySession.activity_id, func.count().label("n"))
        .where(ActivitySession.status == SessionStatus.SCHEDULED)
        .group_by(col(ActivitySession.activity_id))
        .subquery()
    )
    query = _filtered(
        select(Activity, func.coalesce(counts.c.n, 0)).outerjoin(
            counts, counts.c.activity_id == Activity.id
        ),
        actor,
        filters,
    )
    query = query.order_by(*_ordering(filters.sort)).offset((page - 1) * per_page).limit(per_page)
    rows = [ActivityRow(a, int(n)) for a, n in session.exec(query).all()]
    return ActivityPage(rows, total, page, pages, per_page)


def organization_staff(*, session: Session, actor: User) -> list[User]:
    """Active staff of the actor's organization: who can facilitate."""
    query = select(User).where(
        User.organization_id == actor.organization_id,
        col(User.is_active).is_(True),
        col(User.role).in_([r.value for r in STAFF_ROLES]),
    )
    return list(session.exec(query.order_by(col(User.full_name), col(User.email))))


def staff_names(*, session: Session, actor: User) -> dict[int, str]:
    """Names of everyone (active or not) in the actor's organization, by id, in one query."""
    query = select(User.id, User.full_name, User.email).where(
        User.organization_id == actor.organization_id
    )
    return {uid: name or email for uid, name, email in session.exec(query).all() if uid}


# --- facilitators and partners ------------------------------------------------------------------


def _check_facilitator(session: Session, organization_id: int, user_id: int) -> None:
    user = session.get(User, user_id)
    if (
        user is None
        or user.organization_id != organization_id
        or not user.is_active
        or user.role not in STAFF_ROLES
    ):
        raise Invalid(_("A facilitator must be an active staff member of your organization."))


def _put_facilitator(session: Session, activity: Activity, user_id: int, trained: bool) -> None:
    _check_facilitator(session, activity.organization_id, user_id)
    link = session.get(ActivityFacilitator, (activity.id, user_id))
    if link is None:
        assert activity.id is not None
        link = ActivityFacilitator(activity_id=activity.id, user_id=user_id)
    link.trained = trained
    session.add(link)


def add_facilitator(
    *, session: Session, actor: User, activity_id: int, user_id: int, trained: bool
) -> FacilitatorRow:
    """Add a staff member as facilitator, or update whether they are trained."""
    activity = scoped_activity(session=session, actor=actor, activity_id=activity_id)
    _put_facilitator(session, activity, user_id, trained)
    session.flush()
    assessment.refresh_design_score(session=session, activity=activity)
    session.commit()
    user = session.get(User, user_id)
    assert user is not None
    return FacilitatorRow(user, trained)


def remove_facilitator(*, session: Session, actor: User, activity_id: int, user_id: int) -> None:
    activity = scoped_activity(session=session, actor=actor, activity_id=activity_id)
    link = session.get(ActivityFacilitator, (activity.id, user_id))
    if link is None:
        raise NotFound(_("This person is not a facilitator of the activity."))
    session.delete(link)
    session.flush()
    assessment.refresh_design_score(session=session, activity=activity)
    session.commit()


def _partner_fields(name: str, type_: str, role: str) -> tuple[str, str, str]:
    """A partner's checked fields, or Invalid with a message for the organizer."""
    name, role = name.strip(), role.strip()
    if not name or len(name) > 160:
        raise Invalid(_("The partner needs a name (at most 160 characters)."))
    if type_ not in PARTNER_TYPES:
        raise Invalid(_("Unknown type of partner institution."))
    if len(role) > 300:
        raise Invalid(_("The partner's role is too long (at most 300 characters)."))
    return name, type_, role


def _partner(activity_id: int, fields: tuple[str, str, str]) -> ActivityPartner:
    name, type_, role = fields
    return ActivityPartner(activity_id=activity_id, name=name, type=type_, role=role)


def add_partner(
    *, session: Session, actor: User, activity_id: int, name: str, type: str, role: str = ""
) -> ActivityPartner:
    """Record an institution that supports the activity."""
    activity = scoped_activity(session=session, actor=actor, activity_id=activity_id)
    assert activity.id is not None
    partner = _partner(activity.id, _partner_fields(name, type, role))
    session.add(partner)
    session.flush()
    assessment.refresh_design_score(session=session, activity=activity)
    session.commit()
    return partner


def remove_partner(*, session: Session, actor: User, activity_id: int, partner_id: int) -> None:
    activity = scoped_activity(session=session, actor=actor, activity_id=activity_id)
    partner = session.get(ActivityPartner, partner_id)
    if partner is None or partner.activity_id != activity.id:
        raise NotFound(_("Partner not found."))
    session.delete(partner)
    session.flush()
    assessment.refresh_design_score(session=session, activity=activity)
    session.commit()


# --- sessions ---------------------------------------------------------------------------------


def list_sessions(*, session: Session, actor: User, activity_id: int) -> list[ActivitySession]:
    """The activity's sessions in date order, cancelled ones included."""
    activity = scoped_activity(session=session, actor=actor, activity_id=activity_id)
    query = (
        select(ActivitySession)
        .where(ActivitySession.activity_id == activity.id)
        .order_by(col(ActivitySession.date), col(ActivitySession.start_time))
    )
    return list(session.exec(query))


def _check_inside(activity: Activity, days: Sequence[date]) -> None:
    if activity.start_date and min(days) < activity.start_date:
        raise Invalid(
            _("A session would be before the activity's start date. Change the first date.")
        )
    if activity.end_date and max(days) > activity.end_date:
        raise Invalid(
            _(
                "The sessions would run past the activity's end date. "
                "Schedule fewer sessions or move the end date."
            )
        )


def schedule_sessions(
    *, session: Session, actor: User, activity_id: int, recurrence: scheduling.Recurrence
) -> list[ActivitySession]:
    """Generate the sessions of a one-off or recurring schedule."""
    activity = scoped_activity(session=session, actor=actor, activity_id=activity_id)
    try:
        days = scheduling.session_dates(recurrence)
    except scheduling.ScheduleError as error:
        raise Invalid(str(error)) from error
    _check_inside(activity, days)
    if len(recurrence.location) > 200:
        raise Invalid(_("The location is too long (at most 200 characters)."))
    existing = session.exec(
        select(func.count()).where(ActivitySession.activity_id == activity.id)
    ).one()
    if existing + len(days) > MAX_SESSIONS_PER_ACTIVITY:
        raise Invalid(_("An activity can have at most 500 sessions."))
    series = uuid.uuid4().hex if len(days) > 1 else None
    frequency = recurrence.frequency.value if series else None
    assert activity.id is not None
    created = [
        ActivitySession(
            activity_id=activity.id,
            date=day,
            start_time=recurrence.start_time,
            duration_minutes=recurrence.duration_minutes,
            location=recurrence.location.strip() or activity.location,
            series_id=series,
            frequency=frequency,
        )
        for day in days
    ]
    session.add_all(created)
    session.flush()
    assessment.refresh_design_score(session=session, activity=activity)
    session.commit()
    return created


def scoped_session(
    *, session: Session, actor: User, activity_id: int, session_id: int
) -> ActivitySession:
    activity = scoped_activity(session=session, actor=actor, activity_id=activity_id)
    found = session.get(ActivitySession, session_id)
    if found is None or found.activity_id != activity.id:
        raise NotFound(_("Session not found."))
    return found


def update_session(
    *,
    session: Session,
    actor: User,
    activity_id: int,
    session_id: int,
    day: date,
    start_time: time,
    duration_minutes: int,
    location: str = "",
) -> ActivitySession:
    """Move or change one session (it stays part of its series)."""
    found = scoped_session(
        session=session, actor=actor, activity_id=activity_id, session_id=session_id
    )
    activity = scoped_activity(session=session, actor=actor, activity_id=activity_id)
    if not 1 <= duration_minutes <= scheduling.MAX_DURATION_MINUTES:
        raise Invalid(_("A session lasts between 1 minute and 12 hours."))
    if len(location.strip()) > 200:
        raise Invalid(_("The location is too long (at most 200 characters)."))
    _check_inside(activity, [day])
    found.date, found.start_time = day, start_time
    found.duration_minutes, found.location = duration_minutes, location.strip()
    session.add(found)
    session.flush()
    assessment.refresh_design_score(session=session, activity=activity)
    session.commit()
    return found


def cancel_session(
    *, session: Session, actor: User, activity_id: int, session_id: int
) -> ActivitySession:
    """Cancel one session; it stays listed as cancelled and no longer counts."""
    found = scoped_session(
        session=session, actor=actor, activity_id=activity_id, session_id=session_id
    )
    if found.status == SessionStatus.CANCELLED:
        raise Conflict(_("This session is already cancelled."))
    found.status = SessionStatus.CANCELLED
    session.add(found)
    session.flush()
    activity = scoped_activity(session=session, actor=actor, activity_id=activity_id)
    assessment.refresh_design_score(session=session, activity=activity)
    session.commit()
    return found


# --- design assessment --------------------------------------------------------------------------


def suggested_answers(*, activity: Activity) -> dict[str, str | float]:
    """The answers the kind's template suggests, as a starting point for a first assessment."""
    try:
        return dict(kind_template(activity.kind).suggested_answers)
    except ValueError:
        return {}


def current_design(*, session: Session, actor: User, activity_id: int) -> assessment.Design:
    """The design now: the latest saved answers, scored with today's sessions and partners."""
    activity = scoped_activity(session=session, actor=actor, activity_id=activity_id)
    saved = assessment.latest(session=session, activity_id=activity_id)
    answers = saved.answers if saved else {}
    return assessment.evaluate(session=session, activity=activity, answers=answers, saved=saved)


def preview_design(
    *, session: Session, actor: User, activity_id: int, answers: Mapping[str, object]
) -> assessment.Design:
    """Score answers the organizer is still editing, without saving anything."""
    activity = scoped_activity(session=session, actor=actor, activity_id=activity_id)
    clean = assessment.clean_answers(answers)
    saved = assessment.latest(session=session, activity_id=activity_id)
    return assessment.evaluate(session=session, activity=activity, answers=clean, saved=saved)


def save_design(
    *, session: Session, actor: User, activity_id: int, answers: Mapping[str, object]
) -> PrincipleAssessment:
    """Save the answers as a new assessment in the activity's design history."""
    activity = scoped_activity(session=session, actor=actor, activity_id=activity_id)
    clean = assessment.clean_answers(answers)
    row = assessment.record(session=session, activity=activity, actor=actor, answers=clean)
    session.commit()
    return row


def design_history(*, session: Session, actor: User, activity_id: int) -> list[PrincipleAssessment]:
    """Every saved assessment of the activity, newest first."""
    activity = scoped_activity(session=session, actor=actor, activity_id=activity_id)
    assert activity.id is not None
    return assessment.history(session=session, activity_id=activity.id)
