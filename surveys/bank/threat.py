"""Perceived threat from the other group: realistic (work, housing) and symbolic (values)."""

from typing import Any

from surveys.bank.anchors import AGREE5

SCALE: dict[str, Any] = {
    "id": "threat",
    "name": {
        "en": "Perceived threat",
        "es": "Amenaza percibida",
        "fr": "Menace perçue",
        "ar": "التهديد المُدرَك",
    },
    "description": {
        "en": (
            "Realistic (work, housing) and symbolic (values, traditions) threat the respondent "
            "attributes to the other group; higher means more threat."
        ),
        "es": (
            "Amenaza realista (trabajo, vivienda) y simbólica (valores, tradiciones) que la "
            "persona atribuye al otro grupo; un valor más alto indica más amenaza."
        ),
        "fr": (
            "Menace réaliste (emploi, logement) et symbolique (valeurs, traditions) que la "
            "personne attribue à l'autre groupe\u00a0; un score plus élevé indique plus de "
            "menace."
        ),
        "ar": (
            "التهديد الواقعي (العمل والسكن) والرمزي (القيم والتقاليد) الذي ينسبه المشارك إلى "
            "المجموعة الأخرى؛ الدرجة الأعلى تعني تهديدًا أكبر."
        ),
    },
    "source": (
        "Stephan, W. G., & Stephan, C. W. (2000). An integrated threat theory of prejudice. "
        "In S. Oskamp (Ed.), Reducing Prejudice and Discrimination (pp. 23-45). Lawrence "
        "Erlbaum. Realistic and symbolic threat items paraphrased in Encuentro's own words."
    ),
    "higher_is_better": False,
    "about_outgroup": True,
    "items": [
        {
            "id": "threat_1",
            "format": "likert5",
            "reverse": False,
            "text": {
                "en": "I think {outgroup} make it harder for people like me to find a job.",
                "es": "Creo que {outgroup} hacen más difícil que personas como yo encuentren "
                "trabajo.",
                "fr": "Je pense que {outgroup} rendent l'accès à l'emploi plus difficile pour "
                "les personnes comme moi.",
                "ar": "أعتقد أن {outgroup} يُصعّبون على أمثالي إيجاد عمل.",
            },
            "anchors": AGREE5,
            "child_text": {
                "en": "I think there is enough work here for {outgroup} and for people like me.",
                "es": "Creo que aquí hay trabajo para {outgroup} y para personas como yo.",
                "fr": "Je pense qu'ici, il y a du travail pour {outgroup} et pour les gens "
                "comme moi.",
                "ar": "أظن أن هنا عملًا يكفي {outgroup} ويكفي أمثالي.",
            },
            "child_flip": True,
        },
        {
            "id": "threat_2",
            "format": "likert5",
            "reverse": False,
            "text": {
                "en": "I think {outgroup} make it harder for people like me to find an "
                "affordable place to live.",
                "es": "Creo que {outgroup} hacen más difícil que personas como yo encuentren "
                "una vivienda asequible.",
                "fr": "Je pense que {outgroup} rendent l'accès à un logement abordable plus "
                "difficile pour les personnes comme moi.",
                "ar": "أعتقد أن {outgroup} يُصعّبون على أمثالي إيجاد مسكن بسعر معقول.",
            },
            "anchors": AGREE5,
            "child_text": {
                "en": "I think there are enough homes here for {outgroup} and for people like me.",
                "es": "Creo que aquí hay casas para {outgroup} y para personas como yo.",
                "fr": "Je pense qu'ici, il y a assez de logements pour {outgroup} et pour les "
                "gens comme moi.",
                "ar": "أظن أن هنا مساكن تكفي {outgroup} وتكفي أمثالي.",
            },
            "child_flip": True,
        },
        {
            "id": "threat_3",
            "format": "likert5",
            "reverse": False,
            "text": {
                "en": "I think {outgroup} have values that threaten the way of life of people "
                "like me.",
                "es": "Creo que {outgroup} tienen valores que amenazan la forma de vida de "
                "personas como yo.",
                "fr": "Je pense que {outgroup} ont des valeurs qui menacent le mode de vie des "
                "personnes comme moi.",
                "ar": "أعتقد أن {outgroup} يحملون قيمًا تهدد أسلوب حياة أمثالي.",
            },
            "anchors": AGREE5,
            "child_text": {
                "en": "I think {outgroup} care about many of the same things as my family.",
                "es": "Creo que a {outgroup} les importan muchas cosas que también le importan "
                "a mi familia.",
                "fr": "Je pense que {outgroup} tiennent à beaucoup de choses qui comptent aussi "
                "pour ma famille.",
                "ar": "أظن أن {outgroup} يهتمون بأشياء كثيرة تهمّ عائلتي أيضًا.",
            },
            "child_flip": True,
        },
        {
            "id": "threat_4",
            "format": "likert5",
            "reverse": False,
            "text": {
                "en": "I worry that {outgroup} will change the customs and traditions that "
                "matter to me.",
                "es": "Me preocupa que {outgroup} cambien las costumbres y tradiciones que son "
                "importantes para mí.",
                "fr": "Je crains que {outgroup} ne changent les coutumes et les traditions qui "
                "comptent pour moi.",
                "ar": "أخشى أن يغيّر {outgroup} العادات والتقاليد التي تهمّني.",
            },
            "anchors": AGREE5,
            "child_text": {
                "en": "I think my family can keep its traditions while living alongside "
                "{outgroup}.",
                "es": "Creo que mi familia puede conservar sus tradiciones viviendo junto a "
                "{outgroup}.",
                "fr": "Je pense que ma famille peut garder ses traditions tout en vivant avec "
                "{outgroup}.",
                "ar": "أظن أن عائلتي تستطيع أن تحافظ على تقاليدها وهي تعيش إلى جانب {outgroup}.",
            },
            "child_flip": True,
        },
        {
            "id": "threat_5",
            "format": "likert5",
            "reverse": True,
            "text": {
                "en": "I think {outgroup} enrich the cultural life of the place where I live.",
                "es": "Creo que {outgroup} enriquecen la vida cultural del lugar donde vivo.",
                "fr": "Je pense que {outgroup} enrichissent la vie culturelle de l'endroit où "
                "je vis.",
                "ar": "أعتقد أن {outgroup} يُثرون الحياة الثقافية في المكان الذي أعيش فيه.",
            },
            "anchors": AGREE5,
            "child_text": {
                "en": "I think {outgroup} make life here more interesting.",
                "es": "Creo que {outgroup} hacen que la vida aquí sea más interesante.",
                "fr": "Je pense que {outgroup} rendent la vie ici plus intéressante.",
                "ar": "أظن أن {outgroup} يجعلون الحياة هنا أكثر متعة.",
            },
        },
    ],
}
