"""Participant services: the registry, support notes and enrolments.

Every function takes the acting staff member and reaches participants through `scoped_participant`,
so another organization's participant (and everything hanging from them) does not exist for the
caller: 404. Changes are audit-logged in the same transaction (see `app.audit`); audit rows name
participants by id and code only, and say which fields changed, never their values.
"""

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import Any

from sqlalchemy import exists, func, or_
from sqlmodel import Session, col, select

from activities import importing
from activities.codes import generate_code, normalise_code
from activities.models import Activity, ActivityFacilitator, ActivityStatus
from activities.participants.models import (
    Enrollment,
    Gender,
    Participant,
    ParticipantGroup,
    SupportNote,
)
from app import audit
from app.accounts.models import Role, User, utcnow
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.i18n import _

PER_PAGE = 25
MAX_NOTE_LENGTH = 4000
_PHONE = re.compile(r"[\d\s+()./-]+")
_EMAIL = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>.]+")


def today() -> date:
    """Today's date (UTC), the reference for ages and consent dates."""
    return utcnow().date()


class FieldErrors(Invalid):
    """Invalid form input: one message per field, and all of them joined as the message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors


@dataclass
class ParticipantFields:
    """What staff fill in about a participant. Never immigration or legal status."""

    group: str
    name: str = ""
    phone: str = ""
    email: str = ""
    birth_year: int | None = None
    age_band: str = ""  # blank: derived from the birth year
    gender: str = Gender.PREFER_NOT_TO_SAY.value
    languages: list[str] = field(default_factory=list)
    preferred_language: str = ""  # blank: the first supported of `languages`, else English
    country_of_origin: str = ""

    @classmethod
    def of(cls, participant: Participant) -> "ParticipantFields":
        return cls(**{f.name: getattr(participant, f.name) for f in fields(cls)})


@dataclass
class ParticipantFilters:
    q: str = ""  # a code (any spelling) or part of a name
    group: str = ""
    age_band: str = ""
    activity_id: int | None = None
    page: int = 1


@dataclass
class ParticipantPage:
    rows: list[Participant]
    total: int
    page: int
    pages: int
    per_page: int = PER_PAGE


# --- scoping ------------------------------------------------------------------------------------


def scoped_participant(*, session: Session, actor: User, participant_id: int) -> Participant:
    """The participant if they belong to the actor's organization, else 404."""
    participant = session.get(Participant, participant_id)
    if (
        participant is None
        or actor.organization_id is None
        or participant.organization_id != actor.organization_id
    ):
        raise NotFound(_("Participant not found."))
    return participant


def participant_by_code(*, session: Session, actor: User, code: str) -> Participant:
    """The organization's participant with this code (any spelling: "k7m 4pq"), else 404."""
    query = select(Participant).where(
        Participant.organization_id == actor.organization_id,
        Participant.code == normalise_code(code),
    )
    participant = session.exec(query).first()
    if participant is None or actor.organization_id is None:
        raise NotFound(_("Participant not found."))
    return participant


def _scoped_activity(session: Session, actor: User, activity_id: int) -> Activity:
    activity = session.get(Activity, activity_id)
    if activity is None or activity.organization_id != actor.organization_id:
        raise NotFound(_("Activity not found."))
    return activity


def organization_activities(*, session: Session, actor: User) -> list[Activity]:
    """The organization's activities that are not archived, for enrolment and filter choices."""
    query = select(Activity).where(
        Activity.organization_id == actor.organization_id,
        Activity.status != ActivityStatus.ARCHIVED,
    )
    return list(session.exec(query.order_by(col(Activity.title))))


# --- validation ---------------------------------------------------------------------------------


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).lower().split())


_LANGUAGE_NAMES = {
    _fold(name): code for code, names in importing.LANGUAGE_NAMES.items() for name in names
}


def language_code(text: str) -> str | None:
    """ISO 639-1 code for a code ("AR") or an English or Spanish language name ("árabe")."""
    folded = _fold(text)
    if folded in importing.ISO_639_1:
        return folded
    return _LANGUAGE_NAMES.get(folded)


def _clean_languages(values: Sequence[str], errors: dict[str, str]) -> list[str]:
    codes: list[str] = []
    for value in values:
        for part in re.split(r"[,;/]", value):
            if not part.strip():
                continue
            code = language_code(part)
            if code is None:
                errors["languages"] = _(
                    "Languages: use two-letter codes such as es, ar, fr, or language names."
                )
            elif code not in codes:
                codes.append(code)
    return codes


def _clean_age(fields_: ParticipantFields, now: date, errors: dict[str, str]) -> str:
    year, band = fields_.birth_year, fields_.age_band
    if year is not None:
        earliest, latest = now.year - importing.OLDEST_AGE, now.year - importing.YOUNGEST_AGE
        if not earliest <= year <= latest:
            errors["birth_year"] = _("Birth year: give a year from %(a)s to %(b)s.") % {
                "a": earliest,
                "b": latest,
            }
            return band
    if band and band not in importing.AGE_BANDS:
        errors["age_band"] = _("Choose an age band from the list.")
        return band
    if year is None:
        if not band:
            errors["age_band"] = _("Give a birth year or an age band.")
        return band
    derived = importing.age_band_for(year, now)
    if band and band not in (derived, importing.age_band_for(year + 1, now)):
        errors["age_band"] = _("The age band does not match the birth year.")
    return band or derived


def _clean_contact(fields_: ParticipantFields, errors: dict[str, str]) -> tuple[str, str, str]:
    name = " ".join(fields_.name.split())
    phone = " ".join(fields_.phone.split())
    email = fields_.email.strip()
    if len(name) > importing.MAX_NAME_LENGTH:
        errors["name"] = _("The name is too long (at most 120 characters).")
    digits = re.sub(r"\D", "", phone)
    if phone and (not _PHONE.fullmatch(phone) or not 6 <= len(digits) <= 15):
        errors["phone"] = _("The phone number should have 6 to 15 digits.")
    if email and (len(email) > 254 or not _EMAIL.fullmatch(email)):
        errors["email"] = _("Enter a valid e-mail address, or leave it blank.")
    return name, phone, email


def _clean_country(text: str, errors: dict[str, str]) -> str:
    country = " ".join(text.split())
    if re.fullmatch(r"[A-Za-z]{2}", country):
        code = "GB" if country.upper() == "UK" else country.upper()
        if code not in importing.ISO_3166_ALPHA_2:
            errors["country_of_origin"] = _("Country: not a known two-letter code; write a name.")
        return code
    if len(country) > importing.MAX_COUNTRY_LENGTH:
        errors["country_of_origin"] = _("The country is too long (at most 60 characters).")
    return country


def clean_fields(fields_: ParticipantFields, *, now: date) -> ParticipantFields:
    """Validated, normalised fields, or FieldErrors with a message per field."""
    errors: dict[str, str] = {}
    if fields_.group not in {g.value for g in ParticipantGroup}:
        errors["group"] = _("Choose a group: migrant, host community or other.")
    if fields_.gender not in {g.value for g in Gender}:
        errors["gender"] = _("Choose a gender, or “prefer not to say”.")
    name, phone, email = _clean_contact(fields_, errors)
    age_band = _clean_age(fields_, now, errors)
    languages = _clean_languages(fields_.languages, errors)
    preferred = fields_.preferred_language or next(
        (code for code in languages if code in importing.SUPPORTED_LANGUAGES), "en"
    )
    if preferred not in importing.SUPPORTED_LANGUAGES:
        errors["preferred_language"] = _("Choose a survey language: en, es, fr or ar.")
    country = _clean_country(fields_.country_of_origin, errors)
    if errors:
        raise FieldErrors(errors)
    return replace(
        fields_,
        name=name,
        phone=phone,
        email=email,
        age_band=age_band,
        languages=languages,
        preferred_language=preferred,
        country_of_origin=country,
    )


# --- the registry -------------------------------------------------------------------------------


def organization_codes(*, session: Session, organization_id: int) -> set[str]:
    query = select(Participant.code).where(Participant.organization_id == organization_id)
    return set(session.exec(query))


def _apply(participant: Participant, clean: ParticipantFields) -> list[str]:
    """Copy the fields onto the participant; the names of those that changed."""
    changed = [
        f.name for f in fields(clean) if getattr(participant, f.name) != getattr(clean, f.name)
    ]
    for name in changed:
        setattr(participant, name, getattr(clean, name))
    participant.fingerprint = importing.fingerprint_of(
        name=participant.name,
        birth_year=participant.birth_year,
        email=participant.email,
        phone=participant.phone,
    )
    return changed


def new_participant(
    *, session: Session, actor: User, clean: ParticipantFields, codes: set[str], detail: str = ""
) -> Participant:
    """Add a participant with a fresh code (added to `codes`) and an audit entry; no commit."""
    assert actor.organization_id is not None
    code = generate_code(codes)
    codes.add(code)
    participant = Participant(
        organization_id=actor.organization_id,
        code=code,
        group=ParticipantGroup(clean.group),
        age_band=clean.age_band,
    )
    _apply(participant, clean)
    session.add(participant)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action=audit.AuditAction.CREATE,
        subject_id=participant.id,
        subject_code=code,
        detail=detail,
    )
    return participant


def create_participant(*, session: Session, actor: User, fields: ParticipantFields) -> Participant:
    """Register a participant in the actor's organization under a new pseudonymous code."""
    if actor.organization_id is None:
        raise NotFound(_("Organization not found."))
    clean = clean_fields(fields, now=today())
    codes = organization_codes(session=session, organization_id=actor.organization_id)
    participant = new_participant(session=session, actor=actor, clean=clean, codes=codes)
    session.commit()
    return participant


def change_participant(
    *,
    session: Session,
    actor: User,
    participant: Participant,
    clean: ParticipantFields,
    detail: str = "",
) -> list[str]:
    """Apply clean fields to a scoped participant and audit what changed; no commit."""
    changed = _apply(participant, clean)
    if changed:
        participant.updated_at = utcnow()
        session.add(participant)
        audit.record(
            session=session,
            actor=actor,
            action=audit.AuditAction.UPDATE,
            subject_id=participant.id,
            subject_code=participant.code,
            detail=(detail + " " if detail else "") + "changed: " + ", ".join(changed),
        )
    return changed


def update_participant(
    *, session: Session, actor: User, participant_id: int, fields: ParticipantFields
) -> Participant:
    """Change a participant's attributes; the audit log records which fields changed."""
    participant = scoped_participant(session=session, actor=actor, participant_id=participant_id)
    clean = clean_fields(fields, now=today())
    change_participant(session=session, actor=actor, participant=participant, clean=clean)
    session.commit()
    return participant


def _filtered(query: Any, actor: User, filters: ParticipantFilters) -> Any:
    query = query.where(Participant.organization_id == actor.organization_id)
    text = filters.q.strip()
    if text:
        code = normalise_code(text)
        conditions: list[Any] = [
            func.lower(Participant.name).contains(text.lower(), autoescape=True)
        ]
        if code:
            conditions.append(col(Participant.code).startswith(code, autoescape=True))
        query = query.where(or_(*conditions))
    if filters.group:
        query = query.where(Participant.group == filters.group)
    if filters.age_band:
        query = query.where(Participant.age_band == filters.age_band)
    if filters.activity_id:
        query = query.where(
            exists().where(
                col(Enrollment.participant_id) == col(Participant.id),
                col(Enrollment.activity_id) == filters.activity_id,
            )
        )
    return query


def list_participants(
    *, session: Session, actor: User, filters: ParticipantFilters, per_page: int = PER_PAGE
) -> ParticipantPage:
    """One page of the organization's participants (never their support notes), by code."""
    if actor.organization_id is None:
        raise NotFound(_("Organization not found."))
    if filters.group and filters.group not in {g.value for g in ParticipantGroup}:
        raise Invalid(_("Unknown group."))
    if filters.age_band and filters.age_band not in importing.AGE_BANDS:
        raise Invalid(_("Unknown age band."))
    if filters.activity_id:
        _scoped_activity(session, actor, filters.activity_id)
    count = select(func.count(col(Participant.id)))
    total = int(session.exec(_filtered(count, actor, filters)).one())
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, filters.page), pages)
    query = _filtered(select(Participant), actor, filters).order_by(col(Participant.code))
    rows = list(session.exec(query.offset((page - 1) * per_page).limit(per_page)))
    return ParticipantPage(rows, total, page, pages, per_page)


# --- support notes ------------------------------------------------------------------------------


def can_read_support_note(*, session: Session, actor: User, participant: Participant) -> bool:
    """Org admins, and facilitators of an activity the participant is enrolled in."""
    if actor.organization_id != participant.organization_id:
        return False
    if actor.role == Role.ORG_ADMIN:
        return True
    query = select(ActivityFacilitator.activity_id).where(
        ActivityFacilitator.user_id == actor.id,
        exists().where(
            col(Enrollment.activity_id) == col(ActivityFacilitator.activity_id),
            col(Enrollment.participant_id) == participant.id,
        ),
    )
    return session.exec(query).first() is not None


def _allowed_note(session: Session, actor: User, participant_id: int) -> Participant:
    participant = scoped_participant(session=session, actor=actor, participant_id=participant_id)
    if not can_read_support_note(session=session, actor=actor, participant=participant):
        raise Forbidden(
            _(
                "Support notes are visible only to org admins and to facilitators of an "
                "activity the participant is enrolled in."
            )
        )
    return participant


def _note(session: Session, participant_id: int | None) -> SupportNote | None:
    query = select(SupportNote).where(SupportNote.participant_id == participant_id)
    return session.exec(query).first()


def has_support_note(*, session: Session, actor: User, participant: Participant) -> bool:
    """Whether a note exists (without reading it), for those allowed to read it."""
    if not can_read_support_note(session=session, actor=actor, participant=participant):
        return False
    query = select(SupportNote.id).where(
        SupportNote.participant_id == participant.id, SupportNote.text != ""
    )
    return session.exec(query).first() is not None


def read_support_note(
    *, session: Session, actor: User, participant_id: int, purpose: str = ""
) -> SupportNote | None:
    """The note, for allowed readers only (403 otherwise); every read is audit-logged."""
    participant = _allowed_note(session, actor, participant_id)
    note = _note(session, participant.id)
    audit.record(
        session=session,
        actor=actor,
        action=audit.AuditAction.VIEW_RESTRICTED,
        subject_id=participant.id,
        subject_code=participant.code,
        detail=f"support note{f', {purpose}' if purpose else ''}",
    )
    session.commit()
    return note


def save_support_note(
    *, session: Session, actor: User, participant_id: int, text: str
) -> SupportNote | None:
    """Write (or, with blank text, delete) the note; allowed readers only."""
    participant = _allowed_note(session, actor, participant_id)
    text = text.strip()
    if len(text) > MAX_NOTE_LENGTH:
        raise Invalid(_("The support note is too long (at most 4000 characters)."))
    note = _note(session, participant.id)
    if not text and note is not None:
        session.delete(note)
        note = None
    elif text:
        assert participant.id is not None
        note = note or SupportNote(participant_id=participant.id)
        note.text, note.updated_at, note.updated_by_id = text, utcnow(), actor.id
        session.add(note)
    audit.record(
        session=session,
        actor=actor,
        action=audit.AuditAction.UPDATE,
        subject_id=participant.id,
        subject_code=participant.code,
        detail="support note " + ("saved" if text else "cleared"),
    )
    session.commit()
    return note


# --- enrolments ---------------------------------------------------------------------------------


def add_enrollment(*, session: Session, activity: Activity, participant: Participant) -> Enrollment:
    """Link a participant to an activity of the same organization (idempotent); no commit."""
    if activity.organization_id != participant.organization_id:
        raise NotFound(_("Participant not found."))
    assert activity.id is not None and participant.id is not None
    query = select(Enrollment).where(
        Enrollment.activity_id == activity.id, Enrollment.participant_id == participant.id
    )
    existing = session.exec(query).first()
    if existing is not None:
        return existing
    enrollment = Enrollment(activity_id=activity.id, participant_id=participant.id)
    session.add(enrollment)
    session.flush()
    return enrollment


def scoped_activity_for_enrolment(
    *, session: Session, actor: User, activity_id: int | None
) -> Activity | None:
    """The organization's activity people may be enrolled in (None for None); 404 or 409."""
    if activity_id is None:
        return None
    activity = _scoped_activity(session, actor, activity_id)
    if activity.status == ActivityStatus.ARCHIVED:
        raise Conflict(_("This activity is archived; restore it before enrolling people."))
    return activity


def enrol(*, session: Session, actor: User, activity_id: int, participant_id: int) -> Enrollment:
    """Enrol one of the organization's participants in one of its activities."""
    return enrol_many(
        session=session, actor=actor, activity_id=activity_id, participant_ids=[participant_id]
    )[0]


def enrol_many(
    *, session: Session, actor: User, activity_id: int, participant_ids: Sequence[int]
) -> list[Enrollment]:
    """Enrol several participants at once (already enrolled ones are kept as they are)."""
    activity = scoped_activity_for_enrolment(session=session, actor=actor, activity_id=activity_id)
    assert activity is not None
    enrollments = [
        add_enrollment(
            session=session,
            activity=activity,
            participant=scoped_participant(session=session, actor=actor, participant_id=pid),
        )
        for pid in dict.fromkeys(participant_ids)
    ]
    session.commit()
    return enrollments


def unenrol(*, session: Session, actor: User, activity_id: int, participant_id: int) -> None:
    """Take a participant out of an activity (404 when they were not enrolled)."""
    activity = _scoped_activity(session, actor, activity_id)
    participant = scoped_participant(session=session, actor=actor, participant_id=participant_id)
    query = select(Enrollment).where(
        Enrollment.activity_id == activity.id, Enrollment.participant_id == participant.id
    )
    enrollment = session.exec(query).first()
    if enrollment is None:
        raise NotFound(_("This participant is not enrolled in the activity."))
    session.delete(enrollment)
    session.commit()


def list_enrollments(
    *, session: Session, actor: User, activity_id: int
) -> list[tuple[Enrollment, Participant]]:
    """The activity's enrolled participants, by code."""
    activity = _scoped_activity(session, actor, activity_id)
    query = (
        select(Enrollment, Participant)
        .join(Participant, col(Participant.id) == Enrollment.participant_id)
        .where(Enrollment.activity_id == activity.id)
        .order_by(col(Participant.code))
    )
    return [(e, p) for e, p in session.exec(query).all()]


def participant_enrollments(
    *, session: Session, actor: User, participant_id: int
) -> list[tuple[Enrollment, Activity]]:
    """The activities a participant is enrolled in, earliest enrolment first."""
    participant = scoped_participant(session=session, actor=actor, participant_id=participant_id)
    query = (
        select(Enrollment, Activity)
        .join(Activity, col(Activity.id) == Enrollment.activity_id)
        .where(Enrollment.participant_id == participant.id)
        .order_by(col(Enrollment.enrolled_at), col(Enrollment.id))
    )
    return [(e, a) for e, a in session.exec(query).all()]


# --- audit log ----------------------------------------------------------------------------------


@dataclass
class AuditPage:
    entries: list[audit.AuditEntry]
    total: int
    page: int
    pages: int
    per_page: int


def audit_log(
    *,
    session: Session,
    actor: User,
    page: int = 1,
    per_page: int = 50,
    participant_id: int | None = None,
) -> AuditPage:
    """One page of the organization's audit log, newest first; org admins only."""
    if actor.organization_id is None:
        raise NotFound(_("Organization not found."))
    if actor.role != Role.ORG_ADMIN:
        raise Forbidden(_("Only org admins can see the audit log."))
    per_page = min(max(1, per_page), 200)
    org_id = actor.organization_id

    def fetch(number: int) -> tuple[list[audit.AuditEntry], int]:
        return audit.list_entries(
            session=session,
            organization_id=org_id,
            page=number,
            per_page=per_page,
            subject_id=participant_id,
        )

    page = max(1, page)
    entries, total = fetch(page)
    pages = max(1, math.ceil(total / per_page))
    if page > pages:  # past the end: show the last page
        page = pages
        entries, total = fetch(page)
    return AuditPage(entries, total, page, pages, per_page)
