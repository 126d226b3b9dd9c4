"""The outcomes API: the documented shape, the figures of `surveys.analysis`, and its scoping."""

import io

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.accounts.models import Role
from surveys import analysis
from tests.factories import api_token, make_territory, make_user
from tests.surveys.outcome_factories import CHANGES, another_activity, cohort, make_study, pair
from tests.surveys.survey_factories import make_world


def test_activity_outcomes_follow_the_documented_shape_and_numbers(client: TestClient, db: Session):
    study = make_study(db)
    cohort(db, study, CHANGES[:4], group="migrant")
    cohort(db, study, CHANGES[4:], group="host")
    pair(db, study, {"cohesion": 30.0}, None, group="host")  # dropped out
    auth = api_token(client, study.world.organizer)

    body = client.get(f"/api/v1/activities/{study.activity_id}/outcomes", headers=auth).json()

    assert body["state"] == "ready"
    attrition = body["attrition"]
    assert (attrition["n_pre"], attrition["n_post"], attrition["n_matched"]) == (13, 12, 12)
    scale = body["scales"][0]
    expected = (
        analysis.change_table(analysis.match_waves(study.frame()))
        .set_index("scale_id")
        .loc["cohesion"]
    )
    assert scale["scale"] == "cohesion"
    assert scale["n_pairs"] == 12
    assert scale["mean_change"] == pytest.approx(expected["mean_change"])
    assert scale["ci95"] == pytest.approx([expected["ci_low"], expected["ci_high"]])
    assert scale["t"] == pytest.approx(expected["t"]) and scale["df"] == 11
    assert scale["p"] == pytest.approx(expected["p"])
    assert scale["p_holm"] == pytest.approx(expected["p_holm"])
    assert scale["wilcoxon_p"] == pytest.approx(expected["wilcoxon_p"])
    assert scale["cohen_dz"] == pytest.approx(expected["d_z"])
    assert scale["dz_ci95"] == pytest.approx([expected["d_z_ci_low"], expected["d_z_ci_high"]])
    assert {"alpha_pre", "alpha_post", "suppressed", "sd_change", "mean_pre"} <= set(scale)
    groups = {g["value"]: g for g in body["by_group"] if g["dimension"] == "group"}
    assert groups["migrant"]["suppressed"] and groups["migrant"]["n_pairs"] is None
    assert groups["host"]["suppression"] == "secondary" and groups["host"]["mean_change"] is None
    assert "zero" in body["wilcoxon_method"]


def test_activity_outcomes_are_scoped(client: TestClient, db: Session):
    study = make_study(db)
    cohort(db, study, CHANGES[:5])
    url = f"/api/v1/activities/{study.activity_id}/outcomes"

    stranger = api_token(client, make_world(db).organizer)
    viewer = make_user(db, None, role=Role.GOVERNMENT_VIEWER, territory=make_territory(db))
    as_viewer = api_token(client, viewer)

    assert client.get(url, headers=stranger).status_code == 404
    assert client.get(url + "/export", headers=stranger).status_code == 404
    assert client.get(url, headers=as_viewer).status_code == 404
    assert client.get(url).status_code == 401
    assert (
        client.get(f"/api/v1/orgs/{study.world.org.id}/outcomes", headers=as_viewer).status_code
        == 403
    )
    assert (
        client.get(f"/api/v1/orgs/{study.world.org.id}/outcomes", headers=stranger).status_code
        == 404
    )


def test_an_activity_without_survey_is_an_empty_state(client: TestClient, db: Session):
    world = make_world(db)
    auth = api_token(client, world.organizer)

    body = client.get(f"/api/v1/activities/{world.activity.id}/outcomes", headers=auth).json()

    assert body["state"] == "no_survey" and body["scales"] == [] and body["attrition"] is None


def test_the_organization_overview_pools_its_activities(client: TestClient, db: Session):
    study = make_study(db)
    cohort(db, study, CHANGES[:6])
    other = another_activity(db, study, title="Liga de barrio")
    cohort(db, other, CHANGES[6:])
    auth = api_token(client, study.world.organizer)
    url = f"/api/v1/orgs/{study.world.org.id}/outcomes"

    body = client.get(url, headers=auth).json()

    assert {a["title"] for a in body["activities"]} == {
        "Liga de barrio",
        study.world.activity.title,
    }
    assert body["pooled"]["k"] == 2 and body["pooled"]["estimate"] is not None
    assert body["total"]["n_pairs"] == 12
    assert body["mixed_model"]["reason"] == "not requested"
    mixed = client.get(url + "?include_mixed=true", headers=auth).json()["mixed_model"]
    assert mixed["estimate"] is None and "at least 5" in mixed["reason"]
    assert len(body["design_vs_outcome"]) == 7
    assert client.get(url + "?scale=nonsense", headers=auth).status_code == 404
    export = client.get(url + "/export?format=xlsx", headers=auth)
    sheets = pd.read_excel(io.BytesIO(export.content), sheet_name=None)
    assert sorted(sheets["activities"]["n_pairs"]) == [6, 6]
