"""Personal links: unguessable tokens that are never stored, revocation, reissue, and consent."""

import base64
import math
from collections import Counter

import pytest
from sqlalchemy import text
from sqlmodel import select

from app.errors import Invalid
from surveys import links
from surveys.models import SurveyLink
from tests.activities.participant_factories import give_consent
from tests.surveys.survey_factories import add_person, issue, make_survey, make_world, waves


@pytest.fixture
def world(db):
    return make_world(db)


def test_tokens_carry_256_random_bits_and_are_never_stored(db, world):
    people = [add_person(db, world) for _ in range(3)]
    survey = make_survey(db, world)
    pre = waves(db, survey)["pre"]
    tokens = issue(db, world, pre)
    assert set(tokens) == {p.id for p in people}
    for token in tokens.values():
        assert len(token) == 43 and links.looks_like_token(token)
        assert len(base64.urlsafe_b64decode(token + "=")) == 32  # 256 bits >= 128
    rows = db.exec(select(SurveyLink).where(SurveyLink.wave_id == pre.id)).all()
    stored = " ".join(f"{r.nonce} {r.token_hash}" for r in rows)
    assert not any(token in stored for token in tokens.values())
    assert {r.token_hash for r in rows} == {links.token_hash(t) for t in tokens.values()}
    dump = (
        db.connection().execute(text(f"SELECT * FROM survey_link WHERE wave_id = {pre.id}")).all()
    )
    assert not any(token in str(dump) for token in tokens.values())


def test_tokens_look_random(db, world):
    nonces = [links.new_nonce() for _ in range(2000)]
    tokens = [
        links.derive_token(kind="personal", wave_id=1, participant_id=i, nonce=n)
        for i, n in enumerate(nonces)
    ]
    assert len(set(tokens)) == len(tokens)
    counts = Counter("".join(tokens))
    # 64 symbols (the last one of each token carries only 4 bits): each close to 1/64 of the text.
    expected = sum(counts.values()) / 64
    assert all(abs(c - expected) < 6 * math.sqrt(expected) for c in counts.values())


def test_a_token_depends_on_the_server_secret(monkeypatch):
    token = links.derive_token(kind="personal", wave_id=1, participant_id=2, nonce="n")
    from app.settings import get_settings

    monkeypatch.setattr(get_settings(), "secret_key", "another secret")
    assert links.derive_token(kind="personal", wave_id=1, participant_id=2, nonce="n") != token


def test_the_organizer_can_show_the_same_link_again(db, world):
    person = add_person(db, world)
    survey = make_survey(db, world)
    pre = waves(db, survey)["pre"]
    first = issue(db, world, pre)
    again = issue(db, world, pre)  # issuing again keeps existing links
    assert first == again
    sheet = links.link_sheet(session=db, actor=world.organizer, wave_id=pre.id)
    assert [row.token for row in sheet.rows] == [first[person.id]]


def test_revoke_then_reissue(client, db, world):
    person = add_person(db, world)
    survey = make_survey(db, world)
    pre = waves(db, survey)["pre"]
    old = issue(db, world, pre)[person.id]
    link = links.find_link(session=db, token=old)
    links.revoke_link(session=db, actor=world.organizer, link_id=link.id)
    revoked = client.get(f"/s/{old}")
    assert revoked.status_code == 410
    assert "تم سحب هذا الرابط" in revoked.text  # "withdrawn", in the participant's Arabic
    links.reissue_link(session=db, actor=world.organizer, link_id=link.id)
    new = issue(db, world, pre)[person.id]
    assert new != old
    assert client.get(f"/s/{old}").status_code == 404
    assert client.get(f"/s/{new}").status_code == 200


def test_a_participant_without_survey_consent_gets_no_link_and_the_reason(db, world):
    ready = add_person(db, world)
    blocked = add_person(db, world, consent=False)
    give_consent(db, blocked, world.organizer, purposes=["participation"])
    survey = make_survey(db, world)
    pre = waves(db, survey)["pre"]
    sheet = links.issue_links(session=db, actor=world.organizer, wave_id=pre.id)
    assert [row.participant.id for row in sheet.rows] == [ready.id]
    assert [b.participant.id for b in sheet.blocked] == [blocked.id]
    assert "Consent for surveys is missing for" in sheet.blocked[0].reason
    with pytest.raises(Invalid, match="Consent for surveys is missing"):
        links.issue_links(
            session=db, actor=world.organizer, wave_id=pre.id, participant_ids=[blocked.id]
        )


def test_a_minor_needs_a_guardian_and_their_own_assent(db, world):
    from surveys.service import today

    child = add_person(db, world, consent=False, birth_year=today().year - 11)
    give_consent(db, child, world.organizer, kind="assent")
    survey = make_survey(db, world)
    pre = waves(db, survey)["pre"]
    with pytest.raises(Invalid, match="Guardian consent for surveys is missing"):
        links.issue_links(
            session=db, actor=world.organizer, wave_id=pre.id, participant_ids=[child.id]
        )
    give_consent(db, child, world.organizer, kind="guardian", guardian_name="Mother")
    sheet = links.issue_links(
        session=db, actor=world.organizer, wave_id=pre.id, participant_ids=[child.id]
    )
    assert [row.participant.id for row in sheet.rows] == [child.id]


def test_withdrawn_consent_stops_an_unused_link(client, db, world):
    from activities.participants import consent

    person = add_person(db, world)
    survey = make_survey(db, world)
    token = issue(db, world, waves(db, survey)["pre"])[person.id]
    for given in consent.list_consents(session=db, actor=world.organizer, participant_id=person.id):
        consent.withdraw_consent(
            session=db, actor=world.organizer, participant_id=person.id, consent_id=given.id
        )
    assert client.get(f"/s/{token}").status_code == 410


def test_only_enrolled_participants_can_get_a_link(db, world):
    from tests.activities.participant_factories import make_participant

    outsider = make_participant(db, world.org)
    give_consent(db, outsider, world.organizer)
    survey = make_survey(db, world)
    with pytest.raises(Invalid, match="enrolled"):
        links.issue_links(
            session=db,
            actor=world.organizer,
            wave_id=waves(db, survey)["pre"].id,
            participant_ids=[outsider.id],
        )
