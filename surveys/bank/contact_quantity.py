"""Contact quantity: how often the respondent meets the other group."""

from typing import Any

from surveys.bank.anchors import CHILD_FREQUENCY5, FREQUENCY5

SCALE: dict[str, Any] = {
    "id": "contact_quantity",
    "name": {
        "en": "Contact quantity",
        "es": "Cantidad de contacto",
        "fr": "Fréquence des contacts",
        "ar": "مقدار التواصل",
    },
    "description": {
        "en": "How often the respondent talks and spends time with members of the other group.",
        "es": "Con qué frecuencia la persona habla y pasa tiempo con miembros del otro grupo.",
        "fr": "À quelle fréquence la personne parle et passe du temps avec l'autre groupe.",
        "ar": "عدد المرات التي يتحدث فيها المشارك مع أفراد المجموعة الأخرى ويقضي وقته معهم.",
    },
    "source": (
        "Islam, M. R., & Hewstone, M. (1993). Dimensions of contact as predictors of intergroup "
        "anxiety, perceived out-group variability, and out-group attitude: An integrative "
        "model. Personality and Social Psychology Bulletin, 19(6), 700-710. Items paraphrased "
        "in Encuentro's own words."
    ),
    "higher_is_better": True,
    "about_outgroup": True,
    "items": [
        {
            "id": "cquan_1",
            "format": "likert5",
            "reverse": False,
            "text": {
                "en": "In the past month, how often did you talk with {outgroup}?",
                "es": "En el último mes, ¿con qué frecuencia ha hablado usted con {outgroup}?",
                "fr": "Au cours du dernier mois, à quelle fréquence avez-vous parlé avec "
                "{outgroup}\u00a0?",
                "ar": "خلال الشهر الماضي، كم مرة تحدثت مع {outgroup}؟",
            },
            "anchors": FREQUENCY5,
            "child_text": {
                "en": "How often do you talk with {outgroup}?",
                "es": "¿Cuántas veces hablas con {outgroup}?",
                "fr": "Est-ce que tu parles souvent avec {outgroup}\u00a0?",
                "ar": "كم مرة تحدثت مع {outgroup} في الشهر الماضي؟",
            },
            "child_anchors": CHILD_FREQUENCY5,
        },
        {
            "id": "cquan_2",
            "format": "likert5",
            "reverse": False,
            "text": {
                "en": "In the past month, how often did you spend free time with {outgroup} "
                "(for example at sports, meals or celebrations)?",
                "es": "En el último mes, ¿con qué frecuencia ha pasado usted tiempo libre con "
                "{outgroup} (por ejemplo, en actividades deportivas, comidas o celebraciones)?",
                "fr": "Au cours du dernier mois, à quelle fréquence avez-vous passé du temps "
                "libre avec {outgroup} (par exemple au sport, lors d'un repas ou d'une "
                "fête)\u00a0?",
                "ar": "خلال الشهر الماضي، كم مرة قضيت وقت فراغك مع {outgroup} (مثل ممارسة "
                "الرياضة أو تناول الطعام أو الاحتفالات)؟",
            },
            "anchors": FREQUENCY5,
            "child_text": {
                "en": "How often do you play or spend free time with {outgroup}?",
                "es": "¿Cuántas veces juegas o pasas tu tiempo libre con {outgroup}?",
                "fr": "Est-ce que tu joues ou passes ton temps libre avec {outgroup}\u00a0?",
                "ar": "كم مرة لعبت أو قضيت وقت فراغك مع {outgroup} في الشهر الماضي؟",
            },
            "child_anchors": CHILD_FREQUENCY5,
        },
        {
            "id": "cquan_3",
            "format": "scale0_10",
            "reverse": False,
            "text": {
                "en": "Overall, how much contact do you have with {outgroup} in your daily life?",
                "es": "En general, ¿cuánto contacto tiene usted con {outgroup} en su vida diaria?",
                "fr": "Dans l'ensemble, combien de contacts avez-vous avec {outgroup} dans votre "
                "vie quotidienne\u00a0?",
                "ar": "بشكل عام، ما مقدار تواصلك مع {outgroup} في حياتك اليومية؟",
            },
            "anchors": {
                "en": ["No contact at all", "A great deal of contact"],
                "es": ["Ningún contacto", "Muchísimo contacto"],
                "fr": ["Aucun contact", "Énormément de contacts"],
                "ar": ["لا تواصل على الإطلاق", "تواصل كثير جدًا"],
            },
            "child_text": {
                "en": "I spend a lot of time with {outgroup}.",
                "es": "Paso mucho tiempo con {outgroup}.",
                "fr": "Je passe beaucoup de temps avec {outgroup}.",
                "ar": "أقضي وقتًا طويلًا مع {outgroup}.",
            },
        },
    ],
}
