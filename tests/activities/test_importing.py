"""Stories for importing participants from CSV and XLSX: preview, per-row errors, no duplicates."""

import io
from collections.abc import Sequence
from datetime import date

import openpyxl
import pytest

from activities.codes import generate_code
from activities.importing import (
    AGE_BANDS,
    MAX_ROWS,
    ImportFileError,
    ImportPreview,
    ParticipantRow,
    age_band_for,
    fingerprint,
    fingerprint_of,
    is_legal_status_column,
    is_minor,
    preview,
    read_table,
    template_csv,
    template_xlsx,
)

TODAY = date(2025, 6, 1)
HEADER = "code,name,phone,email,group,birth_year,age_band,gender,languages,preferred_language"


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\n".join(lines) + "\n").encode(encoding)


def xlsx_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def check(
    data: bytes,
    filename: str = "participants.csv",
    *,
    codes: Sequence[str] = (),
    fingerprints: dict[str, str] | None = None,
) -> ImportPreview:
    return preview(
        data,
        filename,
        existing_codes=codes,
        existing_fingerprints=fingerprints or {},
        today=TODAY,
    )


def confirm(result: ImportPreview, codes: set[str], fingerprints: dict[str, str]) -> None:
    """What the service does on confirmation: give each created row a code and remember it."""
    for line in result.rows:
        if line.action == "create" and line.row is not None:
            code = generate_code(codes)
            codes.add(code)
            key = fingerprint(line.row)
            if key is not None:
                fingerprints[key] = code


GOOD_FILE = csv_bytes(
    HEADER + ",country_of_origin",
    ',Amina Haddad,+34 600 111 222,amina@example.org,migrant,1990,,woman,"Arabic, French",,MA',
    ",Jordi Puig,,,host community,,35_49,man,es,,Spain",
    ",Sam Lee,600 333 444,,other,2012,,non-binary,,,",
)


# --- reading ------------------------------------------------------------------------------


def test_a_good_csv_becomes_three_new_participants() -> None:
    result = check(GOOD_FILE)

    assert result.ok
    assert [line.action for line in result.rows] == ["create"] * 3
    assert (result.creatable, result.updatable, result.error_count) == (3, 0, 0)
    amina, jordi, sam = (line.row for line in result.rows)
    assert amina == ParticipantRow(
        code=None,
        name="Amina Haddad",
        phone="+34 600 111 222",
        email="amina@example.org",
        group="migrant",
        birth_year=1990,
        age_band="35_49",
        gender="woman",
        languages=("ar", "fr"),
        preferred_language="ar",
        country_of_origin="MA",
    )
    assert jordi is not None and jordi.group == "host" and jordi.birth_year is None
    assert jordi.country_of_origin == "Spain" and jordi.preferred_language == "es"
    assert sam is not None and sam.age_band == "12_14" and sam.gender == "non_binary"
    assert sam.languages == () and sam.preferred_language == "en"
    assert [line.line for line in result.rows] == [2, 3, 4]


def test_an_xlsx_reads_like_the_csv() -> None:
    data = xlsx_bytes(
        [
            HEADER.split(","),
            [None, "Amina Haddad", None, None, "migrant", 1990, None, "woman", "ar, fr", "fr"],
            [],
            [None, "Jordi Puig", None, None, "local", None, "35-49", "", "Catalan; Spanish", None],
        ]
    )

    result = check(data, "participants.xlsx")

    assert result.ok, result.errors
    assert [line.line for line in result.rows] == [2, 4]  # the blank row keeps its number
    amina, jordi = (line.row for line in result.rows)
    assert amina is not None and amina.birth_year == 1990 and amina.preferred_language == "fr"
    assert jordi is not None and jordi.languages == ("ca", "es") and jordi.age_band == "35_49"
    assert jordi.gender == "prefer_not_to_say" and jordi.preferred_language == "es"


def test_an_xlsx_is_recognised_by_its_content_whatever_its_name() -> None:
    data = xlsx_bytes([["group", "age_band"], ["migrant", "18_24"]])
    assert check(data, "upload.csv").ok


def test_read_table_gives_strings_indexed_by_line() -> None:
    frame = read_table(csv_bytes("group,birth_year", "", "migrant,1990"), "p.csv")
    assert list(frame.columns) == ["group", "birth_year"]
    assert list(frame.index) == [3]
    assert frame.loc[3, "birth_year"] == "1990"


def test_a_semicolon_csv_from_a_spanish_excel_is_read() -> None:
    data = csv_bytes(
        "nombre;grupo;año de nacimiento;género;idiomas;idioma preferido;país de origen",
        'Lucía Gómez;comunidad de acogida;1985;mujer;"español, inglés";;ES',
        "Omar Benali;migrante;2001;hombre;árabe y francés;francés;Marruecos",
        encoding="cp1252",
    )

    result = check(data)

    assert result.ok, result.errors
    lucia, omar = (line.row for line in result.rows)
    assert lucia is not None and lucia.name == "Lucía Gómez" and lucia.group == "host"
    assert lucia.gender == "woman" and lucia.languages == ("es", "en")
    assert omar is not None and omar.group == "migrant" and omar.languages == ("ar", "fr")
    assert omar.preferred_language == "fr" and omar.country_of_origin == "Marruecos"


def test_a_latin1_csv_keeps_its_accents() -> None:
    data = csv_bytes("name,group,age_band", "Begoña Ibáñez,otro,65+", encoding="latin-1")
    result = check(data)
    row = result.rows[0].row
    assert row is not None and row.name == "Begoña Ibáñez"
    assert (row.group, row.age_band) == ("other", "65_plus")


def test_a_utf8_csv_with_byte_order_mark_is_read() -> None:
    data = "\ufeffGroup,Birth Year\nmigrant,1990\n".encode()
    assert check(data).ok


def test_spanish_headers_and_values_are_accepted() -> None:
    data = csv_bytes(
        "Código,Nombre,Teléfono,Correo,Grupo,Franja de edad,Género,Idiomas,Idioma preferido",
        ",Ana,611 222 333,ana@example.org,Local,18-24,No binaria,Castellano,",
        ",Bilal,,,Migrante,Menor de 12,Prefiero no decirlo,Urdu,inglés",
    )
    result = check(data)
    assert result.ok, result.errors
    ana, bilal = (line.row for line in result.rows)
    assert ana is not None and (ana.group, ana.age_band, ana.gender) == (
        "host",
        "18_24",
        "non_binary",
    )
    assert bilal is not None and bilal.age_band == "under_12"
    assert (bilal.gender, bilal.languages, bilal.preferred_language) == (
        "prefer_not_to_say",
        ("ur",),
        "en",
    )


# --- the file as a whole ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "p.csv", "empty"),
        (b"\n \n", "p.csv", "empty"),
        (b"group,birth_year\n", "p.csv", "no participant rows"),
        (b"\xd0\xcf\x11\xe0 old excel", "p.xls", ".xlsx"),
        (b"PK\x03\x04 not really a zip", "p.xlsx", "XLSX"),
        (b"group,name,name\nmigrant,a,b\n", "p.csv", "two columns called 'name'"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(
    data: bytes, filename: str, message: str
) -> None:
    with pytest.raises(ImportFileError, match=message):
        read_table(data, filename)
    result = check(data, filename)
    assert not result.ok and result.rows == ()
    assert message in result.file_errors[0]


def test_too_many_rows_are_refused() -> None:
    rows = ["group,age_band"] + ["migrant,18_24"] * (MAX_ROWS + 1)
    result = check(csv_bytes(*rows))
    assert not result.ok and result.rows == ()
    assert "5,000" in result.file_errors[0]
    assert check(csv_bytes(*rows[:-1])).ok


def test_too_many_xlsx_rows_are_refused() -> None:
    data = xlsx_bytes([["group", "age_band"]] + [["migrant", "18_24"]] * (MAX_ROWS + 1))
    assert "5,000" in check(data, "p.xlsx").file_errors[0]


def test_too_large_a_file_is_refused() -> None:
    data = csv_bytes("group,name", *[f"migrant,{'x' * 100}"] * 25_000)
    assert "MB" in check(data).file_errors[0]


@pytest.mark.parametrize(
    "header",
    [
        "status",
        "Legal status",
        "Immigration status",
        "Residence permit",
        "Estatus migratorio",
        "Situación legal",
        "Papeles",
        "visa",
        "Visado",
        "Asylum seeker",
        "Permiso de residencia",
    ],
)
def test_a_legal_status_column_rejects_the_whole_file(header: str) -> None:
    data = csv_bytes(f"name,group,birth_year,{header}", "Ana,migrant,1990,irregular")

    result = check(data)

    assert not result.ok
    assert result.rows == ()  # nothing imported, the values are not even kept in the preview
    assert len(result.file_errors) == 1
    assert header in result.file_errors[0]
    assert "never records immigration or legal status" in result.file_errors[0]


@pytest.mark.parametrize(
    "header", ["notes", "legal guardian", "nationality note", "revisado", "residence town"]
)
def test_ordinary_columns_are_not_mistaken_for_legal_status(header: str) -> None:
    assert not is_legal_status_column(header)


def test_unknown_columns_are_ignored_with_a_warning() -> None:
    data = csv_bytes("name,group,favourite food,birth_year", "Ana,migrant,couscous,1990")
    result = check(data)
    assert result.ok
    assert result.warnings == (
        "Column C 'favourite food' is not used by Encuentro and was ignored.",
    )
    assert "favourite food" not in result.rows[0].raw


def test_a_file_without_group_or_age_is_refused() -> None:
    result = check(csv_bytes("name,birth_year", "Ana,1990"))
    assert not result.ok and result.rows == ()
    assert "'group' column" in result.file_errors[0]
    result = check(csv_bytes("name,group", "Ana,migrant"))
    assert "'birth_year' or an 'age_band' column" in result.file_errors[0]


def test_two_columns_for_the_same_attribute_are_refused() -> None:
    result = check(csv_bytes("group,grupo,age_band", "migrant,migrante,18_24"))
    assert "keep only one" in result.file_errors[0]


# --- rows ---------------------------------------------------------------------------------


def test_bad_rows_are_reported_each_with_its_line_and_nothing_is_ok() -> None:
    existing = generate_code([])
    data = csv_bytes(
        "code,name,group,birth_year",
        ",Good Person,migrant,1990",
        ",Future Person,host,2031",
        ",Expat Person,expat,1980",
        f"{existing},Known Person,host,1970",
        f"{existing},Known Again,host,1971",
    )

    result = check(data, codes=[existing])

    assert not result.ok
    assert [line.action for line in result.rows] == ["create", "error", "error", "update", "error"]
    assert result.error_count == 3
    future, expat, again = (line for line in result.rows if line.action == "error")
    assert future.errors[0].startswith("Line 3: birth year 2031 is not plausible")
    assert "column D, 'birth_year'" in future.errors[0]
    assert expat.errors[0].startswith("Line 4: group 'expat' is not one of migrant, host, other")
    assert again.errors[0].startswith("Line 6: code ")
    assert "duplicate of line 5" in again.errors[0]
    assert all(line.row is None for line in (future, expat, again))
    assert len(result.errors) == 3


def test_a_code_from_another_organization_is_an_error_not_a_new_person() -> None:
    stranger = generate_code([])
    result = check(csv_bytes("code,group,age_band", f"{stranger},migrant,18_24"))
    assert result.rows[0].action == "error"
    assert "unknown code" in result.rows[0].errors[0]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("birth_year", "1990-05-12", "write only the year"),
        ("birth_year", "1920", "not plausible"),
        ("age_band", "adult", "age band 'adult' is not one of"),
        ("gender", "M", "gender 'M' is not one of"),
        ("languages", "Klingon", "language 'Klingon' is not recognised"),
        ("preferred_language", "Portuguese", "preferred language 'Portuguese' is not one of"),
        ("email", "ana@", "email 'ana@' is not a valid email address"),
        ("phone", "12", "phone '12' is not a phone number"),
        ("country_of_origin", "XX", "not an ISO 3166 country code"),
        ("country_of_origin", "x" * 61, "longer than 60 characters"),
        ("code", "K0M-4PQ", "not a valid participant code"),
        ("group", "", "group is missing"),
    ],
)
def test_each_invalid_value_is_named_in_its_message(column: str, value: str, message: str) -> None:
    values = {"group": "migrant", "birth_year": "1990", column: value}
    columns = sorted({"group", "birth_year", column})
    data = csv_bytes(",".join(columns), ",".join(f'"{values[name]}"' for name in columns))

    result = check(data)

    assert result.rows[0].action == "error"
    assert result.rows[0].errors[0].startswith("Line 2: ")
    assert message in result.rows[0].errors[0]


def test_a_row_needs_a_birth_year_or_an_age_band_that_agree() -> None:
    data = csv_bytes(
        "group,birth_year,age_band",
        "migrant,,",
        "migrant,1990,18_24",
        "migrant,1990,25_34",  # 35 this year, maybe still 34: accepted
    )
    missing, mismatch, borderline = check(data).rows
    assert "birth year or age band is missing" in missing.errors[0]
    assert "does not match birth year 1990" in mismatch.errors[0]
    assert borderline.row is not None and borderline.row.age_band == "25_34"


def test_the_same_person_twice_in_one_file_is_an_error_on_the_second() -> None:
    data = csv_bytes(
        "name,group,birth_year,email",
        "María José García,migrant,1990,MJ@example.org",
        "maria  jose GARCIA,migrant,1990,mj@example.org",
    )
    first, second = check(data).rows
    assert first.action == "create"
    assert second.action == "error" and "duplicate of line 2" in second.errors[0]


# --- re-importing -------------------------------------------------------------------------


def test_re_importing_the_same_file_creates_nobody() -> None:
    codes: set[str] = set()
    fingerprints: dict[str, str] = {}
    first = check(GOOD_FILE, codes=sorted(codes), fingerprints=fingerprints)
    confirm(first, codes, fingerprints)

    again = check(GOOD_FILE, codes=sorted(codes), fingerprints=fingerprints)

    assert again.ok
    assert again.creatable == 0
    assert [line.action for line in again.rows] == ["skip_duplicate"] * 3
    assert {line.row.code for line in again.rows if line.row} == codes


def test_re_importing_with_codes_updates_the_participants() -> None:
    codes: set[str] = set()
    fingerprints: dict[str, str] = {}
    confirm(check(GOOD_FILE), codes, fingerprints)
    amina = fingerprint_of(
        name="Amina Haddad", birth_year=1990, email="amina@example.org", phone=""
    )
    assert amina is not None
    amina_code = fingerprints[amina]
    data = csv_bytes(
        "code,name,group,birth_year,age_band,email,languages",
        f'{amina_code.lower()},Amina Haddad,migrant,1990,,amina@example.org,"ar, fr, es"',
        ",Jordi Puig,host,,35_49,,es",
    )

    result = check(data, codes=sorted(codes), fingerprints=fingerprints)

    assert result.ok, result.errors
    assert [line.action for line in result.rows] == ["update", "skip_duplicate"]
    updated = result.rows[0].row
    assert updated is not None and updated.code == amina_code
    assert updated.languages == ("ar", "fr", "es")


def test_rows_without_a_name_cannot_be_matched_and_say_so() -> None:
    data = csv_bytes("group,age_band", "migrant,18_24", "host,25_34")
    result = check(data)
    assert result.ok and result.creatable == 2
    assert "Lines 2, 3 have neither a name nor a code" in result.warnings[0]


# --- templates ----------------------------------------------------------------------------


def test_the_csv_template_parses_back_without_errors() -> None:
    result = check(template_csv(), "template.csv")
    assert result.ok and result.warnings == ()
    assert result.creatable == 2


def test_the_xlsx_template_parses_back_without_errors() -> None:
    result = check(template_xlsx(), "template.xlsx")
    assert result.ok and result.warnings == ()
    assert result.creatable == 2
    assert result.rows[0].row is not None and result.rows[0].row.birth_year == 1994


# --- ages and fingerprints ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth_year", "band"),
    [(2020, "under_12"), (2013, "12_14"), (2010, "15_17"), (2007, "18_24"), (1960, "65_plus")],
)
def test_age_band_counts_age_as_this_year_minus_birth_year(birth_year: int, band: str) -> None:
    assert age_band_for(birth_year, TODAY) == band
    assert band in AGE_BANDS


def test_someone_who_may_still_be_a_minor_is_treated_as_one() -> None:
    # Born 2007: 18 if their birthday has passed by 1 June 2025, 17 otherwise.
    assert is_minor(2007, None, minor_age=18, today=TODAY)
    assert not is_minor(2007, None, minor_age=18, today=date(2025, 12, 31))
    assert not is_minor(2006, None, minor_age=18, today=TODAY)
    assert is_minor(2010, None, minor_age=16, today=TODAY)


def test_an_age_band_is_minor_unless_it_lies_wholly_above_the_minor_age() -> None:
    assert is_minor(None, "15_17", minor_age=16, today=TODAY)  # straddles: the safer answer
    assert is_minor(None, "15_17", minor_age=18, today=TODAY)
    assert not is_minor(None, "18_24", minor_age=18, today=TODAY)
    assert is_minor(None, "18_24", minor_age=21, today=TODAY)
    assert is_minor(None, None, minor_age=18, today=TODAY)


def test_fingerprints_ignore_case_accents_spacing_and_phone_punctuation() -> None:
    one = fingerprint_of(name="José  Pérez", birth_year=1980, email="", phone="+34 600-111-222")
    two = fingerprint_of(name="jose perez", birth_year=1980, email="", phone="34600111222")
    assert one == two and one is not None
    assert one != fingerprint_of(name="jose perez", birth_year=1981, email="", phone="34600111222")
    assert fingerprint_of(name="  ", birth_year=1980, email="a@b.org", phone="") is None
