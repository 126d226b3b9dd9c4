"""Demo participants: 60 fictional people of the demo organization, with consents and enrolments.

Migrants and locals, adults and some minors (with a guardian's consent and their own assent),
several languages; a few consents deliberately incomplete so the consent warnings can be seen, and
a few restricted support notes. Everyone is enrolled in one or more of the three demo activities.
Ages are relative to today. Idempotent: a fictional name already registered in the demo
organization is left alone, and enrolments are only added once.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from activities import importing
from activities.models import Activity
from activities.participants import service
from activities.participants.consent import participant_is_minor
from activities.participants.models import (
    Consent,
    ConsentKind,
    Participant,
    SupportNote,
)
from app.accounts.models import User
from app.settings import get_settings

if TYPE_CHECKING:
    from app.demo import Demo

SEED = 20261129
ALL_PURPOSES = ["participation", "surveys", "data_sharing"]

# (name, group, languages, country): fictional people.
MIGRANTS = [
    ("Amina Benali", "ar fr es", "MA"),
    ("Youssef El Idrissi", "ar es", "MA"),
    ("Fatima Zahra Ouali", "ar fr", "MA"),
    ("Omar Haddad", "ar en", "SY"),
    ("Layla Haddad", "ar", "SY"),
    ("Hassan Khalil", "ar fr", "SY"),
    ("Mariam Tesfaye", "ti am en", "ER"),
    ("Yonas Gebremedhin", "ti en", "ER"),
    ("Awa Diop", "wo fr", "SN"),
    ("Moussa Ndiaye", "wo fr es", "SN"),
    ("Aïssatou Ba", "ff fr", "SN"),
    ("Mamadou Diallo", "ff fr en", "GN"),
    ("Olena Kovalenko", "uk ru en", "UA"),
    ("Dmytro Shevchenko", "uk ru", "UA"),
    ("Iryna Bondar", "uk en", "UA"),
    ("Valentina Rojas", "es", "CO"),
    ("Andrés Morales", "es en", "CO"),
    ("Daniela Pérez", "es", "VE"),
    ("Luis Herrera", "es", "VE"),
    ("Gabriela Quispe", "es qu", "PE"),
    ("Ahmad Rahimi", "fa en", "AF"),
    ("Zahra Ahmadi", "fa", "AF"),
    ("Bilal Chaudhry", "ur pa en", "PK"),
    ("Samira Nasser", "ar fr", "DZ"),
    ("Karim Mansour", "ar fr", "TN"),
    ("Nadia Saidi", "ar fr es", "DZ"),
    ("Joseph Mensah", "en", "GH"),
    ("Grace Okafor", "en ig", "NG"),
    ("Ibrahim Sow", "fr wo", "ML"),
    ("Rania Farouk", "ar en", "EG"),
]
LOCALS = [
    ("Lucía García", "es en", "ES"),
    ("Javier Martín", "es", "ES"),
    ("Carmen López", "es", "ES"),
    ("Pablo Sánchez", "es en", "ES"),
    ("Marta Fernández", "es fr", "ES"),
    ("Sergio Gómez", "es", "ES"),
    ("Elena Díaz", "es en", "ES"),
    ("Alberto Ruiz", "es", "ES"),
    ("Isabel Moreno", "es", "ES"),
    ("Raúl Jiménez", "es en", "ES"),
    ("Pilar Navarro", "es", "ES"),
    ("Diego Torres", "es ca", "ES"),
    ("Nuria Vidal", "ca es en", "ES"),
    ("Hugo Romero", "es", "ES"),
    ("Alicia Castro", "es en", "ES"),
    ("Manuel Ortega", "es", "ES"),
    ("Sara Delgado", "es fr", "ES"),
    ("Adrián Molina", "es en", "ES"),
    ("Rosa Serrano", "es", "ES"),
    ("Tomás Blanco", "es", "ES"),
    ("Clara Suárez", "es en", "ES"),
    ("Iván Castillo", "es", "ES"),
    ("Beatriz Ramos", "es", "ES"),
    ("Óscar Gil", "es en", "ES"),
    ("Lorena Vega", "es", "ES"),
    ("Mateo Rubio", "es", "ES"),
]
OTHERS = [
    ("Alex Moreau", "fr es en", "FR"),
    ("Sam Kowalski", "pl en es", "PL"),
    ("Noor Janssen", "nl en ar", "NL"),
    ("Robin Costa", "pt es", "PT"),
]
WOMEN = {
    "Amina",
    "Fatima",
    "Layla",
    "Mariam",
    "Awa",
    "Aïssatou",
    "Olena",
    "Iryna",
    "Valentina",
    "Daniela",
    "Gabriela",
    "Zahra",
    "Samira",
    "Nadia",
    "Grace",
    "Rania",
    "Lucía",
    "Carmen",
    "Marta",
    "Elena",
    "Isabel",
    "Pilar",
    "Nuria",
    "Alicia",
    "Sara",
    "Rosa",
    "Clara",
    "Beatriz",
    "Lorena",
    "Noor",
}
GENDERS = {57: "non_binary", 59: "prefer_not_to_say"}
# Ages of the 60 people, in order (migrants, locals, others): some children and teenagers.
MINOR_AGES = {2: 12, 5: 15, 9: 16, 14: 13, 18: 17, 31: 14, 36: 16, 41: 12, 47: 15, 52: 17}
SUPPORT_NOTES = {
    7: "Needs an interpreter for Tigrinya at the first sessions.",
    14: "Unaccompanied minor; the reference educator must be told before any outing.",
    21: "Step-free access needed (uses crutches).",
}
# A few incomplete consents, so the warnings and the survey block can be seen in the demo.
NO_CONSENT = {23, 55}
NO_DATA_SHARING = {11, 40}
GUARDIAN_ONLY = {47}  # a minor whose own assent is still missing


@dataclass(frozen=True)
class Person:
    index: int
    name: str
    group: str
    languages: list[str]
    country: str
    age: int
    gender: str


def people(rng: random.Random) -> list[Person]:
    """The 60 fictional people, with deterministic ages."""
    rows = (
        [(n, "migrant", lang, c) for n, lang, c in MIGRANTS]
        + [(n, "host", lang, c) for n, lang, c in LOCALS]
        + [(n, "other", lang, c) for n, lang, c in OTHERS]
    )
    return [
        Person(
            index=i,
            name=name,
            group=group,
            languages=langs.split(),
            country=country,
            age=MINOR_AGES.get(i, rng.randint(19, 70)),
            gender=GENDERS.get(i) or ("woman" if name.split()[0] in WOMEN else "man"),
        )
        for i, (name, group, langs, country) in enumerate(rows)
    ]


def _fields(person: Person, today: date) -> service.ParticipantFields:
    year = today.year - person.age
    return service.ParticipantFields(
        group=person.group,
        name=person.name,
        birth_year=year,
        age_band=importing.age_band_for(year, today),
        gender=person.gender,
        languages=person.languages,
        preferred_language=next(
            (code for code in person.languages if code in importing.SUPPORTED_LANGUAGES), "es"
        ),
        country_of_origin=person.country,
    )


def _consents(session: Session, person: Person, participant: Participant, admin: User) -> None:
    if person.index in NO_CONSENT:
        return
    assert participant.id is not None
    purposes = ALL_PURPOSES[:2] if person.index in NO_DATA_SHARING else ALL_PURPOSES
    given = service.today() - timedelta(days=30 + person.index)
    kinds = [ConsentKind.PARTICIPANT]
    if participant_is_minor(participant, minor_age=get_settings().minor_age, today=given):
        kinds = [ConsentKind.GUARDIAN] + (
            [] if person.index in GUARDIAN_ONLY else [ConsentKind.ASSENT]
        )
    for kind in kinds:
        session.add(
            Consent(
                participant_id=participant.id,
                kind=kind,
                purposes=list(purposes),
                given_on=given,
                recorded_by_id=admin.id,
                guardian_name="Parent of " + person.name.split()[0] if kind == "guardian" else "",
            )
        )


def _register(session: Session, demo: "Demo", persons: list[Person]) -> dict[int, Participant]:
    """Create the people not yet registered; {person index: participant} for everyone."""
    org_id = demo.organization.id
    assert org_id is not None
    existing = {
        p.name: p
        for p in session.exec(select(Participant).where(Participant.organization_id == org_id))
    }
    codes = service.organization_codes(session=session, organization_id=org_id)
    today = service.today()
    found: dict[int, Participant] = {}
    for person in persons:
        participant = existing.get(person.name)
        if participant is None:
            participant = service.new_participant(
                session=session,
                actor=demo.admin,
                clean=service.clean_fields(_fields(person, today), now=today),
                codes=codes,
                detail="demo data",
            )
            _consents(session, person, participant, demo.admin)
            if person.index in SUPPORT_NOTES:
                assert participant.id is not None
                session.add(
                    SupportNote(
                        participant_id=participant.id,
                        text=SUPPORT_NOTES[person.index],
                        updated_by_id=demo.admin.id,
                    )
                )
        found[person.index] = participant
    session.commit()
    return found


def _rosters(persons: list[Person], rng: random.Random) -> list[list[int]]:
    """Who takes part in each demo activity (by person index), balanced migrants and locals."""
    migrants = [p.index for p in persons if p.group == "migrant"]
    locals_ = [p.index for p in persons if p.group == "host"]
    others = [p.index for p in persons if p.group == "other"]
    cooking = migrants[:12] + locals_[:12]
    cafe = migrants[10:21] + locals_[10:20] + others[:2]
    sports = rng.sample(migrants, 14) + rng.sample(locals_, 13) + others[2:]
    enrolled = set(cooking) | set(cafe) | set(sports)
    # Nobody is left out: the rest join the sports day.
    sports += [p.index for p in persons if p.index not in enrolled]
    return [cooking, cafe, sports]


def _enrol(
    session: Session,
    activities: list[Activity],
    rosters: list[list[int]],
    found: dict[int, Participant],
) -> dict[int, list[Participant]]:
    """Enrol the rosters (once); {activity id: enrolled participants}."""
    enrolled: dict[int, list[Participant]] = {}
    for activity, roster in zip(activities, rosters, strict=False):
        assert activity.id is not None
        enrolled[activity.id] = []
        for index in roster:
            service.add_enrollment(session=session, activity=activity, participant=found[index])
            enrolled[activity.id].append(found[index])
    session.commit()
    return enrolled


def seed_attendance(session: Session, demo: "Demo", enrolled: dict[int, list[Participant]]) -> None:
    """Attendance of the demo participants at past sessions.

    Extension point for the attendance issue: `enrolled` maps each demo activity's id to its
    enrolled participants. Nothing to do until attendance exists.
    """


def seed(session: Session, demo: "Demo") -> list[Participant]:
    """Create (once) the demo participants, their consents, notes and enrolments."""
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    persons = people(rng)
    found = _register(session, demo, persons)
    activities = list(
        session.exec(
            select(Activity)
            .where(Activity.organization_id == demo.organization.id)
            .order_by(col(Activity.id))
            .limit(3)
        )
    )
    enrolled = _enrol(session, activities, _rosters(persons, rng), found)
    seed_attendance(session, demo, enrolled)
    return list(found.values())
