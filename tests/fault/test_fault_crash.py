"""A crash in the middle of a survey wave (SIGKILL of the server's process group, then a restart).

7. Nothing lost, nothing doubled: 300 participants answer at once, each with a double tap on the
   last button (one in ten through the HTML pages, the others through the JSON API); when half of
   them are done the server is killed and started again; the phones retry whatever failed.
   Afterwards exactly 300 complete responses exist: one per participant, each with every answer
   and its scores, none partial, none twice.
8. Partial saves survive: answers saved before the kill are there on resume, through the pages (a
   participant who answered page 1 and changed an answer on page 2, autosaved, in French) and
   through the API (participants who saved two pages just before the rush, then stopped).

Both are read from one crash (the server's start-ups dominate the time), as two subtests.
"""

import asyncio
import re
import time
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import bindparam, text
from sqlmodel import Session

from bench import world
from bench.server import Server
from tests.fault.participants import (
    Tally,
    api_participant,
    form_value,
    new_phone,
    pausing_participant,
    run_in_own_loop,
    web_participant,
)
from tests.fault.service import START_TIMEOUT_S, Service

PARTICIPANTS = 300
PAUSERS = 10  # save two pages through the API before the rush, then stop until after the crash
WEB_SHARE = 10  # every tenth participant uses the plain HTML pages, the others the JSON API
DEADLINE_S = 120.0  # a bound, not an expectation: the wave takes a fraction of it


@dataclass
class Crash:
    service: Service
    wave: world.SurveyWorld
    crowd: list[int]  # the 300 participants' ids
    tally: Tally
    done_at_kill: int
    resumer: str  # the token of the participant who paused on the pages
    paused: dict[str, dict[str, float]]  # token -> answers saved through the API


def _answer_before_the_crash(phone: httpx.Client, survey: world.SurveyWorld, token: str) -> None:
    """Start in French, answer page 1, change one answer on page 2 (autosaved)."""
    first, second = survey.pages[0], survey.pages[1]
    answers = world.all_answers(survey.items)
    assert phone.get(f"/s/{token}").status_code == 200
    form = {"csrftoken": phone.cookies["csrftoken"], "lang": "fr"}
    assert phone.post(f"/s/{token}", data=form).status_code == 303
    page_one = form | {one.id: form_value(answers[one.id]) for one in first} | {"go": "next"}
    moved = phone.post(f"/s/{token}/p/1", data=page_one)
    assert moved.status_code == 303 and "/p/2" in moved.headers["location"]
    changed = {second[0].id: form_value(answers[second[0].id])}
    saved = phone.post(f"/s/{token}/p/2/autosave", data=form | changed)
    assert saved.status_code == 200, saved.text


async def _wave_with_a_crash(
    server: Server, survey: world.SurveyWorld, crowd: list[str], paused: dict[str, dict[str, float]]
) -> tuple[Tally, int]:
    """The pausers save their two pages; then the crowd answers at once, each on a phone of their
    own, and once half of it is done the server is killed and restarted. The tally, and how many
    were done at the kill."""
    tally = Tally(half=len(crowd) // 2)
    answers = world.all_answers(survey.items)
    deadline = time.monotonic() + DEADLINE_S

    async def pauser(token: str, saved: dict[str, float]) -> None:
        async with new_phone(server.url) as client:
            await pausing_participant(client, tally, token, saved, deadline=deadline)

    async def participant(number: int, token: str) -> None:
        async with new_phone(server.url) as client:
            if number % WEB_SHARE == 0:
                await web_participant(
                    client, tally, token, survey.pages, answers, deadline=deadline
                )
            else:
                await api_participant(client, tally, token, answers, deadline=deadline)

    async def crash_halfway() -> int:
        await tally.halfway.wait()
        done = tally.done
        await asyncio.to_thread(server.restart, timeout=START_TIMEOUT_S)
        return done

    await asyncio.gather(*(pauser(token, saved) for token, saved in paused.items()))
    crash = asyncio.create_task(crash_halfway())
    await asyncio.gather(*(participant(n, token) for n, token in enumerate(crowd)))
    return tally, await crash


def _crash_during_a_wave(service: Service, db: Session) -> Crash:
    """A wave of 300 (+ pausers, + one who paused on the pages) with a crash half-way."""
    survey = world.survey_world(db, PARTICIPANTS + PAUSERS + 1, title="Liga mixta")
    crowd, pausers, resumer = (
        survey.tokens[:PARTICIPANTS],
        survey.tokens[PARTICIPANTS:-1],
        survey.tokens[-1],
    )
    answers = world.all_answers(survey.items)
    two_pages = {one.id: answers[one.id] for page in survey.pages[:2] for one in page}
    paused = {token: two_pages for token in pausers}
    with service.client() as phone:
        _answer_before_the_crash(phone, survey, resumer)
    server = service.server
    tally, done_at_kill = run_in_own_loop(lambda: _wave_with_a_crash(server, survey, crowd, paused))
    return Crash(
        service,
        survey,
        survey.participant_ids[:PARTICIPANTS],
        tally,
        done_at_kill,
        resumer,
        paused,
    )


def _count(db: Session, sql: str, crowd: list[int], **params: int) -> int:
    query = text(sql).bindparams(bindparam("crowd", expanding=True))
    return int(db.execute(query, {"crowd": crowd, **params}).scalar_one())


COMPLETE = "r.participant_id IN :crowd AND r.submitted_at IS NOT NULL"


def _nothing_lost_nothing_doubled(crash: Crash, live_db: Session) -> None:
    tally, items, crowd = crash.tally, len(crash.wave.items), crash.crowd
    live_db.rollback()  # read what is committed now, not a snapshot from before the wave
    assert tally.unexpected == [], tally.unexpected[:5]
    assert tally.done == PARTICIPANTS
    assert crash.done_at_kill < PARTICIPANTS, "the kill came after everyone had finished"
    assert sum(tally.failures.values()) > 0, "the crash should have made some phones retry"
    assert max(tally.received_by_token.values(), default=0) <= 1, "a double tap was taken twice"
    assert tally.statuses.total() == 2 * PARTICIPANTS  # every tap got its answer in the end

    complete = f"SELECT count(*) FROM response r WHERE {COMPLETE}"
    assert _count(live_db, complete, crowd) == PARTICIPANTS
    rows = "SELECT count(*) FROM response r WHERE r.participant_id IN :crowd"
    assert _count(live_db, rows, crowd) == PARTICIPANTS, "someone has two responses"
    answers = (
        f"SELECT count(*) FROM answer a JOIN response r ON r.id = a.response_id WHERE {COMPLETE}"
    )
    assert _count(live_db, answers, crowd) == PARTICIPANTS * items
    partial = (
        f"SELECT count(*) FROM response r WHERE {COMPLETE} "
        "AND (SELECT count(*) FROM answer a WHERE a.response_id = r.id) <> :items"
    )
    assert _count(live_db, partial, crowd, items=items) == 0
    unscored = (
        f"SELECT count(*) FROM response r WHERE {COMPLETE} AND NOT EXISTS "
        "(SELECT 1 FROM response_score s WHERE s.response_id = r.id AND s.scale_id = 'cohesion')"
    )
    assert _count(live_db, unscored, crowd) == 0
    scores = (
        "SELECT count(DISTINCT n) FROM (SELECT count(*) AS n FROM response_score s "
        f"JOIN response r ON r.id = s.response_id WHERE {COMPLETE} GROUP BY r.id) AS per_response"
    )
    assert _count(live_db, scores, crowd) == 1, "some responses have fewer scores than others"


def _ticked(html: str) -> dict[str, float]:
    """item id -> value of the checked radio button on a question page."""
    return {k: float(v) for k, v in re.findall(r'name="([^"]+)" value="([^"]+)" checked', html)}


def _saved_answers_are_there_on_resume(crash: Crash) -> None:
    token, answers = crash.resumer, world.all_answers(crash.wave.items)
    first, second = crash.wave.pages[0], crash.wave.pages[1]
    with crash.service.client() as phone:  # the phone comes back after the crash
        back = phone.get(f"/s/{token}")
        assert back.status_code == 200
        assert f"/s/{token}/p/2" in back.text, "the intro should continue where they stopped"
        page = phone.get(f"/s/{token}/p/1")
        assert _ticked(page.text) == {one.id: answers[one.id] for one in first}
        page = phone.get(f"/s/{token}/p/2")
        assert _ticked(page.text) == {second[0].id: answers[second[0].id]}
        assert '<html lang="fr"' in page.text, "the language chosen before the crash is kept"

        for paused, saved in crash.paused.items():
            state = phone.get(f"/api/v1/respond/{paused}").json()
            assert (state["state"], state["language"]) == ("started", "fr")
            assert state["answers"] == saved

        rest = {k: v for k, v in answers.items() if k not in saved}
        submitted = phone.post(
            f"/api/v1/respond/{paused}/submit", json={"answers": rest, "language": "fr"}
        )
        assert submitted.json()["status"] == "received", "the saved answers complete the survey"


def test_a_crash_halfway_through_a_wave(
    service: Service, live_db: Session, subtests: pytest.Subtests
) -> None:
    crash = _crash_during_a_wave(service, live_db)
    with subtests.test("7. nothing lost, nothing doubled"):
        _nothing_lost_nothing_doubled(crash, live_db)
    with subtests.test("8. answers saved before the crash are there on resume"):
        _saved_answers_are_there_on_resume(crash)
