"""Every router, in one place: the page routes and the JSON API under /api/v1."""

from fastapi import APIRouter

from activities import api as activities_api
from activities import views as activities_views
from app.accounts import api as accounts_api
from app.accounts import views as accounts_views

api_router = APIRouter()
api_router.include_router(accounts_api.router)
api_router.include_router(activities_api.router)

page_router = APIRouter()
page_router.include_router(accounts_views.router)
page_router.include_router(activities_views.router)
