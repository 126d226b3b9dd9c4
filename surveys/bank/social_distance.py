"""Social distance: five cumulative yes/no steps of growing closeness to the other group."""

from typing import Any

from surveys.bank.anchors import YESNO

SCALE: dict[str, Any] = {
    "id": "social_distance",
    "name": {
        "en": "Social distance (acceptance)",
        "es": "Distancia social (aceptación)",
        "fr": "Distance sociale (acceptation)",
        "ar": "المسافة الاجتماعية (القبول)",
    },
    "description": {
        "en": (
            "Five yes/no steps of growing closeness, from living in the same town to joining "
            "the family by marriage. The score is the share of steps accepted, so a higher "
            "score means less social distance."
        ),
        "es": (
            "Cinco pasos de sí o no de cercanía creciente, desde vivir en la misma ciudad hasta "
            "entrar en la familia por matrimonio. La puntuación es la proporción de pasos "
            "aceptados: un valor más alto indica menos distancia social."
        ),
        "fr": (
            "Cinq étapes oui/non de proximité croissante, de vivre dans la même ville à entrer "
            "dans la famille par le mariage. Le score est la part des étapes acceptées\u00a0: "
            "un score plus élevé indique moins de distance sociale."
        ),
        "ar": (
            "خمس خطوات يُجاب عنها بنعم أو لا وتتدرج في القرب، من العيش في المدينة نفسها إلى "
            "الانضمام إلى العائلة بالزواج. والدرجة هي نسبة الخطوات المقبولة، فكلما ارتفعت "
            "قلّت المسافة الاجتماعية."
        ),
    },
    "source": (
        "Bogardus, E. S. (1925). Measuring social distances. Journal of Applied Sociology, 9, "
        "299-308. Cumulative steps adapted and paraphrased in Encuentro's own words."
    ),
    "higher_is_better": True,
    "about_outgroup": True,
    "items": [
        {
            "id": "sd_1",
            "format": "yesno",
            "reverse": False,
            "text": {
                "en": "Would you be fine with {outgroup} living in your town?",
                "es": "¿Le parecería bien que {outgroup} vivieran en la misma ciudad o pueblo "
                "que usted?",
                "fr": "Seriez-vous d'accord pour que {outgroup} vivent dans votre ville\u00a0?",
                "ar": "هل يناسبك أن يعيش {outgroup} في مدينتك أو بلدتك؟",
            },
            "anchors": YESNO,
            "child_text": {
                "en": "Is it okay with you if {outgroup} live in your town?",
                "es": "¿Te parece bien que {outgroup} vivan en tu ciudad?",
                "fr": "Est-ce que ça te va si {outgroup} habitent dans ta ville\u00a0?",
                "ar": "هل يناسبك أن يعيش {outgroup} في مدينتك؟",
            },
        },
        {
            "id": "sd_2",
            "format": "yesno",
            "reverse": False,
            "text": {
                "en": "Would you be fine with {outgroup} as your neighbours?",
                "es": "¿Le parecería bien tener a {outgroup} como vecinos?",
                "fr": "Seriez-vous d'accord pour avoir {outgroup} comme voisins\u00a0?",
                "ar": "هل يناسبك أن يكون {outgroup} جيرانًا لك؟",
            },
            "anchors": YESNO,
            "child_text": {
                "en": "Is it okay with you if {outgroup} live next door to you?",
                "es": "¿Te parece bien que {outgroup} vivan en la casa de al lado?",
                "fr": "Est-ce que ça te va si {outgroup} habitent à côté de chez toi\u00a0?",
                "ar": "هل يناسبك أن يسكن {outgroup} بجوارك؟",
            },
        },
        {
            "id": "sd_3",
            "format": "yesno",
            "reverse": False,
            "text": {
                "en": "Would you be fine with {outgroup} as your colleagues at work or school?",
                "es": "¿Le parecería bien tener a {outgroup} como compañeros de trabajo o de "
                "estudios?",
                "fr": "Seriez-vous d'accord pour avoir {outgroup} comme collègues de travail ou "
                "d'études\u00a0?",
                "ar": "هل يناسبك أن يكون {outgroup} زملاء لك في العمل أو الدراسة؟",
            },
            "anchors": YESNO,
            "child_text": {
                "en": "Is it okay with you if {outgroup} are in your class or at your work?",
                "es": "¿Te parece bien que {outgroup} estén en tu clase o en tu trabajo?",
                "fr": "Est-ce que ça te va si {outgroup} sont dans ta classe ou à ton "
                "travail\u00a0?",
                "ar": "هل يناسبك أن يكون {outgroup} معك في صفك أو في عملك؟",
            },
        },
        {
            "id": "sd_4",
            "format": "yesno",
            "reverse": False,
            "text": {
                "en": "Would you be fine with {outgroup} as your close friends?",
                "es": "¿Le parecería bien tener a {outgroup} como amigos cercanos?",
                "fr": "Seriez-vous d'accord pour avoir {outgroup} comme amis proches\u00a0?",
                "ar": "هل يناسبك أن يكون {outgroup} أصدقاء مقرّبين لك؟",
            },
            "anchors": YESNO,
            "child_text": {
                "en": "Is it okay with you to have {outgroup} as close friends?",
                "es": "¿Te parece bien tener a {outgroup} como amigos cercanos?",
                "fr": "Est-ce que ça te va d'avoir {outgroup} comme amis proches\u00a0?",
                "ar": "هل يناسبك أن يصبح {outgroup} أصدقاءك المقرّبين؟",
            },
        },
        {
            "id": "sd_5",
            "format": "yesno",
            "reverse": False,
            "text": {
                "en": "Would you be fine with {outgroup} marrying into your family?",
                "es": "¿Le parecería bien que un familiar suyo se casara con alguien de entre "
                "{outgroup}?",
                "fr": "Seriez-vous d'accord pour qu'un membre de votre famille épouse quelqu'un "
                "parmi {outgroup}\u00a0?",
                "ar": "هل يناسبك أن يتزوج أحد أفراد عائلتك من أحد {outgroup}؟",
            },
            "anchors": YESNO,
            "child_text": {
                "en": "Is it okay with you if {outgroup} become part of your family by marriage?",
                "es": "¿Te parece bien que alguien de tu familia se case con alguien de entre "
                "{outgroup}?",
                "fr": "Est-ce que ça te va si quelqu'un de ta famille se marie avec quelqu'un "
                "parmi {outgroup}\u00a0?",
                "ar": "هل يناسبك أن يتزوج شخص من عائلتك من أحد {outgroup}؟",
            },
        },
    ],
}
