"""Contact quality: whether contact with the other group is pleasant, equal and cooperative."""

from typing import Any

from surveys.bank.anchors import AGREE5

SCALE: dict[str, Any] = {
    "id": "contact_quality",
    "name": {
        "en": "Contact quality",
        "es": "Calidad del contacto",
        "fr": "Qualité des contacts",
        "ar": "جودة التواصل",
    },
    "description": {
        "en": (
            "Whether contact with the other group is pleasant, between equals, cooperative "
            "and more than superficial."
        ),
        "es": (
            "Si el contacto con el otro grupo es agradable, de igual a igual, cooperativo "
            "y algo más que superficial."
        ),
        "fr": (
            "Si les contacts avec l'autre groupe sont agréables, d'égal à égal, coopératifs "
            "et plus que superficiels."
        ),
        "ar": (
            "مدى كون التواصل مع المجموعة الأخرى وديًا، وقائمًا على المساواة والتعاون، "
            "وأعمق من أن يكون سطحيًا."
        ),
    },
    "source": (
        "Islam, M. R., & Hewstone, M. (1993). Dimensions of contact as predictors of intergroup "
        "anxiety, perceived out-group variability, and out-group attitude: An integrative "
        "model. Personality and Social Psychology Bulletin, 19(6), 700-710. Dimensions "
        "rewritten as agreement statements in Encuentro's own words."
    ),
    "higher_is_better": True,
    "about_outgroup": True,
    "items": [
        {
            "id": "cqual_1",
            "format": "likert5",
            "reverse": False,
            "text": {
                "en": "My contact with {outgroup} is usually pleasant.",
                "es": "Mi contacto con {outgroup} suele ser agradable.",
                "fr": "Mes contacts avec {outgroup} sont généralement agréables.",
                "ar": "عادةً ما يكون تواصلي مع {outgroup} وديًا.",
            },
            "anchors": AGREE5,
            "child_text": {
                "en": "When I am with {outgroup}, I have a good time.",
                "es": "Cuando estoy con {outgroup}, lo paso bien.",
                "fr": "Quand je suis avec {outgroup}, je passe un bon moment.",
                "ar": "عندما أكون مع {outgroup}، أقضي وقتًا ممتعًا.",
            },
        },
        {
            "id": "cqual_2",
            "format": "likert5",
            "reverse": False,
            "text": {
                "en": "When I meet {outgroup}, we treat each other as equals.",
                "es": "Cuando me relaciono con {outgroup}, nos tratamos de igual a igual.",
                "fr": "Quand je suis en contact avec {outgroup}, nous nous traitons d'égal à égal.",
                "ar": "عندما ألتقي مع {outgroup}، نتعامل على قدم المساواة.",
            },
            "anchors": AGREE5,
            "child_text": {
                "en": "When I am with {outgroup}, we treat each other the same.",
                "es": "Cuando estoy con {outgroup}, nos tratamos como iguales.",
                "fr": "Quand je suis avec {outgroup}, on se traite d'égal à égal.",
                "ar": "عندما أكون مع {outgroup}، يعامل بعضنا بعضًا بالتساوي.",
            },
        },
        {
            "id": "cqual_3",
            "format": "likert5",
            "reverse": False,
            "text": {
                "en": "When I spend time with {outgroup}, we cooperate rather than compete.",
                "es": "Cuando paso tiempo con {outgroup}, colaboramos en lugar de competir.",
                "fr": "Quand je passe du temps avec {outgroup}, nous coopérons plutôt que de "
                "rivaliser.",
                "ar": "عندما أقضي وقتًا مع {outgroup}، نتعاون بدلًا من أن نتنافس.",
            },
            "anchors": AGREE5,
            "child_text": {
                "en": "When I am with {outgroup}, we help each other.",
                "es": "Cuando estoy con {outgroup}, nos ayudamos.",
                "fr": "Quand je suis avec {outgroup}, on s'entraide.",
                "ar": "عندما أكون مع {outgroup}، نساعد بعضنا بعضًا.",
            },
        },
        {
            "id": "cqual_4",
            "format": "likert5",
            "reverse": True,
            "text": {
                "en": "My contact with {outgroup} stays superficial.",
                "es": "Mi contacto con {outgroup} se queda en lo superficial.",
                "fr": "Mes contacts avec {outgroup} restent superficiels.",
                "ar": "يبقى تواصلي مع {outgroup} سطحيًا.",
            },
            "anchors": AGREE5,
            "child_text": {
                "en": "When I am with {outgroup}, we talk about things that really matter.",
                "es": "Cuando estoy con {outgroup}, hablamos de cosas que de verdad importan.",
                "fr": "Quand je suis avec {outgroup}, on parle de choses qui comptent vraiment.",
                "ar": "عندما أكون مع {outgroup}، نتحدث عن أمور تهمّنا حقًا.",
            },
            "child_flip": True,
        },
    ],
}
