"""SQL loaders for outcome analysis: the database filters, joins and aggregates; pandas gets one row
per participant, scale and wave (never one row per answer) and does the statistics.

The loaders take activity ids (a list or a `select` of ids) that the caller has already scoped:
`activity_outcomes` and `organization_overview` below scope to the organizer's organization, and
`app.dashboards.service` to the organizations that share data with a government viewer's territory.

* `scores`: each completed pre/post response's stored score (`response_score`) per scale, with the
  participant's group, age band, gender and language. The participant key is the participant
  (personal links) or the self-generated code (anonymous surveys), prefixed by the activity, so a
  person in two activities is two pairs; a response with neither has no key and is never paired.
  With ``shared_only`` (government views) only participants whose consent covers data sharing
  count, and the keys are replaced by meaningless numbers before the frame leaves this module.
* `wave_counts`: per activity, wave and scale the number of completed responses with a score and
  their mean (one aggregate row each), for funnels and the cohesion index over time.
* `item_answers` and `item_table`: the answers of ONE activity, for Cronbach's alpha, which is an
  item-level statistic; nothing that spans activities reads answers.
* `activity_table` and `assessments`: one row per activity (and per saved design assessment).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, String, and_, cast, exists, func, literal, or_
from sqlalchemy import select as columns_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from activities.importing import AGE_BAND_LIMITS
from activities.models import Activity, PrincipleAssessment
from activities.participants.models import Consent, ConsentKind, Enrollment, Participant
from activities.roster.facts import doses
from app import audit
from app.accounts.models import Organization, User, utcnow
from app.errors import NotFound
from app.i18n import _
from app.settings import get_settings
from surveys import analysis, instruments, outcome_report, scoring
from surveys.models import Answer, InstrumentVersion, Response, ResponseScore, Survey, Wave
from surveys.service import scoped_activity

WAVES = ("pre", "post")
UNKNOWN = "unknown"
SCORE_COLUMNS = [
    "activity_id",
    "participant_key",
    "participant_id",
    "wave",
    "scale_id",
    "score",
    "group",
    "age_band",
    "gender",
    "language",
]

ActivityIds = Sequence[int] | Any  # a list of ids or a `select` of one id column


# --- consent to share with local government ------------------------------------------------------


def _certainly_adult(today: date, minor_age: int) -> ColumnElement[bool]:
    """SQL for `activities.importing.is_minor(...) is False` (the same rule, evaluated in SQL)."""
    margin = 0 if (today.month, today.day) == (12, 31) else 1
    adult_bands = [band for band, (low, _high) in AGE_BAND_LIMITS.items() if low >= minor_age]
    return or_(
        and_(
            col(Participant.birth_year).is_not(None),
            col(Participant.birth_year) <= today.year - margin - minor_age,
        ),
        and_(col(Participant.birth_year).is_(None), col(Participant.age_band).in_(adult_bands)),
    )


def _has_consent(kind: ConsentKind) -> ColumnElement[bool]:
    purposes = cast(col(Consent.purposes), String)
    return exists().where(
        col(Consent.participant_id) == col(Participant.id),
        col(Consent.kind) == kind.value,
        col(Consent.withdrawn_at).is_(None),
        purposes.like('%"data_sharing"%'),
    )


def shares_with_government(today: date | None = None) -> ColumnElement[bool]:
    """SQL for `consent_status(...).can_share`: an adult's own consent, or a guardian's consent and
    the minor's assent, covering data sharing and not withdrawn."""
    day = today or utcnow().date()
    adult = _certainly_adult(day, get_settings().minor_age)
    own = and_(adult, _has_consent(ConsentKind.PARTICIPANT))
    return or_(own, and_(_has_consent(ConsentKind.GUARDIAN), _has_consent(ConsentKind.ASSENT)))


# --- scores --------------------------------------------------------------------------------------


def _rows(session: Session, query: Any) -> list[tuple[Any, ...]]:
    """The rows of a column query, run on the session's connection (in its transaction): the ORM
    layer of `Session.execute` adds a third to the time of fetching thousands of plain rows."""
    if session.autoflush:
        session.flush()  # what `Session.execute` would do first, so pending rows are seen
    return [tuple(r) for r in session.connection().execute(query).all()]


def _score_query(activity_ids: ActivityIds, scales: Sequence[str] | None, shared_only: bool) -> Any:
    query = (
        columns_select(
            col(Survey.activity_id),
            col(Response.participant_id),
            col(Response.anon_code),
            col(Wave.kind),
            col(ResponseScore.scale_id),
            col(ResponseScore.score),
            func.coalesce(col(Participant.group), col(Response.respondent_group)),
            func.coalesce(col(Participant.age_band), literal(UNKNOWN)),
            func.coalesce(col(Participant.gender), literal(UNKNOWN)),
            func.coalesce(col(Participant.preferred_language), col(Response.language)),
        )
        .select_from(ResponseScore)
        .join(Response, col(Response.id) == col(ResponseScore.response_id))
        .join(Wave, col(Wave.id) == col(Response.wave_id))
        .join(Survey, col(Survey.id) == col(Wave.survey_id))
        .join(Participant, col(Participant.id) == col(Response.participant_id), isouter=True)
        .where(
            col(Survey.activity_id).in_(activity_ids),
            col(Wave.kind).in_(WAVES),
            col(Response.submitted_at).is_not(None),
            col(ResponseScore.score).is_not(None),
        )
    )
    if scales is not None:
        query = query.where(col(ResponseScore.scale_id).in_(list(scales)))
    if shared_only:
        # anonymous responses have no participant and no recorded identity to protect by consent
        query = query.where(or_(col(Response.participant_id).is_(None), shares_with_government()))
    return query


def _keys(frame: pd.DataFrame) -> pd.Series:
    activity = frame["activity_id"].astype("int64").astype(str)
    person = frame["participant_id"].astype("Int64").astype("string")
    named = activity + ":p" + person
    anonymous = activity + ":a" + frame["anon_code"].astype("string")
    return named.fillna(anonymous)


def scores(
    *,
    session: Session,
    activity_ids: ActivityIds,
    scales: Sequence[str] | None = None,
    shared_only: bool = False,
) -> pd.DataFrame:
    """One row per completed pre/post response and scale with a score (see the module docstring)."""
    raw = pd.DataFrame(
        _rows(session, _score_query(activity_ids, scales, shared_only)),
        columns=[
            "activity_id",
            "participant_id",
            "anon_code",
            "wave",
            "scale_id",
            "score",
            "group",
            "age_band",
            "gender",
            "language",
        ],
    )
    raw["participant_key"] = _keys(raw) if len(raw) else pd.Series(dtype="string")
    raw["score"] = raw["score"].astype(float)
    frame = raw.drop(columns="anon_code")[SCORE_COLUMNS]
    if shared_only:
        # nothing that names or numbers a participant leaves the loader of a government view
        codes, _uniques = pd.factorize(frame["participant_key"])
        keys = pd.Series(codes, index=frame.index, dtype="Int64")
        frame = frame.assign(participant_key=keys.where(keys >= 0), participant_id=None)
    return frame.reset_index(drop=True)


def wave_counts(
    *,
    session: Session,
    activity_ids: ActivityIds,
    scales: Sequence[str],
    shared_only: bool = False,
) -> pd.DataFrame:
    """Per activity, wave and scale: completed responses with a score, and their mean score."""
    query = (
        columns_select(
            col(Survey.activity_id),
            col(Wave.kind),
            col(ResponseScore.scale_id),
            func.count(),
            func.avg(col(ResponseScore.score)),
        )
        .select_from(ResponseScore)
        .join(Response, col(Response.id) == col(ResponseScore.response_id))
        .join(Wave, col(Wave.id) == col(Response.wave_id))
        .join(Survey, col(Survey.id) == col(Wave.survey_id))
        .where(
            col(Survey.activity_id).in_(activity_ids),
            col(Wave.kind).in_(WAVES),
            col(Response.submitted_at).is_not(None),
            col(ResponseScore.score).is_not(None),
            col(ResponseScore.scale_id).in_(list(scales)),
        )
        .group_by(col(Survey.activity_id), col(Wave.kind), col(ResponseScore.scale_id))
    )
    if shared_only:
        query = query.join(
            Participant, col(Participant.id) == col(Response.participant_id), isouter=True
        ).where(or_(col(Response.participant_id).is_(None), shares_with_government()))
    frame = pd.DataFrame(
        _rows(session, query), columns=["activity_id", "wave", "scale_id", "n", "mean"]
    )
    return frame.astype({"n": "int64", "mean": float})


# --- answers of one activity (reliability) -------------------------------------------------------


def item_answers(*, session: Session, activity_id: int) -> pd.DataFrame:
    """Every answer of the activity's completed pre/post responses: response, item, value, wave."""
    query = (
        columns_select(
            col(Answer.response_id), col(Answer.item_id), col(Answer.value), col(Wave.kind)
        )
        .join(Response, col(Response.id) == col(Answer.response_id))
        .join(Wave, col(Wave.id) == col(Response.wave_id))
        .join(Survey, col(Survey.id) == col(Wave.survey_id))
        .where(
            col(Survey.activity_id) == activity_id,
            col(Wave.kind).in_(WAVES),
            col(Response.submitted_at).is_not(None),
        )
    )
    rows = [tuple(r) for r in session.execute(query).all()]
    frame = pd.DataFrame(rows, columns=["response_id", "item_id", "value", "wave"])
    return frame.astype({"value": float})


def item_table(*, session: Session, activity_id: int) -> pd.DataFrame:
    """The items of every instrument version of the activity's survey (item ids keep meaning)."""
    query = (
        select(InstrumentVersion.items)
        .join(Survey, col(Survey.id) == col(InstrumentVersion.survey_id))
        .where(Survey.activity_id == activity_id)
        .order_by(col(InstrumentVersion.number))
    )
    found: dict[str, dict[str, Any]] = {}
    for raw in session.exec(query).all():
        for one in scoring.parse_items(raw):
            found[one.id] = {
                "item_id": one.id,
                "scale_id": one.scale,
                "min_value": one.min_value,
                "max_value": one.max_value,
                "reverse": one.reverse,
            }
    columns = ["item_id", "scale_id", "min_value", "max_value", "reverse"]
    return pd.DataFrame(list(found.values()), columns=columns)


# --- activities and their design -----------------------------------------------------------------


def activity_table(*, session: Session, activity_ids: ActivityIds) -> pd.DataFrame:
    """One row per activity: title, kind, organization, dates, survey and wave dates."""
    pre, post = aliased(Wave), aliased(Wave)
    query = (
        columns_select(
            col(Activity.id),
            col(Activity.title),
            col(Activity.kind),
            col(Activity.organization_id),
            col(Organization.name),
            col(Activity.start_date),
            col(Activity.end_date),
            col(Activity.design_score),
            col(Survey.id),
            col(pre.closes_on),
            col(post.closes_on),
        )
        .join(Organization, col(Organization.id) == col(Activity.organization_id))
        .join(Survey, col(Survey.activity_id) == col(Activity.id), isouter=True)
        .join(pre, and_(col(pre.survey_id) == col(Survey.id), col(pre.kind) == "pre"), isouter=True)
        .join(
            post,
            and_(col(post.survey_id) == col(Survey.id), col(post.kind) == "post"),
            isouter=True,
        )
        .where(col(Activity.id).in_(activity_ids))
        .order_by(col(Activity.start_date).desc(), col(Activity.title))
    )
    columns = [
        "activity_id",
        "title",
        "kind",
        "organization_id",
        "organization",
        "start_date",
        "end_date",
        "design_score",
        "survey_id",
        "pre_closes_on",
        "post_closes_on",
    ]
    return pd.DataFrame(_rows(session, query), columns=columns)


def assessments(*, session: Session, activity_ids: ActivityIds) -> pd.DataFrame:
    """Every saved design assessment of the activities: when, and the score per principle."""
    query = columns_select(
        col(PrincipleAssessment.activity_id),
        col(PrincipleAssessment.created_at),
        col(PrincipleAssessment.scores),
        col(PrincipleAssessment.overall),
    ).where(col(PrincipleAssessment.activity_id).in_(activity_ids))
    return pd.DataFrame(
        _rows(session, query), columns=["activity_id", "created_at", "scores", "overall"]
    )


def enrolled_count(*, session: Session, activity_id: int) -> int:
    query = select(func.count()).where(Enrollment.activity_id == activity_id)
    return int(session.exec(query).one())


# --- organizer services --------------------------------------------------------------------------


@dataclass
class ActivityOutcomes:
    """What the organizer's outcome page and API show about one activity."""

    activity: Activity
    survey: Survey | None
    state: str  # "no_survey", "no_answers", "no_post" or "ready"
    report: outcome_report.ActivityReport | None
    k_min: int
    codes: dict[int, str] = field(default_factory=dict)


def activity_outcomes(*, session: Session, actor: User, activity_id: int) -> ActivityOutcomes:
    """Outcomes of one of the actor's organization's activities (404 for anyone else)."""
    activity = scoped_activity(session=session, actor=actor, activity_id=activity_id)
    assert activity.id is not None
    k = get_settings().k_min
    survey = session.exec(select(Survey).where(Survey.activity_id == activity.id)).first()
    if survey is None:
        return ActivityOutcomes(activity, None, "no_survey", None, k)
    frame = scores(session=session, activity_ids=[activity.id])
    report = outcome_report.activity_report(
        frame,
        enrolled=enrolled_count(session=session, activity_id=activity.id),
        k=k,
        answers=item_answers(session=session, activity_id=activity.id),
        items=item_table(session=session, activity_id=activity.id),
        doses=doses(session=session, activity_id=activity.id),
    )
    return ActivityOutcomes(activity, survey, report.state, report, k)


def participant_codes(*, session: Session, actor: User, activity_id: int) -> dict[int, str]:
    """Participant id -> pseudonymous code for the activity's respondents (organizer exports)."""
    activity = scoped_activity(session=session, actor=actor, activity_id=activity_id)
    query = (
        select(col(Participant.id), col(Participant.code))
        .join(Response, col(Response.participant_id) == col(Participant.id))
        .join(Wave, col(Wave.id) == col(Response.wave_id))
        .join(Survey, col(Survey.id) == col(Wave.survey_id))
        .where(
            Survey.activity_id == activity.id, Participant.organization_id == actor.organization_id
        )
        .distinct()
    )
    return {int(pid): str(code) for pid, code in session.execute(query).all()}


def record_export(*, session: Session, actor: User, activity: Activity, what: str) -> None:
    """Audit-log an organizer export that names participants by their codes."""
    audit.record(
        session=session,
        actor=actor,
        action=audit.AuditAction.EXPORT,
        subject_type="activity",
        subject_id=activity.id,
        detail=f"outcome scores with participant codes ({what})",
    )
    session.commit()


@dataclass
class OverviewFilters:
    scale: str = scoring.COHESION
    kind: str = ""
    date_from: date | None = None
    date_to: date | None = None
    organization_id: int | None = None


def filtered_activity_ids(organization_ids: Any, filters: OverviewFilters) -> Any:
    """A `select` of the ids of the organizations' activities with a survey that pass filters."""
    query = (
        select(col(Activity.id))
        .join(Survey, col(Survey.activity_id) == col(Activity.id))
        .where(col(Activity.organization_id).in_(organization_ids))
    )
    if filters.organization_id is not None:
        query = query.where(col(Activity.organization_id) == filters.organization_id)
    if filters.kind:
        query = query.where(col(Activity.kind) == filters.kind)
    start = func.coalesce(col(Activity.start_date), col(Activity.end_date))
    end = func.coalesce(col(Activity.end_date), col(Activity.start_date))
    if filters.date_from is not None:
        query = query.where(end >= filters.date_from)
    if filters.date_to is not None:
        query = query.where(start <= filters.date_to)
    return query


def check_scale(scale: str) -> str:
    """The scale slug if it is the cohesion index or a bank scale, else 404."""
    if scale != scoring.COHESION and scale not in instruments.bank():
        raise NotFound(_("Unknown scale."))
    return scale


def across(
    *,
    session: Session,
    activity_ids: Any,
    filters: OverviewFilters,
    government: bool,
    mixed: bool = True,
) -> outcome_report.AcrossReport:
    """Load (a handful of queries, whatever the number of activities) and analyse across them."""
    scale = check_scale(filters.scale)
    wanted = [scale] if scale == scoring.COHESION else [scale, scoring.COHESION]
    return outcome_report.across_activities(
        scores(session=session, activity_ids=activity_ids, scales=[scale], shared_only=government),
        activity_table(session=session, activity_ids=activity_ids),
        assessments(session=session, activity_ids=activity_ids),
        wave_counts(
            session=session, activity_ids=activity_ids, scales=wanted, shared_only=government
        ),
        scale=scale,
        k=get_settings().k_min,
        government=government,
        mixed=mixed,
    )


def across_mixed(
    *, session: Session, activity_ids: Any, filters: OverviewFilters, government: bool
) -> tuple[analysis.MixedResult | None, str | None, int]:
    """Only the multilevel model across the activities (one query), for pages that load it late."""
    scale = check_scale(filters.scale)
    frame = scores(
        session=session, activity_ids=activity_ids, scales=[scale], shared_only=government
    )
    return outcome_report.mixed_of(
        frame, scale=scale, k=get_settings().k_min, government=government
    )


def _own(actor: User, filters: OverviewFilters) -> tuple[Any, OverviewFilters]:
    if actor.organization_id is None:
        raise NotFound(_("Organization not found."))
    own = OverviewFilters(**{**filters.__dict__, "organization_id": actor.organization_id})
    return filtered_activity_ids([actor.organization_id], own), own


def organization_overview(
    *, session: Session, actor: User, filters: OverviewFilters, mixed: bool = True
) -> outcome_report.AcrossReport:
    """Every activity of the actor's organization with a survey: effects, pooled, design."""
    ids, own = _own(actor, filters)
    return across(session=session, activity_ids=ids, filters=own, government=False, mixed=mixed)


def organization_mixed(
    *, session: Session, actor: User, filters: OverviewFilters
) -> tuple[analysis.MixedResult | None, str | None, int]:
    """The multilevel model of the organization's overview, alone."""
    ids, own = _own(actor, filters)
    return across_mixed(session=session, activity_ids=ids, filters=own, government=False)


def organization_kinds(*, session: Session, organization_ids: Any) -> list[str]:
    """The kinds of the organizations' activities that have a survey (filter choices)."""
    query = (
        select(col(Activity.kind))
        .join(Survey, col(Survey.activity_id) == col(Activity.id))
        .where(col(Activity.organization_id).in_(organization_ids))
        .distinct()
    )
    return sorted(str(k) for k in session.exec(query).all())
