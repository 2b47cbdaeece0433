"""Link person records into persons with Splink 4 on DuckDB, under a versioned model.

The model (comparisons, m/u parameters, prior, blocking rules, threshold) is the YAML file
in `linkage/settings/`; nothing is estimated at run time, so unchanged data always gives
the same persons and the same keys. Splink runs on a private in-memory DuckDB: its working
tables never touch the warehouse file, and only the result is written back.

A person's key is derived from its smallest record id (`source|record_ref`), so it stays
the same from run to run while the person's records do. Records with no tokens cannot be
linked and are each their own person.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import yaml

SETTINGS_DIR = Path(__file__).resolve().parent / "settings"
DEFAULT_SETTINGS = SETTINGS_DIR / "person_linkage.yaml"
LINKS_TABLE = "linkage.person_links"
LINK_COLUMNS = ("source", "record_ref", "person_key", "match_probability")

# Columns Splink reads: the comparisons name them with _l/_r suffixes.
_MODEL_COLUMNS = (
    "record_id", "tok_surname", "tok_forename", "tok_dob", "sex", "birth_from", "birth_to",
    "postcode_district", "local_system", "local_id",
)


@dataclass(frozen=True)
class LinkageSettings:
    """One version of the linkage model, as read from its YAML file."""

    version: str
    threshold_match_probability: float
    probability_two_random_records_match: float
    blocking_rules: tuple[str, ...]
    comparisons: tuple[dict[str, Any], ...]
    path: Path

    def splink_settings(self) -> dict[str, Any]:
        """The Splink settings dictionary this model stands for."""
        return {
            "link_type": "dedupe_only",
            "unique_id_column_name": "record_id",
            "probability_two_random_records_match": self.probability_two_random_records_match,
            "blocking_rules_to_generate_predictions": [
                {"blocking_rule": rule, "sql_dialect": "duckdb"} for rule in self.blocking_rules
            ],
            "comparisons": [_splink_comparison(c) for c in self.comparisons],
            "retain_matching_columns": False,
            "retain_intermediate_calculation_columns": False,
        }


def _splink_comparison(comparison: dict[str, Any]) -> dict[str, Any]:
    levels = []
    for level in comparison["levels"]:
        sql = " ".join(str(level["sql"]).split())
        out: dict[str, Any] = {
            "sql_condition": "ELSE" if sql.lower() == "else" else sql,
            "label_for_charts": level["label"],
        }
        if level.get("null_level"):
            out["is_null_level"] = True
        else:
            out["m_probability"] = float(level["m"])
            out["u_probability"] = float(level["u"])
        levels.append(out)
    return {
        "output_column_name": comparison["name"],
        "comparison_description": " ".join(str(comparison.get("why", "")).split()),
        "comparison_levels": levels,
    }


def load_settings(path: Path = DEFAULT_SETTINGS) -> LinkageSettings:
    """Read a model file; say which file and which key when one is missing."""
    with path.open(encoding="utf-8") as f:
        raw = yaml.safe_load(f)
    required = ("version", "threshold_match_probability",
                "probability_two_random_records_match", "blocking_rules", "comparisons")
    missing = [k for k in required if k not in raw]
    if missing:
        raise ValueError(f"{path}: linkage settings lack {', '.join(missing)}")
    threshold = float(raw["threshold_match_probability"])
    if not 0 < threshold < 1:
        raise ValueError(
            f"{path}: threshold_match_probability is {threshold}; expected between 0 and 1"
        )
    return LinkageSettings(
        version=str(raw["version"]),
        threshold_match_probability=threshold,
        probability_two_random_records_match=float(raw["probability_two_random_records_match"]),
        blocking_rules=tuple(raw["blocking_rules"]),
        comparisons=tuple(raw["comparisons"]),
        path=path,
    )


def _predict_pairs(
    mem: duckdb.DuckDBPyConnection, records: pd.DataFrame, settings: LinkageSettings
) -> pd.DataFrame:
    """Scored pairs at or above the threshold: record_id_l, record_id_r, match_probability."""
    from splink import DuckDBAPI, Linker

    linkable = records.loc[records["has_tokens"].astype(bool), list(_MODEL_COLUMNS)]
    if len(linkable) < 2:
        return pd.DataFrame({"record_id_l": [], "record_id_r": [], "match_probability": []})
    mem.register("linkable_records_df", linkable)
    mem.execute("create or replace table linkable_records as select * from linkable_records_df")
    mem.unregister("linkable_records_df")
    linker = Linker(
        "linkable_records", settings.splink_settings(), DuckDBAPI(connection=mem),
        set_up_basic_logging=False,
    )
    predictions = linker.inference.predict(
        threshold_match_probability=settings.threshold_match_probability
    )
    pairs = mem.execute(
        f"select record_id_l, record_id_r, match_probability "
        f"from {predictions.physical_name} order by record_id_l, record_id_r"
    ).df()
    predictions.drop_table_from_database_and_remove_from_cache()
    return pairs


_CLUSTER_SQL = """
-- Connected components of the linked pairs, by label propagation: every record takes the
-- smallest record id reachable from it. Deterministic, so keys are stable across runs.
with recursive edges as (
    select record_id_l as a, record_id_r as b from pairs
    union all
    select record_id_r, record_id_l from pairs
),
reach(record_id, root) as (
    select record_id, record_id from records
    union
    select e.b, r.root from reach r join edges e on e.a = r.record_id
),
clusters as (
    select record_id, min(root) as root from reach group by record_id
),
best_link as (
    select record_id, max(match_probability) as match_probability from (
        select record_id_l as record_id, match_probability from pairs
        union all
        select record_id_r, match_probability from pairs
    ) group by record_id
)
select r.source, r.record_ref,
       substr(sha256(c.root), 1, 16) as person_key,
       b.match_probability, r.has_tokens
from records r
join clusters c using (record_id)
left join best_link b using (record_id)
order by person_key, r.source, r.record_ref
"""


def cluster_pairs(records: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """Persons from linked pairs: (source, record_ref, person_key, match_probability,
    has_tokens).

    `match_probability` is the record's strongest link to another record of its person;
    null when the record is a person on its own.
    """
    mem = duckdb.connect()
    try:
        mem.register("records", records[["record_id", "source", "record_ref", "has_tokens"]])
        mem.register("pairs", pairs[["record_id_l", "record_id_r", "match_probability"]])
        return mem.execute(_CLUSTER_SQL).df()
    finally:
        mem.close()


def link_records(records: pd.DataFrame, settings: LinkageSettings) -> pd.DataFrame:
    """Persons from person records (the `linkage.records` frame) under `settings`."""
    logging.getLogger("splink").setLevel(logging.WARNING)
    mem = duckdb.connect()
    try:
        pairs = _predict_pairs(mem, records, settings)
    finally:
        mem.close()
    return cluster_pairs(records, pairs)


def exact_match_pairs(records: pd.DataFrame) -> pd.DataFrame:
    """The baseline: records link when all three tokens are present and equal."""
    mem = duckdb.connect()
    try:
        mem.register("records", records)
        return mem.execute("""
            select l.record_id as record_id_l, r.record_id as record_id_r,
                   1.0 as match_probability
            from records l join records r
              on l.tok_surname = r.tok_surname and l.tok_forename = r.tok_forename
             and l.tok_dob = r.tok_dob and l.record_id < r.record_id
        """).df()
    finally:
        mem.close()


def exact_match_links(records: pd.DataFrame) -> pd.DataFrame:
    return cluster_pairs(records, exact_match_pairs(records))


def write_person_links(
    con: duckdb.DuckDBPyConnection, links: pd.DataFrame, settings: LinkageSettings
) -> None:
    """Replace `linkage.person_links` in one transaction, stamped with the model version."""
    con.execute("create schema if not exists linkage")
    con.register("person_links_df", links)
    try:
        con.execute("begin transaction")
        con.execute(f"""
            create or replace table {LINKS_TABLE} as
            select source::varchar as source, record_ref::varchar as record_ref,
                   person_key::varchar as person_key,
                   match_probability::double as match_probability,
                   has_tokens::boolean as has_tokens,
                   ?::varchar as settings_version
            from person_links_df
            order by source, record_ref
        """, [settings.version])
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        con.unregister("person_links_df")


@dataclass(frozen=True)
class LinkageSummary:
    settings_version: str
    records: int
    records_without_tokens: int
    persons: int
    persons_in_several_sources: int


def summarise(links: pd.DataFrame, settings: LinkageSettings) -> LinkageSummary:
    per_person = links.groupby("person_key")["source"].nunique()
    return LinkageSummary(
        settings_version=settings.version,
        records=len(links),
        records_without_tokens=int((~links["has_tokens"].astype(bool)).sum()),
        persons=int(per_person.size),
        persons_in_several_sources=int((per_person > 1).sum()),
    )


def run_linkage(
    con: duckdb.DuckDBPyConnection, settings: LinkageSettings | None = None
) -> LinkageSummary:
    """Link every current person record in the warehouse and write linkage.person_links."""
    from linkage.records import collect_person_records

    settings = settings or load_settings()
    links = link_records(collect_person_records(con), settings)
    write_person_links(con, links, settings)
    return summarise(links, settings)
