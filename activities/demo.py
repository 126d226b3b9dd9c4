"""Demo activities: three designs of clearly different strength, with sessions and an assessment.

- a weekly cooking club (12 sessions, trained facilitator, four partners, mostly "yes"): strong;
- a fortnightly language café (8 sessions, untrained facilitator, one partner, mixed answers);
- a one-off sports day (one afternoon, no facilitator, no partner, mostly "no"): weak.
Dates are relative to today so the demo always looks current. Idempotent: an activity whose
title already exists in the demo organization is left alone.
"""

from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import TYPE_CHECKING

from sqlmodel import Session, select

from activities import service
from activities.models import Activity, ActivityStatus
from activities.scheduling import Frequency, Recurrence

if TYPE_CHECKING:
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


def _create(session: Session, demo: "Demo", plan: DemoActivity) -> Activity:
    actor = demo.organizer
    facilitators = [] if plan.trained is None else [(demo.organizer.id or 0, plan.trained)]
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
    path = {
        ActivityStatus.PLANNED: [ActivityStatus.PLANNED],
        ActivityStatus.RUNNING: [ActivityStatus.PLANNED, ActivityStatus.RUNNING],
    }[plan.status]
    for status in path:
        service.change_status(session=session, actor=actor, activity_id=activity.id, status=status)
    return activity


def seed(session: Session, demo: "Demo", *, today: date | None = None) -> list[Activity]:
    """Create (once) the demo organization's three activities."""
    plans = _plans(today or date.today(), demo.territory.id)
    existing = set(
        session.exec(
            select(Activity.title).where(Activity.organization_id == demo.organization.id)
        ).all()
    )
    return [_create(session, demo, p) for p in plans if p.fields.title not in existing]
