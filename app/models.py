"""Imports every table model, so SQLModel.metadata and relationships are complete."""

from sqlmodel import SQLModel

from activities.models import (
    Activity,
    ActivityFacilitator,
    ActivityPartner,
    ActivitySession,
    PrincipleAssessment,
)
from app.accounts.models import DataSharing, LoginAttempt, Organization, Territory, User

metadata = SQLModel.metadata

__all__ = [
    "Activity",
    "ActivityFacilitator",
    "ActivityPartner",
    "ActivitySession",
    "DataSharing",
    "LoginAttempt",
    "Organization",
    "PrincipleAssessment",
    "Territory",
    "User",
    "metadata",
]
