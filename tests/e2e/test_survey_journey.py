"""An organizer sets up a survey and issues personal links; a participant on a phone (360×740)
opens hers, switches to Arabic, answers, reloads mid-way (answers kept), double-taps "send" and
sees the thank-you; a second one answers in Spanish with JavaScript off; the organizer then sees
the completed responses."""

import re
from datetime import date, timedelta

import httpx
from playwright.sync_api import expect

from app.demo import DEMO_PASSWORD
from tests.e2e.conftest import screenshot, sign_in

PHONE = {"width": 360, "height": 740}
ORGANIZER = "organizer@demo.encuentro.org"


def _api_setup(base_url: str) -> tuple[str, list[str]]:
    """An activity with two enrolled, consenting participants (set up through the API)."""
    with httpx.Client(base_url=base_url) as api:
        token = api.post(
            "/api/v1/auth/token", data={"username": ORGANIZER, "password": DEMO_PASSWORD}
        )
        auth = {"Authorization": f"Bearer {token.json()['access_token']}"}
        start = date.today() + timedelta(days=5)
        title = f"Huerto compartido {date.today().isoformat()}"
        activity = api.post(
            "/api/v1/activities",
            json={
                "title": title,
                "kind": "gardening",
                "start_date": start.isoformat(),
                "end_date": (start + timedelta(weeks=12)).isoformat(),
            },
            headers=auth,
        )
        assert activity.status_code == 201, activity.text
        ids, codes = [], []
        for group, language, year in (("migrant", "en", 1988), ("host", "es", 1979)):
            person = api.post(
                "/api/v1/participants",
                json={
                    "group": group,
                    "birth_year": year,
                    "preferred_language": language,
                    "languages": [language],
                },
                headers=auth,
            ).json()
            consent = api.post(
                f"/api/v1/participants/{person['id']}/consents",
                json={
                    "kind": "participant",
                    "purposes": ["participation", "surveys"],
                    "given_on": date.today().isoformat(),
                },
                headers=auth,
            )
            assert consent.status_code == 201, consent.text
            ids.append(person["id"])
            codes.append(person["code"].replace("-", ""))
        enrolled = api.post(
            f"/api/v1/activities/{activity.json()['id']}/enrollments",
            json={"participant_ids": ids},
            headers=auth,
        )
        assert enrolled.status_code == 201, enrolled.text
        return title, codes


def _answer_every_question(phone, choice: int = -1) -> None:  # type: ignore[no-untyped-def]
    for question in phone.locator("fieldset.q").all():
        question.locator("label.opt").nth(choice).click()


def test_a_survey_from_set_up_to_a_phone_and_back(page, browser, live_server):
    title, (arabic_reader, spanish_reader) = _api_setup(live_server)
    sign_in(page, ORGANIZER)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Surveys").click()
    expect(page.get_by_role("heading", name="Surveys", level=1)).to_be_visible()
    page.get_by_role("row", name=title).get_by_role("link", name="Set up a survey").click()
    expect(page.get_by_text("Intergroup trust", exact=True)).to_be_visible()
    page.get_by_role("button", name="Create the survey").click()
    expect(page.get_by_text("Survey created with a pre and a post wave")).to_be_visible()
    expect(page.get_by_text("23 questions in all.")).to_be_visible()
    screenshot(page, "survey-setup")

    page.get_by_role("link", name="Links, QR codes and reminders").first.click()
    page.get_by_role("button", name="Issue links to everyone enrolled").click()
    expect(page.get_by_text("Links issued.")).to_be_visible()
    expect(page.locator(".qr-card")).to_have_count(2)
    screenshot(page, "survey-link-sheet")
    urls = [
        page.get_by_test_id(f"link-{code}").locator(".url-cell a").inner_text()
        for code in (arabic_reader, spanish_reader)
    ]
    assert all("/s/" in url for url in urls)

    # A participant on a phone, JavaScript on: she reads Arabic.
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    phone = context.new_page()
    phone.goto(urls[0])
    expect(phone.get_by_role("heading", name="Welcome")).to_be_visible()
    phone.get_by_role("link", name="العربية").click()
    expect(phone.locator("html")).to_have_attribute("dir", "rtl")
    screenshot(phone, "survey-phone-intro-ar")
    phone.get_by_role("button", name="ابدأ").click()
    expect(phone.get_by_text("الصفحة 1 من 5")).to_be_visible()
    _answer_every_question(phone)
    screenshot(phone, "survey-phone-page1-ar")
    phone.get_by_role("button", name="التالي").click()
    expect(phone.get_by_text("الصفحة 2 من 5")).to_be_visible()
    first_question = phone.locator("fieldset.q").first
    with phone.expect_response(lambda r: "autosave" in r.url and r.status == 200):
        first_question.locator("label.opt").nth(1).click()
    expect(phone.locator("#saved")).to_contain_text("تم الحفظ")
    phone.reload()
    expect(phone.locator("fieldset.q").first.locator("input").nth(1)).to_be_checked()
    for _ in range(3):
        _answer_every_question(phone)
        phone.get_by_role("button", name="التالي").click()
    expect(phone.get_by_text("الصفحة 5 من 5")).to_be_visible()
    _answer_every_question(phone, 0)
    screenshot(phone, "survey-phone-last-page-ar")
    phone.get_by_role("button", name="أرسل إجاباتي").dblclick()
    # Whichever of the two taps the browser shows: a thank-you, never an error or a duplicate.
    expect(phone.get_by_role("heading", level=1)).to_have_text(re.compile("شكرًا لك!|وصلتنا من قبل"))
    screenshot(phone, "survey-phone-thanks-ar")
    context.close()

    # A second participant, JavaScript off, in Spanish: plain form posts all the way.
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    phone = context.new_page()
    phone.goto(urls[1])
    expect(phone.get_by_role("heading", name="Bienvenida")).to_be_visible()
    phone.get_by_role("button", name="Empezar").click()
    for page_number in range(1, 6):
        expect(phone.get_by_text(f"Página {page_number} de 5")).to_be_visible()
        _answer_every_question(phone, 3 if page_number == 1 else 0)
        if page_number == 1:
            screenshot(phone, "survey-phone-page1-es-nojs")
        phone.get_by_role(
            "button", name="Enviar mis respuestas" if page_number == 5 else "Siguiente"
        ).click()
    expect(phone.get_by_role("heading", name="¡Gracias!")).to_be_visible()
    context.close()

    # Back on the organizer's screen: two completed, no answers shown.
    page.get_by_role("link", name="Back to the survey").click()
    expect(page.get_by_test_id("completed-pre")).to_have_text("2")
    expect(page.get_by_test_id("started-pre")).to_have_text("2")
    screenshot(page, "survey-progress")
