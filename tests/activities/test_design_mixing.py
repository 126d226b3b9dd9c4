"""Forming mixed groups with the tool is what principle 5 asks for, and the design score sees it."""

from activities.roster import groups
from tests.activities.activity_factories import make_activity, score
from tests.activities.roster_factories import cohort
from tests.factories import make_org, make_user


def test_saving_groups_formed_with_the_tool_raises_principle_5(db):
    org = make_org(db)
    organizer = make_user(db, org)
    activity = make_activity(db, organizer)
    cohort(db, org, activity, migrants=6, locals_=6)
    before = score(db, organizer, activity, 5)
    request = groups.GroupRequest(n_groups=3)
    groups.save_proposal(session=db, actor=organizer, activity_id=activity.id, request=request)
    assert score(db, organizer, activity, 5) > before
