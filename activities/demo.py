"""Demo activities: designs of clearly different strength, with sessions and an assessment.

The demo NGO's three current activities (dates relative to today, so the demo always looks
current):

- a weekly cooking club (12 sessions, trained facilitator, four partners, mostly "yes"): strong;
- a fortnightly language café (8 sessions, untrained facilitator, one partner, mixed answers);
- a one-off sports day (one afternoon, no facilitator, no partner, mostly "no"): weak.

And `HISTORY`: completed activities of the three demo NGOs, one or two starting each quarter
over the five quarters before today, of every kind, with design scores from about 20 to 90 (each
principle on its own level, so the per-principle correlations have something to show). Their
dates are relative to the first day of today's quarter. Idempotent: an activity whose title
already exists in its organization is left alone.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import TYPE_CHECKING

from sqlmodel import Session, select

from activities import service
from activities.models import Activity, ActivityStatus
from activities.principles import QUESTIONS
from activities.scheduling import Frequency, Recurrence, session_dates

if TYPE_CHECKING:
    from app.accounts.models import User
    from app.demo import Demo


@dataclass
class DemoActivity:
    fields: service.ActivityFields
    status: ActivityStatus
    recurrence: Recurrence
    trained: bool | None  # None: no facilitator
    partners: list[tuple[str, str, str]] = field(default_factory=list)
    answers: dict[str, str | float] = field(default_factory=dict)


def _plans(today: date, territory_id: int | None) -> list[DemoActivity]:
    cooking_start = today - timedelta(weeks=4)
    cafe_start = today + timedelta(days=7)
    sports_day = today + timedelta(days=21)
    return [
        DemoActivity(
            fields=service.ActivityFields(
                title="Cocina del Mundo — weekly cooking club",
                kind="cooking",
                description="Migrant and local neighbours cook in mixed pairs every Thursday, "
                "teach each other a recipe and eat together.",
                shared_goal="Cook a menu with one dish from every country in the group and serve "
                "it to the neighbourhood at a closing dinner; publish the recipes in a book.",
                location="Villaverde community kitchen",
                territory_id=territory_id,
                start_date=cooking_start,
                end_date=cooking_start + timedelta(weeks=13),
                target_migrants=12,
                target_locals=12,
            ),
            status=ActivityStatus.RUNNING,
            recurrence=Recurrence(
                frequency=Frequency.WEEKLY,
                start=cooking_start,
                start_time=time(18, 0),
                duration_minutes=120,
                count=12,
            ),
            trained=True,
            partners=[
                ("Villaverde social services", "local_government", "lends the kitchen"),
                ("Asociación Vecinal La Plaza", "community_organization", "invites neighbours"),
                ("Radio Villaverde", "media", "covers the closing dinner"),
                ("CEIP Los Olivos", "school", "hosts the closing dinner"),
            ],
            answers={
                "p1_enjoyable": "yes",
                "p1_interdependence": "yes",
                "p2_both_cultures": "yes",
                "p2_visible_contributions": "yes",
                "p2_commonalities": "yes",
                "p3_design": "partly",
                "p3_organisation": "yes",
                "p3_running": "yes",
                "p3_evaluation": "partly",
                "p4_reflection_moments": "yes",
                "p4_safe_story_sharing": "yes",
                "p4_facilitators_prepared": "partly",
                "p5_equal_status": "yes",
                "p5_break_segregation": "yes",
                "p5_language_support": "yes",
                "p6_commitment": 85,
                "p7_resources": "yes",
                "p7_intermediary": "yes",
            },
        ),
        DemoActivity(
            fields=service.ActivityFields(
                title="Café de Idiomas — language café",
                kind="language_exchange",
                description="Every other Tuesday, mixed pairs talk half the time in Spanish and "
                "half in the partner's language.",
                shared_goal="Each pair writes a bilingual guide to their favourite places in "
                "the neighbourhood.",
                location="Biblioteca Municipal",
                territory_id=territory_id,
                start_date=cafe_start,
                end_date=cafe_start + timedelta(weeks=16),
                target_migrants=10,
                target_locals=10,
            ),
            status=ActivityStatus.PLANNED,
            recurrence=Recurrence(
                frequency=Frequency.BIWEEKLY,
                start=cafe_start,
                start_time=time(19, 0),
                duration_minutes=90,
                count=8,
            ),
            trained=False,
            partners=[("Biblioteca Municipal", "community_organization", "room and books")],
            answers={
                "p1_enjoyable": "partly",
                "p1_interdependence": "yes",
                "p2_both_cultures": "yes",
                "p2_visible_contributions": "partly",
                "p2_commonalities": "partly",
                "p3_design": "no",
                "p3_organisation": "partly",
                "p3_running": "no",
                "p4_reflection_moments": "partly",
                "p4_safe_story_sharing": "partly",
                "p5_equal_status": "yes",
                "p5_break_segregation": "partly",
                "p5_language_support": "yes",
                "p6_commitment": 50,
                "p7_intermediary": "partly",
            },
        ),
        DemoActivity(
            fields=service.ActivityFields(
                title="Villaverde Sports Day",
                kind="sports",
                description="An afternoon of football and volleyball in the municipal park.",
                location="Parque Municipal",
                territory_id=territory_id,
                start_date=sports_day,
                end_date=sports_day,
                target_migrants=30,
                target_locals=30,
            ),
            status=ActivityStatus.PLANNED,
            recurrence=Recurrence(
                frequency=Frequency.ONCE,
                start=sports_day,
                start_time=time(16, 0),
                duration_minutes=240,
            ),
            trained=None,
            answers={
                "p1_enjoyable": "yes",
                "p1_interdependence": "no",
                "p2_both_cultures": "no",
                "p2_visible_contributions": "no",
                "p3_design": "no",
                "p3_organisation": "no",
                "p3_running": "no",
                "p3_evaluation": "no",
                "p4_reflection_moments": "no",
                "p5_equal_status": "partly",
                "p5_break_segregation": "no",
                "p5_language_support": "no",
                "p6_commitment": 10,
                "p7_resources": "no",
                "p7_intermediary": "no",
            },
        ),
    ]


CURRENT_TITLES = (
    "Cocina del Mundo — weekly cooking club",
    "Café de Idiomas — language café",
    "Villaverde Sports Day",
)


def _create(session: Session, actor: "User", plan: DemoActivity) -> Activity:
    facilitators = [] if plan.trained is None else [(actor.id or 0, plan.trained)]
    activity = service.create_activity(
        session=session,
        actor=actor,
        fields=plan.fields,
        facilitators=facilitators,
        partners=plan.partners,
    )
    assert activity.id is not None
    service.schedule_sessions(
        session=session, actor=actor, activity_id=activity.id, recurrence=plan.recurrence
    )
    service.save_design(session=session, actor=actor, activity_id=activity.id, answers=plan.answers)
    path = [ActivityStatus.PLANNED, ActivityStatus.RUNNING, ActivityStatus.COMPLETED]
    path = path[: path.index(plan.status) + 1]
    for status in path:
        service.change_status(session=session, actor=actor, activity_id=activity.id, status=status)
    return activity


def seed(session: Session, demo: "Demo", *, today: date | None = None) -> list[Activity]:
    """Create (once) the demo organization's three activities, then the demo NGOs' history."""
    day = today or date.today()
    plans = [(demo.organizer, p) for p in _plans(day, demo.territory.id)]
    plans += [
        (demo.orgs[h.org].organizer, _past(h, quarter_start(day), demo.territory.id))
        for h in HISTORY
    ]
    existing = set(session.exec(select(Activity.organization_id, Activity.title)).all())
    return [
        _create(session, actor, plan)
        for actor, plan in plans
        if (actor.organization_id, plan.fields.title) not in existing
    ]


# --- the demo NGOs' completed activities ---------------------------------------------------------

QUESTIONS_BY_PRINCIPLE = {
    n: [q.id for q in QUESTIONS if q.principle == n and q.kind == "choice"] for n in range(1, 8)
}
CHOICES = {"2": "yes", "1": "partly", "0": "no"}


@dataclass(frozen=True)
class PastActivity:
    """A completed activity: `levels` is one digit per principle (2 yes, 1 partly, 0 no) for the
    asked questions; `exceptions` override single answers so no principle is uniform."""

    org: str
    title: str
    kind: str
    description: str
    shared_goal: str
    weeks_before: int  # first session, in weeks before the first day of today's quarter
    frequency: Frequency
    count: int
    minutes: int
    levels: str
    commitment: int
    trained: bool | None
    partners: tuple[tuple[str, str, str], ...] = ()
    exceptions: tuple[tuple[str, str], ...] = ()


def quarter_start(day: date) -> date:
    """The first day of the day's quarter."""
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def rubric_answers(levels: str, commitment: int, exceptions: Sequence[tuple[str, str]]) -> dict:
    """The asked rubric answers for one level per principle, with the exceptions applied."""
    answers: dict[str, str | float] = {
        qid: CHOICES[levels[n - 1]] for n, ids in QUESTIONS_BY_PRINCIPLE.items() for qid in ids
    }
    return answers | dict(exceptions) | {"p6_commitment": commitment}


def _past(plan: PastActivity, anchor: date, territory_id: int | None) -> DemoActivity:
    start = anchor - timedelta(weeks=plan.weeks_before)
    recurrence = Recurrence(
        frequency=plan.frequency,
        start=start,
        start_time=time(17, 30),
        duration_minutes=plan.minutes,
        count=plan.count,
    )
    return DemoActivity(
        fields=service.ActivityFields(
            title=plan.title,
            kind=plan.kind,
            description=plan.description,
            shared_goal=plan.shared_goal,
            location="Villaverde",
            territory_id=territory_id,
            start_date=start,
            end_date=max(session_dates(recurrence)),
            target_migrants=13,
            target_locals=13,
        ),
        status=ActivityStatus.COMPLETED,
        recurrence=recurrence,
        trained=plan.trained,
        partners=list(plan.partners),
        answers=rubric_answers(plan.levels, plan.commitment, plan.exceptions),
    )


COUNCIL = ("Villaverde social services", "local_government", "grant and rooms")
RADIO = ("Radio Villaverde", "media", "a monthly report")
SCHOOL = ("IES Villaverde", "school", "pupils and the sports hall")
NEIGHBOURS = ("Asociación Vecinal La Plaza", "community_organization", "invites neighbours")

HISTORY: tuple[PastActivity, ...] = (
    PastActivity(
        org="puentes",
        title="Huerto Compartido — community garden",
        kind="gardening",
        description="Mixed teams of neighbours grow vegetables on a shared plot every Saturday.",
        shared_goal="Harvest enough for a neighbourhood market and share the seeds of every "
        "family's country.",
        weeks_before=64,
        frequency=Frequency.WEEKLY,
        count=16,
        minutes=150,
        levels="2222222",
        commitment=90,
        trained=True,
        partners=(COUNCIL, NEIGHBOURS, RADIO),
        exceptions=(("p3_evaluation", "partly"), ("p4_facilitators_prepared", "partly")),
    ),
    PastActivity(
        org="mosaico",
        title="Costura y Café — sewing circle",
        kind="arts",
        description="Women from the neighbourhood and newcomers sew together and share tea.",
        shared_goal="Sew a patchwork quilt with one square from every participant.",
        weeks_before=62,
        frequency=Frequency.BIWEEKLY,
        count=8,
        minutes=120,
        levels="2100101",
        commitment=50,
        trained=False,
        partners=(NEIGHBOURS,),
        exceptions=(("p2_both_cultures", "yes"), ("p4_reflection_moments", "no")),
    ),
    PastActivity(
        org="mosaico",
        title="Paseos del Barrio — neighbourhood walks",
        kind="other",
        description="Two Sunday walks through the neighbourhood, open to everyone.",
        shared_goal="",
        weeks_before=50,
        frequency=Frequency.MONTHLY,
        count=2,
        minutes=120,
        levels="1100000",
        commitment=15,
        trained=None,
        exceptions=(("p5_equal_status", "partly"), ("p1_interdependence", "no")),
    ),
    PastActivity(
        org="puentes",
        title="Fútbol Mixto — youth football league",
        kind="sports",
        description="Teenagers play in mixed teams; teams are re-drawn every month.",
        shared_goal="Win the district fair-play cup as a mixed team.",
        weeks_before=45,
        frequency=Frequency.WEEKLY,
        count=18,
        minutes=90,
        levels="2102212",
        commitment=80,
        trained=True,
        partners=(SCHOOL, COUNCIL),
        exceptions=(("p3_running", "yes"), ("p2_commonalities", "no")),
    ),
    PastActivity(
        org="mosaico",
        title="Mural Colectivo — mural painting",
        kind="community_project",
        description="Young adults design and paint a mural about the neighbourhood's stories.",
        shared_goal="Paint the 40-metre wall of the market with a story from every participant.",
        weeks_before=38,
        frequency=Frequency.WEEKLY,
        count=12,
        minutes=180,
        levels="2212111",
        commitment=75,
        trained=True,
        partners=(COUNCIL, RADIO),
        exceptions=(("p4_safe_story_sharing", "yes"),),
    ),
    PastActivity(
        org="puentes",
        title="Teatro del Barrio — theatre workshop",
        kind="arts",
        description="A fortnightly workshop that stages the participants' own stories.",
        shared_goal="Stage a play at the municipal theatre.",
        weeks_before=28,
        frequency=Frequency.BIWEEKLY,
        count=9,
        minutes=120,
        levels="2121111",
        commitment=60,
        trained=False,
        partners=(COUNCIL,),
        exceptions=(("p4_reflection_moments", "yes"), ("p3_design", "no")),
    ),
    PastActivity(
        org="mosaico",
        title="Club de Deberes — homework club",
        kind="language_exchange",
        description="Secondary-school pupils and adult volunteers meet twice a month for "
        "homework and conversation.",
        shared_goal="Every pupil passes the year; volunteers learn a phrase a week.",
        weeks_before=22,
        frequency=Frequency.BIWEEKLY,
        count=8,
        minutes=90,
        levels="1101000",
        commitment=40,
        trained=False,
        partners=(SCHOOL,),
        exceptions=(("p1_enjoyable", "yes"), ("p5_language_support", "yes")),
    ),
    PastActivity(
        org="horizonte",
        title="Torneo de Ajedrez — chess club",
        kind="other",
        description="Weekly chess evenings in the civic centre (this NGO shares no data).",
        shared_goal="A team tournament against the next district.",
        weeks_before=30,
        frequency=Frequency.WEEKLY,
        count=10,
        minutes=120,
        levels="2111121",
        commitment=70,
        trained=True,
        partners=(COUNCIL,),
    ),
)
