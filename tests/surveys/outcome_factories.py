"""Builders for outcome tests: activities whose participants have known pre/post scale scores.

Scores are written as the submission path stores them (a completed `response` and its
`response_score` rows), but with values chosen by the test, so the expected statistics can be
computed independently with `surveys.analysis` on a DataFrame the test builds itself.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pandas as pd
from sqlmodel import Session

from activities.participants.models import Participant
from app.accounts import service as accounts
from app.accounts.models import Organization, Role, Territory, User, utcnow
from surveys import service
from surveys.models import Answer, Response, ResponseScore, Survey
from tests.activities.activity_factories import make_activity
from tests.factories import make_user
from tests.surveys.survey_factories import World, add_person, make_survey, make_world, waves


@dataclass
class Study:
    """An activity with a survey, and the scores the test gave its respondents."""

    world: World
    survey: Survey
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def activity_id(self) -> int:
        assert self.world.activity.id is not None
        return self.world.activity.id

    def frame(self) -> pd.DataFrame:
        """What the test wrote, as one row per participant, scale and wave."""
        return pd.DataFrame(self.rows)


def make_study(
    db: Session, *, title: str = "Huerto compartido", world: World | None = None
) -> Study:
    world = world or make_world(db, title=title)
    return Study(world, make_survey(db, world))


def another_activity(db: Session, study: Study, *, title: str, kind: str = "sports") -> Study:
    """A second activity (with its survey) of the same organization."""
    activity = make_activity(db, study.world.organizer, title=title, kind=kind)
    world = World(study.world.org, study.world.organizer, activity)
    return Study(world, make_survey(db, world))


def respond(
    db: Session,
    study: Study,
    person: Participant | None,
    wave: str,
    scores: Mapping[str, float],
    *,
    anon_code: str | None = None,
    answers: Mapping[str, float] | None = None,
    group: str | None = None,
) -> Response:
    """A completed response of `person` (or an anonymous one) with these scale scores."""
    chosen = waves(db, study.survey)[wave]
    assert chosen.id is not None
    version = service.current_version(session=db, survey=study.survey)
    assert version.id is not None
    response = Response(
        wave_id=chosen.id,
        instrument_version_id=version.id,
        participant_id=person.id if person else None,
        anon_code=anon_code,
        respondent_group=group or (person.group if person else "other"),
        language=person.preferred_language if person else "es",
        submitted_at=utcnow() - timedelta(minutes=5),
    )
    db.add(response)
    db.flush()
    assert response.id is not None
    for scale, score in scores.items():
        db.add(ResponseScore(response_id=response.id, scale_id=scale, score=score, n_items=4))
    for item, value in (answers or {}).items():
        db.add(Answer(response_id=response.id, item_id=item, value=value))
    db.commit()
    key = f"p{person.id}" if person else f"a{anon_code}"
    for scale, score in scores.items():
        study.rows.append(
            {
                "activity_id": study.activity_id,
                "participant_key": key,
                "wave": wave,
                "scale_id": scale,
                "score": score,
                "group": person.group if person else group,
            }
        )
    return response


def pair(
    db: Session,
    study: Study,
    pre: Mapping[str, float],
    post: Mapping[str, float] | None,
    **attrs: Any,
) -> Participant:
    """An enrolled, consenting participant who answered before (and after, unless None)."""
    person = add_person(db, study.world, **attrs)
    respond(db, study, person, "pre", pre)
    if post is not None:
        respond(db, study, person, "post", post)
    return person


def cohort(
    db: Session,
    study: Study,
    changes: Sequence[tuple[float, float]],
    *,
    scale: str = "cohesion",
    **attrs: Any,
) -> list[Participant]:
    """One participant per (pre, post) score on `scale`."""
    return [pair(db, study, {scale: a}, {scale: b}, **attrs) for a, b in changes]


def share(db: Session, org: Organization, territory: Territory) -> None:
    """The organization's admin lets the territory see its aggregates."""
    admin = make_user(db, org, role=Role.ORG_ADMIN)
    assert org.id is not None and territory.id is not None
    accounts.grant_sharing(
        session=db, actor=admin, organization_id=org.id, territory_id=territory.id
    )


def revoke(db: Session, org: Organization, territory: Territory) -> None:
    admin = make_user(db, org, role=Role.ORG_ADMIN)
    assert org.id is not None and territory.id is not None
    accounts.revoke_sharing(
        session=db, actor=admin, organization_id=org.id, territory_id=territory.id
    )


def viewer_of(db: Session, territory: Territory) -> User:
    return make_user(db, None, role=Role.GOVERNMENT_VIEWER, territory=territory)


# Twelve pairs on the cohesion index: a clear, not perfectly uniform improvement.
CHANGES = [
    (40.0, 52.0),
    (55.0, 61.0),
    (62.5, 70.0),
    (48.0, 47.0),
    (70.0, 81.5),
    (35.0, 50.0),
    (58.0, 58.0),
    (44.0, 56.0),
    (66.0, 73.0),
    (51.0, 49.5),
    (39.0, 55.0),
    (60.0, 68.0),
]
