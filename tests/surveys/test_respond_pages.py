"""The participant's pages, as a participant on a phone uses them: plain forms, no JavaScript."""

import gzip
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlmodel import select

from surveys import instruments, responses
from surveys.models import Answer, Response, ResponseScore
from tests.surveys.survey_factories import (
    add_person,
    answer_page,
    close_wave,
    csrf_of,
    issue,
    make_survey,
    make_world,
    radio_values,
    waves,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def world(db):
    return make_world(db)


def _start(client, token, lang="en"):
    intro = client.get(f"/s/{token}?lang={lang}")
    assert intro.status_code == 200, intro.text
    started = client.post(f"/s/{token}", data={"csrftoken": csrf_of(intro.text), "lang": lang})
    assert started.status_code == 303
    return started.headers["location"]


def _finish_all(client, first_url):
    url = first_url
    for _ in range(20):
        sent = answer_page(client, url)
        assert sent.status_code == 303, sent.text
        url = sent.headers["location"]
        if "/done" in url:
            return url
    raise AssertionError("the survey never ended")


def test_a_participant_answers_with_plain_form_posts_and_sees_thank_you(client, db, world):
    person = add_person(db, world, preferred_language="es", group="host")
    survey = make_survey(db, world)
    token = issue(db, world, waves(db, survey)["pre"])[person.id]
    intro = client.get(f"/s/{token}")
    assert intro.status_code == 200
    assert '<html lang="es" dir="ltr">' in intro.text  # the participant's preferred language
    assert "Bienvenida" in intro.text and "23 preguntas" in intro.text
    assert "plotly" not in intro.text and "hx-boost" not in intro.text
    assert intro.headers["cache-control"] == "no-store"
    first = _start(client, token, "es")
    page = client.get(first)
    assert "Página 1 de 5" in page.text
    assert '<progress max="5" value="1"' in page.text
    assert page.text.count("<fieldset") == page.text.count("<legend>") == 5
    done = _finish_all(client, first)
    thanks = client.get(done)
    assert "¡Gracias!" in thanks.text and "Hemos recibido sus respuestas" in thanks.text
    response = db.exec(select(Response).where(Response.participant_id == person.id)).one()
    assert response.submitted_at is not None and response.language == "es"
    assert response.respondent_group == "host" and not response.child_mode
    assert len(db.exec(select(Answer).where(Answer.response_id == response.id)).all()) == 23
    assert db.exec(select(ResponseScore).where(ResponseScore.response_id == response.id)).all()
    again = client.get(f"/s/{token}", follow_redirects=True)
    assert "Ya recibido" in again.text  # reopening the link: already received, nothing to do


def test_arabic_page_is_right_to_left_and_in_arabic(client, db, world):
    person = add_person(db, world, preferred_language="en")
    survey = make_survey(db, world)
    token = issue(db, world, waves(db, survey)["pre"])[person.id]
    page = client.get(_start(client, token, "ar"))
    assert '<html lang="ar" dir="rtl">' in page.text
    assert "الصفحة 1 من 5" in page.text
    assert "الأشخاص الذين وُلدوا هنا" in page.text  # a migrant reads about people born here
    assert 'lang="en" dir="ltr"' not in page.text  # nothing fell back to English


def test_switching_language_mid_page_keeps_the_answers_given(client, db, world):
    person = add_person(db, world, preferred_language="en")
    survey = make_survey(db, world)
    token = issue(db, world, waves(db, survey)["pre"])[person.id]
    page_url = _start(client, token, "en")
    page = client.get(page_url)
    switched = client.post(
        page_url.split("?")[0],
        data={"csrftoken": csrf_of(page.text), "lang": "en", "therm_1": "70", "lang_to": "fr"},
    )
    assert switched.status_code == 303 and "lang=fr" in switched.headers["location"]
    french = client.get(switched.headers["location"])
    assert '<html lang="fr"' in french.text
    assert 'name="therm_1" value="70" checked' in french.text
    response = db.exec(select(Response).where(Response.participant_id == person.id)).one()
    db.refresh(response)
    assert response.language == "fr"


def test_outgroup_wording_differs_for_a_migrant_and_a_local(client, db, world):
    migrant = add_person(db, world, group="migrant", preferred_language="en")
    local = add_person(db, world, group="host", preferred_language="en")
    survey = make_survey(db, world)
    tokens = issue(db, world, waves(db, survey)["pre"])
    migrant_page = client.get(_start(client, tokens[migrant.id]))
    local_page = client.get(_start(client, tokens[local.id]))
    assert "towards people born here" in migrant_page.text
    assert "people who moved here from other countries" not in migrant_page.text
    assert "towards people who moved here from other countries" in local_page.text
    assert "people born here" not in local_page.text


def test_children_get_smiley_faces_and_simpler_words(client, db, world):
    child = add_person(db, world, birth_year=responses.today().year - 10, preferred_language="en")
    adult = add_person(db, world, preferred_language="en")
    survey = make_survey(db, world)
    tokens = issue(db, world, waves(db, survey)["pre"])
    child_page = client.get(_start(client, tokens[child.id]))
    assert '<body class="child">' in child_page.text
    assert 'class="opts faces"' in child_page.text and '<use href="#f5"/>' in child_page.text
    assert "I like people born here." in child_page.text  # the child wording of therm_1
    assert "Yes, a lot" in child_page.text
    # The faces store values on the item's own scale: the thermometer's 0/25/50/75/100.
    assert radio_values(child_page.text, "therm_1") == ["0", "25", "50", "75", "100"]
    adult_page = client.get(_start(client, tokens[adult.id]))
    assert 'class="opts faces"' not in adult_page.text and "<use" not in adult_page.text
    assert radio_values(adult_page.text, "therm_1") == [str(v) for v in range(0, 101, 10)]
    finished = _finish_all(client, f"/s/{tokens[child.id]}/p/1?lang=en")
    assert "/done" in finished
    response = db.exec(select(Response).where(Response.participant_id == child.id)).one()
    assert response.child_mode
    stored = {
        a.item_id: a.value for a in db.exec(select(Answer).where(Answer.response_id == response.id))
    }
    # The last face of a flipped child item (anx_1: "I feel relaxed ...") is the lowest anxiety.
    assert stored["anx_1"] == 1 and stored["therm_1"] == 100


def test_reload_mid_way_keeps_answers_and_reopening_the_link_resumes(client, db, world):
    person = add_person(db, world, preferred_language="en")
    survey = make_survey(db, world)
    token = issue(db, world, waves(db, survey)["pre"])[person.id]
    first = _start(client, token)
    second = answer_page(client, first).headers["location"]
    page = client.get(second)
    trust = radio_values(page.text, "trust_1")
    saved = client.post(
        second.split("?")[0],
        data={"csrftoken": csrf_of(page.text), "lang": "en", "trust_1": trust[1], "go": "next"},
    )
    assert saved.status_code == 422  # other questions of the page are missing ...
    assert "They are marked below" in saved.text and 'class="q missing"' in saved.text
    reloaded = client.get(second)  # ... but what was answered is kept
    assert f'name="trust_1" value="{trust[1]}" checked' in reloaded.text
    back = client.get(f"/s/{token}")
    assert "Welcome back" in back.text
    assert re.search(r'href="[^"]*/p/2\?lang=en"', back.text)  # continue at the first gap
    first_page = client.get(first)
    assert 'name="therm_1" value="100" checked' in first_page.text


def test_double_tap_on_send_creates_one_response_and_says_already_received(client, db, world):
    person = add_person(db, world, preferred_language="en")
    survey = make_survey(db, world)
    token = issue(db, world, waves(db, survey)["pre"])[person.id]
    url = _start(client, token)
    for _ in range(4):
        url = answer_page(client, url).headers["location"]
    last = client.get(url)
    form = {"csrftoken": csrf_of(last.text), "lang": "en", "go": "next"}
    for name in dict.fromkeys(re.findall(r'type="radio" name="([^"]+)"', last.text)):
        form[name] = radio_values(last.text, name)[0]
    first = client.post(url.split("?")[0], data=form)
    second = client.post(url.split("?")[0], data=form)
    restart = client.post(f"/s/{token}", data={"csrftoken": form["csrftoken"], "lang": "en"})
    assert first.status_code == second.status_code == restart.status_code == 303
    assert "already" not in first.headers["location"]
    assert "already=1" in second.headers["location"] and "already=1" in restart.headers["location"]
    assert "Already received" in client.get(second.headers["location"]).text
    rows = db.exec(select(Response).where(Response.participant_id == person.id)).all()
    assert len(rows) == 1
    answers = db.exec(select(Answer).where(Answer.response_id == rows[0].id)).all()
    assert len(answers) == len({a.item_id for a in answers}) == 23
    changed = dict(form, threat_1="5")
    replay = client.post(url.split("?")[0], data=changed)  # a resent, altered request
    assert "already=1" in replay.headers["location"]
    value = db.exec(
        select(Answer.value).where(Answer.response_id == rows[0].id, Answer.item_id == "threat_1")
    ).one()
    assert value == 1  # a completed response never changes


def test_finishing_with_an_unanswered_question_points_to_its_page(client, db, world):
    person = add_person(db, world, preferred_language="en")
    survey = make_survey(db, world)
    token = issue(db, world, waves(db, survey)["pre"])[person.id]
    url = _start(client, token)
    last = url.replace("/p/1", "/p/5")
    page = client.get(last)
    form = {"csrftoken": csrf_of(page.text), "lang": "en", "go": "next"}
    for name in dict.fromkeys(re.findall(r'type="radio" name="([^"]+)"', page.text)):
        form[name] = radio_values(page.text, name)[0]
    sent = client.post(last.split("?")[0], data=form)
    assert sent.status_code == 422
    assert "Some questions are still unanswered, on page 1, 2, 3, 4." in sent.text
    assert "Go to page 1" in sent.text
    response = db.exec(select(Response).where(Response.participant_id == person.id)).one()
    db.refresh(response)
    assert response.submitted_at is None
    assert len(db.exec(select(Answer).where(Answer.response_id == response.id)).all()) == 5


def test_an_invalid_value_is_refused_and_nothing_is_stored(client, db, world):
    person = add_person(db, world, preferred_language="en")
    survey = make_survey(db, world)
    token = issue(db, world, waves(db, survey)["pre"])[person.id]
    url = _start(client, token)
    page = client.get(url)
    sent = client.post(
        url.split("?")[0],
        data={"csrftoken": csrf_of(page.text), "lang": "en", "therm_1": "150", "anx_1": "3"},
    )
    assert sent.status_code == 422 and "could not be read" in sent.text
    response = db.exec(select(Response).where(Response.participant_id == person.id)).one()
    assert db.exec(select(Answer).where(Answer.response_id == response.id)).all() == []


def test_closed_revoked_unknown_and_not_yet_open_links_get_kind_pages(client, db, world):
    person = add_person(db, world, preferred_language="fr")
    survey = make_survey(db, world)
    pre = waves(db, survey)["pre"]
    token = issue(db, world, pre)[person.id]
    close_wave(db, pre)
    closed = client.get(f"/s/{token}")
    assert closed.status_code == 410
    assert '<html lang="fr"' in closed.text and "Ce questionnaire est fermé" in closed.text
    assert "a fermé le " + pre.closes_on.isoformat() in closed.text
    unknown = client.get("/s/" + "A" * 43, headers={"Accept-Language": "ar,en;q=0.5"})
    assert unknown.status_code == 404
    assert (
        '<html lang="ar" dir="rtl">' in unknown.text and "لم نعثر على هذا الاستبيان" in unknown.text
    )
    assert "Encuentro" not in unknown.text.split("<body")[1]  # not the staff error page
    short = client.get("/s/nope")
    assert short.status_code == 404


def test_a_wave_that_is_not_open_yet_says_when_it_opens(client, db, world):
    person = add_person(db, world, preferred_language="en")
    survey = make_survey(db, world)
    post = waves(db, survey)["post"]
    post.opens_on = responses.today().replace(year=responses.today().year + 1)
    post.closes_on = post.opens_on.replace(month=post.opens_on.month)
    db.add(post)
    db.commit()
    token = issue(db, world, post)[person.id]
    page = client.get(f"/s/{token}")
    assert page.status_code == 403
    assert "This survey opens on " + post.opens_on.isoformat() in page.text


def test_posting_without_the_csrf_field_is_refused(client, db, world):
    person = add_person(db, world)
    survey = make_survey(db, world)
    token = issue(db, world, waves(db, survey)["pre"])[person.id]
    client.get(f"/s/{token}")
    refused = client.post(f"/s/{token}", data={"lang": "en"})
    assert refused.status_code == 403
    assert db.exec(select(Response).where(Response.participant_id == person.id)).first() is None


def test_htmx_saves_each_change_as_it_happens(client, db, world):
    person = add_person(db, world, preferred_language="es")
    survey = make_survey(db, world)
    token = issue(db, world, waves(db, survey)["pre"])[person.id]
    url = _start(client, token, "es")
    page = client.get(url)
    autosave = re.search(r'hx-post="([^"]+)"', page.text).group(1)
    saved = client.post(
        autosave,
        data={"csrftoken": csrf_of(page.text), "lang": "es", "therm_1": "40"},
        headers={"HX-Request": "true"},
    )
    assert saved.status_code == 200 and "Guardado" in saved.text
    response = db.exec(select(Response).where(Response.participant_id == person.id)).one()
    assert {
        a.item_id: a.value for a in db.exec(select(Answer).where(Answer.response_id == response.id))
    } == {"therm_1": 40}


def test_a_link_shows_only_its_own_answers(client, db, world):
    first, second = (
        add_person(db, world, preferred_language="en"),
        add_person(db, world, preferred_language="en"),
    )
    survey = make_survey(db, world)
    tokens = issue(db, world, waves(db, survey)["pre"])
    answer_page(client, _start(client, tokens[first.id]))  # first answers page 1 (therm 100)
    other = client.get(_start(client, tokens[second.id]))
    assert " checked" not in other.text


def test_a_full_survey_page_stays_under_40_kb_compressed(client, db, world):
    child = add_person(db, world, birth_year=responses.today().year - 9, preferred_language="ar")
    survey = make_survey(db, world)
    token = issue(db, world, waves(db, survey)["pre"])[child.id]
    page = client.get(_start(client, token, "ar"))
    html = page.content
    css = (ROOT / "static/css/respond.css").read_bytes()
    htmx = (ROOT / "static/vendor/htmx-2.0.11.min.js").read_bytes()
    total = sum(len(gzip.compress(part, 6)) for part in (html, css, htmx))
    assert total <= 40 * 1024, total
    assert re.findall(r'(?:src|href)="http://testserver/static/([^"]+)"', page.text) == [
        "css/respond.css",
        "vendor/htmx-2.0.11.min.js",
    ]
    assert {"ar"} == instruments.RTL_LANGUAGES


def test_an_expired_form_tells_the_participant_in_their_language_and_keeps_saved_answers(
    client, db, world
):
    person = add_person(db, world, preferred_language="ar", group="migrant")
    survey = make_survey(db, world)
    token = issue(db, world, waves(db, survey)["pre"])[person.id]
    first_page = _start(client, token, lang="ar")
    form = client.get(first_page)
    action = re.search(r'<form id="qform" method="post" action="([^"]+)"', form.text)[1]
    client.cookies.clear()  # the phone lost its cookies while the page was open
    # a French phone whose owner chose Arabic: the page's own choice wins over the browser's
    sent = client.post(
        action.replace("&amp;", "&"),
        data={"lang": "ar", "therm_1": "70"},
        headers={"accept-language": "fr"},
    )
    assert sent.status_code == 403
    assert '<html lang="ar" dir="rtl">' in sent.text
    assert "يُرجى إرسال تلك الصفحة مرة أخرى" in sent.text  # "please send that page again"
    assert f'href="{urlsplit(first_page).path}?lang=ar"' in sent.text
    assert db.exec(select(Answer)).all() == []  # nothing half-stored
    again = client.get(first_page)
    assert again.status_code == 200  # the page reloads with a fresh form
