"""`make bench`: every benchmark of issue 7, each on its own server and fresh database, bounded in
count and time; results in bench/results/latest.json and bench/results/latest.md (bench/README.md).

    .venv/bin/python bench/run.py [--only submission,pages,dashboard,grouping] [--sqlite-only]

The machine is shared and noisy: compare the ratios of one run, not absolute figures across runs.
The load average before and after is recorded with the results.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "bench-and-fault-secret-not-for-production")
os.environ["ENCUENTRO_ENV"] = "test"
os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='encuentro-bench-')}/unused.db"

from bench.limits import limit_of  # noqa: E402
from bench.scenarios import dashboard, grouping, pages, submission  # noqa: E402
from bench.scenarios.common import Row  # noqa: E402
from bench.server import load_average, postgres_available  # noqa: E402

SCENARIOS = {
    "submission": submission.run,
    "pages": pages.run,
    "dashboard": dashboard.run,
    "grouping": grouping.run,
}
RESULTS = ROOT / "bench" / "results"


def ensure_wrk() -> str:
    """wrk from Debian's packages, installed when missing and we are root with apt-get; else (or
    with BENCH_LOAD=python) the asyncio + httpx generator of bench/load.py, which shares the two
    cores with the server and so reads lower throughputs for both sides."""
    if os.environ.get("BENCH_LOAD") == "python":
        return "httpx (BENCH_LOAD=python)"
    if shutil.which("wrk"):
        return "wrk"
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("Installing wrk (Debian package) for the load generator")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "wrk"],
            env=env,
            check=False,
            stdout=subprocess.DEVNULL,
        )
    return "wrk" if shutil.which("wrk") else "httpx (wrk not installed)"


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|")


def markdown(rows: list[Row], meta: dict) -> str:
    seconds = meta.get("seconds", {}).get("total")
    lines = [
        f"# Benchmarks, {meta['started']}",
        "",
        f"Load average before {meta['load_before']}, after {meta['load_after']} on "
        f"{meta['cores']} cores (other work was running: compare ratios within this run). "
        f"Load generator: {meta['load_tool']}. Servers: uvicorn, one worker, no access log."
        + (f" The whole run took {seconds:.0f} s." if seconds else ""),
        "",
        "| benchmark | db | measured | target | ratio | result | limits |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    notes: list[str] = []
    for row in rows:
        result = "n/a" if row.ok is None else "pass" if row.ok else "**miss**"
        limit = row.limit or limit_of(row.benchmark)
        if limit and limit not in notes:
            notes.append(limit)
        note = f"[{notes.index(limit) + 1}]" if limit else ""
        lines.append(
            f"| {_cell(row.benchmark)} | {row.backend} | {_cell(row.measured)} | "
            f"{_cell(row.target)} | {'' if row.ratio is None else row.ratio} | {result} | "
            f"{note} |"
        )
    lines += [
        "",
        "Ratio: Encuentro ÷ bare for throughput and time rows (throughput wants ≥ 0.5, time ≤ 3), "
        "measured ÷ target for budgets (wants ≤ 1), growth ÷ 12 for growth rows (wants ≤ 1). "
        "Server CPU is the worker's CPU time per request during the same load.",
        "",
        "What limits each (from py-spy profiles under the same load, bench/results/profile-*.txt):",
        "",
        *(f"{i}. {note}" for i, note in enumerate(notes, start=1)),
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SCENARIOS))
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument(
        "--render", metavar="JSON", help="only rewrite latest.md from a results file"
    )
    args = parser.parse_args()
    if args.render:
        saved = json.loads(Path(args.render).read_text())
        rows = [Row(**row) for row in saved["rows"]]
        (RESULTS / "latest.md").write_text(markdown(rows, saved["meta"]))
        return 0
    backends = ["sqlite"]
    if not args.sqlite_only and postgres_available():
        backends.append("postgresql")
    meta: dict = {
        "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_before": load_average(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "backends": backends,
        "load_tool": ensure_wrk(),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    timings = {}
    began = time.monotonic()
    for name in args.only.split(","):
        started = time.monotonic()
        print(f"== {name} ({', '.join(backends)})", flush=True)
        try:
            new = SCENARIOS[name](backends, RESULTS)
        except Exception as error:  # noqa: BLE001 - one broken scenario must not hide the others
            traceback.print_exc()
            new = [
                Row(name, "-", f"failed: {type(error).__name__}: {error}"[:300], "-", None, False)
            ]
        for row in new:
            print(
                f"   {row.benchmark} [{row.backend}]: {row.measured} -> "
                f"{'pass' if row.ok else 'n/a' if row.ok is None else 'MISS'}",
                flush=True,
            )
        rows += new
        timings[name] = round(time.monotonic() - started, 1)
    meta["load_after"] = load_average()
    meta["seconds"] = timings | {"total": round(time.monotonic() - began, 1)}
    (RESULTS / "latest.json").write_text(
        json.dumps({"meta": meta, "rows": [r.as_dict() for r in rows]}, indent=2, default=str)
    )
    table = markdown(rows, meta)
    (RESULTS / "latest.md").write_text(table)
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
