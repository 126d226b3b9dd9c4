"""Mixed groups: an organizer asks the mixing tool for groups, reads their make-up and warnings,
saves them, moves people by hand, and the design rubric learns that the tool was used."""

import re

import pytest
from sqlmodel import select

from activities.participants import service as participants
from activities.roster import groups
from activities.roster.facts import mixing_tool_used
from activities.roster.models import ActivityGroup, GroupMember
from app.errors import Conflict, Invalid, NotFound
from tests.activities.activity_factories import make_activity
from tests.activities.participant_factories import enrol, make_participant
from tests.activities.roster_factories import cohort, queries
from tests.factories import api_token, login, make_org, make_user, post_form

HX = {"HX-Request": "true"}


@pytest.fixture
def org(db):
    return make_org(db)


@pytest.fixture
def organizer(db, org):
    return make_user(db, org)


@pytest.fixture
def activity(db, organizer):
    return make_activity(db, organizer, title="Huerto compartido")


def by_size(size: int, **kwargs) -> groups.GroupRequest:  # type: ignore[no-untyped-def]
    return groups.GroupRequest(group_size=size, **kwargs)


def by_count(n: int, **kwargs) -> groups.GroupRequest:  # type: ignore[no-untyped-def]
    return groups.GroupRequest(n_groups=n, **kwargs)


def texts(notices: list[groups.Notice]) -> list[str]:
    return [n.text("en") for n in notices]


def saved_groups(db, activity) -> list[ActivityGroup]:  # type: ignore[no-untyped-def]
    return list(db.exec(select(ActivityGroup).where(ActivityGroup.activity_id == activity.id)))


def members(db, activity) -> list[GroupMember]:  # type: ignore[no-untyped-def]
    return list(db.exec(select(GroupMember).where(GroupMember.activity_id == activity.id)))


def group_of(grouping: groups.Grouping, participant_id: int) -> groups.GroupView:
    return next(g for g in grouping.groups if participant_id in {p.id for p in g.members})


# --- proposing ----------------------------------------------------------------------------------


def test_twelve_migrants_and_twelve_locals_make_four_groups_of_three_and_three(
    db, org, organizer, activity
):
    cohort(db, org, activity, migrants=12, locals_=12)
    proposal = groups.propose(
        session=db, actor=organizer, activity_id=activity.id, request=by_count(4)
    )
    assert [g.size for g in proposal.groups] == [6, 6, 6, 6]
    for g in proposal.groups:
        assert g.composition["group"] == {"host": 3, "migrant": 3}
        assert sum(g.composition["language"].values()) == 6
        assert set(g.composition) == {"group", "gender", "language", "age_band"}
    assert proposal.notices == []
    assert proposal.formed_with_tool is True
    # Nothing is saved by a proposal.
    assert saved_groups(db, activity) == []


def test_the_same_seed_gives_the_same_proposal_and_group_size_works_too(
    db, org, organizer, activity
):
    cohort(db, org, activity, migrants=6, locals_=6)
    first = groups.propose(
        session=db, actor=organizer, activity_id=activity.id, request=by_size(4, seed=7)
    )
    again = groups.propose(
        session=db, actor=organizer, activity_id=activity.id, request=by_size(4, seed=7)
    )
    assert first.assignment == again.assignment
    assert [g.size for g in first.groups] == [4, 4, 4]


def test_keep_together_and_keep_apart_pairs_are_honoured(db, org, organizer, activity):
    people = cohort(db, org, activity, migrants=6, locals_=6)
    sibling_a, sibling_b, rival_a, rival_b = people[0], people[1], people[6], people[7]
    request = by_count(
        3,
        keep_together=[(sibling_a.id, sibling_b.id)],
        keep_apart=[(rival_a.id, rival_b.id)],
    )
    proposal = groups.propose(session=db, actor=organizer, activity_id=activity.id, request=request)
    assert group_of(proposal, sibling_a.id) is group_of(proposal, sibling_b.id)
    assert group_of(proposal, rival_a.id) is not group_of(proposal, rival_b.id)


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (by_size(1), "at least 2 people"),
        (by_count(30), "Cannot make 30 groups from only 8 people"),
        (by_count(1), "at least 2 groups"),
        (groups.GroupRequest(), "exactly one"),
        (groups.GroupRequest(group_size=2, n_groups=2), "exactly one"),
        (by_count(2, seed=-1), "seed"),
    ],
)
def test_impossible_requests_are_refused_with_a_clear_message(
    db, org, organizer, activity, request_, message
):
    cohort(db, org, activity, migrants=4, locals_=4)
    with pytest.raises(Invalid, match=message):
        groups.propose(session=db, actor=organizer, activity_id=activity.id, request=request_)


def test_an_activity_without_participants_cannot_be_grouped(db, organizer, activity):
    with pytest.raises(Invalid, match="nobody"):
        groups.propose(session=db, actor=organizer, activity_id=activity.id, request=by_size(2))


def test_pairs_must_name_two_different_enrolled_participants(db, org, organizer, activity):
    people = cohort(db, org, activity, migrants=3, locals_=3)
    outsider = make_participant(db, org)
    a, b = people[0].id, people[1].id
    cases = [
        (by_size(2, keep_together=[(a, a)]), "two different participants"),
        (by_size(2, keep_apart=[(a, outsider.id)]), "must be enrolled"),
        (by_size(2, keep_together=[(a, b)], keep_apart=[(b, a)]), "both together and apart"),
    ]
    for request, message in cases:
        with pytest.raises(Invalid, match=message):
            groups.propose(session=db, actor=organizer, activity_id=activity.id, request=request)


def test_lopsided_groups_are_warned_about(db, org, organizer, activity):
    cohort(db, org, activity, migrants=2, locals_=6)
    proposal = groups.propose(
        session=db, actor=organizer, activity_id=activity.id, request=by_count(4)
    )
    # Two migrants in four groups: at least two groups have none.
    warnings = texts(proposal.notices)
    assert sum("has no migrants" in w for w in warnings) == 2
    assert all(n.text("es") for n in proposal.notices)  # renders in Spanish too (or falls back)
    assert any(g.notices for g in proposal.groups)


# --- saving, reading and moving -----------------------------------------------------------------


def test_saved_groups_make_mixing_tool_used_true(db, org, organizer, activity):
    cohort(db, org, activity, migrants=4, locals_=4)
    assert mixing_tool_used(session=db, activity_id=activity.id) is None
    proposal = groups.propose(
        session=db, actor=organizer, activity_id=activity.id, request=by_count(2)
    )
    saved = groups.save_proposal(
        session=db,
        actor=organizer,
        activity_id=activity.id,
        request=by_count(2),
        expected=proposal.assignment,
    )
    assert saved.assignment == proposal.assignment
    assert [g.number for g in saved.groups] == [1, 2]
    assert all(g.id for g in saved.groups)
    assert mixing_tool_used(session=db, activity_id=activity.id) is True
    assert groups.tool_used(session=db, actor=organizer, activity_id=activity.id) is True


def test_groups_saved_by_hand_are_not_formed_with_the_tool(db, org, organizer, activity):
    people = cohort(db, org, activity, migrants=2, locals_=2)
    ids = [p.id for p in people]
    saved = groups.save_by_hand(
        session=db,
        actor=organizer,
        activity_id=activity.id,
        groups=[ids[:2], ids[2:]],
        names=["Tomatoes", "Peppers"],
    )
    assert [g.name for g in saved.groups] == ["Tomatoes", "Peppers"]
    assert mixing_tool_used(session=db, activity_id=activity.id) is False
    # Two migrants together, two locals together: both groups are lopsided.
    assert len(texts(saved.notices)) == 4
    with pytest.raises(Invalid, match="only one group"):
        groups.save_by_hand(
            session=db, actor=organizer, activity_id=activity.id, groups=[ids[:2], ids[1:]]
        )
    with pytest.raises(Invalid, match="at least 2 groups"):
        groups.save_by_hand(session=db, actor=organizer, activity_id=activity.id, groups=[ids])


def test_saving_a_stale_proposal_is_a_conflict(db, org, organizer, activity):
    cohort(db, org, activity, migrants=4, locals_=4)
    shown = groups.propose(
        session=db, actor=organizer, activity_id=activity.id, request=by_count(2)
    )
    newcomer = make_participant(db, org, group="host")
    enrol(db, activity, newcomer)
    with pytest.raises(Conflict, match="enrolment changed"):
        groups.save_proposal(
            session=db,
            actor=organizer,
            activity_id=activity.id,
            request=by_count(2),
            expected=shown.assignment,
        )
    assert mixing_tool_used(session=db, activity_id=activity.id) is None


def test_saving_again_replaces_the_groups(db, org, organizer, activity):
    cohort(db, org, activity, migrants=6, locals_=6)
    groups.save_proposal(session=db, actor=organizer, activity_id=activity.id, request=by_count(2))
    groups.save_proposal(session=db, actor=organizer, activity_id=activity.id, request=by_count(3))
    assert len(saved_groups(db, activity)) == 3
    assert len(members(db, activity)) == 12


def test_moving_a_person_by_hand_updates_make_up_and_warnings_and_keeps_the_tool_flag(
    db, org, organizer, activity
):
    cohort(db, org, activity, migrants=4, locals_=4)
    saved = groups.save_proposal(
        session=db, actor=organizer, activity_id=activity.id, request=by_count(2)
    )
    first, second = saved.groups
    assert first.composition["group"] == {"host": 2, "migrant": 2}
    assert saved.notices == []
    migrant = next(p for p in first.members if p.group == "migrant")
    moved = groups.move_member(
        session=db,
        actor=organizer,
        activity_id=activity.id,
        participant_id=migrant.id,
        group_id=second.id,
    )
    assert moved.groups[0].composition["group"] == {"host": 2, "migrant": 1}
    assert moved.groups[1].composition["group"] == {"host": 2, "migrant": 3}
    assert texts(moved.notices) == [
        "Group 1 has only one migrant.",
        "Migrants are spread unevenly: 1 to 3 per group.",
        "Group sizes are uneven: 3 to 5 people.",
    ]
    assert texts(moved.groups[0].notices) == ["Group 1 has only one migrant."]
    assert mixing_tool_used(session=db, activity_id=activity.id) is True
    assert len(members(db, activity)) == 8


def test_moves_are_checked(db, org, organizer, activity):
    people = cohort(db, org, activity, migrants=2, locals_=2)
    ids = [p.id for p in people]
    saved = groups.save_by_hand(
        session=db, actor=organizer, activity_id=activity.id, groups=[ids[:1], ids[1:]]
    )
    lonely, crowd = saved.groups
    with pytest.raises(Invalid, match="last person"):
        groups.move_member(
            session=db,
            actor=organizer,
            activity_id=activity.id,
            participant_id=ids[0],
            group_id=crowd.id,
        )
    other = make_activity(db, organizer, title="Other")
    with pytest.raises(NotFound):
        groups.move_member(
            session=db,
            actor=organizer,
            activity_id=other.id,
            participant_id=ids[1],
            group_id=lonely.id,
        )
    outsider = make_participant(db, org)
    with pytest.raises(NotFound, match="not enrolled"):
        groups.move_member(
            session=db,
            actor=organizer,
            activity_id=activity.id,
            participant_id=outsider.id,
            group_id=lonely.id,
        )


def test_leaving_the_activity_leaves_the_group_and_newcomers_are_unassigned(
    db, org, organizer, activity
):
    people = cohort(db, org, activity, migrants=3, locals_=3)
    groups.save_proposal(session=db, actor=organizer, activity_id=activity.id, request=by_count(2))
    participants.unenrol(
        session=db, actor=organizer, activity_id=activity.id, participant_id=people[0].id
    )
    assert (
        db.exec(select(GroupMember).where(GroupMember.participant_id == people[0].id)).all() == []
    )
    newcomer = make_participant(db, org, group="host")
    enrol(db, activity, newcomer)
    found = groups.read_groups(session=db, actor=organizer, activity_id=activity.id)
    assert [p.id for p in found.unassigned] == [newcomer.id]
    assert sum(g.size for g in found.groups) == 5
    placed = groups.move_member(
        session=db,
        actor=organizer,
        activity_id=activity.id,
        participant_id=newcomer.id,
        group_id=found.groups[0].id,
    )
    assert placed.unassigned == []


def test_reading_groups_takes_the_same_queries_however_many_groups(db, org, organizer, activity):
    cohort(db, org, activity, migrants=20, locals_=20)
    counts = []
    for n in (2, 10):
        groups.save_proposal(
            session=db, actor=organizer, activity_id=activity.id, request=by_count(n)
        )
        db.expunge_all()
        with queries(db) as statements:
            groups.read_groups(session=db, actor=organizer, activity_id=activity.id)
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 4


def test_another_organizations_activity_does_not_exist(db, org, organizer, activity):
    cohort(db, org, activity, migrants=2, locals_=2)
    stranger = make_user(db, make_org(db))
    calls = [
        lambda: groups.propose(
            session=db, actor=stranger, activity_id=activity.id, request=by_size(2)
        ),
        lambda: groups.save_proposal(
            session=db, actor=stranger, activity_id=activity.id, request=by_size(2)
        ),
        lambda: groups.read_groups(session=db, actor=stranger, activity_id=activity.id),
        lambda: groups.tool_used(session=db, actor=stranger, activity_id=activity.id),
    ]
    for call in calls:
        with pytest.raises(NotFound):
            call()


# --- pages --------------------------------------------------------------------------------------


def test_organizer_proposes_saves_and_moves_on_the_page(client, db, org, organizer, activity):
    cohort(db, org, activity, migrants=4, locals_=4)
    login(client, organizer)
    page = client.get(f"/activities/{activity.id}/groups")
    assert page.status_code == 200
    assert "No groups saved yet" in page.text

    proposal = client.get(
        f"/activities/{activity.id}/groups/proposal", params={"mode": "count", "n_groups": "2"}
    )
    assert proposal.status_code == 200
    assert "Proposal (not saved)" in proposal.text and "<html" in proposal.text
    expected = re.search(r'name="expected" value="([^"]+)"', proposal.text).group(1)

    fragment = client.get(
        f"/activities/{activity.id}/groups/proposal",
        params={"mode": "count", "n_groups": "2"},
        headers=HX,
    )
    assert "<html" not in fragment.text and 'id="planner"' in fragment.text
    assert "HX-Request" in fragment.headers["vary"]

    saved = post_form(
        client,
        f"/activities/{activity.id}/groups",
        {"mode": "count", "n_groups": "2", "group_size": "", "seed": "1", "expected": expected},
    )
    assert saved.status_code == 303
    page = client.get(f"/activities/{activity.id}/groups")
    assert "Groups saved" in page.text and "Formed with the mixing tool" in page.text

    found = groups.read_groups(session=db, actor=organizer, activity_id=activity.id)
    person = found.groups[0].members[0]
    moved = post_form(
        client,
        f"/activities/{activity.id}/groups/move",
        {"participant_id": str(person.id), "group_id": str(found.groups[1].id)},
        headers=HX,
    )
    assert moved.status_code == 200
    assert 'id="groups"' in moved.text and "<html" not in moved.text
    assert "spread unevenly" in moved.text


def test_bad_group_settings_show_next_to_the_form(client, db, org, organizer, activity):
    cohort(db, org, activity, migrants=2, locals_=2)
    login(client, organizer)
    response = client.get(
        f"/activities/{activity.id}/groups/proposal", params={"mode": "size", "group_size": "1"}
    )
    assert response.status_code == 422
    assert "A group needs at least 2 people." in response.text
    response = client.get(
        f"/activities/{activity.id}/groups/proposal", params={"mode": "size", "group_size": "x"}
    )
    assert response.status_code == 422
    assert "whole numbers" in response.text


def test_a_stale_proposal_on_the_page_shows_the_new_one(client, db, org, organizer, activity):
    cohort(db, org, activity, migrants=3, locals_=3)
    login(client, organizer)
    response = post_form(
        client,
        f"/activities/{activity.id}/groups",
        {"mode": "count", "n_groups": "2", "seed": "1", "expected": "1,2|3"},
    )
    assert response.status_code == 409
    assert "enrolment changed" in response.text and "Proposal (not saved)" in response.text


def test_moving_without_javascript_redirects_with_the_message(client, db, org, organizer, activity):
    people = cohort(db, org, activity, migrants=1, locals_=2)
    ids = [p.id for p in people]
    saved = groups.save_by_hand(
        session=db, actor=organizer, activity_id=activity.id, groups=[ids[:1], ids[1:]]
    )
    login(client, organizer)
    response = post_form(
        client,
        f"/activities/{activity.id}/groups/move",
        {"participant_id": str(ids[0]), "group_id": str(saved.groups[1].id)},
    )
    assert response.status_code == 303
    assert "last person" in client.get(response.headers["location"]).text


# --- API ----------------------------------------------------------------------------------------


def test_api_proposes_saves_lists_and_moves(client, db, org, organizer, activity):
    people = cohort(db, org, activity, migrants=4, locals_=4)
    headers = api_token(client, organizer)
    base = f"/api/v1/activities/{activity.id}/groups"
    assert client.get(base, headers=headers).json()["formed_with_tool"] is None

    body = {"n_groups": 2, "keep_together": [[people[0].id, people[1].id]], "seed": 3}
    proposal = client.post(f"{base}/proposal", json=body, headers=headers)
    assert proposal.status_code == 200, proposal.text
    data = proposal.json()
    assert data["saved"] is False and data["groups"][0]["id"] is None
    assert [g["composition"]["group"] for g in data["groups"]] == [
        {"host": 2, "migrant": 2},
        {"host": 2, "migrant": 2},
    ]
    expected = [[m["participant_id"] for m in g["members"]] for g in data["groups"]]

    saved = client.post(base, json=body | {"expected": expected}, headers=headers)
    assert saved.status_code == 201, saved.text
    assert saved.json()["formed_with_tool"] is True

    listed = client.get(base, headers=headers).json()
    first, second = listed["groups"]
    mover = next(m for m in first["members"] if m["group"] == "host")
    moved = client.put(
        f"{base}/members/{mover['participant_id']}",
        json={"group_id": second["id"]},
        headers=headers,
    )
    assert moved.status_code == 200
    assert moved.json()["warnings"] == [
        "Group 1 has only one host-community member.",
        "Host-community members are spread unevenly: 1 to 3 per group.",
        "Group sizes are uneven: 3 to 5 people.",
    ]
    assert moved.json()["formed_with_tool"] is True

    by_hand = client.put(
        base,
        json={
            "groups": [
                {"participant_ids": [p.id for p in people[:4]]},
                {"participant_ids": [p.id for p in people[4:]], "name": "B"},
            ]
        },
        headers=headers,
    )
    assert by_hand.status_code == 200
    assert by_hand.json()["formed_with_tool"] is False


def test_api_refuses_bad_requests_with_clear_messages(client, db, org, organizer, activity):
    cohort(db, org, activity, migrants=3, locals_=3)
    headers = api_token(client, organizer)
    base = f"/api/v1/activities/{activity.id}/groups"
    too_small = client.post(f"{base}/proposal", json={"group_size": 1}, headers=headers)
    assert too_small.status_code == 422
    assert too_small.json() == {"detail": "A group needs at least 2 people."}
    too_many = client.post(f"{base}/proposal", json={"n_groups": 7}, headers=headers)
    assert too_many.status_code == 422
    assert "Cannot make 7 groups from only 6 people" in too_many.json()["detail"]
    stale = client.post(base, json={"n_groups": 2, "expected": [[1], [2]]}, headers=headers)
    assert stale.status_code == 409
    unknown = client.put(f"{base}/members/999999", json={"group_id": 1}, headers=headers)
    assert unknown.status_code == 404
