"""The demo as a whole: three NGOs, two of which share with the demo municipality, so the government
viewer's dashboard has enough activities for every analysis; the NGO that does not share stays
invisible; seeding twice adds nothing."""

from sqlalchemy import func
from sqlmodel import col, select

from activities.models import Activity, ActivityStatus
from app.accounts.models import Organization, User
from app.dashboards import service as dashboards
from app.demo import DEMO_ACCOUNTS, HORIZONTE, ORGANIZATIONS, seed_demo
from app.security import verify_password
from surveys.models import Response, Survey, Wave
from surveys.outcomes import OverviewFilters


def _rows(db) -> tuple[int, ...]:  # type: ignore[no-untyped-def]
    return tuple(
        db.exec(select(func.count()).select_from(table)).one()
        for table in (Organization, User, Activity, Survey, Response)
    )


def test_the_viewer_sees_enough_shared_activities_for_every_analysis(db):
    demo = seed_demo(db)
    first = _rows(db)
    seed_demo(db)
    assert _rows(db) == first  # idempotent

    assert {o.name for o in db.exec(select(Organization)).all()} >= {p.name for p in ORGANIZATIONS}
    for email in DEMO_ACCOUNTS:
        user = db.exec(select(User).where(User.email == email)).one()
        assert verify_password(user.password_hash, "encuentro-demo")

    assert demo.viewer.territory_id is not None
    impact = dashboards.territory_impact(
        session=db,
        actor=demo.viewer,
        territory_id=demo.viewer.territory_id,
        filters=OverviewFilters(),
    )
    report = impact.report
    shown = report.shown
    assert len(shown) >= 8  # activities with pre and post results
    assert len({str(d)[:7] for d in shown["post_closes_on"]}) >= 5  # spread over time
    assert shown["design_overall"].max() - shown["design_overall"].min() > 60
    assert len(report.over_time["period"].unique()) >= 4

    # Which designs go with larger change: every principle has a correlation, mostly positive.
    assert len(report.design) == 7 and report.design["r"].notna().all()
    assert (report.design["r"] > 0).sum() >= 5
    assert report.meta.k >= 8 and report.meta.estimate > 0
    assert report.mixed is not None and report.mixed_reason is None

    # The main disaggregation cells are shown (five people or more), small ones withheld.
    cells = report.by_group.drop_duplicates(["dimension", "value"]).set_index(
        ["dimension", "value"]
    )
    for cell in [("group", "migrant"), ("group", "host"), ("gender", "woman"), ("gender", "man")]:
        assert not cells.loc[cell, "suppressed"], cell
    assert not cells.loc[("language", "ar"), "suppressed"]
    assert cells["suppressed"].any()

    # The NGO that does not share runs an activity in the same territory, unseen by the viewer.
    hidden = demo.orgs[HORIZONTE].organization
    hidden_titles = db.exec(
        select(Activity.title).where(Activity.organization_id == hidden.id)
    ).all()
    assert hidden_titles and not set(hidden_titles) & set(report.per_activity["title"])
    assert hidden.name not in {name for _, name in impact.organizations}


def test_completed_activities_have_closed_waves_and_current_ones_an_open_post_wave(db):
    seed_demo(db)
    completed = db.exec(select(Activity).where(Activity.status == ActivityStatus.COMPLETED)).all()
    assert len(completed) >= 7
    today = max(a.end_date for a in completed if a.end_date)
    open_posts = db.exec(
        select(Wave)
        .join(Survey, col(Survey.id) == col(Wave.survey_id))
        .where(Wave.kind == "post", col(Wave.closes_on) > today)
    ).all()
    assert len(open_posts) >= 3  # the current activities' links still work
    for activity in completed:
        n = db.exec(
            select(func.count())
            .select_from(Response)
            .join(Wave, col(Wave.id) == col(Response.wave_id))
            .join(Survey, col(Survey.id) == col(Wave.survey_id))
            .where(Survey.activity_id == activity.id, col(Response.submitted_at).is_not(None))
        ).one()
        assert n >= 25, activity.title
