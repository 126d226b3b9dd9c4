"""Feeling thermometer towards the other group (0-100)."""

from typing import Any

from surveys.bank.anchors import THERMOMETER_ENDS

SCALE: dict[str, Any] = {
    "id": "thermometer",
    "name": {
        "en": "Feeling thermometer",
        "es": "Termómetro de sentimientos",
        "fr": "Thermomètre des sentiments",
        "ar": "مقياس حرارة المشاعر",
    },
    "description": {
        "en": "How warm or cold the respondent feels towards the other group, from 0 to 100.",
        "es": "Calidez o frialdad de los sentimientos hacia el otro grupo, de 0 a 100.",
        "fr": "Chaleur ou froideur des sentiments envers l'autre groupe, de 0 à 100.",
        "ar": "مدى دفء مشاعر المشارك أو برودتها تجاه المجموعة الأخرى، من 0 إلى 100.",
    },
    "source": (
        "Feeling thermometer of the American National Election Studies, discussed in "
        "Converse, J. M., & Presser, S. (1986). Survey Questions: Handcrafting the Standardized "
        "Questionnaire. Sage; as used as an attitude measure in intergroup contact research "
        "(e.g. Pettigrew, T. F., & Tropp, L. R. (2006). A meta-analytic test of intergroup "
        "contact theory. Journal of Personality and Social Psychology, 90(5), 751-783). "
        "Wording is Encuentro's own."
    ),
    "higher_is_better": True,
    "about_outgroup": True,
    "items": [
        {
            "id": "therm_1",
            "format": "thermometer",
            "reverse": False,
            "text": {
                "en": (
                    "How warm or cold do you feel towards {outgroup}? Choose a number from 0 "
                    "(very cold, unfavourable) to 100 (very warm, favourable); 50 means neither "
                    "warm nor cold."
                ),
                "es": (
                    "¿Cómo son sus sentimientos hacia {outgroup}? Elija un número de 0 (muy "
                    "fríos, desfavorables) a 100 (muy cálidos, favorables); 50 significa ni "
                    "fríos ni cálidos."
                ),
                "fr": (
                    "Quels sentiments éprouvez-vous envers {outgroup}\u00a0? Choisissez un "
                    "nombre entre 0 (très froids, défavorables) et 100 (très chaleureux, "
                    "favorables)\u00a0; 50 signifie ni froids ni chaleureux."
                ),
                "ar": (
                    "ما مدى دفء مشاعرك أو برودتها تجاه {outgroup}؟ يُرجى اختيار رقم من 0 "
                    "(باردة جدًا وسلبية) إلى 100 (دافئة جدًا وإيجابية)؛ ويعني الرقم 50 أنها "
                    "ليست دافئة ولا باردة."
                ),
            },
            "anchors": THERMOMETER_ENDS,
            "child_text": {
                "en": "I like {outgroup}.",
                "es": "Me caen bien {outgroup}.",
                "fr": "J'aime bien {outgroup}.",
                "ar": "أحبّ {outgroup}.",
            },
        },
    ],
}
