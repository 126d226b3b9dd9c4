"""Sense of belonging to the neighbourhood (short neighbourhood-cohesion form)."""

from typing import Any

from surveys.bank.anchors import AGREE5

SCALE: dict[str, Any] = {
    "id": "belonging",
    "name": {
        "en": "Sense of belonging",
        "es": "Sentido de pertenencia",
        "fr": "Sentiment d'appartenance",
        "ar": "الشعور بالانتماء",
    },
    "description": {
        "en": "Attachment to the neighbourhood and to the people who live in it.",
        "es": "Apego al barrio y a las personas que viven en él.",
        "fr": "Attachement au quartier et aux personnes qui y vivent.",
        "ar": "مدى التعلّق بالحي وبالأشخاص الذين يعيشون فيه.",
    },
    "source": (
        "Buckner, J. C. (1988). The development of an instrument to measure neighborhood "
        "cohesion. American Journal of Community Psychology, 16(6), 771-791. Short form; "
        "items paraphrased in Encuentro's own words."
    ),
    "higher_is_better": True,
    "about_outgroup": False,
    "items": [
        {
            "id": "bel_1",
            "format": "likert5",
            "reverse": False,
            "text": {
                "en": "I feel I belong in my neighbourhood.",
                "es": "Siento que pertenezco a mi barrio.",
                "fr": "J'ai le sentiment d'appartenir à mon quartier.",
                "ar": "أشعر بالانتماء إلى الحي الذي أسكن فيه.",
            },
            "anchors": AGREE5,
            "child_text": {
                "en": "I feel at home in my neighbourhood.",
                "es": "Me siento como en casa en mi barrio.",
                "fr": "Je me sens chez moi dans mon quartier.",
                "ar": "أشعر في حيّي وكأنني في بيتي.",
            },
        },
        {
            "id": "bel_2",
            "format": "likert5",
            "reverse": False,
            "text": {
                "en": "If I needed advice about something, I could go to someone in my "
                "neighbourhood.",
                "es": "Si necesitara consejo sobre algo, podría acudir a alguien de mi barrio.",
                "fr": "Si j'avais besoin d'un conseil, je pourrais m'adresser à quelqu'un de "
                "mon quartier.",
                "ar": "إذا احتجت إلى نصيحة في أمر ما، يمكنني أن ألجأ إلى أحد سكان حيّي.",
            },
            "anchors": AGREE5,
            "child_text": {
                "en": "If I had a problem, I know someone in my neighbourhood who would help me.",
                "es": "Si tuviera un problema, conozco a alguien de mi barrio que me ayudaría.",
                "fr": "Si j'avais un problème, je connais quelqu'un dans mon quartier qui "
                "m'aiderait.",
                "ar": "إذا واجهتني مشكلة، أعرف شخصًا في حيّي سيساعدني.",
            },
        },
        {
            "id": "bel_3",
            "format": "likert5",
            "reverse": False,
            "text": {
                "en": "I would like to go on living in this neighbourhood for many years.",
                "es": "Me gustaría seguir viviendo en este barrio durante muchos años.",
                "fr": "J'aimerais continuer à vivre dans ce quartier pendant de nombreuses années.",
                "ar": "أودّ أن أستمر في العيش في هذا الحي سنواتٍ طويلة.",
            },
            "anchors": AGREE5,
            "child_text": {
                "en": "I want to keep living in my neighbourhood.",
                "es": "Quiero seguir viviendo en mi barrio.",
                "fr": "J'ai envie de continuer à vivre dans mon quartier.",
                "ar": "أريد أن أستمر في العيش في حيّي.",
            },
        },
        {
            "id": "bel_4",
            "format": "likert5",
            "reverse": True,
            "text": {
                "en": "I feel that I do not fit in where I live.",
                "es": "Siento que no encajo en el lugar donde vivo.",
                "fr": "J'ai l'impression de ne pas avoir ma place là où je vis.",
                "ar": "أشعر بأنني لا أنتمي إلى المكان الذي أعيش فيه.",
            },
            "anchors": AGREE5,
            "child_text": {
                "en": "I fit in well where I live.",
                "es": "Encajo bien en el lugar donde vivo.",
                "fr": "Je trouve bien ma place là où je vis.",
                "ar": "أشعر بأنني جزء من المكان الذي أعيش فيه.",
            },
            "child_flip": True,
        },
    ],
}
