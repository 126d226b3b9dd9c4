"""The submission path: exactly one response however often it is sent, answers upserted, scores
stored on completion and equal to the analysis functions, erasure and export hooks."""

import random
import tempfile
import threading
import uuid

import pandas as pd
import pytest
from sqlalchemy import create_engine, func, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from activities.participants import rights
from app.db import make_engine
from app.errors import Invalid
from app.migrate import upgrade
from surveys import analysis, instruments, responses, scoring, service
from surveys.models import Answer, Response, ResponseScore
from tests.conftest import BACKENDS, POSTGRES_URL
from tests.surveys.survey_factories import add_person, issue, make_survey, make_world, waves

ALL_SCALES = list(instruments.bank())


def _opened(db, token):
    visit = responses.open_link(session=db, token=token)
    response = responses.start(session=db, visit=visit, language="en")
    return response, responses.instrument_of(session=db, visit=visit)


def _random_answers(items, seed=1):
    rng = random.Random(seed)
    values = {}
    for one in items:
        if one.format == "thermometer":
            values[one.id] = float(rng.randrange(0, 101, 10))
        else:
            values[one.id] = float(rng.randint(one.min_value, one.max_value))
    return values


def _answers(db, response_id):
    return {
        a.item_id: a.value for a in db.exec(select(Answer).where(Answer.response_id == response_id))
    }


def test_scores_stored_on_completion_equal_the_analysis_functions(db):
    world = make_world(db)
    person = add_person(db, world)
    survey = make_survey(db, world, scales=ALL_SCALES)
    response, instrument = _opened(db, issue(db, world, waves(db, survey)["pre"])[person.id])
    values = _random_answers(instrument.items)
    del values["anx_4"], values["cquan_3"]  # a few skipped items still score
    values_with_gaps = dict(values)
    # Completion needs every item: answer the gaps with the API's partial save first.
    responses.save(
        session=db, response=response, items=instrument.items, values=values, language="en"
    )
    done = responses.finish(
        session=db,
        response=response,
        items=instrument.items,
        values={"anx_4": 2, "cquan_3": 7},
        language="en",
    )
    assert done.submitted_at is not None
    answers = _answers(db, response.id)
    assert answers == values_with_gaps | {"anx_4": 2, "cquan_3": 7}
    stored = {
        s.scale_id: s
        for s in db.exec(select(ResponseScore).where(ResponseScore.response_id == response.id))
    }
    assert set(stored) == set(ALL_SCALES) | {"cohesion"}
    frame = pd.DataFrame(
        {"response_id": response.id, "item_id": list(answers), "value": list(answers.values())}
    )
    items = pd.DataFrame(
        [
            {
                "item_id": one.id,
                "scale_id": one.scale,
                "min_value": one.min_value,
                "max_value": one.max_value,
                "reverse": one.reverse,
            }
            for one in instrument.items
        ]
    )
    expected = analysis.score_responses(frame, items).set_index("scale_id")
    for scale_id in ALL_SCALES:
        assert stored[scale_id].raw_mean == pytest.approx(expected.loc[scale_id, "score"])
        assert stored[scale_id].n_items == expected.loc[scale_id, "n_items"]
        assert stored[scale_id].score == pytest.approx(instruments.scale_score(scale_id, answers))
    assert stored["cohesion"].score == pytest.approx(instruments.cohesion_index(answers))
    db.execute(text(f"DELETE FROM response_score WHERE response_id = {response.id}"))
    recomputed = responses.recompute_scores(session=db, response_id=response.id)
    again = {
        s.scale_id: s.score
        for s in db.exec(select(ResponseScore).where(ResponseScore.response_id == response.id))
    }
    assert (
        again
        == {r.scale_id: r.score for r in recomputed}
        == {k: v.score for k, v in stored.items()}
    )


def test_scores_of_too_few_answers_are_missing():
    items = [instruments.item(i) for i in ("trust_1", "trust_2", "trust_3", "trust_4")]
    rows = {r.scale_id: r for r in scoring.compute_scores(items, {"trust_1": 4})}
    assert (
        rows["trust"].score is None
        and rows["trust"].raw_mean is None
        and rows["trust"].n_items == 1
    )
    rows = {r.scale_id: r for r in scoring.compute_scores(items, {"trust_1": 4, "trust_3": 2})}
    assert rows["trust"].score == pytest.approx(
        instruments.scale_score("trust", {"trust_1": 4, "trust_3": 2})
    )


def test_saving_is_an_upsert_and_replays_change_nothing_after_completion(db):
    world = make_world(db)
    person = add_person(db, world)
    survey = make_survey(db, world, scales=["thermometer", "trust"])
    token = issue(db, world, waves(db, survey)["pre"])[person.id]
    response, instrument = _opened(db, token)
    again, _ = _opened(db, token)  # a second start (double tap on "Start") finds the same row
    assert again.id == response.id
    for value in (10, 20, 30):
        responses.save(
            session=db,
            response=response,
            items=instrument.items,
            values={"therm_1": value},
            language="en",
        )
    assert _answers(db, response.id) == {"therm_1": 30}
    full = {"therm_1": 50, "trust_1": 4, "trust_2": 4, "trust_3": 2, "trust_4": 5}
    responses.finish(
        session=db, response=response, items=instrument.items, values=full, language="en"
    )
    with pytest.raises(responses.AlreadyReceived):
        responses.finish(
            session=db, response=response, items=instrument.items, values=full, language="en"
        )
    with pytest.raises(responses.AlreadyReceived):
        responses.save(
            session=db,
            response=response,
            items=instrument.items,
            values={"therm_1": 0},
            language="en",
        )
    assert _answers(db, response.id) == full
    count = db.exec(
        select(func.count()).select_from(Response).where(Response.participant_id == person.id)
    ).one()
    assert count == 1


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"therm_1": 101}, "outside 0-100"),
        ({"trust_1": 6}, "outside 1-5"),
        ({"trust_1": 2.5}, "not one of the answer choices"),
        ({"trust_1": "lots"}, "not a number"),
        ({"nope": 3}, "Unknown question: nope"),
    ],
)
def test_invalid_answers_are_refused_and_nothing_is_stored(db, values, message):
    world = make_world(db)
    person = add_person(db, world)
    survey = make_survey(db, world, scales=["thermometer", "trust"])
    response, instrument = _opened(db, issue(db, world, waves(db, survey)["pre"])[person.id])
    with pytest.raises(Invalid, match=message):
        responses.finish(
            session=db,
            response=response,
            items=instrument.items,
            values={"therm_1": 40, "trust_2": 3} | values,
            language="en",
        )
    assert _answers(db, response.id) == {}


def test_completing_with_a_missing_answer_stores_nothing(db):
    world = make_world(db)
    person = add_person(db, world)
    survey = make_survey(db, world, scales=["thermometer", "trust"])
    response, instrument = _opened(db, issue(db, world, waves(db, survey)["pre"])[person.id])
    with pytest.raises(responses.Incomplete) as incomplete:
        responses.finish(
            session=db,
            response=response,
            items=instrument.items,
            values={"therm_1": 40, "trust_1": 3, "trust_2": 3},
            language="en",
        )
    assert [one.id for one in incomplete.value.missing] == ["trust_3", "trust_4"]
    assert _answers(db, response.id) == {}
    db.refresh(response)
    assert response.submitted_at is None


def test_partial_save_then_resume_keeps_every_answer(db):
    world = make_world(db)
    person = add_person(db, world)
    survey = make_survey(db, world)
    token = issue(db, world, waves(db, survey)["pre"])[person.id]
    response, instrument = _opened(db, token)
    first_page = {one.id: 3 for one in instrument.pages[0] if one.format != "thermometer"}
    responses.save(
        session=db,
        response=response,
        items=instrument.items,
        values=first_page,
        language="en",
        page=1,
    )
    db.expire_all()
    visit = responses.open_link(session=db, token=token)  # the link opened again, later
    assert visit.response.id == response.id
    assert _answers(db, response.id) == first_page
    resumed = responses.instrument_of(session=db, visit=visit)
    assert responses.first_unanswered_page(resumed, _answers(db, response.id)) == 1  # therm_1 left
    responses.save(
        session=db, response=response, items=instrument.items, values={"therm_1": 80}, language="en"
    )
    assert responses.first_unanswered_page(resumed, _answers(db, response.id)) == 2


def test_erasing_a_participant_erases_their_survey_data_and_export_includes_it(db):
    world = make_world(db)
    person, other = add_person(db, world), add_person(db, world)
    survey = make_survey(db, world, scales=["thermometer"])
    tokens = issue(db, world, waves(db, survey)["pre"])
    for who in (person, other):
        response, instrument = _opened(db, tokens[who.id])
        responses.finish(
            session=db,
            response=response,
            items=instrument.items,
            values={"therm_1": 70},
            language="en",
        )
    exported = rights.export_participant(
        session=db, actor=world.organizer, participant_id=person.id
    )
    assert exported["survey_answers"][0]["answers"] == {"therm_1": 70.0}
    assert exported["survey_answers"][0]["wave"] == "pre"
    mine = db.exec(select(Response.id).where(Response.participant_id == person.id)).one()
    rights.erase_participant(session=db, actor=world.organizer, participant_id=person.id)
    assert db.exec(select(Response).where(Response.id == mine)).first() is None
    assert db.exec(select(Answer).where(Answer.response_id == mine)).all() == []
    assert db.exec(select(ResponseScore).where(ResponseScore.response_id == mine)).all() == []
    assert db.exec(select(Response).where(Response.participant_id == other.id)).one()


# --- concurrency: 50 simultaneous submits on a real, committed database ---------------------------


def _database(backend):
    if backend == "sqlite":
        url = f"sqlite:///{tempfile.mkstemp(suffix='.db')[1]}"
        upgrade(url)
        return url, None
    name = f"encuentro_conc_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    return url, name


def _drop(name):
    if name:
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_fifty_concurrent_submits_of_one_link_make_one_response(backend):
    url, name = _database(backend)
    # SQLite: the app's own setting, one pooled connection (writers queue for it); PostgreSQL: ten
    # connections really racing, serialised only by the response row's lock.
    engine = make_engine(url, pool_size=1 if backend == "sqlite" else 10)
    try:
        with Session(engine, expire_on_commit=False) as db:
            world = make_world(db)
            person = add_person(db, world)
            survey = make_survey(db, world, scales=["thermometer", "trust", "social_distance"])
            token = issue(db, world, waves(db, survey)["pre"])[person.id]
            items = service.version_items(service.current_version(session=db, survey=survey))
        values = _random_answers(items)
        outcomes, barrier = [], threading.Barrier(50)

        def submit():
            with Session(engine, expire_on_commit=False) as session:
                barrier.wait()
                try:
                    visit = responses.open_link(session=session, token=token)
                    response = responses.start(session=session, visit=visit, language="en")
                    responses.finish(
                        session=session,
                        response=response,
                        items=items,
                        values=values,
                        language="en",
                    )
                    outcomes.append("received")
                except responses.AlreadyReceived:
                    outcomes.append("already")

        threads = [threading.Thread(target=submit) for _ in range(50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert len(outcomes) == 50  # every request got an answer ...
        assert outcomes.count("received") == 1  # ... exactly one completed the response
        with Session(engine) as db:
            rows = db.exec(select(Response)).all()
            assert len(rows) == 1 and rows[0].submitted_at is not None
            stored = db.exec(select(Answer).where(Answer.response_id == rows[0].id)).all()
            assert len(stored) == len(items) == len({a.item_id for a in stored})
            scores = db.exec(
                select(ResponseScore).where(ResponseScore.response_id == rows[0].id)
            ).all()
            assert len(scores) == 4  # three scales and the cohesion index
    finally:
        engine.dispose()
        _drop(name)
