"""Soda Core contracts on every export table (DESIGN.md "Quality gates"): schema, no
unsuppressed small count, totals reconcile with the marts; failures AND errors fail the
gate (PITFALLS 14), and a contract that cannot run fails it too (PITFALLS 5)."""

from __future__ import annotations

import pandas as pd
import pytest

from expectations import soda_contracts as soda
from exports.partners import NHS_DIGITAL, ONS_SMALL_COUNTS, POLICE_COUNCIL
from exports.reconcile import Expected, reconcile_rows
from exports.tables import BY_NAME, TABLES

TABLE = BY_NAME["rasso_outcomes"]
RULES = {POLICE_COUNCIL: ONS_SMALL_COUNTS, "health": NHS_DIGITAL}


def good_table() -> pd.DataFrame:
    rows = []
    for group, n in (("charged", 6), ("victim_not_supporting", 20), ("other_outcome", 30),
                     ("under_investigation", 44), ("all", 100)):
        rows.append({"period": "2023-24Q1", "period_start": "2023-04-01",
                     "period_end": "2023-06-30", "outcome_group": group, "rapes": n})
    return pd.DataFrame(rows)


def verify(frame: pd.DataFrame, expected: list[Expected] | None = None):
    published = {TABLE.name: frame}
    expected = expected if expected is not None else [
        Expected(TABLE.name, (("period", "2023-24Q1"), ("outcome_group", "all")), "rapes", 100,
                 "test")]
    reconcile = reconcile_rows(published, expected, {TABLE.name: TABLE}, RULES)
    return soda.verify_partner_tables(published, reconcile, {TABLE.name: TABLE}, RULES)[0]


def test_every_export_table_has_a_contract_rendered_from_its_definition():
    for table in TABLES:
        path = soda.contract_path(table.name)
        assert path.is_file(), f"run `uv run python -m expectations.soda_contracts`: {path}"
        assert path.read_text(encoding="utf-8") == soda.render_contract(table), table.name
    contract = soda.contract_path(TABLE.name).read_text()
    assert "allow_extra_columns: false" in contract
    assert "allow_other_column_order: false" in contract
    assert "{" not in contract.replace("${var.", "")  # block style, no flow mappings


def test_a_good_table_meets_its_contract():
    result = verify(good_table())
    assert result.passed, result.detail


def test_an_unsuppressed_small_count_fails_with_the_row_as_example():
    frame = good_table()
    frame.loc[0, "rapes"] = 3
    frame.loc[2, "rapes"] = 33
    result = verify(frame)
    assert not result.passed
    assert "no unsuppressed small count" in result.detail
    assert result.failing_rows >= 1
    assert result.example["rapes"] == "3"


def test_columns_in_another_order_fail_the_schema_check():
    frame = good_table()
    columns = list(frame.columns)
    columns[-1], columns[-2] = columns[-2], columns[-1]
    result = verify(frame[columns])
    assert not result.passed and "columns exactly as published" in result.detail


def test_a_total_that_does_not_reconcile_fails():
    expected = [Expected(TABLE.name, (("period", "2023-24Q1"), ("outcome_group", "all")),
                         "rapes", 101, "marts.fct_rasso")]
    result = verify(good_table(), expected)
    assert not result.passed and "totals reconcile with the marts" in result.detail
    assert result.example["expected"] == 101.0


def test_a_total_missing_from_the_export_fails():
    expected = [Expected(TABLE.name, (("period", "2023-24Q2"), ("outcome_group", "all")),
                         "rapes", 100, "marts.fct_rasso")]
    assert not verify(good_table(), expected).passed


def test_a_contract_that_cannot_run_fails_the_gate(tmp_path, monkeypatch):
    monkeypatch.setattr(soda, "CONTRACTS_DIR", tmp_path)
    result = verify(good_table())
    assert not result.passed and "could not run" in result.detail


def test_a_contract_with_an_sql_error_fails_the_gate(tmp_path, monkeypatch):
    broken = soda.render_contract(TABLE).replace("main.reconcile", "main.no_such_table")
    (tmp_path / f"{TABLE.name}.yml").write_text(broken)
    monkeypatch.setattr(soda, "CONTRACTS_DIR", tmp_path)
    result = verify(good_table())
    assert not result.passed
    assert "error" in result.detail or "not_evaluated" in result.detail


@pytest.mark.parametrize("value", ["8", "12"])
def test_health_counts_must_be_rounded_to_five(value):
    table = BY_NAME["sv_duty_health_measures"]
    frame = pd.DataFrame([{"period": "2023-24Q1", "period_start": "2023-04-01",
                           "period_end": "2023-06-30", "measure": "sharp_object_admissions",
                           "age_group": "all", "value": value}])
    published = {table.name: frame}
    reconcile = reconcile_rows(published, [], {table.name: table}, RULES)
    result = soda.verify_partner_tables(published, reconcile, {table.name: table}, RULES)[0]
    assert not result.passed and "rounded to the nearest" in result.detail
