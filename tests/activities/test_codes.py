"""Stories for pseudonymous participant codes: short, unguessable, unique, hard to misread."""

import pytest

from activities.codes import (
    CODE_ALPHABET,
    CODE_LENGTH,
    format_code,
    generate_code,
    is_valid_code,
    normalise_code,
)

CONFUSABLE = "0O1IL5S2Z8B"


def test_the_alphabet_has_no_characters_people_confuse() -> None:
    assert not set(CONFUSABLE) & set(CODE_ALPHABET)
    assert len(set(CODE_ALPHABET)) == len(CODE_ALPHABET) == 25
    assert CODE_ALPHABET.isupper()


def test_generated_codes_use_the_alphabet_and_are_valid() -> None:
    for _ in range(200):
        code = generate_code([])
        assert len(code) == CODE_LENGTH
        assert set(code) <= set(CODE_ALPHABET)
        assert is_valid_code(code)


def test_generated_codes_never_repeat_an_existing_code() -> None:
    existing: set[str] = set()
    for _ in range(2_000):
        code = generate_code(existing, length=3)
        assert code not in existing
        existing.add(code)


def test_the_last_free_code_is_found_and_then_the_space_is_exhausted() -> None:
    every_code = {a + b for a in CODE_ALPHABET for b in CODE_ALPHABET}
    last = "XY"
    assert generate_code(every_code - {last}, length=2) == last
    with pytest.raises(RuntimeError):
        generate_code(every_code, length=2)


def test_existing_codes_are_compared_in_their_normal_form() -> None:
    every_code = {f"{a}-{b}".lower() for a in CODE_ALPHABET for b in CODE_ALPHABET}
    with pytest.raises(RuntimeError):
        generate_code(every_code, length=2)


def test_a_code_is_accepted_however_it_is_typed() -> None:
    for typed in ("k7m-4pq", "K7M 4PQ", " K7M4PQ ", "k7m–4pq", "K7M.4PQ", "Ｋ７Ｍ４ＰＱ"):
        assert normalise_code(typed) == "K7M4PQ"
        assert is_valid_code(typed)


def test_look_alikes_make_a_code_invalid_rather_than_someone_elses() -> None:
    assert not is_valid_code("K7M-4P0")  # zero: no O or 0 in any code
    assert not is_valid_code("K1M-4PQ")
    assert not is_valid_code("K7M-4PQX")  # too long
    assert not is_valid_code("")


def test_codes_display_in_two_halves() -> None:
    assert format_code("K7M4PQ") == "K7M-4PQ"
    assert format_code("k7m-4pq") == "K7M-4PQ"
    assert format_code("K7M") == "K7M"
