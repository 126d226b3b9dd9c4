"""An instrument version as an XLSForm (KoboToolbox, ODK Collect, Enketo): survey, choices and
settings sheets, every label in English, Spanish, French and Arabic.

Pure: takes the items and returns the workbook's bytes (openpyxl). Choices of the paper form:

* Each field is named by its item id, so submissions exported from Kobo or ODK (CSV or XLSX, with
  XML values, not labels) import back by item id (`surveys.imports`); group prefixes such as
  ``page_2/trust_1`` or ``page_2-trust_1`` are stripped on import.
* Items sit in groups of one page each (``field-list``), as on the web.
* ``{outgroup}`` cannot be resolved before the respondent says who they are, so the form asks
  ``respondent_group`` first and computes one ``outgroup_<lang>`` per language; labels refer to
  ``${outgroup_<lang>}``. The organizer's own terms for the other group are used when set.
* Likert and yes/no items are ``select_one`` lists (values as stored on the web: 1..5, 1..7, 0/1);
  0-10 items a ``select_one`` of 0..10; the thermometer an ``integer`` constrained to 0-100.
* Named surveys ask for the participant's code; anonymous ones ask the four prompts of the
  self-generated code (`surveys.anonymous`), which the import turns into the code.
* Every item is required. The child-friendly variant (smileys) is web-only.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl import Workbook

from surveys import scoring
from surveys.bank.outgroup import OUTGROUP_TERMS
from surveys.instruments import LANGUAGES, OUTGROUP, ItemDef
from surveys.respond_text import TEXT

LANGUAGE_LABELS = {
    "en": "English (en)",
    "es": "Español (es)",
    "fr": "Français (fr)",
    "ar": "العربية (ar)",
}
SURVEY_COLUMNS = ["type", "name", *[f"label::{LANGUAGE_LABELS[lang]}" for lang in LANGUAGES]]
SURVEY_COLUMNS += [f"hint::{LANGUAGE_LABELS[lang]}" for lang in LANGUAGES]
SURVEY_COLUMNS += ["required", "constraint"]
SURVEY_COLUMNS += ["calculation", "appearance"]
CHOICE_COLUMNS = ["list_name", "name", *[f"label::{LANGUAGE_LABELS[lang]}" for lang in LANGUAGES]]
SETTINGS_COLUMNS = ["form_title", "form_id", "version", "default_language", "style"]
CODE_PROMPTS = ("mother", "day", "siblings", "birthplace")


def _xpath_string(text: str) -> str:
    if '"' not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    return "concat(" + ", '\"', ".join(f'"{part}"' for part in text.split('"')) + ")"


def _term(group: str, lang: str, terms: Mapping[str, Mapping[str, str]]) -> str:
    return (terms.get(group) or {}).get(lang) or OUTGROUP_TERMS[group][lang]


def _outgroup_calculation(lang: str, terms: Mapping[str, Mapping[str, str]]) -> str:
    migrant, host, other = (
        _xpath_string(_term(g, lang, terms)) for g in ("migrant", "host", "other")
    )
    return (
        f"if(${{respondent_group}} = 'migrant', {migrant}, "
        f"if(${{respondent_group}} = 'host', {host}, {other}))"
    )


def _labels(texts: Mapping[str, str]) -> dict[str, str]:
    return {
        f"label::{LANGUAGE_LABELS[lang]}": texts.get(lang, texts.get("en", ""))
        for lang in LANGUAGES
    }


def _item_labels(one: ItemDef) -> dict[str, str]:
    return {
        f"label::{LANGUAGE_LABELS[lang]}": one.text.get(lang, one.text["en"]).replace(
            OUTGROUP, f"${{outgroup_{lang if lang in one.text else 'en'}}}"
        )
        for lang in LANGUAGES
    }


def _list_name(one: ItemDef) -> str:
    """Items with the same format and anchors share a choice list."""
    key = repr((one.format, sorted((k, tuple(v)) for k, v in one.anchors.items())))
    return f"{one.format}_{hashlib.sha1(key.encode()).hexdigest()[:6]}"  # noqa: S324 - a name


def _choices(one: ItemDef) -> list[dict[str, Any]]:
    name = _list_name(one)
    if one.format == "scale0_10":
        rows = []
        for value in range(0, 11):
            labels = {lang: str(value) for lang in LANGUAGES}
            if value in (0, 10):
                end = 0 if value == 0 else -1
                labels = {
                    lang: f"{value} – {one.anchors.get(lang, one.anchors['en'])[end]}"
                    for lang in LANGUAGES
                }
            rows.append({"list_name": name, "name": str(value), **_labels(labels)})
        return rows
    return [
        {
            "list_name": name,
            "name": str(one.min_value + k),
            **_labels({lang: one.anchors.get(lang, one.anchors["en"])[k] for lang in LANGUAGES}),
        }
        for k in range(len(one.anchors["en"]))
    ]


def _item_row(one: ItemDef) -> dict[str, Any]:
    row: dict[str, Any] = {"name": one.id, "required": "yes", **_item_labels(one)}
    if one.format == "thermometer":
        row |= {"type": "integer", "constraint": ". >= 0 and . <= 100"}
        for lang in LANGUAGES:
            ends = one.anchors.get(lang, one.anchors["en"])
            row[f"hint::{LANGUAGE_LABELS[lang]}"] = f"0 = {ends[0]}; 100 = {ends[-1]}"
    else:
        row |= {"type": f"select_one {_list_name(one)}"}
        if one.format in ("likert5", "likert7"):
            row["appearance"] = "likert"
    return row


def _identity_rows(anonymous: bool) -> list[dict[str, Any]]:
    if not anonymous:
        return [
            {
                "type": "text",
                "name": "participant_code",
                "required": "yes",
                **_labels(
                    {
                        "en": "Participant code",
                        "es": "Código de participante",
                        "fr": "Code du participant",
                        "ar": "رمز المشارك",
                    }
                ),
            }
        ]
    rows = []
    for prompt in CODE_PROMPTS:
        numeric = prompt in ("day", "siblings")
        row = {
            "type": "integer" if numeric else "text",
            "name": f"code_{prompt}",
            "required": "yes",
            **_labels(TEXT[f"prompt_{prompt}"]),
        }
        if prompt == "day":
            row["constraint"] = ". >= 1 and . <= 31"
        if prompt == "siblings":
            row["constraint"] = ". >= 0"
        rows.append(row)
    return rows


def build_xlsform(
    *,
    title: str,
    form_id: str,
    version: str,
    items: Sequence[ItemDef],
    anonymous: bool,
    outgroup_terms: Mapping[str, Mapping[str, str]] | None = None,
) -> bytes:
    """The XLSForm workbook (survey, choices, settings) as .xlsx bytes."""
    terms = outgroup_terms or {}
    survey: list[dict[str, Any]] = [
        {"type": "start", "name": "start"},
        {"type": "end", "name": "end"},
    ]
    survey += _identity_rows(anonymous)
    survey.append(
        {
            "type": "select_one respondent_group",
            "name": "respondent_group",
            "required": "yes",
            **_labels(TEXT["group_question"]),
        }
    )
    for lang in LANGUAGES:
        survey.append(
            {
                "type": "calculate",
                "name": f"outgroup_{lang}",
                "calculation": _outgroup_calculation(lang, terms),
            }
        )
    choices: list[dict[str, Any]] = [
        {"list_name": "respondent_group", "name": group, **_labels(TEXT[f"group_{group}"])}
        for group in ("migrant", "host", "other")
    ]
    seen: set[str] = set()
    for number, page in enumerate(scoring.pages(items), start=1):
        survey.append({"type": "begin_group", "name": f"page_{number}", "appearance": "field-list"})
        for one in page:
            survey.append(_item_row(one))
            if one.format != "thermometer" and _list_name(one) not in seen:
                seen.add(_list_name(one))
                choices += _choices(one)
        survey.append({"type": "end_group", "name": f"page_{number}"})
    settings = [
        {
            "form_title": title,
            "form_id": form_id,
            "version": version,
            "default_language": LANGUAGE_LABELS["en"],
            "style": "pages",
        }
    ]
    return _workbook(
        [
            ("survey", SURVEY_COLUMNS, survey),
            ("choices", CHOICE_COLUMNS, choices),
            ("settings", SETTINGS_COLUMNS, settings),
        ]
    )


def _workbook(sheets: Sequence[tuple[str, list[str], list[dict[str, Any]]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for name, columns, rows in sheets:
        sheet = book.create_sheet(name)
        sheet.append(columns)
        for row in rows:
            sheet.append([row.get(column, "") for column in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
