"""Anonymous surveys: one public link per wave; a self-generated code links pre and post."""

import re

import pytest
from sqlmodel import select

from surveys import links
from surveys.anonymous import CodeAnswers, CodeError, first_letter, make_code, normalise_code
from surveys.models import Response
from tests.surveys.survey_factories import answer_page, csrf_of, make_survey, make_world, waves


def code(**answers):
    return make_code(
        CodeAnswers.of(
            {"mother": "María", "day": "7", "siblings": "2", "birthplace": "Lyon"} | answers
        )
    )


def test_the_code_is_tolerant_of_case_accents_and_leading_zeros():
    assert code() == "M072L"
    assert code(mother="maria", day="07", birthplace=" lyon ") == "M072L"
    assert code(mother="Émile") == code(mother="emile") == "E072L"
    assert code(siblings="12") == "M079L"  # 9 means "9 or more"
    assert first_letter("أحمد") == first_letter("احمد") == "ا"
    assert code(day="٧") == "M072L"  # Eastern Arabic digits
    assert normalise_code("m 07 2 l") == "M072L"
    for bad in ({"day": "32"}, {"day": "x"}, {"mother": "7"}, {"siblings": "-1"}):
        with pytest.raises(CodeError):
            code(**bad)


@pytest.fixture
def anonymous_survey(db):
    world = make_world(db)
    survey = make_survey(db, world, anonymous=True, child_mode="auto")
    tokens = {
        kind: links.token_of(links.public_link(session=db, actor=world.organizer, wave_id=wave.id))
        for kind, wave in waves(db, survey).items()
    }
    return world, survey, tokens


def _code_form(client, token, **answers):
    page = client.get(f"/s/{token}?lang=en")
    assert page.status_code == 200
    key = re.search(r'name="key" value="([^"]+)"', page.text).group(1)
    data = {
        "csrftoken": csrf_of(page.text),
        "lang": "en",
        "key": key,
        "mother": "Fatima",
        "day": "3",
        "siblings": "1",
        "birthplace": "Alepo",
        "group": "migrant",
        "younger": "no",
    } | answers
    return page, data


def _finish(client, url):
    for _ in range(10):
        sent = answer_page(client, url)
        assert sent.status_code == 303, sent.text
        url = sent.headers["location"]
        if "/done" in url:
            return url
    raise AssertionError("never finished")


def test_pre_and_post_are_linked_by_the_self_generated_code(client, db, anonymous_survey):
    world, survey, tokens = anonymous_survey
    page, form = _code_form(client, tokens["pre"])
    assert "Your personal code" in page.text and "mother" in page.text
    started = client.post(f"/s/{tokens['pre']}", data=form)
    assert started.status_code == 303
    resume = started.headers["location"]
    assert tokens["pre"] not in resume  # each respondent continues on a private link of their own
    _finish(client, resume)
    client.cookies.clear()
    _page, form = _code_form(client, tokens["post"], mother="fátima", day="03", birthplace="alepo")
    _finish(client, client.post(f"/s/{tokens['post']}", data=form).headers["location"])
    wave_ids = {w.id: k for k, w in waves(db, survey).items()}
    rows = db.exec(select(Response).where(Response.wave_id.in_(list(wave_ids)))).all()
    assert {(wave_ids[r.wave_id], r.anon_code) for r in rows} == {
        ("pre", "F031A"),
        ("post", "F031A"),
    }
    assert all(r.participant_id is None and r.submitted_at for r in rows)


def test_the_same_start_form_sent_twice_gives_one_response(client, db, anonymous_survey):
    _world, survey, tokens = anonymous_survey
    _page, form = _code_form(client, tokens["pre"])
    first = client.post(f"/s/{tokens['pre']}", data=form)
    second = client.post(f"/s/{tokens['pre']}", data=form)
    assert first.headers["location"] == second.headers["location"]
    pre = waves(db, survey)["pre"]
    assert len(db.exec(select(Response).where(Response.wave_id == pre.id)).all()) == 1


def test_someone_else_with_the_same_code_sees_nothing_of_the_first_person(
    client, db, anonymous_survey
):
    _world, survey, tokens = anonymous_survey
    _page, form = _code_form(client, tokens["pre"])
    first = client.post(f"/s/{tokens['pre']}", data=form).headers["location"]
    answer_page(client, first)
    client.cookies.clear()
    _page, other = _code_form(client, tokens["pre"])  # a new form: a new idempotency key
    refused = client.post(f"/s/{tokens['pre']}", data=other)
    assert refused.status_code == 422
    assert "Someone has already started this survey with the same code" in refused.text
    assert " checked" not in refused.text.split("Your personal code")[1].split("group")[0]
    pre = waves(db, survey)["pre"]
    assert len(db.exec(select(Response).where(Response.wave_id == pre.id)).all()) == 1


def test_missing_prompts_are_pointed_out_in_the_participants_language(client, anonymous_survey):
    _world, _survey, tokens = anonymous_survey
    page = client.get(f"/s/{tokens['pre']}?lang=es")
    key = re.search(r'name="key" value="([^"]+)"', page.text).group(1)
    sent = client.post(
        f"/s/{tokens['pre']}",
        data={
            "csrftoken": csrf_of(page.text),
            "lang": "es",
            "key": key,
            "mother": "",
            "day": "4",
            "siblings": "0",
            "birthplace": "Quito",
            "group": "host",
        },
    )
    assert sent.status_code == 422 and "Por favor, escriba una letra." in sent.text
    assert 'aria-invalid="true"' in sent.text and 'value="Quito"' in sent.text


def test_a_younger_anonymous_respondent_gets_the_child_mode(client, db, anonymous_survey):
    _world, survey, tokens = anonymous_survey
    _page, form = _code_form(client, tokens["pre"], younger="yes")
    page = client.get(client.post(f"/s/{tokens['pre']}", data=form).headers["location"])
    assert 'class="opts faces"' in page.text


def test_the_public_link_cannot_answer_directly(client, anonymous_survey):
    _world, _survey, tokens = anonymous_survey
    page = client.get(f"/s/{tokens['pre']}/p/1")
    assert page.status_code == 303 and page.headers["location"].endswith(
        f"/s/{tokens['pre']}?lang=en"
    )
