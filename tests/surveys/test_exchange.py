"""XLSForm export for KoboToolbox / ODK, raw answer exports, and importing Kobo submissions."""

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from activities.codes import format_code
from app.audit import AuditEntry
from app.errors import Invalid
from surveys import exchange, instruments, links, responses, service, xlsform
from surveys.models import Answer, Response, ResponseScore
from tests.surveys.survey_factories import add_person, issue, make_survey, make_world, waves


def _sheet(book, name):
    rows = list(book[name].iter_rows(values_only=True))
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_the_xlsform_has_survey_choices_and_settings_in_four_languages():
    items = [one for scale in instruments.bank().values() for one in scale.items]
    data = xlsform.build_xlsform(
        title="Cocina", form_id="encuentro_s1", version="v1", items=items, anonymous=False
    )
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["survey", "choices", "settings"]
    head, survey = _sheet(book, "survey")
    assert head[:6] == (
        "type",
        "name",
        "label::English (en)",
        "label::Español (es)",
        "label::Français (fr)",
        "label::العربية (ar)",
    )
    assert {"required", "constraint", "calculation", "appearance"} <= set(head)
    by_name = {row["name"]: row for row in survey}
    assert by_name["participant_code"]["type"] == "text"
    assert by_name["respondent_group"]["type"] == "select_one respondent_group"
    assert "'host'" in by_name["outgroup_es"]["calculation"]
    assert "las personas nacidas aquí" in by_name["outgroup_es"]["calculation"]
    assert by_name["trust_1"]["type"].startswith("select_one likert5_")
    assert "${outgroup_ar}" in by_name["trust_1"]["label::العربية (ar)"]
    assert (
        by_name["therm_1"]["type"] == "integer"
        and by_name["therm_1"]["constraint"] == ". >= 0 and . <= 100"
    )
    assert all(by_name[one.id]["required"] == "yes" for one in items)
    assert [r["type"] for r in survey].count("begin_group") == [r["type"] for r in survey].count(
        "end_group"
    )
    _head, choices = _sheet(book, "choices")
    likert = [c for c in choices if c["list_name"] == by_name["trust_1"]["type"].split()[1]]
    assert [c["name"] for c in likert] == ["1", "2", "3", "4", "5"]
    assert likert[0]["label::Español (es)"] == "Totalmente en desacuerdo"
    yesno = [c for c in choices if c["list_name"] == by_name["sd_1"]["type"].split()[1]]
    assert [(c["name"], c["label::English (en)"]) for c in yesno] == [("0", "No"), ("1", "Yes")]
    _head, settings = _sheet(book, "settings")
    assert settings == [
        {
            "form_title": "Cocina",
            "form_id": "encuentro_s1",
            "version": "v1",
            "default_language": "English (en)",
            "style": "pages",
        }
    ]


def test_an_anonymous_xlsform_asks_the_code_prompts():
    items = list(instruments.bank()["trust"].items)
    book = load_workbook(
        io.BytesIO(
            xlsform.build_xlsform(
                title="x",
                form_id="f",
                version="1",
                items=items,
                anonymous=True,
                outgroup_terms={"host": {"fr": 'les "nouveaux" d\'ici'}},
            )
        )
    )
    _head, survey = _sheet(book, "survey")
    names = [row["name"] for row in survey]
    assert [n for n in names if n and n.startswith("code_")] == [
        "code_mother",
        "code_day",
        "code_siblings",
        "code_birthplace",
    ]
    assert "participant_code" not in names
    calculation = next(r for r in survey if r["name"] == "outgroup_fr")["calculation"]
    assert "concat(" in calculation  # a term with both quote marks is still valid XPath


@pytest.fixture
def world(db):
    return make_world(db)


def test_raw_answers_export_names_respondents_by_code_and_is_audited(db, world):
    person = add_person(db, world)
    survey = make_survey(db, world, scales=["thermometer"])
    token = issue(db, world, waves(db, survey)["pre"])[person.id]
    visit = responses.open_link(session=db, token=token)
    response = responses.start(session=db, visit=visit, language="es")
    items = responses.instrument_of(session=db, visit=visit).items
    responses.finish(
        session=db, response=response, items=items, values={"therm_1": 80}, language="es"
    )
    name, data = exchange.answers_csv(session=db, actor=world.organizer, survey_id=survey.id)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert name.endswith(".csv") and len(rows) == 1
    assert rows[0]["respondent"] == person.code and rows[0]["item_id"] == "therm_1"
    assert rows[0]["value"] == "80" and "[the other group]" in rows[0]["item_label"]
    assert person.name not in data.decode()
    _name, xlsx = exchange.answers_xlsx(session=db, actor=world.organizer, survey_id=survey.id)
    book = load_workbook(io.BytesIO(xlsx))
    assert book.sheetnames == ["answers", "items"]
    head, answers = _sheet(book, "answers")
    assert answers[0]["therm_1"] == 80 and answers[0]["wave"] == "pre"
    logged = db.exec(
        select(AuditEntry).where(
            AuditEntry.subject_type == "survey", AuditEntry.subject_id == survey.id
        )
    ).all()
    assert [e.action for e in logged] == ["export", "export"]


def _kobo_csv(rows, columns):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue().encode()


def test_kobo_submissions_import_by_item_id_once(db, world):
    first, second = add_person(db, world, group="host"), add_person(db, world)
    survey = make_survey(db, world, scales=["thermometer", "trust"])
    pre = waves(db, survey)["pre"]
    columns = [
        "start",
        "end",
        "participant_code",
        "respondent_group",
        "page_1/therm_1",
        "page_1/trust_1",
        "page_1/trust_2",
        "page_1/trust_3",
        "page_1/trust_4",
        "_uuid",
        "_submission_time",
    ]
    data = _kobo_csv(
        [
            [
                "",
                "",
                format_code(first.code),
                "host",
                "70",
                "4",
                "4",
                "2",
                "5",
                "u-1",
                "2026-11-01T10:00:00",
            ],
            [
                "",
                "",
                second.code.lower(),
                "migrant",
                "40",
                "2",
                "3",
                "4",
                "2",
                "u-2",
                "2026-11-01T11:00:00",
            ],
        ],
        columns,
    )
    report = exchange.import_submissions(
        session=db, actor=world.organizer, wave_id=pre.id, filename="kobo.csv", data=data
    )
    assert (report.imported, report.errors, report.skipped) == (2, [], [])
    rows = db.exec(select(Response).where(Response.wave_id == pre.id)).all()
    assert {r.participant_id for r in rows} == {first.id, second.id}
    assert all(r.source == "import" and r.submitted_at for r in rows)
    mine = next(r for r in rows if r.participant_id == first.id)
    assert {
        a.item_id: a.value for a in db.exec(select(Answer).where(Answer.response_id == mine.id))
    }["therm_1"] == 70
    assert db.exec(select(ResponseScore).where(ResponseScore.response_id == mine.id)).all()
    again = exchange.import_submissions(
        session=db, actor=world.organizer, wave_id=pre.id, filename="kobo.csv", data=data
    )
    assert again.imported == 0 and len(again.skipped) == 2
    assert len(db.exec(select(Response).where(Response.wave_id == pre.id)).all()) == 2


def test_an_import_with_a_bad_row_writes_nothing(db, world):
    person = add_person(db, world)
    survey = make_survey(db, world, scales=["thermometer"])
    pre = waves(db, survey)["pre"]
    data = _kobo_csv(
        [[person.code, "70"], ["ZZZ999", "40"], [person.code, "400"]],
        ["participant_code", "therm_1"],
    )
    report = exchange.import_submissions(
        session=db, actor=world.organizer, wave_id=pre.id, filename="kobo.csv", data=data
    )
    assert report.imported == 0
    assert report.errors == [
        "row 3: participant_code is not a participant enrolled in this activity",
        "row 4: therm_1: 400 is outside 0-100 (thermometer)",
    ]
    assert db.exec(select(Response).where(Response.wave_id == pre.id)).all() == []
    with pytest.raises(Invalid):
        exchange.read_table("x.xlsx", b"not a spreadsheet")


def test_anonymous_submissions_import_with_the_code_prompts(db, world):
    survey = make_survey(db, world, anonymous=True, scales=["thermometer"])
    pre = waves(db, survey)["pre"]
    data = _kobo_csv(
        [["Fátima", "3", "1", "Alepo", "migrant", "60"]],
        [
            "code_mother",
            "code_day",
            "code_siblings",
            "code_birthplace",
            "respondent_group",
            "therm_1",
        ],
    )
    report = exchange.import_submissions(
        session=db, actor=world.organizer, wave_id=pre.id, filename="a.csv", data=data
    )
    assert report.imported == 1
    row = db.exec(select(Response).where(Response.wave_id == pre.id)).one()
    assert row.anon_code == "F031A" and row.participant_id is None
    assert links is not None and service is not None
