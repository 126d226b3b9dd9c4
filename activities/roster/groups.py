"""Mixed groups: propose them with the anticlustering tool, save them, move people by hand.

The algorithm is `activities.grouping` (pure); this module feeds it the activity's enrolled
participants, turns its answer into groups of people with their make-up, and stores groups.
Warnings are computed here from the make-up (not taken from the tool) so that they are the same
for a proposal and for saved groups after hand moves, and translatable.

Each participant is described to the tool by their group (migrant / host / other), gender, age
band and main language (the first language listed for them; "none" if no language is listed).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, delete, update
from sqlmodel import Session, col, select

from activities import assessment, grouping
from activities.models import Activity
from activities.participants.models import Enrollment, Participant, ParticipantGroup
from activities.roster.facts import mixing_tool_used
from activities.roster.models import ActivityGroup, GroupMember
from activities.service import scoped_activity
from app.accounts.models import User
from app.errors import Conflict, Invalid, NotFound
from app.i18n import _, gettext

MAX_PAIRS = 100
MAX_SEED = 2**31 - 1
NO_LANGUAGE = "none"


@dataclass(frozen=True)
class Notice:
    """A warning with a translatable message and its values."""

    message: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str) -> str:
        return gettext(lang, self.message) % self.params


@dataclass
class GroupRequest:
    """What the organizer asks the tool for: a size or a number of groups, pairs, a seed."""

    group_size: int | None = None
    n_groups: int | None = None
    keep_together: list[tuple[int, int]] = field(default_factory=list)
    keep_apart: list[tuple[int, int]] = field(default_factory=list)
    seed: int = 1


@dataclass
class GroupView:
    """One group: its people (by code) and its make-up per attribute."""

    number: int
    members: list[Participant]
    composition: dict[str, dict[str, int]]
    notices: list[Notice]
    id: int | None = None
    name: str = ""

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass
class Grouping:
    """Groups (proposed or saved), warnings, and who is enrolled but in no group."""

    groups: list[GroupView]
    notices: list[Notice]
    unassigned: list[Participant] = field(default_factory=list)
    formed_with_tool: bool | None = None
    objective: float | None = None

    @property
    def assignment(self) -> list[list[int]]:
        """Participant ids per group, in group order (what a proposal form carries to saving)."""
        return [[p.id or 0 for p in g.members] for g in self.groups]


# --- participants as the tool sees them -----------------------------------------------------------


def member_of(participant: Participant) -> grouping.Member:
    assert participant.id is not None
    return grouping.Member(
        key=participant.id,
        group=str(participant.group),
        gender=str(participant.gender),
        language=participant.languages[0] if participant.languages else NO_LANGUAGE,
        age_band=participant.age_band,
    )


def _enrolled(session: Session, activity: Activity) -> list[Participant]:
    query = (
        select(Participant)
        .join(Enrollment, col(Enrollment.participant_id) == Participant.id)
        .where(Enrollment.activity_id == activity.id)
        .order_by(col(Participant.code))
    )
    return list(session.exec(query))


# --- warnings -------------------------------------------------------------------------------------

_FEW = {
    ParticipantGroup.MIGRANT: (
        _("Group %(n)s has no migrants."),
        _("Group %(n)s has only one migrant."),
        _("Migrants are spread unevenly: %(low)s to %(high)s per group."),
    ),
    ParticipantGroup.HOST: (
        _("Group %(n)s has no host-community members."),
        _("Group %(n)s has only one host-community member."),
        _("Host-community members are spread unevenly: %(low)s to %(high)s per group."),
    ),
}


def notices_for(views: Sequence[GroupView]) -> list[Notice]:
    """Warn about groups with none or one of the migrants or locals, and about uneven spreads.

    A kind of person nobody in the activity belongs to is not warned about (as in the tool).
    """
    warnings: list[Notice] = []
    for category, (none, one, uneven) in _FEW.items():
        counts = [v.composition["group"].get(category, 0) for v in views]
        if not any(counts):
            continue
        for view, count in zip(views, counts, strict=True):
            if count <= 1:
                notice = Notice(none if count == 0 else one, {"n": view.number})
                view.notices.append(notice)
                warnings.append(notice)
        if max(counts) - min(counts) > 1:
            warnings.append(Notice(uneven, {"low": min(counts), "high": max(counts)}))
    sizes = [v.size for v in views]
    if sizes and max(sizes) - min(sizes) > 1:
        message = _("Group sizes are uneven: %(low)s to %(high)s people.")
        warnings.append(Notice(message, {"low": min(sizes), "high": max(sizes)}))
    return warnings


def _views(
    groups: Sequence[Sequence[Participant]], saved: Sequence[ActivityGroup] = ()
) -> list[GroupView]:
    views = []
    for index, people in enumerate(groups):
        members = [member_of(p) for p in people]
        row = saved[index] if saved else None
        views.append(
            GroupView(
                number=row.number if row else index + 1,
                members=list(people),
                composition=grouping.composition(members, [m.key for m in members]),
                notices=[],
                id=row.id if row else None,
                name=row.name if row else "",
            )
        )
    return views


# --- proposing ------------------------------------------------------------------------------------


def _check_request(request: GroupRequest, enrolled: dict[int, Participant]) -> None:
    """Refuse pairs the tool would refuse with participant ids, saying it with codes instead."""
    if len(request.keep_together) + len(request.keep_apart) > MAX_PAIRS:
        raise Invalid(_("Give at most 100 pairs."))
    if not 0 <= request.seed <= MAX_SEED:
        raise Invalid(_("The seed must be a whole number from 0 to 2147483647."))
    for a, b in [*request.keep_together, *request.keep_apart]:
        if a == b:
            raise Invalid(_("Choose two different participants for each pair."))
        if a not in enrolled or b not in enrolled:
            raise Invalid(_("Both participants of a pair must be enrolled in the activity."))
    together = {frozenset(pair) for pair in request.keep_together}
    for a, b in request.keep_apart:
        if frozenset((a, b)) in together:
            raise Invalid(
                _("%(a)s and %(b)s cannot be kept both together and apart.")
                % {"a": enrolled[a].code, "b": enrolled[b].code}
            )


def _propose(session: Session, activity: Activity, request: GroupRequest) -> Grouping:
    people = _enrolled(session, activity)
    by_id = {p.id or 0: p for p in people}
    _check_request(request, by_id)
    try:
        proposal = grouping.form_groups(
            [member_of(p) for p in people],
            group_size=request.group_size,
            n_groups=request.n_groups,
            keep_together=request.keep_together,
            keep_apart=request.keep_apart,
            seed=request.seed,
        )
    except grouping.GroupingError as error:
        raise Invalid(error.message) from error
    views = _views([[by_id[key] for key in keys] for keys in proposal.groups])
    return Grouping(
        groups=views,
        notices=notices_for(views),
        formed_with_tool=True,
        objective=proposal.objective,
    )


def propose(*, session: Session, actor: User, activity_id: int, request: GroupRequest) -> Grouping:
    """Groups the tool proposes for the enrolled participants; nothing is saved."""
    activity = scoped_activity(session=session, actor=actor, activity_id=activity_id)
    return _propose(session, activity, request)


# --- saving ---------------------------------------------------------------------------------------


def _replace(
    session: Session,
    activity: Activity,
    actor: User,
    groups: Sequence[Sequence[int]],
    *,
    formed_with_tool: bool,
    names: Sequence[str] = (),
) -> None:
    """Delete the activity's groups and store these instead (no commit)."""
    assert activity.id is not None
    session.exec(delete(GroupMember).where(col(GroupMember.activity_id) == activity.id))  # type: ignore[call-overload]
    session.exec(delete(ActivityGroup).where(col(ActivityGroup.activity_id) == activity.id))  # type: ignore[call-overload]
    rows = [
        ActivityGroup(
            activity_id=activity.id,
            number=number,
            name=names[number - 1] if number <= len(names) else "",
            formed_with_tool=formed_with_tool,
            created_by_id=actor.id,
        )
        for number in range(1, len(groups) + 1)
    ]
    session.add_all(rows)
    session.flush()
    session.add_all(
        GroupMember(group_id=row.id or 0, participant_id=pid, activity_id=activity.id)
        for row, members in zip(rows, groups, strict=True)
        for pid in members
    )
    session.flush()
    assessment.refresh_design_score(session=session, activity=activity)


def save_proposal(
    *,
    session: Session,
    actor: User,
    activity_id: int,
    request: GroupRequest,
    expected: Sequence[Sequence[int]] | None = None,
) -> Grouping:
    """Save the tool's groups, replacing any saved before; they count as formed with the tool.

    The tool is run again (it is deterministic for a seed); `expected`, the groups the organizer
    was shown, must match, else 409: the enrolment changed since the proposal.
    """
    activity = scoped_activity(session=session, actor=actor, activity_id=activity_id)
    proposal = _propose(session, activity, request)
    if expected is not None and [list(g) for g in expected] != proposal.assignment:
        raise Conflict(
            _(
                "The enrolment changed since this proposal was made. "
                "Check the new proposal and save again."
            )
        )
    _replace(session, activity, actor, proposal.assignment, formed_with_tool=True)
    session.commit()
    return read_groups(session=session, actor=actor, activity_id=activity_id)


def save_by_hand(
    *,
    session: Session,
    actor: User,
    activity_id: int,
    groups: Sequence[Sequence[int]],
    names: Sequence[str] = (),
) -> Grouping:
    """Save groups as the organizer typed them (not formed with the tool)."""
    activity = scoped_activity(session=session, actor=actor, activity_id=activity_id)
    enrolled = {p.id for p in _enrolled(session, activity)}
    listed = [pid for members in groups for pid in members]
    if len(groups) < 2 or any(not members for members in groups):
        raise Invalid(_("Give at least 2 groups, none of them empty."))
    if len(set(listed)) != len(listed):
        raise Invalid(_("A participant can be in only one group of an activity."))
    if not set(listed) <= enrolled:
        raise Invalid(_("Every group member must be enrolled in the activity."))
    _replace(session, activity, actor, groups, formed_with_tool=False, names=names)
    session.commit()
    return read_groups(session=session, actor=actor, activity_id=activity_id)


# --- reading and moving -------------------------------------------------------------------------


def read_groups(*, session: Session, actor: User, activity_id: int) -> Grouping:
    """The saved groups with their make-up and warnings, and who is in none: two queries."""
    activity = scoped_activity(session=session, actor=actor, activity_id=activity_id)
    saved = list(
        session.exec(
            select(ActivityGroup)
            .where(ActivityGroup.activity_id == activity.id)
            .order_by(col(ActivityGroup.number))
        )
    )
    query = (
        select(Participant, GroupMember.group_id)
        .join(Enrollment, col(Enrollment.participant_id) == Participant.id)
        .outerjoin(
            GroupMember,
            and_(
                col(GroupMember.participant_id) == Participant.id,
                col(GroupMember.activity_id) == activity.id,
            ),
        )
        .where(Enrollment.activity_id == activity.id)
        .order_by(col(Participant.code))
    )
    members: dict[int | None, list[Participant]] = {}
    for participant, group_id in session.exec(query).all():
        members.setdefault(group_id, []).append(participant)
    views = _views([members.get(row.id, []) for row in saved], saved)
    return Grouping(
        groups=views,
        notices=notices_for(views),
        unassigned=members.get(None, []),
        formed_with_tool=any(row.formed_with_tool for row in saved) if saved else None,
    )


def move_member(
    *, session: Session, actor: User, activity_id: int, participant_id: int, group_id: int
) -> Grouping:
    """Put an enrolled participant in another group by hand (or in one, if they had none).

    The groups keep `formed_with_tool`: hand moves adjust the tool's mix, they do not replace it.
    """
    activity = scoped_activity(session=session, actor=actor, activity_id=activity_id)
    target = session.get(ActivityGroup, group_id)
    if target is None or target.activity_id != activity.id:
        raise NotFound(_("Group not found."))
    is_enrolled = session.exec(
        select(Enrollment.id).where(
            Enrollment.activity_id == activity.id, Enrollment.participant_id == participant_id
        )
    ).first()
    if is_enrolled is None:
        raise NotFound(_("This participant is not enrolled in the activity."))
    current = session.exec(
        select(GroupMember).where(
            GroupMember.activity_id == activity.id, GroupMember.participant_id == participant_id
        )
    ).first()
    if current is None:
        session.add(
            GroupMember(group_id=group_id, participant_id=participant_id, activity_id=activity_id)
        )
    elif current.group_id != group_id:
        _check_not_last(session, current.group_id)
        # The group is part of the row's key: update it in SQL, not through the loaded object.
        session.expunge(current)
        session.exec(
            update(GroupMember)  # type: ignore[call-overload]
            .where(
                col(GroupMember.activity_id) == activity.id,
                col(GroupMember.participant_id) == participant_id,
            )
            .values(group_id=group_id)
        )
    session.commit()
    return read_groups(session=session, actor=actor, activity_id=activity_id)


def _check_not_last(session: Session, group_id: int) -> None:
    size = session.exec(
        select(GroupMember.participant_id).where(GroupMember.group_id == group_id).limit(2)
    ).all()
    if len(size) < 2:
        raise Invalid(_("This is the last person in their group; a group cannot be left empty."))


def tool_used(*, session: Session, actor: User, activity_id: int) -> bool | None:
    """`facts.mixing_tool_used` for an activity of the actor's organization."""
    activity = scoped_activity(session=session, actor=actor, activity_id=activity_id)
    assert activity.id is not None
    return mixing_tool_used(session=session, activity_id=activity.id)
