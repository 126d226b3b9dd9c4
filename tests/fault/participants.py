"""Simulated participants on bad connections: every request is resent with backoff (with jitter)
after a dropped connection or a 5xx, until it gets an answer or the deadline passes, the way a
phone retries; the last tap of a survey is sent twice at once (a double tap)."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

from surveys.instruments import ItemDef

T = TypeVar("T")
_TLS = httpx.create_ssl_context()  # unused on http://, but built once, not once per phone


def new_phone(base_url: str) -> httpx.AsyncClient:
    """One participant's phone: its own connections and cookies, as on the street."""
    return httpx.AsyncClient(base_url=base_url, timeout=30, verify=_TLS)


def run_in_own_loop(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run `main()` in an event loop of its own thread: the calling thread may already run one
    (Playwright's sync API in the same test process does), where `asyncio.run` refuses."""
    with ThreadPoolExecutor(1, thread_name_prefix="participants") as pool:
        return pool.submit(lambda: asyncio.run(main())).result()


@dataclass
class Tally:
    """What the participants saw: final submit answers, failures retried, anything unexpected."""

    half: int
    done: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    received_by_token: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    halfway: asyncio.Event = field(default_factory=asyncio.Event)

    def finished(self) -> None:
        self.done += 1
        if self.done >= self.half:
            self.halfway.set()

    def expect(self, response: httpx.Response, *codes: int) -> bool:
        if response.status_code in codes:
            return True
        self.unexpected.append(
            f"{response.request.method} {response.request.url.path}: {response.status_code} "
            f"{response.text[:200]}"
        )
        return False


async def call(
    client: httpx.AsyncClient,
    tally: Tally,
    method: str,
    url: str,
    *,
    deadline: float,
    **kwargs: Any,
) -> httpx.Response:
    """The request, resent after a dropped connection or a 5xx until `deadline` (monotonic)."""
    delay = 0.05
    while True:
        try:
            response = await client.request(method, url, **kwargs)
            if response.status_code < 500:
                return response
            failure = f"HTTP {response.status_code}"
        except httpx.TransportError as error:
            failure = type(error).__name__
        tally.failures[failure] += 1
        if time.monotonic() > deadline:
            raise TimeoutError(f"{method} {url} still failing ({failure}) at the deadline")
        await asyncio.sleep(delay * random.uniform(0.5, 1.5))
        delay = min(delay * 2, 2.0)


async def api_participant(
    client: httpx.AsyncClient,
    tally: Tally,
    token: str,
    answers: dict[str, float],
    *,
    deadline: float,
) -> None:
    """Start, then submit every answer with a double tap (two identical posts at once)."""
    base = f"/api/v1/respond/{token}"
    start = {"language": "es"}
    started = await call(client, tally, "POST", f"{base}/start", json=start, deadline=deadline)
    tally.expect(started, 200)
    body = {"answers": answers, "language": "es"}
    taps = await asyncio.gather(
        *(
            call(client, tally, "POST", f"{base}/submit", json=body, deadline=deadline)
            for _ in range(2)
        )
    )
    for response in taps:
        if tally.expect(response, 200):
            status = response.json()["status"]
            tally.statuses[status] += 1
            if status == "received":
                tally.received_by_token[token] += 1
    tally.finished()


async def web_participant(
    client: httpx.AsyncClient,
    tally: Tally,
    token: str,
    pages: list[list[ItemDef]],
    answers: dict[str, float],
    *,
    deadline: float,
) -> None:
    """The plain-HTML flow: intro, start, one form post per page, the last one tapped twice."""
    intro = await call(client, tally, "GET", f"/s/{token}", deadline=deadline)
    tally.expect(intro, 200)
    form = {"csrftoken": client.cookies.get("csrftoken", ""), "lang": "es"}
    begun = await call(client, tally, "POST", f"/s/{token}", data=form, deadline=deadline)
    tally.expect(begun, 303)
    for number, page in enumerate(pages, start=1):
        data = form | {one.id: form_value(answers[one.id]) for one in page} | {"go": "next"}
        url = f"/s/{token}/p/{number}"
        taps = 2 if number == len(pages) else 1
        sent = await asyncio.gather(
            *(call(client, tally, "POST", url, data=data, deadline=deadline) for _ in range(taps))
        )
        for response in sent:
            tally.expect(response, 303)
        if number == len(pages):
            for response in sent:
                location = response.headers.get("location", "")
                if "/done" not in location:
                    tally.unexpected.append(f"last page of {token[:6]}… led to {location!r}")
                tally.statuses["web_already" if "already=1" in location else "web_received"] += 1
    tally.finished()


async def pausing_participant(
    client: httpx.AsyncClient,
    tally: Tally,
    token: str,
    answers: dict[str, float],
    *,
    deadline: float,
) -> None:
    """Start and save some answers through the API, then stop (the battery ran out)."""
    base = f"/api/v1/respond/{token}"
    started = await call(
        client, tally, "POST", f"{base}/start", json={"language": "fr"}, deadline=deadline
    )
    tally.expect(started, 200)
    body = {"answers": answers, "language": "fr", "page": 2}
    saved = await call(client, tally, "PUT", f"{base}/answers", json=body, deadline=deadline)
    if tally.expect(saved, 200) and saved.json() != {"saved": len(answers)}:
        tally.unexpected.append(f"saving {token[:6]}… answered {saved.text[:200]}")


def form_value(value: float) -> str:
    """A value as a form field sends it (the radio button's value)."""
    return str(int(value)) if float(value).is_integer() else str(value)
