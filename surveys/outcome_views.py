"""Organizer outcome pages: one activity's outcomes and the organization's overview, with printable
reports and CSV/XLSX exports.

Thin: parse the query, call `surveys.outcomes` (which scopes to the organizer's organization; an
activity of another organization, or any activity for a government viewer, is a 404), then turn
the report into tables and Plotly figures for the template. The label and chart helpers here are
shared with the territory dashboard (`app.dashboards.views`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from activities.importing import AGE_BANDS, GENDERS, GROUPS
from activities.kinds import TEMPLATES, Kind
from activities.principles import PRINCIPLES
from app.charts import embed
from app.db import SessionDep
from app.deps import PageStaff, PageUser
from app.errors import Invalid, NotFound
from app.i18n import _, gettext, request_language
from app.settings import get_settings
from app.templating import render
from surveys import charts, instruments, outcome_export, outcomes
from surveys.analysis import MIN_ACTIVITIES, MixedResult
from surveys.outcome_report import (
    DIMENSIONS,
    WILCOXON_METHOD,
    AcrossReport,
    higher_is_better,
    records,
)
from surveys.respond_text import LANGUAGE_NAMES
from surveys.scoring import COHESION

router = APIRouter(include_in_schema=False)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX}


# --- labels (shared with the territory dashboard) ------------------------------------------------


def lang_of(request: Request) -> str:
    return request_language(request, get_settings().default_language)


def translator(lang: str) -> Callable[[str], str]:
    return partial(gettext, lang)


def scale_names(lang: str) -> dict[str, str]:
    """Scale slug -> name in the language, the cohesion index first."""
    names = {COHESION: gettext(lang, _("Cohesion index"))}
    for scale in instruments.bank().values():
        names[scale.id] = scale.name.get(lang, scale.name["en"])
    return names


def value_labels(lang: str) -> dict[str, str]:
    """Labels for the values of the disaggregation dimensions."""
    t = translator(lang)
    labels = {
        "migrant": t(_("Migrants")),
        "host": t(_("Host community")),
        "other": t(_("Other")),
        "woman": t(_("Women")),
        "man": t(_("Men")),
        "non_binary": t(_("Non-binary")),
        "prefer_not_to_say": t(_("Prefer not to say")),
        "unknown": t(_("Not known")),
        "under_12": t(_("Under 12")),
        "65_plus": t(_("65 and over")),
    }
    for band in ("12_14", "15_17", "18_24", "25_34", "35_49", "50_64"):
        labels[band] = band.replace("_", "–")
    return {**LANGUAGE_NAMES, **labels}


def dimension_labels(lang: str) -> dict[str, str]:
    t = translator(lang)
    return {
        "group": t(_("Migrants and locals")),
        "age_band": t(_("Age band")),
        "gender": t(_("Gender")),
        "language": t(_("Language")),
    }


def principle_names(lang: str) -> dict[str, str]:
    return {
        f"principle_{p.number}": f"{p.number}. {p.name.get(lang, p.name['en'])}" for p in PRINCIPLES
    }


def kind_labels(lang: str) -> dict[str, str]:
    return {k.value: TEMPLATES[k].label.get(lang, TEMPLATES[k].label["en"]) for k in Kind}


def wave_labels(lang: str) -> dict[str, str]:
    t = translator(lang)
    return {"pre": t(_("Before")), "post": t(_("After"))}


def parse_date(value: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError as error:
        raise Invalid(_("Enter dates as YYYY-MM-DD.")) from error


def download(name: str, data: bytes, fmt: str) -> Response:
    return Response(
        data,
        media_type=FORMATS[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{name}.{fmt}"',
            "Cache-Control": "no-store",
        },
    )


def export_bytes(tables: dict[str, pd.DataFrame], fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise NotFound(_("Unknown export format."))
    return outcome_export.to_csv(tables) if fmt == "csv" else outcome_export.to_xlsx(tables)


_VALUE_ORDER = {v: i for i, v in enumerate([*GROUPS, *AGE_BANDS, *GENDERS, "unknown"])}


def pivot(table: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Per dimension: its values in a natural order, and value -> scale -> row (for a grid)."""
    grids: dict[str, dict[str, Any]] = {}
    for dim in DIMENSIONS:
        rows = records(table[table["dimension"] == dim])
        if not rows:
            continue
        values = sorted({r["value"] for r in rows}, key=lambda v: (_VALUE_ORDER.get(v, 50), v))
        cells: dict[str, dict[str, Any]] = {v: {} for v in values}
        for row in rows:
            cells[row["value"]][row["scale_id"]] = row
        grids[dim] = {"values": values, "cells": cells}
    return grids


def _any_shown(table: pd.DataFrame, dimension: str = "group") -> bool:
    chosen = table[table["dimension"] == dimension]
    return bool(len(chosen)) and not bool(chosen["suppressed"].astype(bool).all())


# --- across activities (organization and territory) ----------------------------------------------


def across_context(report: AcrossReport, lang: str) -> dict[str, Any]:
    """Tables, figures and sentences of an AcrossReport, for a template."""
    t = translator(lang)
    names = scale_names(lang)
    shown = report.shown
    context: dict[str, Any] = {
        "report": report,
        "activities": records(report.per_activity),
        "total": records(report.total)[0] if len(report.total) else None,
        "design": records(report.design),
        "by_group": pivot(report.by_group),
        "group_scales": [report.scale],
        "over_time": records(report.over_time),
        "meta": report.meta,
        "mixed": report.mixed,
        "mixed_reason": report.mixed_reason,
        "mixed_computed": report.mixed_computed,
        "n_mixed": len(shown),
        "min_activities": MIN_ACTIVITIES,
        "n_shown": len(shown),
        "scale_name": names.get(report.scale, report.scale),
        "higher_is_better": higher_is_better(report.scale),
        "names": names,
        "labels": value_labels(lang),
        "dimension_labels": dimension_labels(lang),
        "principle_names": principle_names(lang),
        "kind_labels": kind_labels(lang),
        "charts": True,
    }
    context.update(_across_figures(report, lang, t, names))
    return context


def _across_figures(
    report: AcrossReport, lang: str, t: Callable[[str], str], names: dict[str, str]
) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    if report.meta.k:
        labels = {
            "pooled": t(_("Pooled (random effects)")),
            "activity": t(_("Activity")),
            "x": t(_("Cohen's d_z (95% CI)")),
        }
        height = 140 + 34 * (report.meta.k + 1)
        figures["forest"] = embed(
            charts.forest_plot(report.meta, labels),
            "forest",
            height=height,
            label=t(_("Forest plot: effect size of each activity and the pooled estimate")),
        )
    if report.design["r"].notna().any():
        figures["design_chart"] = embed(
            charts.design_chart(
                report.design, principle_names(lang), t(_("Correlation with change (r, 95% CI)"))
            ),
            "design-chart",
            height=360,
            label=t(_("Correlation of each principle's design score with the change")),
        )
    if len(report.over_time) and report.over_time["mean"].notna().any():
        figures["time_chart"] = embed(
            charts.over_time_chart(report.over_time, wave_labels(lang), names[COHESION]),
            "over-time",
            height=320,
            label=t(_("Cohesion index over time, before and after the activities")),
        )
    if _any_shown(report.by_group):
        figures["group_chart"] = embed(
            charts.group_comparison(report.by_group, names, value_labels(lang), [report.scale]),
            "groups",
            height=320,
            label=t(_("Change for migrants and for locals")),
        )
    return figures


def mixed_context(
    fit: MixedResult | None, reason: str | None, n_activities: int, scale: str, lang: str
) -> dict[str, Any]:
    """What `outcomes/_mixed.html` needs to say what the multilevel model found."""
    return {
        "mixed": fit,
        "mixed_reason": reason,
        "mixed_computed": True,
        "n_mixed": n_activities,
        "min_activities": MIN_ACTIVITIES,
        "scale_name": scale_names(lang).get(scale, scale),
    }


def wants_mixed_only(request: Request) -> bool:
    """htmx asks for the multilevel-model sentence that the page left to load after it."""
    return request.headers.get("hx-target") == "mixed"


def mixed_url(request: Request) -> str:
    return str(request.url.include_query_params(mixed="1"))


def results_block(request: Request) -> str:
    """The filters swap only the results; anything else gets the whole content."""
    return "results" if request.headers.get("hx-target") == "results" else "content"


def overview_filters(
    scale: str, kind: str, date_from: str, date_to: str
) -> outcomes.OverviewFilters:
    return outcomes.OverviewFilters(
        scale=outcomes.check_scale(scale or COHESION),
        kind=kind,
        date_from=parse_date(date_from),
        date_to=parse_date(date_to),
    )


# --- one activity --------------------------------------------------------------------------------


def _activity_figures(outcome: outcomes.ActivityOutcomes, lang: str) -> dict[str, Any]:
    report = outcome.report
    assert report is not None
    t = translator(lang)
    names = scale_names(lang)
    counts = report.counts
    stages = [
        (t(_("Enrolled")), counts["enrolled"]),
        (t(_("Answered before")), counts["pre"]),
        (t(_("Answered after")), counts["post"]),
        (t(_("Matched pairs")), counts["matched"]),
    ]
    figures: dict[str, Any] = {
        "funnel": embed(
            charts.attrition_funnel(stages),
            "funnel",
            height=260,
            label=", ".join(f"{label}: {n}" for label, n in stages),
        )
    }
    if report.state != "ready":
        return figures
    scales = [s for s in report.scales if s in set(report.change["scale_id"])]
    figures["means_chart"] = embed(
        charts.pre_post_means(report.means, names, wave_labels(lang)),
        "means",
        height=360,
        label=t(_("Mean score before and after per scale, with 95% confidence intervals")),
    )
    figures["distribution"] = embed(
        charts.change_distribution(report.pairs, names, scales),
        "distribution",
        height=120 + 40 * len(scales),
        label=t(_("Each participant's change per scale")),
    )
    if _any_shown(report.by_group):
        figures["group_chart"] = embed(
            charts.group_comparison(report.by_group, names, value_labels(lang), scales),
            "groups",
            height=360,
            label=t(_("Change for migrants and for locals per scale")),
        )
    if len(report.dose_points):
        labels = {
            "points": t(_("Participant")),
            "fit": t(_("Fitted line")),
            "x": t(_("Sessions attended")),
            "y": t(_("Change in score"))
            + f" ({names.get(report.dose_scale or '', report.dose_scale)})",
        }
        figures["dose_chart"] = embed(
            charts.dose_scatter(report.dose_points, report.dose, labels),
            "dose",
            height=320,
            label=t(_("Change against sessions attended")),
        )
    return figures


def _finite(value: float | None) -> bool:
    return value is not None and bool(np.isfinite(value))


def activity_context(outcome: outcomes.ActivityOutcomes, lang: str) -> dict[str, Any]:
    context: dict[str, Any] = {
        "activity": outcome.activity,
        "survey": outcome.survey,
        "state": outcome.state,
        "k_min": outcome.k_min,
        "names": scale_names(lang),
        "labels": value_labels(lang),
        "dimension_labels": dimension_labels(lang),
        "wilcoxon_method": WILCOXON_METHOD,
        "higher": {s: higher_is_better(s) for s in scale_names(lang)},
        "charts": outcome.report is not None,
    }
    report = outcome.report
    if report is None:
        return context
    change = records(report.change)
    context.update(
        counts=report.counts,
        change=change,
        headline=change[0] if change else None,
        attrition=records(report.attrition),
        reliability=records(report.reliability),
        by_group=pivot(report.by_group),
        group_scales=[s for s in report.scales if s in set(report.change["scale_id"])],
        dose=report.dose if report.dose and _finite(report.dose.slope) else None,
        dose_note=report.dose.note if report.dose else "",
        dose_scale=report.dose_scale,
    )
    context.update(_activity_figures(outcome, lang))
    return context


@router.get("/activities/{activity_id}/outcomes", name="activity_outcomes")
def activity_outcomes_page(
    request: Request, session: SessionDep, user: PageUser, activity_id: int
) -> HTMLResponse:
    outcome = outcomes.activity_outcomes(session=session, actor=user, activity_id=activity_id)
    return render(request, "outcomes/activity.html", activity_context(outcome, lang_of(request)))


@router.get("/activities/{activity_id}/outcomes/export.{fmt}", name="activity_outcomes_export")
def activity_outcomes_export(
    session: SessionDep, user: PageUser, activity_id: int, fmt: str
) -> Response:
    outcome = outcomes.activity_outcomes(session=session, actor=user, activity_id=activity_id)
    if outcome.report is None:
        raise NotFound(_("This activity has no survey yet."))
    codes = outcomes.participant_codes(session=session, actor=user, activity_id=activity_id)
    tables = outcome_export.activity_tables(outcome.report, codes=codes)
    data = export_bytes(tables, fmt)
    outcomes.record_export(session=session, actor=user, activity=outcome.activity, what=fmt)
    return download(f"outcomes-activity-{activity_id}", data, fmt)


# --- the organization's overview -----------------------------------------------------------------


@router.get("/outcomes", name="outcomes_overview")
def outcomes_overview_page(
    request: Request,
    session: SessionDep,
    user: PageStaff,
    scale: str = COHESION,
    kind: str = "",
    date_from: str = "",
    date_to: str = "",
    mixed: str = "",
) -> HTMLResponse:
    lang = lang_of(request)
    filters = overview_filters(scale, kind, date_from, date_to)
    if wants_mixed_only(request):
        fit, reason, n = outcomes.organization_mixed(session=session, actor=user, filters=filters)
        context = mixed_context(fit, reason, n, filters.scale, lang)
        return render(request, "outcomes/_mixed.html", context, block="mixed")
    report = outcomes.organization_overview(
        session=session, actor=user, filters=filters, mixed=bool(mixed)
    )
    assert user.organization_id is not None
    context = across_context(report, lang)
    context.update(
        filters=filters,
        query={"scale": filters.scale, "kind": kind, "date_from": date_from, "date_to": date_to},
        kinds=outcomes.organization_kinds(session=session, organization_ids=[user.organization_id]),
        mixed_url=mixed_url(request),
    )
    return render(request, "outcomes/overview.html", context, block=results_block(request))


@router.get("/outcomes/export.{fmt}", name="outcomes_overview_export")
def outcomes_overview_export(
    session: SessionDep,
    user: PageStaff,
    fmt: str,
    scale: str = COHESION,
    kind: str = "",
    date_from: str = "",
    date_to: str = "",
) -> Response:
    filters = overview_filters(scale, kind, date_from, date_to)
    report = outcomes.organization_overview(session=session, actor=user, filters=filters)
    data = export_bytes(outcome_export.across_tables(report), fmt)
    return download(f"outcomes-{filters.scale}", data, fmt)
