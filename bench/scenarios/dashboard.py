"""The territory dashboard and the outcomes API at 2,000 and 20,000 participants, against the bare
pandas/scipy/statsmodels computation of the same numbers.

Data: four NGOs sharing data with one territory, activities of 50 participants (40 and 400
activities), pre and post responses with attrition and stored scale scores (`dashboard_world`).
Timed over HTTP on a running server (median of 3 after a warm-up): the government viewer's impact
API and dashboard page, and an organizer's outcomes API (one NGO: a quarter of the data).
Bare: one SQL query for the cohesion scores of completed pre/post responses, pandas to pair them,
per-activity paired t / d_z vectorised with scipy and the random-effects pooled estimate - what the
dashboard shows, minus suppression, design and charts. The multilevel model (statsmodels MixedLM)
is compared on its own: the page loads it after the rest (htmx) and the APIs compute it only with
`include_mixed=true`, so a bare figure including it would flatter the page and the APIs.
Targets: within 3x the bare computation; the 10x data point at most about 12x the time.
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
from scipy import stats
from sqlalchemy import text
from sqlalchemy.engine import Engine
from statsmodels.regression.mixed_linear_model import MixedLM
from statsmodels.stats.meta_analysis import combine_effects

from bench import world
from bench.scenarios.common import Row, fresh, median_seconds, session_on
from bench.server import Server

SIZES = tuple(int(x) for x in os.environ.get("BENCH_DASHBOARD_SIZES", "2000,20000").split(","))
SCORES_SQL = """
SELECT s.activity_id, r.participant_id, w.kind AS wave, p."group" AS grp, rs.score
FROM response_score rs
JOIN response r ON r.id = rs.response_id
JOIN wave w ON w.id = r.wave_id
JOIN survey s ON s.id = w.survey_id
JOIN participant p ON p.id = r.participant_id
WHERE rs.scale_id = 'cohesion' AND rs.score IS NOT NULL AND r.submitted_at IS NOT NULL
  AND w.kind IN ('pre', 'post') AND s.organization_id = ANY_ORGS
"""


def bare_numbers(
    engine: Engine, organization_ids: list[int], *, mixed: bool = False
) -> dict[str, object]:
    """The dashboard's headline numbers, computed the plain way; with `mixed`, the multilevel
    model too (the page loads it separately and the APIs only with include_mixed=true)."""
    orgs = ", ".join(str(int(i)) for i in organization_ids)
    sql = SCORES_SQL.replace("= ANY_ORGS", f"IN ({orgs})")
    with engine.connect() as connection:
        scores = pd.DataFrame(
            connection.execute(text(sql)).all(),
            columns=["activity_id", "participant_id", "wave", "grp", "score"],
        )
    wide = (
        scores.pivot_table(
            index=["activity_id", "participant_id", "grp"], columns="wave", values="score"
        )
        .dropna()
        .reset_index()
    )
    wide["change"] = wide["post"] - wide["pre"]
    per = wide.groupby("activity_id")["change"].agg(["size", "mean", "std"])
    n, mean, sd = per["size"].to_numpy(float), per["mean"].to_numpy(), per["std"].to_numpy()
    t = mean / (sd / np.sqrt(n))
    p = 2 * stats.t.sf(np.abs(t), n - 1)
    d = mean / sd
    pooled = combine_effects(d, 1 / n + d**2 / (2 * n), method_re="pm")
    by_group = wide.groupby("grp")["change"].agg(["size", "mean", "std"])
    numbers = {
        "pairs": len(wide),
        "activities": len(per),
        "p_min": float(np.nanmin(p)),
        "pooled": float(pooled.mean_effect_re),
        "groups": len(by_group),
    }
    if mixed:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = MixedLM.from_formula(
                "change ~ 1", wide.rename(columns={"activity_id": "activity"}), groups="activity"
            ).fit(reml=True)
        numbers["mixed"] = float(fit.fe_params.iloc[0])
    return numbers


def _login(client: httpx.Client, email: str) -> None:
    client.get("/login")
    response = client.post(
        "/login",
        data={"email": email, "password": world.PASSWORD, "csrftoken": client.cookies["csrftoken"]},
    )
    assert response.status_code == 303, response.text[:300]


def _token(client: httpx.Client, email: str) -> dict[str, str]:
    response = client.post(
        "/api/v1/auth/token", data={"username": email, "password": world.PASSWORD}
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _timed(
    client: httpx.Client, url: str, headers: dict[str, str] | None = None, attempts: int = 4
) -> float:
    """The median time of the attempts after the first (a warm-up)."""
    times = []
    for attempt in range(attempts):
        started = time.perf_counter()
        response = client.get(url, headers=headers or {})
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code} {response.text[:300]}")
        if attempt:
            times.append(elapsed)
    return statistics.median(times)


def measure(backend: str, size: int, log_dir: Path) -> dict[str, float | int]:
    with fresh(backend) as (database, engine):
        started = time.perf_counter()
        with session_on(engine) as session:
            data = world.dashboard_world(session, size)
        seeded = time.perf_counter() - started
        one_org = data.organization_ids[:1]
        bare_all = median_seconds(lambda: bare_numbers(engine, data.organization_ids))
        bare_one = median_seconds(lambda: bare_numbers(engine, one_org))
        # the mixed model costs seconds at 20,000: one timed run each side (no cache to warm)
        bare_mixed = median_seconds(
            lambda: bare_numbers(engine, data.organization_ids, mixed=True), repeat=1, warmup=0
        )
        with (
            Server(database.url, log_path=log_dir / f"dash-{backend}-{size}.log") as server,
            httpx.Client(base_url=server.url, timeout=300) as client,
        ):
            viewer = _token(client, data.viewer_email)
            organizer = _token(client, data.organizer_emails[0])
            impact = f"/api/v1/territories/{data.territory_id}/impact"
            impact_api = _timed(client, impact, viewer)
            impact_mixed = _timed(client, impact + "?include_mixed=true", viewer, attempts=2)
            outcomes_api = _timed(client, f"/api/v1/orgs/{one_org[0]}/outcomes", organizer)
            _login(client, data.viewer_email)
            page = _timed(client, "/dashboards/territory")
    return {
        "participants": data.participants,
        "activities": data.activities,
        "seed_s": round(seeded, 1),
        "bare_territory_s": round(bare_all, 4),
        "bare_one_org_s": round(bare_one, 4),
        "bare_mixed_s": round(bare_mixed, 4),
        "impact_api_s": round(impact_api, 4),
        "impact_mixed_api_s": round(impact_mixed, 4),
        "dashboard_page_s": round(page, 4),
        "org_outcomes_api_s": round(outcomes_api, 4),
    }


def run(backends: list[str], results_dir: Path) -> list[Row]:
    rows: list[Row] = []
    log_dir = Path(tempfile.mkdtemp(prefix="encuentro-bench-logs-"))
    for backend in backends:
        figures = {size: measure(backend, size, log_dir) for size in SIZES}
        small, large = figures[SIZES[0]], figures[SIZES[1]]
        checks = (
            ("territory impact API", "impact_api_s", "bare_territory_s"),
            ("territory impact API with the mixed model", "impact_mixed_api_s", "bare_mixed_s"),
            (
                "territory dashboard page (mixed model loaded after)",
                "dashboard_page_s",
                "bare_territory_s",
            ),
            ("organizer outcomes API", "org_outcomes_api_s", "bare_one_org_s"),
        )
        for name, key, bare_key in checks:
            for size in SIZES:
                f = figures[size]
                ratio = f[key] / f[bare_key]
                rows.append(
                    Row(
                        f"{name}, {size:,} participants",
                        backend,
                        f"{f[key] * 1000:.0f} ms; bare {f[bare_key] * 1000:.0f} ms",
                        "≤ 3× bare",
                        round(ratio, 2),
                        ratio <= 3,
                        details=f,
                    )
                )
            growth = large[key] / small[key]
            rows.append(
                Row(
                    f"{name}, growth {SIZES[0]:,} → {SIZES[1]:,}",
                    backend,
                    f"× {growth:.1f} (bare × {large[bare_key] / small[bare_key]:.1f})",
                    "≤ × 12",
                    round(growth / 12, 2),
                    growth <= 12,
                )
            )
    shutil.rmtree(log_dir, ignore_errors=True)
    return rows
