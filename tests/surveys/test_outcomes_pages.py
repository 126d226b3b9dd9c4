"""An organizer reads an activity's outcomes and the organization overview, prints and exports
them; a government viewer and another organization's staff cannot get in."""

import io
import re

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.accounts.models import Role
from app.audit import AuditEntry
from surveys import analysis
from tests.factories import login, make_territory, make_user
from tests.surveys.outcome_factories import CHANGES, another_activity, cohort, make_study, pair
from tests.surveys.survey_factories import make_world


def _expected(frame: pd.DataFrame) -> pd.Series:
    return analysis.change_table(analysis.match_waves(frame)).set_index("scale_id").loc["cohesion"]


def _row(html: str, scale: str) -> str:
    found = re.search(rf'<tr data-scale="{scale}">(.*?)</tr>', html, re.S)
    assert found, f"no row for {scale}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1)))


def test_the_outcomes_page_shows_the_figures_of_analysis(client: TestClient, db: Session):
    study = make_study(db)
    cohort(db, study, CHANGES[:6], group="migrant")
    cohort(db, study, CHANGES[6:], group="host")
    login(client, study.world.organizer)

    page = client.get(f"/activities/{study.activity_id}/outcomes")

    assert page.status_code == 200
    expected = _expected(study.frame())
    row = _row(page.text, "cohesion")
    for value in (expected["mean_pre"], expected["mean_post"], expected["mean_change"]):
        assert f"{value:.1f}" in row
    assert f"[{expected['ci_low']:.1f}, {expected['ci_high']:.1f}]" in row
    assert f"{expected['t']:.2f} ({expected['df']:.0f})" in row
    assert f"{expected['d_z']:.2f}" in row
    sentence = f"Cohesion index improved by {expected['mean_change']:.1f} points (d = "
    assert sentence + f"{expected['d_z']:.2f}, 95% CI" in page.text
    assert page.text.count('data-plotly="') >= 4  # funnel, means, distribution, groups
    assert "plotly-4.1.1.min.js" in page.text and "js/print.js" in page.text
    assert "data-print" in page.text


def test_small_groups_are_hidden_on_the_page(client: TestClient, db: Session):
    study = make_study(db)
    cohort(db, study, CHANGES[:4], group="migrant")
    cohort(db, study, CHANGES[4:], group="host")
    login(client, study.world.organizer)

    html = client.get(f"/activities/{study.activity_id}/outcomes").text

    grid = re.search(r'data-dimension="group">(.*?)</table>', html, re.S)
    assert grid
    migrants = re.search(r'data-value="migrant">(.*?)</tr>', grid.group(1), re.S)
    hosts = re.search(r'data-value="host">(.*?)</tr>', grid.group(1), re.S)
    assert migrants and "fewer than 5" in migrants.group(1)
    assert hosts and "hidden*" in hosts.group(1) and "n = 8" not in hosts.group(1)
    assert "n = 12" not in grid.group(1)
    assert _row(html, "cohesion").startswith(" Cohesion index 12 ")  # the total stays


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("no survey", "has no survey yet"),
        ("no answers", "Nobody has completed the survey yet"),
        ("pre only", "No post answers yet"),
    ],
)
def test_empty_states(client: TestClient, db: Session, setup: str, message: str):
    world = make_world(db)
    if setup != "no survey":
        study = make_study(db, world=world)
        if setup == "pre only":
            pair(db, study, {"cohesion": 50.0}, None)
    login(client, world.organizer)

    page = client.get(f"/activities/{world.activity.id}/outcomes")

    assert page.status_code == 200
    assert message in page.text


def test_only_the_organization_reaches_its_outcomes(client: TestClient, db: Session):
    study = make_study(db)
    cohort(db, study, CHANGES[:5])
    url = f"/activities/{study.activity_id}/outcomes"

    login(client, make_world(db).organizer)
    assert client.get(url).status_code == 404
    assert client.get(url + "/export.csv").status_code == 404
    viewer = make_user(db, None, role=Role.GOVERNMENT_VIEWER, territory=make_territory(db))
    login(client, viewer)
    assert client.get(url).status_code == 404
    assert client.get("/outcomes").status_code == 403
    assert client.get("/activities").status_code == 403


def test_an_export_names_participants_by_code_and_is_audit_logged(client: TestClient, db: Session):
    study = make_study(db)
    people = cohort(db, study, CHANGES[:6])
    login(client, study.world.organizer)

    csv = client.get(f"/activities/{study.activity_id}/outcomes/export.csv")
    xlsx = client.get(f"/activities/{study.activity_id}/outcomes/export.xlsx")

    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    table = pd.read_csv(io.StringIO(csv.text))
    scores = table[table["table"] == "scores"]
    assert set(scores["participant"]) == {p.code for p in people}
    change = table[(table["table"] == "change") & (table["scale"] == "cohesion")].iloc[0]
    assert change["mean_change"] == pytest.approx(_expected(study.frame())["mean_change"])
    sheets = pd.read_excel(io.BytesIO(xlsx.content), sheet_name=None)
    assert {"change", "attrition", "reliability", "by_group", "scores"} <= set(sheets)
    entries = db.exec(select(AuditEntry).where(AuditEntry.subject_id == study.activity_id)).all()
    assert [e.action for e in entries if e.subject_type == "activity"] == ["export", "export"]


def test_the_overview_lists_every_activity_with_a_forest_plot(client: TestClient, db: Session):
    study = make_study(db)
    cohort(db, study, CHANGES[:6])
    other = another_activity(db, study, title="Liga de barrio")
    cohort(db, other, CHANGES[6:])
    login(client, study.world.organizer)

    page = client.get("/outcomes")

    assert page.status_code == 200
    assert 'data-plotly="forest"' in page.text
    assert study.world.activity.title in page.text and "Liga de barrio" in page.text
    assert 'hx-get="http://testserver/outcomes?mixed=1"' in page.text  # loaded after the page
    later = client.get("/outcomes?mixed=1", headers={"HX-Request": "true", "HX-Target": "mixed"})
    assert later.text.startswith('<p id="mixed">')
    assert "needs at least 5 activities with data (here: 2)" in later.text
    assert "needs at least 5 activities with data" in client.get("/outcomes?mixed=1").text
    fragment = client.get(
        "/outcomes?kind=sports", headers={"HX-Request": "true", "HX-Target": "results"}
    )
    assert fragment.text.lstrip().startswith('<div id="results">')
    assert "Liga de barrio" in fragment.text and study.world.activity.title not in fragment.text
    assert "HX-Request" in fragment.headers["vary"]
    export = client.get("/outcomes/export.csv?kind=sports")
    activities = pd.read_csv(io.StringIO(export.text)).query("table == 'activities'")
    assert list(activities["title"]) == ["Liga de barrio"]
