"""What limits each benchmark, as found by profiling the server under the same load (py-spy;
summaries in bench/results/profile-*.txt) and by counting its SQL statements. Written by hand
from those profiles: update it when a profile changes. Keyed by the start of the benchmark's name.
"""

from __future__ import annotations

LIMITS: dict[str, str] = {
    "submission": (
        "CPU per post (see measured): one uvicorn worker holds the GIL for everything. Per post, "
        "beyond the bare app: FastAPI 0.165 routing and six middlewares (session, CSRF, gzip, "
        "security headers, body limit, error handling), the link lookup (one query: link, wave, "
        "survey, participant, response, instrument version), checking 25 answers against their "
        "items, 5 writes instead of 2 (lock + complete, the 25-answer upsert, scores delete + "
        "insert) and a thread hand-off for the sync session whose wake-up waits for the busy event "
        "loop. SQLite: one writer, so the posts queue on its single connection. p99 at 64 closed-"
        "loop clients is about 64 ÷ throughput: under 250 ms needs more than ~300 posts/s, above "
        "even the bare app's on this loaded machine."
    ),
    "peak RSS": (
        "~220 MB of it is the import of the app (pandas, scipy, statsmodels, plotly, openpyxl for "
        "the dashboards and exports, loaded at start by every worker); the load adds 20-30 MB."
    ),
    "participant question page": (
        "CPU per page (see measured) against a static template: routing through ~215 routes "
        "(participant routes first in app/routes.py, but the /api/v1 routes, included first in "
        "app/main.py, are tried before them: ~0.8 ms), the middlewares (a new signed CSRF token "
        "for a cookieless client), 2 queries (link with everything, answers so far), building 6 "
        "questions and autoescaping them in Jinja, and the thread hand-off of the sync endpoint. "
        "50% of a bare template that does none of this would need under ~0.7 ms per page."
    ),
    "bytes": "plain HTML and one small stylesheet; htmx only on question pages.",
    "territory impact API with the mixed model": (
        "statsmodels MixedLM fit, the same call as the bare side: equal by construction."
    ),
    "territory impact API": (
        "a fixed ~150-250 ms of pandas/scipy calls: the API computes more tables than the bare "
        "side (per activity and scale with Wilcoxon and Holm, by group, over time, design vs "
        "outcome, the funnel) and suppresses small cells per group (`atomic_by_group`), each a "
        "few groupbys of ~1 ms whatever the size; so it misses 3× at 2,000 participants where "
        "the bare query + 5 pandas calls take 30-100 ms, and passes at 20,000 (growth ~5×)."
    ),
    "territory dashboard page": (
        "the API's fixed cost (above) plus three Plotly figures and their JSON (~60 ms); the "
        "mixed model is loaded after the page."
    ),
    "organizer outcomes API": (
        "as the territory API (fixed pandas/scipy cost per table), for one organization's "
        "activities: the bare side is a single small query there (26-80 ms)."
    ),
    "group formation": "anticlustering restarts in numpy.",
}


def limit_of(benchmark: str) -> str:
    """The note of the longest key that starts the benchmark's name."""
    keys = sorted((k for k in LIMITS if benchmark.startswith(k)), key=len, reverse=True)
    return LIMITS[keys[0]] if keys else ""
