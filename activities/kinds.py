"""Activity kinds and a starting template for each: texts, suggested rubric answers, a schedule.

A template is a starting point, not a verdict: its suggested answers are what the kind usually
provides (a cooking club shares both groups' food traditions; a sports league needs mixed teams),
and the organizer confirms or changes each one. The suggested schedule already earns most of
principle 6 (sustained and regular contact). The module is pure: no database, no web.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from activities.principles import Choice

FREQUENCIES = ("weekly", "biweekly", "monthly")


class Kind(StrEnum):
    SPORTS = "sports"
    COOKING = "cooking"
    LANGUAGE_EXCHANGE = "language_exchange"
    ARTS = "arts"
    GARDENING = "gardening"
    COMMUNITY_PROJECT = "community_project"
    OTHER = "other"


@dataclass(frozen=True)
class KindTemplate:
    """What a new activity of one kind starts with; every text is in English and Spanish."""

    kind: Kind
    label: dict[str, str]
    description: dict[str, str]
    shared_goal: dict[str, str]  # empty for OTHER: a generic goal would look stated but say nothing
    suggested_answers: dict[str, str]  # rubric question id -> choice
    recurrence: dict[str, str | int]  # frequency (one of FREQUENCIES), count, duration_minutes
    suggestions: dict[str, list[str]]  # tips per language


def _t(en: str, es: str) -> dict[str, str]:
    return {"en": en, "es": es}


def _tips(en: list[str], es: list[str]) -> dict[str, list[str]]:
    return {"en": en, "es": es}


def _schedule(frequency: str, count: int, duration_minutes: int) -> dict[str, str | int]:
    return {"frequency": frequency, "count": count, "duration_minutes": duration_minutes}


YES, PARTLY = Choice.YES.value, Choice.PARTLY.value

TEMPLATES: dict[Kind, KindTemplate] = {
    Kind.SPORTS: KindTemplate(
        kind=Kind.SPORTS,
        label=_t("Sports", "Deporte"),
        description=_t(
            "Mixed teams train and play together (football, volleyball, running, cricket) over a "
            "season of matches.",
            "Equipos mixtos entrenan y juegan juntos (fútbol, vóleibol, atletismo, críquet) "
            "durante una temporada de partidos.",
        ),
        shared_goal=_t(
            "Mixed teams of migrants and locals train together for a closing neighbourhood "
            "tournament, where every team fields players from both groups.",
            "Equipos mixtos de personas migrantes y locales entrenan juntos para un torneo de "
            "barrio de cierre, en el que cada equipo alinea a jugadores de ambos grupos.",
        ),
        suggested_answers={
            "p1_enjoyable": YES,
            "p1_interdependence": YES,
            "p2_visible_contributions": PARTLY,
            "p5_equal_status": YES,
            "p5_break_segregation": YES,
        },
        recurrence=_schedule("weekly", 12, 90),
        suggestions=_tips(
            [
                "Form the teams with the mixing tool and keep them for the whole season, so "
                "teammates get to know each other.",
                "Rotate the captain's armband across both groups.",
                "End each training with a five-minute circle: the best moment of the day, in both "
                "languages.",
            ],
            [
                "Forme los equipos con la herramienta de mezcla y manténgalos toda la temporada, "
                "para que sus integrantes se conozcan.",
                "Haga rotar el brazalete de capitán entre ambos grupos.",
                "Termine cada entrenamiento con un círculo de cinco minutos: el mejor momento del "
                "día, en los dos idiomas.",
            ],
        ),
    ),
    Kind.COOKING: KindTemplate(
        kind=Kind.COOKING,
        label=_t("Cooking club", "Club de cocina"),
        description=_t(
            "Migrants and locals cook in mixed pairs, teach each other recipes and eat together.",
            "Personas migrantes y locales cocinan en parejas mixtas, se enseñan recetas y comen "
            "juntas.",
        ),
        shared_goal=_t(
            "Together, cook a menu with one dish from each country represented and serve it to "
            "the neighbourhood at a closing dinner.",
            "Entre todas las personas, cocinar un menú con un plato de cada país representado y "
            "servirlo al barrio en una cena de cierre.",
        ),
        suggested_answers={
            "p1_enjoyable": YES,
            "p1_interdependence": YES,
            "p2_both_cultures": YES,
            "p2_visible_contributions": YES,
            "p2_commonalities": PARTLY,
        },
        recurrence=_schedule("weekly", 10, 120),
        suggestions=_tips(
            [
                "Pair a migrant and a local cook for each dish; each teaches the other a recipe.",
                "Collect the recipes, with each cook's name, in a shared recipe book.",
                "Ask about dietary needs (halal, vegetarian, allergies) at sign-up.",
            ],
            [
                "Forme una pareja de cocina migrante y local por plato; cada cual enseña una "
                "receta a la otra persona.",
                "Reúna las recetas, con el nombre de quien las cocinó, en un recetario común.",
                "Pregunte por las necesidades alimentarias (halal, vegetariana, alergias) al "
                "inscribir.",
            ],
        ),
    ),
    Kind.LANGUAGE_EXCHANGE: KindTemplate(
        kind=Kind.LANGUAGE_EXCHANGE,
        label=_t("Language exchange", "Intercambio de idiomas"),
        description=_t(
            "Mixed pairs or small groups talk half the time in one language and half in the "
            "other, so everyone is both teacher and learner.",
            "Parejas o grupos pequeños mixtos conversan la mitad del tiempo en un idioma y la "
            "otra mitad en el otro, de modo que todas las personas enseñan y aprenden.",
        ),
        shared_goal=_t(
            "Each mixed pair prepares a bilingual guide to their favourite places in the "
            "neighbourhood and presents it at the last session.",
            "Cada pareja mixta prepara una guía bilingüe de sus lugares favoritos del barrio y la "
            "presenta en la última sesión.",
        ),
        suggested_answers={
            "p1_interdependence": YES,
            "p2_commonalities": YES,
            "p5_equal_status": YES,
            "p5_language_support": YES,
        },
        recurrence=_schedule("weekly", 12, 90),
        suggestions=_tips(
            [
                "Switch languages halfway through, so each person is teacher and learner.",
                "Give pairs topic cards (food, music, work, the neighbourhood) so conversation "
                "does not turn into questions about the journey.",
                "Change pairs every few sessions with the mixing tool.",
            ],
            [
                "Cambien de idioma a mitad de la sesión, para que cada persona enseñe y aprenda.",
                "Dé a las parejas tarjetas de temas (comida, música, trabajo, el barrio) para que "
                "la conversación no derive en preguntas sobre el trayecto.",
                "Cambie las parejas cada pocas sesiones con la herramienta de mezcla.",
            ],
        ),
    ),
    Kind.ARTS: KindTemplate(
        kind=Kind.ARTS,
        label=_t("Arts workshop", "Taller artístico"),
        description=_t(
            "Music, theatre, photography, mural painting or crafts, ending in a shared work shown "
            "to the public.",
            "Música, teatro, fotografía, muralismo o artesanía, que culmina en una obra común "
            "presentada al público.",
        ),
        shared_goal=_t(
            "Create together a mural that tells the stories of the neighbourhood's old and new "
            "residents, and unveil it at a public opening.",
            "Crear juntos un mural que cuente las historias de los vecinos de siempre y de los "
            "recién llegados, e inaugurarlo en un acto público.",
        ),
        suggested_answers={
            "p1_enjoyable": YES,
            "p1_interdependence": PARTLY,
            "p2_both_cultures": YES,
            "p2_visible_contributions": YES,
            "p4_reflection_moments": PARTLY,
        },
        recurrence=_schedule("weekly", 10, 120),
        suggestions=_tips(
            [
                "Let each mixed team own one part of the work, so the whole needs every team.",
                "Sign the finished work with every participant's chosen name.",
                "Use the opening as the closing reflection: each team explains what it made and "
                "why.",
            ],
            [
                "Asigne a cada equipo mixto una parte de la obra, para que el conjunto necesite a "
                "todos los equipos.",
                "Firme la obra terminada con el nombre que elija cada participante.",
                "Aproveche la inauguración como reflexión final: cada equipo explica qué hizo y "
                "por qué.",
            ],
        ),
    ),
    Kind.GARDENING: KindTemplate(
        kind=Kind.GARDENING,
        label=_t("Community garden", "Huerto comunitario"),
        description=_t(
            "Migrants and locals tend shared plots, swap seeds and growing techniques, and "
            "harvest together.",
            "Personas migrantes y locales cuidan parcelas compartidas, intercambian semillas y "
            "técnicas de cultivo, y cosechan juntas.",
        ),
        shared_goal=_t(
            "Plan, plant and tend shared beds with crops from each participant's home region, "
            "and share the harvest at a closing meal.",
            "Planificar, sembrar y cuidar bancales compartidos con cultivos de la tierra de cada "
            "participante, y compartir la cosecha en una comida de cierre.",
        ),
        suggested_answers={
            "p1_enjoyable": YES,
            "p1_interdependence": YES,
            "p2_both_cultures": YES,
            "p3_running": PARTLY,
        },
        recurrence=_schedule("weekly", 16, 120),
        suggestions=_tips(
            [
                "Follow a growing season, from sowing to harvest, so the series has a natural end.",
                "Give each bed to a mixed team, not to one person.",
                "Ask a municipal parks department or a school for the plot.",
            ],
            [
                "Siga una temporada de cultivo, de la siembra a la cosecha, para que la serie "
                "tenga un final natural.",
                "Asigne cada bancal a un equipo mixto, no a una sola persona.",
                "Pida la parcela al servicio municipal de parques o a una escuela.",
            ],
        ),
    ),
    Kind.COMMUNITY_PROJECT: KindTemplate(
        kind=Kind.COMMUNITY_PROJECT,
        label=_t("Community project", "Proyecto comunitario"),
        description=_t(
            "A mixed group takes on a concrete improvement for the neighbourhood, such as a "
            "repair café, a clean-up, a play street or a local festival.",
            "Un grupo mixto asume una mejora concreta para el barrio, como un taller de "
            "reparaciones, una jornada de limpieza, una calle de juegos o una fiesta local.",
        ),
        shared_goal=_t(
            "As one mixed team, choose, plan and carry out an improvement for the neighbourhood, "
            "and present it to residents and the municipality.",
            "Como un solo equipo mixto, elegir, planificar y llevar a cabo una mejora para el "
            "barrio, y presentarla al vecindario y al ayuntamiento.",
        ),
        suggested_answers={
            "p1_interdependence": YES,
            "p3_design": YES,
            "p3_organisation": YES,
            "p3_running": YES,
            "p3_evaluation": PARTLY,
            "p7_resources": PARTLY,
        },
        recurrence=_schedule("biweekly", 8, 120),
        suggestions=_tips(
            [
                "Let the group choose the project by vote among two or three options.",
                "Split the work into tasks that each need a migrant and a local member.",
                "Invite the municipality to the final presentation.",
            ],
            [
                "Deje que el grupo elija el proyecto votando entre dos o tres opciones.",
                "Divida el trabajo en tareas que necesiten cada una a una persona migrante y a una "
                "local.",
                "Invite al ayuntamiento a la presentación final.",
            ],
        ),
    ),
    Kind.OTHER: KindTemplate(
        kind=Kind.OTHER,
        label=_t("Other", "Otra"),
        description=_t(
            "Any other format where migrants and locals meet regularly to do something together.",
            "Cualquier otro formato en el que personas migrantes y locales se reúnan con "
            "regularidad para hacer algo juntas.",
        ),
        shared_goal=_t("", ""),
        suggested_answers={},
        recurrence=_schedule("weekly", 10, 90),
        suggestions=_tips(
            [
                "Write a shared goal that the mixed group can only reach together.",
                "Plan a series of sessions on a fixed day rather than a single event.",
                "Find a partner that can lend a venue for the whole series.",
            ],
            [
                "Escriba una meta común que el grupo mixto solo pueda alcanzar en conjunto.",
                "Planifique una serie de sesiones en un día fijo en lugar de un evento único.",
                "Busque una entidad aliada que pueda prestar un espacio para toda la serie.",
            ],
        ),
    ),
}


def template(kind: str) -> KindTemplate:
    """The starting template of an activity kind given by its value, e.g. "cooking"."""
    try:
        return TEMPLATES[Kind(kind)]
    except ValueError:
        choices = ", ".join(k.value for k in Kind)
        raise ValueError(f"Unknown activity kind “{kind}”; choose one of: {choices}.") from None
