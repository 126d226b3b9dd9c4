"""Survey tables: a survey per activity, its instrument versions and waves, the personal and public
links, the responses with one row per answer, and each response's stored scale scores.

Integrity lives in the database, not only in the code:

* ``survey_link.token_hash`` is unique: a token names at most one link. The token itself is never
  stored (see ``surveys.links``).
* ``response`` is unique per link (a double tap, a reload or 50 concurrent submits of one link give
  one row), per (wave, participant) and, in anonymous mode, per (wave, self-generated code) and per
  idempotency key of the form that started it. NULLs never collide, so personal and anonymous rows
  share the table.
* ``answer`` has the primary key (response, item): answers are upserted, never duplicated.
* ``response_score`` has the primary key (response, scale): one stored score per scale, written
  when the response is completed so dashboards never read answers.

Enum-like columns are plain strings, like the rest of the schema; the service layer checks values.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.accounts.models import utcnow


class WaveKind(StrEnum):
    PRE = "pre"
    POST = "post"
    FOLLOW_UP = "follow_up"


class ChildMode(StrEnum):
    AUTO = "auto"  # smileys for participants younger than the `child_mode_age` setting
    ALWAYS = "always"
    NEVER = "never"


class LinkKind(StrEnum):
    PERSONAL = "personal"  # one enrolled participant, one wave
    PUBLIC = "public"  # the shared link of a wave in anonymous mode
    ANONYMOUS = "anonymous"  # the resume link of one anonymous respondent


class ResponseSource(StrEnum):
    WEB = "web"
    API = "api"
    IMPORT = "import"  # submissions exported from KoboToolbox / ODK


class Survey(SQLModel, table=True):
    """The attitude survey of one activity: its settings; instrument and waves hang from it."""

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    activity_id: int = Field(foreign_key="activity.id", unique=True)
    title: str = Field(max_length=160)
    anonymous: bool = False
    child_mode: ChildMode = Field(default=ChildMode.AUTO, sa_type=String(10))
    # The organizer's own words for the other group: {"migrant": {"es": "..."}, "host": {...}}.
    outgroup_terms: dict[str, dict[str, str]] = Field(default_factory=dict, sa_type=JSON)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class InstrumentVersion(SQLModel, table=True):
    """One version of a survey's instrument: a snapshot of the chosen scales and every item.

    The newest version is the current one. A version that has a response is frozen: editing
    creates the next version, and each response keeps the version it was given in.
    """

    __tablename__ = "instrument_version"
    __table_args__ = (UniqueConstraint("survey_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    survey_id: int = Field(
        sa_column=Column(Integer, ForeignKey("survey.id", ondelete="CASCADE"), nullable=False)
    )
    number: int = 1
    scales: list[str] = Field(default_factory=list, sa_type=JSON)
    # Full `ItemDef` dumps (bank and organizer items) in presentation order.
    items: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    edited_at: datetime = Field(default_factory=utcnow)


class Wave(SQLModel, table=True):
    """A round of the survey (pre, post, follow-up), open from `opens_on` to `closes_on`."""

    __table_args__ = (UniqueConstraint("survey_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    survey_id: int = Field(
        sa_column=Column(Integer, ForeignKey("survey.id", ondelete="CASCADE"), nullable=False)
    )
    kind: WaveKind = Field(sa_type=String(10))
    opens_on: date
    closes_on: date
    created_at: datetime = Field(default_factory=utcnow)


class SurveyLink(SQLModel, table=True):
    """A link that opens the survey: personal (a participant and a wave), public or anonymous.

    Only the SHA-256 of the token is stored, for lookup, with the nonce it was derived from, so
    the organizer can print it again (see `surveys.links`). Reissuing draws a new nonce.
    """

    __tablename__ = "survey_link"
    __table_args__ = (UniqueConstraint("wave_id", "participant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    wave_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("wave.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    participant_id: int | None = Field(default=None, foreign_key="participant.id")
    kind: LinkKind = Field(default=LinkKind.PERSONAL, sa_type=String(10))
    nonce: str = Field(max_length=64)
    token_hash: str = Field(max_length=64, unique=True)
    issued_by_id: int | None = Field(default=None, foreign_key="user.id")
    issued_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None


class Response(SQLModel, table=True):
    """One person's answers to one wave: who (participant or anonymous code), how and when."""

    __table_args__ = (
        UniqueConstraint("wave_id", "participant_id"),
        UniqueConstraint("wave_id", "anon_code"),
    )

    id: int | None = Field(default=None, primary_key=True)
    wave_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("wave.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    instrument_version_id: int = Field(foreign_key="instrument_version.id", index=True)
    link_id: int | None = Field(default=None, foreign_key="survey_link.id", unique=True)
    participant_id: int | None = Field(default=None, foreign_key="participant.id", index=True)
    anon_code: str | None = Field(default=None, max_length=16)
    idempotency_key: str | None = Field(default=None, max_length=64, unique=True)
    respondent_group: str = Field(sa_type=String(10))
    language: str = Field(default="en", sa_type=String(2))
    child_mode: bool = False
    page: int = 1  # the furthest page reached, for resuming
    source: ResponseSource = Field(default=ResponseSource.WEB, sa_type=String(10))
    started_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    submitted_at: datetime | None = Field(default=None, index=True)


class Answer(SQLModel, table=True):
    """The value given to one item, on the item's own scale (never a smiley number)."""

    response_id: int = Field(
        sa_column=Column(Integer, ForeignKey("response.id", ondelete="CASCADE"), primary_key=True)
    )
    item_id: str = Field(max_length=64, primary_key=True)
    value: float
    answered_at: datetime = Field(default_factory=utcnow)


class ResponseScore(SQLModel, table=True):
    """A completed response's score on one scale, and on the cohesion index (`cohesion`).

    `score` is the bank's scoring on 0-100 in the scale's direction (`instruments.scale_score`,
    `instruments.cohesion_index`); `raw_mean` is `analysis.score_responses` (the mean of the
    reverse-coded answers in the items' units); both are None when too few items were answered.
    """

    __tablename__ = "response_score"

    response_id: int = Field(
        sa_column=Column(Integer, ForeignKey("response.id", ondelete="CASCADE"), primary_key=True)
    )
    scale_id: str = Field(max_length=64, primary_key=True)
    score: float | None = None
    raw_mean: float | None = None
    n_items: int = 0
