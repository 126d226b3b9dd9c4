"""Survey submission under load (64 concurrent clients) against the bare ceiling, and the server
worker's peak memory.

Encuentro: participants with valid personal tokens, whose responses are started, each POST their
25 answers once to `/api/v1/respond/{token}/submit` (save + complete + scores, one request). The
bare app: the same 25 answers as the survey form, one response row and 25 answer rows.
Targets: at least 50% of the bare throughput, p99 under 250 ms, zero errors; peak RSS of the
worker under 250 MB.
"""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import text

from bench import load, world
from bench.scenarios.common import Row, bare_database, fresh, session_on, throughput_ratio
from bench.server import Server, memory_kb

CONNECTIONS = 64
SECONDS = 10.0
TOKENS = {"sqlite": 4000, "postgresql": 3000}  # more than a 10 s run can use: the time bounds it
WARMUP = 64


def _form(items: tuple) -> bytes:
    answers = {one.id: world.answer_value(one) for one in items}
    fields = {"csrftoken": "x" * 40, "lang": "es", "go": "next"}
    return urlencode(fields | {k: f"{v:g}" for k, v in answers.items()}).encode()


def bare(backend: str, items: tuple, log_dir: Path) -> load.LoadResult:
    database = bare_database(backend)
    try:
        with Server(
            database.url,
            app="bench.bare_app:app",
            env_extra={"BARE_DATABASE_URL": database.url},
            log_path=log_dir / f"bare-{backend}.log",
        ) as server:
            body = _form(items)
            ctype = "application/x-www-form-urlencoded"
            warm = [secrets.token_urlsafe(8) for _ in range(WARMUP)]
            load.run(
                server.url,
                "/bare/submit/%s",
                warm,
                method="POST",
                body=body,
                content_type=ctype,
                connections=16,
                seconds=3,
            )
            tokens = [secrets.token_urlsafe(16) for _ in range(TOKENS[backend])]
            return load.run(
                server.url,
                "/bare/submit/%s",
                tokens,
                method="POST",
                body=body,
                content_type=ctype,
                connections=CONNECTIONS,
                seconds=SECONDS,
                server_pid=server.serving_pids()[0],
            )
    finally:
        database.drop()


def _profile(
    server: Server, tokens: list[str], body: bytes, out: Path, connections: int = CONNECTIONS
) -> str:
    """py-spy on the worker while the submission load runs again for 5 s."""

    def drive() -> None:
        load.run(
            server.url,
            "/api/v1/respond/%s/submit",
            tokens,
            method="POST",
            body=body,
            content_type="application/json",
            connections=connections,
            seconds=5,
        )

    return profile(server, out, drive)


def profile(server: Server, out: Path, drive: Callable[[], object]) -> str:
    """py-spy (a dev dependency) on the server's worker while `drive()` loads it; a summary of
    where the busy samples went is written to `out` (the raw stacks next to it)."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        return "py-spy not installed"
    raw = out.with_suffix(".collapsed")
    command = [spy, "record", "--pid", str(server.serving_pids()[0]), "--duration", "5"]
    command += ["--rate", "200", "--format", "raw", "--output", str(raw), "--nonblocking"]
    with subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    ) as spy_process:
        drive()
        spy_process.wait(timeout=60)
    return summarize_profile(raw, out)


IDLE = ("Condition.wait", "Runner.run", "EpollSelector.select", "select", "poll")
# Library frames worth seeing next to the project's own (the rest are wrappers around them).
LIBRARY = (
    "_IncludedRouter._match",  # FastAPI: matching the request against the routes
    "solve_dependencies",
    "run_in_threadpool",  # the hand-off of a sync endpoint to a worker thread
    "Condition.notify",
    "SessionMiddleware.__call__",
    "asgi_csrf_decorator",
    "GZipMiddleware.__call__",
    "Session.execute",  # SQLAlchemy, all statements
    "Session.commit",
    "Template.render",  # Jinja
    "httptools_impl",  # uvicorn's HTTP parsing
)
PROJECT = ("/app/", "/surveys/", "/activities/", "/bench/")


def _frame(frame: str) -> str:
    name, _, where = frame.partition(" (")
    return f"{name} ({where.split(':')[0].split('/')[-1].rstrip(')')})"


def _shown(frame: str) -> bool:
    where = "/" + frame.partition(" (")[2]  # paths are relative when imported from the cwd
    return (any(part in where for part in PROJECT) and "site-packages" not in where) or any(
        name in frame for name in LIBRARY
    )


def summarize_profile(raw: Path, out: Path, top: int = 40) -> str:
    """Share of the busy samples (idle threads and the waiting event loop left out) per function:
    inclusive (the function and what it calls) and self (the function's own code)."""
    if not raw.exists():
        return "no profile written"
    inclusive: dict[str, int] = {}
    own: dict[str, int] = {}
    busy = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit() or not stack:
            continue
        raw_frames = stack.split(";")
        frames = [_frame(f) for f in raw_frames]
        if frames[-1].split(" (")[0] in IDLE:
            continue
        samples = int(count)
        busy += samples
        for name in {_frame(f) for f in raw_frames if _shown(f)}:
            inclusive[name] = inclusive.get(name, 0) + samples
        own[frames[-1]] = own.get(frames[-1], 0) + samples
    if not busy:
        return "no busy samples"

    def table(counts: dict[str, int], n: int) -> list[str]:
        ranked = sorted(counts.items(), key=lambda kv: -kv[1])[:n]
        return [f"{100 * c / busy:5.1f}%  {name}" for name, c in ranked]

    text = [f"{busy} busy samples (py-spy, 200 Hz); inclusive, the project's functions and a few"]
    text += ["library ones (routing, thread hand-off, middlewares, SQL, templates):"]
    text += table(inclusive, top)
    text += ["", "self:", *table(own, 20)]
    out.write_text("\n".join(text) + "\n")
    return str(out)


def encuentro(backend: str, log_dir: Path, results_dir: Path) -> tuple[load.LoadResult, dict]:
    with fresh(backend) as (database, engine):
        with session_on(engine) as session:
            survey = world.survey_world(session, TOKENS[backend] + WARMUP + 2000)
            world.start_all(session, survey)
        answers = world.all_answers(survey.items)
        body = json.dumps({"answers": answers, "language": "es"}).encode()
        warm = survey.tokens[:WARMUP]
        measured = survey.tokens[WARMUP : WARMUP + TOKENS[backend]]
        spare = survey.tokens[WARMUP + TOKENS[backend] :]
        with Server(database.url, log_path=log_dir / f"encuentro-{backend}.log") as server:
            load.run(
                server.url,
                "/api/v1/respond/%s/submit",
                warm,
                method="POST",
                body=body,
                content_type="application/json",
                connections=16,
                seconds=3,
            )
            result = load.run(
                server.url,
                "/api/v1/respond/%s/submit",
                measured,
                method="POST",
                body=body,
                content_type="application/json",
                connections=CONNECTIONS,
                seconds=SECONDS,
                server_pid=server.serving_pids()[0],
            )
            peaks = {pid: memory_kb(pid) for pid in server.serving_pids()}
            stalled = result.errors > 0 or result.requests < CONNECTIONS
            if not stalled:
                profile = _profile(
                    server, spare, body, results_dir / f"profile-submit-{backend}.txt"
                )
        below_pool: dict = {}
        if stalled:
            # diagnose on a fresh server: the same load with fewer clients than the 40 threads of
            # the thread pool (a stall above it points at connection pool vs thread pool waits)
            with Server(database.url, log_path=log_dir / f"encuentro-{backend}-32.log") as server:
                below = load.run(
                    server.url,
                    "/api/v1/respond/%s/submit",
                    spare[:1500],
                    method="POST",
                    body=body,
                    content_type="application/json",
                    connections=32,
                    seconds=SECONDS,
                )
                below_pool = below.as_dict()
                profile = _profile(
                    server,
                    spare[1500:],
                    body,
                    results_dir / f"profile-submit-{backend}.txt",
                    connections=32,
                )
        with engine.connect() as connection:
            completed = connection.execute(
                text("SELECT count(*) FROM response WHERE submitted_at IS NOT NULL")
            ).scalar_one()
    extra = {"peak_rss_kb": peaks, "completed_rows": completed, "profile": profile}
    return result, extra | ({"at_32_clients": below_pool} if below_pool else {})


def run(backends: list[str], results_dir: Path) -> list[Row]:
    rows: list[Row] = []
    log_dir = Path(tempfile.mkdtemp(prefix="encuentro-bench-logs-"))
    for backend in backends:
        with fresh(backend) as (_database, engine), session_on(engine) as session:
            items = world.survey_world(session, 1).items
        ceiling = bare(backend, items, log_dir)
        ours, extra = encuentro(backend, log_dir, results_dir)
        ratio, how = throughput_ratio(ours, ceiling)
        ok = bool(ratio and ratio >= 0.5 and ours.p99_ms < 250 and ours.errors == 0)
        note = " (no answer within the run: stalled)" if ours.requests == 0 else how
        if "at_32_clients" in extra:
            at32 = extra["at_32_clients"]
            note = (
                f" (stalled; at 32 clients {at32['rps']:.0f}/s p99 {at32['p99_ms']:.0f} ms, "
                f"{at32['errors']} errors)"
            )
        rows.append(
            Row(
                "submission (25 items, 64 clients)",
                backend,
                f"{ours.rps:.0f}/s p99 {ours.p99_ms:.0f} ms, {ours.errors} errors{note}, "
                f"server CPU {ours.server_cpu_ms} ms/post; bare {ceiling.rps:.0f}/s p99 "
                f"{ceiling.p99_ms:.0f} ms, {ceiling.server_cpu_ms} ms/post",
                "≥ 50% of bare, p99 < 250 ms, 0 errors",
                ratio,
                ok,
                details={"encuentro": ours.as_dict(), "bare": ceiling.as_dict(), **extra},
            )
        )
        peak_mb = max((kb or 0) for kb in extra["peak_rss_kb"].values()) / 1024
        rows.append(
            Row(
                "peak RSS of the worker (submission run)",
                backend,
                f"{peak_mb:.0f} MB",
                "< 250 MB",
                round(peak_mb / 250, 2),
                peak_mb < 250,
                details={"VmHWM_kb": extra["peak_rss_kb"]},
            )
        )
    shutil.rmtree(log_dir, ignore_errors=True)
    return rows
