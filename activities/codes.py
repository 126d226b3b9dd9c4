"""Pseudonymous participant codes.

A participant's code is their identity everywhere in Encuentro (groups, attendance, surveys,
exports), so it has to survive being read aloud, handwritten on an attendance sheet, typed on a
phone and printed under a QR code.

Alphabet. `CODE_ALPHABET` has 25 characters: the digits 3 4 6 7 9 and the letters
A C D E F G H J K M N P Q R T U V W X Y. Both members of every commonly confused pair are left out -
0/O, 1/I/L, 5/S, 2/Z, 8/B - rather than keeping one and mapping the other onto it. A misread
character therefore makes a code *invalid* (and the person is asked again) instead of silently
turning it into someone else's valid code. For the same reason `normalise_code` maps no
look-alikes: there is nothing left to map them to.

Length and format. Codes are 6 characters (25**6, about 244 million codes per organization), stored
and compared without separators ("K7M4PQ") and displayed as two groups of three joined by a hyphen
("K7M-4PQ", see `format_code`). The hyphen is optional on input: `normalise_code` upper-cases and
drops spaces, hyphens, dashes, dots and underscores, so "k7m 4pq", "K7M-4PQ" and "k7m4pq" are the
same code.

Randomness. `generate_code` draws every character with `secrets` so codes are unguessable and say
nothing about when or in which order people were registered.
"""

from __future__ import annotations

import itertools
import re
import secrets
import unicodedata
from collections.abc import Collection

CODE_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
CODE_LENGTH = 6
# Random draws before falling back to listing the free codes; with fewer than half the space used a
# draw fails with probability < 1/2, so 64 failures in a row only happen in a nearly full space.
RANDOM_ATTEMPTS = 64
# Spaces up to this size may be enumerated to find the last free codes (only short test codes).
ENUMERABLE_SPACE = 100_000

_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212._]+")
_ALPHABET_SET = frozenset(CODE_ALPHABET)


def normalise_code(text: str) -> str:
    """`text` as a stored code: NFKC, upper case, no spaces, hyphens, dots or underscores."""
    folded = unicodedata.normalize("NFKC", text).upper()
    return _SEPARATORS.sub("", folded)


def is_valid_code(text: str, *, length: int = CODE_LENGTH) -> bool:
    """True when `text`, once normalised, is `length` characters of `CODE_ALPHABET`."""
    code = normalise_code(text)
    return len(code) == length and all(char in _ALPHABET_SET for char in code)


def format_code(code: str) -> str:
    """Display form of a code: "K7M4PQ" -> "K7M-4PQ" (odd lengths put the extra character first)."""
    code = normalise_code(code)
    middle = (len(code) + 1) // 2
    return f"{code[:middle]}-{code[middle:]}" if len(code) > 3 else code


def generate_code(existing: Collection[str], *, length: int = CODE_LENGTH) -> str:
    """A new random code not in `existing`; RuntimeError when every code of `length` is taken."""
    if length < 1:
        raise ValueError("length must be at least 1")
    taken = {normalise_code(code) for code in existing}
    space = len(CODE_ALPHABET) ** length
    if sum(1 for code in taken if is_valid_code(code, length=length)) >= space:
        raise RuntimeError(f"all {space} participant codes of length {length} are in use")
    for _ in range(RANDOM_ATTEMPTS):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
        if code not in taken:
            return code
    if space <= ENUMERABLE_SPACE:
        free = [
            code
            for code in (
                "".join(chars) for chars in itertools.product(CODE_ALPHABET, repeat=length)
            )
            if code not in taken
        ]
        return secrets.choice(free)
    raise RuntimeError(
        f"could not find a free participant code of length {length}; use longer codes"
    )
