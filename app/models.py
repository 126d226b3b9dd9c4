"""Imports every table model, so SQLModel.metadata and relationships are complete."""

from sqlmodel import SQLModel

from activities.models import (
    Activity,
    ActivityFacilitator,
    ActivityPartner,
    ActivitySession,
    PrincipleAssessment,
)
from activities.participants.models import (
    Consent,
    Enrollment,
    ImportDraft,
    Participant,
    SupportNote,
)
from activities.roster.models import ActivityGroup, Attendance, GroupMember
from app.accounts.models import DataSharing, LoginAttempt, Organization, Territory, User
from app.audit import AuditEntry
from surveys.models import (
    Answer,
    InstrumentVersion,
    Response,
    ResponseScore,
    Survey,
    SurveyLink,
    Wave,
)

metadata = SQLModel.metadata

__all__ = [
    "Activity",
    "ActivityFacilitator",
    "ActivityGroup",
    "ActivityPartner",
    "ActivitySession",
    "Answer",
    "Attendance",
    "AuditEntry",
    "Consent",
    "DataSharing",
    "Enrollment",
    "GroupMember",
    "ImportDraft",
    "InstrumentVersion",
    "LoginAttempt",
    "Organization",
    "Participant",
    "PrincipleAssessment",
    "Response",
    "ResponseScore",
    "SupportNote",
    "Survey",
    "SurveyLink",
    "Territory",
    "User",
    "Wave",
    "metadata",
]
