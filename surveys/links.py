"""Survey link tokens and their QR codes.

A token is ``base64url(HMAC-SHA256(K, "<kind>:<wave id>:<participant id or 0>:<nonce>"))``: 43
characters carrying 256 bits, where ``K = SHA-256("encuentro survey links" + SECRET_KEY)`` and the
nonce is ``secrets.token_urlsafe(32)`` drawn when the link is issued. The database keeps the nonce
and ``SHA-256(token)`` (the lookup key), never the token:

* a token cannot be guessed: it is an HMAC under a server secret of 256 random bits;
* a copy of the database alone does not give working links (the secret key is not in it), yet
  the organizer can print the same link again (the server recomputes it from the nonce);
* lookup is by hash equality on a unique index, so its timing says nothing about the token;
* revoking marks the link revoked (opening it says so); reissuing draws a new nonce, so the old
  token no longer resolves to anything and the participant's answers stay with the link row.

Changing ``SECRET_KEY`` therefore invalidates every printed link: reissue links after a rotation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import segno
from sqlalchemy import and_, bindparam
from sqlalchemy import select as select_rows
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from activities.participants import consent
from activities.participants import service as participants
from activities.participants.models import Participant
from app.accounts.models import User, utcnow
from app.errors import Conflict, Invalid, NotFound
from app.i18n import _
from app.settings import get_settings
from surveys.models import InstrumentVersion, LinkKind, Response, Survey, SurveyLink, Wave
from surveys.service import scoped_wave

TOKEN_BYTES = 32  # the nonce, and the HMAC output: 256 bits each
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")


def new_nonce() -> str:
    """A fresh random nonce for a link (256 bits)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def _key() -> bytes:
    return hashlib.sha256(b"encuentro survey links" + get_settings().secret_key.encode()).digest()


def derive_token(*, kind: str, wave_id: int, participant_id: int | None, nonce: str) -> str:
    """The link's token, recomputed from what is stored and the server secret."""
    message = f"{kind}:{wave_id}:{participant_id or 0}:{nonce}".encode()
    digest = hmac.new(_key(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    """The lookup key stored for a token (hex SHA-256)."""
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_token(text: str) -> bool:
    """Cheap shape check before any database lookup."""
    return bool(_TOKEN_SHAPE.match(text))


def qr_svg(url: str) -> str:
    """The URL as an inline SVG QR code that scales to its box (medium error correction survives
    a creased print)."""
    code = segno.make(url, error="m", micro=False)
    return str(code.svg_inline(omitsize=True, title="QR code", dark="#000", light="#fff"))


# --- issuing, listing, revoking -----------------------------------------------------------------


@dataclass
class LinkRow:
    """A link as the organizer sees it: whose, the token (recomputed), and its state."""

    link: SurveyLink
    participant: Participant | None
    token: str
    completed: bool = False
    started: bool = False


@dataclass
class Blocked:
    participant: Participant
    reason: str


@dataclass
class LinkSheet:
    wave: Wave
    survey: Survey
    rows: list[LinkRow] = field(default_factory=list)
    blocked: list[Blocked] = field(default_factory=list)
    public: LinkRow | None = None


def token_of(link: SurveyLink) -> str:
    """The link's token, recomputed from its nonce (see the module docstring)."""
    return derive_token(
        kind=link.kind, wave_id=link.wave_id, participant_id=link.participant_id, nonce=link.nonce
    )


def _new_link(
    wave: Wave, kind: LinkKind, participant_id: int | None, actor_id: int | None
) -> SurveyLink:
    assert wave.id is not None
    nonce = new_nonce()
    token = derive_token(kind=kind, wave_id=wave.id, participant_id=participant_id, nonce=nonce)
    return SurveyLink(
        wave_id=wave.id,
        participant_id=participant_id,
        kind=kind,
        nonce=nonce,
        token_hash=token_hash(token),
        issued_by_id=actor_id,
    )


def new_anonymous_link(wave: Wave) -> SurveyLink:
    """The private resume link of one anonymous respondent (not yet added to the session)."""
    return _new_link(wave, LinkKind.ANONYMOUS, None, None)


def _enrolled(session: Session, actor: User, survey: Survey) -> list[Participant]:
    rows = participants.list_enrollments(
        session=session, actor=actor, activity_id=survey.activity_id
    )
    return [participant for _enrollment, participant in rows]


def _links_by_participant(session: Session, wave: Wave) -> dict[int, SurveyLink]:
    query = select(SurveyLink).where(
        SurveyLink.wave_id == wave.id, SurveyLink.kind == LinkKind.PERSONAL
    )
    return {
        link.participant_id: link for link in session.exec(query) if link.participant_id is not None
    }


def _blocked(session: Session, people: Sequence[Participant]) -> dict[int, str]:
    """Participant id -> why they may not be surveyed (consent), for those who may not."""
    statuses = consent.statuses_of(session=session, participants=people)
    blocked = {}
    for person in people:
        assert person.id is not None
        status = statuses[person.id]
        if not status.can_survey:
            reasons = [m for m in status.missing if " surveys " in m] or status.missing
            blocked[person.id] = " ".join(reasons)
    return blocked


def issue_links(
    *,
    session: Session,
    actor: User,
    wave_id: int,
    participant_ids: Sequence[int] | None = None,
) -> LinkSheet:
    """Give each enrolled participant with survey consent a personal link to the wave.

    Without `participant_ids`, every enrolled participant; people who already have a link keep it.
    Participants without the consent needed are listed in `blocked` with the reason; naming one
    explicitly who is blocked raises Invalid with that reason.
    """
    wave, survey = scoped_wave(session=session, actor=actor, wave_id=wave_id)
    if survey.anonymous:
        raise Conflict(_("This survey is anonymous: share the wave's public link instead."))
    enrolled = {p.id: p for p in _enrolled(session, actor, survey)}
    if participant_ids is None:
        chosen = list(enrolled.values())
    else:
        missing = [pid for pid in participant_ids if pid not in enrolled]
        if missing:
            raise Invalid(_("Only participants enrolled in the activity can get a survey link."))
        chosen = [enrolled[pid] for pid in dict.fromkeys(participant_ids)]
    blocked = _blocked(session, chosen)
    if participant_ids is not None and len(chosen) == 1 and blocked:
        consent.require_survey_consent(session=session, participant=chosen[0])
    existing = _links_by_participant(session, wave)
    for person in chosen:
        if person.id not in blocked and person.id not in existing:
            session.add(_new_link(wave, LinkKind.PERSONAL, person.id, actor.id))
    session.commit()
    return link_sheet(session=session, actor=actor, wave_id=wave_id)


def link_sheet(*, session: Session, actor: User, wave_id: int) -> LinkSheet:
    """Every personal link of the wave (with its token and progress), and who cannot get one."""
    wave, survey = scoped_wave(session=session, actor=actor, wave_id=wave_id)
    sheet = LinkSheet(wave=wave, survey=survey)
    if survey.anonymous:
        public = session.exec(
            select(SurveyLink).where(
                SurveyLink.wave_id == wave.id, SurveyLink.kind == LinkKind.PUBLIC
            )
        ).first()
        sheet.public = LinkRow(public, None, token_of(public)) if public else None
        return sheet
    query = (
        select(SurveyLink, Participant, Response)
        .join(Participant, col(Participant.id) == col(SurveyLink.participant_id))
        .join(Response, col(Response.link_id) == col(SurveyLink.id), isouter=True)
        .where(SurveyLink.wave_id == wave.id, SurveyLink.kind == LinkKind.PERSONAL)
        .order_by(col(Participant.code))
    )
    for link, person, response in session.exec(query).all():
        sheet.rows.append(
            LinkRow(
                link,
                person,
                token_of(link),
                completed=bool(response and response.submitted_at),
                started=response is not None,
            )
        )
    with_link = {row.participant.id for row in sheet.rows if row.participant}
    waiting = [p for p in _enrolled(session, actor, survey) if p.id not in with_link]
    reasons = _blocked(session, waiting)
    sheet.blocked = [Blocked(p, reasons[p.id]) for p in waiting if p.id in reasons]
    return sheet


def scoped_link(*, session: Session, actor: User, link_id: int) -> SurveyLink:
    """A personal or public link of the actor's organization, else 404."""
    link = session.get(SurveyLink, link_id)
    if link is None or link.kind == LinkKind.ANONYMOUS:
        raise NotFound(_("Link not found."))
    try:
        scoped_wave(session=session, actor=actor, wave_id=link.wave_id)
    except NotFound:
        raise NotFound(_("Link not found.")) from None
    return link


def revoke_link(*, session: Session, actor: User, link_id: int) -> SurveyLink:
    """Stop a link from working; opening it then says it was withdrawn."""
    link = scoped_link(session=session, actor=actor, link_id=link_id)
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        session.add(link)
        session.commit()
    return link


def reissue_link(*, session: Session, actor: User, link_id: int) -> SurveyLink:
    """A new token for the same link (the old one stops working); answers so far are kept."""
    link = scoped_link(session=session, actor=actor, link_id=link_id)
    if link.participant_id is not None:
        person = session.get(Participant, link.participant_id)
        assert person is not None
        consent.require_survey_consent(session=session, participant=person)
    wave = session.get(Wave, link.wave_id)
    assert wave is not None
    fresh = _new_link(wave, LinkKind(link.kind), link.participant_id, actor.id)
    link.nonce, link.token_hash = fresh.nonce, fresh.token_hash
    link.revoked_at, link.issued_at, link.issued_by_id = None, utcnow(), actor.id
    session.add(link)
    session.commit()
    return link


def public_link(*, session: Session, actor: User, wave_id: int) -> SurveyLink:
    """The wave's shared link for an anonymous survey, created on first use."""
    wave, survey = scoped_wave(session=session, actor=actor, wave_id=wave_id)
    if not survey.anonymous:
        raise Conflict(_("Only anonymous surveys have a public link; issue personal links."))
    query = select(SurveyLink).where(
        SurveyLink.wave_id == wave.id, SurveyLink.kind == LinkKind.PUBLIC
    )
    link = session.exec(query).first()
    if link is None:
        link = _new_link(wave, LinkKind.PUBLIC, None, actor.id)
        session.add(link)
        session.commit()
    return link


def find_link(*, session: Session, token: str) -> SurveyLink | None:
    """The link a token names, or None (revoked links are returned: the caller says so)."""
    found = open_token(session=session, token=token)
    return found.link if found else None


@dataclass
class Opened:
    """A link with everything a participant's request needs about it, read in one query."""

    link: SurveyLink
    wave: Wave
    survey: Survey
    participant: Participant | None
    response: Response | None  # a personal (or anonymous resume) link's response, if started
    version: InstrumentVersion | None  # the response's instrument version, without its items


def _opened_query() -> Any:
    # A public link has no response of its own (each anonymous respondent gets a link).
    own_response = and_(
        col(Response.link_id) == col(SurveyLink.id), col(SurveyLink.kind) != LinkKind.PUBLIC
    )
    return (
        select_rows(SurveyLink, Wave, Survey, Participant, Response, InstrumentVersion)
        .join(Wave, col(Wave.id) == col(SurveyLink.wave_id))
        .join(Survey, col(Survey.id) == col(Wave.survey_id))
        .outerjoin(Participant, col(Participant.id) == col(SurveyLink.participant_id))
        .outerjoin(Response, own_response)
        .outerjoin(
            InstrumentVersion, col(InstrumentVersion.id) == col(Response.instrument_version_id)
        )
        # the items (JSON) are parsed once per version and cached: `service.version_items`
        .options(defer(InstrumentVersion.items))  # type: ignore[arg-type]
        .where(col(SurveyLink.token_hash) == bindparam("token_hash"))
    )


_OPENED = _opened_query()


def open_token(*, session: Session, token: str) -> Opened | None:
    """The link a token names (or None) with its wave, survey, participant, response and the
    response's instrument version, in one query (the participant pages' hot path: one round trip
    instead of five, and a statement built once; sqlmodel's `select` takes 4 entities at most,
    hence SQLAlchemy's)."""
    if not looks_like_token(token):
        return None
    found = session.execute(_OPENED, {"token_hash": token_hash(token)}).first()
    return Opened(*found) if found else None
