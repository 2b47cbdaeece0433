"""Link person records into persons with Splink 4 on DuckDB, under a versioned model.

The model (comparisons, m/u parameters, prior, blocking rules, threshold) is the YAML file
in `linkage/settings/`; nothing is estimated at run time, so unchanged data always gives
the same persons and the same keys. Splink runs in a private in-memory DuckDB catalog: its
working tables never touch the warehouse file, and only the result is written back.

Beside Splink's scored links, one rule links deterministically: the force's person number
(`person_ref`, `local_system` 'police', on crime people and custody records) is the
force's own master index, so records sharing it are one person even when their tokens are
blank or disagree. Each such record is linked to the first record of its person_ref with
match_probability 1, before the connected components. (The generator gives each true
person one primary number and, for a duplicate nominal record, a second one that is never
anyone else's: synthetic/persons.py `person_ref`.) Only then can a record without tokens
join a person: Splink compares records with tokens only, so a record with no tokens and no
police person_ref shared with another record stays a person of its own.

A person's key is derived from its smallest record id (`source|record_ref`), so it stays
the same from run to run while the person's records do.

Inside a run each record also gets a number (`record_no`, by record id order): Splink and
the clustering work on those, which keeps the blocked pairs small at scale 20.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import yaml

from vrn import failpoints

if TYPE_CHECKING:
    import pandas as pd

SETTINGS_DIR = Path(__file__).resolve().parent / "settings"
DEFAULT_SETTINGS = SETTINGS_DIR / "person_linkage.yaml"
LINKS_TABLE = "linkage.person_links"

# What Splink reads of each record with tokens (the comparisons name these with _l/_r).
# Tokens enter as 64-bit digests of the 256-bit hex tokens: equal tokens stay equal, and
# among the few hundred thousand distinct values a token column holds two unequal ones
# share a digest with odds below one in a billion; Splink's working set shrinks by about
# half, which matters at scale 20. (DuckDB's hash(NULL) is not null: guarded.)
_LINKABLE_COLUMNS = """
    record_no,
    case when tok_surname is not null then hash(tok_surname) end as tok_surname,
    case when tok_forename is not null then hash(tok_forename) end as tok_forename,
    case when tok_dob is not null then hash(tok_dob) end as tok_dob,
    sex, birth_from, birth_to, birth_year_from, birth_year_to, postcode_district,
    local_system, local_id
"""


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
            "unique_id_column_name": "record_no",
            "probability_two_random_records_match": self.probability_two_random_records_match,
            "blocking_rules_to_generate_predictions": [
                {"blocking_rule": " ".join(rule.split()), "sql_dialect": "duckdb"}
                for rule in self.blocking_rules
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


def level_case_sql(comparison: dict[str, Any]) -> str:
    """A SQL `case` giving the label of the level a pair (columns `<name>_l`, `<name>_r`)
    falls in, evaluated as Splink does: in order, the first whose condition holds. Used to
    estimate m and u (tools/train_linkage.py) and to test the blocking rules."""
    whens = []
    for level in comparison["levels"]:
        sql = " ".join(str(level["sql"]).split())
        if sql.lower() == "else":
            whens.append(f"else '{level['label']}'")
        else:
            whens.append(f"when {sql} then '{level['label']}'")
    if not whens[-1].startswith("else"):
        whens.append("else null")
    return "case " + " ".join(whens) + " end"


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


def _load_records(con: duckdb.DuckDBPyConnection, records_sql: str, into: str = "") -> None:
    """Tables `records` (who each record is, numbered in record id order) and
    `linkable_records` (what Splink compares, records with tokens only) from a query in
    the shape of `linkage.records.COLUMNS`. `into` names the catalog to create them in.

    A record id the query gives twice is kept once, in its row with the smallest local
    id: the ingest refuses duplicate keys across current files, so this only guards the
    model's unique id. One sort numbers the records and finds such repeats, and the
    query is read once for both tables (a window partitioned by id, then a second sort
    to number, cost about three times as much)."""
    con.execute(f"""create or replace table {into}numbered_records as
        select * exclude (previous_id) from (
            select row_number() over by_id as record_no,
                   lag(record_id) over by_id as previous_id, *
            from ({records_sql})
            window by_id as (order by record_id, local_id))
        where previous_id is distinct from record_id""")
    con.execute(f"""create or replace table {into}records as
        select record_no, record_id, source, record_ref, has_tokens, local_system, local_id
        from {into}numbered_records""")
    con.execute(f"""create or replace table {into}linkable_records as
        select {_LINKABLE_COLUMNS} from {into}numbered_records where has_tokens""")
    con.execute(f"drop table {into}numbered_records")


def _predict_pairs(con: duckdb.DuckDBPyConnection, settings: LinkageSettings) -> str:
    """Score the blocked pairs of `linkable_records` with Splink; returns the name of a
    table of the pairs at or above the threshold (record_no_l, record_no_r,
    match_probability)."""
    from splink import DuckDBAPI, Linker

    if con.execute("select count(*) from linkable_records").fetchall()[0][0] < 2:
        con.execute("create or replace table linked_pairs (record_no_l bigint, "
                    "record_no_r bigint, match_probability double)")
        return "linked_pairs"
    linker = Linker(
        "linkable_records", settings.splink_settings(), DuckDBAPI(connection=con),
        set_up_basic_logging=False,
    )
    predictions = linker.inference.predict(
        threshold_match_probability=settings.threshold_match_probability
    )
    con.execute(f"""create or replace table linked_pairs as
        select record_no_l, record_no_r, match_probability
        from {predictions.physical_name}""")
    linker.table_management.delete_tables_created_by_splink_from_db()
    return "linked_pairs"


# The force's person number is its master index (spec: `person_ref` is the force's own
# person number, on crime people and custody alike).
FORCE_PERSON_NUMBER_SOURCES: tuple[str, ...] = ("police_people", "custody")


def _force_person_number_pairs(con: duckdb.DuckDBPyConnection) -> str:
    """Each police record (crime people, custody) to the first record (lowest record_no)
    carrying the same force person number, at match_probability 1: the force's own
    master index says they are one person, tokens or not."""
    sources = ", ".join(f"'{s}'" for s in FORCE_PERSON_NUMBER_SOURCES)
    con.execute(f"""create or replace table force_number_pairs as
        with keyed as (
            select record_no, min(record_no) over (partition by local_id) as first_no
            from records
            where source in ({sources}) and local_system = 'police'
              and local_id is not null
        )
        select first_no as record_no_l, record_no as record_no_r,
               1.0::double as match_probability
        from keyed where record_no <> first_no""")
    return "force_number_pairs"


def _linked_pairs(con: duckdb.DuckDBPyConnection, settings: LinkageSettings) -> str:
    """Table `all_pairs`: Splink's pairs at or above the threshold plus the force person
    number's deterministic pairs; persons are the connected components of these."""
    predicted = _predict_pairs(con, settings)
    by_number = _force_person_number_pairs(con)
    con.execute(f"""create or replace table all_pairs as
        select record_no_l, record_no_r, match_probability::double as match_probability
        from {predicted}
        union all
        select record_no_l, record_no_r, match_probability from {by_number}""")
    return "all_pairs"


def _exact_pairs(con: duckdb.DuckDBPyConnection) -> str:
    """The baseline's links: each record to the first record with the same three tokens."""
    con.execute("""create or replace table exact_pairs as
        with keyed as (
            select record_no, min(record_no) over (
                partition by tok_surname, tok_forename, tok_dob) as first_no
            from linkable_records
            where tok_surname is not null and tok_forename is not null
              and tok_dob is not null
        )
        select first_no as record_no_l, record_no as record_no_r,
               1.0 as match_probability
        from keyed where record_no <> first_no""")
    return "exact_pairs"


def _connected_components(con: duckdb.DuckDBPyConnection, pairs: str) -> None:
    """Table `components(record_no, root_no)`: each linked record with the smallest
    record number of its connected component under `pairs`.

    Label propagation with pointer jumping: each round a record takes the smallest label
    among itself and its neighbours, then the label of that label. Deterministic, so the
    same data always gives the same roots (and person keys).
    """
    con.execute(f"""create or replace table edges as
        select record_no_l as a, record_no_r as b from {pairs}
        union all
        select record_no_r, record_no_l from {pairs}""")
    con.execute("create or replace table labels as select distinct a as nid, a as label "
                "from edges")
    while True:
        # Each record's smallest neighbouring label, then the smaller of it and its own:
        # the edges are joined to the labels once a round, and grouped by record alone.
        con.execute("""create or replace table stepped as
            select l.nid, least(l.label, m.label) as label
            from labels l join (
                select e.a as nid, min(n.label) as label
                from edges e join labels n on n.nid = e.b
                group by e.a) m using (nid)""")
        con.execute("""create or replace table jumped as
            select s.nid, least(s.label, coalesce(j.label, s.label)) as label
            from stepped s left join stepped j on j.nid = s.label""")
        changed = con.execute("""select count(*) from jumped j join labels l using (nid)
            where j.label <> l.label""").fetchall()[0][0]
        con.execute("create or replace table labels as select * from jumped")
        if changed == 0:
            break
    con.execute("create or replace table components as "
                "select nid as record_no, label as root_no from labels")
    for table in ("edges", "labels", "stepped", "jumped"):
        con.execute(f"drop table {table}")


_PERSONS_SQL = """
create or replace table persons as
with best_link as (
    select record_no, max(match_probability) as match_probability from (
        select record_no_l as record_no, match_probability from {pairs}
        union all
        select record_no_r, match_probability from {pairs}
    ) group by record_no
)
select r.source, r.record_ref,
       substr(sha256(coalesce(root.record_id, r.record_id)), 1, 16) as person_key,
       b.match_probability, r.has_tokens
from records r
left join components c on c.record_no = r.record_no
left join records root on root.record_no = c.root_no
left join best_link b on b.record_no = r.record_no
"""


def _persons(con: duckdb.DuckDBPyConnection, pairs: str) -> None:
    """Table `persons(source, record_ref, person_key, match_probability, has_tokens)`.

    The key is derived from the person's smallest record id, so it is stable while the
    person's records are. `match_probability` is the record's strongest link to another
    record of its person; null when the record is a person on its own.
    """
    _connected_components(con, pairs)
    con.execute(_PERSONS_SQL.format(pairs=pairs))


def _in_memory(records: pd.DataFrame, link: Callable[[duckdb.DuckDBPyConnection], str]
               ) -> pd.DataFrame:
    logging.getLogger("splink").setLevel(logging.WARNING)
    mem = duckdb.connect()
    try:
        # A copy: DuckDB cannot scan a reversed or strided pandas view (std::bad_cast).
        mem.register("records_df", records.copy())
        _load_records(mem, "select * from records_df")
        mem.unregister("records_df")
        _persons(mem, link(mem))
        return mem.execute("select * from persons order by person_key, source, record_ref").df()
    finally:
        mem.close()


def link_records(records: pd.DataFrame, settings: LinkageSettings) -> pd.DataFrame:
    """Persons from a records frame (`linkage.records`) under `settings`:
    source, record_ref, person_key, match_probability, has_tokens."""
    return _in_memory(records, lambda mem: _linked_pairs(mem, settings))


def exact_match_links(records: pd.DataFrame) -> pd.DataFrame:
    """The baseline: records are one person when all three tokens are present and equal
    (no force person number links: the baseline is token matching alone)."""
    return _in_memory(records, _exact_pairs)


@dataclass(frozen=True)
class LinkageSummary:
    settings_version: str
    records: int
    records_without_tokens: int
    persons: int
    persons_in_several_sources: int


_SUMMARY_SQL = f"""
with per_person as (
    select person_key, count(distinct source) as sources from {LINKS_TABLE} group by all
)
select (select count(*) from {LINKS_TABLE}),
       (select count(*) from {LINKS_TABLE} where not has_tokens),
       (select count(*) from per_person),
       (select count(*) from per_person where sources > 1)
"""


def run_linkage(
    con: duckdb.DuckDBPyConnection, settings: LinkageSettings | None = None
) -> LinkageSummary:
    """Link every current person record in the warehouse; replace linkage.person_links.

    Splink's working tables live in an in-memory catalog attached for the run (DuckDB
    spills it to its temp directory when large), never in the warehouse file; only the
    result is written back, in one transaction, stamped with the model version.
    """
    from linkage.records import person_records_sql

    settings = settings or load_settings()
    logging.getLogger("splink").setLevel(logging.WARNING)
    warehouse = con.execute("select current_database()").fetchall()[0][0]
    con.execute("attach ':memory:' as linkage_work")
    try:
        _load_records(con, person_records_sql(), into="linkage_work.main.")
        con.execute("use linkage_work")
        pairs = _linked_pairs(con, settings)
        failpoints.reached("linkage.scoring")
        _persons(con, pairs)
        con.execute(f"use {warehouse}")
        con.execute("create schema if not exists linkage")
        con.execute("begin transaction")
        try:
            con.execute(f"""
                create or replace table {LINKS_TABLE} as
                select source, record_ref, person_key,
                       match_probability::double as match_probability, has_tokens,
                       ?::varchar as settings_version
                from linkage_work.main.persons
                order by source, record_ref""", [settings.version])
            failpoints.reached("linkage.writing")
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
    finally:
        con.execute(f"use {warehouse}")
        con.execute("detach linkage_work")
    records, without_tokens, persons, several = con.execute(_SUMMARY_SQL).fetchall()[0]
    return LinkageSummary(settings.version, records, without_tokens, persons, several)
