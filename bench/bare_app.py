"""The bare ceiling: a minimal FastAPI app that accepts the same survey form and writes the same
rows as a submission (one response row, one row per answer) in one transaction, the answers with ONE
SQLAlchemy Core multi-row insert, with none of Encuentro's logic (no link lookup, no consent, no
instrument, no scores, no CSRF, no sessions). It also serves a bare Jinja page of the size of the
participant's question page, for the page benchmark.

Run by `bench/run.py` as `uvicorn bench.bare_app:app` with BARE_DATABASE_URL (and, for the page,
BARE_PAGE_TEMPLATE: a file with the page's HTML). The engine settings mirror `app.db`: on SQLite
WAL, synchronous=NORMAL, a busy timeout and one pooled connection; on PostgreSQL psycopg 3 with
the same pool size. The database work runs in the thread pool, never on the event loop.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    insert,
)
from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool

metadata = MetaData()
bare_response = Table(
    "bare_response",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token", String(64), nullable=False, unique=True),
    Column("language", String(2), nullable=False),
    Column("child_mode", Boolean, nullable=False, default=False),
    Column("started_at", DateTime, nullable=False),
    Column("submitted_at", DateTime, nullable=False),
)
bare_answer = Table(
    "bare_answer",
    metadata,
    Column("response_id", ForeignKey("bare_response.id", ondelete="CASCADE"), primary_key=True),
    Column("item_id", String(64), primary_key=True),
    Column("value", Float, nullable=False),
    Column("answered_at", DateTime, nullable=False),
)
SKIP = {"csrftoken", "lang", "go"}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "foreign_keys=ON",
        "busy_timeout=10000",
        "synchronous=NORMAL",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False}, pool_size=1, max_overflow=0
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


engine = make_engine(os.environ.get("BARE_DATABASE_URL", "sqlite:///bare.db"))
metadata.create_all(engine)
_template_path = os.environ.get("BARE_PAGE_TEMPLATE", "")
page_template = (
    jinja2.Environment(autoescape=True).from_string(Path(_template_path).read_text())
    if _template_path
    else None
)
app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


def _clean(form: Any) -> dict[str, float]:
    """Every posted answer as a float on a 0-100 scale (the bare version of validation)."""
    values = {}
    for key, raw in form.items():
        if key in SKIP:
            continue
        value = float(raw)
        if not 0 <= value <= 100:
            raise ValueError(key)
        values[str(key)[:64]] = value
    return values


def _write(token: str, language: str, values: dict[str, float]) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as connection:
        response_id = connection.execute(
            insert(bare_response).returning(bare_response.c.id),
            {
                "token": token,
                "language": language,
                "child_mode": False,
                "started_at": now,
                "submitted_at": now,
            },
        ).scalar_one()
        # a list of rows: one cached statement (PostgreSQL: one multi-row INSERT via
        # insertmanyvalues; SQLite: one executemany), no per-row ORM objects
        connection.execute(
            insert(bare_answer),
            [
                {"response_id": response_id, "item_id": k, "value": v, "answered_at": now}
                for k, v in values.items()
            ],
        )


@app.post("/bare/submit/{token}")
async def submit(request: Request, token: str) -> JSONResponse:
    form = await request.form()
    try:
        values = _clean(form)
    except ValueError:
        return JSONResponse({"detail": "invalid"}, status_code=422)
    await run_in_threadpool(_write, token[:64], str(form.get("lang", "en"))[:2], values)
    return JSONResponse({"status": "received"})


@app.get("/bare/page/{token}")
async def page(token: str) -> HTMLResponse:
    assert page_template is not None, "BARE_PAGE_TEMPLATE is not set"
    return HTMLResponse(page_template.render(token=token, csrf="x" * 40))


@app.get("/healthz")
async def healthz() -> JSONResponse:
    return JSONResponse({"status": "ok"})
