"""Survey set-up for organizers: the survey of an activity, its instrument versions and its waves,
and response progress (counts, never answers).

Every function takes the acting staff member and reaches surveys through `scoped_survey` or
`scoped_wave`, so another organization's survey (and everything hanging from it) does not exist for
the caller: 404.

Instrument versions: the newest version is current. While no response uses it, editing changes it
in place; once a response exists it is frozen and editing creates the next version, so every
response keeps the wording and items it was given (`response.instrument_version_id`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, cast

from sqlalchemy import case, exists, func, update
from sqlalchemy.engine import CursorResult
from sqlmodel import Session, col, select

from activities.models import Activity
from activities.participants.models import Participant
from app.accounts.models import User, utcnow
from app.errors import Conflict, Invalid, NotFound
from app.i18n import _
from surveys import instruments, scoring
from surveys.instruments import LANGUAGES, RESPONDENT_GROUPS, ItemDef
from surveys.models import (
    ChildMode,
    InstrumentVersion,
    LinkKind,
    Response,
    Survey,
    SurveyLink,
    Wave,
    WaveKind,
)

# The six scales of the cohesion index: 23 items, about five minutes.
DEFAULT_SCALES = ("thermometer", "anxiety", "trust", "social_distance", "belonging", "threat")
CUSTOM_SCALE = "own"
MAX_CUSTOM_ITEMS = 20
WAVE_ORDER = {WaveKind.PRE: 0, WaveKind.POST: 1, WaveKind.FOLLOW_UP: 2}


def today() -> date:
    """Today's date (UTC), against which waves open and close."""
    return utcnow().date()


@dataclass
class SurveySettings:
    title: str = ""
    anonymous: bool = False
    child_mode: str = ChildMode.AUTO.value
    outgroup_terms: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class CustomItemFields:
    """An organizer's own question as typed; English is required, other languages optional."""

    text: dict[str, str]
    format: str = "likert5"
    reverse: bool = False
    scale: str = CUSTOM_SCALE
    child_text: dict[str, str] | None = None


@dataclass
class WaveCounts:
    wave: Wave
    invited: int = 0
    started: int = 0
    completed: int = 0

    @property
    def state(self) -> str:
        return wave_state(self.wave)


# --- scoping ------------------------------------------------------------------------------------


def scoped_activity(*, session: Session, actor: User, activity_id: int) -> Activity:
    """The activity if it belongs to the actor's organization, else 404."""
    activity = session.get(Activity, activity_id)
    if activity is None or actor.organization_id is None:
        raise NotFound(_("Activity not found."))
    if activity.organization_id != actor.organization_id:
        raise NotFound(_("Activity not found."))
    return activity


def scoped_survey(*, session: Session, actor: User, survey_id: int) -> Survey:
    """The survey if it belongs to the actor's organization, else 404."""
    survey = session.get(Survey, survey_id)
    if survey is None or actor.organization_id is None:
        raise NotFound(_("Survey not found."))
    if survey.organization_id != actor.organization_id:
        raise NotFound(_("Survey not found."))
    return survey


def scoped_wave(*, session: Session, actor: User, wave_id: int) -> tuple[Wave, Survey]:
    """The wave and its survey if they belong to the actor's organization, else 404."""
    wave = session.get(Wave, wave_id)
    if wave is None:
        raise NotFound(_("Wave not found."))
    try:
        survey = scoped_survey(session=session, actor=actor, survey_id=wave.survey_id)
    except NotFound:
        raise NotFound(_("Wave not found.")) from None
    return wave, survey


def survey_of_activity(*, session: Session, actor: User, activity_id: int) -> Survey | None:
    """The activity's survey, if it has one (404 for another organization's activity)."""
    activity = scoped_activity(session=session, actor=actor, activity_id=activity_id)
    return session.exec(select(Survey).where(Survey.activity_id == activity.id)).first()


def activity_of(*, session: Session, survey: Survey) -> Activity:
    activity = session.get(Activity, survey.activity_id)
    assert activity is not None
    return activity


@dataclass
class SurveyListRow:
    activity: Activity
    survey: Survey | None


def list_surveys(*, session: Session, actor: User) -> list[SurveyListRow]:
    """The organization's activities (not archived) with their survey, if any."""
    if actor.organization_id is None:
        raise NotFound(_("Organization not found."))
    query = (
        select(Activity, Survey)
        .join(Survey, col(Survey.activity_id) == col(Activity.id), isouter=True)
        .where(Activity.organization_id == actor.organization_id, Activity.status != "archived")
        .order_by(col(Activity.start_date).desc(), col(Activity.title))
    )
    return [SurveyListRow(activity, survey) for activity, survey in session.exec(query).all()]


# --- the survey ---------------------------------------------------------------------------------


def _clean_terms(terms: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, str]]:
    clean: dict[str, dict[str, str]] = {}
    for group, by_lang in terms.items():
        if group not in RESPONDENT_GROUPS:
            raise Invalid(_("Unknown respondent group for the other group's name."))
        for lang, term in by_lang.items():
            term = " ".join(str(term).split())
            if not term:
                continue
            if lang not in LANGUAGES:
                raise Invalid(_("Unknown language."))
            if len(term) > 80 or "{" in term or "}" in term:
                raise Invalid(_("A name for the other group has at most 80 characters, no braces."))
            clean.setdefault(group, {})[lang] = term
    return clean


def _clean_settings(settings: SurveySettings, default_title: str) -> SurveySettings:
    title = " ".join(settings.title.split()) or default_title
    if len(title) > 160:
        raise Invalid(_("The title is too long (at most 160 characters)."))
    if settings.child_mode not in {m.value for m in ChildMode}:
        raise Invalid(_("Choose when to use the child-friendly mode."))
    return SurveySettings(
        title=title[:160],
        anonymous=settings.anonymous,
        child_mode=settings.child_mode,
        outgroup_terms=_clean_terms(settings.outgroup_terms),
    )


def _default_waves(activity: Activity) -> list[tuple[WaveKind, date, date]]:
    """Pre: the two weeks up to the first session; post: the three weeks after the last."""
    start = activity.start_date or today()
    end = activity.end_date or start + timedelta(weeks=12)
    opens = min(start - timedelta(days=14), today())
    return [
        (WaveKind.PRE, opens, start + timedelta(days=3)),
        (WaveKind.POST, end - timedelta(days=3), end + timedelta(days=21)),
    ]


def create_survey(
    *,
    session: Session,
    actor: User,
    activity_id: int,
    settings: SurveySettings | None = None,
    scales: Sequence[str] = DEFAULT_SCALES,
) -> Survey:
    """Create the activity's survey with the chosen bank scales and pre and post waves."""
    activity = scoped_activity(session=session, actor=actor, activity_id=activity_id)
    if session.exec(select(Survey.id).where(Survey.activity_id == activity.id)).first():
        raise Conflict(_("This activity already has a survey."))
    clean = _clean_settings(settings or SurveySettings(), activity.title)
    assert activity.id is not None
    survey = Survey(
        organization_id=activity.organization_id,
        activity_id=activity.id,
        title=clean.title,
        anonymous=clean.anonymous,
        child_mode=ChildMode(clean.child_mode),
        outgroup_terms=clean.outgroup_terms,
        created_by_id=actor.id,
    )
    session.add(survey)
    session.flush()
    assert survey.id is not None
    items = _bank_items(_clean_scales(scales))
    session.add(
        InstrumentVersion(
            survey_id=survey.id,
            number=1,
            scales=_clean_scales(scales),
            items=[one.model_dump() for one in items],
            created_by_id=actor.id,
        )
    )
    for kind, opens, closes in _default_waves(activity):
        session.add(Wave(survey_id=survey.id, kind=kind, opens_on=opens, closes_on=closes))
    session.commit()
    return survey


def has_responses(*, session: Session, survey: Survey) -> bool:
    query = select(Response.id).join(Wave, col(Wave.id) == col(Response.wave_id))
    return session.exec(query.where(Wave.survey_id == survey.id).limit(1)).first() is not None


def update_survey(
    *, session: Session, actor: User, survey_id: int, settings: SurveySettings
) -> Survey:
    """Change the title, mode, child-friendly setting or names for the other group."""
    survey = scoped_survey(session=session, actor=actor, survey_id=survey_id)
    clean = _clean_settings(settings, survey.title)
    if clean.anonymous != survey.anonymous and has_responses(session=session, survey=survey):
        raise Conflict(
            _("People have already answered: the survey cannot switch between named and anonymous.")
        )
    survey.title, survey.anonymous = clean.title, clean.anonymous
    survey.child_mode = ChildMode(clean.child_mode)
    survey.outgroup_terms = clean.outgroup_terms
    survey.updated_at = utcnow()
    session.add(survey)
    session.commit()
    return survey


# --- the instrument -----------------------------------------------------------------------------


def _clean_scales(scales: Sequence[str]) -> list[str]:
    known = instruments.bank()
    unknown = [s for s in scales if s not in known]
    if unknown:
        raise Invalid(_("Unknown scale: ") + ", ".join(unknown))
    return [s for s in known if s in scales]  # bank order, no repeats


def _bank_items(scales: Sequence[str]) -> list[ItemDef]:
    bank = instruments.bank()
    return [one for scale in scales for one in bank[scale].items]


def current_version(*, session: Session, survey: Survey) -> InstrumentVersion:
    """The newest instrument version of the survey."""
    query = select(InstrumentVersion).where(InstrumentVersion.survey_id == survey.id)
    version = session.exec(query.order_by(col(InstrumentVersion.number).desc())).first()
    assert version is not None, "a survey always has a version"
    return version


def list_versions(*, session: Session, actor: User, survey_id: int) -> list[InstrumentVersion]:
    survey = scoped_survey(session=session, actor=actor, survey_id=survey_id)
    query = select(InstrumentVersion).where(InstrumentVersion.survey_id == survey.id)
    return list(session.exec(query.order_by(col(InstrumentVersion.number))))


def scoped_version(
    *, session: Session, actor: User, survey_id: int, number: int
) -> InstrumentVersion:
    survey = scoped_survey(session=session, actor=actor, survey_id=survey_id)
    query = select(InstrumentVersion).where(
        InstrumentVersion.survey_id == survey.id, InstrumentVersion.number == number
    )
    version = session.exec(query).first()
    if version is None:
        raise NotFound(_("Instrument version not found."))
    return version


def version_items(version: InstrumentVersion) -> tuple[ItemDef, ...]:
    """The version's items as `ItemDef`s (parsed once per version edit).

    The items column is only read on a cache miss, so a version loaded with it deferred
    (`responses.instrument_of`) costs neither its transfer nor its JSON decoding.
    """
    assert version.id is not None
    return scoring.cached_items(version.id, version.edited_at.isoformat(), lambda: version.items)


def is_frozen(*, session: Session, version: InstrumentVersion) -> bool:
    """Whether a response uses this version (then it can no longer change)."""
    query = select(Response.id).where(Response.instrument_version_id == version.id).limit(1)
    return session.exec(query).first() is not None


def _custom(items: Sequence[ItemDef]) -> list[ItemDef]:
    return [one for one in items if one.custom]


def _save_items(
    session: Session, actor: User, survey: Survey, scales: list[str], custom: list[ItemDef]
) -> InstrumentVersion:
    """Store the instrument: in place while unused, else as the next version."""
    version = current_version(session=session, survey=survey)
    items = _bank_items(scales) + custom
    dumps = [one.model_dump() for one in items]
    if dumps == version.items and scales == version.scales:
        return version
    if not items:
        raise Invalid(_("Choose at least one scale or add a question."))
    now = utcnow()
    unused = ~exists().where(col(Response.instrument_version_id) == version.id)
    changed = session.execute(
        update(InstrumentVersion)
        .where(col(InstrumentVersion.id) == version.id, unused)
        .values(scales=scales, items=dumps, edited_at=now)
    )
    if cast(CursorResult[Any], changed).rowcount == 1:
        session.refresh(version)
        survey.updated_at = now
        session.add(survey)
        session.commit()
        return version
    assert survey.id is not None
    new = InstrumentVersion(
        survey_id=survey.id,
        number=version.number + 1,
        scales=scales,
        items=dumps,
        created_by_id=actor.id,
        created_at=now,
        edited_at=now,
    )
    session.add(new)
    session.commit()
    return new


def set_scales(
    *, session: Session, actor: User, survey_id: int, scales: Sequence[str]
) -> InstrumentVersion:
    """Choose the bank scales; the organizer's own questions are kept."""
    survey = scoped_survey(session=session, actor=actor, survey_id=survey_id)
    current = current_version(session=session, survey=survey)
    custom = _custom(version_items(current))
    return _save_items(session, actor, survey, _clean_scales(scales), custom)


def _next_custom_id(session: Session, survey: Survey) -> str:
    """`own_<n>`, unused by every version of the survey: an id answered once keeps its meaning."""
    query = select(InstrumentVersion.items).where(InstrumentVersion.survey_id == survey.id)
    used = [
        int(one["id"].removeprefix("own_"))
        for items in session.exec(query)
        for one in items
        if one.get("custom") and str(one.get("id", "")).removeprefix("own_").isdigit()
    ]
    return f"own_{max(used, default=0) + 1}"


def _clean_scale_name(name: str) -> str:
    slug = "".join(c if c.isalnum() else "_" for c in name.strip().lower()).strip("_")
    slug = slug[:40] or CUSTOM_SCALE
    if slug in instruments.bank() or slug == scoring.COHESION:
        raise Invalid(_("Give your own questions a scale name that is not a bank scale."))
    return slug if slug == CUSTOM_SCALE or slug.startswith("own") else f"own_{slug}"


def _custom_item(item_id: str, fields: CustomItemFields) -> ItemDef:
    texts = {k: " ".join(v.split()) for k, v in fields.text.items() if v and v.strip()}
    child = {k: " ".join(v.split()) for k, v in (fields.child_text or {}).items() if v.strip()}
    if any(len(v) > 300 for v in [*texts.values(), *child.values()]):
        raise Invalid(_("A question has at most 300 characters."))
    try:
        return instruments.custom_item(
            item_id,
            _clean_scale_name(fields.scale),
            fields.format,
            texts,
            reverse=fields.reverse,
            child_text=child or None,
        )
    except ValueError as error:
        raise Invalid(_("This question is not valid: ") + str(error)) from error


def add_custom_item(
    *, session: Session, actor: User, survey_id: int, fields: CustomItemFields
) -> InstrumentVersion:
    """Add an organizer's own question at the end of the instrument."""
    survey = scoped_survey(session=session, actor=actor, survey_id=survey_id)
    current = current_version(session=session, survey=survey)
    custom = _custom(version_items(current))
    if len(custom) >= MAX_CUSTOM_ITEMS:
        raise Invalid(_("At most 20 questions of your own per survey."))
    new = _custom_item(_next_custom_id(session, survey), fields)
    return _save_items(session, actor, survey, list(current.scales), [*custom, new])


def update_custom_item(
    *, session: Session, actor: User, survey_id: int, item_id: str, fields: CustomItemFields
) -> InstrumentVersion:
    """Change the wording (add translations) or format of one of the organizer's questions."""
    survey = scoped_survey(session=session, actor=actor, survey_id=survey_id)
    current = current_version(session=session, survey=survey)
    custom = _custom(version_items(current))
    if item_id not in {one.id for one in custom}:
        raise NotFound(_("Question not found."))
    changed = [_custom_item(item_id, fields) if one.id == item_id else one for one in custom]
    return _save_items(session, actor, survey, list(current.scales), changed)


def remove_custom_item(
    *, session: Session, actor: User, survey_id: int, item_id: str
) -> InstrumentVersion:
    survey = scoped_survey(session=session, actor=actor, survey_id=survey_id)
    current = current_version(session=session, survey=survey)
    custom = _custom(version_items(current))
    if item_id not in {one.id for one in custom}:
        raise NotFound(_("Question not found."))
    kept = [one for one in custom if one.id != item_id]
    return _save_items(session, actor, survey, list(current.scales), kept)


def translation_gaps(items: Sequence[ItemDef]) -> dict[str, list[str]]:
    """Item id -> languages whose question text is missing (shown in the editor, not hidden)."""
    gaps: dict[str, list[str]] = {}
    for one in items:
        missing = sorted(
            {lang for _id, lang, what in instruments.missing_translations(one) if what == "text"},
            key=LANGUAGES.index,
        )
        if missing:
            gaps[one.id] = missing
    return gaps


# --- waves --------------------------------------------------------------------------------------


def wave_state(wave: Wave, on: date | None = None) -> str:
    """ "not_open", "open" or "closed" (closing day included)."""
    day = on or today()
    if day < wave.opens_on:
        return "not_open"
    if day > wave.closes_on:
        return "closed"
    return "open"


def list_waves(*, session: Session, survey: Survey) -> list[Wave]:
    waves = session.exec(select(Wave).where(Wave.survey_id == survey.id)).all()
    return sorted(waves, key=lambda w: WAVE_ORDER[WaveKind(w.kind)])


def _check_dates(opens_on: date, closes_on: date) -> None:
    if closes_on < opens_on:
        raise Invalid(_("The wave closes before it opens."))
    if (closes_on - opens_on).days > 366:
        raise Invalid(_("A wave stays open at most a year."))


def add_wave(
    *, session: Session, actor: User, survey_id: int, kind: str, opens_on: date, closes_on: date
) -> Wave:
    """Add a wave (pre, post or follow-up; one of each)."""
    survey = scoped_survey(session=session, actor=actor, survey_id=survey_id)
    if kind not in {k.value for k in WaveKind}:
        raise Invalid(_("Unknown wave: use pre, post or follow-up."))
    _check_dates(opens_on, closes_on)
    existing = select(Wave.id).where(Wave.survey_id == survey.id, Wave.kind == kind)
    if session.exec(existing).first():
        raise Conflict(_("The survey already has this wave."))
    assert survey.id is not None
    wave = Wave(survey_id=survey.id, kind=WaveKind(kind), opens_on=opens_on, closes_on=closes_on)
    session.add(wave)
    session.commit()
    return wave


def update_wave(
    *, session: Session, actor: User, wave_id: int, opens_on: date, closes_on: date
) -> Wave:
    """Move a wave's opening and closing dates."""
    wave, _survey = scoped_wave(session=session, actor=actor, wave_id=wave_id)
    _check_dates(opens_on, closes_on)
    wave.opens_on, wave.closes_on = opens_on, closes_on
    session.add(wave)
    session.commit()
    return wave


def delete_wave(*, session: Session, actor: User, wave_id: int) -> None:
    """Remove a wave nobody has answered yet (its links go with it)."""
    wave, _survey = scoped_wave(session=session, actor=actor, wave_id=wave_id)
    if session.exec(select(Response.id).where(Response.wave_id == wave.id).limit(1)).first():
        raise Conflict(_("People have answered this wave: it cannot be removed."))
    for link in session.exec(select(SurveyLink).where(SurveyLink.wave_id == wave.id)):
        session.delete(link)
    session.delete(wave)
    session.commit()


# --- progress -----------------------------------------------------------------------------------


def survey_progress(*, session: Session, actor: User, survey_id: int) -> list[WaveCounts]:
    """Per wave: links issued and active, responses started and completed (two grouped queries)."""
    survey = scoped_survey(session=session, actor=actor, survey_id=survey_id)
    waves = list_waves(session=session, survey=survey)
    counts = {w.id: WaveCounts(w) for w in waves}
    ids = list(counts)
    if not ids:
        return []
    invited = session.exec(
        select(SurveyLink.wave_id, func.count())
        .where(
            col(SurveyLink.wave_id).in_(ids),
            SurveyLink.kind == LinkKind.PERSONAL,
            col(SurveyLink.revoked_at).is_(None),
        )
        .group_by(col(SurveyLink.wave_id))
    ).all()
    for wave_id, n in invited:
        counts[wave_id].invited = int(n)
    done = case((col(Response.submitted_at).is_not(None), 1), else_=0)
    responses = session.exec(
        select(Response.wave_id, func.count(), func.sum(done))
        .where(col(Response.wave_id).in_(ids))
        .group_by(col(Response.wave_id))
    ).all()
    for wave_id, started, completed in responses:
        counts[wave_id].started = int(started)
        counts[wave_id].completed = int(completed or 0)
    return [counts[w.id] for w in waves]


def not_answered(
    *, session: Session, actor: User, wave_id: int
) -> list[tuple[Participant, SurveyLink, Response | None]]:
    """Participants with an active link who have not completed the wave (for reminders)."""
    wave, _survey = scoped_wave(session=session, actor=actor, wave_id=wave_id)
    query = (
        select(Participant, SurveyLink, Response)
        .join(SurveyLink, col(SurveyLink.participant_id) == col(Participant.id))
        .join(Response, col(Response.link_id) == col(SurveyLink.id), isouter=True)
        .where(
            SurveyLink.wave_id == wave.id,
            col(SurveyLink.revoked_at).is_(None),
            col(Response.submitted_at).is_(None),
        )
        .order_by(col(Participant.code))
    )
    return [(p, link, r) for p, link, r in session.exec(query).all()]


def wave_label(kind: str) -> str:
    labels = {"pre": _("Pre"), "post": _("Post"), "follow_up": _("Follow-up")}
    return labels.get(kind, kind)


def describe_version(*, session: Session, version: InstrumentVersion) -> dict[str, Any]:
    """What the editor shows about a version: its number, item count and whether it is frozen."""
    return {
        "number": version.number,
        "items": len(version.items),
        "frozen": is_frozen(session=session, version=version),
    }
