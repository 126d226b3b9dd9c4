"""Self-generated identification codes: how an anonymous survey links a person's pre and post.

The respondent answers four stable prompts that they, and nobody else in the room, always know
the same way (after Yurek et al. 2008, *Evaluation Review* 32(5); Direnga et al. 2016):

1. ``mother`` — the first letter of their mother's first name (or of whoever raised them);
2. ``day`` — the day of the month they were born (1-31);
3. ``siblings`` — how many older brothers and sisters they have (0-9; 9 means "9 or more");
4. ``birthplace`` — the first letter of the town or city where they were born.

The code is ``<mother><day, 2 digits><siblings><birthplace>``, e.g. ``M072L``. Only the code is
stored (``response.anon_code``), never the answers to the prompts, a name or a date of birth.

Matching rule: two responses of the same survey belong to one person when their codes are equal
after normalisation. Normalisation makes the letters tolerant of how they were typed: Unicode
NFKD, accents and other combining marks removed, case folded (so "é", "E" and "e" are the same,
and "Ñ" matches "N"); in Arabic script the hamza and madda forms of alif (أ إ آ ٱ) become ا, ة
becomes ه and ى becomes ي. Only the first letter of each answer counts, so "María" and "m" agree.
The day drops leading zeros ("07" = 7), the sibling count caps at 9. A letter written in another
script in another wave (Arabic in the pre wave, Latin in the post wave) does not match: the
prompts ask to answer "as you would write it" and the page keeps the chosen language per wave.
Within one wave a code is unique (a database constraint); a second person who happens to produce
the same code is told so and asked to check, never shown the first person's answers.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

PROMPTS = ("mother", "day", "siblings", "birthplace")
MAX_SIBLINGS = 9
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي"})


class CodeError(ValueError):
    """A prompt answer that cannot make a code; `prompt` names which one."""

    def __init__(self, prompt: str, message: str) -> None:
        super().__init__(message)
        self.prompt = prompt


@dataclass(frozen=True)
class CodeAnswers:
    mother: str
    day: str
    siblings: str
    birthplace: str

    @classmethod
    def of(cls, data: Mapping[str, object]) -> CodeAnswers:
        return cls(**{name: str(data.get(name, "") or "") for name in PROMPTS})


def first_letter(text: str) -> str:
    """The first letter of `text`, without accents, case-folded; '' if there is none."""
    decomposed = unicodedata.normalize("NFKD", text.strip())
    for char in decomposed:
        if unicodedata.combining(char):
            continue
        if char.isalpha():
            folded = unicodedata.normalize("NFKC", char).casefold()
            return folded.translate(_ARABIC_FOLD)[:1].upper()
    return ""


def _number(text: str, prompt: str, low: int, high: int | None) -> int:
    digits = unicodedata.normalize("NFKC", text).strip()
    # Eastern Arabic digits are decimal digits too: int() reads them.
    try:
        value = int(digits)
    except ValueError:
        raise CodeError(prompt, f"{prompt}: write a number") from None
    if value < low or (high is not None and value > high):
        raise CodeError(prompt, f"{prompt}: out of range")
    return value


def make_code(answers: CodeAnswers) -> str:
    """The normalised code from the four prompt answers; CodeError naming a bad answer."""
    mother = first_letter(answers.mother)
    if not mother:
        raise CodeError("mother", "mother: write a letter")
    birthplace = first_letter(answers.birthplace)
    if not birthplace:
        raise CodeError("birthplace", "birthplace: write a letter")
    day = _number(answers.day, "day", 1, 31)
    siblings = min(_number(answers.siblings, "siblings", 0, None), MAX_SIBLINGS)
    return f"{mother}{day:02d}{siblings}{birthplace}"


def normalise_code(code: str) -> str:
    """A code typed or imported by hand, in stored form (e.g. from a Kobo export)."""
    text = "".join(code.split())
    if len(text) < 5:
        return text.upper()
    return f"{first_letter(text[0])}{text[1:3]}{text[3]}{first_letter(text[4:])}"
