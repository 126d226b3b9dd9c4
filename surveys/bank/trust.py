"""Intergroup trust: confidence that the other group is reliable and well-intentioned."""

from typing import Any

from surveys.bank.anchors import AGREE5

SCALE: dict[str, Any] = {
    "id": "trust",
    "name": {
        "en": "Intergroup trust",
        "es": "Confianza intergrupal",
        "fr": "Confiance intergroupe",
        "ar": "الثقة بين المجموعات",
    },
    "description": {
        "en": "Confidence that members of the other group are reliable and well-intentioned.",
        "es": "Confianza en que los miembros del otro grupo son fiables y bienintencionados.",
        "fr": "Confiance dans la fiabilité et les bonnes intentions des membres de l'autre groupe.",
        "ar": "الاطمئنان إلى أن أفراد المجموعة الأخرى أهلٌ للثقة وحسنو النية.",
    },
    "source": (
        "Tam, T., Hewstone, M., Kenworthy, J., & Cairns, E. (2009). Intergroup trust in "
        "Northern Ireland. Personality and Social Psychology Bulletin, 35(1), 45-59. "
        "Items paraphrased in Encuentro's own words."
    ),
    "higher_is_better": True,
    "about_outgroup": True,
    "items": [
        {
            "id": "trust_1",
            "format": "likert5",
            "reverse": False,
            "text": {
                "en": "On the whole, I trust {outgroup}.",
                "es": "En general, confío en {outgroup}.",
                "fr": "Dans l'ensemble, {outgroup} m'inspirent confiance.",
                "ar": "بشكل عام، أثق في {outgroup}.",
            },
            "anchors": AGREE5,
            "child_text": {
                "en": "I trust {outgroup}.",
                "es": "Confío en {outgroup}.",
                "fr": "Je me sens en confiance avec {outgroup}.",
                "ar": "أثق في {outgroup}.",
            },
        },
        {
            "id": "trust_2",
            "format": "likert5",
            "reverse": False,
            "text": {
                "en": "I believe {outgroup} keep their promises.",
                "es": "Creo que {outgroup} cumplen lo que prometen.",
                "fr": "Je pense que {outgroup} tiennent leurs promesses.",
                "ar": "أعتقد أن {outgroup} يفون بوعودهم.",
            },
            "anchors": AGREE5,
            "child_text": {
                "en": "I think {outgroup} do what they say.",
                "es": "Creo que {outgroup} cumplen lo que dicen.",
                "fr": "Je pense que {outgroup} tiennent parole.",
                "ar": "أظن أن {outgroup} يفون بما يقولون.",
            },
        },
        {
            "id": "trust_3",
            "format": "likert5",
            "reverse": True,
            "text": {
                "en": "I worry that {outgroup} would take advantage of me at the first chance.",
                "es": "Me preocupa que {outgroup} se aprovechen de mí a la primera oportunidad.",
                "fr": "Je crains que {outgroup} ne profitent de moi à la première occasion.",
                "ar": "أخشى أن يستغلني {outgroup} عند أول فرصة.",
            },
            "anchors": AGREE5,
            "child_text": {
                "en": "I think {outgroup} would be fair to me.",
                "es": "Creo que {outgroup} me tratarían de forma justa.",
                "fr": "Je pense que {outgroup} seraient justes avec moi.",
                "ar": "أظن أن {outgroup} سيعاملونني بعدل.",
            },
            "child_flip": True,
        },
        {
            "id": "trust_4",
            "format": "likert5",
            "reverse": False,
            "text": {
                "en": "If I needed help, I could count on {outgroup}.",
                "es": "Si necesitara ayuda, podría contar con {outgroup}.",
                "fr": "Si j'avais besoin d'aide, je pourrais compter sur {outgroup}.",
                "ar": "إذا احتجت إلى مساعدة، يمكنني الاعتماد على {outgroup}.",
            },
            "anchors": AGREE5,
            "child_text": {
                "en": "If I needed help, {outgroup} would help me.",
                "es": "Si necesitara ayuda, {outgroup} me ayudarían.",
                "fr": "Si j'avais besoin d'aide, {outgroup} m'aideraient.",
                "ar": "إذا احتجت إلى مساعدة، سيساعدني {outgroup}.",
            },
        },
    ],
}
