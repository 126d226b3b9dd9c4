"""Participant import from CSV and XLSX: read, validate every row, and say what confirming would do.

This module is pure: it reads bytes and returns a preview. Nothing is written anywhere; the service
writes the rows of a preview only after the organizer confirms it, and only if `preview.ok`.

Columns. Header names are matched without regard to case, accents, spaces, hyphens, underscores or a
trailing hint in parentheses; English and Spanish names are accepted (see `COLUMN_ALIASES`).

- code (optional): an existing pseudonymous participant code, e.g. "K7M-4PQ".
- name, phone, email (optional): name <= 120 characters; phone of 6-15 digits; a valid email.
- group (required): migrant / host / other; also "host community", "local", "migrante",
  "comunidad de acogida", "otro".
- birth_year or age_band (one of them): a year from today's year - 100 to today's year - 5;
  under_12, 12_14, 15_17, 18_24, 25_34, 35_49, 50_64, 65_plus ("18-24" and "65+" also). When
  both are given they must agree.
- gender (optional): woman / man / non_binary / other / prefer_not_to_say, in English or Spanish;
  blank = prefer_not_to_say. Single letters are refused ("M" is man or mujer).
- languages (optional): ISO 639-1 codes or English/Spanish names, separated by commas or
  semicolons: "Spanish, árabe" -> ("es", "ar").
- preferred_language (optional): en, es, fr or ar; blank = the first of those in languages, else en.
- country_of_origin (optional): an ISO 3166 alpha-2 code (UK is read as GB, XK is Kosovo) or a
  name of at most 60 characters.

Encuentro never records immigration or legal status. A file with a column that looks like one
("status", "legal status", "residence permit", "visa", "estatus migratorio", "situación legal",
"papeles", ...) is rejected as a whole, with nothing imported, so such data is never even held in a
preview. Other unknown columns are ignored with a warning. A missing `group` column, or missing both
`birth_year` and `age_band`, is a file error.

Matching rule (shown to organizers). For each valid row, in file order:
1. A row with a `code` that belongs to the organization -> "update": that participant's attributes
   are refreshed from the row. A code the organization does not have -> error ("unknown code"); a
   code is never used to create someone.
2. A row without a code whose fingerprint - the same name (ignoring case, accents and extra spaces),
   birth year and email (or, without an email, phone digits) - matches an existing participant ->
   "skip_duplicate" (`row.code` says who it matched). Existing participants are never changed this
   way; add their code to the row to update them.
3. Otherwise -> "create" (a new code is generated on confirmation). Rows without a name have no
   fingerprint, so they always create: give such rows their code when re-importing them.
A row repeating the code or the fingerprint of an earlier row of the same file is an error
("duplicate of line N"). So re-importing the same file (or the file exported with codes) creates
nobody twice.

Ages. Only a birth year or an age band is kept, never a date of birth. `age_band_for` counts age as
today's year minus the birth year, which is up to one year too old before the birthday. `is_minor`
errs the other way, towards protection: a person counts as a minor while they *may* still be under
the minor age, and an age band counts as minor unless all of it is at or above the minor age (15_17
with a minor age of 16 is minor).

Limits. At most `MAX_ROWS` participant rows and `MAX_BYTES` bytes. Line numbers are spreadsheet row
numbers (header = 1); blank rows are skipped but keep their numbers.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Literal, TypeVar

import openpyxl
import pandas as pd
from openpyxl.styles import Font

from activities.codes import format_code, is_valid_code, normalise_code

Action = Literal["create", "update", "skip_duplicate", "error"]
T = TypeVar("T")

MAX_ROWS = 5_000
MAX_BYTES = 2 * 1024 * 1024
MAX_COLUMNS = 60
# Lines of an XLSX sheet read at most (blank rows included), so a stray cell far down is not a trap.
MAX_SHEET_LINES = 25_000
# An XLSX is a zip; refuse archives that would inflate far beyond any real participant list.
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024

FIELDS = (
    "code",
    "name",
    "phone",
    "email",
    "group",
    "birth_year",
    "age_band",
    "gender",
    "languages",
    "preferred_language",
    "country_of_origin",
)
GROUPS = ("migrant", "host", "other")
GENDERS = ("woman", "man", "non_binary", "other", "prefer_not_to_say")
AGE_BANDS = ("under_12", "12_14", "15_17", "18_24", "25_34", "35_49", "50_64", "65_plus")
SUPPORTED_LANGUAGES = ("en", "es", "fr", "ar")
# Youngest and oldest age in each band; None = no upper bound.
AGE_BAND_LIMITS: Mapping[str, tuple[int, int | None]] = {
    "under_12": (0, 11),
    "12_14": (12, 14),
    "15_17": (15, 17),
    "18_24": (18, 24),
    "25_34": (25, 34),
    "35_49": (35, 49),
    "50_64": (50, 64),
    "65_plus": (65, None),
}
OLDEST_AGE = 100
YOUNGEST_AGE = 5
MAX_NAME_LENGTH = 120
MAX_COUNTRY_LENGTH = 60

COLUMN_ALIASES: Mapping[str, tuple[str, ...]] = {
    "code": ("code", "participant code", "pseudonym", "codigo", "codigo de participante"),
    "name": ("name", "full name", "participant name", "nombre", "nombre completo"),
    "phone": (
        "phone",
        "phone number",
        "telephone",
        "mobile",
        "telefono",
        "numero de telefono",
        "movil",
        "celular",
    ),
    "email": ("email", "e mail", "email address", "correo", "correo electronico"),
    "group": ("group", "participant group", "grupo"),
    "birth_year": ("birth year", "year of birth", "ano de nacimiento", "anio de nacimiento"),
    "age_band": ("age band", "age group", "age range", "franja de edad", "grupo de edad"),
    "gender": ("gender", "sex", "genero", "sexo"),
    "languages": ("languages", "languages spoken", "idiomas", "lenguas", "idiomas hablados"),
    "preferred_language": (
        "preferred language",
        "survey language",
        "idioma preferido",
        "lengua preferida",
        "idioma de la encuesta",
    ),
    "country_of_origin": ("country of origin", "country", "pais de origen", "pais", "origen"),
}

# Header words and phrases (folded: lower case, no accents) that mean immigration or legal status.


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


LEGAL_STATUS_WORDS = frozenset(
    {
        "status",
        "estatus",
        "visa",
        "visas",
        "visado",
        "papeles",
        "permit",
        "immigration",
        "inmigracion",
        "migratory",
        "migratorio",
        "migratoria",
        "asylum",
        "asilo",
        "refugee",
        "refugiado",
        "refugiada",
        "undocumented",
        "indocumentado",
        "indocumentada",
        "irregular",
        "citizenship",
        "ciudadania",
        "residency",
        "nie",
        "regularizacion",
        "regularization",
        "regularisation",
        "arraigo",
        "deportation",
        "deportacion",
    }
)
LEGAL_STATUS_PHRASES = (
    "legal situation",
    "situacion legal",
    "situacion administrativa",
    "estado legal",
    "permiso de residencia",
    "permiso de trabajo",
    "tarjeta de residencia",
    "tarjeta roja",
    "proteccion internacional",
    "international protection",
)

_GROUP_VALUES = {
    "migrant": ("migrant", "migrants", "migrante", "migrantes", "immigrant", "inmigrante"),
    "host": (
        "host",
        "host community",
        "local",
        "locals",
        "local community",
        "comunidad de acogida",
        "sociedad de acogida",
        "comunidad local",
        "comunidad receptora",
        "poblacion local",
    ),
    "other": ("other", "otro", "otra", "otros", "otras"),
}
# Single letters are not accepted: "M" is "man" in English but "mujer" in Spanish.
_GENDER_VALUES = {
    "woman": ("woman", "female", "girl", "mujer", "femenino", "femenina", "nina", "chica"),
    "man": ("man", "male", "boy", "hombre", "masculino", "nino", "chico", "varon"),
    "non_binary": ("non binary", "nonbinary", "no binario", "no binaria", "no binarie"),
    "other": ("other", "otro", "otra", "otre"),
    "prefer_not_to_say": (
        "prefer not to say",
        "prefers not to say",
        "prefiero no decir",
        "prefiero no decirlo",
        "prefiere no decir",
        "prefiere no decirlo",
    ),
}
_AGE_BAND_VALUES = {
    "under_12": ("under 12", "< 12", "<12", "0 11", "menor de 12", "menos de 12"),
    "65_plus": ("65 plus", "65+", "65 +", "65 or more", "65 o mas", "65 y mas", "mas de 65"),
}

ISO_639_1 = _words(
    "aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy da"
    " de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy"
    " hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg"
    " li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or"
    " os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta"
    " te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu"
)
# ISO 3166-1 alpha-2, plus XK (Kosovo, user-assigned but in general use).
ISO_3166_ALPHA_2 = _words(
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR"
    " BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ"
    " EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW"
    " GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY"
    " KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV"
    " MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY"
    " QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG"
    " TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA"
    " ZM ZW"
)
# English and Spanish names of the languages most often met in migration contexts (folded).
LANGUAGE_NAMES: Mapping[str, tuple[str, ...]] = {
    "am": ("amharic", "amharico"),
    "ar": ("arabic", "arabe", "darija", "dariya"),
    "ay": ("aymara", "aimara"),
    "az": ("azerbaijani", "azeri", "azerbaiyano"),
    "be": ("belarusian", "bielorruso"),
    "bg": ("bulgarian", "bulgaro"),
    "bm": ("bambara",),
    "bn": ("bengali", "bangla"),
    "bs": ("bosnian", "bosnio"),
    "ca": ("catalan", "valenciano", "valencian"),
    "cs": ("czech", "checo"),
    "da": ("danish", "danes"),
    "de": ("german", "aleman"),
    "el": ("greek", "griego"),
    "en": ("english", "ingles"),
    "es": ("spanish", "castilian", "espanol", "castellano"),
    "et": ("estonian", "estonio"),
    "eu": ("basque", "euskera", "vasco"),
    "fa": ("persian", "farsi", "dari", "persa"),
    "ff": ("fula", "fulani", "fulfulde", "pular", "peul"),
    "fi": ("finnish", "finlandes"),
    "fr": ("french", "frances"),
    "gl": ("galician", "gallego"),
    "gn": ("guarani",),
    "ha": ("hausa",),
    "he": ("hebrew", "hebreo"),
    "hi": ("hindi",),
    "hr": ("croatian", "croata"),
    "ht": ("haitian creole", "haitian", "creole haitiano", "criollo haitiano", "kreyol"),
    "hu": ("hungarian", "hungaro"),
    "hy": ("armenian", "armenio"),
    "id": ("indonesian", "indonesio"),
    "ig": ("igbo",),
    "it": ("italian", "italiano"),
    "ja": ("japanese", "japones"),
    "ka": ("georgian", "georgiano"),
    "kk": ("kazakh", "kazajo"),
    "km": ("khmer", "jemer"),
    "ko": ("korean", "coreano"),
    "ku": ("kurdish", "kurdo", "kurmanji", "sorani"),
    "ky": ("kyrgyz", "kirguis"),
    "ln": ("lingala",),
    "lt": ("lithuanian", "lituano"),
    "lv": ("latvian", "leton"),
    "mg": ("malagasy", "malgache"),
    "mk": ("macedonian", "macedonio"),
    "mn": ("mongolian", "mongol"),
    "ms": ("malay", "malayo"),
    "my": ("burmese", "birmano"),
    "ne": ("nepali", "nepales"),
    "nl": ("dutch", "neerlandes", "holandes"),
    "no": ("norwegian", "noruego"),
    "om": ("oromo", "afaan oromo"),
    "pa": ("punjabi", "panjabi", "panyabi"),
    "pl": ("polish", "polaco"),
    "ps": ("pashto", "pastun", "pashtu"),
    "pt": ("portuguese", "portugues"),
    "qu": ("quechua",),
    "rn": ("kirundi", "rundi"),
    "ro": ("romanian", "moldovan", "rumano"),
    "ru": ("russian", "ruso"),
    "rw": ("kinyarwanda",),
    "si": ("sinhala", "sinhalese", "cingales"),
    "sk": ("slovak", "eslovaco"),
    "sl": ("slovenian", "esloveno"),
    "sn": ("shona",),
    "so": ("somali",),
    "sq": ("albanian", "albanes"),
    "sr": ("serbian", "serbio"),
    "sv": ("swedish", "sueco"),
    "sw": ("swahili", "kiswahili", "suajili"),
    "ta": ("tamil",),
    "tg": ("tajik", "tayiko"),
    "th": ("thai", "tailandes"),
    "ti": ("tigrinya", "tigrina", "tigrinia"),
    "tk": ("turkmen", "turcomano"),
    "tl": ("tagalog", "filipino", "tagalo"),
    "tr": ("turkish", "turco"),
    "uk": ("ukrainian", "ucraniano"),
    "ur": ("urdu",),
    "uz": ("uzbek", "uzbeko"),
    "vi": ("vietnamese", "vietnamita"),
    "wo": ("wolof",),
    "xh": ("xhosa",),
    "yo": ("yoruba",),
    "zh": ("chinese", "mandarin", "cantonese", "chino", "mandarin chinese", "cantones"),
    "zu": ("zulu",),
}


class ImportFileError(ValueError):
    """The file as a whole cannot be read; `message` is meant for the organizer."""

    status_code = 422

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ParticipantRow:
    """One valid row, normalised; `code` is set for updates and for matched duplicates."""

    code: str | None
    name: str
    phone: str
    email: str
    group: str
    birth_year: int | None
    age_band: str
    gender: str
    languages: tuple[str, ...]
    preferred_language: str
    country_of_origin: str


@dataclass(frozen=True)
class RowResult:
    """What confirming would do with one line of the file, or why it cannot."""

    line: int
    raw: dict[str, str]
    row: ParticipantRow | None
    errors: tuple[str, ...]
    action: Action


@dataclass(frozen=True)
class ImportPreview:
    """The outcome of validating a whole file; nothing has been written."""

    rows: tuple[RowResult, ...]
    file_errors: tuple[str, ...]
    warnings: tuple[str, ...]

    def _count(self, action: Action) -> int:
        return sum(1 for result in self.rows if result.action == action)

    @property
    def creatable(self) -> int:
        return self._count("create")

    @property
    def updatable(self) -> int:
        return self._count("update")

    @property
    def duplicates(self) -> int:
        return self._count("skip_duplicate")

    @property
    def error_count(self) -> int:
        return self._count("error")

    @property
    def errors(self) -> tuple[str, ...]:
        """Every error message, file errors first."""
        return self.file_errors + tuple(msg for result in self.rows for msg in result.errors)

    @property
    def ok(self) -> bool:
        return not self.file_errors and self.error_count == 0


# --- text helpers ---------------------------------------------------------------------------


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _fold(text: str) -> str:
    """Lower case, no accents, runs of spaces, hyphens, underscores and dashes as one space."""
    folded = _strip_accents(text).casefold()
    return " ".join(re.sub(r"[\s_\-\u2010-\u2015]+", " ", folded).split())


def _header_key(header: str) -> str:
    """The folded header without hints: "Grupo (migrante/local) *" -> "grupo"."""
    return _fold(re.sub(r"\(.*?\)|\[.*?\]|[*:]", " ", header))


def _lookup(table: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """Invert {canonical: aliases} into {folded alias or canonical: canonical}."""
    return {_fold(alias): key for key, aliases in table.items() for alias in (key, *aliases)}


_COLUMN_LOOKUP = _lookup(COLUMN_ALIASES)
_GROUP_LOOKUP = _lookup(_GROUP_VALUES)
_GENDER_LOOKUP = _lookup(_GENDER_VALUES)
_AGE_BAND_LOOKUP = _lookup({band: _AGE_BAND_VALUES.get(band, ()) for band in AGE_BANDS})
_LANGUAGE_LOOKUP = _lookup(LANGUAGE_NAMES)


def _column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def is_legal_status_column(header: str) -> bool:
    """True when a column header looks like immigration or legal status, which is never imported."""
    folded = _fold(header)
    padded = f" {folded} "
    return bool(LEGAL_STATUS_WORDS & set(folded.split())) or any(
        f" {phrase} " in padded for phrase in LEGAL_STATUS_PHRASES
    )


# --- reading files --------------------------------------------------------------------------


Record = tuple[int, list[str]]


def read_table(data: bytes, filename: str) -> pd.DataFrame:
    """The file's cells as strings, header as columns, spreadsheet line numbers as the index.

    Blank rows are dropped; cells beyond the header become "(no header, column F)" columns.
    `attrs["letters"]` maps each column to its spreadsheet letter.
    """
    if not data.strip():
        raise ImportFileError("The file is empty.")
    if len(data) > MAX_BYTES:
        raise ImportFileError(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_BYTES // 1024 // 1024} MB. Split it into smaller files."
        )
    if _looks_like_xlsx(data, filename):
        records = _read_xlsx(data)
    elif data.startswith(b"\xd0\xcf\x11\xe0") or filename.lower().endswith((".xls", ".ods")):
        raise ImportFileError(
            "This spreadsheet format cannot be read. Save it as .xlsx or .csv and try again."
        )
    else:
        records = _read_csv(data)
    return _frame(records)


def _looks_like_xlsx(data: bytes, filename: str) -> bool:
    return data.startswith(b"PK\x03\x04") or filename.lower().endswith((".xlsx", ".xlsm"))


def _decode(data: bytes) -> str:
    """UTF-16 by BOM, else UTF-8 (with or without BOM), else Windows-1252, else Latin-1."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ImportFileError("The file could not be read as text.") from exc
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _sniff_delimiter(text: str) -> str:
    """The most frequent of comma, semicolon and tab in the first line outside quotes."""
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    unquoted = re.sub(r'"[^"]*"', "", first_line)
    counts = {delimiter: unquoted.count(delimiter) for delimiter in ",;\t"}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _read_csv(data: bytes) -> list[Record]:
    text = _decode(data)
    if "\x00" in text:
        raise ImportFileError("The file is not a CSV or XLSX spreadsheet.")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    records: list[Record] = []
    start = 1
    try:
        for cells in reader:
            _keep(records, start, [cell.strip() for cell in cells])
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ImportFileError(f"The CSV file could not be read near line {start}: {exc}.") from exc
    return records


def _keep(records: list[Record], line: int, cells: list[str]) -> None:
    """Append a non-blank record; ImportFileError beyond the header and `MAX_ROWS` rows."""
    if not any(cells):
        return
    if len(records) > MAX_ROWS:
        raise ImportFileError(
            f"The file has more than {MAX_ROWS:,} participant rows. Split it into smaller files."
        )
    records.append((line, cells))


def _read_xlsx(data: bytes) -> list[Record]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise ImportFileError(
            "The file could not be opened as an XLSX spreadsheet. Save it again as .xlsx or .csv."
        ) from exc
    if unzipped > MAX_UNZIPPED_BYTES:
        workbook.close()
        raise ImportFileError("The spreadsheet is too large. Split it into smaller files.")
    try:
        sheet = workbook.worksheets[0]
        if (sheet.max_row or 0) > MAX_SHEET_LINES:
            raise ImportFileError(
                f"The sheet reaches line {sheet.max_row:,}; only {MAX_SHEET_LINES:,} lines can be "
                "read. Delete the empty rows below your data, or split the file."
            )
        records: list[Record] = []
        rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS, max_row=MAX_SHEET_LINES)
        for line, values in enumerate(rows, start=1):
            _keep(records, line, [_cell_text(value) for value in values])
        return records
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    """A cell as the text a person sees: 1994.0 -> "1994", a date -> "2024-05-01"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _frame(records: list[Record]) -> pd.DataFrame:
    """Header from the first non-blank record; blank rows and empty unnamed columns dropped."""
    if not records:
        raise ImportFileError("The file is empty.")
    (_, header), body = records[0], records[1:]
    if not body:
        raise ImportFileError("The file has a header but no participant rows.")
    width = max(len(header), *(len(cells) for _, cells in body))
    grid = [cells + [""] * (width - len(cells)) for _, cells in body]
    keep: list[int] = []
    names: list[str] = []
    for index in range(width):
        name = header[index] if index < len(header) else ""
        if not name and not any(cells[index] for cells in grid):
            continue
        names.append(name or f"(no header, column {_column_letter(index)})")
        keep.append(index)
    _check_unique(names)
    frame = pd.DataFrame(
        [[cells[index] for index in keep] for cells in grid],
        columns=names,
        index=pd.Index([line for line, _ in body], name="line"),
        dtype=str,
    )
    frame.attrs["letters"] = {
        name: _column_letter(index) for name, index in zip(names, keep, strict=True)
    }
    return frame


def _check_unique(names: Sequence[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if _fold(name) in seen:
            raise ImportFileError(
                f"The header has two columns called '{name}'. Rename or remove one."
            )
        seen.add(_fold(name))


# --- validating rows ------------------------------------------------------------------------


class _Invalid(ValueError):
    """A cell's value is not acceptable; the message completes "Line N: ..."."""


def _parse_code(text: str) -> str | None:
    if not text:
        return None
    if not is_valid_code(text):
        raise _Invalid(f"code '{text}' is not a valid participant code (like K7M-4PQ)")
    return normalise_code(text)


def _parse_name(text: str) -> str:
    name = " ".join(text.split())
    if len(name) > MAX_NAME_LENGTH:
        raise _Invalid(f"name is longer than {MAX_NAME_LENGTH} characters")
    return name


def _parse_phone(text: str) -> str:
    if not text:
        return ""
    digits = re.sub(r"\D", "", text)
    if not re.fullmatch(r"[\d\s+()./-]+", text) or not 6 <= len(digits) <= 15:
        raise _Invalid(f"phone '{text}' is not a phone number (6 to 15 digits)")
    return " ".join(text.split())


def _parse_email(text: str) -> str:
    if text and (
        len(text) > 254 or not re.fullmatch(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>.]+", text)
    ):
        raise _Invalid(f"email '{text}' is not a valid email address")
    return text


def _parse_group(text: str) -> str:
    if not text:
        raise _Invalid("group is missing; write migrant, host or other")
    group = _GROUP_LOOKUP.get(_fold(text))
    if group is None:
        raise _Invalid(f"group '{text}' is not one of {', '.join(GROUPS)}")
    return group


def _parse_birth_year(text: str, today: date) -> int | None:
    if not text:
        return None
    if not re.fullmatch(r"\d{4}(\.0+)?", text):
        raise _Invalid(f"birth year '{text}' is not a year; write only the year, e.g. 1990")
    year = int(text.split(".")[0])
    earliest, latest = today.year - OLDEST_AGE, today.year - YOUNGEST_AGE
    if not earliest <= year <= latest:
        raise _Invalid(
            f"birth year {year} is not plausible; use a year from {earliest} to {latest}"
        )
    return year


def _parse_age_band(text: str) -> str | None:
    if not text:
        return None
    band = _AGE_BAND_LOOKUP.get(_fold(text))
    if band is None:
        raise _Invalid(f"age band '{text}' is not one of {', '.join(AGE_BANDS)}")
    return band


def _parse_gender(text: str) -> str:
    if not text:
        return "prefer_not_to_say"
    gender = _GENDER_LOOKUP.get(_fold(text))
    if gender is None:
        raise _Invalid(f"gender '{text}' is not one of {', '.join(GENDERS)}")
    return gender


def _language_code(text: str) -> str | None:
    """ISO 639-1 code for a code ("ES", "pt-BR") or an English or Spanish language name."""
    folded = _fold(text)
    base = re.sub(r"^([a-z]{2})[ _-][a-z]{2,4}$", r"\1", folded)
    if base in ISO_639_1:
        return base
    return _LANGUAGE_LOOKUP.get(folded)


def _parse_languages(text: str) -> tuple[str, ...]:
    codes: list[str] = []
    for part in re.split(r"[,;/|+]|\s(?:and|y|e)\s", text):
        if not part.strip():
            continue
        code = _language_code(part)
        if code is None:
            raise _Invalid(
                f"language '{part.strip()}' is not recognised; use ISO 639-1 codes such as "
                "es, ar, fr or language names in English or Spanish"
            )
        if code not in codes:
            codes.append(code)
    return tuple(codes)


def _parse_preferred_language(text: str, languages: Sequence[str]) -> str:
    if not text:
        return next((code for code in languages if code in SUPPORTED_LANGUAGES), "en")
    code = _language_code(text)
    if code not in SUPPORTED_LANGUAGES:
        raise _Invalid(
            f"preferred language '{text}' is not one of {', '.join(SUPPORTED_LANGUAGES)}"
        )
    return code


def _parse_country(text: str) -> str:
    country = " ".join(text.split())
    if re.fullmatch(r"[A-Za-z]{2}", country):
        code = "GB" if country.upper() == "UK" else country.upper()
        if code not in ISO_3166_ALPHA_2:
            raise _Invalid(
                f"country '{country}' is not an ISO 3166 country code; write the country's name"
            )
        return code
    if len(country) > MAX_COUNTRY_LENGTH:
        raise _Invalid(f"country of origin is longer than {MAX_COUNTRY_LENGTH} characters")
    return country


class _LineCheck:
    """Collects one line's error messages, each naming the line and the column."""

    def __init__(self, line: int, raw: Mapping[str, str], labels: Mapping[str, str]) -> None:
        self.line = line
        self.raw = raw
        self.labels = labels
        self.errors: list[str] = []

    def error(self, field: str, message: str) -> None:
        where = f" (column {self.labels[field]})" if field in self.labels else ""
        self.errors.append(f"Line {self.line}: {message}{where}.")

    def parse(self, field: str, parser: Callable[..., T], *args: object) -> T | None:
        try:
            return parser(self.raw.get(field, ""), *args)
        except _Invalid as exc:
            self.error(field, str(exc))
            return None


def _build_row(check: _LineCheck, today: date) -> ParticipantRow | None:
    """The row's values, validated; None (with errors recorded) when any is invalid."""
    code = check.parse("code", _parse_code)
    name = check.parse("name", _parse_name)
    phone = check.parse("phone", _parse_phone)
    email = check.parse("email", _parse_email)
    group = check.parse("group", _parse_group)
    gender = check.parse("gender", _parse_gender)
    languages = check.parse("languages", _parse_languages)
    preferred = check.parse("preferred_language", _parse_preferred_language, languages or ())
    country = check.parse("country_of_origin", _parse_country)
    birth_year = check.parse("birth_year", _parse_birth_year, today)
    age_band = _resolve_age_band(check, birth_year, check.parse("age_band", _parse_age_band), today)
    if check.errors or group is None or gender is None or age_band is None:
        return None
    return ParticipantRow(
        code=code,
        name=name or "",
        phone=phone or "",
        email=email or "",
        group=group,
        birth_year=birth_year,
        age_band=age_band,
        gender=gender,
        languages=languages or (),
        preferred_language=preferred or "en",
        country_of_origin=country or "",
    )


def _resolve_age_band(
    check: _LineCheck, birth_year: int | None, given: str | None, today: date
) -> str | None:
    """The given band, or the band of the birth year; an error when neither or they disagree."""
    invalid_year = bool(check.raw.get("birth_year")) and birth_year is None
    if invalid_year or (bool(check.raw.get("age_band")) and given is None):
        return None  # already reported as invalid
    if birth_year is None:
        if given is None:
            field = "birth_year" if "birth_year" in check.labels else "age_band"
            check.error(field, "birth year or age band is missing; give one of them")
        return given
    derived = age_band_for(birth_year, today)
    # Before their birthday a person is a year younger than today.year - birth_year.
    if given is not None and given not in (derived, age_band_for(birth_year + 1, today)):
        check.error("age_band", f"age band '{given}' does not match birth year {birth_year}")
        return None
    return given or derived


# --- ages -----------------------------------------------------------------------------------


def age_band_for(birth_year: int, today: date) -> str:
    """The age band of someone born in `birth_year`, taking age as today.year - birth_year."""
    age = today.year - birth_year
    if age < 0:
        raise ValueError(f"birth year {birth_year} is in the future")
    for band, (_, oldest) in AGE_BAND_LIMITS.items():
        if oldest is None or age <= oldest:
            return band
    raise AssertionError("the last age band is open-ended")


def is_minor(birth_year: int | None, age_band: str | None, *, minor_age: int, today: date) -> bool:
    """True unless the person is certainly at least `minor_age` (see the module docstring)."""
    if birth_year is not None:
        # Until 31 December the birthday may still be ahead, making them a year younger.
        youngest_possible_age = (
            today.year - birth_year - (0 if (today.month, today.day) == (12, 31) else 1)
        )
        return youngest_possible_age < minor_age
    if age_band is not None:
        if age_band not in AGE_BAND_LIMITS:
            raise ValueError(f"unknown age band {age_band!r}")
        return AGE_BAND_LIMITS[age_band][0] < minor_age
    return True  # nothing known about their age: protect them as a minor


# --- matching -------------------------------------------------------------------------------


def fingerprint_of(*, name: str, birth_year: int | None, email: str, phone: str) -> str | None:
    """The matching key of a participant without a code; None when the name is blank."""
    folded_name = " ".join(_strip_accents(name).casefold().split())
    if not folded_name:
        return None
    contact = email.strip().casefold() or re.sub(r"\D", "", phone)
    payload = "\x1f".join((folded_name, "" if birth_year is None else str(birth_year), contact))
    return hashlib.sha256(payload.encode()).hexdigest()


def fingerprint(row: ParticipantRow) -> str | None:
    """`fingerprint_of` a row: sha256 of its folded name, birth year and email or phone digits."""
    return fingerprint_of(
        name=row.name, birth_year=row.birth_year, email=row.email, phone=row.phone
    )


class _Matcher:
    """Applies the matching rule row by row, remembering earlier rows of the file."""

    def __init__(self, existing_codes: Collection[str], existing: Mapping[str, str]) -> None:
        self.existing_codes = {normalise_code(code) for code in existing_codes}
        self.existing_fingerprints = existing
        self.code_lines: dict[str, int] = {}
        self.print_lines: dict[str, int] = {}

    def classify(self, check: _LineCheck, row: ParticipantRow) -> tuple[Action, ParticipantRow]:
        key = fingerprint(row)
        if row.code is not None:
            return self._by_code(check, row, row.code), row
        if key is not None and key in self.print_lines:
            check.error(
                "name",
                f"same name, birth year and contact as line {self.print_lines[key]}"
                f"; duplicate of line {self.print_lines[key]}",
            )
            return "error", row
        if key is not None:
            self.print_lines[key] = check.line
        if key is not None and key in self.existing_fingerprints:
            code = normalise_code(self.existing_fingerprints[key])
            return "skip_duplicate", replace(row, code=code)
        return "create", row

    def _by_code(self, check: _LineCheck, row: ParticipantRow, code: str) -> Action:
        if code in self.code_lines:
            check.error(
                "code", f"code {format_code(code)} is a duplicate of line {self.code_lines[code]}"
            )
            return "error"
        if code not in self.existing_codes:
            check.error(
                "code",
                f"unknown code {format_code(code)}: no participant of your organization has it; "
                "leave the code blank to register a new participant",
            )
            return "error"
        self.code_lines[code] = check.line
        key = fingerprint(row)
        if key is not None:
            self.print_lines.setdefault(key, check.line)
        return "update"


# --- preview --------------------------------------------------------------------------------


def _map_columns(frame: pd.DataFrame) -> tuple[dict[str, str], list[str], list[str]]:
    """{field: header} for recognised columns, file errors, and warnings about ignored columns."""
    letters: Mapping[str, str] = frame.attrs.get("letters", {})
    fields: dict[str, str] = {}
    errors: list[str] = []
    warnings: list[str] = []
    for position, header in enumerate(frame.columns):
        letter = letters.get(header, _column_letter(position))
        field = _COLUMN_LOOKUP.get(_header_key(header))
        if is_legal_status_column(header):
            errors.append(
                f"Column {letter} '{header}' looks like immigration or legal status. Encuentro "
                "never records immigration or legal status, so nothing was imported. Delete the "
                "column and upload the file again."
            )
        elif field is not None and field in fields:
            errors.append(
                f"Columns '{fields[field]}' and '{header}' both give the "
                f"{field.replace('_', ' ')}; keep only one."
            )
        elif field is not None:
            fields[field] = header
        else:
            warnings.append(f"Column {letter} '{header}' is not used by Encuentro and was ignored.")
    if "group" not in fields:
        errors.append("The file has no 'group' column (migrant, host or other); add one.")
    if "birth_year" not in fields and "age_band" not in fields:
        errors.append("The file needs a 'birth_year' or an 'age_band' column; add one.")
    return fields, errors, warnings


def preview(
    data: bytes,
    filename: str,
    *,
    existing_codes: Collection[str],
    existing_fingerprints: Mapping[str, str],
    today: date,
) -> ImportPreview:
    """Validate an uploaded file and classify each row as create, update, skip_duplicate or error.

    `existing_fingerprints` maps `fingerprint_of` each existing participant to their code.
    """
    try:
        frame = read_table(data, filename)
    except ImportFileError as exc:
        return ImportPreview(rows=(), file_errors=(exc.message,), warnings=())
    fields, file_errors, warnings = _map_columns(frame)
    if file_errors:
        return ImportPreview(rows=(), file_errors=tuple(file_errors), warnings=tuple(warnings))
    letters: Mapping[str, str] = frame.attrs.get("letters", {})
    labels = {field: f"{letters.get(header, '?')}, '{header}'" for field, header in fields.items()}
    matcher = _Matcher(existing_codes, existing_fingerprints)
    results = tuple(
        _check_line(line, raw, labels, matcher, today) for line, raw in _raw_rows(frame, fields)
    )
    return ImportPreview(rows=results, file_errors=(), warnings=(*warnings, *_unmatchable(results)))


def _unmatchable(results: Sequence[RowResult]) -> list[str]:
    """A warning when some new rows could not be recognised in a later import."""
    lines = [str(r.line) for r in results if r.action == "create" and r.row and not r.row.name]
    if not lines:
        return []
    which = f"Line {lines[0]} has" if len(lines) == 1 else f"Lines {', '.join(lines)} have"
    return [
        f"{which} neither a name nor a code, so importing the file again would register them "
        "again. After importing, export the list with codes to re-import."
    ]


def _raw_rows(
    frame: pd.DataFrame, fields: Mapping[str, str]
) -> Iterator[tuple[int, dict[str, str]]]:
    columns = frame[list(fields.values())]
    for line, values in zip(frame.index, columns.itertuples(index=False, name=None), strict=True):
        yield (
            int(line),
            {field: str(value).strip() for field, value in zip(fields, values, strict=True)},
        )


def _check_line(
    line: int, raw: dict[str, str], labels: Mapping[str, str], matcher: _Matcher, today: date
) -> RowResult:
    check = _LineCheck(line, raw, labels)
    row = _build_row(check, today)
    if row is None:
        return RowResult(line=line, raw=raw, row=None, errors=tuple(check.errors), action="error")
    action, row = matcher.classify(check, row)
    if action == "error":
        return RowResult(line=line, raw=raw, row=None, errors=tuple(check.errors), action="error")
    return RowResult(line=line, raw=raw, row=row, errors=(), action=action)


# --- templates ------------------------------------------------------------------------------

TEMPLATE_ROWS: tuple[tuple[str, ...], ...] = (
    (
        "",
        "Amina Ejemplo",
        "+34 600 000 001",
        "amina@example.org",
        "migrant",
        "1994",
        "",
        "woman",
        "ar, fr, es",
        "ar",
        "MA",
    ),
    ("", "Lucía Ejemplo", "", "", "host", "", "35_49", "prefer_not_to_say", "es, en", "es", "ES"),
)
SPANISH_HEADERS: Mapping[str, str] = {
    "code": "código",
    "name": "nombre",
    "phone": "teléfono",
    "email": "correo",
    "group": "grupo",
    "birth_year": "año de nacimiento",
    "age_band": "franja de edad",
    "gender": "género",
    "languages": "idiomas",
    "preferred_language": "idioma preferido",
    "country_of_origin": "país de origen",
}
TEMPLATE_HELP: Mapping[str, str] = {
    "code": "Leave blank for new people. To update someone, give their code (e.g. K7M-4PQ).",
    "name": "Optional. Stays inside your organization.",
    "phone": "Optional.",
    "email": "Optional.",
    "group": "Required, as the person identifies: migrant, host or other.",
    "birth_year": "Birth year only (never the full date), or fill age_band instead.",
    "age_band": ", ".join(AGE_BANDS),
    "gender": ", ".join(GENDERS) + ". Blank = prefer_not_to_say.",
    "languages": "Languages spoken: codes (es, ar) or names, separated by commas.",
    "preferred_language": "Survey language: en, es, fr or ar. Blank = first of languages.",
    "country_of_origin": "Optional: a two-letter code (MA, CO) or the country's name.",
}


def template_csv() -> bytes:
    """A UTF-8 CSV (with BOM, so Excel reads accents) with the header and two fictional rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(FIELDS)
    writer.writerows(TEMPLATE_ROWS)
    return buffer.getvalue().encode("utf-8-sig")


def template_xlsx() -> bytes:
    """An XLSX: a participants sheet (header, two fictional rows) and an instructions sheet."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "participants"
    sheet.append(FIELDS)
    for row in TEMPLATE_ROWS:
        sheet.append([int(value) if value.isdigit() else value for value in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    help_sheet = workbook.create_sheet("instructions")
    help_sheet.append(("column", "what to write", "Spanish header also accepted"))
    for field in FIELDS:
        help_sheet.append((field, TEMPLATE_HELP[field], SPANISH_HEADERS[field]))
    help_sheet.append(())
    help_sheet.append(
        (
            "",
            "Never add a column for immigration or legal status: files with one are "
            "rejected. The two example rows are fictional; delete them.",
        )
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
