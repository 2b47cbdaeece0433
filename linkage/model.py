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

A run links again only what changed since the last one (`run_linkage`). Nothing is
estimated at run time and no comparison reads other records (no term frequencies), so a
pair's score depends on its two records alone. The last run's persons are kept beside the
links (`linkage.linked_records`: a digest of each record's id and of what the model reads
of it, its person and its strongest link, under the model's key); a record whose digest
is the same is in the same pairs as before, with the same scores.
The records to link again are the new and changed ones, and every record of a person
that lost or changed a record (it may split). Splink scores only the pairs with one of
those, each unchanged person enters the clustering as one node, and the persons, keys and
probabilities come out as linking every record again would give them
(tests/test_linkage_incremental.py). Another model, Splink version or version of this
module links every record again.

Each record's link carries `linked_at`: when a run last linked its person again. A person
kept as it was keeps its time; every record of a person a run linked again (one with a
new, changed or lost record, or joined to one) gets that run's time, later than any time
an earlier run gave (`_run_time`). So the dbt models built person by person rebuild only
the persons, and the crimes of the records, linked since they last read the links
(dbt_project/macros/people_chain.sql).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version as package_version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import yaml

from vrn import failpoints

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

SETTINGS_DIR = Path(__file__).resolve().parent / "settings"
DEFAULT_SETTINGS = SETTINGS_DIR / "person_linkage.yaml"
LINKS_TABLE = "linkage.person_links"
# The last run's persons, kept for the next run (module docstring).
STATE_TABLE = "linkage.linked_records"

# What Splink reads of each record with tokens (the comparisons name these with _l/_r).
# Tokens enter as 64-bit digests of the 256-bit hex tokens: equal tokens stay equal, and
# among the few hundred thousand distinct values a token column holds two unequal ones
# share a digest with odds below one in a billion; Splink's working set shrinks by about
# half, which matters at scale 20. (DuckDB's hash(NULL) is not null: guarded.) They are
# digested before the records are sorted and numbered, which carries less through the sort.
_TOKEN_DIGESTS = """* replace (
    case when tok_surname is not null then hash(tok_surname) end as tok_surname,
    case when tok_forename is not null then hash(tok_forename) end as tok_forename,
    case when tok_dob is not null then hash(tok_dob) end as tok_dob)"""
_LINKABLE_COLUMNS = """
    record_no, tok_surname, tok_forename, tok_dob,
    sex, birth_from, birth_to, birth_year_from, birth_year_to, postcode_district,
    local_system, local_id
"""


# A record's id and what it is to the linkage (every column the comparisons, the blocking
# rules and the force number rule read; tokens as the 64-bit digests Splink compares), in
# one MD5. A record with the same digest is the same record and scores every pair as it
# did; the last run's records are matched on the digest alone, not the longer id.
_DIGEST = """md5_number(to_json(row(
    record_id, has_tokens, local_system, local_id, tok_surname, tok_forename, tok_dob,
    sex, birth_from, birth_to, postcode_district)))"""


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

    The query is read once, its rows written in (record id, local id) order, and a
    record's number is its place in that order: the table keeps the order its rows were
    written in, which its `rowid` counts from 0. A record id the query gives twice is
    kept once, in its row with the smallest local id: the ingest refuses duplicate keys
    across current files, so this only guards the model's unique id, and is looked for
    in one pass over the ids in that order. (A window numbering the rows cost half as
    much again: it sorted every row with its columns a second time.)"""
    con.execute(f"""create or replace table {into}numbered_records as
        select * from (select {_TOKEN_DIGESTS} from ({records_sql}))
        order by record_id, local_id""")
    (repeats,) = con.execute(f"""select count(*) from (
        select record_id, lag(record_id) over (order by rowid) as previous_id
        from {into}numbered_records) where previous_id = record_id""").fetchall()[0]
    first = (f"where rowid in (select min(rowid) from {into}numbered_records "
             "group by record_id)") if repeats else ""
    numbered = f"(select rowid + 1 as record_no, * from {into}numbered_records {first})"
    con.execute(f"""create or replace table {into}records as
        select record_no, record_id, source, record_ref, has_tokens, local_system, local_id,
               {_DIGEST} as digest
        from {numbered}""")
    con.execute(f"""create or replace table {into}linkable_records as
        select {_LINKABLE_COLUMNS} from {numbered} where has_tokens""")
    con.execute(f"drop table {into}numbered_records")


def _predict_pairs(con: duckdb.DuckDBPyConnection, settings: LinkageSettings,
                   touched_only: bool = False) -> str:
    """Score the blocked pairs of `linkable_records` with Splink; returns the name of a
    table of the pairs at or above the threshold (record_no_l, record_no_r,
    match_probability). `touched_only`: only the pairs with a record whose `touched`
    column is true (each blocking rule gets that condition too, so a pair is still found
    by the first rule that blocks it)."""
    from splink import DuckDBAPI, Linker

    linkable, touched = con.execute(
        "select count(*), " + ("count(*) filter (where touched)" if touched_only
                               else "count(*)") + " from linkable_records").fetchall()[0]
    if linkable < 2 or touched == 0:
        con.execute("create or replace table linked_pairs (record_no_l bigint, "
                    "record_no_r bigint, match_probability double)")
        return "linked_pairs"
    splink_settings = settings.splink_settings()
    if touched_only:
        for rule in splink_settings["blocking_rules_to_generate_predictions"]:
            rule["blocking_rule"] = f"({rule['blocking_rule']}) and (l.touched or r.touched)"
    linker = Linker(
        "linkable_records", splink_settings, DuckDBAPI(connection=con),
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


def _keep_candidates(con: duckdb.DuckDBPyConnection, settings: LinkageSettings) -> None:
    """Keep in `linkable_records` only the records a blocking rule could pair with a
    touched one: those equal to a touched record on every equality of some rule, as
    Splink reads the rules' equalities to join on. Any pair with a touched record that a
    rule blocks is between two of these, so Splink finds the same such pairs among far
    fewer records. A rule without equalities of the same column on both sides can pair
    anything: then every record is kept."""
    from splink.internals.blocking import BlockingRule

    keys = []
    for rule in settings.blocking_rules:
        equalities = BlockingRule(" ".join(rule.split()), "duckdb")._equi_join_conditions
        if not equalities or any(left != right for left, right in equalities):
            return
        keys.append([left for left, _ in equalities])
    sharing = []
    for exprs in keys:
        named = ", ".join(f"{expr} as k{i}" for i, expr in enumerate(exprs))
        on = " and ".join(f"x.k{i} = t.k{i}" for i in range(len(exprs)))
        sharing.append(f"""select x.record_no from (select record_no, {named} from
            linkable_records) x semi join (select distinct {named} from linkable_records
            where touched) t on {on}""")
    con.execute(f"""create or replace table linkable_records as
        select * from linkable_records semi join (
            {" union ".join(sharing)}
        ) using (record_no)""")


def _linked_pairs(con: duckdb.DuckDBPyConnection, settings: LinkageSettings,
                  touched: str | None = None) -> str:
    """Table `all_pairs`: Splink's pairs at or above the threshold plus the force person
    number's deterministic pairs; persons are the connected components of these.
    `touched` names a table of record numbers (`_previous_persons`): then only the
    pairs with one of those records."""
    if touched is not None:
        con.execute(f"""create or replace table linkable_records as
            select l.*, t.record_no is not null as touched
            from linkable_records l left join {touched} t using (record_no)""")
        _keep_candidates(con, settings)
    predicted = _predict_pairs(con, settings, touched_only=touched is not None)
    by_number = _force_person_number_pairs(con)
    touching = "" if touched is None else f"""
        where record_no_l in (select record_no from {touched})
           or record_no_r in (select record_no from {touched})"""
    con.execute(f"""create or replace table all_pairs as
        select record_no_l, record_no_r, match_probability::double as match_probability
        from {predicted}
        union all
        select record_no_l, record_no_r, match_probability from {by_number}{touching}""")
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
    record number of its connected component under `pairs`. Deterministic, so the same
    data always gives the same roots (and person keys).

    Worked out in NumPy on the pairs read out of DuckDB (`_smallest_roots`). Label
    propagation in SQL, a join of every pair each round for as many rounds as a
    component's longest path needed, took 286 s of a 26-million-record link at scale 20.
    """
    import numpy as np
    import pandas as pd

    # A record number (from 1, at most the number of records) is its node's index.
    edges, count = con.execute(
        "select count(*), coalesce(max(greatest(record_no_l, record_no_r)), 0) + 1 "
        f"from {pairs}").fetchall()[0]
    kind, dtype = (("integer", np.int32) if count < np.iinfo(np.int32).max
                   else ("bigint", np.int64))
    # Read in chunks into two arrays: the whole result at once is held twice, by DuckDB
    # and by NumPy (1.3 GB for the 47 million pairs of scale 20).
    left, right = np.empty(edges, dtype=dtype), np.empty(edges, dtype=dtype)
    result = con.execute(f"select record_no_l::{kind}, record_no_r::{kind} from {pairs}")
    done = 0
    while done < edges:
        chunk = result.fetch_df_chunk(64)  # 64 vectors: about 130,000 pairs
        if chunk.empty:
            raise RuntimeError(f"{pairs}: {done} pairs read of {edges}")
        left[done:done + len(chunk)] = chunk.iloc[:, 0].to_numpy()
        right[done:done + len(chunk)] = chunk.iloc[:, 1].to_numpy()
        done += len(chunk)
    linked = np.zeros(count, dtype=bool)
    linked[left] = True
    linked[right] = True
    roots = _smallest_roots(left, right, count)
    del left, right
    nodes = np.flatnonzero(linked)
    found = pd.DataFrame({"record_no": nodes.astype(dtype), "root_no": roots[nodes]})
    del nodes, roots
    con.register("components_found", found)
    try:
        con.execute("create or replace table components as select "
                    "record_no::bigint as record_no, root_no::bigint as root_no "
                    "from components_found")
    finally:
        con.unregister("components_found")


def _smallest_roots(left: np.ndarray, right: np.ndarray, count: int) -> np.ndarray:
    """For nodes 0..count-1 joined by the edges (left[i], right[i]): each node's smallest
    node of its connected component.

    Hooking and shortcutting (as in Shiloach and Vishkin's algorithm): every node points
    to a smaller node of its component or to itself, a root, which is the smallest of its
    tree. Each round, every edge between two trees hooks the larger root under the smaller
    (a root hooked by several edges takes the smallest), then every node is pointed at its
    root; edges within a tree are dropped. About as many rounds as the logarithm of the
    largest component (17 for a 26-million-node path numbered at random), each in
    vectorised passes. Overwrites `left` and `right`."""
    import numpy as np

    roots = np.arange(count, dtype=left.dtype)
    held = len(left)
    while held:
        # Each edge as the roots of its ends (the same components: a root's tree is
        # connected), the edges within a tree dropped. In place, at the front of the two
        # arrays, so no more than one more edge-sized array is held at a time.
        left, right = left[:held], right[:held]
        left[:] = roots[left]
        right[:] = roots[right]
        between = left != right
        held = int(np.count_nonzero(between))
        if not held:
            break
        left[:held] = left[between]
        right[:held] = right[between]
        del between
        left, right = left[:held], right[:held]
        lower = np.minimum(left, right)
        np.maximum(left, right, out=right)
        left[:] = lower
        del lower
        np.minimum.at(roots, right, left)  # the larger root under the smaller
        while True:
            jumped = roots[roots]
            if np.array_equal(jumped, roots):
                break
            roots = jumped
    return roots


def _previous_persons(con: duckdb.DuckDBPyConnection, state: str | None) -> int:
    """What the last run's persons leave standing, from `state` (a table in the shape of
    `STATE_TABLE`, or None: every record is linked as new):

    - `touched(record_no)` (with a state): records to link again: new or changed since
      the last run, and every record of a person that lost or changed a record, the
      persons `broken(person_key)`;
    - `kept_nodes(record_no, node_no, person_key, match_probability, linked_at)`: the
      other records, each with the smallest record number of its person then (all of
      whose records are still there, as they were), its person, its strongest link and
      when its person was last linked.

    A kept record's pairs with other kept records are as they were: within its person.
    Returns the number of records touched."""
    if state is None:  # nothing kept: every record is linked, no `touched` needed
        con.execute("create or replace table kept_nodes (record_no bigint, node_no bigint, "
                    "person_key varchar, match_probability double, linked_at timestamp)")
        return con.execute("select count(*) from records").fetchall()[0][0]
    con.execute(f"""create or replace table kept as
        select r.record_no, s.person_key, s.match_probability, s.linked_at
        from records r join {state} s using (digest)""")
    con.execute(f"""create or replace table broken as
        select distinct person_key from {state} s anti join records r using (digest)""")
    con.execute("""create or replace table touched as
        select record_no from records anti join kept using (record_no)
        union all
        select record_no from kept semi join broken using (person_key)""")
    con.execute("""create or replace table kept_nodes as
        select record_no,
               min(record_no) over (partition by person_key) as node_no,
               person_key, match_probability, linked_at
        from kept anti join touched using (record_no)""")
    con.execute("drop table kept")
    return con.execute("select count(*) from touched").fetchall()[0][0]


# `persons` in steps of one join each: as one query its five joins over every record held
# their hash tables at once, more than DuckDB's memory limit at scale 20 (26 million
# records), where a join on its own spills to disk when it must.
_PERSONS_STEPS: tuple[tuple[str, str], ...] = (
    # Each linked record's strongest link (an aggregate: it spills when large).
    ("best_link", """
    select record_no, max(match_probability) as match_probability from (
        select record_no_l as record_no, match_probability from {pairs}
        union all
        select record_no_r, match_probability from {pairs}
    ) group by record_no"""),
    # Kept records whose person no pair reaches: their person, key and strongest link are
    # what they were (the same smallest record, the same links), and so is their time.
    ("as_before", """
    select k.record_no, k.person_key, k.match_probability, k.linked_at
    from kept_nodes k anti join components c on c.record_no = k.node_no"""),
    # The others, each with the node it stands for (its person's smallest record then,
    # when kept; else itself) and its strongest link then.
    ("relinked", """
    select r.record_no from records r anti join as_before a using (record_no)"""),
    ("relinked_nodes", """
    select x.record_no, coalesce(k.node_no, x.record_no) as node_no, k.match_probability
    from relinked x left join kept_nodes k using (record_no)"""),
    # ... the smallest record of the node's component (the node itself when unlinked) ...
    ("relinked_roots", """
    select x.record_no, coalesce(c.root_no, x.node_no) as root_no, x.match_probability
    from relinked_nodes x left join components c on c.record_no = x.node_no"""),
    # ... whose record id gives the person key.
    ("relinked_keys", """
    select x.record_no, substr(sha256(root.record_id), 1, 16) as person_key,
           x.match_probability
    from relinked_roots x join records root on root.record_no = x.root_no"""),
    # Every record of a person linked again gets this run's time (`{linked_at}`).
    ("linked", """
    select x.record_no, x.person_key,
           greatest(b.match_probability, x.match_probability) as match_probability,
           {linked_at}::timestamp as linked_at
    from relinked_keys x left join best_link b using (record_no)"""),
    ("persons", """
    select r.record_no, r.source, r.record_ref, p.person_key, p.match_probability,
           r.has_tokens, p.linked_at
    from records r
    join (select * from as_before union all select * from linked) p using (record_no)"""),
)


def _persons(con: duckdb.DuckDBPyConnection, pairs: str, linked_at: str) -> None:
    """Table `persons(record_no, source, record_ref, person_key, match_probability,
    has_tokens, linked_at)`: the connected components of `pairs`, where each of
    `kept_nodes` (`_previous_persons`) stands for its node, which stands for its whole
    person.

    The key is derived from the person's smallest record id, so it is stable while the
    person's records are. `match_probability` is the record's strongest link to another
    record of its person; null when the record is a person on its own. `linked_at` is
    the kept person's time, or `linked_at` (an SQL timestamp literal) for a person linked
    again: a person's records all share one.
    """
    con.execute(f"""create or replace table node_pairs as
        select coalesce(l.node_no, p.record_no_l) as record_no_l,
               coalesce(r.node_no, p.record_no_r) as record_no_r
        from {pairs} p
        left join kept_nodes l on l.record_no = p.record_no_l
        left join kept_nodes r on r.record_no = p.record_no_r""")
    _connected_components(con, "node_pairs")
    for table, select in _PERSONS_STEPS:
        con.execute(f"create or replace table {table} as "
                    + select.format(pairs=pairs, linked_at=linked_at))
    for table, _ in _PERSONS_STEPS[:-1]:  # the last is `persons` itself
        con.execute(f"drop table {table}")
    con.execute("drop table node_pairs")


def _in_memory(records: pd.DataFrame, link: Callable[[duckdb.DuckDBPyConnection], str]
               ) -> pd.DataFrame:
    logging.getLogger("splink").setLevel(logging.WARNING)
    mem = duckdb.connect()
    try:
        # A copy: DuckDB cannot scan a reversed or strided pandas view (std::bad_cast).
        mem.register("records_df", records.copy())
        _load_records(mem, "select * from records_df")
        mem.unregister("records_df")
        _previous_persons(mem, None)
        _persons(mem, link(mem), "null")  # no run, no time
        return mem.execute("select * exclude (record_no, linked_at) from persons "
                           "order by person_key, source, record_ref").df()
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


def model_key(settings: LinkageSettings) -> str:
    """What a run's kept persons hold under: the model as Splink is given it, Splink's
    version and this module. A run under another key links every record again."""
    digest = hashlib.sha256()
    for part in (json.dumps(settings.splink_settings(), sort_keys=True),
                 repr(settings.threshold_match_probability), package_version("splink")):
        digest.update(part.encode("utf-8") + b"\0")
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class LinkageSummary:
    settings_version: str
    records: int
    records_without_tokens: int
    persons: int
    persons_in_several_sources: int
    # Records linked again this run (new, changed, or of a person that lost or changed a
    # record); every record when nothing was kept from an earlier run under the same model.
    records_linked: int = 0
    linked_everything: bool = True


_SUMMARY_SQL = f"""
with per_person as (
    select person_key, count(distinct source) as sources from {LINKS_TABLE} group by all
)
select (select count(*) from {LINKS_TABLE}),
       (select count(*) from {LINKS_TABLE} where not has_tokens),
       (select count(*) from per_person),
       (select count(*) from per_person where sources > 1)
"""


def _quoted(name: str) -> str:
    """A catalog name as an SQL identifier (the warehouse's is its file's name)."""
    return '"' + name.replace('"', '""') + '"'


def _kept_state(con: duckdb.DuckDBPyConnection, warehouse: str, key: str) -> str | None:
    """The last run's `STATE_TABLE` rows kept under `key`, as the table `previous` in the
    current catalog, or None when there are none (first run, another model or code).
    `warehouse` is the warehouse catalog's name."""
    schema, table = STATE_TABLE.split(".")
    if not con.execute("""select 1 from duckdb_tables() where database_name = ?
                          and schema_name = ? and table_name = ?""",
                       [warehouse, schema, table]).fetchall():
        return None
    kept = f"{_quoted(warehouse)}.{STATE_TABLE}"
    # Only `model_key` is read first: a state under another key may be in an older shape.
    if not con.execute(f"select count(*) from {kept} where model_key = ?",
                       [key]).fetchall()[0][0]:
        return None
    con.execute(f"""create or replace table previous as
        select digest, person_key, match_probability, linked_at
        from {kept} where model_key = ?""", [key])
    return "previous"


def _run_time(con: duckdb.DuckDBPyConnection, warehouse: str) -> tuple[str, bool]:
    """This run's `linked_at`, as an SQL timestamp literal, and whether `LINKS_TABLE` is
    there, with times. The time is now (UTC, to the microsecond), or a microsecond after
    the latest time in `LINKS_TABLE` should that be later (a clock set back): each run's
    time is later than every earlier run's, which the models built person by person rely
    on. `LINKS_TABLE` written by an older version has no times."""
    now = "cast(now() at time zone 'UTC' as timestamp)"
    try:
        (latest,) = con.execute(f"""select greatest({now},
            max(linked_at) + interval 1 microsecond)
            from {_quoted(warehouse)}.{LINKS_TABLE}""").fetchall()[0]
        kept = True
    except (duckdb.CatalogException, duckdb.BinderException):  # no links, or no times
        (latest,) = con.execute(f"select {now}").fetchall()[0]
        kept = False
    return f"timestamp '{latest.isoformat(sep=' ')}'", kept


_LINKS_ROWS = """
    select source, record_ref, person_key,
           match_probability::double as match_probability, has_tokens,
           ?::varchar as settings_version, linked_at
    from linkage_work.main.persons"""
_STATE_ROWS = """
    select r.digest, p.person_key, p.match_probability::double as match_probability,
           ?::varchar as model_key, p.linked_at
    from linkage_work.main.persons p
    join linkage_work.main.records r using (record_no)"""


def _write_all(con: duckdb.DuckDBPyConnection, settings: LinkageSettings, key: str) -> None:
    """`LINKS_TABLE` and `STATE_TABLE` written whole from `persons`, in the transaction
    open on `con`."""
    # record id order, which is (source, record_ref) order: no source's name starts
    # another's, and '|' sorts after every character of a name
    con.execute(f"create or replace table {LINKS_TABLE} as {_LINKS_ROWS} order by record_no",
                [settings.version])
    con.execute(f"create or replace table {STATE_TABLE} as {_STATE_ROWS}", [key])


def _replace_linked_again(con: duckdb.DuckDBPyConnection, settings: LinkageSettings,
                          key: str, run_time: str) -> None:
    """`LINKS_TABLE` and `STATE_TABLE` brought level with `persons` in place, in the
    transaction open on `con`: the rows of the last run's persons this run linked again
    (`broken`, and the kept persons a pair reached) give way to the rows of the records
    linked again (those at `run_time`). A kept person's rows are as the last run wrote
    them, so they stay; at scale 5 a new quarter no longer writes six million rows twice.
    """
    linked_again = """
        select person_key from linkage_work.main.broken
        union
        select k.person_key from linkage_work.main.kept_nodes k
        semi join linkage_work.main.components c on c.record_no = k.node_no"""
    for table, rows, parameter in ((LINKS_TABLE, _LINKS_ROWS, settings.version),
                                   (STATE_TABLE, _STATE_ROWS, key)):
        con.execute(f"delete from {table} where person_key in ({linked_again})")
        con.execute(f"insert into {table} by name {rows} where linked_at = {run_time}",
                    [parameter])


def run_linkage(
    con: duckdb.DuckDBPyConnection, settings: LinkageSettings | None = None
) -> LinkageSummary:
    """Link the current person records in the warehouse; replace linkage.person_links.

    Only what changed since the last run is linked again (module docstring): the result
    is the same as linking every record. Splink's working tables live in an in-memory
    catalog attached for the run (DuckDB spills it to its temp directory when large),
    never in the warehouse file; only the result is written back, with the state kept for
    the next run (`STATE_TABLE`), in one transaction, stamped with the model version.
    """
    from linkage.records import person_records_sql

    settings = settings or load_settings()
    key = model_key(settings)
    logging.getLogger("splink").setLevel(logging.WARNING)
    name = con.execute("select current_database()").fetchall()[0][0]
    warehouse = _quoted(name)  # named after its file: any word
    con.execute("attach ':memory:' as linkage_work")
    try:
        _load_records(con, person_records_sql(), into="linkage_work.main.")
        con.execute("use linkage_work")
        state = _kept_state(con, name, key)
        linked = _previous_persons(con, state)
        pairs = _linked_pairs(con, settings, touched=None if state is None else "touched")
        failpoints.reached("linkage.scoring")
        run_time, links_kept = _run_time(con, name)
        _persons(con, pairs, run_time)
        con.execute(f"use {warehouse}")
        con.execute("create schema if not exists linkage")
        con.execute("begin transaction")
        try:
            if state is not None and links_kept:
                _replace_linked_again(con, settings, key, run_time)
            else:
                _write_all(con, settings, key)
            failpoints.reached("linkage.writing")
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
    finally:
        con.execute(f"use {warehouse}")
        con.execute("detach linkage_work")
    records, without_tokens, persons, several = con.execute(_SUMMARY_SQL).fetchall()[0]
    return LinkageSummary(settings.version, records, without_tokens, persons, several,
                          records_linked=linked, linked_everything=state is None)
