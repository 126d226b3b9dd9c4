"""Organizer pages: set up a survey, choose scales, add and translate questions, date the waves,
print the link sheet, follow progress, export and import; all scoped to the organization."""

import io
import re

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from surveys import links
from surveys import views as survey_views
from surveys.models import Survey, SurveyLink
from tests.factories import login, make_org, make_user, post_form
from tests.surveys.survey_factories import add_person, make_survey, make_world, waves


@pytest.fixture
def world(db):
    return make_world(db)


@pytest.fixture
def signed_in(client, world):
    login(client, world.organizer)
    return client


def test_nav_and_home_lead_to_surveys(signed_in, world):
    home = signed_in.get("/")
    assert home.text.count('href="http://testserver/surveys"') >= 2
    listing = signed_in.get("/surveys")
    assert world.activity.title in listing.text and "Set up a survey" in listing.text


def test_an_organizer_sets_up_a_survey_from_the_activity(signed_in, db, world):
    new = signed_in.get(f"/activities/{world.activity.id}/survey")
    assert new.status_code == 200 and "Intergroup trust" in new.text and "Tam, T." in new.text
    assert "4 questions" in new.text and "built-in" not in new.text
    created = post_form(
        signed_in,
        f"/activities/{world.activity.id}/survey",
        {
            "title": "Antes y después",
            "anonymous": "no",
            "child_mode": "auto",
            "scales": ["trust", "thermometer"],
        },
    )
    assert created.status_code == 303
    survey = db.exec(select(Survey).where(Survey.activity_id == world.activity.id)).one()
    page = signed_in.get(created.headers["location"])
    assert "Survey created" in page.text and "Antes y después" in page.text
    assert "5 questions in all." in page.text
    assert (
        signed_in.get(f"/activities/{world.activity.id}/survey")
        .headers["location"]
        .endswith(f"/surveys/{survey.id}")
    )
    added = post_form(
        signed_in,
        f"/surveys/{survey.id}/items",
        {
            "text_en": "I cooked with {outgroup} this month.",
            "text_es": "Cociné con {outgroup} este mes.",
            "format": "yesno",
            "scale": "own",
        },
    )
    assert added.status_code == 303
    page = signed_in.get(f"/surveys/{survey.id}")
    assert (
        'data-testid="missing-own_1-fr"' in page.text
        and 'data-testid="missing-own_1-ar"' in page.text
    )
    assert 'data-testid="missing-own_1-es"' not in page.text
    assert "Missing translation" in page.text
    edit = signed_in.get(f"/surveys/{survey.id}/items/own_1")
    assert "Missing translations: FR, AR" in edit.text
    post_form(
        signed_in,
        f"/surveys/{survey.id}/items/own_1",
        {
            "text_en": "I cooked with {outgroup} this month.",
            "text_es": "Cociné con {outgroup} este mes.",
            "text_fr": "J'ai cuisiné avec {outgroup} ce mois-ci.",
            "text_ar": "طبخت مع {outgroup} هذا الشهر.",
            "format": "yesno",
        },
    )
    assert "Missing translation" not in signed_in.get(f"/surveys/{survey.id}").text
    scales = post_form(signed_in, f"/surveys/{survey.id}/scales", {"scales": ["trust"]})
    assert "Instrument saved" in signed_in.get(scales.headers["location"]).text
    pre = waves(db, survey)["pre"]
    moved = post_form(
        signed_in, f"/waves/{pre.id}", {"opens_on": "2027-01-01", "closes_on": "2027-01-20"}
    )
    assert "Wave dates saved" in signed_in.get(moved.headers["location"]).text
    bad = post_form(
        signed_in, f"/waves/{pre.id}", {"opens_on": "2027-01-20", "closes_on": "2027-01-01"}
    )
    assert "closes before it opens" in signed_in.get(bad.headers["location"]).text
    settings = post_form(
        signed_in,
        f"/surveys/{survey.id}/settings",
        {
            "title": "Nuevo título",
            "anonymous": "no",
            "child_mode": "always",
            "term_host_es": "los vecinos nuevos",
        },
    )
    assert settings.status_code == 303
    db.refresh(survey)
    assert survey.child_mode == "always" and survey.outgroup_terms == {
        "host": {"es": "los vecinos nuevos"}
    }


def test_the_link_sheet_prints_qr_codes_and_lists_reminders(signed_in, db, world):
    ready = add_person(db, world)
    blocked = add_person(db, world, consent=False)
    survey = make_survey(db, world)
    pre = waves(db, survey)["pre"]
    empty = signed_in.get(f"/waves/{pre.id}/links")
    assert "No link yet" in empty.text
    issued = post_form(signed_in, f"/waves/{pre.id}/links")
    sheet = signed_in.get(issued.headers["location"])
    assert "Some participants cannot get a link yet" in sheet.text
    assert (
        f'data-testid="blocked-{blocked.code}"' in sheet.text
        and "Consent for surveys is missing" in sheet.text
    )
    assert sheet.text.count('class="segno"') == 1 and "<title>QR code</title>" in sheet.text
    urls = re.findall(r"http://testserver/s/[A-Za-z0-9_-]{43}", sheet.text)
    assert urls and len(set(urls)) == 1
    assert "@media print" in sheet.text
    assert "Copy their links into a message" in sheet.text or "have not completed" in sheet.text
    link = db.exec(select(SurveyLink).where(SurveyLink.participant_id == ready.id)).one()
    revoked = post_form(signed_in, f"/links/{link.id}/revoke")
    assert "revoked" in signed_in.get(revoked.headers["location"]).text
    reissued = post_form(signed_in, f"/links/{link.id}/reissue")
    after = signed_in.get(reissued.headers["location"] + "?qr=0")
    new_urls = re.findall(r"http://testserver/s/[A-Za-z0-9_-]{43}", after.text)
    assert new_urls and new_urls[0] != urls[0] and "segno" not in after.text


def test_an_anonymous_survey_has_a_public_link(signed_in, db, world):
    survey = make_survey(db, world, anonymous=True)
    pre = waves(db, survey)["pre"]
    page = signed_in.get(f"/waves/{pre.id}/links")
    assert "Create the public link" in page.text
    post_form(signed_in, f"/waves/{pre.id}/public")
    page = signed_in.get(f"/waves/{pre.id}/links")
    assert 'data-testid="public-url"' in page.text and 'class="segno"' in page.text
    assert links.public_link(session=db, actor=world.organizer, wave_id=pre.id).kind == "public"


def test_downloads_and_import(signed_in, db, world):
    person = add_person(db, world)
    survey = make_survey(db, world, scales=["thermometer"])
    form = signed_in.get(f"/surveys/{survey.id}/xlsform.xlsx")
    assert form.status_code == 200 and "attachment" in form.headers["content-disposition"]
    assert load_workbook(io.BytesIO(form.content)).sheetnames == ["survey", "choices", "settings"]
    pre = waves(db, survey)["pre"]
    data = f"participant_code,therm_1\n{person.code},60\n".encode()
    imported = signed_in.post(
        f"/waves/{pre.id}/import",
        data={"csrftoken": signed_in.cookies["csrftoken"]},
        files={"file": ("kobo.csv", data, "text/csv")},
    )
    assert imported.status_code == 200 and "1 response imported." in imported.text
    page = signed_in.get(f"/surveys/{survey.id}")
    assert 'data-testid="completed-pre">1<' in page.text
    csv_file = signed_in.get(f"/surveys/{survey.id}/answers.csv")
    assert person.code in csv_file.text and "therm_1" in csv_file.text
    xlsx = signed_in.get(f"/surveys/{survey.id}/answers.xlsx")
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames == ["answers", "items"]


def test_every_organizer_page_is_scoped_to_the_organization(client, db, world):
    person = add_person(db, world)
    survey = make_survey(db, world)
    pre = waves(db, survey)["pre"]
    links.issue_links(session=db, actor=world.organizer, wave_id=pre.id)
    link = db.exec(select(SurveyLink).where(SurveyLink.participant_id == person.id)).one()
    ids = {
        "activity_id": world.activity.id,
        "survey_id": survey.id,
        "wave_id": pre.id,
        "link_id": link.id,
        "item_id": "own_1",
    }
    stranger = make_user(db, make_org(db))
    login(client, stranger)
    checked = 0
    for route in survey_views.router.routes:
        path = route.path.format(**ids)  # type: ignore[attr-defined]
        if path == "/surveys":
            continue
        for method in route.methods:  # type: ignore[attr-defined]
            if method == "GET":
                answer = client.get(path)
            elif "import" in path:
                answer = client.post(
                    path,
                    data={"csrftoken": client.cookies["csrftoken"]},
                    files={"file": ("x.csv", b"a\n")},
                )
            else:
                answer = post_form(
                    client,
                    path,
                    {
                        "kind": "follow_up",
                        "opens_on": "2030-01-01",
                        "closes_on": "2030-01-02",
                        "text_en": "x",
                    },
                )
            assert answer.status_code == 404, (method, path, answer.status_code)
            checked += 1
    assert checked >= 20
    db.refresh(survey)
    assert survey.title == world.activity.title  # nothing changed
    assert [w.kind for w in waves(db, survey).values()].count("follow_up") == 0
    assert (
        links.link_sheet(session=db, actor=world.organizer, wave_id=pre.id).rows[0].link.revoked_at
        is None
    )
    assert client.get("/surveys").text.count(world.activity.title) == 0
