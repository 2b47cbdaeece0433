"""Soda Core v4 contracts on every export table: the last gate before a file is written.

Each table a partner receives has a contract in `expectations/contracts/<table>.yml`
(DESIGN.md "Quality gates": schema, no unsuppressed small cells, totals reconcile with the
marts). The export frames are staged, as the text the CSV will hold, into a private
in-memory DuckDB together with a `reconcile` table (every published total beside the
figure computed independently from the marts), and each contract is verified there with
`verify_contract_locally`. The thresholds come in as contract variables from the
partner's disclosure rule, so the contract and the rule cannot drift apart.

A contract that cannot run (missing file, SQL error, a check not evaluated) fails: the
gate counts failures AND errors (PITFALLS 14), never one of them alone.

The contract files are rendered from the table definitions in `exports.tables`; after
changing a table run `uv run python -m expectations.soda_contracts` to rewrite them (a
test fails while they differ).
"""

from __future__ import annotations

import json
import os

# Soda phones home unless told not to; set before soda_core is imported (PITFALLS 5, 9).
os.environ["SODA_CORE_TELEMETRY_ENABLED"] = "false"

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from expectations.results import CheckResult, example_row, run_check
from exports.disclosure import SUPPRESSED
from exports.partners import HEALTH, DisclosureRule
from exports.tables import TABLES, TableDef

CONTRACTS_DIR = Path(__file__).resolve().parent / "contracts"
DATA_SOURCE = "exports"
RECONCILE_TABLE = "reconcile"
RECONCILE_COLUMNS = ("table_name", "check_key", "column_name", "published", "expected",
                     "tolerance", "row_found", "source")


def contract_path(table: str) -> Path:
    return CONTRACTS_DIR / f"{table}.yml"


# ---------------------------------------------------------------------------- render


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text)


def _checks(table: TableDef) -> list[tuple[str, dict[str, Any]]]:
    """(check type, properties) for one table, in the order they appear in the file."""
    checks: list[tuple[str, dict[str, Any]]] = [
        # Partners load the CSV by position and by name: exactly these columns, in order.
        ("schema", {"name": "columns exactly as published, in order",
                    "allow_extra_columns": False, "allow_other_column_order": False}),
    ]
    if not table.may_be_empty:
        checks.append(("row_count", {"name": "has rows",
                                     "threshold": {"must_be_greater_than": 0}}))
    checks.append(("duplicate", {"name": "one row per " + ", ".join(table.shape.keys),
                                 "columns": list(table.shape.keys)}))
    counts = table.shape.counts
    checks.append(("failed_rows", {
        "name": f"counts are whole numbers or {SUPPRESSED}", "qualifier": "whole",
        "expression": " OR ".join(
            f"{c} IS NULL OR ({c} <> '{SUPPRESSED}' AND TRY_CAST({c} AS BIGINT) IS NULL)"
            for c in counts)}))
    checks.append(("failed_rows", {
        "name": "no unsuppressed small count", "qualifier": "small",
        "expression": " OR ".join(
            f"TRY_CAST({c} AS BIGINT) BETWEEN ${{var.suppress_from}} AND ${{var.suppress_to}}"
            for c in counts)}))
    if table.kind == HEALTH:
        checks.append(("failed_rows", {
            "name": "counts rounded to the nearest ${var.round_to}", "qualifier": "rounded",
            "expression": " OR ".join(f"TRY_CAST({c} AS BIGINT) % ${{var.round_to}} <> 0"
                                      for c in counts)}))
    if table.shape.rates:
        checks.append(("failed_rows", {
            "name": f"rates over a suppressed count are {SUPPRESSED}", "qualifier": "rates_c",
            "expression": " OR ".join(
                "((" + " OR ".join(f"{c} = '{SUPPRESSED}'" for c in r.over) + ") AND "
                f"{r.column} IS DISTINCT FROM '{SUPPRESSED}')" for r in table.shape.rates)}))
        checks.append(("failed_rows", {
            "name": f"rates are numbers, blank or {SUPPRESSED}", "qualifier": "rates_number",
            "expression": " OR ".join(
                f"({r.column} <> '{SUPPRESSED}' AND TRY_CAST({r.column} AS DOUBLE) IS NULL)"
                for r in table.shape.rates)}))
    if table.name == "sv_by_area":
        # Scope: a CSP's file holds its own districts and itself, nothing else.
        checks.append(("failed_rows", {
            "name": "only the partner's own areas", "qualifier": "scope",
            "expression": "area_code NOT IN (${var.area_codes})"}))
    checks.append(("metric", {
        "name": "totals reconcile with the marts", "qualifier": "reconcile",
        "query": (f"SELECT COUNT(*) FROM main.{RECONCILE_TABLE} "
                  f"WHERE table_name = '{table.name}' AND (NOT row_found OR "
                  "(published IS NOT NULL AND ABS(published - expected) > tolerance))"),
        "threshold": {"must_be": 0}}))
    return checks


def contract_variables(table: TableDef) -> tuple[str, ...]:
    names = ["suppress_from", "suppress_to"]
    if table.kind == HEALTH:
        names.append("round_to")
    if table.name == "sv_by_area":
        names.append("area_codes")
    return tuple(names)


def render_contract(table: TableDef) -> str:
    defaults = {"suppress_from": 1, "suppress_to": 4, "round_to": 5, "area_codes": "''"}
    lines = [
        "# Generated from exports/tables.py by `python -m expectations.soda_contracts`.",
        f"dataset: {DATA_SOURCE}/main/{table.name}",
        f"description: {_q(table.description)}",
        "variables:",
    ]
    for name in contract_variables(table):
        value = defaults[name]
        lines += [f"  {name}:", f"    default: {value if isinstance(value, int) else _q(value)}"]
    lines.append("columns:")
    for c in table.columns:
        lines += [f"  - name: {c}", "    data_type: VARCHAR"]
    lines.append("checks:")
    for kind, props in _checks(table):
        lines.append(f"  - {kind}:")
        for key, value in props.items():
            if isinstance(value, bool):
                lines.append(f"      {key}: {'true' if value else 'false'}")
            elif isinstance(value, list):
                lines.append(f"      {key}:")
                lines += [f"        - {v}" for v in value]
            elif isinstance(value, dict):
                lines.append(f"      {key}:")
                lines += [f"        {k}: {v}" for k, v in value.items()]
            else:
                lines.append(f"      {key}: {_q(str(value))}")
    return "\n".join(lines) + "\n"


def write_contracts(directory: Path = CONTRACTS_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    out = []
    for table in TABLES:
        path = directory / f"{table.name}.yml"
        path.write_text(render_contract(table), encoding="utf-8")
        out.append(path)
    return out


# ---------------------------------------------------------------------------- staging


def text_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell as the text the CSV holds (None for an empty cell)."""
    from exports.render import cell_text

    return pd.DataFrame({c: pd.Series([cell_text(v) for v in frame[c].tolist()], dtype=object)
                         for c in frame.columns})


def stage(published: Mapping[str, pd.DataFrame],
          reconcile: pd.DataFrame) -> duckdb.DuckDBPyConnection:
    """A private in-memory DuckDB holding the partner's tables as text and the reconcile
    rows (never the warehouse file: PITFALLS 6)."""
    con = duckdb.connect(":memory:")
    for name, frame in published.items():
        text = text_frame(frame)
        columns = ", ".join(f'"{c}" VARCHAR' for c in frame.columns)
        con.execute(f'CREATE TABLE main."{name}" ({columns})')
        if len(text):
            con.register("incoming", text)
            con.execute(f'INSERT INTO main."{name}" SELECT * FROM incoming')
            con.unregister("incoming")
    con.execute(
        f"CREATE TABLE main.{RECONCILE_TABLE} (table_name VARCHAR, check_key VARCHAR, "
        "column_name VARCHAR, published DOUBLE, expected DOUBLE, tolerance DOUBLE, "
        "row_found BOOLEAN, source VARCHAR)")
    if len(reconcile):
        con.register("incoming", reconcile[list(RECONCILE_COLUMNS)])
        con.execute(f"INSERT INTO main.{RECONCILE_TABLE} SELECT * FROM incoming")
        con.unregister("incoming")
    return con


# ---------------------------------------------------------------------------- verify


def _variables(table: TableDef, rule: DisclosureRule, area_codes: tuple[str, ...]) -> dict:
    values = {
        "suppress_from": str(rule.suppress_from),
        "suppress_to": str(rule.suppress_to),
        "round_to": str(rule.round_to or 1),
        "area_codes": ", ".join("'" + a.replace("'", "''") + "'" for a in area_codes) or "''",
    }
    return {k: values[k] for k in contract_variables(table)}


def _substitute(text: str, variables: Mapping[str, str]) -> str:
    for k, v in variables.items():
        text = text.replace(f"${{var.{k}}}", v)
    return text


def _example(con: duckdb.DuckDBPyConnection, table: TableDef, check: dict[str, Any],
             variables: Mapping[str, str]) -> dict[str, Any] | None:
    """A failing row to show the person fixing it (best effort: the verdict is Soda's)."""
    try:
        if "expression" in check:
            sql = (f'SELECT * FROM main."{table.name}" WHERE '
                   f'{_substitute(check["expression"], variables)} LIMIT 1')
        elif "query" in check:
            sql = (f"SELECT * FROM main.{RECONCILE_TABLE} WHERE table_name = '{table.name}' "
                   "AND (NOT row_found OR (published IS NOT NULL AND "
                   "ABS(published - expected) > tolerance)) LIMIT 1")
        else:
            return None
        cursor = con.execute(sql)
        row = cursor.fetchone()
        if row is None:
            return None
        return example_row(dict(zip([d[0] for d in cursor.description], row, strict=True)))
    except duckdb.Error:
        return None


def verify_table(con: duckdb.DuckDBPyConnection, table: TableDef, rule: DisclosureRule,
                 area_codes: tuple[str, ...] = ()) -> CheckResult:
    """Verify one staged table against its contract; one result for the contract."""
    from soda_core.contracts import verify_contract_locally
    from soda_duckdb.common.data_sources.duckdb_data_source import DuckDBDataSourceImpl

    path = contract_path(table.name)
    if not path.is_file():
        raise FileNotFoundError(f"no Soda contract for export table {table.name} at {path}")
    variables = _variables(table, rule, area_codes)
    source = DuckDBDataSourceImpl.from_existing_cursor(con, name=DATA_SOURCE)
    session = verify_contract_locally(data_sources=[source], contract_file_path=str(path),
                                      variables=variables)
    checks = {p.get("name"): p for _, p in _checks(table)}
    failed, failing_rows, example = [], 0, None
    results = [cr for r in session.results for cr in r.check_results]
    for cr in results:
        if cr.is_passed:
            continue
        name = cr.check.name or cr.check.type
        count = int(cr.threshold_value or 0) if cr.check.type in ("failed_rows", "metric") else 0
        failing_rows += count
        failed.append(f"{name} ({cr.outcome.value.lower()}"
                      + (f", {count} row(s)" if count else "") + ")")
        if example is None:
            example = _example(con, table, checks.get(name, {}), variables)
    errors = session.get_errors()
    if not results:
        errors = [*errors, "the contract produced no check results"]
    passed = session.is_ok and not session.has_errors and not failed and not errors
    if passed:
        detail = f"Soda contract {path.name}: all {len(results)} checks passed."
    else:
        detail = f"Soda contract {path.name} not met: " + "; ".join(failed + [
            "error: " + e.splitlines()[0][:300] for e in errors])
    return CheckResult(f"soda_contract:{table.name}", passed, table.name, failing_rows,
                       example, detail)


def verify_partner_tables(
    published: Mapping[str, pd.DataFrame],
    reconcile: pd.DataFrame,
    tables: Mapping[str, TableDef],
    rules: Mapping[str, DisclosureRule],
    area_codes: tuple[str, ...] = (),
) -> list[CheckResult]:
    """Every export table of one partner and quarter; a contract that cannot run fails."""
    out: list[CheckResult] = []
    con = stage(published, reconcile)
    try:
        for name in published:
            table = tables[name]
            out.append(run_check(
                f"soda_contract:{name}", name, (),
                lambda t=table: verify_table(con, t, rules[t.kind], area_codes)))
    finally:
        con.close()
    return out


if __name__ == "__main__":
    for p in write_contracts():
        print(f"wrote {p.relative_to(Path.cwd()) if p.is_relative_to(Path.cwd()) else p}")
