"""Consent: what a participant has agreed to, and what they may therefore be asked to do.

The rule (`consent_status`, pure): an adult needs their own consent ("participant") covering the
purpose. A minor - anyone who may still be under the `MINOR_AGE` setting, see
`activities.importing.is_minor` - needs both a guardian's consent AND their own assent covering the
purpose; an adult-style consent does not count for a minor. Withdrawn consents count for nothing.
Purposes: participation, surveys, and data sharing (in aggregate, with local government).

`require_survey_consent` is what the surveys package calls before issuing a survey link.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from activities.codes import format_code
from activities.importing import is_minor
from activities.participants.models import Consent, ConsentKind, ConsentPurpose, Participant
from activities.participants.service import scoped_participant, today
from app import audit
from app.accounts.models import User, utcnow
from app.errors import Conflict, Invalid, NotFound
from app.i18n import _
from app.settings import get_settings

PURPOSE_LABELS = {
    ConsentPurpose.PARTICIPATION: "participation",
    ConsentPurpose.SURVEYS: "surveys",
    ConsentPurpose.DATA_SHARING: "data sharing",
}


@dataclass(frozen=True)
class ConsentStatus:
    """What the participant's current consents allow, and what is missing, in plain words."""

    is_minor: bool
    can_participate: bool
    can_survey: bool
    can_share: bool
    missing: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing


def participant_is_minor(participant: Participant, *, minor_age: int, today: date) -> bool:
    """Whether the participant may still be under `minor_age` (errs towards protection)."""
    return is_minor(
        participant.birth_year, participant.age_band or None, minor_age=minor_age, today=today
    )


def _covers(consents: Sequence[Consent], kind: ConsentKind, purpose: ConsentPurpose) -> bool:
    return any(
        c.kind == kind and purpose.value in c.purposes and c.withdrawn_at is None for c in consents
    )


def _missing(
    consents: Sequence[Consent], purpose: ConsentPurpose, minor: bool, code: str
) -> list[str]:
    what, who = PURPOSE_LABELS[purpose], format_code(code)
    if not minor:
        if _covers(consents, ConsentKind.PARTICIPANT, purpose):
            return []
        return [f"Consent for {what} is missing for {who}."]
    messages = []
    if not _covers(consents, ConsentKind.GUARDIAN, purpose):
        messages.append(f"Guardian consent for {what} is missing for {who}.")
    if not _covers(consents, ConsentKind.ASSENT, purpose):
        messages.append(f"The minor's own assent for {what} is missing for {who}.")
    return messages


def consent_status(
    participant: Participant, consents: Sequence[Consent], *, minor_age: int, today: date
) -> ConsentStatus:
    """What the consents allow for this participant (see the module docstring for the rule)."""
    minor = participant_is_minor(participant, minor_age=minor_age, today=today)
    gaps = {p: _missing(consents, p, minor, participant.code) for p in ConsentPurpose}
    return ConsentStatus(
        is_minor=minor,
        can_participate=not gaps[ConsentPurpose.PARTICIPATION],
        can_survey=not gaps[ConsentPurpose.SURVEYS],
        can_share=not gaps[ConsentPurpose.DATA_SHARING],
        missing=[message for messages in gaps.values() for message in messages],
    )


# --- database -----------------------------------------------------------------------------------


def consents_of(*, session: Session, participant_ids: Sequence[int]) -> dict[int, list[Consent]]:
    """Every consent (withdrawn ones included) of the given participants, in one query."""
    found: dict[int, list[Consent]] = {pid: [] for pid in participant_ids}
    if not participant_ids:
        return found
    query = (
        select(Consent)
        .where(col(Consent.participant_id).in_(list(participant_ids)))
        .order_by(col(Consent.given_on), col(Consent.id))
    )
    for consent in session.exec(query):
        found[consent.participant_id].append(consent)
    return found


def status_of(
    *, session: Session, participant: Participant, on: date | None = None
) -> ConsentStatus:
    """`consent_status` of a participant already scoped by the caller, with today's settings."""
    assert participant.id is not None
    consents = consents_of(session=session, participant_ids=[participant.id])[participant.id]
    return consent_status(
        participant, consents, minor_age=get_settings().minor_age, today=on or today()
    )


def statuses_of(
    *, session: Session, participants: Sequence[Participant]
) -> dict[int, ConsentStatus]:
    """Consent status of many participants (a list page), in one query."""
    ids = [p.id for p in participants if p.id is not None]
    consents = consents_of(session=session, participant_ids=ids)
    minor_age, now = get_settings().minor_age, today()
    return {
        p.id: consent_status(p, consents[p.id], minor_age=minor_age, today=now)
        for p in participants
        if p.id is not None
    }


def require_survey_consent(
    *, session: Session, participant: Participant, on: date | None = None
) -> None:
    """Raise Invalid, saying exactly what is missing, unless the participant may be surveyed.

    Call before issuing a survey link, e.g. "Guardian consent for surveys is missing for K7M-4PQ."
    """
    assert participant.id is not None
    consents = consents_of(session=session, participant_ids=[participant.id])[participant.id]
    minor = participant_is_minor(
        participant, minor_age=get_settings().minor_age, today=on or today()
    )
    gaps = _missing(consents, ConsentPurpose.SURVEYS, minor, participant.code)
    if gaps:
        raise Invalid(" ".join(gaps))


def list_consents(*, session: Session, actor: User, participant_id: int) -> list[Consent]:
    """The participant's consents, oldest first, withdrawn ones included."""
    participant = scoped_participant(session=session, actor=actor, participant_id=participant_id)
    assert participant.id is not None
    return consents_of(session=session, participant_ids=[participant.id])[participant.id]


def _clean_purposes(purposes: Sequence[str]) -> list[str]:
    known = [p.value for p in ConsentPurpose]
    if not purposes:
        raise Invalid(_("Tick at least one purpose the consent covers."))
    if any(p not in known for p in purposes):
        raise Invalid(_("Unknown consent purpose."))
    return [p for p in known if p in purposes]


def record_consent(
    *,
    session: Session,
    actor: User,
    participant_id: int,
    kind: str,
    purposes: Sequence[str],
    given_on: date,
    guardian_name: str = "",
) -> Consent:
    """Record a consent, a guardian's consent or a minor's assent; audit-logged."""
    participant = scoped_participant(session=session, actor=actor, participant_id=participant_id)
    if kind not in {k.value for k in ConsentKind}:
        raise Invalid(_("Unknown kind of consent."))
    if given_on > today():
        raise Invalid(_("The consent date cannot be in the future."))
    if given_on.year < 2000:
        raise Invalid(_("Check the consent date."))
    guardian_name = " ".join(guardian_name.split())
    if len(guardian_name) > 120:
        raise Invalid(_("The guardian's name is too long (at most 120 characters)."))
    assert participant.id is not None
    consent = Consent(
        participant_id=participant.id,
        kind=ConsentKind(kind),
        purposes=_clean_purposes(purposes),
        given_on=given_on,
        recorded_by_id=actor.id,
        guardian_name=guardian_name if kind == ConsentKind.GUARDIAN else "",
    )
    session.add(consent)
    audit.record(
        session=session,
        actor=actor,
        action=audit.AuditAction.CONSENT,
        subject_id=participant.id,
        subject_code=participant.code,
        detail=f"{kind}: {', '.join(consent.purposes)}",
    )
    session.commit()
    return consent


def withdraw_consent(
    *, session: Session, actor: User, participant_id: int, consent_id: int
) -> Consent:
    """Mark a consent withdrawn (kept as a record); audit-logged. The page then offers erasure."""
    participant = scoped_participant(session=session, actor=actor, participant_id=participant_id)
    consent = session.get(Consent, consent_id)
    if consent is None or consent.participant_id != participant.id:
        raise NotFound(_("Consent not found."))
    if consent.withdrawn_at is not None:
        raise Conflict(_("This consent was already withdrawn."))
    consent.withdrawn_at = utcnow()
    session.add(consent)
    audit.record(
        session=session,
        actor=actor,
        action=audit.AuditAction.WITHDRAW_CONSENT,
        subject_id=participant.id,
        subject_code=participant.code,
        detail=f"{consent.kind}: {', '.join(consent.purposes)}",
    )
    session.commit()
    return consent
