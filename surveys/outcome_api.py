"""Outcome endpoints of the JSON API (`/api/v1`): one activity's outcomes and the organization's
overview, with CSV/XLSX exports. Scoped by `surveys.outcomes` (another organization's activity, or
any activity for a government viewer, answers 404). The across-activities schemas are shared with
the territory impact endpoint (`app.dashboards.api`).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

import pandas as pd
from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from app.accounts.service import scoped_organization
from app.db import SessionDep
from app.deps import ApiStaff, ApiUser
from app.errors import NotFound
from app.i18n import _
from surveys import outcome_export, outcomes
from surveys.outcome_report import WILCOXON_METHOD, AcrossReport, clean, records
from surveys.outcome_views import download, export_bytes, overview_filters
from surveys.scoring import COHESION

router = APIRouter(tags=["outcomes"])

ExportFormat = Literal["csv", "xlsx"]
Interval = list[float | None]


# --- schemas -------------------------------------------------------------------------------------


class ChangeOut(BaseModel):
    scale: str = Field(description="the scale's stable slug, or `cohesion` for the index")
    n_pairs: int | None
    mean_pre: float | None
    mean_post: float | None
    mean_change: float | None
    ci95: Interval
    sd_change: float | None
    t: float | None
    df: float | None
    p: float | None
    p_holm: float | None
    wilcoxon_p: float | None
    cohen_dz: float | None
    dz_ci95: Interval
    alpha_pre: float | None = None
    alpha_post: float | None = None
    suppressed: bool = False
    suppression: str = Field(default="", description='"fewer than k", "secondary" or ""')
    note: str = ""


class GroupChangeOut(ChangeOut):
    dimension: Literal["group", "age_band", "gender", "language"]
    value: str


class AttritionScaleOut(BaseModel):
    scale: str
    n_pre: int
    n_post: int
    n_matched: int
    n_dropped: int
    mean_pre_stayed: float | None
    mean_pre_dropped: float | None
    welch_p: float | None


class AttritionOut(BaseModel):
    n_enrolled: int
    n_pre: int
    n_post: int
    n_matched: int
    by_scale: list[AttritionScaleOut]


class ReliabilityOut(BaseModel):
    scale: str
    wave: str
    alpha: float | None
    ci95: Interval
    n: int
    k: int
    flagged: bool
    note: str


class DoseResponseOut(BaseModel):
    scale: str | None
    slope: float | None
    ci95: Interval
    p: float | None
    n: int
    note: str


class ActivityOutcomesOut(BaseModel):
    activity_id: int
    title: str
    state: Literal["no_survey", "no_answers", "no_post", "no_matches", "ready"]
    k_min: int
    wilcoxon_method: str
    attrition: AttritionOut | None
    scales: list[ChangeOut]
    by_group: list[GroupChangeOut]
    reliability: list[ReliabilityOut]
    dose_response: DoseResponseOut | None


class ActivityEffectOut(BaseModel):
    activity_id: int
    title: str
    kind: str
    organization: str
    start_date: date | None
    end_date: date | None
    n_pairs: int | None
    mean_pre: float | None
    mean_post: float | None
    mean_change: float | None
    ci95: Interval
    p: float | None
    cohen_dz: float | None
    dz_ci95: Interval
    design_overall: float | None
    design_principles: dict[str, float | None]
    suppressed: bool
    suppression: str


class PooledOut(BaseModel):
    effect: str = "cohen_dz"
    method: str
    estimate: float | None
    ci95: Interval
    se: float | None
    p: float | None
    tau2: float | None
    i2: float | None
    q: float | None
    q_p: float | None
    k: int
    note: str


class DesignOutcomeOut(BaseModel):
    principle: int
    n: int
    r: float | None
    r_ci95: Interval
    p: float | None
    slope: float | None
    slope_ci95: Interval
    note: str


class MixedOut(BaseModel):
    estimate: float | None
    ci95: Interval
    p: float | None
    icc: float | None
    n_activities: int | None
    n_participants: int | None
    converged: bool | None
    reason: str | None


class PeriodOut(BaseModel):
    period: str
    wave: str
    n: int | None
    mean: float | None
    suppressed: bool
    suppression: str


class FunnelOut(BaseModel):
    activities: int
    n_pre: int
    n_post: int
    n_matched: int


class AcrossOut(BaseModel):
    scale: str
    k_min: int
    suppressed_for_government: bool
    funnel: FunnelOut
    total: ChangeOut | None
    activities: list[ActivityEffectOut]
    pooled: PooledOut
    design_vs_outcome: list[DesignOutcomeOut]
    mixed_model: MixedOut
    by_group: list[GroupChangeOut]
    cohesion_over_time: list[PeriodOut]


# --- conversions ---------------------------------------------------------------------------------


def _pair(row: dict[str, Any], low: str, high: str) -> Interval:
    return [row.get(low), row.get(high)]


def _change(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "scale": row["scale_id"],
        "n_pairs": row.get("n"),
        "mean_pre": row.get("mean_pre"),
        "mean_post": row.get("mean_post"),
        "mean_change": row.get("mean_change"),
        "ci95": _pair(row, "ci_low", "ci_high"),
        "sd_change": row.get("sd_change"),
        "t": row.get("t"),
        "df": row.get("df"),
        "p": row.get("p"),
        "p_holm": row.get("p_holm"),
        "wilcoxon_p": row.get("wilcoxon_p"),
        "cohen_dz": row.get("d_z"),
        "dz_ci95": _pair(row, "d_z_ci_low", "d_z_ci_high"),
        "alpha_pre": row.get("alpha_pre"),
        "alpha_post": row.get("alpha_post"),
        "suppressed": bool(row.get("suppressed") or False),
        "suppression": row.get("suppression") or "",
        "note": row.get("note") or "",
    }


def change_rows(table: pd.DataFrame) -> list[ChangeOut]:
    return [ChangeOut(**_change(row)) for row in records(table)]


def group_rows(table: pd.DataFrame) -> list[GroupChangeOut]:
    return [
        GroupChangeOut(**_change(row), dimension=row["dimension"], value=str(row["value"]))
        for row in records(table)
    ]


def _activity_out(outcome: outcomes.ActivityOutcomes) -> ActivityOutcomesOut:
    activity, report = outcome.activity, outcome.report
    assert activity.id is not None
    base: dict[str, Any] = {
        "activity_id": activity.id,
        "title": activity.title,
        "state": outcome.state,
        "k_min": outcome.k_min,
        "wilcoxon_method": WILCOXON_METHOD,
    }
    if report is None:
        empty: dict[str, Any] = {"scales": [], "by_group": [], "reliability": []}
        return ActivityOutcomesOut(**base, **empty, attrition=None, dose_response=None)
    dose = report.dose
    return ActivityOutcomesOut(
        **base,
        attrition=AttritionOut(
            n_enrolled=report.counts["enrolled"],
            n_pre=report.counts["pre"],
            n_post=report.counts["post"],
            n_matched=report.counts["matched"],
            by_scale=[
                AttritionScaleOut(**{**row, "scale": row["scale_id"]})
                for row in records(report.attrition)
            ],
        ),
        scales=change_rows(report.change),
        by_group=group_rows(report.by_group),
        reliability=[
            ReliabilityOut(
                **{**row, "scale": row["scale_id"], "ci95": _pair(row, "ci_low", "ci_high")}
            )
            for row in records(report.reliability)
        ],
        dose_response=DoseResponseOut(
            scale=report.dose_scale,
            slope=clean(dose.slope) if dose else None,
            ci95=[clean(dose.ci_low), clean(dose.ci_high)] if dose else [None, None],
            p=clean(dose.p) if dose else None,
            n=dose.n if dose else 0,
            note=dose.note if dose else "no attendance or no named participants",
        ),
    )


def _effects(report: AcrossReport) -> list[ActivityEffectOut]:
    rows = []
    for row in records(report.per_activity):
        principles = {str(n): row.get(f"principle_{n}") for n in range(1, 8)}
        rows.append(
            ActivityEffectOut(
                **{k: row.get(k) for k in ("activity_id", "title", "kind", "organization")},
                start_date=row.get("start_date"),
                end_date=row.get("end_date"),
                n_pairs=row.get("n"),
                mean_pre=row.get("mean_pre"),
                mean_post=row.get("mean_post"),
                mean_change=row.get("mean_change"),
                ci95=_pair(row, "ci_low", "ci_high"),
                p=row.get("p"),
                cohen_dz=row.get("d_z"),
                dz_ci95=_pair(row, "d_z_ci_low", "d_z_ci_high"),
                design_overall=row.get("design_overall"),
                design_principles=principles,
                suppressed=bool(row["suppressed"]),
                suppression=row.get("suppression") or "",
            )
        )
    return rows


def _pooled(report: AcrossReport) -> PooledOut:
    meta = report.meta
    return PooledOut(
        method=f"random effects ({'Paule-Mandel' if meta.method == 'pm' else 'DerSimonian-Laird'})",
        estimate=clean(meta.estimate),
        ci95=[clean(meta.ci_low), clean(meta.ci_high)],
        se=clean(meta.se),
        p=clean(meta.p),
        tau2=clean(meta.tau2),
        i2=clean(meta.i2),
        q=clean(meta.q),
        q_p=clean(meta.q_p),
        k=meta.k,
        note=meta.note,
    )


def _mixed(report: AcrossReport) -> MixedOut:
    fit = report.mixed
    if fit is None:
        # "not requested": ask with include_mixed=true
        return MixedOut(
            estimate=None,
            ci95=[None, None],
            p=None,
            icc=None,
            n_activities=None,
            n_participants=None,
            converged=None,
            reason=report.mixed_reason,
        )
    return MixedOut(
        estimate=fit.estimate,
        ci95=[fit.ci_low, fit.ci_high],
        p=fit.p,
        icc=clean(fit.icc),
        n_activities=fit.n_activities,
        n_participants=fit.n_participants,
        converged=fit.converged,
        reason=None,
    )


def across_out(report: AcrossReport) -> dict[str, Any]:
    """The fields of an AcrossOut (a dict, so subclasses can add their own)."""
    total = change_rows(report.total.assign(scale_id=report.scale)) if len(report.total) else []
    return {
        "scale": report.scale,
        "k_min": report.k,
        "suppressed_for_government": report.government,
        "funnel": FunnelOut(
            activities=report.funnel["activities"],
            n_pre=report.funnel["pre"],
            n_post=report.funnel["post"],
            n_matched=report.funnel["matched"],
        ),
        "total": total[0] if total else None,
        "activities": _effects(report),
        "pooled": _pooled(report),
        "design_vs_outcome": [
            DesignOutcomeOut(
                **{k: row.get(k) for k in ("n", "r", "p", "slope")},
                principle=int(str(row["principle"]).removeprefix("principle_")),
                r_ci95=_pair(row, "r_ci_low", "r_ci_high"),
                slope_ci95=_pair(row, "slope_ci_low", "slope_ci_high"),
                note=row.get("note") or "",
            )
            for row in records(report.design)
        ],
        "mixed_model": _mixed(report),
        "by_group": group_rows(report.by_group),
        "cohesion_over_time": [PeriodOut(**row) for row in records(report.over_time)],
    }


# --- endpoints -----------------------------------------------------------------------------------


@router.get("/activities/{activity_id}/outcomes", response_model=ActivityOutcomesOut)
def api_activity_outcomes(
    session: SessionDep, user: ApiUser, activity_id: int
) -> ActivityOutcomesOut:
    """Attrition, change per scale and cohesion index, reliability, groups, dose-response."""
    outcome = outcomes.activity_outcomes(session=session, actor=user, activity_id=activity_id)
    return _activity_out(outcome)


@router.get("/activities/{activity_id}/outcomes/export")
def api_activity_outcomes_export(
    session: SessionDep,
    user: ApiUser,
    activity_id: int,
    format: ExportFormat = Query(default="csv"),  # noqa: A002 - the public parameter name
) -> Response:
    """CSV or XLSX of the results, with scale scores by pseudonymous code (audit-logged)."""
    outcome = outcomes.activity_outcomes(session=session, actor=user, activity_id=activity_id)
    if outcome.report is None:
        raise NotFound(_("This activity has no survey yet."))
    codes = outcomes.participant_codes(session=session, actor=user, activity_id=activity_id)
    data = export_bytes(outcome_export.activity_tables(outcome.report, codes=codes), format)
    outcomes.record_export(session=session, actor=user, activity=outcome.activity, what=format)
    return download(f"outcomes-activity-{activity_id}", data, format)


def _overview(
    session: SessionDep,
    user: ApiStaff,
    organization_id: int,
    scale: str,
    kind: str,
    date_from: date | None,
    date_to: date | None,
    mixed: bool,
) -> AcrossReport:
    scoped_organization(session=session, actor=user, organization_id=organization_id)
    filters = overview_filters(
        scale,
        kind,
        date_from.isoformat() if date_from else "",
        date_to.isoformat() if date_to else "",
    )
    return outcomes.organization_overview(session=session, actor=user, filters=filters, mixed=mixed)


MIXED_HELP = "also fit the multilevel model (slow over hundreds of activities)"


@router.get("/orgs/{organization_id}/outcomes", response_model=AcrossOut)
def api_organization_outcomes(
    session: SessionDep,
    user: ApiStaff,
    organization_id: int,
    scale: str = COHESION,
    kind: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    include_mixed: bool = Query(default=False, description=MIXED_HELP),
) -> AcrossOut:
    """Every activity's change on one outcome, pooled, against design, by group, over time."""
    report = _overview(
        session, user, organization_id, scale, kind, date_from, date_to, include_mixed
    )
    return AcrossOut(**across_out(report))


@router.get("/orgs/{organization_id}/outcomes/export")
def api_organization_outcomes_export(
    session: SessionDep,
    user: ApiStaff,
    organization_id: int,
    format: ExportFormat = Query(default="csv"),  # noqa: A002 - the public parameter name
    scale: str = COHESION,
    kind: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> Response:
    """CSV or XLSX of the organization's own aggregates (with the multilevel model)."""
    report = _overview(session, user, organization_id, scale, kind, date_from, date_to, True)
    data = export_bytes(outcome_export.across_tables(report), format)
    return download(f"outcomes-{report.scale}", data, format)
