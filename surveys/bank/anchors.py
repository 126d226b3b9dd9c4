"""Response labels shared by several scales, per language, from the lowest value to the highest."""

AGREE5: dict[str, list[str]] = {
    "en": [
        "Strongly disagree",
        "Disagree",
        "Neither agree nor disagree",
        "Agree",
        "Strongly agree",
    ],
    "es": [
        "Totalmente en desacuerdo",
        "En desacuerdo",
        "Ni de acuerdo ni en desacuerdo",
        "De acuerdo",
        "Totalmente de acuerdo",
    ],
    "fr": [
        "Pas du tout d'accord",
        "Pas d'accord",
        "Ni d'accord ni pas d'accord",
        "D'accord",
        "Tout à fait d'accord",
    ],
    "ar": ["أعارض بشدة", "أعارض", "لا أوافق ولا أعارض", "أوافق", "أوافق بشدة"],
}

AGREE7: dict[str, list[str]] = {
    "en": [
        "Strongly disagree",
        "Disagree",
        "Somewhat disagree",
        "Neither agree nor disagree",
        "Somewhat agree",
        "Agree",
        "Strongly agree",
    ],
    "es": [
        "Totalmente en desacuerdo",
        "En desacuerdo",
        "Algo en desacuerdo",
        "Ni de acuerdo ni en desacuerdo",
        "Algo de acuerdo",
        "De acuerdo",
        "Totalmente de acuerdo",
    ],
    "fr": [
        "Pas du tout d'accord",
        "Pas d'accord",
        "Plutôt pas d'accord",
        "Ni d'accord ni pas d'accord",
        "Plutôt d'accord",
        "D'accord",
        "Tout à fait d'accord",
    ],
    "ar": [
        "أعارض بشدة",
        "أعارض",
        "أعارض إلى حدٍّ ما",
        "لا أوافق ولا أعارض",
        "أوافق إلى حدٍّ ما",
        "أوافق",
        "أوافق بشدة",
    ],
}

FREQUENCY5: dict[str, list[str]] = {
    "en": ["Never", "Rarely", "Sometimes", "Often", "Very often"],
    "es": ["Nunca", "Rara vez", "A veces", "A menudo", "Muy a menudo"],
    "fr": ["Jamais", "Rarement", "Parfois", "Souvent", "Très souvent"],
    "ar": ["أبدًا", "نادرًا", "أحيانًا", "كثيرًا", "كثيرًا جدًا"],
}

YESNO: dict[str, list[str]] = {
    "en": ["No", "Yes"],
    "es": ["No", "Sí"],
    "fr": ["Non", "Oui"],
    "ar": ["لا", "نعم"],
}

# Ends of a 0-100 feeling thermometer (the question text explains the midpoint).
THERMOMETER_ENDS: dict[str, list[str]] = {
    "en": ["Very cold, unfavourable", "Very warm, favourable"],
    "es": ["Muy fríos, desfavorables", "Muy cálidos, favorables"],
    "fr": ["Très froids, défavorables", "Très chaleureux, favorables"],
    "ar": ["باردة جدًا وسلبية", "دافئة جدًا وإيجابية"],
}

# Default ends of a 0-10 scale for organizer items that give none.
SCALE0_10_ENDS: dict[str, list[str]] = {
    "en": ["Not at all", "Completely"],
    "es": ["Nada en absoluto", "Completamente"],
    "fr": ["Pas du tout", "Complètement"],
    "ar": ["لا على الإطلاق", "تمامًا"],
}

# Child-friendly mode: five faces, from frowning (1) to beaming (5).  Child wordings are
# statements framed so that "Yes, a lot" is the end that is good for intergroup relations.
CHILD_AGREE5: dict[str, list[str]] = {
    "en": ["No, not at all", "Not really", "Maybe", "Yes, a bit", "Yes, a lot"],
    "es": ["No, para nada", "No mucho", "Quizás", "Sí, un poco", "Sí, mucho"],
    "fr": ["Non, pas du tout", "Pas vraiment", "Peut-être", "Oui, un peu", "Oui, beaucoup"],
    "ar": ["لا، أبدًا", "ليس كثيرًا", "ربما", "نعم، قليلًا", "نعم، كثيرًا"],
}

CHILD_FREQUENCY5: dict[str, list[str]] = {
    "en": ["Never", "Not often", "Sometimes", "Often", "Very often"],
    "es": ["Nunca", "Pocas veces", "A veces", "Muchas veces", "Muchísimas veces"],
    "fr": ["Jamais", "Pas souvent", "Parfois", "Souvent", "Très souvent"],
    "ar": ["أبدًا", "ليس كثيرًا", "أحيانًا", "كثيرًا", "كثيرًا جدًا"],
}
