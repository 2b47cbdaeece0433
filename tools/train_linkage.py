"""Estimate the model's m and u probabilities once, to be frozen into a settings file.

    uv run python tools/train_linkage.py --warehouse FILE [--truth DIR] [--seed 42]

A tool, not part of the warehouse (it reads the generator's truth, which the warehouse
packages never import): the warehouse links with the numbers written in
`linkage/settings/person_linkage.yaml`. This is how those numbers were (and can again be)
obtained, deterministically for a given warehouse and seed:

- u (how often two different people fall in each level): the level shares among random
  pairs of linkable records, drawn by a seeded hash so the sample is reproducible;
  pairs the truth says are one person are left out when a truth folder is given.
- m (how often records of one person fall in each level): the level shares among pairs
  of records the generator's truth says are the same person (`--truth`).
- lambda (`probability_two_random_records_match`): true same-person pairs over all pairs.

Levels are evaluated as Splink does (`linkage.model.level_case_sql`).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from linkage.model import LinkageSettings, level_case_sql, load_settings
from linkage.records import collect_person_records
from synthetic.truth import load_truth

_SIDES = ("record_id", "tok_surname", "tok_forename", "tok_dob", "sex", "birth_from", "birth_to",
          "postcode_district", "local_system", "local_id")


def _pair_select(table_l: str, table_r: str, on: str) -> str:
    cols = ", ".join(f"l.{c} as {c}_l, r.{c} as {c}_r" for c in _SIDES)
    return f"select {cols} from {table_l} l join {table_r} r on {on}"


def level_shares(con: duckdb.DuckDBPyConnection, pairs_table: str,
                 settings: LinkageSettings) -> dict[tuple[str, str], float]:
    """Share of non-null-level pairs in each (comparison, level)."""
    out: dict[tuple[str, str], float] = {}
    for comparison in settings.comparisons:
        nulls = [lv["label"] for lv in comparison["levels"] if lv.get("null_level")]
        rows = con.execute(
            f"select {level_case_sql(comparison)} as level, count(*) from {pairs_table} group by 1"
        ).fetchall()
        counted = {str(level): n for level, n in rows if level not in nulls}
        total = sum(counted.values())
        for level in comparison["levels"]:
            if level.get("null_level"):
                continue
            out[(comparison["name"], level["label"])] = (
                counted.get(level["label"], 0) / total if total else float("nan")
            )
    return out


def estimate(records: pd.DataFrame, truth: pd.DataFrame | None, settings: LinkageSettings,
             *, seed: int = 42, sample_records: int = 2000,
             max_true_pairs: int = 500_000) -> dict[str, Any]:
    con = duckdb.connect()
    try:
        linkable = records[records["has_tokens"].astype(bool)]
        con.register("linkable_df", linkable)
        con.execute("create table linkable as select * from linkable_df")
        if truth is not None:
            con.register("truth_df", truth[["source", "record_ref", "person_id"]])
            con.execute("""create table person_of as
                select l.record_id, t.person_id from linkable l
                join truth_df t using (source, record_ref)""")
        else:
            con.execute("create table person_of (record_id varchar, person_id varchar)")
        # Seeded, reproducible samples: order by a hash of the id and the seed.
        con.execute(f"""create table sample_a as select * from linkable
            order by hash(record_id || ':a:{seed}') limit {sample_records}""")
        con.execute(f"""create table sample_b as select * from linkable
            order by hash(record_id || ':b:{seed}') limit {sample_records}""")
        con.execute(f"""create table random_pairs as
            with p as ({_pair_select('sample_a', 'sample_b', 'l.record_id < r.record_id')}),
            ids as (select p.*, pl.person_id as pid_l, pr.person_id as pid_r from p
                    left join person_of pl on pl.record_id = p.record_id_l
                    left join person_of pr on pr.record_id = p.record_id_r)
            select * from ids where pid_l is null or pid_r is null or pid_l <> pid_r""")
        u = level_shares(con, "random_pairs", settings)
        result: dict[str, Any] = {"u": u, "random_pairs": con.execute(
            "select count(*) from random_pairs").fetchall()[0][0]}
        if truth is not None:
            con.execute(f"""create table true_pairs as
                with p as (
                    select a.record_id as id_l, b.record_id as id_r
                    from person_of a join person_of b
                      on a.person_id = b.person_id and a.record_id < b.record_id
                    order by hash(a.record_id || b.record_id || ':{seed}')
                    limit {max_true_pairs})
                {_pair_select('linkable', 'linkable', 'true')}
                join p on p.id_l = l.record_id and p.id_r = r.record_id""")
            result["m"] = level_shares(con, "true_pairs", settings)
            n = len(linkable)
            all_true = con.execute("""select sum(k * (k - 1) / 2) from (
                select count(*) as k from person_of group by person_id)""").fetchall()[0][0]
            result["true_pairs"] = int(all_true or 0)
            result["lambda"] = float(all_true or 0) / (n * (n - 1) / 2) if n > 1 else 0.0
        return result
    finally:
        con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--truth", type=Path, default=None,
                        help="a generated drop's truth folder (<out>.truth)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--sample-records", type=int, default=2000)
    args = parser.parse_args()
    settings = load_settings()
    con = duckdb.connect(str(args.warehouse), read_only=True)
    try:
        records = collect_person_records(con)
    finally:
        con.close()
    truth = None
    if args.truth:
        records_truth = load_truth(args.truth).person_records
        truth = records_truth[records_truth["in_warehouse"]].astype({"person_id": str})
    result = estimate(records, truth, settings, seed=args.seed,
                      sample_records=args.sample_records)
    print(f"records {len(records):,}; random pairs {result['random_pairs']:,}")
    if "lambda" in result:
        print(f"true same-person pairs {result['true_pairs']:,}; "
              f"probability_two_random_records_match ~ {result['lambda']:.3g}")
    for (name, label), u in result["u"].items():
        m = result.get("m", {}).get((name, label), float("nan"))
        print(f"{name:<18} {label:<10} m={m:.6f} u={u:.6f}")


if __name__ == "__main__":
    main()
