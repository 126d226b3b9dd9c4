"""Tidy export tables of outcome results, and their CSV and XLSX files (pandas + openpyxl).

Pure. The tables are the figures the pages show, with the API's column names; government tables
come from an `AcrossReport` built with ``government=True`` (already suppressed) and never contain a
participant key, id or code — `assert_no_people` checks that before a file is written.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

import pandas as pd

from surveys.outcome_report import PRINCIPLE_COLUMNS, STAT_COLUMNS, AcrossReport, ActivityReport

RENAME = {
    "scale_id": "scale",
    "n": "n_pairs",
    "ci_low": "ci95_low",
    "ci_high": "ci95_high",
    "d_z": "cohen_dz",
    "d_z_ci_low": "dz_ci95_low",
    "d_z_ci_high": "dz_ci95_high",
}
CHANGE_COLUMNS = ["scale_id", "n", *STAT_COLUMNS]
PEOPLE_COLUMNS = {"participant_key", "participant_id", "participant", "code", "anon_code"}
ACTIVITY_COLUMNS = [
    "activity_id",
    "title",
    "kind",
    "organization",
    "start_date",
    "end_date",
    "n",
    *STAT_COLUMNS,
    "design_overall",
    *PRINCIPLE_COLUMNS,
    "suppressed",
    "suppression",
]


def _change(table: pd.DataFrame, extra: list[str]) -> pd.DataFrame:
    columns = [c for c in [*extra, *CHANGE_COLUMNS, "alpha_pre", "alpha_post"] if c in table]
    columns += [c for c in ("note", "suppressed", "suppression") if c in table]
    return table[columns].rename(columns=RENAME)


def activity_tables(
    report: ActivityReport, *, codes: Mapping[int, str] | None = None
) -> dict[str, pd.DataFrame]:
    """An organizer's tables for one activity; `codes` adds the scale scores by participant code."""
    dose = report.dose
    tables = {
        "change": _change(report.change, []),
        "attrition": report.attrition.rename(columns={"scale_id": "scale"}),
        "reliability": report.reliability.rename(
            columns={"scale_id": "scale", "ci_low": "ci95_low", "ci_high": "ci95_high"}
        ),
        "by_group": _change(report.by_group, ["dimension", "value"]),
        "dose_response": pd.DataFrame(
            [
                {
                    "scale": report.dose_scale,
                    "slope": dose.slope if dose else None,
                    "ci95_low": dose.ci_low if dose else None,
                    "ci95_high": dose.ci_high if dose else None,
                    "p": dose.p if dose else None,
                    "n": dose.n if dose else 0,
                    "note": dose.note if dose else "no attendance recorded",
                }
            ]
        ),
    }
    if codes is not None:
        tables["scores"] = _scores_by_code(report.scores, codes)
    return tables


def _scores_by_code(scores: pd.DataFrame, codes: Mapping[int, str]) -> pd.DataFrame:
    """Every stored scale score (matched or not), named by pseudonymous code, one row each."""
    ids = scores["participant_id"].astype("Int64")
    code = ids.map(lambda i: codes.get(int(i), "") if pd.notna(i) else "")
    keys = scores["participant_key"].astype("string")
    anonymous = keys.str.split(":a", n=1).str[1].astype("string").fillna("")
    frame = scores.assign(participant=code.where(code != "", "anonymous " + anonymous))
    columns = ["participant", "group", "age_band", "gender", "language", "wave", "scale_id"]
    ordered = frame.sort_values(["participant", "wave", "scale_id"], ascending=[True, False, True])
    return ordered[[*columns, "score"]].rename(columns={"scale_id": "scale"})


def across_tables(report: AcrossReport) -> dict[str, pd.DataFrame]:
    """Tables across activities: per activity, total, pooled, design, groups, over time."""
    meta = report.meta
    mixed = report.mixed
    tables = {
        "activities": report.per_activity[
            [c for c in ACTIVITY_COLUMNS if c in report.per_activity]
        ].rename(columns=RENAME),
        "total": _change(report.total.assign(scale_id=report.scale), []),
        "pooled": pd.DataFrame(
            [
                {
                    "scale": report.scale,
                    "effect": "cohen_dz",
                    "method": "random effects, Paule-Mandel",
                    "estimate": meta.estimate,
                    "ci95_low": meta.ci_low,
                    "ci95_high": meta.ci_high,
                    "p": meta.p,
                    "tau2": meta.tau2,
                    "i2": meta.i2,
                    "q": meta.q,
                    "q_p": meta.q_p,
                    "k_activities": meta.k,
                    "note": meta.note,
                }
            ]
        ),
        "design_vs_outcome": report.design,
        "by_group": _change(report.by_group, ["dimension", "value"]),
        "over_time": report.over_time.assign(scale="cohesion"),
        "mixed_model": pd.DataFrame(
            [
                {
                    "scale": report.scale,
                    "estimate": mixed.estimate if mixed else None,
                    "ci95_low": mixed.ci_low if mixed else None,
                    "ci95_high": mixed.ci_high if mixed else None,
                    "p": mixed.p if mixed else None,
                    "icc": mixed.icc if mixed else None,
                    "n_activities": mixed.n_activities if mixed else None,
                    "note": report.mixed_reason or "",
                }
            ]
        ),
    }
    if report.government:
        assert_no_people(tables)
    return tables


def assert_no_people(tables: Mapping[str, pd.DataFrame]) -> None:
    """Refuse to export a table that has a column about an individual."""
    for name, table in tables.items():
        found = PEOPLE_COLUMNS & set(map(str, table.columns))
        if found:
            raise ValueError(f"table {name} has individual-level columns: {sorted(found)}")


def to_csv(tables: Mapping[str, pd.DataFrame]) -> bytes:
    """One tidy CSV: the tables stacked, with a `table` column naming where each row comes from."""
    frames = [
        t.convert_dtypes().assign(table=name)[["table", *t.columns]] for name, t in tables.items()
    ]
    stacked = pd.concat([f for f in frames if not f.empty], ignore_index=True) if frames else None
    if stacked is None or stacked.empty:
        stacked = pd.DataFrame(columns=["table"])
    return stacked.to_csv(index=False).encode("utf-8")


def to_xlsx(tables: Mapping[str, pd.DataFrame]) -> bytes:
    """One sheet per table."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, table in tables.items():
            table.to_excel(writer, sheet_name=name[:31], index=False)
    return buffer.getvalue()
