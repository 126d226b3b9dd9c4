"""Demo participants: 60 fictional people of the demo organization, with consents and enrolments,
and the people of the demo NGOs' completed activities (`activities.demo.HISTORY`).

The 60: migrants and locals, adults and some minors (with a guardian's consent and their own
assent), several languages; a few consents deliberately incomplete so the consent warnings can be
seen, and a few restricted support notes. Everyone is enrolled in one or more of the three current
demo activities. Ages are relative to today. Idempotent: a fictional name already registered in
the demo organization is left alone, and enrolments are only added once.

The history: 20-28 people per completed activity, drawn (numpy, fixed seed) from a profile that
fits the activity (teenagers for the football league, women for the sewing circle, ...) so the
disaggregated dashboards have cells of five or more; consent was given before the activity began,
and a few people did not agree to share with local government. Idempotent: an activity that has
enrolments is left alone.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np
from sqlmodel import Session, col, select

from activities import importing
from activities.demo import HISTORY
from activities.models import Activity
from activities.participants import service
from activities.participants.consent import participant_is_minor
from activities.participants.models import (
    Consent,
    ConsentKind,
    Enrollment,
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
    seed_history(session, demo)
    return list(found.values())


# --- the people of the completed activities ------------------------------------------------------

HISTORY_SEED = 20250701
# country: (languages, female first names, male first names, surnames)
ORIGINS: dict[str, tuple[str, str, str, str]] = {
    "MA": (
        "ar fr es",
        "Salma Khadija Naima Hajar Imane Souad",
        "Hamza Mehdi Rachid Anas Said Adil",
        "El Amrani Tahiri Bennani Alaoui Chraibi Idrissi",
    ),
    "SY": (
        "ar en",
        "Rasha Hiba Dima Lina Reem",
        "Ahmad Khaled Tarek Sami Fadi",
        "Darwish Hamdan Sabbagh Kanaan Aswad",
    ),
    "DZ": (
        "ar fr",
        "Yasmina Meriem Sonia Karima",
        "Nassim Walid Farid Amine",
        "Boudiaf Cherif Mebarki Zerrouki",
    ),
    "SN": (
        "wo fr",
        "Fatou Aminata Mariama Coumba",
        "Cheikh Ousmane Abdou Modou",
        "Fall Sarr Faye Gueye Mbaye",
    ),
    "ML": (
        "bm fr",
        "Kadiatou Oumou Fanta Assitan",
        "Seydou Bakary Lamine Souleymane",
        "Traoré Keita Coulibaly Konaté",
    ),
    "CO": (
        "es",
        "Camila Paola Natalia Juliana",
        "Santiago Julián Camilo Felipe",
        "Castaño Ospina Cárdenas Restrepo",
    ),
    "VE": (
        "es en",
        "Andreína Mariana Yolanda Carolina",
        "José Rafael Gustavo Leonardo",
        "Colmenares Briceño Marcano Rangel",
    ),
    "UA": (
        "uk ru en",
        "Kateryna Oksana Tetiana Natalia",
        "Andriy Taras Oleh Serhiy",
        "Melnyk Tkachenko Kravchenko Lysenko",
    ),
    "NG": (
        "en yo",
        "Chioma Blessing Ngozi Funmi",
        "Emeka Tunde Chinedu Samuel",
        "Adeyemi Eze Okonkwo Balogun",
    ),
    "AF": (
        "fa en",
        "Maryam Fereshta Nilofar Shabnam",
        "Farid Rahim Jawad Wahid",
        "Karimi Noori Popal Sultani",
    ),
}
LOCAL_NAMES = (
    "Paula Irene Laura Ana Cristina Noelia Silvia Patricia Raquel Eva Julia Nerea Inés Sofía",
    "Álvaro Jorge David Rubén Marcos Daniel Carlos Fernando Gonzalo Ignacio Víctor Jaime",
    "Herrero Prieto Cano Méndez Calvo Gallego Vicente Pascual Santos Lozano Iglesias Cortés "
    "Garrido Medina Nieto Domínguez Aguilar Marín Sanz Núñez",
)


@dataclass(frozen=True)
class Profile:
    """Who takes part: ages (youngest, oldest), share of women, migrants' countries of origin."""

    ages: tuple[int, int]
    women: float
    origins: str
    size: int = 24


PROFILES: dict[str, Profile] = {
    "Huerto Compartido — community garden": Profile((26, 72), 0.5, "MA MA SY CO UA NG UA", 26),
    "Costura y Café — sewing circle": Profile((24, 66), 1.0, "MA MA SY SY DZ MA CO", 24),
    "Paseos del Barrio — neighbourhood walks": Profile((20, 76), 0.55, "CO VE UA NG SN MA", 25),
    "Fútbol Mixto — youth football league": Profile((13, 19), 0.35, "SN ML SN ML MA CO", 28),
    "Mural Colectivo — mural painting": Profile((18, 33), 0.5, "MA SY UA CO AF DZ", 24),
    "Teatro del Barrio — theatre workshop": Profile((19, 58), 0.6, "SN ML SN ML DZ CO", 24),
    "Club de Deberes — homework club": Profile((12, 16), 0.5, "MA SY AF UA CO", 26),
    "Torneo de Ajedrez — chess club": Profile((16, 70), 0.3, "UA SY CO VE", 20),
}


def _draw_person(rng: np.random.Generator, group: str, profile: Profile) -> tuple[str, ...]:
    """(name, gender, languages, preferred language, country, age) for one fictional person."""
    woman = rng.random() < profile.women
    if group == "migrant":
        country = str(rng.choice(profile.origins.split()))
        langs, women, men, surnames = ORIGINS[country]
        preferred = next(c for c in langs.split() if c in importing.SUPPORTED_LANGUAGES)
    else:
        country, langs, (women, men, surnames) = "ES", "es", LOCAL_NAMES
        langs += " en" if rng.random() < 0.3 else ""
        preferred = "es"
    first = str(rng.choice((women if woman else men).split()))
    name = f"{first} {rng.choice(surnames.split())}"
    age = int(rng.integers(profile.ages[0], profile.ages[1] + 1))
    gender = "woman" if woman else "man"
    if rng.random() < 0.03:
        gender = "non_binary"
    return name, gender, langs, preferred, country, str(age)


def _history_people(
    rng: np.random.Generator, profile: Profile, taken: set[str]
) -> list[tuple[str, str, tuple[str, ...]]]:
    """(group, name, drawn fields) for one activity: half migrants, the rest mostly locals."""
    others = int(rng.random() < 0.5)
    migrants = profile.size // 2
    groups = ["migrant"] * migrants + ["other"] * others
    groups += ["host"] * (profile.size - len(groups))
    found = []
    for group in groups:
        drawn = _draw_person(rng, "migrant" if group == "other" else group, profile)
        while drawn[0] in taken:  # a fictional name stays unique within its organization
            drawn = _draw_person(rng, "migrant" if group == "other" else group, profile)
        taken.add(drawn[0])
        found.append((group, drawn[0], drawn))
    return found


def _history_consent(
    participant: Participant, given: date, share: bool, recorded_by: int | None
) -> list[Consent]:
    purposes = ALL_PURPOSES if share else ALL_PURPOSES[:2]
    kinds = [ConsentKind.PARTICIPANT]
    if participant_is_minor(participant, minor_age=get_settings().minor_age, today=given):
        kinds = [ConsentKind.GUARDIAN, ConsentKind.ASSENT]
    return [
        Consent(
            participant_id=participant.id or 0,
            kind=kind,
            purposes=list(purposes),
            given_on=given,
            recorded_by_id=recorded_by,
            guardian_name="Parent of " + participant.name.split()[0] if kind == "guardian" else "",
        )
        for kind in kinds
    ]


def _register_history(
    session: Session, admin: User, activity: Activity, rng: np.random.Generator
) -> None:
    assert admin.organization_id is not None and activity.start_date is not None
    profile = PROFILES[activity.title]
    codes = service.organization_codes(session=session, organization_id=admin.organization_id)
    taken = set(
        session.exec(
            select(Participant.name).where(Participant.organization_id == admin.organization_id)
        ).all()
    )
    today = service.today()
    given = activity.start_date - timedelta(days=21)
    for group, name, (_, gender, langs, preferred, country, age) in _history_people(
        rng, profile, taken
    ):
        year = given.year - int(age)
        fields = service.ParticipantFields(
            group=group,
            name=name,
            birth_year=year,
            age_band=importing.age_band_for(year, today),
            gender=gender,
            languages=langs.split(),
            preferred_language=preferred,
            country_of_origin=country,
        )
        participant = service.new_participant(
            session=session,
            actor=admin,
            clean=service.clean_fields(fields, now=today),
            codes=codes,
            detail="demo data",
        )
        share = rng.random() > 0.07
        session.add_all(_history_consent(participant, given, share, admin.id))
        session.add(Enrollment(activity_id=activity.id or 0, participant_id=participant.id or 0))
    session.commit()


def seed_history(session: Session, demo: "Demo") -> None:
    """Register and enrol (once) the people of the demo NGOs' completed activities."""
    by_title = {h.title: h.org for h in HISTORY}
    activities = session.exec(
        select(Activity).where(col(Activity.title).in_(list(by_title))).order_by(col(Activity.id))
    ).all()
    with_people = set(session.exec(select(Enrollment.activity_id).distinct()).all())
    for activity in activities:
        org = demo.orgs[by_title[activity.title]]
        if activity.organization_id == org.organization.id and activity.id not in with_people:
            # each activity draws from its own stream, so adding one later changes no other
            stream = [HISTORY_SEED, list(by_title).index(activity.title)]
            _register_history(session, org.admin, activity, np.random.default_rng(stream))
