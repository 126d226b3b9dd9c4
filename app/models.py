"""Imports every table model, so SQLModel.metadata and relationships are complete."""

from sqlmodel import SQLModel

from app.accounts.models import DataSharing, LoginAttempt, Organization, Territory, User

metadata = SQLModel.metadata

__all__ = ["DataSharing", "LoginAttempt", "Organization", "Territory", "User", "metadata"]
