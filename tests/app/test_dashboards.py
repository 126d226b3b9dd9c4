"""A government viewer reads the territory impact dashboard: only organizations that share data
with the territory, only aggregates, small cells suppressed everywhere (page, API, exports)."""

import io
import re
from dataclasses import dataclass

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from activities.codes import format_code
from activities.participants.models import Participant
from app.accounts.models import Territory, User
from tests.activities.roster_factories import queries
from tests.factories import api_token, login, make_territory
from tests.surveys.outcome_factories import (
    CHANGES,
    Study,
    another_activity,
    cohort,
    make_study,
    revoke,
    share,
    viewer_of,
)


@dataclass
class Town:
    territory: Territory
    viewer: User
    shared: Study
    private: Study
    people: list[Participant]


def _town(db: Session) -> Town:
    territory = make_territory(db)
    shared = make_study(db, title="Cocina abierta")
    people = cohort(db, shared, CHANGES[:6], group="migrant")
    people += cohort(db, shared, CHANGES[6:], group="host")
    share(db, shared.world.org, territory)
    private = make_study(db, title="Taller privado")
    people += cohort(db, private, CHANGES, group="host")
    return Town(territory, viewer_of(db, territory), shared, private, people)


def _impact(client: TestClient, town: Town, query: str = "") -> dict:  # type: ignore[type-arg]
    auth = api_token(client, town.viewer)
    url = f"/api/v1/territories/{town.territory.id}/impact{query}"
    response = client.get(url, headers=auth)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_only_organizations_sharing_with_the_territory_are_shown(client: TestClient, db: Session):
    town = _town(db)
    login(client, town.viewer)

    page = client.get("/dashboards/territory")

    assert page.status_code == 200
    assert "Cocina abierta" in page.text and "Taller privado" not in page.text
    assert [a["title"] for a in _impact(client, town)["activities"]] == ["Cocina abierta"]
    revoke(db, town.shared.world.org, town.territory)
    assert "Cocina abierta" not in client.get("/dashboards/territory").text
    assert _impact(client, town)["activities"] == []


def test_activities_located_in_another_territory_are_left_out(client: TestClient, db: Session):
    town = _town(db)
    elsewhere = make_territory(db)
    share(db, town.shared.world.org, elsewhere)
    town.shared.world.activity.territory_id = elsewhere.id
    db.add(town.shared.world.activity)
    db.commit()

    assert _impact(client, town)["activities"] == []


def test_no_figure_names_or_numbers_a_participant(client: TestClient, db: Session):
    town = _town(db)
    login(client, town.viewer)
    texts = [
        client.get("/dashboards/territory").text,
        client.get("/dashboards/territory?scale=cohesion&kind=cooking").text,
        client.get("/dashboards/territory/export.csv").text,
        str(_impact(client, town)),
    ]
    xlsx = client.get("/dashboards/territory/export.xlsx")
    sheets = pd.read_excel(io.BytesIO(xlsx.content), sheet_name=None)
    texts += [frame.to_csv() for frame in sheets.values()]

    for text in texts:
        for person in town.people:
            assert person.code not in text and format_code(person.code) not in text
            assert person.name not in text
        assert "participant_id" not in text and "participant_key" not in text
    assert not any("participant" in str(c) for f in sheets.values() for c in f.columns)


def test_a_small_group_is_hidden_with_its_complement_and_totals_stay_consistent(
    client: TestClient, db: Session
):
    territory = make_territory(db)
    study = make_study(db, title="Cocina abierta")
    cohort(db, study, CHANGES[:4], group="migrant")  # 4 migrants: too few to show
    cohort(db, study, CHANGES[4:], group="host")  # 8 locals: hidden too, or 12 - 8 = 4
    share(db, study.world.org, territory)
    town = Town(territory, viewer_of(db, territory), study, study, [])
    login(client, town.viewer)

    body = _impact(client, town)
    page = client.get("/dashboards/territory").text
    export = pd.read_csv(io.StringIO(client.get("/dashboards/territory/export.csv").text))

    groups = {g["value"]: g for g in body["by_group"] if g["dimension"] == "group"}
    assert groups["migrant"]["suppressed"] and groups["migrant"]["n_pairs"] is None
    assert groups["host"]["suppressed"] and groups["host"]["mean_change"] is None
    assert body["total"]["n_pairs"] == 12 == body["activities"][0]["n_pairs"]
    grid = re.search(r'data-dimension="group">(.*?)</table>', page, re.S)
    assert grid and "n = " not in grid.group(1) and "hidden*" in grid.group(1)
    rows = export[(export["table"] == "by_group") & (export["dimension"] == "group")]
    assert rows["n_pairs"].isna().all() and rows["mean_change"].isna().all()
    assert export.loc[export["table"] == "total", "n_pairs"].tolist() == [12]


def test_an_activity_under_k_is_listed_but_counts_nowhere(client: TestClient, db: Session):
    town = _town(db)
    small = another_activity(db, town.shared, title="Grupo pequeño", kind="sports")
    cohort(db, small, CHANGES[:3])

    body = _impact(client, town)

    rows = {a["title"]: a for a in body["activities"]}
    assert rows["Grupo pequeño"]["suppressed"] and rows["Grupo pequeño"]["n_pairs"] is None
    assert rows["Grupo pequeño"]["cohen_dz"] is None
    assert body["total"]["n_pairs"] == 12 == body["funnel"]["n_matched"]
    assert body["funnel"]["n_pre"] == 12 and body["pooled"]["k"] == 1


def test_the_exports_hold_the_figures_of_the_page_and_api(client: TestClient, db: Session):
    town = _town(db)
    other = another_activity(db, town.shared, title="Liga de barrio", kind="sports")
    cohort(db, other, CHANGES[2:10], group="host")
    login(client, town.viewer)

    body = _impact(client, town)
    csv = pd.read_csv(io.StringIO(client.get("/dashboards/territory/export.csv").text))
    auth = api_token(client, town.viewer)
    api_xlsx = client.get(
        f"/api/v1/territories/{town.territory.id}/impact/export?format=xlsx", headers=auth
    )
    sheets = pd.read_excel(io.BytesIO(api_xlsx.content), sheet_name=None)

    by_title = {a["title"]: a for a in body["activities"]}
    for frame in (csv[csv["table"] == "activities"], sheets["activities"]):
        for _, row in frame.iterrows():
            assert row["n_pairs"] == by_title[row["title"]]["n_pairs"]
            assert row["cohen_dz"] == pytest.approx(by_title[row["title"]]["cohen_dz"])
    pooled = csv[csv["table"] == "pooled"].iloc[0]
    assert pooled["estimate"] == pytest.approx(body["pooled"]["estimate"])


def test_filters_narrow_the_results_in_a_fragment(client: TestClient, db: Session):
    town = _town(db)
    other = another_activity(db, town.shared, title="Liga de barrio", kind="sports")
    cohort(db, other, CHANGES[:6])
    login(client, town.viewer)

    fragment = client.get(
        "/dashboards/territory?kind=sports",
        headers={"HX-Request": "true", "HX-Target": "results"},
    )

    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="results">')
    assert "<html" not in fragment.text and "Liga de barrio" in fragment.text
    assert "Cocina abierta" not in fragment.text
    full = client.get("/dashboards/territory?kind=sports")
    assert "<html" in full.text and 'hx-get="' in full.text and 'method="get"' in full.text
    org = town.shared.world.org.id
    assert len(_impact(client, town, f"?organization_id={org}")["activities"]) == 2
    assert _impact(client, town, "?organization_id=999999")["activities"] == []
    later = _impact(client, town, "?date_from=2999-01-01")
    assert later["activities"] == [] and later["total"] is None


def test_participants_without_consent_to_share_are_not_counted(client: TestClient, db: Session):
    town = _town(db)
    cohort(db, town.shared, CHANGES[:3], consent=False)

    body = _impact(client, town)

    assert body["total"]["n_pairs"] == 12
    auth = api_token(client, town.shared.world.organizer)
    own = client.get(f"/api/v1/orgs/{town.shared.world.org.id}/outcomes", headers=auth).json()
    assert own["total"]["n_pairs"] == 15


def test_access_rules(client: TestClient, db: Session):
    town = _town(db)
    login(client, town.viewer)
    for url in ("/activities", "/participants", "/surveys", "/outcomes"):
        assert client.get(url).status_code == 403, url
    assert client.get(f"/activities/{town.shared.activity_id}/outcomes").status_code == 404
    other = make_territory(db)
    auth = api_token(client, town.viewer)
    assert client.get(f"/api/v1/territories/{other.id}/impact", headers=auth).status_code == 404
    organizer = town.shared.world.organizer
    login(client, organizer)
    assert client.get("/dashboards/territory").status_code == 403
    staff = api_token(client, organizer)
    url = f"/api/v1/territories/{town.territory.id}/impact"
    assert client.get(url, headers=staff).status_code == 403
    assert client.get(url + "/export", headers=staff).status_code == 403


def test_without_sharing_the_dashboard_says_so(client: TestClient, db: Session):
    viewer = viewer_of(db, make_territory(db))
    login(client, viewer)

    page = client.get("/dashboards/territory")

    assert "No organization shares its results with your territory yet" in page.text
    home = client.get("/")
    assert 'href="http://testserver/dashboards/territory"' in home.text


def test_the_dashboard_reads_aggregates_in_a_fixed_number_of_queries(
    client: TestClient, db: Session
):
    town = _town(db)
    from app.dashboards import service
    from surveys.outcomes import OverviewFilters

    assert town.territory.id is not None
    with queries(db) as one:
        service.territory_impact(
            session=db, actor=town.viewer, territory_id=town.territory.id, filters=OverviewFilters()
        )
    for i in range(3):
        cohort(db, another_activity(db, town.shared, title=f"Liga {i}"), CHANGES[i : i + 6])
    with queries(db) as four:
        report = service.territory_impact(
            session=db, actor=town.viewer, territory_id=town.territory.id, filters=OverviewFilters()
        ).report
    assert len(four) == len(one) <= 10
    assert report.meta.k == 4
    assert not any("FROM answer" in q for q in four)


def test_when_every_activity_is_under_k_nothing_is_pooled_on_the_page_or_api(
    client: TestClient, db: Session
):
    territory = make_territory(db)
    for title in ("Grupo uno", "Grupo dos"):
        study = make_study(db, title=title)
        cohort(db, study, CHANGES[:3])
        share(db, study.world.org, territory)
    viewer = viewer_of(db, territory)
    auth = api_token(client, viewer)

    body = client.get(f"/api/v1/territories/{territory.id}/impact", headers=auth).json()

    assert all(a["suppressed"] for a in body["activities"])
    assert not body["total"] or body["total"]["n_pairs"] is None  # 3 + 3 pooled would show 6
    login(client, viewer)
    page = client.get("/dashboards/territory")
    assert page.status_code == 200
    assert "Grupo uno" in page.text and "Grupo dos" in page.text
