"""Jinja2 environment and the one helper that decides between a full page and an htmx fragment."""

from typing import Any, cast

from fastapi.routing import iter_route_contexts
from jinja2 import Environment, FileSystemLoader, pass_context
from jinja2.runtime import Context
from jinja2_fragments import render_block
from jinja2_fragments.fastapi import Jinja2Blocks
from starlette.datastructures import URL
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import NoMatchFound

from app.i18n import STAFF_LANGUAGES, request_language, translations
from app.settings import ROOT, get_settings

_env = Environment(
    loader=FileSystemLoader(ROOT / "templates"), autoescape=True, extensions=["jinja2.ext.i18n"]
)
templates = Jinja2Blocks(env=_env)


@pass_context
def _ctx_gettext(context: Context, message: str) -> str:
    return translations(context.get("lang", "en")).gettext(message)


@pass_context
def _ctx_ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return translations(context.get("lang", "en")).ngettext(singular, plural, n)


def _routes_by_name(app: Any) -> dict[str, Any]:
    """The first route of each name, in the router's order (rebuilt when routes are added)."""
    routes = app.router.routes
    known = getattr(app.state, "routes_by_name", None)
    if known is None or known[0] != len(routes):
        index: dict[str, Any] = {}
        for route in iter_route_contexts(routes):
            if route.name is not None:
                index.setdefault(route.name, route)
        known = app.state.routes_by_name = (len(routes), index)
    return cast(dict[str, Any], known[1])


def url_for(request: Request, name: str, /, **path_params: Any) -> URL:
    """`request.url_for`, without its walk over every route of the app.

    The router's lookup tries each of the few hundred routes in turn and raises and catches an
    exception for each miss: half the time of a participant's page was spent there (measured with
    py-spy, bench/). Here the route is looked up by name once; anything unusual (a name that
    needs another route with the same name, a mount's sub-route) falls back to the router.
    """
    app = request.scope.get("app")
    route = _routes_by_name(app).get(name) if app is not None else None
    if route is not None:
        try:
            return cast(
                URL,
                route.url_path_for(name, **path_params).make_absolute_url(
                    base_url=request.base_url
                ),
            )
        except NoMatchFound:
            pass
    return request.url_for(name, **path_params)


def page_links(
    request: Request, route: str, query: dict[str, str], page: int, pages: int
) -> list[tuple[int | None, str]]:
    """Links to the first, last and nearby pages, keeping the filters; None marks a gap."""
    shown = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    base = url_for(request, route)
    kept = {k: v for k, v in query.items() if v}
    links: list[tuple[int | None, str]] = []
    for n in shown:
        if links and links[-1][0] is not None and n - (links[-1][0] or 0) > 1:
            links.append((None, ""))
        links.append((n, str(base.include_query_params(**kept, page=n))))
    return links


@pass_context
def _ctx_url_for(context: Context, name: str, /, **path_params: Any) -> URL:
    return url_for(context["request"], name, **path_params)


templates.env.globals["url_for"] = _ctx_url_for
templates.env.install_gettext_callables(  # type: ignore[attr-defined]
    gettext=_ctx_gettext, ngettext=_ctx_ngettext, newstyle=True
)


def is_fragment_request(request: Request) -> bool:
    """htmx asked for part of a page (and it is not restoring history, which needs the page)."""
    return (
        request.headers.get("hx-request") == "true"
        and request.headers.get("hx-history-restore-request") != "true"
    )


def csrf_token(request: Request) -> str:
    getter = request.scope.get("csrftoken")
    return getter() if getter else ""


def pop_flashes(request: Request) -> list[dict[str, str]]:
    return list(request.session.pop("flashes", []))


def flash(request: Request, message: str, category: str = "success") -> None:
    """Queue a message for the next page; translated now, in the request's language."""
    lang = request_language(request, get_settings().default_language)
    text = translations(lang).gettext(message)
    request.session.setdefault("flashes", []).append({"message": text, "category": category})


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    block: str = "content",
) -> HTMLResponse:
    """Render the page, or only its `block` for htmx; `Vary` keeps caches from mixing the two.

    A boosted navigation swaps `<main>`, so its fragment carries the pending flash messages too.
    """
    ctx = {
        "request": request,
        "lang": request_language(request, get_settings().default_language),
        "languages": STAFF_LANGUAGES,
        "csrf_token": csrf_token(request),
        "current_user": getattr(request.state, "user", None),
        "flashes": pop_flashes(request) if "session" in request.scope else [],
        **(context or {}),
    }
    if is_fragment_request(request):
        html = render_block(templates.env, template, block, **ctx)
        if block == "content":
            html = templates.get_template("_flashes.html").render(ctx) + html
        response = HTMLResponse(html, status_code=status_code)
    else:
        response = cast(
            HTMLResponse,
            templates.TemplateResponse(request, template, ctx, status_code=status_code),
        )
    response.headers["Vary"] = "HX-Request"
    return response
