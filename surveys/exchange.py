"""Survey data in and out, for organizers: the instrument as an XLSForm, the raw answers as CSV or
XLSX, and submissions collected with KoboToolbox or ODK imported back.

Raw answers. CSV: one row per answer (long), each with the item id and its English label, so the
file explains itself. XLSX: an ``answers`` sheet with one row per response and one column per item
id, and an ``items`` sheet with each id's scale, format, coding and label. Respondents are named by
their pseudonymous code (or anonymous code) only; the export is audit-logged.

Import (CSV — comma or semicolon — or XLSX exported "with XML values"): columns are matched by item
id (a group prefix before ``/`` or ``-`` is ignored). Named surveys need ``participant_code`` (an
enrolled participant); anonymous ones ``anon_code`` or the four ``code_*`` prompts, plus
``respondent_group``. Every row is checked first; if any row is wrong nothing is written and each
problem is reported with its row number. Rows whose participant or code already answered the wave
are skipped, so importing the same file twice creates nothing new. Imported responses are complete
and get their scores like web ones.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from openpyxl import Workbook
from sqlalchemy import insert
from sqlmodel import Session, col, select

from activities.codes import normalise_code
from activities.participants.models import Participant
from activities.participants.service import list_enrollments
from app import audit
from app.accounts.models import User, utcnow
from app.errors import Invalid
from app.i18n import _
from surveys import anonymous, scoring, xlsform
from surveys.instruments import LANGUAGES, OUTGROUP, RESPONDENT_GROUPS, ItemDef
from surveys.models import (
    Answer,
    InstrumentVersion,
    Response,
    ResponseScore,
    ResponseSource,
    Survey,
    Wave,
)
from surveys.service import (
    current_version,
    list_waves,
    scoped_survey,
    scoped_wave,
    version_items,
)

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 5000


# --- XLSForm ------------------------------------------------------------------------------------


def instrument_xlsform(*, session: Session, actor: User, survey_id: int) -> tuple[str, bytes]:
    """(file name, .xlsx bytes) of the survey's current instrument as an XLSForm."""
    survey = scoped_survey(session=session, actor=actor, survey_id=survey_id)
    version = current_version(session=session, survey=survey)
    data = xlsform.build_xlsform(
        title=survey.title,
        form_id=f"encuentro_s{survey.id}",
        version=f"v{version.number}_{version.edited_at:%Y%m%d%H%M}",
        items=version_items(version),
        anonymous=survey.anonymous,
        outgroup_terms=survey.outgroup_terms,
    )
    return f"encuentro-survey-{survey.id}-v{version.number}-xlsform.xlsx", data


# --- raw answers --------------------------------------------------------------------------------


def _label(one: ItemDef) -> str:
    return one.text["en"].replace(OUTGROUP, "[the other group]")


def _rows(session: Session, survey: Survey) -> tuple[list[dict[str, Any]], dict[str, ItemDef]]:
    waves = {w.id: w for w in list_waves(session=session, survey=survey)}
    query = (
        select(Response, Participant.code, InstrumentVersion)
        .join(Participant, col(Participant.id) == col(Response.participant_id), isouter=True)
        .join(InstrumentVersion, col(InstrumentVersion.id) == col(Response.instrument_version_id))
        .where(col(Response.wave_id).in_(list(waves)))
        .order_by(col(Response.id))
    )
    found = session.exec(query).all()
    items: dict[str, ItemDef] = {}
    ids = [r.id for r, _c, _v in found]
    answers: dict[int, dict[str, float]] = {i: {} for i in ids if i is not None}
    for answer in session.exec(select(Answer).where(col(Answer.response_id).in_(ids))):
        answers[answer.response_id][answer.item_id] = answer.value
    rows = []
    for response, code, version in found:
        for one in version_items(version):
            items.setdefault(one.id, one)
        rows.append(
            {
                "response_id": response.id,
                "wave": waves[response.wave_id].kind,
                "respondent": code or response.anon_code or "",
                "respondent_group": response.respondent_group,
                "language": response.language,
                "child_mode": response.child_mode,
                "instrument_version": version.number,
                "source": response.source,
                "started_at": response.started_at.isoformat(),
                "submitted_at": response.submitted_at.isoformat() if response.submitted_at else "",
                "answers": answers.get(response.id or 0, {}),
            }
        )
    return rows, items


def _log(session: Session, actor: User, survey: Survey, detail: str) -> None:
    audit.record(
        session=session,
        actor=actor,
        action=audit.AuditAction.EXPORT,
        subject_type="survey",
        subject_id=survey.id,
        detail=detail,
    )
    session.commit()


def answers_csv(*, session: Session, actor: User, survey_id: int) -> tuple[str, bytes]:
    """One row per answer, with the item id and label; audit-logged."""
    survey = scoped_survey(session=session, actor=actor, survey_id=survey_id)
    rows, items = _rows(session, survey)
    out = io.StringIO()
    writer = csv.writer(out)
    head = ["response_id", "wave", "respondent", "respondent_group", "language", "child_mode"]
    head += ["instrument_version", "submitted_at", "item_id", "scale", "item_label", "value"]
    writer.writerow(head)
    for row in rows:
        for item_id, value in sorted(row["answers"].items()):
            one = items.get(item_id)
            writer.writerow(
                [row[k] for k in head[:8]]
                + [item_id, one.scale if one else "", _label(one) if one else "", f"{value:g}"]
            )
    _log(session, actor, survey, "raw survey answers (CSV)")
    return f"encuentro-survey-{survey.id}-answers.csv", out.getvalue().encode("utf-8-sig")


def answers_xlsx(*, session: Session, actor: User, survey_id: int) -> tuple[str, bytes]:
    """An `answers` sheet (one row per response) and an `items` sheet; audit-logged."""
    survey = scoped_survey(session=session, actor=actor, survey_id=survey_id)
    rows, items = _rows(session, survey)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "answers"
    head = [k for k in (rows[0] if rows else {"response_id": 0}) if k != "answers"]
    sheet.append(head + list(items))
    for row in rows:
        sheet.append([row[k] for k in head] + [row["answers"].get(i) for i in items])
    legend = book.create_sheet("items")
    legend.append(["item_id", "scale", "format", "reverse", "min", "max", "label_en"])
    for one in items.values():
        legend.append(
            [one.id, one.scale, one.format, one.reverse, one.min_value, one.max_value, _label(one)]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    _log(session, actor, survey, "raw survey answers (XLSX)")
    return f"encuentro-survey-{survey.id}-answers.xlsx", buffer.getvalue()


# --- import -------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    imported: int = 0
    skipped: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class _Row:
    number: int
    participant_id: int | None
    anon_code: str | None
    group: str
    language: str
    values: dict[str, float]
    submitted_at: datetime
    key: str | None


def read_table(filename: str, data: bytes) -> pd.DataFrame:
    """A CSV (comma or semicolon) or XLSX file as text cells; Invalid if unreadable."""
    if len(data) > MAX_IMPORT_BYTES:
        raise Invalid(_("The file is too large (at most 5 MB)."))
    try:
        if filename.lower().endswith((".xlsx", ".xlsm")):
            table = pd.read_excel(io.BytesIO(data), dtype=str, engine="openpyxl")
        else:
            text = data.decode("utf-8-sig")
            table = pd.read_csv(io.StringIO(text), dtype=str, sep=None, engine="python")
    except Exception as error:  # noqa: BLE001 - any parse failure is the same message to the user
        raise Invalid(_("The file could not be read as CSV or XLSX.")) from error
    if len(table) > MAX_IMPORT_ROWS:
        raise Invalid(_("Too many rows (at most 5000)."))
    return table.fillna("")


def _column_names(columns: list[str], known: set[str]) -> dict[str, str]:
    """Header -> field name: exact, else the part after the last '/' or '-' (group prefixes)."""
    names: dict[str, str] = {}
    for column in columns:
        bare = str(column).strip()
        for candidate in (bare, bare.rsplit("/", 1)[-1], bare.rsplit("-", 1)[-1]):
            if candidate in known:
                names[column] = candidate
                break
    return names


def _when(text: str) -> datetime:
    try:
        moment = pd.Timestamp(text)
    except (ValueError, TypeError):
        return utcnow()
    if pd.isna(moment):
        return utcnow()
    stamp = moment.to_pydatetime()
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def _identity(
    cells: dict[str, str], survey: Survey, codes: dict[str, Participant]
) -> tuple[int | None, str | None, str]:
    """(participant id, anonymous code, group) of a row, or ValueError saying what is wrong."""
    if not survey.anonymous:
        person = codes.get(normalise_code(cells.get("participant_code", "")))
        if person is None:
            raise ValueError("participant_code is not a participant enrolled in this activity")
        return person.id, None, str(person.group)
    group = cells.get("respondent_group", "").strip()
    if group not in RESPONDENT_GROUPS:
        raise ValueError("respondent_group must be migrant, host or other")
    if cells.get("anon_code", "").strip():
        return None, anonymous.normalise_code(cells["anon_code"]), group
    prompts = {p: cells.get(f"code_{p}", "") for p in anonymous.PROMPTS}
    try:
        return None, anonymous.make_code(anonymous.CodeAnswers.of(prompts)), group
    except anonymous.CodeError as error:
        raise ValueError(f"self-generated code: {error}") from None


def _parse_row(
    number: int,
    cells: dict[str, str],
    items: tuple[ItemDef, ...],
    survey: Survey,
    codes: dict[str, Participant],
) -> _Row:
    participant_id, anon_code, group = _identity(cells, survey, codes)
    values: dict[str, float] = {}
    for one in items:
        raw = cells.get(one.id, "").strip()
        if raw == "":
            raise ValueError(f"{one.id} has no answer")
        values[one.id] = scoring.check_value(one, raw)
    language = cells.get("language", "").strip().lower()[:2]
    uuid = cells.get("_uuid", "").strip() or cells.get("meta/instanceID", "").strip()
    return _Row(
        number=number,
        participant_id=participant_id,
        anon_code=anon_code,
        group=group,
        language=language if language in LANGUAGES else "en",
        values=values,
        submitted_at=_when(cells.get("_submission_time") or cells.get("end") or ""),
        key=uuid[:50] or None,
    )


def _existing(session: Session, wave: Wave) -> tuple[set[int], set[str]]:
    query = select(Response.participant_id, Response.anon_code).where(Response.wave_id == wave.id)
    found = session.exec(query).all()
    return {p for p, _c in found if p is not None}, {c for _p, c in found if c is not None}


def _write(session: Session, wave: Wave, version: InstrumentVersion, row: _Row) -> None:
    assert version.id is not None and wave.id is not None
    response = Response(
        wave_id=wave.id,
        instrument_version_id=version.id,
        participant_id=row.participant_id,
        anon_code=row.anon_code,
        idempotency_key=f"import:{wave.id}:{row.key}" if row.key else None,
        respondent_group=row.group,
        language=row.language,
        source=ResponseSource.IMPORT,
        started_at=row.submitted_at,
        updated_at=utcnow(),
        submitted_at=row.submitted_at,
    )
    session.add(response)
    session.flush()
    session.execute(
        insert(Answer).values(
            [
                {
                    "response_id": response.id,
                    "item_id": k,
                    "value": v,
                    "answered_at": row.submitted_at,
                }
                for k, v in row.values.items()
            ]
        )
    )
    scores = scoring.compute_scores(version_items(version), row.values)
    session.execute(
        insert(ResponseScore).values(
            [
                {
                    "response_id": response.id,
                    "scale_id": s.scale_id,
                    "score": s.score,
                    "raw_mean": s.raw_mean,
                    "n_items": s.n_items,
                }
                for s in scores
            ]
        )
    )


def import_submissions(
    *, session: Session, actor: User, wave_id: int, filename: str, data: bytes
) -> ImportReport:
    """Import a Kobo/ODK export into the wave: all rows or none (see the module docstring)."""
    wave, survey = scoped_wave(session=session, actor=actor, wave_id=wave_id)
    version = current_version(session=session, survey=survey)
    items = version_items(version)
    table = read_table(filename, data)
    fields = {one.id for one in items} | {"participant_code", "anon_code", "respondent_group"}
    fields |= {f"code_{p}" for p in anonymous.PROMPTS} | {"language", "_uuid", "_submission_time"}
    fields |= {"end", "meta/instanceID"}
    names = _column_names([str(c) for c in table.columns], fields)
    codes = {
        p.code: p
        for _e, p in list_enrollments(session=session, actor=actor, activity_id=survey.activity_id)
    }
    done_people, done_codes = _existing(session, wave)
    report, rows = ImportReport(), []
    for index, record in enumerate(table.to_dict("records"), start=2):
        cells = {names[c]: str(v) for c, v in record.items() if c in names}
        try:
            row = _parse_row(index, cells, items, survey, codes)
        except ValueError as error:
            report.errors.append(f"row {index}: {error}")
            continue
        if row.participant_id in done_people or row.anon_code in done_codes:
            report.skipped.append(f"row {index}: already answered this wave")
            continue
        done_people.add(row.participant_id or 0)
        done_codes.add(row.anon_code or "")
        rows.append(row)
    if report.errors:
        return report
    for row in rows:
        _write(session, wave, version, row)
    report.imported = len(rows)
    audit.record(
        session=session,
        actor=actor,
        action=audit.AuditAction.IMPORT,
        subject_type="survey",
        subject_id=survey.id,
        detail=f"{report.imported} survey responses imported into the {wave.kind} wave "
        f"from {filename[:100]}",
    )
    session.commit()
    return report
