"""Application factory: middleware, error handling, routers and static files."""

import logging
import re
from typing import Annotated, Any

from asgi_csrf import asgi_csrf_decorator
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import csrf_multipart
from app.db import database_turn, get_engine
from app.errors import DomainError, LoginRequired, NotFound
from app.i18n import _, gettext, request_language
from app.routes import api_router, page_router
from app.settings import ROOT, get_settings
from app.templating import is_fragment_request, render, templates
from surveys import participant_views

log = logging.getLogger("encuentro")


def _csp(script_src: bytes) -> tuple[bytes, bytes]:
    return (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        b"script-src " + script_src + b"; frame-ancestors 'none'; form-action 'self'",
    )


SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    _csp(b"'self' 'unsafe-eval'"),  # plotly.js needs eval for its chart compiler
]
# Survey pages carry the participant's token in their URL: no Referer may leave them (a link or
# an asset would carry the token away), and they draw no charts, so no eval either.
TOKEN_PATHS = ("/s/", "/api/v1/respond/")
TOKEN_PAGE_HEADERS = [*SECURITY_HEADERS[:2], (b"referrer-policy", b"no-referrer"), _csp(b"'self'")]
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


class SecurityHeaders:
    """Headers every response carries; production (HTTPS) adds HSTS."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.extra = [HSTS] if get_settings().is_production else []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        on_token_page = str(scope.get("path", "")).startswith(TOKEN_PATHS)
        headers = (TOKEN_PAGE_HEADERS if on_token_page else SECURITY_HEADERS) + self.extra

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _csrf_failed(scope: Scope, send: Send, _message_id: Any) -> None:
    if str(scope.get("path", "")).startswith("/s/"):
        body = participant_views.expired_page(scope)  # a participant: their language, their page
    else:
        body = _staff_csrf_page(scope)
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [(b"content-type", b"text/html; charset=utf-8")],
        }
    )
    await send({"type": "http.response.body", "body": body.encode()})


def _staff_csrf_page(scope: Scope) -> str:
    header = dict(scope.get("headers", [])).get(b"accept-language", b"").decode()
    lang = "es" if "es" in header else "en"
    return templates.get_template("errors/csrf.html").render(
        lang=lang, current_user=None, flashes=[]
    )


class AllPaths:
    """asgi-csrf skips cookieless requests unless the path is "always protected": protect all."""

    def __contains__(self, _path: object) -> bool:
        return True


def _skip_csrf(scope: Scope) -> bool:
    # The API authenticates with bearer tokens only, never cookies, so CSRF cannot apply to it.
    return str(scope.get("path", "")).startswith("/api/")


class CSRFProtect:
    def __init__(self, app: ASGIApp) -> None:
        csrf_multipart.install()
        settings = get_settings()
        self.app = asgi_csrf_decorator(
            signing_secret=settings.secret_key,
            always_protect=AllPaths(),
            skip_if_scope=_skip_csrf,
            cookie_secure=settings.is_production,
            send_csrf_failed=_csrf_failed,
        )(app)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/healthz"


def _error_response(request: Request, status: int, message: str) -> Response:
    """The same error as JSON for the API, a toast for htmx, or a page in the site's look."""
    if _wants_json(request):
        return JSONResponse({"detail": message}, status_code=status)
    lang = request_language(request, get_settings().default_language)
    text_ = gettext(lang, message)
    if is_fragment_request(request):
        response = render(
            request, "errors/toast.html", {"message": text_}, status_code=status, block="toast"
        )
        response.headers["HX-Retarget"] = "#toasts"
        response.headers["HX-Reswap"] = "beforeend"
        return response
    return render(
        request, "errors/error.html", {"status": status, "message": text_}, status_code=status
    )


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        response = _error_response(request, exc.status_code, exc.message)
        if exc.status_code == 401 and _wants_json(request):
            response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        url = str(request.url_for("login").include_query_params(next=target))
        if is_fragment_request(request):
            return Response(status_code=204, headers={"HX-Redirect": url})
        return RedirectResponse(url, status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        messages = {404: _("This page does not exist."), 405: _("This action is not allowed here.")}
        message = messages.get(exc.status_code, str(exc.detail))
        return _error_response(request, exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def invalid_input(request: Request, exc: RequestValidationError) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": jsonable_errors(exc)}, status_code=422)
        fields = ", ".join(str(e["loc"][-1]) for e in exc.errors())
        return _error_response(request, 422, _("Some fields are missing or invalid: ") + fields)

    @app.exception_handler(OperationalError)
    @app.exception_handler(DBAPIError)
    @app.exception_handler(PoolTimeout)  # every pooled connection busy past pool_timeout
    async def database_down(request: Request, exc: Exception) -> Response:
        log.error("database unavailable: %s", exc)
        return _error_response(
            request,
            503,
            _(
                "The service is briefly unavailable. Your answers are safe; "
                "please try again in a minute."
            ),
        )

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error", exc_info=exc)
        return _error_response(
            request, 500, _("Something went wrong on our side. It has been logged.")
        )


def jsonable_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]


def healthz(_turn: Annotated[None, Depends(database_turn, scope="function")]) -> JSONResponse:
    """200 when the database answers, 503 when it does not.

    It waits for its turn like any request: outside it, a check racing another failing connect
    on SQLite's one-connection pool waited out the pool timeout (30 s) for a slot that never came
    back (SQLAlchemy's QueuePool does not wake waiters when a connect fails).
    """
    try:
        with get_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure to reach the database means "not healthy"
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


def _document_domain_422(app: FastAPI) -> None:
    """Say in /openapi.json that a 422's `detail` is either FastAPI's list of field errors or, for
    a domain rule (`app.errors.Invalid`), one message."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = FastAPI.openapi(app)  # FastAPI's own builder (and cache), then one patch
            error = schema.get("components", {}).get("schemas", {}).get("HTTPValidationError")
            if error is not None:
                listed = error["properties"]["detail"]
                error["properties"]["detail"] = {
                    "title": "Detail",
                    "anyOf": [
                        {k: v for k, v in listed.items() if k != "title"},
                        {"type": "string"},
                    ],
                }
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


MAX_ID = 2**31 - 1  # PostgreSQL's integer: the smallest id column of the two backends


async def ids_in_range(request: Request) -> None:  # async: no thread hop per request
    """A path id no row can have is a 404 before it reaches the database (where SQLite raises
    OverflowError and PostgreSQL "integer out of range")."""
    for name, value in request.path_params.items():
        number = re.fullmatch(r"-?[0-9]+", str(value))
        if name.endswith("_id") and number and not 0 < int(number[0]) <= MAX_ID:
            raise NotFound(_("This page does not exist."))


def create_app() -> FastAPI:
    settings = get_settings()
    app = FastAPI(
        dependencies=[Depends(ids_in_range)],
        title="Encuentro API",
        version="1",
        description="Plan social-mixing activities between migrants and locals, and measure them.",
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    app.add_api_route("/healthz", healthz, methods=["GET"], tags=["health"])
    app.include_router(api_router, prefix="/api/v1")
    app.include_router(page_router)
    app.mount("/static", StaticFiles(directory=ROOT / "static"), name="static")
    _install_error_handlers(app)
    _document_domain_422(app)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="encuentro_session",
        max_age=12 * 3600,
        same_site="lax",
        https_only=settings.is_production,
    )
    app.add_middleware(CSRFProtect)
    app.add_middleware(GZipMiddleware, minimum_size=800)
    app.add_middleware(SecurityHeaders)
    return app


app = create_app()
