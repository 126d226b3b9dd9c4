"""A bounded load generator: `wrk` with a Lua script when it is installed, else an asyncio httpx
client. Both stop at the time limit or when every token has been used once (count limit), and
return the same figures: requests, requests/s, latency percentiles (ms) and errors (transport
errors plus answers outside 2xx/3xx).

Each request goes to `path_template % token`; with `reuse_tokens` the tokens are cycled (reads),
without it each token is used at most once (a submission per participant).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

from bench.server import cpu_seconds

LUA = r"""
local counter = 0
local threads = {}
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local threads = tonumber(os.getenv("WRK_THREADS"))
  template = os.getenv("WRK_PATH")
  reuse = os.getenv("WRK_REUSE") == "1"
  tokens = {}
  local n = 0
  for line in io.lines(os.getenv("WRK_TOKENS")) do
    if n % threads == id then table.insert(tokens, line) end
    n = n + 1
  end
  local file = io.open(os.getenv("WRK_BODY"), "rb")
  body = file:read("*a")
  file:close()
  if body == "" then body = nil end
  wrk.method = os.getenv("WRK_METHOD")
  if os.getenv("WRK_CTYPE") ~= "" then wrk.headers["Content-Type"] = os.getenv("WRK_CTYPE") end
  sent = 0
  answered = 0
end

function request()
  sent = sent + 1
  local token = tokens[((sent - 1) % #tokens) + 1]
  return wrk.format(nil, string.format(template, token), nil, body)
end

function response(status, headers, body)
  answered = answered + 1
  if (not reuse) and answered >= #tokens then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local e = summary.errors
  local unanswered = 0
  for _, t in ipairs(threads) do unanswered = unanswered + t:get("sent") - t:get("answered") end
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p90_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "connect": %d, "read": %d, "write": %d, "status": %d, ' ..
    '"timeout": %d, "unanswered": %d}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max, e.connect, e.read, e.write,
    e.status, e.timeout, unanswered))
end
"""


@dataclass
class LoadResult:
    tool: str
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    bad_status: int
    in_flight_at_end: int = 0  # sent but not answered when the time was up (≤ connections)
    # CPU time of the server process per request: steadier than requests/s on a shared machine
    server_cpu_ms: float | None = None

    def as_dict(self) -> dict[str, float | int | str]:
        return asdict(self)


def have_wrk() -> bool:
    """wrk is on the PATH and not turned off with BENCH_LOAD=python."""
    return os.environ.get("BENCH_LOAD") != "python" and shutil.which("wrk") is not None


def run(
    base_url: str,
    path_template: str,
    tokens: list[str],
    *,
    method: str = "GET",
    body: bytes = b"",
    content_type: str = "",
    connections: int = 64,
    seconds: float = 10.0,
    reuse_tokens: bool = False,
    headers: dict[str, str] | None = None,
    server_pid: int | None = None,
) -> LoadResult:
    """Load `base_url + path_template % token` until `seconds` pass or the tokens run out.

    With `server_pid`, also the server's CPU time per request (ms)."""
    before = cpu_seconds(server_pid) if server_pid else None
    result = _run(
        base_url,
        path_template,
        tokens,
        method,
        body,
        content_type,
        connections,
        seconds,
        reuse_tokens,
        headers,
    )
    after = cpu_seconds(server_pid) if server_pid else None
    if before is not None and after is not None and result.requests:
        result.server_cpu_ms = round(1000 * (after - before) / result.requests, 2)
    return result


def _run(
    base_url: str,
    path_template: str,
    tokens: list[str],
    method: str,
    body: bytes,
    content_type: str,
    connections: int,
    seconds: float,
    reuse_tokens: bool,
    headers: dict[str, str] | None,
) -> LoadResult:
    if have_wrk() and not headers:
        return _wrk(
            base_url,
            path_template,
            tokens,
            method,
            body,
            content_type,
            connections,
            seconds,
            reuse_tokens,
        )
    return asyncio.run(
        _httpx(
            base_url,
            path_template,
            tokens,
            method,
            body,
            content_type,
            connections,
            seconds,
            reuse_tokens,
            headers or {},
        )
    )


def _wrk(
    base_url: str,
    path_template: str,
    tokens: list[str],
    method: str,
    body: bytes,
    content_type: str,
    connections: int,
    seconds: float,
    reuse: bool,
) -> LoadResult:
    threads = min(2, connections)
    with tempfile.TemporaryDirectory(prefix="encuentro-wrk-") as folder:
        script, token_file, body_file = (Path(folder) / n for n in ("s.lua", "tokens", "body"))
        script.write_text(LUA)
        token_file.write_text("\n".join(tokens) + "\n")
        body_file.write_bytes(body)
        env = {
            **os.environ,
            "WRK_THREADS": str(threads),
            "WRK_PATH": path_template,
            "WRK_REUSE": "1" if reuse else "0",
            "WRK_TOKENS": str(token_file),
            "WRK_BODY": str(body_file),
            "WRK_METHOD": method,
            "WRK_CTYPE": content_type,
        }
        command = [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{seconds:.0f}s",
            "--timeout",
            "5s",
            "-s",
            str(script),
            base_url,
        ]
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=seconds + 60, check=False
        )
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed: {done.stdout[-500:]} {done.stderr[-500:]}")
    data = json.loads(line.removeprefix("WRKJSON "))
    elapsed = data["duration_us"] / 1e6
    transport = data["connect"] + data["read"] + data["write"] + data["timeout"]
    return LoadResult(
        tool="wrk",
        requests=data["requests"],
        seconds=round(elapsed, 2),
        rps=round(data["requests"] / elapsed, 1) if elapsed else 0.0,
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        errors=transport + data["status"],
        bad_status=data["status"],
        in_flight_at_end=data["unanswered"],
    )


async def _httpx(
    base_url: str,
    path_template: str,
    tokens: list[str],
    method: str,
    body: bytes,
    content_type: str,
    connections: int,
    seconds: float,
    reuse: bool,
    headers: dict[str, str],
) -> LoadResult:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    if content_type:
        headers = {**headers, "content-type": content_type}
    latencies: list[float] = []
    errors = bad = 0
    queue: asyncio.Queue[str] = asyncio.Queue()
    for token in tokens:
        queue.put_nowait(token)
    stop_at = time.monotonic() + seconds

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors, bad
        while time.monotonic() < stop_at:
            try:
                token = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            if reuse:
                queue.put_nowait(token)
            started = time.perf_counter()
            try:
                response = await client.request(
                    method, path_template % token, content=body or None, headers=headers
                )
                if response.status_code >= 400:
                    bad += 1
            except httpx.HTTPError:
                errors += 1
            latencies.append(time.perf_counter() - started)

    began = time.monotonic()
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=10) as client:
        await asyncio.gather(*(worker(client) for _ in range(connections)))
    elapsed = time.monotonic() - began
    ms = sorted(x * 1000 for x in latencies) or [0.0]

    def pct(p: float) -> float:
        return round(ms[min(len(ms) - 1, int(p * len(ms)))], 2)

    return LoadResult(
        tool="httpx",
        requests=len(latencies),
        seconds=round(elapsed, 2),
        rps=round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        p50_ms=round(statistics.median(ms), 2),
        p90_ms=pct(0.90),
        p99_ms=pct(0.99),
        max_ms=round(ms[-1], 2),
        errors=errors + bad,
        bad_status=bad,
    )
