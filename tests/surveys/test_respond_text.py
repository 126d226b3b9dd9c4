"""The participant pages' own catalogue: every text in all four languages, same placeholders."""

import string

from surveys import respond_text
from surveys.instruments import LANGUAGES


def _fields(text):
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_text_is_in_every_language_with_the_same_placeholders():
    for key, texts in respond_text.TEXT.items():
        assert set(texts) == set(LANGUAGES), key
        assert all(texts[lang].strip() for lang in LANGUAGES), key
        assert len({frozenset(_fields(texts[lang])) for lang in LANGUAGES}) == 1, key


def test_language_choice_and_direction():
    assert respond_text.pick_language("xx", None, "AR") == "ar"
    assert respond_text.pick_language(None) == "en"
    assert respond_text.accept_language("de-DE,fr;q=0.8,es;q=0.9") == "es"
    assert respond_text.accept_language("de") is None
    assert respond_text.direction("ar") == "rtl" and respond_text.direction("fr") == "ltr"
    assert respond_text.t("page_of", "fr", page=2, pages=5) == "Page 2 sur 5"
