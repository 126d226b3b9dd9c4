"""Every router, in one place: the page routes and the JSON API under /api/v1."""

from fastapi import APIRouter

from activities import api as activities_api
from activities import views as activities_views
from activities.participants import api as participants_api
from activities.participants import views as participants_views
from activities.roster import api as roster_api
from activities.roster import views as roster_views
from app.accounts import api as accounts_api
from app.accounts import views as accounts_views

api_router = APIRouter()
api_router.include_router(accounts_api.router)
api_router.include_router(activities_api.router)
api_router.include_router(participants_api.router)
api_router.include_router(roster_api.router)

page_router = APIRouter()
page_router.include_router(accounts_views.router)
page_router.include_router(activities_views.router)
page_router.include_router(participants_views.router)
page_router.include_router(roster_views.router)
