"""The enrolment page's services: find people to enrol, and the migrant / local balance.

Enrolling and unenrolling are `activities.participants.service` (`enrol_many`, `unenrol`); this
module adds what the activity's roster page needs around them. Every function scopes the activity
to the actor's organization first (another organization's activity: 404).
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func, or_
from sqlmodel import Session, col, select

from activities.codes import normalise_code
from activities.models import Activity
from activities.participants import service as participants
from activities.participants.models import Enrollment, Participant, ParticipantGroup
from activities.service import scoped_activity
from app.accounts.models import User
from app.errors import Invalid, NotFound
from app.i18n import _

PER_PAGE = 25
MAX_SELECTED = 1000


@dataclass(frozen=True)
class Balance:
    """Enrolled migrants, locals (host community) and others, against the activity's targets."""

    migrants: int
    locals: int
    others: int
    target_migrants: int
    target_locals: int

    @property
    def total(self) -> int:
        return self.migrants + self.locals + self.others

    def percent(self, count: int) -> int:
        """Share of everyone enrolled, in whole percent (for the mix bar)."""
        return round(100 * count / self.total) if self.total else 0

    @staticmethod
    def progress(count: int, target: int) -> int:
        """How far towards a target, in whole percent, capped at 100 (for the target bars)."""
        if target <= 0:
            return 100 if count else 0
        return min(100, round(100 * count / target))


@dataclass
class CandidatePage:
    rows: list[Participant]
    total: int
    page: int
    pages: int
    per_page: int = PER_PAGE


def balance(*, session: Session, actor: User, activity_id: int) -> Balance:
    """How many of each group are enrolled, in one aggregate query, with the targets."""
    activity = scoped_activity(session=session, actor=actor, activity_id=activity_id)
    query = (
        select(Participant.group, func.count())
        .join(Enrollment, col(Enrollment.participant_id) == Participant.id)
        .where(Enrollment.activity_id == activity.id)
        .group_by(col(Participant.group))
    )
    counts = {str(group): int(n) for group, n in session.exec(query).all()}
    return Balance(
        migrants=counts.get(ParticipantGroup.MIGRANT, 0),
        locals=counts.get(ParticipantGroup.HOST, 0),
        others=counts.get(ParticipantGroup.OTHER, 0),
        target_migrants=activity.target_migrants,
        target_locals=activity.target_locals,
    )


def _not_enrolled(activity: Activity, q: str, group: str) -> list[Any]:
    conditions: list[Any] = [
        Participant.organization_id == activity.organization_id,
        ~exists().where(
            col(Enrollment.participant_id) == col(Participant.id),
            col(Enrollment.activity_id) == activity.id,
        ),
    ]
    text = q.strip()
    if text:
        matches = [func.lower(Participant.name).contains(text.lower(), autoescape=True)]
        if normalise_code(text):
            matches.append(col(Participant.code).startswith(normalise_code(text), autoescape=True))
        conditions.append(or_(*matches))
    if group:
        conditions.append(Participant.group == group)
    return conditions


def search_candidates(
    *,
    session: Session,
    actor: User,
    activity_id: int,
    q: str = "",
    group: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> CandidatePage:
    """The organization's participants not yet enrolled, matching a code or name, by code."""
    activity = scoped_activity(session=session, actor=actor, activity_id=activity_id)
    if group and group not in {g.value for g in ParticipantGroup}:
        raise Invalid(_("Unknown group."))
    conditions = _not_enrolled(activity, q[:120], group)
    total = int(session.exec(select(func.count(col(Participant.id))).where(*conditions)).one())
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    query = select(Participant).where(*conditions).order_by(col(Participant.code))
    rows = list(session.exec(query.offset((page - 1) * per_page).limit(per_page)))
    return CandidatePage(rows, total, page, pages, per_page)


def _chosen(participant_ids: Sequence[int]) -> list[int]:
    chosen = list(dict.fromkeys(participant_ids))
    if not chosen:
        raise Invalid(_("Tick at least one participant."))
    if len(chosen) > MAX_SELECTED:
        raise Invalid(_("Choose at most 1000 participants at a time."))
    return chosen


def enrol_selected(
    *, session: Session, actor: User, activity_id: int, participant_ids: Sequence[int]
) -> int:
    """Enrol the ticked participants (all of the organization, else 404); how many were chosen."""
    chosen = _chosen(participant_ids)
    participants.enrol_many(
        session=session, actor=actor, activity_id=activity_id, participant_ids=chosen
    )
    return len(chosen)


def enrolled_among(
    *, session: Session, actor: User, activity_id: int, participant_ids: Sequence[int]
) -> list[Participant]:
    """The given participants, all enrolled in the activity (else 404), by code."""
    activity = scoped_activity(session=session, actor=actor, activity_id=activity_id)
    chosen = _chosen(participant_ids)
    query = (
        select(Participant)
        .join(Enrollment, col(Enrollment.participant_id) == Participant.id)
        .where(Enrollment.activity_id == activity.id, col(Participant.id).in_(chosen))
        .order_by(col(Participant.code))
    )
    found = list(session.exec(query))
    if len(found) != len(chosen):
        raise NotFound(_("This participant is not enrolled in the activity."))
    return found


def unenrol_selected(
    *, session: Session, actor: User, activity_id: int, participant_ids: Sequence[int]
) -> int:
    """Take the ticked participants out of the activity (checked first: all or none)."""
    found = enrolled_among(
        session=session, actor=actor, activity_id=activity_id, participant_ids=participant_ids
    )
    for participant in found:
        assert participant.id is not None
        participants.unenrol(
            session=session, actor=actor, activity_id=activity_id, participant_id=participant.id
        )
    return len(found)


def enrolled(*, session: Session, actor: User, activity_id: int) -> list[Participant]:
    """The activity's enrolled participants, by code (one query)."""
    rows = participants.list_enrollments(session=session, actor=actor, activity_id=activity_id)
    return [participant for _enrollment, participant in rows]
