"""Intergroup anxiety: unease expected when meeting the other group."""

from typing import Any

from surveys.bank.anchors import AGREE5

SCALE: dict[str, Any] = {
    "id": "anxiety",
    "name": {
        "en": "Intergroup anxiety",
        "es": "Ansiedad intergrupal",
        "fr": "Anxiété intergroupe",
        "ar": "القلق بين المجموعات",
    },
    "description": {
        "en": (
            "Unease the respondent expects when meeting members of the other group; "
            "higher means more anxiety."
        ),
        "es": (
            "Inquietud que la persona anticipa al tratar con miembros del otro grupo; "
            "un valor más alto indica más ansiedad."
        ),
        "fr": (
            "Malaise anticipé lors de rencontres avec des membres de l'autre groupe\u00a0; "
            "un score plus élevé indique plus d'anxiété."
        ),
        "ar": (
            "الانزعاج الذي يتوقعه المشارك عند التعامل مع أفراد المجموعة الأخرى؛ "
            "الدرجة الأعلى تعني قلقًا أكبر."
        ),
    },
    "source": (
        "Stephan, W. G., & Stephan, C. W. (1985). Intergroup anxiety. Journal of Social "
        "Issues, 41(3), 157-175. Items paraphrased in Encuentro's own words."
    ),
    "higher_is_better": False,
    "about_outgroup": True,
    "items": [
        {
            "id": "anx_1",
            "format": "likert5",
            "reverse": False,
            "text": {
                "en": "Talking with {outgroup} would make me nervous.",
                "es": "Me daría nervios hablar con {outgroup}.",
                "fr": "Je ressentirais de la nervosité en parlant avec {outgroup}.",
                "ar": "سأشعر بالتوتر إذا تحدثت مع {outgroup}.",
            },
            "anchors": AGREE5,
            "child_text": {
                "en": "Talking with {outgroup} would be easy for me.",
                "es": "Hablar con {outgroup} me resultaría fácil.",
                "fr": "Parler avec {outgroup} serait facile pour moi.",
                "ar": "سيكون الحديث مع {outgroup} سهلًا بالنسبة إليّ.",
            },
            "child_flip": True,
        },
        {
            "id": "anx_2",
            "format": "likert5",
            "reverse": True,
            "text": {
                "en": "I would feel at ease spending time with {outgroup}.",
                "es": "Me sentiría a gusto pasando tiempo con {outgroup}.",
                "fr": "Je me sentirais à l'aise en passant du temps avec {outgroup}.",
                "ar": "سأشعر بالارتياح عند قضاء الوقت مع {outgroup}.",
            },
            "anchors": AGREE5,
            "child_text": {
                "en": "I would feel good spending time with {outgroup}.",
                "es": "Me sentiría bien pasando tiempo con {outgroup}.",
                "fr": "Je me sentirais bien en passant du temps avec {outgroup}.",
                "ar": "سأشعر بالراحة عندما أقضي وقتًا مع {outgroup}.",
            },
        },
        {
            "id": "anx_3",
            "format": "likert5",
            "reverse": False,
            "text": {
                "en": "I would worry about saying or doing the wrong thing in front of {outgroup}.",
                "es": "Me preocuparía decir o hacer algo inapropiado delante de {outgroup}.",
                "fr": (
                    "J'aurais peur de dire ou de faire quelque chose de déplacé devant {outgroup}."
                ),
                "ar": "سأخشى أن أقول أو أفعل شيئًا غير لائق أمام {outgroup}.",
            },
            "anchors": AGREE5,
            "child_text": {
                "en": "I would know what to say and do with {outgroup}.",
                "es": "Sabría qué decir y qué hacer con {outgroup}.",
                "fr": "Je saurais quoi dire et quoi faire avec {outgroup}.",
                "ar": "سأعرف ماذا أقول وماذا أفعل مع {outgroup}.",
            },
            "child_flip": True,
        },
        {
            "id": "anx_4",
            "format": "likert5",
            "reverse": True,
            "text": {
                "en": "I could be myself around {outgroup}.",
                "es": "Podría mostrarme tal como soy ante {outgroup}.",
                "fr": "Je pourrais être moi-même avec {outgroup}.",
                "ar": "يمكنني أن أكون على طبيعتي مع {outgroup}.",
            },
            "anchors": AGREE5,
            "child_text": {
                "en": "I could be myself with {outgroup}.",
                "es": "Podría ser como soy con {outgroup}.",
                "fr": "Je pourrais être moi-même avec {outgroup}.",
                "ar": "أستطيع أن أكون على طبيعتي مع {outgroup}.",
            },
        },
    ],
}
