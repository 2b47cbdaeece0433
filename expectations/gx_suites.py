"""Great Expectations suites on the facts and marts: the gates in front of the exports.

DESIGN.md "Quality gates": volumes against the nearest earlier quarter that has data, rates
within bounds, referential completeness — run once per run as Dagster asset checks, each
reporting WHICH source-quarters fail. Each suite validates one pandas frame read over a
READ-ONLY DuckDB connection (PITFALLS 4: GX through SQL on DuckDB fails every
expectation), with an ephemeral context, a pandas data source, a ValidationDefinition and
a Checkpoint. Expectations are data (class name + arguments), so the rules read as a list.

A failing row is attributed to its partner extract and quarter: volume rows carry both
(dbt model int_quality__quarterly_volumes); a fact's row its quarter through the column
that places it and its extracts through dbt's lineage (int_publish__reads). The exporter
then holds back exactly the exports whose tables read that extract in a window holding
that quarter (`exports.gates`).
"""

from __future__ import annotations

import os

# Analytics off before great_expectations is ever imported (PITFALLS 4, 9).
os.environ["GX_ANALYTICS_ENABLED"] = "false"

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import duckdb

if TYPE_CHECKING:  # imported where a frame is made: the Dagster definitions need no pandas
    import pandas as pd

from exports.gates import EVERY_SOURCE, Gate, GateFailure
from ingest.files import RETURN_ENTITIES
from ingest.specs import SUITES
from vrn import periods
from vrn.checks import example_row
from vrn.reference import LA_CODES, LLR_DISTRICT_CODES

Frames = Mapping[str, "pd.DataFrame"]
Expectation = tuple[str, dict[str, Any]]  # GX expectation class name, its arguments

VOLUMES = "intermediate.int_quality__quarterly_volumes"
READS = "intermediate.int_publish__reads"
TIME_SLOTS = ("00:00-07:59", "08:00-11:59", "12:00-15:59", "16:00-19:59", "20:00-23:59")
DUTY_MEASURES = ("knife_enabled_sv", "homicide", "knife_homicide", "sharp_object_admissions")
HEALTH_SOURCES = ("ae", "admission", "ambulance")


@dataclass(frozen=True)
class Suite:
    name: str
    table: str  # the dbt model it checks (its Dagster asset), e.g. `marts.fct_icv_visit`
    reads: tuple[str, ...]  # the relations its frame is made from
    description: str
    frame: Callable[[Frames], pd.DataFrame]
    expectations: tuple[Expectation, ...]
    # The frame column placing a row in a quarter (a date, a `2023-24Q1` label, or a
    # `2023-24` financial year: its four quarters); None when its rows have none (a
    # failure then holds back every quarter of its extracts).
    quarter_column: str | None = None
    # A failing row in words for the person who can fix it (None: the expectation and
    # an example row).
    explain: Callable[[Mapping[str, Any]], str] | None = None
    # The columns read of a relation of `reads` (every column of one not listed): a fact
    # read whole at scale 20 (3.7 million crimes x 32 columns) took 4.6 GB in pandas.
    columns: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def model(self) -> str:
        return self.table.split(".", 1)[1]


# ---------------------------------------------------------------------------- frames


def volume_frame(fact: str) -> Callable[[Frames], pd.DataFrame]:
    """The fact's rows of int_quality__quarterly_volumes (one per extract and loaded
    quarter, compared with the nearest earlier loaded quarter of the same extract)."""
    def frame(t: Frames) -> pd.DataFrame:
        v = t[VOLUMES]
        return v[v["fact"] == fact].reset_index(drop=True)
    return frame


def explain_volume(row: Mapping[str, Any]) -> str:
    """`28 events against 13 in 2022-23Q4 (plausible: 0 to 27.4)`, or the empty months."""
    if not row.get("months_complete", True):
        return (f"only {row['months_with_data']} of its 3 months hold any events "
                f"({row['events']} in all): part of the extract looks missing")
    return (f"{row['events']} events against {row['previous_events']} in "
            f"{row['previous_fy_quarter']} (plausible: {max(row['expected_low'], 0):g} to "
            f"{row['expected_high']:g}): an extract sent twice or only in part?")


VOLUME_EXPECTATIONS: tuple[Expectation, ...] = (
    ("ExpectColumnValuesToBeInSet", {"column": "months_complete", "value_set": [True]}),
    ("ExpectColumnValuesToBeInSet", {"column": "within_expected_range", "value_set": [True]}),
)


def _flag(s: pd.Series) -> pd.Series:
    return s.fillna(False).astype(bool)


def sv_classification_frame(t: Frames) -> pd.DataFrame:
    """The crimes with their offence's and beat's mapping (the columns the suite reads:
    `Suite.columns`)."""
    sv = t["marts.fct_serious_violence"]
    offences = t["marts.dim_offence"].rename(columns={"sv_group": "dim_offence_sv_group"})
    geo = t["marts.dim_geography"].rename(columns={"district_code": "beat_district_code"})
    f = sv.merge(offences, on="ho_offence_code", how="left").merge(geo, on="beat_code",
                                                                   how="left")
    f["sv_group_as_dim_offence"] = (
        f["sv_group"].notna() & f["sv_group"].eq(f["dim_offence_sv_group"]))
    f["district_as_beat"] = f["district_code"].eq(f["beat_district_code"])
    return f


def geography_frame(t: Frames) -> pd.DataFrame:
    geo = t["marts.dim_geography"].copy()
    geo["csp_is_a_partner"] = geo["csp_name"].isin(t["seeds.ref_csp_partners"]["csp_name"])
    return geo


def csp_partners_frame(t: Frames) -> pd.DataFrame:
    import pandas as pd

    geo = t["marts.dim_geography"]
    partners = t["seeds.ref_csp_partners"]
    return pd.DataFrame([
        {"partner": p, "csp_name": name, "beats": int((geo["csp_name"] == name).sum())}
        for p, name in zip(partners["partner"], partners["csp_name"], strict=True)
    ])


def rasso_classification_frame(t: Frames) -> pd.DataFrame:
    """fct_rasso's outcome flags must agree with its outcome code (spec: positive outcome
    = 1 or 1A; victim does not support = 14 or 16) and its days with its dates."""
    import pandas as pd

    r = t["marts.fct_rasso"].copy()
    code = r["outcome_code"].astype("string")
    r["charged_as_outcome_code"] = _flag(r["is_charged"]).eq(code.isin(["1", "1A"]).fillna(False))
    r["not_supporting_as_outcome_code"] = _flag(r["is_victim_not_supporting"]).eq(
        code.isin(["14", "16"]).fillna(False))
    r["outcome_date_with_code"] = r["outcome_code"].isna().eq(r["outcome_date"].isna())
    days = (pd.to_datetime(r["outcome_date"]) - pd.to_datetime(r["recorded_date"])).dt.days
    r["days_as_dates"] = days.isna() | days.eq(pd.to_numeric(r["days_to_outcome"],
                                                             errors="coerce"))
    return r


def duty_grid_frame(t: Frames) -> pd.DataFrame:
    import pandas as pd

    m = t["marts.mart_sv_duty_measures"]
    years = sorted(m["financial_year"].dropna().unique())
    grid = pd.DataFrame([(y, me, a) for y in years for me in DUTY_MEASURES
                         for a in ("all", "under_25")],
                        columns=["financial_year", "measure", "age_group"])
    counted = (m.groupby(["financial_year", "measure", "age_group"], dropna=False)
               .agg(rows_in_mart=("value", "size"), value=("value", "first")).reset_index())
    f = grid.merge(counted, on=["financial_year", "measure", "age_group"], how="outer")
    f["rows_in_mart"] = f["rows_in_mart"].fillna(0).astype(int)
    return f


def custody_frame(t: Frames) -> pd.DataFrame:
    import pandas as pd

    c = t["marts.fct_custody_detention"].copy()
    age = pd.to_numeric(c["age"], errors="coerce")
    c["juvenile_as_age"] = _flag(c["is_juvenile"]).eq(age.lt(18))
    return c


def icv_frame(t: Frames) -> pd.DataFrame:
    v = t["marts.fct_icv_visit"].copy()
    v["agreed_and_refused_make_offered"] = (v["agreed"] + v["refused"]).eq(v["offered"])
    v["offered_within_detainees"] = v["offered"].le(v["detainees_in_cells"])
    return v


def service_return_frame(t: Frames) -> pd.DataFrame:
    r = t["marts.fct_service_return"].copy()
    seed = t["seeds.ref_service_return_measures"]
    known = set(zip(seed["service"], seed["measure"], strict=True))
    # Each row is charged to its own extract (one raw table holds all three services).
    extract = {service: stem for stem, service in RETURN_ENTITIES.items()}
    r["source"] = "commissioning"
    r["entity"] = r["service"].map(extract)
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


SV = "marts.fct_serious_violence"
RASSO = "marts.fct_rasso"
CUSTODY = "marts.fct_custody_detention"
ICV = "marts.fct_icv_visit"
INJURY = "marts.fct_assault_injury"
GEOGRAPHY = "marts.dim_geography"
CSP_SEED = "seeds.ref_csp_partners"

SUITES_ALL: tuple[Suite, ...] = (
    # --- volumes against the nearest earlier quarter that has data
    Suite("police_sv_volume", SV, (VOLUMES,),
          "Serious violence recorded per quarter within 60%-167% of the nearest earlier "
          "quarter with data (wider for small counts), every month holding crimes.",
          volume_frame("fct_serious_violence"), VOLUME_EXPECTATIONS, "fy_quarter",
          explain_volume),
    Suite("rasso_volume", RASSO, (VOLUMES,),
          "RASSO crimes recorded per quarter within 60%-167% of the nearest earlier quarter "
          "with data (wider for small counts).",
          volume_frame("fct_rasso"), VOLUME_EXPECTATIONS, "fy_quarter",
          explain_volume),
    Suite("custody_volume", CUSTODY, (VOLUMES,),
          "Custody detentions per quarter within 60%-167% of the nearest earlier quarter "
          "with data (wider for small counts).",
          volume_frame("fct_custody_detention"), VOLUME_EXPECTATIONS, "fy_quarter",
          explain_volume),
    Suite("icv_volume", ICV, (VOLUMES,),
          "ICV visits per quarter within 60%-167% of the nearest earlier quarter with data "
          "(wider for small counts).",
          volume_frame("fct_icv_visit"), VOLUME_EXPECTATIONS, "fy_quarter",
          explain_volume),
    Suite("health_volume", INJURY, (VOLUMES,),
          "A&E attendances, admissions and ambulance call-outs per quarter, each within "
          "60%-167% of the nearest earlier quarter with data (wider for small counts).",
          volume_frame("fct_assault_injury"), VOLUME_EXPECTATIONS, "fy_quarter",
          explain_volume),
    # --- every crime classified, every area mapped
    Suite("sv_classification", SV, (SV, "marts.dim_offence", GEOGRAPHY),
          "Every serious violence crime has the sv_group dim_offence gives its code, an "
          "upper-tier and a district code of LLR, and a beat that maps to a CSP.",
          sv_classification_frame,
          (*_not_null("crime_ref", "recorded_date", "sv_group", "la_code", "district_code",
                      "beat_code", "csp_name"),
           *_true("sv_group_as_dim_offence", "district_as_beat"),
           _in("la_code", LA_CODES), _in("district_code", sorted(LLR_DISTRICT_CODES)),
           _unique("crime_ref")), "recorded_date",
          columns=((SV, ("crime_ref", "recorded_date", "ho_offence_code", "sv_group",
                         "la_code", "district_code", "beat_code")),
                   ("marts.dim_offence", ("ho_offence_code", "sv_group")),
                   (GEOGRAPHY, ("beat_code", "district_code", "csp_name")))),
    Suite("geography_mapped", GEOGRAPHY, (GEOGRAPHY, CSP_SEED),
          "Every beat maps to a district, an upper-tier authority and one of the eight CSPs.",
          geography_frame,
          (*_not_null("beat_code", "district_code", "la_code", "csp_name"),
           _unique("beat_code"), *_true("csp_is_a_partner"),
           _in("la_code", LA_CODES), _in("district_code", sorted(LLR_DISTRICT_CODES)))),
    Suite("csp_partners_mapped", GEOGRAPHY, (GEOGRAPHY, CSP_SEED),
          "Each of the eight CSP partners has at least one beat in dim_geography.",
          csp_partners_frame, (_between("beats", 1),)),
    Suite("rasso_classification", RASSO, (RASSO,),
          "Every RASSO crime has a reference, a recorded date and its rape flag; its charged "
          "and victim-not-supporting flags agree with its current outcome code; days to "
          "outcome match the dates and are never negative.",
          rasso_classification_frame,
          (*_not_null("crime_ref", "recorded_date", "is_rape"), _unique("crime_ref"),
           *_true("charged_as_outcome_code", "not_supporting_as_outcome_code",
                  "outcome_date_with_code", "days_as_dates"),
           _between("days_to_outcome", 0)), "recorded_date",
          columns=((RASSO, ("crime_ref", "recorded_date", "is_rape", "outcome_code",
                            "outcome_date", "is_charged", "is_victim_not_supporting",
                            "days_to_outcome")),)),
    # --- rates within bounds
    Suite("sv_area_rates", "marts.mart_sv_by_area", ("marts.mart_sv_by_area",),
          "Serious violence offences, populations, rates per 1,000 and shares of LLR within "
          "bounds.",
          lambda t: t["marts.mart_sv_by_area"].copy(),
          (_in("area_level", ("llr", "la", "district", "csp")),
           _between("offences", 0), _between("population", 1),
           _between("rate_per_1000", 0, 1000), _between("share_of_llr", 0, 1),
           _unique("financial_year", "area_level", "area_code"))),
    Suite("rasso_rates", "marts.mart_rasso_performance", ("marts.mart_rasso_performance",),
          "Rape charge and victim-not-supporting rates are fractions 0-1; counts, rates per "
          "1,000 and median days are not negative.",
          lambda t: t["marts.mart_rasso_performance"].copy(),
          (*_not_null("month_end", "rapes_12m"), _unique("month_end"),
           _between("rapes_12m", 0), _between("rapes_per_1000_12m", 0, 1000),
           _between("charge_rate_12m", 0, 1), _between("victim_not_supporting_rate_12m", 0, 1),
           _between("median_days_to_outcome_12m", 0)), "month_end"),
    Suite("people_rates", "marts.mart_rates_by_age_sex", ("marts.mart_rates_by_age_sex",),
          "Victims and suspects of serious violence per 1,000 residents within bounds: no "
          "more persons in a year's age band and sex than it has residents (a share of "
          "0-1, a rate of 0-1,000 per 1,000).",
          lambda t: t["marts.mart_rates_by_age_sex"].copy(),
          (_between("share_of_residents", 0, 1), _between("rate_per_1000", 0, 1000)),
          "financial_year"),
    Suite("sv_duty_measures_complete", "marts.mart_sv_duty_measures",
          ("marts.mart_sv_duty_measures",),
          "Every financial year x SV Duty measure x age group present exactly once, with a "
          "count of 0 or more.",
          duty_grid_frame,
          (_in("measure", DUTY_MEASURES), _in("age_group", ("all", "under_25")),
           _between("rows_in_mart", 1, 1), *_not_null("value"), _between("value", 0))),
    Suite("health_classification", INJURY, (INJURY,),
          "Every health event has a known source, an LLR district and upper-tier code, an "
          "age 0-120 and its sharp-object flag.",
          lambda t: t[INJURY].copy(),
          (*_not_null("source", "event_ref", "event_at", "district_code", "la_code",
                      "is_sharp_object"),
           _in("source", HEALTH_SOURCES), _in("district_code", sorted(LLR_DISTRICT_CODES)),
           _in("la_code", LA_CODES), _between("age", 0, 120), _unique("source", "event_ref")),
          "event_at",
          columns=((INJURY, ("source", "event_ref", "event_at", "district_code", "la_code",
                             "is_sharp_object", "age")),)),
    Suite("custody_valid", CUSTODY, (CUSTODY,),
          "Every detention has a reference, a known suite, an age 0-120 matching its juvenile "
          "flag and a detention time of 0 hours or more.",
          custody_frame,
          (*_not_null("custody_ref", "arrived_at"), _unique("custody_ref"),
           _in("suite_code", SUITES), _between("age", 0, 120),
           _between("detention_hours", 0), *_true("juvenile_as_age")), "arrived_at",
          columns=((CUSTODY, ("custody_ref", "arrived_at", "suite_code", "age",
                              "detention_hours", "is_juvenile")),)),
    Suite("icv_valid", ICV, (ICV,),
          "Every ICV visit adds up (agreed + refused = offered <= detainees in cells), with a "
          "weekday 1-7, a time slot and an access delay of 0 minutes or more.",
          icv_frame,
          (*_not_null("visit_ref", "arrived_at"), _unique("visit_ref"),
           _in("suite_code", SUITES), _between("weekday", 1, 7), _in("time_slot", TIME_SLOTS),
           _between("access_delay_minutes", 0),
           *_true("agreed_and_refused_make_offered", "offered_within_detainees")),
          "arrived_at"),
    Suite("service_returns_valid", "marts.fct_service_return",
          ("marts.fct_service_return", "seeds.ref_service_return_measures"),
          "Every commissioned-service measure is one returns.md lists, once a quarter, and "
          "not negative.",
          service_return_frame,
          (_in("service", ("sarc", "cyp_sarc", "isva")), *_true("measure_known"),
           _between("value", 0), _unique("fy_quarter", "service", "measure")), "fy_quarter"),
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


def _quarters(value: Any) -> tuple[str | None, ...]:
    """The financial-year quarters a row's placing value stands for: the quarter a date
    or a `2023-24Q1` label falls in, or the four quarters of a `2023-24` financial year
    (a yearly figure is made from each of them); (None,) when it places nothing."""
    import pandas as pd

    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return (None,)
    if isinstance(value, str) and periods.QUARTER_RE.match(value):
        return (value,)
    if isinstance(value, str) and periods.YEAR_RE.match(value):
        year = periods.financial_year(value)
        return tuple(q.label for q in periods.quarters_between(
            year.start, year.end - timedelta(days=1)))
    try:
        return (periods.fy_quarter_label(pd.Timestamp(value).date()),)
    except (ValueError, TypeError):
        return (None,)


@dataclass(frozen=True)
class SuiteResult:
    """One suite's verdict: passed, why not, and which extract-quarters failed."""

    suite: Suite
    passed: bool
    detail: str
    failing_rows: int
    example: dict[str, Any] | None
    failures: tuple[GateFailure, ...]

    def gate(self, sources: Sequence[str]) -> Gate:
        return Gate(self.suite.name, tuple(sources), self.suite.description, self.failures)


def _attribute(suite: Suite, frame: pd.DataFrame, what: str, rows: Sequence[int],
               sources: Sequence[str], files: Mapping[tuple[str, str], str]) -> list[GateFailure]:
    """The failures one unmet expectation means, per extract and quarter. A table no
    partner extract is upstream of (dim_geography is made from seeds) cannot say which
    exports it guards: its failure holds back every export, as `could_not_run` does."""
    sources = tuple(sources) or (EVERY_SOURCE,)
    if not rows:  # a table-level expectation: no quarter, every extract of the table
        return [GateFailure(suite.name, s, None, what) for s in sources]
    found: dict[tuple[str, str | None], list[int]] = {}
    for r in rows:
        row = frame.iloc[r]
        quarters = _quarters(row[suite.quarter_column]) if suite.quarter_column else (None,)
        # Volume rows name their extract; a fact's row stands for all the fact's extracts.
        own = ([f"{row['source']}/{row['entity']}"]
               if {"source", "entity"} <= set(frame.columns) else sources)
        for s in own:
            for quarter in quarters:
                found.setdefault((s, quarter), []).append(r)
    out = []
    for (source, quarter), hits in found.items():
        example = example_row(frame.iloc[hits[0]].to_dict())
        said = (suite.explain(example) if suite.explain
                else f"{what}: {len(hits)} row(s), e.g. {example}")
        out.append(GateFailure(suite.name, source, quarter, said,
                               files.get((source, quarter)) if quarter else None))
    return out


def validate_frame(suite: Suite, frame: pd.DataFrame, sources: Sequence[str] = (),
                   files: Mapping[tuple[str, str], str] | None = None,
                   context: Any | None = None) -> SuiteResult:
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

    said: list[str] = []
    failures: list[GateFailure] = []
    failing_rows = 0
    example: dict[str, Any] | None = None
    for validation in outcome.run_results.values():
        for r in validation.results:
            what = _describe(r.expectation_config)
            raised = (r.exception_info or {}).get("raised_exception")
            if raised:
                why = (f"{what} could not run: "
                       f"{(r.exception_info or {}).get('exception_message')}")
                said.append(why)
                failures += _attribute(suite, frame, why, [], sources, files or {})
                continue
            if r.success:
                continue
            result = r.result or {}
            count = int(result.get("unexpected_count") or 0)
            failing_rows = max(failing_rows, count)
            index = [i if isinstance(i, int) else int(i.get("index", 0))
                     for i in result.get("unexpected_index_list") or []]
            if example is None and index:
                example = example_row(frame.iloc[index[0]].to_dict())
            observed = result.get("observed_value")
            said.append(f"{what}: " + (f"{count} row(s)" if count else f"observed {observed!r}"))
            failures += _attribute(suite, frame, what, index, sources, files or {})
    if not outcome.run_results:
        said.append("the checkpoint produced no validation result")
        failures += _attribute(suite, frame, said[-1], [], sources, files or {})
    passed = not said and bool(outcome.success)
    if not passed and not said:
        said.append("the checkpoint reported failure")
        failures += _attribute(suite, frame, said[-1], [], sources, files or {})
    detail = (f"{suite.description} " + ("All expectations met." if passed else
                                         "Not met: " + "; ".join(said)))
    return SuiteResult(suite, passed, detail.strip(), failing_rows, example, tuple(failures))


def could_not_run(suite: Suite, error: BaseException, sources: Sequence[str]) -> SuiteResult:
    """A suite that cannot run fails (PITFALLS 5), for every quarter of its extracts."""
    why = f"the check could not run, so it fails: {type(error).__name__}: {error}"
    return SuiteResult(suite, False, why, 0, None,
                       tuple(GateFailure(suite.name, s, None, why)
                             for s in sources or (EVERY_SOURCE,)))


# ---------------------------------------------------------------------------- reading


def read_frames(con: duckdb.DuckDBPyConnection, relations: Sequence[str],
                columns: Mapping[str, Sequence[str]] | None = None
                ) -> dict[str, pd.DataFrame]:
    """Each relation (`schema.table`) a suite reads: the `columns` listed for it, else
    whole."""
    columns = columns or {}

    def select(r: str) -> str:
        listed = columns.get(r)
        return ", ".join(f'"{c}"' for c in listed) if listed else "*"

    return {r: con.execute(f"SELECT {select(r)} FROM {r}").df()
            for r in dict.fromkeys(relations)}


def read_lineage(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, ...]]:
    """Model -> the `<source>/<entity>` extracts upstream of it (dbt lineage)."""
    rows = con.execute(f"SELECT model_name, source || '/' || entity FROM {READS} "
                       "ORDER BY 1, 2").fetchall()
    out: dict[str, list[str]] = {}
    for model, read in rows:
        out.setdefault(model, []).append(read)
    return {k: tuple(v) for k, v in out.items()}


def read_files(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], str]:
    """(`<source>/<entity>`, quarter) -> the current file of that extract and quarter."""
    rows = con.execute("SELECT source || '/' || entity, period, file_name FROM "
                       "intermediate.int_publish__source_coverage "
                       "WHERE file_name IS NOT NULL").fetchall()
    return {(s, p): f for s, p, f in rows}


def run_suite(con: duckdb.DuckDBPyConnection, suite: Suite, context: Any | None = None
              ) -> SuiteResult:
    """One suite over an open read-only connection; whatever goes wrong fails it."""
    sources: Sequence[str] = ()
    try:
        sources = read_lineage(con).get(suite.model, ())
        frames = read_frames(con, suite.reads, dict(suite.columns))
        return validate_frame(suite, suite.frame(frames), sources, read_files(con), context)
    except Exception as error:  # a check that cannot run must fail, never pass
        return could_not_run(suite, error, sources)
