"""A real server (uvicorn in a subprocess, fresh SQLite database with the demo) and Chromium."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ROOT = Path(__file__).resolve().parents[2]

if not Path(CHROMIUM).exists():  # honest skip: the browser is a system package, not a pip one
    pytest.skip(
        "Debian chromium is not installed (apt-get install chromium; .ci/run does it)",
        allow_module_level=True,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cli(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "app.cli_entry", *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    folder = Path(tempfile.mkdtemp(prefix="encuentro-e2e-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'e2e.db'}",
        "ENCUENTRO_ENV": "test",
        "SECRET_KEY": "e2e-secret",
    }
    _cli(env, "migrate")
    _cli(env, "seed-demo")
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "app.main:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if httpx.get(f"{url}/healthz").status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    yield url
    server.terminate()
    server.wait(timeout=10)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        # Assertions wait up to 15 s, not 5: on a loaded 2-core CI machine a chart can take longer
        # to draw; a real failure still fails, only later.
        expect.set_options(timeout=15_000)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server, viewport={"width": 1200, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


ORGANIZER = "organizer@demo.encuentro.org"


def sign_in(  # type: ignore[no-untyped-def]
    page, email: str = ORGANIZER, heading: str | None = "Puentes Comunitarios"
) -> None:
    """Sign in as a demo account and read the site in English (another journey may have left the
    account in Spanish)."""
    from playwright.sync_api import expect

    from app.demo import DEMO_PASSWORD

    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    title = page.get_by_role("heading", level=1)
    if heading:
        expect(title).to_contain_text(heading)
    else:
        expect(title).to_be_visible()
    if page.locator("html").get_attribute("lang") != "en":
        page.locator("#language").select_option("en")
        page.locator('form[action$="/language"] button').click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
