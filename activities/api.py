"""Activity endpoints of the JSON API (`/api/v1`): activities, sessions and design assessments.

Everything is scoped to the caller's organization by the service layer: another organization's
activity answers 404.
"""

from datetime import date, datetime, time
from typing import Any, Literal

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field

from activities import service
from activities.assessment import Design
from activities.kinds import TEMPLATES, Kind
from activities.models import (
    Activity,
    ActivityPartner,
    ActivitySession,
    ActivityStatus,
    PrincipleAssessment,
)
from activities.principles import PRINCIPLES, QUESTIONS, QUESTIONS_BY_ID, SCORING_DOCS
from activities.scheduling import Frequency, Recurrence
from app.accounts.models import User
from app.db import SessionDep
from app.deps import ApiStaff

router = APIRouter(tags=["activities"])

CLEARABLE = {"territory_id", "start_date", "end_date"}  # fields PATCH may set to null
Sort = Literal["start_desc", "start_asc", "title", "score_desc", "score_asc"]


def _lang(user: User) -> str:
    return user.language if user.language in ("en", "es") else "en"


# --- schemas ------------------------------------------------------------------------------------


class FacilitatorIn(BaseModel):
    user_id: int
    trained: bool = False


class TrainedIn(BaseModel):
    trained: bool = False


class PartnerIn(BaseModel):
    name: str = Field(max_length=160)
    type: str = Field(
        max_length=30,
        description="local_government, media, agency, school or community_organization",
    )
    role: str = Field(default="", max_length=300)


class ActivityIn(BaseModel):
    title: str = Field(max_length=160)
    kind: Kind
    description: str = Field(default="", max_length=4000)
    shared_goal: str = Field(default="", max_length=1000)
    location: str = Field(default="", max_length=200)
    territory_id: int | None = None
    start_date: date | None = None
    end_date: date | None = None
    target_migrants: int = 0
    target_locals: int = 0
    from_template: bool = Field(
        default=False,
        description="fill an empty description and shared goal from the kind's template",
    )
    facilitators: list[FacilitatorIn] = Field(default_factory=list, max_length=50)
    partners: list[PartnerIn] = Field(default_factory=list, max_length=50)


class ActivityPatch(BaseModel):
    title: str | None = Field(default=None, max_length=160)
    kind: Kind | None = None
    description: str | None = Field(default=None, max_length=4000)
    shared_goal: str | None = Field(default=None, max_length=1000)
    location: str | None = Field(default=None, max_length=200)
    territory_id: int | None = None
    start_date: date | None = None
    end_date: date | None = None
    target_migrants: int | None = None
    target_locals: int | None = None


class StatusIn(BaseModel):
    status: ActivityStatus


class FacilitatorOut(BaseModel):
    user_id: int
    full_name: str
    email: str
    trained: bool


class PartnerOut(BaseModel):
    id: int
    name: str
    type: str
    role: str


class ActivitySummary(BaseModel):
    id: int
    title: str
    kind: str
    status: str
    location: str
    territory_id: int | None
    start_date: date | None
    end_date: date | None
    target_migrants: int
    target_locals: int
    design_score: float | None
    created_at: datetime
    updated_at: datetime


class ActivityListItem(ActivitySummary):
    session_count: int


class ActivityOut(ActivitySummary):
    organization_id: int
    description: str
    shared_goal: str
    facilitators: list[FacilitatorOut]
    partners: list[PartnerOut]


class ActivityListOut(BaseModel):
    items: list[ActivityListItem]
    total: int
    page: int
    pages: int
    per_page: int


class SessionIn(BaseModel):
    date: date
    start_time: time
    duration_minutes: int
    location: str = Field(default="", max_length=200)


class RecurrenceIn(BaseModel):
    frequency: Frequency
    start_date: date = Field(description="the first session is on `weekday` on or after this")
    weekday: int | None = Field(default=None, description="0 = Monday … 6 = Sunday")
    start_time: time
    duration_minutes: int
    count: int = Field(description="number of sessions, 1 to 200")
    location: str = Field(default="", max_length=200)


class SessionOut(BaseModel):
    id: int
    date: date
    start_time: time
    duration_minutes: int
    location: str
    status: str
    series_id: str | None
    frequency: str | None


class AnswersIn(BaseModel):
    answers: dict[str, str | float] = Field(
        description="question id → yes / partly / no, or a number"
    )


class QuestionResultOut(BaseModel):
    id: str
    text: str
    kind: str
    answer: str | float | None
    points: float | None
    derived: bool


class PrincipleOut(BaseModel):
    number: int
    key: str
    name: str
    score: float
    answered: int
    total: int
    questions: list[QuestionResultOut]


class RecommendationOut(BaseModel):
    principle: int
    name: str
    recommendations: list[str]


class DesignOut(BaseModel):
    activity_id: int
    overall: float
    principles: list[PrincipleOut]
    weakest: list[int]
    recommendations: list[RecommendationOut]
    answers: dict[str, str | float]
    derived: dict[str, str | float]
    facts: dict[str, Any]
    saved_assessment_id: int | None
    saved_at: datetime | None


class AssessmentOut(BaseModel):
    id: int
    activity_id: int
    created_at: datetime
    created_by_id: int | None
    answers: dict[str, Any]
    derived: dict[str, Any]
    facts: dict[str, Any]
    scores: dict[str, float]
    overall: float


class QuestionOut(BaseModel):
    id: str
    principle: int
    kind: str
    text: str
    help: str
    weight: float
    unit: str | None


class RubricPrincipleOut(BaseModel):
    number: int
    key: str
    name: str
    guidance: str


class RubricOut(BaseModel):
    principles: list[RubricPrincipleOut]
    questions: list[QuestionOut]
    scoring: str


class TemplateOut(BaseModel):
    kind: str
    label: str
    description: str
    shared_goal: str
    suggested_answers: dict[str, str]
    recurrence: dict[str, str | int]
    suggestions: list[str]


# --- conversions --------------------------------------------------------------------------------


def _columns(activity: Activity, schema: type[BaseModel]) -> dict[str, Any]:
    """The activity's columns that the schema shows (no model_dump: statuses load as str)."""
    return {
        name: getattr(activity, name) for name in schema.model_fields if hasattr(activity, name)
    }


def _activity_out(detail: service.ActivityDetail) -> ActivityOut:
    return ActivityOut(
        **_columns(detail.activity, ActivityOut),
        facilitators=[
            FacilitatorOut(
                user_id=f.user.id or 0,
                full_name=f.user.full_name,
                email=f.user.email,
                trained=f.trained,
            )
            for f in detail.facilitators
        ],
        partners=[PartnerOut.model_validate(p, from_attributes=True) for p in detail.partners],
    )


def _detail_out(session: SessionDep, user: User, activity: Activity) -> ActivityOut:
    assert activity.id is not None
    return _activity_out(
        service.activity_detail(session=session, actor=user, activity_id=activity.id)
    )


def _design_out(design: Design, lang: str) -> DesignOut:
    names = {p.number: p.name[lang] for p in PRINCIPLES}
    principles = [
        PrincipleOut(
            number=s.number,
            key=PRINCIPLES[s.number - 1].key,
            name=names[s.number],
            score=s.score,
            answered=s.answered,
            total=s.total,
            questions=[
                QuestionResultOut(
                    id=r.question_id,
                    text=QUESTIONS_BY_ID[r.question_id].text[lang],
                    kind=QUESTIONS_BY_ID[r.question_id].kind,
                    answer=r.answer,
                    points=r.points,
                    derived=r.derived,
                )
                for r in s.results
            ],
        )
        for s in design.result.scores
    ]
    assert design.activity.id is not None
    facts = vars(design.facts) | {"partner_types": list(design.facts.partner_types)}
    return DesignOut(
        activity_id=design.activity.id,
        overall=design.result.overall,
        principles=principles,
        weakest=list(design.result.weakest),
        recommendations=[
            RecommendationOut(principle=n, name=names[n], recommendations=tips)
            for n, tips in design.result.recommendations(lang)
        ],
        answers=design.answers,
        derived=design.derived,
        facts=facts,
        saved_assessment_id=design.saved.id if design.saved else None,
        saved_at=design.saved.created_at if design.saved else None,
    )


def _assessment_out(row: PrincipleAssessment) -> AssessmentOut:
    return AssessmentOut.model_validate(row, from_attributes=True)


def _session_out(row: ActivitySession) -> SessionOut:
    return SessionOut.model_validate(row, from_attributes=True)


# --- rubric and templates -----------------------------------------------------------------------


@router.get(
    "/design-rubric", response_model=RubricOut, summary="The seven principles and questions"
)
def api_design_rubric(user: ApiStaff) -> RubricOut:
    """The rubric in the caller's language, with how answers become scores."""
    lang = _lang(user)
    return RubricOut(
        principles=[
            RubricPrincipleOut(
                number=p.number, key=p.key, name=p.name[lang], guidance=p.guidance[lang]
            )
            for p in PRINCIPLES
        ],
        questions=[
            QuestionOut(
                id=q.id,
                principle=q.principle,
                kind=q.kind,
                text=q.text[lang],
                help=q.help[lang],
                weight=q.weight,
                unit=q.unit[lang] if q.unit else None,
            )
            for q in QUESTIONS
        ],
        scoring=SCORING_DOCS[lang],
    )


@router.get("/activity-templates", response_model=list[TemplateOut])
def api_activity_templates(user: ApiStaff) -> list[TemplateOut]:
    """A starting template per kind: texts, suggested rubric answers and a schedule."""
    lang = _lang(user)
    return [
        TemplateOut(
            kind=t.kind.value,
            label=t.label[lang],
            description=t.description[lang],
            shared_goal=t.shared_goal.get(lang, ""),
            suggested_answers=dict(t.suggested_answers),
            recurrence=dict(t.recurrence),
            suggestions=t.suggestions[lang],
        )
        for t in TEMPLATES.values()
    ]


# --- activities ---------------------------------------------------------------------------------


@router.get("/activities", response_model=ActivityListOut)
def api_activities(
    session: SessionDep,
    user: ApiStaff,
    status_: str = Query(
        default="", alias="status", description='a status, "" = all but archived, "all"'
    ),
    kind: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    facilitator_id: int | None = None,
    sort: Sort = "start_desc",
    page: int = Query(default=1, ge=1),
    per_page: int = Query(default=service.PER_PAGE, ge=1, le=100),
) -> ActivityListOut:
    """The organization's activities: filtered, sorted and paginated."""
    filters = service.ActivityFilters(
        status=status_,
        kind=kind,
        date_from=date_from,
        date_to=date_to,
        facilitator_id=facilitator_id,
        sort=sort,
        page=page,
    )
    result = service.list_activities(
        session=session, actor=user, filters=filters, per_page=per_page
    )
    items = [
        ActivityListItem(**_columns(row.activity, ActivitySummary), session_count=row.session_count)
        for row in result.rows
    ]
    return ActivityListOut(
        items=items, total=result.total, page=result.page, pages=result.pages, per_page=per_page
    )


@router.post("/activities", response_model=ActivityOut, status_code=status.HTTP_201_CREATED)
def api_create_activity(session: SessionDep, user: ApiStaff, body: ActivityIn) -> ActivityOut:
    """Create a draft activity, optionally filling texts from the kind's template."""
    fields = service.ActivityFields(
        **body.model_dump(exclude={"from_template", "facilitators", "partners"})
    )
    fields.kind = body.kind.value
    if body.from_template:
        suggested = service.template_fields(kind=body.kind.value, lang=_lang(user))
        fields.description = fields.description or suggested.description
        fields.shared_goal = fields.shared_goal or suggested.shared_goal
    activity = service.create_activity(
        session=session,
        actor=user,
        fields=fields,
        facilitators=[(f.user_id, f.trained) for f in body.facilitators],
        partners=[(p.name, p.type, p.role) for p in body.partners],
    )
    return _detail_out(session, user, activity)


@router.get("/activities/{activity_id}", response_model=ActivityOut)
def api_activity(session: SessionDep, user: ApiStaff, activity_id: int) -> ActivityOut:
    return _activity_out(
        service.activity_detail(session=session, actor=user, activity_id=activity_id)
    )


@router.patch("/activities/{activity_id}", response_model=ActivityOut)
def api_update_activity(
    session: SessionDep, user: ApiStaff, activity_id: int, body: ActivityPatch
) -> ActivityOut:
    """Change some fields; the others keep their values."""
    activity = service.scoped_activity(session=session, actor=user, activity_id=activity_id)
    current = {k: getattr(activity, k) for k in service.ActivityFields.__dataclass_fields__}
    changes = {
        k: v
        for k, v in body.model_dump(exclude_unset=True).items()
        if v is not None or k in CLEARABLE
    }
    fields = service.ActivityFields(**(current | changes))
    fields.kind = str(fields.kind)
    activity = service.update_activity(
        session=session, actor=user, activity_id=activity_id, fields=fields
    )
    return _detail_out(session, user, activity)


@router.post("/activities/{activity_id}/status", response_model=ActivityOut)
def api_activity_status(
    session: SessionDep, user: ApiStaff, activity_id: int, body: StatusIn
) -> ActivityOut:
    """Move along draft → planned → running → completed → archived (409 if not allowed)."""
    activity = service.change_status(
        session=session, actor=user, activity_id=activity_id, status=body.status.value
    )
    return _detail_out(session, user, activity)


@router.put("/activities/{activity_id}/facilitators/{user_id}", response_model=FacilitatorOut)
def api_put_facilitator(
    session: SessionDep, user: ApiStaff, activity_id: int, user_id: int, body: TrainedIn
) -> FacilitatorOut:
    """Make a staff member of the organization a facilitator (or update `trained`)."""
    row = service.add_facilitator(
        session=session, actor=user, activity_id=activity_id, user_id=user_id, trained=body.trained
    )
    return FacilitatorOut(
        user_id=user_id, full_name=row.user.full_name, email=row.user.email, trained=row.trained
    )


@router.delete("/activities/{activity_id}/facilitators/{user_id}", status_code=204)
def api_delete_facilitator(
    session: SessionDep, user: ApiStaff, activity_id: int, user_id: int
) -> Response:
    service.remove_facilitator(
        session=session, actor=user, activity_id=activity_id, user_id=user_id
    )
    return Response(status_code=204)


@router.post("/activities/{activity_id}/partners", response_model=PartnerOut, status_code=201)
def api_add_partner(
    session: SessionDep, user: ApiStaff, activity_id: int, body: PartnerIn
) -> PartnerOut:
    partner: ActivityPartner = service.add_partner(
        session=session,
        actor=user,
        activity_id=activity_id,
        name=body.name,
        type=body.type,
        role=body.role,
    )
    return PartnerOut.model_validate(partner, from_attributes=True)


@router.delete("/activities/{activity_id}/partners/{partner_id}", status_code=204)
def api_delete_partner(
    session: SessionDep, user: ApiStaff, activity_id: int, partner_id: int
) -> Response:
    service.remove_partner(
        session=session, actor=user, activity_id=activity_id, partner_id=partner_id
    )
    return Response(status_code=204)


# --- sessions -----------------------------------------------------------------------------------


@router.get("/activities/{activity_id}/sessions", response_model=list[SessionOut])
def api_sessions(session: SessionDep, user: ApiStaff, activity_id: int) -> list[SessionOut]:
    """Every session of the activity in date order, cancelled ones included."""
    rows = service.list_sessions(session=session, actor=user, activity_id=activity_id)
    return [_session_out(r) for r in rows]


@router.post("/activities/{activity_id}/sessions", response_model=SessionOut, status_code=201)
def api_add_session(
    session: SessionDep, user: ApiStaff, activity_id: int, body: SessionIn
) -> SessionOut:
    """Add a single session."""
    recurrence = Recurrence(
        frequency=Frequency.ONCE,
        start=body.date,
        start_time=body.start_time,
        duration_minutes=body.duration_minutes,
        location=body.location,
    )
    made = service.schedule_sessions(
        session=session, actor=user, activity_id=activity_id, recurrence=recurrence
    )
    return _session_out(made[0])


@router.post(
    "/activities/{activity_id}/sessions/recurring",
    response_model=list[SessionOut],
    status_code=201,
)
def api_schedule_sessions(
    session: SessionDep, user: ApiStaff, activity_id: int, body: RecurrenceIn
) -> list[SessionOut]:
    """Generate one-off or weekly / biweekly / monthly sessions (1 to 200 at a time)."""
    recurrence = Recurrence(
        frequency=body.frequency,
        start=body.start_date,
        weekday=body.weekday,
        start_time=body.start_time,
        duration_minutes=body.duration_minutes,
        count=body.count,
        location=body.location,
    )
    made = service.schedule_sessions(
        session=session, actor=user, activity_id=activity_id, recurrence=recurrence
    )
    return [_session_out(r) for r in made]


@router.put("/activities/{activity_id}/sessions/{session_id}", response_model=SessionOut)
def api_update_session(
    session: SessionDep, user: ApiStaff, activity_id: int, session_id: int, body: SessionIn
) -> SessionOut:
    row = service.update_session(
        session=session,
        actor=user,
        activity_id=activity_id,
        session_id=session_id,
        day=body.date,
        start_time=body.start_time,
        duration_minutes=body.duration_minutes,
        location=body.location,
    )
    return _session_out(row)


@router.post("/activities/{activity_id}/sessions/{session_id}/cancel", response_model=SessionOut)
def api_cancel_session(
    session: SessionDep, user: ApiStaff, activity_id: int, session_id: int
) -> SessionOut:
    row = service.cancel_session(
        session=session, actor=user, activity_id=activity_id, session_id=session_id
    )
    return _session_out(row)


# --- design assessment --------------------------------------------------------------------------


@router.get("/activities/{activity_id}/assessment", response_model=DesignOut)
def api_design(session: SessionDep, user: ApiStaff, activity_id: int) -> DesignOut:
    """The design now: the latest saved answers scored with today's sessions and partners."""
    design = service.current_design(session=session, actor=user, activity_id=activity_id)
    return _design_out(design, _lang(user))


@router.post("/activities/{activity_id}/assessment/preview", response_model=DesignOut)
def api_design_preview(
    session: SessionDep, user: ApiStaff, activity_id: int, body: AnswersIn
) -> DesignOut:
    """Score answers without saving them."""
    design = service.preview_design(
        session=session, actor=user, activity_id=activity_id, answers=body.answers
    )
    return _design_out(design, _lang(user))


@router.post("/activities/{activity_id}/assessments", response_model=AssessmentOut, status_code=201)
def api_save_assessment(
    session: SessionDep, user: ApiStaff, activity_id: int, body: AnswersIn
) -> AssessmentOut:
    """Save answers as a new assessment in the design history."""
    row = service.save_design(
        session=session, actor=user, activity_id=activity_id, answers=body.answers
    )
    return _assessment_out(row)


@router.get("/activities/{activity_id}/assessments", response_model=list[AssessmentOut])
def api_assessments(session: SessionDep, user: ApiStaff, activity_id: int) -> list[AssessmentOut]:
    """The design history: every saved assessment, newest first."""
    rows = service.design_history(session=session, actor=user, activity_id=activity_id)
    return [_assessment_out(r) for r in rows]
