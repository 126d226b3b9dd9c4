"""The instrument bank: complete translations, sound coding, and a cohesion index that adds up."""

import math
import re

import pytest

from surveys import instruments
from surveys.instruments import (
    COHESION_ITEMS,
    LANGUAGES,
    OUTGROUP,
    RESPONDENT_GROUPS,
    RTL_LANGUAGES,
    bank,
    child_presentation,
    cohesion_index,
    custom_item,
    favourable_0_1,
    item,
    missing_translations,
    outgroup_term,
    render_anchors,
    render_text,
    rescale_0_1,
    scale_score,
    smiley_to_value,
)

ALL_ITEMS = [one for scale in bank().values() for one in scale.items]
ITEM_IDS = [one.id for one in ALL_ITEMS]
ARABIC_LETTER = re.compile(r"[\u0600-\u06ff]")
LATIN_LETTER = re.compile(r"[A-Za-z]")


def best(one_id: str) -> float:
    """The answer that is most favourable for intergroup relations."""
    one = item(one_id)
    return one.max_value if favourable_0_1(one, one.max_value) == 1.0 else one.min_value


def worst(one_id: str) -> float:
    one = item(one_id)
    return one.min_value if best(one_id) == one.max_value else one.max_value


def midpoint(one_id: str) -> float:
    one = item(one_id)
    return (one.min_value + one.max_value) / 2


# --- the bank as data ---------------------------------------------------------------------


def test_the_bank_offers_the_scales_of_the_product_brief():
    assert list(bank()) == [
        "thermometer",
        "anxiety",
        "trust",
        "social_distance",
        "contact_quantity",
        "contact_quality",
        "belonging",
        "threat",
    ]


def test_item_ids_are_unique_across_the_bank():
    assert len(ITEM_IDS) == len(set(ITEM_IDS))


def test_every_scale_cites_its_source_with_a_year():
    for scale in bank().values():
        assert re.search(r"\((19|20)\d\d\)", scale.source), scale.id
        assert "own words" in scale.source or "own" in scale.source, scale.id


def test_nothing_in_the_bank_is_missing_a_translation():
    for scale in bank().values():
        assert missing_translations(scale) == [], scale.id
        assert set(scale.name) == set(LANGUAGES)
        assert set(scale.description) == set(LANGUAGES)


@pytest.mark.parametrize("item_id", ITEM_IDS)
def test_every_item_has_text_and_anchors_in_all_four_languages(item_id):
    one = item(item_id)
    assert set(one.text) == set(LANGUAGES)
    assert set(one.anchors) == set(LANGUAGES)
    assert one.child_text is not None and set(one.child_text) == set(LANGUAGES)
    assert missing_translations(item_id) == []


@pytest.mark.parametrize("item_id", ITEM_IDS)
def test_translations_are_in_their_own_script_and_not_copies_of_english(item_id):
    one = item(item_id)
    for texts in (one.text, one.child_text or {}):
        arabic = texts["ar"].replace(OUTGROUP, "")
        assert ARABIC_LETTER.search(arabic) and not LATIN_LETTER.search(arabic)
        assert texts["es"] != texts["en"] and texts["fr"] != texts["en"]


@pytest.mark.parametrize("item_id", ITEM_IDS)
def test_anchor_count_matches_the_format(item_id):
    one = item(item_id)
    expected = {"likert5": 5, "likert7": 7, "thermometer": 2, "scale0_10": 2, "yesno": 2}
    for lang in LANGUAGES:
        assert len(one.anchors[lang]) == expected[one.format]
        assert all(label.strip() for label in one.anchors[lang])


def test_anxiety_has_reverse_coded_items_and_threat_counts_higher_as_worse():
    anxiety, threat = bank()["anxiety"], bank()["threat"]
    assert any(one.reverse for one in anxiety.items)
    assert any(not one.reverse for one in anxiety.items)
    assert not anxiety.higher_is_better and not threat.higher_is_better


def test_the_bank_cannot_be_changed_by_a_caller():
    scales = bank()
    scales.pop("trust")
    assert "trust" in bank()
    with pytest.raises(ValueError):
        item("trust_1").reverse = True  # type: ignore[misc]


def test_an_unknown_item_id_is_a_key_error():
    with pytest.raises(KeyError, match="no_such_item"):
        item("no_such_item")


# --- the other group ----------------------------------------------------------------------


def test_items_about_the_other_group_carry_the_placeholder_in_every_language():
    for scale in bank().values():
        for one in scale.items:
            for texts in (one.text, one.child_text or {}):
                for lang, text in texts.items():
                    assert (OUTGROUP in text) == scale.about_outgroup, (one.id, lang)


@pytest.mark.parametrize("item_id", ITEM_IDS)
def test_the_placeholder_never_opens_a_sentence(item_id):
    one = item(item_id)
    for texts in (one.text, one.child_text or {}):
        for text in texts.values():
            assert not re.search(r"(^|[.?!¿¡؟]\s*)\{outgroup\}", text)


@pytest.mark.parametrize("group", RESPONDENT_GROUPS)
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("child", [False, True])
def test_every_item_renders_without_leftover_braces(group, lang, child):
    term = outgroup_term(group, lang)
    for one in ALL_ITEMS:
        text, fell_back = render_text(one, lang, group, child=child)
        assert "{" not in text and "}" not in text
        assert not fell_back
        assert (term in text) == one.mentions_outgroup


def test_a_migrant_is_asked_about_people_born_here_and_a_local_about_migrants():
    assert outgroup_term("migrant", "en") == "people born here"
    assert outgroup_term("migrant", "es") == "las personas nacidas aquí"
    assert outgroup_term("host", "en") == "people who moved here from other countries"
    text, _ = render_text("trust_1", "es", "migrant")
    assert text == "En general, confío en las personas nacidas aquí."
    text, _ = render_text("trust_2", "fr", "host")
    assert text == "Je pense que les personnes arrivées d'autres pays tiennent leurs promesses."
    text, _ = render_text("anx_1", "ar", "migrant")
    assert text == "سأشعر بالتوتر إذا تحدثت مع الأشخاص الذين وُلدوا هنا."


def test_others_get_a_neutral_term_in_every_language():
    for lang in LANGUAGES:
        assert outgroup_term("other", lang) not in {
            outgroup_term("migrant", lang),
            outgroup_term("host", lang),
        }


def test_an_organizer_can_name_the_other_group_per_language():
    custom = {"host": {"en": "Ukrainian newcomers", "es": "los recién llegados de Ucrania"}}
    text, _ = render_text("trust_4", "es", "host", custom_terms=custom)
    assert text == "Si necesitara ayuda, podría contar con los recién llegados de Ucrania."
    # A language the organizer left out keeps the default term of that language.
    assert outgroup_term("host", "fr", custom) == "les personnes arrivées d'autres pays"
    assert outgroup_term("migrant", "en", custom) == "people born here"
    with pytest.raises(ValueError, match="braces"):
        outgroup_term("host", "en", {"host": {"en": "{people}"}})


def test_unknown_languages_and_groups_are_refused():
    with pytest.raises(ValueError, match="language"):
        render_text("trust_1", "de", "host")
    with pytest.raises(ValueError, match="respondent group"):
        outgroup_term("tourist", "en")


def test_arabic_is_the_right_to_left_language():
    assert set(RTL_LANGUAGES) == {"ar"}


# --- coding and scores --------------------------------------------------------------------


def test_rescaling_applies_reverse_coding():
    assert item("anx_2").reverse
    assert rescale_0_1("anx_2", 1) == 1.0
    assert rescale_0_1("anx_2", 5) == 0.0
    assert rescale_0_1("anx_1", 5) == 1.0
    assert rescale_0_1("therm_1", 25) == 0.25
    assert rescale_0_1("sd_1", 1) == 1.0
    assert rescale_0_1("cquan_3", 5) == 0.5


def test_out_of_range_answers_are_refused():
    with pytest.raises(ValueError, match="outside"):
        rescale_0_1("anx_1", 6)
    with pytest.raises(ValueError, match="outside"):
        rescale_0_1("therm_1", -1)


def test_favourable_direction_flips_scales_where_higher_is_worse():
    assert favourable_0_1("anx_1", 1) == 1.0  # no nerves at all
    assert favourable_0_1("anx_2", 5) == 1.0  # fully at ease (reverse-coded)
    assert favourable_0_1("threat_1", 1) == 1.0
    assert favourable_0_1("threat_5", 5) == 1.0  # enriches cultural life (reverse-coded)
    assert favourable_0_1("trust_1", 5) == 1.0


def test_social_distance_score_is_the_share_of_steps_accepted():
    answers = {"sd_1": 1, "sd_2": 1, "sd_3": 1, "sd_4": 0, "sd_5": 0}
    assert scale_score("social_distance", answers) == pytest.approx(60.0)


def test_scale_score_needs_half_of_the_items():
    assert scale_score("trust", {"trust_1": 5}) is None
    assert scale_score("trust", {"trust_1": 5, "trust_3": 1}) == pytest.approx(100.0)


def test_cohesion_index_runs_from_0_to_100():
    assert cohesion_index({i: best(i) for i in COHESION_ITEMS}) == pytest.approx(100.0)
    assert cohesion_index({i: worst(i) for i in COHESION_ITEMS}) == pytest.approx(0.0)
    assert cohesion_index({i: midpoint(i) for i in COHESION_ITEMS}) == pytest.approx(50.0)


def test_cohesion_index_reverse_codes_anxiety_and_threat():
    answers = {i: best(i) for i in COHESION_ITEMS}
    assert answers["therm_1"] == 100
    assert answers["anx_1"] == 1 and answers["anx_2"] == 5
    assert answers["trust_3"] == 1 and answers["threat_1"] == 1
    assert answers["sd_2"] == 1 and answers["bel_1"] == 5


def test_cohesion_index_needs_half_of_its_items():
    answered = {i: best(i) for i in COHESION_ITEMS[:6]}
    assert cohesion_index(answered) == pytest.approx(100.0)
    del answered[COHESION_ITEMS[0]]
    assert cohesion_index(answered) is None
    assert cohesion_index({}) is None


def test_cohesion_index_treats_none_and_nan_as_unanswered_and_ignores_other_items():
    answers: dict[str, float | None] = {i: worst(i) for i in COHESION_ITEMS}
    answers["therm_1"] = None
    answers["anx_1"] = math.nan
    answers["cquan_1"] = 5
    assert cohesion_index(answers) == pytest.approx(0.0)


# --- child-friendly mode ------------------------------------------------------------------


def test_child_mode_shows_five_smileys_and_simpler_words():
    shown = child_presentation("anx_2", "en", "host")
    assert shown.format == "smiley5"
    assert shown.simplified and not shown.fell_back_to_english
    assert shown.text == (
        "I would feel good spending time with people who moved here from other countries."
    )
    assert len(shown.anchors) == 5
    assert shown.values == (1, 2, 3, 4, 5)


def test_child_wording_that_turns_the_question_around_stores_the_answer_turned_back():
    shown = child_presentation("anx_1", "es", "migrant")
    assert shown.text == "Hablar con las personas nacidas aquí me resultaría fácil."
    assert shown.values == (5, 4, 3, 2, 1)
    assert smiley_to_value("anx_1", 5, "es") == 1  # "yes, a lot, easy" = not nervous


def test_child_faces_map_onto_the_items_own_range():
    assert child_presentation("therm_1", "fr", "host").values == (0, 25, 50, 75, 100)
    assert child_presentation("cquan_3", "ar", "host").values == (0, 2.5, 5, 7.5, 10)
    yes_no = child_presentation("sd_4", "ar", "migrant")
    assert yes_no.format == "yesno" and yes_no.values == (0, 1)
    assert yes_no.anchors == ("لا", "نعم")


@pytest.mark.parametrize("item_id", ITEM_IDS)
def test_the_happiest_face_is_always_the_favourable_answer(item_id):
    for lang in LANGUAGES:
        top = child_presentation(item_id, lang, "other").values[-1]
        assert favourable_0_1(item_id, top) == 1.0


def test_child_mode_falls_back_to_the_normal_text_of_an_item_without_child_wording():
    thermometer = custom_item(
        "org_warmth",
        "thermometer",
        "thermometer",
        {"en": "How warm do you feel towards {outgroup}?", "es": "¿Qué siente hacia {outgroup}?"},
    )
    shown = child_presentation(thermometer, "es", "migrant")
    assert shown.format == "smiley5" and not shown.simplified
    assert shown.text == "¿Qué siente hacia las personas nacidas aquí?"
    assert shown.anchors == ("Muy fríos, desfavorables", "", "", "", "Muy cálidos, favorables")
    assert shown.values == (0, 25, 50, 75, 100)


# --- organizer items ----------------------------------------------------------------------


def test_an_organizer_item_with_only_english_falls_back_visibly():
    own = custom_item("org_q1", "garden", "likert5", {"en": "I enjoy the garden."}, None, False)
    assert own.custom and own.anchors["es"][0] == "Totalmente en desacuerdo"
    assert render_text(own, "en", "host") == ("I enjoy the garden.", False)
    assert render_text(own, "es", "host") == ("I enjoy the garden.", True)
    assert child_presentation(own, "ar", "host").fell_back_to_english
    assert missing_translations(own) == [
        ("org_q1", "es", "text"),
        ("org_q1", "fr", "text"),
        ("org_q1", "ar", "text"),
    ]


def test_an_organizer_item_uses_the_other_group_placeholder_like_the_bank():
    own = custom_item(
        "org_q2",
        "garden",
        "yesno",
        {"en": "Did you cook with {outgroup}?", "fr": "Avez-vous cuisiné avec {outgroup}\u00a0?"},
        {"en": ["No", "Yes"], "fr": ["Non", "Oui"]},
        False,
    )
    text, fell_back = render_text(own, "fr", "migrant")
    assert text == "Avez-vous cuisiné avec les personnes nées ici\u00a0?" and not fell_back
    assert render_anchors(own, "ar") == (("No", "Yes"), True)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"format": "likert4"}, "unknown format 'likert4'"),
        ({"text": {"es": "Hola"}}, "English is required"),
        ({"text": {"en": "  "}}, "English text is empty"),
        ({"anchors": {"en": ["No", "Maybe", "Yes"]}}, "expected 5 labels, got 3"),
        ({"format": "yesno", "anchors": {"en": ["a", "b", "c"]}}, "expected 2 labels, got 3"),
        ({"text": {"en": "I like {others}."}}, "only the placeholder {outgroup}"),
        ({"text": {"en": "I like {outgroup}.", "es": "Me gusta."}}, "not in es"),
        ({"text": {"en": "Hi", "de": "Hallo"}}, "unknown language 'de'"),
        ({"id": "anx_1"}, "already used by the instrument bank"),
        ({"id": "bad id!"}, "letters, digits"),
    ],
)
def test_organizer_items_are_validated_with_a_clear_message(kwargs, message):
    fields = {"id": "org_q3", "scale": "garden", "format": "likert5", "text": {"en": "Fine."}}
    with pytest.raises(ValueError, match=re.escape(message)):
        custom_item(**{**fields, **kwargs})


def test_module_constants_describe_the_four_languages():
    assert instruments.LANGUAGES == ("en", "es", "fr", "ar")
    assert len(COHESION_ITEMS) == len(set(COHESION_ITEMS)) == 11
    assert all(one_id in ITEM_IDS for one_id in COHESION_ITEMS)
