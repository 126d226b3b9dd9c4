"""Every router, in one place: the page routes and the JSON API under /api/v1."""

from fastapi import APIRouter

from app.accounts import api as accounts_api
from app.accounts import views as accounts_views

api_router = APIRouter()
api_router.include_router(accounts_api.router)

page_router = APIRouter()
page_router.include_router(accounts_views.router)
