"""The participant's question page: GET throughput against a bare Jinja page of the same size, and
the bytes a phone downloads for each participant page with all its assets, gzip-compressed.

Targets: at least 50% of the bare page's throughput; at most 40 KB compressed per page with its
assets (a first visit, nothing cached).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import httpx

from bench import load, world
from bench.scenarios import submission
from bench.scenarios.common import Row, bare_database, fresh, session_on, throughput_ratio
from bench.server import Server

CONNECTIONS = 64
SECONDS = 8.0
PAGE_BUDGET_KB = 40.0
ASSET = re.compile(r'(?:href|src)="(?:https?://[^/"]+)?(/static/[^"]+)"')


def _bare_template(html: str, token: str, csrf: str) -> str:
    """The captured page as a Jinja template: its text verbatim, the token and CSRF as variables."""

    def raw(text: str) -> str:
        return "{% raw %}" + text + "{% endraw %}"

    parts = []
    for i, piece in enumerate(html.split(token)):
        inner = [raw(p) for p in piece.split(csrf)]
        parts.append("{{ csrf }}".join(inner))
        del i
    return "{{ token }}".join(parts)


def profile_page(server: Server, tokens: list[str], out: Path) -> str:
    """py-spy on the server while 64 clients load the page (see submission._profile)."""
    return submission.profile(
        server, out, lambda: load.run(server.url, "/s/%s/p/1", tokens, seconds=5, reuse_tokens=True)
    )


def _wire_bytes(client: httpx.Client, url: str) -> int:
    response = client.get(url, headers={"accept-encoding": "gzip"})
    response.raise_for_status()
    return int(response.num_bytes_downloaded)


def page_weight(client: httpx.Client, url: str) -> dict[str, int]:
    """Compressed bytes of the page and of every stylesheet and script it loads."""
    html = client.get(url).text
    weights = {"page": _wire_bytes(client, url)}
    for asset in dict.fromkeys(ASSET.findall(html)):
        weights[asset] = _wire_bytes(client, asset)
    return weights


def _weights(server: Server, adult: world.SurveyWorld, child: world.SurveyWorld) -> dict:
    out: dict[str, dict[str, int]] = {}
    with httpx.Client(base_url=server.url, timeout=30, follow_redirects=False) as client:
        token = adult.tokens[-1]
        out["intro"] = page_weight(client, f"/s/{token}")
        csrf = client.cookies["csrftoken"]
        client.post(f"/s/{token}", data={"csrftoken": csrf, "lang": "ar"})
        out["question page (Arabic)"] = page_weight(client, f"/s/{token}/p/1?lang=ar")
        child_token = child.tokens[-1]
        client.post(f"/s/{child_token}", data={"csrftoken": csrf, "lang": "es"})
        out["question page (child mode)"] = page_weight(client, f"/s/{child_token}/p/1")
        answers = world.all_answers(adult.items)
        client.post(f"/api/v1/respond/{token}/submit", json={"answers": answers})
        out["thank-you"] = page_weight(client, f"/s/{token}/done")
    return out


def run(backends: list[str], results_dir: Path) -> list[Row]:
    rows: list[Row] = []
    log_dir = Path(tempfile.mkdtemp(prefix="encuentro-bench-logs-"))
    backend = backends[0]  # a read of a few rows: the database is not what this measures
    with fresh(backend) as (database, engine):
        with session_on(engine) as session:
            adult = world.survey_world(session, 300)
            child = world.survey_world(session, 2, title="Club de deberes", child_mode="always")
            world.start_all(session, adult)
        tokens = adult.tokens[:200]
        with Server(database.url, log_path=log_dir / "pages.log") as server:
            html = httpx.get(f"{server.url}/s/{tokens[0]}/p/1").text
            csrf_found = re.search(r'name="csrftoken" value="([^"]+)"', html)
            template = _bare_template(html, tokens[0], csrf_found.group(1) if csrf_found else "")
            load.run(server.url, "/s/%s/p/1", tokens, connections=16, seconds=2, reuse_tokens=True)
            ours = load.run(
                server.url,
                "/s/%s/p/1",
                tokens,
                connections=CONNECTIONS,
                seconds=SECONDS,
                reuse_tokens=True,
                server_pid=server.serving_pids()[0],
            )
            profile = profile_page(server, tokens, results_dir / "profile-page.txt")
            weights = _weights(server, adult, child)
    template_file = log_dir / "bare_page.html"
    template_file.write_text(template)
    bare_db = bare_database("sqlite")
    try:
        env = {"BARE_DATABASE_URL": bare_db.url, "BARE_PAGE_TEMPLATE": str(template_file)}
        with Server(
            bare_db.url, app="bench.bare_app:app", env_extra=env, log_path=log_dir / "bare-page.log"
        ) as bare_server:
            size = len(httpx.get(f"{bare_server.url}/bare/page/{tokens[0]}").content)
            load.run(
                bare_server.url,
                "/bare/page/%s",
                tokens,
                connections=16,
                seconds=2,
                reuse_tokens=True,
            )
            bare = load.run(
                bare_server.url,
                "/bare/page/%s",
                tokens,
                connections=CONNECTIONS,
                seconds=SECONDS,
                reuse_tokens=True,
                server_pid=bare_server.serving_pids()[0],
            )
    finally:
        bare_db.drop()
    ratio, how = throughput_ratio(ours, bare)
    rows.append(
        Row(
            "participant question page GET (64 clients)",
            backend,
            f"{ours.rps:.0f}/s p99 {ours.p99_ms:.0f} ms ({len(html)} B), server CPU "
            f"{ours.server_cpu_ms} ms/page; bare Jinja {bare.rps:.0f}/s ({size} B), "
            f"{bare.server_cpu_ms} ms/page{how}",
            "≥ 50% of bare",
            ratio,
            bool(ratio and ratio >= 0.5 and ours.errors == 0),
            details={
                "encuentro": ours.as_dict(),
                "bare": bare.as_dict(),
                "bytes": len(html),
                "profile": profile,
            },
        )
    )
    for name, parts in weights.items():
        total_kb = sum(parts.values()) / 1024
        rows.append(
            Row(
                f"bytes, gzip: {name} + assets",
                "-",
                f"{total_kb:.1f} KB (page {parts['page'] / 1024:.1f} KB)",
                f"≤ {PAGE_BUDGET_KB:.0f} KB",
                round(total_kb / PAGE_BUDGET_KB, 2),
                total_kb <= PAGE_BUDGET_KB,
                details=parts,
            )
        )
    shutil.rmtree(log_dir, ignore_errors=True)
    return rows
