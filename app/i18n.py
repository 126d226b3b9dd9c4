"""Gettext translations (Babel catalogues in app/locale) and the request's language."""

from functools import lru_cache
from pathlib import Path

from babel.support import NullTranslations, Translations
from starlette.requests import Request

LOCALE_DIR = Path(__file__).parent / "locale"
STAFF_LANGUAGES = {"en": "English", "es": "Español"}


@lru_cache
def translations(lang: str) -> NullTranslations:
    if lang == "en":
        return NullTranslations()
    return Translations.load(str(LOCALE_DIR), [lang], domain="messages")


def gettext(lang: str, message: str) -> str:
    return translations(lang).gettext(message)


def _(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


def request_language(request: Request, default: str) -> str:
    """The signed-in user's choice, else the session's, else the browser's, else the default."""
    chosen = getattr(request.state, "lang", None) or request.scope.get("session", {}).get("lang")
    if chosen in STAFF_LANGUAGES:
        return str(chosen)
    header = request.headers.get("accept-language", "")
    for part in header.split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in STAFF_LANGUAGES:
            return code
    return default
