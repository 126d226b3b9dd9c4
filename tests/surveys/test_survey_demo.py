"""The demo surveys: pre answered by most, post by fewer, a clear improvement for the best-designed
activity and none for the weakest; stored scores for every completed response; seeded once."""

from statistics import mean

from sqlalchemy import func
from sqlmodel import col, select

from activities.demo import CURRENT_TITLES
from activities.models import Activity
from app.demo import seed_demo
from surveys.models import Response, ResponseScore, Survey, Wave


def _cohesion(db, survey, kind):
    query = (
        select(ResponseScore.score)
        .join(Response, col(Response.id) == col(ResponseScore.response_id))
        .join(Wave, col(Wave.id) == col(Response.wave_id))
        .where(Wave.survey_id == survey.id, Wave.kind == kind, ResponseScore.scale_id == "cohesion")
    )
    return [s for s in db.exec(query).all() if s is not None]


def test_demo_surveys_show_attrition_and_change_that_follows_the_design(db):
    demo = seed_demo(db)
    count = db.exec(select(func.count()).select_from(Response)).one()
    seed_demo(db)
    assert db.exec(select(func.count()).select_from(Response)).one() == count  # seeded once
    activities = db.exec(
        select(Activity).where(
            Activity.organization_id == demo.organization.id,
            col(Activity.title).in_(CURRENT_TITLES),
        )
    ).all()
    ranked = sorted(activities, key=lambda a: -(a.design_score or 0))
    changes = []
    for activity in ranked:
        survey = db.exec(select(Survey).where(Survey.activity_id == activity.id)).one()
        pre, post = _cohesion(db, survey, "pre"), _cohesion(db, survey, "post")
        assert len(pre) > len(post) >= 5
        changes.append(mean(post) - mean(pre))
        completed = db.exec(
            select(Response.id)
            .join(Wave, col(Wave.id) == col(Response.wave_id))
            .where(Wave.survey_id == survey.id, col(Response.submitted_at).is_not(None))
        ).all()
        scored = db.exec(
            select(func.count(func.distinct(ResponseScore.response_id))).where(
                col(ResponseScore.response_id).in_(completed)
            )
        ).one()
        assert scored == len(completed)
    assert changes[0] > 8  # the best design: a clear improvement on the 0-100 index
    assert abs(changes[-1]) < 6  # the weakest: about none
    assert changes[0] > changes[1] > changes[-1] - 3
