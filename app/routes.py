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
from app.dashboards import api as dashboards_api
from app.dashboards import views as dashboards_views
from surveys import api as surveys_api
from surveys import outcome_api as surveys_outcome_api
from surveys import outcome_views as surveys_outcome_views
from surveys import participant_views as surveys_participant_views
from surveys import views as surveys_views

api_router = APIRouter()
api_router.include_router(surveys_api.respond_router)  # first, as the participant pages below
api_router.include_router(accounts_api.router)
api_router.include_router(activities_api.router)
api_router.include_router(participants_api.router)
api_router.include_router(roster_api.router)
api_router.include_router(surveys_api.router)
api_router.include_router(surveys_outcome_api.router)
api_router.include_router(dashboards_api.router)

page_router = APIRouter()
# First: a request is matched against the routes in order, a few microseconds each, and the
# participants' pages (/s/..., shared with no other route) are the busiest (bench/README.md).
page_router.include_router(surveys_participant_views.router)
page_router.include_router(accounts_views.router)
page_router.include_router(activities_views.router)
page_router.include_router(participants_views.router)
page_router.include_router(roster_views.router)
page_router.include_router(surveys_views.router)
page_router.include_router(surveys_outcome_views.router)
page_router.include_router(dashboards_views.router)
