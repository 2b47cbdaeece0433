"""Soda Core v4 contracts on every export table: the last gate before a file is written.

Each table a partner receives has a contract in `expectations/contracts/<table>.yml`
(DESIGN.md "Quality gates": schema, no unsuppressed small cells, totals reconcile with the
marts). The export frames are staged, as the text the CSV will hold, into a private
in-memory DuckDB together with a `reconcile` table (every published total beside the
figure computed independently from the marts), and each contract is verified there with
`verify_contract_locally`. The thresholds come in as contract variables from the
partner's disclosure rule, so the contract and the rule cannot drift apart.

One partner's quarters are verified together (`verify_exports`): each table is staged
once, its rows from every quarter behind an `export_quarter` column, and its contract runs
once for all of them (each check is per quarter: one row per key within a quarter, rows in
every quarter). Soda's own work is about 0.2 s a contract, whatever the rows, so a
partner's 24 quarters cost what one did. When a table's contract is not met over the
quarters together, it is verified again quarter by quarter, so that exactly the exports
that fail it are held back, each with its own failing checks and example row; the
quarters together pass exactly when every quarter passes alone.

A contract that cannot run (missing file, SQL error, a check not evaluated) fails: the
gate counts failures AND errors (PITFALLS 14), never one of them alone.

The contract files are rendered from the `pub_` models' YAML (read from the dbt manifest
by `exports.catalog`); after changing a table's columns or shape run
`uv run python -m expectations.soda_contracts` to rewrite them (a test fails while they
differ). "Totals reconcile": every count shown must equal the warehouse's figure in the
`pub_` model (health counts within the rounding); the `pub_` models are themselves
reconciled with the marts by dbt tests.
"""

from __future__ import annotations

import copy
import functools
import json
import os

# Soda phones home unless told not to; set before soda_core is imported (PITFALLS 5, 9).
os.environ["SODA_CORE_TELEMETRY_ENABLED"] = "false"

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from exports.catalog import Catalog, PublishedTable, load_catalog
from exports.partners import HEALTH, DisclosureRule
from exports.publish import FolderTables
from exports.render import Texts
from exports.shapes import NOT_AVAILABLE, SUPPRESSED
from vrn.checks import CheckResult, example_row, run_check
from vrn.manifest import ensure_manifest

CONTRACTS_DIR = Path(__file__).resolve().parent / "contracts"
DATA_SOURCE = "exports"
RECONCILE_TABLE = "reconcile"
STAGED_TABLE = "staged_folders"  # (table_name, export_quarter): every table staged
QUARTER = "export_quarter"  # the staged column naming the export (folder) a row is in
RECONCILE_COLUMNS = ("table_name", "check_key", "column_name", "published", "expected",
                     "tolerance", "row_found", "source")


def contract_path(table: str) -> Path:
    return CONTRACTS_DIR / f"{table}.yml"


# ---------------------------------------------------------------------------- render


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text)


def _checks(table: PublishedTable) -> list[tuple[str, dict[str, Any]]]:
    """(check type, properties) for one table, in the order they appear in the file."""
    checks: list[tuple[str, dict[str, Any]]] = [
        # Partners load the CSV by position and by name: exactly these columns, in order
        # (after the staged `export_quarter`).
        ("schema", {"name": "columns exactly as published, in order",
                    "allow_extra_columns": False, "allow_other_column_order": False}),
    ]
    if not table.may_be_empty:
        checks.append(("metric", {
            "name": "has rows", "qualifier": "rows",
            "query": (f"SELECT COUNT(*) FROM main.{STAGED_TABLE} "
                      f"WHERE table_name = '{table.name}' AND {QUARTER} NOT IN "
                      f'(SELECT {QUARTER} FROM main."{table.name}")'),
            "threshold": {"must_be": 0}}))
    checks.append(("duplicate", {"name": "one row per " + ", ".join(table.shape.keys),
                                 "columns": [QUARTER, *table.shape.keys]}))
    counts = table.shape.counts
    checks.append(("failed_rows", {
        "name": f"counts are whole numbers, {SUPPRESSED} or {NOT_AVAILABLE}",
        "qualifier": "whole",
        "expression": " OR ".join(
            f"{c} IS NULL OR ({c} NOT IN ('{SUPPRESSED}', '{NOT_AVAILABLE}') "
            f"AND TRY_CAST({c} AS BIGINT) IS NULL)" for c in counts)}))
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
            "name": f"rates over a suppressed count are {SUPPRESSED} (or {NOT_AVAILABLE})",
            "qualifier": "rates_c",
            "expression": " OR ".join(
                "((" + " OR ".join(f"{c} = '{SUPPRESSED}'" for c in r.over) + ") AND "
                f"{r.column} IS DISTINCT FROM '{SUPPRESSED}' "
                f"AND {r.column} IS DISTINCT FROM '{NOT_AVAILABLE}')"
                for r in table.shape.rates)}))
        checks.append(("failed_rows", {
            "name": f"rates are numbers, blank, {SUPPRESSED} or {NOT_AVAILABLE}",
            "qualifier": "rates_number",
            "expression": " OR ".join(
                f"({r.column} NOT IN ('{SUPPRESSED}', '{NOT_AVAILABLE}') "
                f"AND TRY_CAST({r.column} AS DOUBLE) IS NULL)" for r in table.shape.rates)}))
    checks.append(("metric", {
        "name": "totals reconcile with the warehouse", "qualifier": "reconcile",
        "query": (f"SELECT COUNT(*) FROM main.{RECONCILE_TABLE} "
                  f"WHERE table_name = '{table.name}' AND (NOT row_found OR "
                  "(published IS NOT NULL AND ABS(published - expected) > tolerance))"),
        "threshold": {"must_be": 0}}))
    return checks


def contract_variables(table: PublishedTable) -> tuple[str, ...]:
    names = ["suppress_from", "suppress_to"]
    if table.kind == HEALTH:
        names.append("round_to")
    return tuple(names)


def render_contract(table: PublishedTable) -> str:
    defaults = {"suppress_from": 1, "suppress_to": 4, "round_to": 5}
    if QUARTER in table.columns:
        raise ValueError(f"{table.name}: a published column may not be named {QUARTER}, "
                         "the column the contracts stage each row's export quarter in")
    lines = [
        f"# Generated from dbt model {table.model} by `python -m expectations.soda_contracts`.",
        f"# Staged as the CSV's columns after `{QUARTER}`, the export (folder) each row is",
        "# published in: one partner's quarters are verified together.",
        f"dataset: {DATA_SOURCE}/main/{table.name}",
        f"description: {_q(table.description)}",
        "variables:",
    ]
    for name in contract_variables(table):
        value = defaults[name]
        lines += [f"  {name}:", f"    default: {value if isinstance(value, int) else _q(value)}"]
    lines.append("columns:")
    for c in (QUARTER, *table.columns):
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


def write_contracts(catalog: Catalog, directory: Path = CONTRACTS_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    out = []
    for old in directory.glob("*.yml"):
        old.unlink()
    for table in catalog.tables:
        path = directory / f"{table.name}.yml"
        path.write_text(render_contract(table), encoding="utf-8")
        out.append(path)
    return out


# ---------------------------------------------------------------------------- staging


def text_frame(frame: pd.DataFrame, texts: Texts | None = None) -> pd.DataFrame:
    """Every cell as the text the CSV holds (None for an empty cell): `texts`, the
    frame's `exports.render.cell_texts`, when the CSV was written from them."""
    from exports.render import cell_texts

    columns = cell_texts(frame) if texts is None else texts
    return pd.DataFrame(dict(zip(frame.columns, columns, strict=True)), dtype=object)


def stage(tables: Mapping[str, Sequence[tuple[str, pd.DataFrame, Texts | None]]],
          reconcile: pd.DataFrame) -> duckdb.DuckDBPyConnection:
    """A private in-memory DuckDB (never the warehouse file: PITFALLS 6) holding each
    table once, as text, with its rows from every export quarter given after an
    `export_quarter` column; `staged_folders` naming each (table, quarter) staged, and the
    reconcile rows. `tables`: table name -> (export quarter, published frame, its cells'
    texts if known), the frames of one table with the same columns."""
    con = duckdb.connect(":memory:")
    staged = pd.DataFrame([(name, quarter) for name, frames in tables.items()
                           for quarter, _, _ in frames], columns=["table_name", QUARTER],
                          dtype=object)
    con.register("incoming", staged)
    con.execute(f"CREATE TABLE main.{STAGED_TABLE} AS SELECT table_name::VARCHAR AS "
                f"table_name, {QUARTER}::VARCHAR AS {QUARTER} FROM incoming")
    con.unregister("incoming")
    for name, frames in tables.items():
        columns = list(frames[0][1].columns)
        con.execute(f'CREATE TABLE main."{name}" ("{QUARTER}" VARCHAR, '
                    + ", ".join(f'"{c}" VARCHAR' for c in columns) + ")")
        texts = []
        for quarter, frame, known in frames:
            if list(frame.columns) != columns:
                raise ValueError(f"{name}: the columns of {quarter} are not those of "
                                 f"{frames[0][0]}: staged one quarter at a time")
            text = text_frame(frame, known)
            text.insert(0, QUARTER, pd.Series([quarter] * len(text), dtype=object))
            texts.append(text)
        rows = pd.concat(texts, ignore_index=True)
        if len(rows):
            con.register("incoming", rows)
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


def _variables(table: PublishedTable, rule: DisclosureRule) -> dict:
    values = {
        "suppress_from": str(rule.suppress_from),
        "suppress_to": str(rule.suppress_to),
        "round_to": str(rule.round_to or 1),
    }
    return {k: values[k] for k in contract_variables(table)}


def _substitute(text: str, variables: Mapping[str, str]) -> str:
    for k, v in variables.items():
        text = text.replace(f"${{var.{k}}}", v)
    return text


def _example(con: duckdb.DuckDBPyConnection, table: PublishedTable, check: dict[str, Any],
             variables: Mapping[str, str]) -> dict[str, Any] | None:
    """A failing row to show the person fixing it (best effort: the verdict is Soda's)."""
    try:
        if "expression" in check:
            sql = (f'SELECT * FROM main."{table.name}" WHERE '
                   f'{_substitute(check["expression"], variables)} LIMIT 1')
        elif check.get("qualifier") == "reconcile":
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


# A contract's YAML text -> its parsed tree, as Soda's parser returned it (never handed out:
# Soda resolves the variables in the tree it is given, so each verification gets a copy).
_PARSED: dict[str, Any] = {}


@functools.cache
def _contract_source_type() -> type:
    """Soda's source of a contract file, with its YAML parsed once per process.

    Soda parses a contract with ruamel's round-trip parser, in Python: about 12 ms a
    contract, against 2 ms to copy the parsed tree (line and column marks included), and
    every export verifies about eleven. The file is still read each time; a changed file
    is parsed again.
    """
    from soda_core.common.yaml import ContractYamlSource, FileType, YamlObject

    class ParsedOnce(ContractYamlSource, file_type=FileType.CONTRACT):
        def parse(self) -> YamlObject:
            self._ensure_yaml_str()
            tree = _PARSED.get(self.yaml_str) if isinstance(self.yaml_str, str) else None
            if tree is None:
                parsed = super().parse()  # raises, naming the file, on a syntax error
                _PARSED[self.yaml_str] = copy.deepcopy(parsed.yaml_dict)
                return parsed
            return YamlObject(self, copy.deepcopy(tree))

    return ParsedOnce


def verify_table(con: duckdb.DuckDBPyConnection, table: PublishedTable,
                 rule: DisclosureRule) -> CheckResult:
    """Verify one staged table against its contract; one result for the contract."""
    from soda_core.contracts.contract_verification import ContractVerificationSession
    from soda_duckdb.common.data_sources.duckdb_data_source import DuckDBDataSourceImpl

    path = contract_path(table.name)
    if not path.is_file():
        raise FileNotFoundError(f"no Soda contract for export table {table.name} at {path}")
    variables = _variables(table, rule)
    source = DuckDBDataSourceImpl.from_existing_cursor(con, name=DATA_SOURCE)
    # What `verify_contract_locally` does for one contract file and no Soda Cloud, given
    # the contract's source so that its YAML is parsed once.
    contract = _contract_source_type().from_file_path(str(path))
    session = ContractVerificationSession.execute(
        contract_yaml_sources=[contract], data_source_impls=[source], variables=variables)
    checks = {p.get("name"): p for _, p in _checks(table)}
    failed, failing_rows, example = [], 0, None
    results = [cr for r in session.results for cr in r.check_results]
    for cr in results:
        if cr.is_passed:
            continue
        name = cr.check.name or cr.check.type
        counts_rows = cr.check.type == "failed_rows" or (
            checks.get(name, {}).get("qualifier") == "reconcile")
        count = int(cr.threshold_value or 0) if counts_rows else 0
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


def reconcile_rows(published: Mapping[str, pd.DataFrame], figures: Mapping[str, pd.DataFrame],
                   tables: Mapping[str, PublishedTable],
                   rules: Mapping[str, DisclosureRule]) -> pd.DataFrame:
    """Every count a partner will see beside the warehouse's figure for it: what the
    contract's `reconcile` metric compares (health counts may differ by the rounding)."""
    rows = []
    for name, shown in published.items():
        table, raw = tables[name], figures[name]
        tolerance = float((rules[table.kind].round_to or 0) // 2)
        keys = {k: shown[k].tolist() for k in table.shape.keys}
        counts = {c: (shown[c].tolist(), raw[c].tolist()) for c in table.shape.counts}
        for r in range(len(shown)):
            key = ", ".join(f"{k}={values[r]}" for k, values in keys.items())
            for c, (values, expected) in counts.items():
                value = values[r]
                if isinstance(value, str) or value is None or pd.isna(expected[r]):
                    continue  # [c], [x] or blank: nothing shown to compare
                rows.append({"table_name": name, "check_key": key, "column_name": c,
                             "published": float(value), "expected": float(expected[r]),
                             "tolerance": tolerance, "row_found": True,
                             "source": table.model})
    return pd.DataFrame(rows, columns=list(RECONCILE_COLUMNS))


def verify_exports(folders: Sequence[FolderTables]) -> list[list[CheckResult]]:
    """Every export table of each folder (one partner's quarters), one result per table in
    each folder's order; a contract that cannot run fails.

    A table is verified once over every folder holding it with the same columns and
    thresholds; a table whose contract that run does not pass (or whose folders differ)
    is verified folder by folder, so each result is what that folder alone gives.
    """
    reconcile = [reconcile_rows(f.published, f.figures, f.tables, f.rules) for f in folders]
    by_table: dict[str, list[int]] = {}
    for i, f in enumerate(folders):
        for name in f.published:
            by_table.setdefault(name, []).append(i)

    def alike(name: str, members: list[int]) -> bool:
        first = folders[members[0]]
        table = first.tables[name]
        variables = _variables(table, first.rules[table.kind])
        columns = list(first.published[name].columns)
        return len(members) > 1 and all(
            folders[i].tables[name] == table
            and _variables(table, folders[i].rules[table.kind]) == variables
            and list(folders[i].published[name].columns) == columns for i in members)

    together = {name: members for name, members in by_table.items() if alike(name, members)}
    results: dict[tuple[int, str], CheckResult] = {}
    if together:
        con = stage({name: [(folders[i].fy_quarter, folders[i].published[name],
                             folders[i].texts.get(name)) for i in members]
                     for name, members in together.items()},
                    pd.concat([r[r["table_name"].isin(together)] for r in reconcile],
                              ignore_index=True))
        try:
            for name, members in together.items():
                first = folders[members[0]]
                table = first.tables[name]
                rule = first.rules[table.kind]
                result = run_check(f"soda_contract:{name}", name, (),
                                   lambda t=table, r=rule: verify_table(con, t, r))
                if result.passed:  # passed over the quarters together: by each alone
                    results.update({(i, name): result for i in members})
        finally:
            con.close()
    for i, f in enumerate(folders):
        for name in f.published:
            if (i, name) not in results:
                results[i, name] = _verify_alone(f, name, reconcile[i])
    return [[results[i, name] for name in f.published] for i, f in enumerate(folders)]


def _verify_alone(folder: FolderTables, name: str, reconcile: pd.DataFrame) -> CheckResult:
    """One table of one folder, staged by itself."""
    table = folder.tables[name]

    def run() -> CheckResult:
        con = stage({name: [(folder.fy_quarter, folder.published[name],
                             folder.texts.get(name))]},
                    reconcile[reconcile["table_name"] == name])
        try:
            return verify_table(con, table, folder.rules[table.kind])
        finally:
            con.close()

    return run_check(f"soda_contract:{name}", name, (), run)


def verify_partner_tables(
    published: Mapping[str, pd.DataFrame],
    figures: Mapping[str, pd.DataFrame],
    tables: Mapping[str, PublishedTable],
    rules: Mapping[str, DisclosureRule],
    fy_quarter: str = "",
) -> list[CheckResult]:
    """Every export table of one partner and quarter; a contract that cannot run fails."""
    return verify_exports([FolderTables(fy_quarter, published, figures, tables, rules)])[0]


if __name__ == "__main__":
    for p in write_contracts(load_catalog(ensure_manifest())):
        print(f"wrote {p.relative_to(Path.cwd()) if p.is_relative_to(Path.cwd()) else p}")
