"""Great Expectations suites on the facts and marts: the gates in front of the exports.

DESIGN.md "Quality gates": volumes against the previous quarter, rates within bounds,
referential completeness. Each suite validates one pandas frame derived from contract
tables read over a READ-ONLY DuckDB connection (PITFALLS 4: GX through SQL on DuckDB
fails every expectation), with an ephemeral context, a pandas data source, a
ValidationDefinition and a Checkpoint. Expectations are data (class name + arguments),
so the rules read as a list; the frames are pure functions of the tables.

Each suite names the partner groups it guards: when it fails, those partners' exports are
not written, and only those.
"""

from __future__ import annotations

import os

# Analytics off before great_expectations is ever imported (PITFALLS 4, 9).
os.environ["GX_ANALYTICS_ENABLED"] = "false"

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from expectations.results import CheckResult, could_not_run, example_row, run_check
from exports.partners import CSP_PARTNERS
from exports.tables import HEALTH_SOURCES, SERVICE_MEASURES
from exports.windows import complete_quarters, quarters_spanned
from ingest.specs import SUITES
from vrn import periods
from vrn.reference import LA_CODES, LLR_DISTRICT_CODES

Frames = Mapping[str, pd.DataFrame]
Expectation = tuple[str, dict[str, Any]]  # GX expectation class name, its arguments

# A quarter's volume must lie within these multiples of the previous quarter's: a halved
# or doubled quarter is far more likely a missing or doubled extract than real change.
# At exactly 50% a halved quarter would sit on the line, so the line is drawn at 60% (and,
# symmetrically, 1/0.6 = 167%). Small counts vary by chance far more, so the range is
# never narrower than 4 Poisson standard deviations (4 * sqrt(previous)) either side.
VOLUME_MIN_RATIO = 0.6
VOLUME_MAX_RATIO = 1 / 0.6
VOLUME_NOISE_SDS = 4.0
MONTHLY_EVENTS_FOR_GAPS = 10
TIME_SLOTS = ("00:00-07:59", "08:00-11:59", "12:00-15:59", "16:00-19:59", "20:00-23:59")
DUTY_MEASURES = ("knife_enabled_sv", "homicide", "knife_homicide", "sharp_object_admissions")


@dataclass(frozen=True)
class Context:
    """What every frame may need besides the tables: the quarters being exported."""

    quarters: tuple[str, ...]


@dataclass(frozen=True)
class Suite:
    name: str
    table: str  # the contract table it checks (its Dagster asset)
    reads: tuple[str, ...]
    guards: tuple[str, ...]  # partner groups
    description: str
    frame: Callable[[Frames, Context], pd.DataFrame]
    expectations: tuple[Expectation, ...]


# ---------------------------------------------------------------------------- frames


def _month_starts(s: pd.Series) -> set[date]:
    return {date(t.year, t.month, 1) for t in pd.to_datetime(s.dropna())}


def volume_frame(events: pd.DataFrame, date_column: str, ctx: Context,
                 by: str | None = None, groups: Sequence[str] = ()) -> pd.DataFrame:
    """Per quarter (and group): events, months with any, the previous quarter's events
    and the ratio. Quarters run from the first to the last quarter either exported or
    complete in these data, gaps included, so a missing quarter shows as 0."""
    own = complete_quarters(_month_starts(events[date_column]))
    labels = sorted(set(own) | set(ctx.quarters))
    if not labels:
        return pd.DataFrame(columns=[*([by] if by else []), "fy_quarter", "events",
                                     "months_with_data", "previous_events",
                                     "ratio_to_previous", "expected_low", "expected_high",
                                     "within_expected_range", "months_complete"])
    spanned = quarters_spanned(labels[0], labels[-1])
    dates = pd.to_datetime(events[date_column])
    rows = []
    for group in (groups or [None]):
        mask = events[by].eq(group) if by else pd.Series(True, index=events.index)
        previous = None
        for q in spanned:
            p = periods.fy_quarter(q)
            in_q = mask & (dates >= pd.Timestamp(p.start)) & (dates < pd.Timestamp(p.end_exclusive))
            n = int(in_q.sum())
            months = len(_month_starts(dates[in_q]))
            ratio = None if previous is None else (n / previous if previous else float("inf"))
            low = high = None
            if previous is not None:
                noise = VOLUME_NOISE_SDS * max(previous, 1) ** 0.5
                low = round(min(previous * VOLUME_MIN_RATIO, previous - noise), 1)
                high = round(max(previous * VOLUME_MAX_RATIO, previous + noise), 1)
            rows.append({**({by: group} if by else {}), "fy_quarter": q, "events": n,
                         "months_with_data": months, "previous_events": previous,
                         "ratio_to_previous": None if ratio is None else round(ratio, 3),
                         "expected_low": low, "expected_high": high,
                         "within_expected_range": previous is None or low <= n <= high,
                         # A month without any event means a missing extract only where
                         # events are many (10+ a month); few events leave months empty.
                         "months_complete": months == 3
                         or max(n, previous or 0) < 3 * MONTHLY_EVENTS_FOR_GAPS})
            previous = n
    return pd.DataFrame(rows)


def _volume(table: str, date_column: str, by: str | None = None,
            groups: Sequence[str] = ()) -> Callable[[Frames, Context], pd.DataFrame]:
    return lambda t, ctx: volume_frame(t[table], date_column, ctx, by, groups)


VOLUME_EXPECTATIONS: tuple[Expectation, ...] = (
    ("ExpectTableRowCountToBeBetween", {"min_value": 1}),
    ("ExpectColumnValuesToBeInSet", {"column": "months_complete", "value_set": [True]}),
    ("ExpectColumnValuesToBeInSet", {"column": "within_expected_range", "value_set": [True]}),
)


def _flag(s: pd.Series) -> pd.Series:
    return s.fillna(False).astype(bool)


def sv_classification_frame(t: Frames, ctx: Context) -> pd.DataFrame:
    sv = t["fct_serious_violence"][
        ["crime_ref", "recorded_date", "ho_offence_code", "sv_group", "la_code",
         "district_code", "beat_code"]]
    offences = t["dim_offence"][["ho_offence_code", "sv_group"]].rename(
        columns={"sv_group": "dim_offence_sv_group"})
    geo = t["dim_geography"][["beat_code", "district_code", "csp_name"]].rename(
        columns={"district_code": "beat_district_code"})
    f = sv.merge(offences, on="ho_offence_code", how="left").merge(geo, on="beat_code",
                                                                   how="left")
    f["sv_group_as_dim_offence"] = (
        f["sv_group"].notna() & f["sv_group"].eq(f["dim_offence_sv_group"]))
    f["district_as_beat"] = f["district_code"].eq(f["beat_district_code"])
    return f


def geography_frame(t: Frames, ctx: Context) -> pd.DataFrame:
    return t["dim_geography"].copy()


def csp_partners_frame(t: Frames, ctx: Context) -> pd.DataFrame:
    geo = t["dim_geography"]
    return pd.DataFrame([
        {"partner": p, "csp_name": name, "beats": int((geo["csp_name"] == name).sum())}
        for p, name in CSP_PARTNERS.items()
    ])


def rasso_classification_frame(t: Frames, ctx: Context) -> pd.DataFrame:
    """fct_rasso's outcome flags must agree with its outcome code (spec: positive outcome
    = 1 or 1A; victim does not support = 14 or 16) and its days with its dates."""
    r = t["fct_rasso"].copy()
    code = r["outcome_code"].astype("string")
    r["charged_as_outcome_code"] = _flag(r["is_charged"]).eq(code.isin(["1", "1A"]).fillna(False))
    r["not_supporting_as_outcome_code"] = _flag(r["is_victim_not_supporting"]).eq(
        code.isin(["14", "16"]).fillna(False))
    r["outcome_date_with_code"] = r["outcome_code"].isna().eq(r["outcome_date"].isna())
    days = (pd.to_datetime(r["outcome_date"]) - pd.to_datetime(r["recorded_date"])).dt.days
    r["days_as_dates"] = days.isna() | days.eq(pd.to_numeric(r["days_to_outcome"],
                                                             errors="coerce"))
    return r


def duty_grid_frame(t: Frames, ctx: Context) -> pd.DataFrame:
    m = t["mart_sv_duty_measures"]
    years = sorted(m["financial_year"].dropna().unique())
    grid = pd.DataFrame([(y, me, a) for y in years for me in DUTY_MEASURES
                         for a in ("all", "under_25")],
                        columns=["financial_year", "measure", "age_group"])
    counted = (m.groupby(["financial_year", "measure", "age_group"], dropna=False)
               .agg(rows_in_mart=("value", "size"), value=("value", "first")).reset_index())
    f = grid.merge(counted, on=["financial_year", "measure", "age_group"], how="outer")
    f["rows_in_mart"] = f["rows_in_mart"].fillna(0).astype(int)
    return f


def custody_frame(t: Frames, ctx: Context) -> pd.DataFrame:
    c = t["fct_custody_detention"].copy()
    age = pd.to_numeric(c["age"], errors="coerce")
    c["juvenile_as_age"] = _flag(c["is_juvenile"]).eq(age.lt(18))
    return c


def icv_frame(t: Frames, ctx: Context) -> pd.DataFrame:
    v = t["fct_icv_visit"].copy()
    v["agreed_and_refused_make_offered"] = (v["agreed"] + v["refused"]).eq(v["offered"])
    v["offered_within_detainees"] = v["offered"].le(v["detainees_in_cells"])
    return v


def service_return_frame(t: Frames, ctx: Context) -> pd.DataFrame:
    r = t["fct_service_return"].copy()
    known = {(s, m) for s, ms in SERVICE_MEASURES.items() for m in ms}
    r["measure_known"] = [(s, m) in known for s, m in zip(r["service"], r["measure"],
                                                          strict=True)]
    return r


def _not_null(*columns: str) -> tuple[Expectation, ...]:
    return tuple(("ExpectColumnValuesToNotBeNull", {"column": c}) for c in columns)


def _true(*columns: str) -> tuple[Expectation, ...]:
    return tuple(("ExpectColumnValuesToBeInSet", {"column": c, "value_set": [True]})
                 for c in columns)


def _between(column: str, lo: float | None = None, hi: float | None = None) -> Expectation:
    args: dict[str, Any] = {"column": column}
    if lo is not None:
        args["min_value"] = lo
    if hi is not None:
        args["max_value"] = hi
    return ("ExpectColumnValuesToBeBetween", args)


def _in(column: str, values: Sequence[Any]) -> Expectation:
    return ("ExpectColumnValuesToBeInSet", {"column": column, "value_set": list(values)})


def _unique(*columns: str) -> Expectation:
    if len(columns) == 1:
        return ("ExpectColumnValuesToBeUnique", {"column": columns[0]})
    return ("ExpectCompoundColumnsToBeUnique", {"column_list": list(columns)})


SUITES_ALL: tuple[Suite, ...] = (
    # --- volumes against the previous quarter
    Suite("police_sv_volume", "fct_serious_violence", ("fct_serious_violence",),
          ("csp", "home_office", "opcc"),
          "Serious violence recorded per quarter within 60%-167% of the quarter before.",
          _volume("fct_serious_violence", "recorded_date"), VOLUME_EXPECTATIONS),
    Suite("rasso_volume", "fct_rasso", ("fct_rasso",), ("opcc",),
          "RASSO crimes recorded per quarter within 60%-167% of the quarter before.",
          _volume("fct_rasso", "recorded_date"), VOLUME_EXPECTATIONS),
    Suite("custody_volume", "fct_custody_detention", ("fct_custody_detention",), ("opcc",),
          "Custody detentions per quarter within 60%-167% of the quarter before.",
          _volume("fct_custody_detention", "arrived_at"), VOLUME_EXPECTATIONS),
    Suite("icv_volume", "fct_icv_visit", ("fct_icv_visit",), ("opcc",),
          "ICV visits per quarter within 60%-167% of the quarter before (wider for small counts).",
          _volume("fct_icv_visit", "arrived_at"), VOLUME_EXPECTATIONS),
    Suite("health_volume", "fct_assault_injury", ("fct_assault_injury",),
          ("icb", "home_office"),
          "A&E attendances, admissions and ambulance call-outs per quarter, each within "
          "60%-167% of the quarter before (wider for small counts).",
          _volume("fct_assault_injury", "event_at", "source", HEALTH_SOURCES),
          VOLUME_EXPECTATIONS),
    # --- every crime classified, every area mapped
    Suite("sv_classification", "fct_serious_violence",
          ("fct_serious_violence", "dim_offence", "dim_geography"), ("csp", "home_office"),
          "Every serious violence crime has the sv_group dim_offence gives its code, an "
          "upper-tier and a district code of LLR, and a beat that maps to a CSP.",
          sv_classification_frame,
          (*_not_null("crime_ref", "recorded_date", "sv_group", "la_code", "district_code",
                      "beat_code", "csp_name"),
           *_true("sv_group_as_dim_offence", "district_as_beat"),
           _in("la_code", LA_CODES), _in("district_code", sorted(LLR_DISTRICT_CODES)),
           _unique("crime_ref"))),
    Suite("geography_mapped", "dim_geography", ("dim_geography",), ("csp",),
          "Every beat maps to a district, an upper-tier authority and one of the eight CSPs.",
          geography_frame,
          (*_not_null("beat_code", "district_code", "la_code", "csp_name"),
           _unique("beat_code"), _in("csp_name", sorted(CSP_PARTNERS.values())),
           _in("la_code", LA_CODES), _in("district_code", sorted(LLR_DISTRICT_CODES)))),
    Suite("csp_partners_mapped", "dim_geography", ("dim_geography",), ("csp",),
          "Each of the eight CSP partners has at least one beat in dim_geography.",
          csp_partners_frame, (_between("beats", 1),)),
    Suite("rasso_classification", "fct_rasso", ("fct_rasso",), ("opcc",),
          "Every RASSO crime has a reference, a recorded date and its rape flag; its charged "
          "and victim-not-supporting flags agree with its current outcome code; days to "
          "outcome match the dates and are never negative.",
          rasso_classification_frame,
          (*_not_null("crime_ref", "recorded_date", "is_rape"), _unique("crime_ref"),
           *_true("charged_as_outcome_code", "not_supporting_as_outcome_code",
                  "outcome_date_with_code", "days_as_dates"),
           _between("days_to_outcome", 0))),
    # --- rates within bounds
    Suite("sv_area_rates", "mart_sv_by_area", ("mart_sv_by_area",), ("csp",),
          "Serious violence offences, populations, rates per 1,000 and shares of LLR within "
          "bounds.",
          lambda t, ctx: t["mart_sv_by_area"].copy(),
          (_in("area_level", ("llr", "la", "district", "csp")),
           _between("offences", 0), _between("population", 1),
           _between("rate_per_1000", 0, 1000), _between("share_of_llr", 0, 1),
           _unique("financial_year", "area_level", "area_code"))),
    Suite("rasso_rates", "mart_rasso_performance", ("mart_rasso_performance",), ("opcc",),
          "Rape charge and victim-not-supporting rates are fractions 0-1; counts, rates per "
          "1,000 and median days are not negative.",
          lambda t, ctx: t["mart_rasso_performance"].copy(),
          (*_not_null("month_end", "rapes_12m"), _unique("month_end"),
           _between("rapes_12m", 0), _between("rapes_per_1000_12m", 0, 1000),
           _between("charge_rate_12m", 0, 1), _between("victim_not_supporting_rate_12m", 0, 1),
           _between("median_days_to_outcome_12m", 0))),
    Suite("sv_duty_measures_complete", "mart_sv_duty_measures", ("mart_sv_duty_measures",),
          ("home_office",),
          "Every financial year x SV Duty measure x age group present exactly once, with a "
          "count of 0 or more.",
          duty_grid_frame,
          (_in("measure", DUTY_MEASURES), _in("age_group", ("all", "under_25")),
           _between("rows_in_mart", 1, 1), *_not_null("value"), _between("value", 0))),
    Suite("health_classification", "fct_assault_injury", ("fct_assault_injury",),
          ("icb", "home_office"),
          "Every health event has a known source, an LLR district and upper-tier code, an "
          "age 0-120 and its sharp-object flag.",
          lambda t, ctx: t["fct_assault_injury"].copy(),
          (*_not_null("source", "event_ref", "event_at", "district_code", "la_code",
                      "is_sharp_object"),
           _in("source", HEALTH_SOURCES), _in("district_code", sorted(LLR_DISTRICT_CODES)),
           _in("la_code", LA_CODES), _between("age", 0, 120), _unique("source", "event_ref"))),
    Suite("custody_valid", "fct_custody_detention", ("fct_custody_detention",), ("opcc",),
          "Every detention has a reference, a known suite, an age 0-120 matching its juvenile "
          "flag and a detention time of 0 hours or more.",
          custody_frame,
          (*_not_null("custody_ref", "arrived_at"), _unique("custody_ref"),
           _in("suite_code", SUITES), _between("age", 0, 120),
           _between("detention_hours", 0), *_true("juvenile_as_age"))),
    Suite("icv_valid", "fct_icv_visit", ("fct_icv_visit",), ("opcc",),
          "Every ICV visit adds up (agreed + refused = offered <= detainees in cells), with a "
          "weekday 1-7, a time slot and an access delay of 0 minutes or more.",
          icv_frame,
          (*_not_null("visit_ref", "arrived_at"), _unique("visit_ref"),
           _in("suite_code", SUITES), _between("weekday", 1, 7), _in("time_slot", TIME_SLOTS),
           _between("access_delay_minutes", 0),
           *_true("agreed_and_refused_make_offered", "offered_within_detainees"))),
    Suite("service_returns_valid", "fct_service_return", ("fct_service_return",), ("opcc",),
          "Every commissioned-service measure is one returns.md lists, once a quarter, and "
          "not negative.",
          service_return_frame,
          (_in("service", tuple(SERVICE_MEASURES)), *_true("measure_known"),
           _between("value", 0), _unique("fy_quarter", "service", "measure"))),
)
BY_NAME: dict[str, Suite] = {s.name: s for s in SUITES_ALL}


# ---------------------------------------------------------------------------- running


def _gx():
    import great_expectations as gx

    return gx


def ephemeral_context():
    """An in-memory GX context: nothing written to disk, analytics and progress bars off."""
    gx = _gx()
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def _describe(config: Any) -> str:
    kwargs = {k: v for k, v in config.kwargs.items() if k not in ("batch_id",)}
    args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    return f"{config.type}({args})"


def validate_frame(suite: Suite, frame: pd.DataFrame, context: Any | None = None) -> CheckResult:
    """Validate one frame with the suite's expectations through a GX Checkpoint."""
    gx = _gx()
    import great_expectations.expectations as gxe

    ctx = context or ephemeral_context()
    source = ctx.data_sources.add_or_update_pandas(f"vrn_{suite.name}")
    asset = source.add_dataframe_asset(suite.name)
    batch = asset.add_batch_definition_whole_dataframe("whole_table")
    expectations = [getattr(gxe, cls)(**args) for cls, args in suite.expectations]
    gx_suite = ctx.suites.add(gx.ExpectationSuite(name=suite.name, expectations=expectations))
    definition = ctx.validation_definitions.add(
        gx.ValidationDefinition(name=suite.name, data=batch, suite=gx_suite))
    checkpoint = ctx.checkpoints.add(gx.Checkpoint(
        name=suite.name, validation_definitions=[definition],
        result_format={"result_format": "COMPLETE"}))
    frame = frame.reset_index(drop=True)
    outcome = checkpoint.run(batch_parameters={"dataframe": frame})

    failures: list[str] = []
    failing_rows = 0
    example: dict[str, Any] | None = None
    for validation in outcome.run_results.values():
        for r in validation.results:
            raised = (r.exception_info or {}).get("raised_exception")
            if raised:
                failures.append(f"{_describe(r.expectation_config)} could not run: "
                                f"{(r.exception_info or {}).get('exception_message')}")
                continue
            if r.success:
                continue
            result = r.result or {}
            count = int(result.get("unexpected_count") or 0)
            failing_rows = max(failing_rows, count)
            index = result.get("unexpected_index_list") or []
            if example is None and index:
                first = index[0]
                position = first if isinstance(first, int) else first.get("index", 0)
                example = example_row(frame.iloc[int(position)].to_dict())
            observed = result.get("observed_value")
            what = f"{count} row(s)" if count else f"observed {observed!r}"
            failures.append(f"{_describe(r.expectation_config)}: {what}")
    if not outcome.run_results:
        failures.append("the checkpoint produced no validation result")
    passed = not failures and bool(outcome.success)
    if not passed and not failures:
        failures.append("the checkpoint reported failure")
    detail = (f"{suite.description} " + ("All expectations met." if passed else
                                         "Not met: " + "; ".join(failures)))
    return CheckResult(suite.name, passed, f"marts.{suite.table}", failing_rows, example,
                       detail.strip(), suite.guards)


def run_suites(
    tables: Frames,
    errors: Mapping[str, BaseException],
    quarters: Sequence[str],
    suites: Sequence[Suite] = SUITES_ALL,
) -> list[CheckResult]:
    """Every suite; one whose tables could not be read fails, naming the table."""
    ctx = Context(tuple(quarters))
    context = None
    out = []
    for suite in suites:
        missing = [t for t in suite.reads if t not in tables]
        if missing:
            error = errors.get(missing[0]) or LookupError(f"table marts.{missing[0]} not read")
            out.append(could_not_run(suite.name, f"marts.{suite.table}", error, suite.guards))
            continue

        def one(s: Suite = suite) -> CheckResult:
            nonlocal context
            if context is None:
                context = ephemeral_context()
            return validate_frame(s, s.frame(tables, ctx), context)

        out.append(run_check(suite.name, f"marts.{suite.table}", suite.guards, one))
    return out


def suites_guarding(groups: Sequence[str]) -> tuple[Suite, ...]:
    return tuple(s for s in SUITES_ALL if set(s.guards) & set(groups))
