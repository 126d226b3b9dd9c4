"""What ``{outgroup}`` becomes, by the respondent's own group and the survey language.

Every term is a plural noun phrase; in Spanish, French and Arabic it carries the definite
article, because item sentences place it after "con / avec / مع", after "que / أنّ" as a plural
subject, or as the second term of an Arabic construct ("أحد ..."). The Arabic terms use a relative
clause ("الذين ...") so that their written form is the same in every grammatical case.
"""

OUTGROUP_TERMS: dict[str, dict[str, str]] = {
    # A migrant respondent is asked about the host community ...
    "migrant": {
        "en": "people born here",
        "es": "las personas nacidas aquí",
        "fr": "les personnes nées ici",
        "ar": "الأشخاص الذين وُلدوا هنا",
    },
    # ... a host-community respondent about people who migrated ...
    "host": {
        "en": "people who moved here from other countries",
        "es": "las personas que han llegado de otros países",
        "fr": "les personnes arrivées d'autres pays",
        "ar": "الأشخاص الذين انتقلوا إلى هنا من بلدان أخرى",
    },
    # ... and anyone else about people unlike themselves, without a form of address.
    "other": {
        "en": "people from other backgrounds",
        "es": "las personas de otros orígenes",
        "fr": "les personnes d'autres origines",
        "ar": "الأشخاص الذين ينتمون إلى خلفيات أخرى",
    },
}
