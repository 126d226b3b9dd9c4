"""Builders for participant tests: a registered participant, their consent, an enrolment."""

from collections.abc import Sequence
from datetime import date
from itertools import count
from typing import Any

from sqlmodel import Session

from activities.codes import generate_code
from activities.models import Activity
from activities.participants import service
from activities.participants.models import (
    Consent,
    ConsentKind,
    Enrollment,
    Participant,
)
from app.accounts.models import Organization, User

_seq = count(1)
ALL_PURPOSES = ("participation", "surveys", "data_sharing")


def make_participant(db: Session, org: Organization, **attrs: Any) -> Participant:
    """A participant of `org` (an adult migrant by default); `attrs` override any column."""
    assert org.id is not None
    values: dict[str, Any] = {
        "organization_id": org.id,
        "code": generate_code(service.organization_codes(session=db, organization_id=org.id)),
        "name": f"Participant {next(_seq)}",
        "group": "migrant",
        "birth_year": 1990,
        "age_band": "",
        "gender": "woman",
        "languages": ["ar", "es"],
        "preferred_language": "ar",
        **attrs,
    }
    if not values["age_band"]:
        year = values["birth_year"]
        values["age_band"] = (
            service.importing.age_band_for(year, service.today()) if year else "25_34"
        )
    participant = Participant(**values)
    participant.fingerprint = service.importing.fingerprint_of(
        name=participant.name,
        birth_year=participant.birth_year,
        email=participant.email,
        phone=participant.phone,
    )
    db.add(participant)
    db.commit()
    return participant


def make_minor(db: Session, org: Organization, **attrs: Any) -> Participant:
    """A participant certainly under the minor age (12 or 13 years old)."""
    return make_participant(db, org, birth_year=service.today().year - 13, **attrs)


def give_consent(
    db: Session,
    participant: Participant,
    actor: User,
    *,
    kind: str = ConsentKind.PARTICIPANT.value,
    purposes: Sequence[str] = ALL_PURPOSES,
    given_on: date | None = None,
    guardian_name: str = "",
) -> Consent:
    """Record a consent through the service (so it is audit-logged like in the app)."""
    from activities.participants import consent

    assert participant.id is not None
    return consent.record_consent(
        session=db,
        actor=actor,
        participant_id=participant.id,
        kind=kind,
        purposes=list(purposes),
        given_on=given_on or service.today(),
        guardian_name=guardian_name,
    )


def enrol(db: Session, activity: Activity, participant: Participant) -> Enrollment:
    """Enrol the participant in the activity (both of the same organization)."""
    enrollment = service.add_enrollment(session=db, activity=activity, participant=participant)
    db.commit()
    return enrollment
