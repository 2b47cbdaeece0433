"""Soda Core contracts on every export table (DESIGN.md "Quality gates"): schema, no
unsuppressed small count, totals reconcile with the warehouse; failures AND errors fail
the gate (PITFALLS 14), and a contract that cannot run fails it too (PITFALLS 5).

The tables come from the catalog (the `pub_` models' YAML in the dbt manifest); the
frames are made here by hand, as the publisher hands them over: the published table and
the `pub_` figures it was protected from.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from expectations import soda_contracts as soda
from exports.partners import DEFAULT_RULES, HEALTH, ONS_SMALL_COUNTS, POLICE_COUNCIL
from exports.shapes import NOT_AVAILABLE, SUPPRESSED

RULES = dict(DEFAULT_RULES)


@pytest.fixture(scope="module")
def table(catalog):
    [rasso] = [t for t in catalog.tables if t.name == "rasso_outcomes"]
    return rasso


def good_table() -> pd.DataFrame:
    rows = []
    for group, n in (("charged", 6), ("victim_not_supporting", 20), ("other_outcome", 30),
                     ("under_investigation", 44), ("all", 100)):
        rows.append({"period": "2023-24Q1", "period_start": "2023-04-01",
                     "period_end": "2023-06-30", "outcome_group": group, "rapes": n})
    return pd.DataFrame(rows)


def verify(table, published: pd.DataFrame, figures: pd.DataFrame | None = None, rules=RULES):
    figures = good_table() if figures is None else figures
    return soda.verify_partner_tables({table.name: published}, {table.name: figures},
                                      {table.name: table}, rules)[0]


def test_every_export_table_has_a_contract_rendered_from_its_definition(catalog, table):
    for t in catalog.tables:
        path = soda.contract_path(t.name)
        assert path.is_file(), f"run `uv run python -m expectations.soda_contracts`: {path}"
        assert path.read_text(encoding="utf-8") == soda.render_contract(t), (
            f"{path} is out of date: run `uv run python -m expectations.soda_contracts`")
    # one contract per table any partner receives, and no contract for a table none does
    assert {p.stem for p in soda.CONTRACTS_DIR.glob("*.yml")} == {
        t.name for t in catalog.tables}
    contract = soda.contract_path(table.name).read_text()
    assert "allow_extra_columns: false" in contract
    assert "allow_other_column_order: false" in contract
    assert "{" not in contract.replace("${var.", "")  # block style, no flow mappings


def test_a_good_table_meets_its_contract(table):
    result = verify(table, good_table())
    assert result.passed, result.detail
    assert result.name == "soda_contract:rasso_outcomes"


def test_an_unsuppressed_small_count_fails_with_the_row_as_example(table):
    frame = good_table()
    frame.loc[0, "rapes"] = 3
    frame.loc[2, "rapes"] = 33
    result = verify(table, frame, frame.copy())
    assert not result.passed
    assert "no unsuppressed small count" in result.detail
    assert result.failing_rows >= 1
    assert result.example["rapes"] == "3"


def test_the_small_count_thresholds_come_from_the_partners_rule(table):
    frame = good_table()  # 6 is not small under ONS's 1-4 ...
    stricter = {**RULES, POLICE_COUNCIL: replace(ONS_SMALL_COUNTS, suppress_to=9)}
    result = verify(table, frame, rules=stricter)  # ... but is under a 1-9 rule
    assert not result.passed and "no unsuppressed small count" in result.detail
    assert result.example["rapes"] == "6"


def test_suppressed_and_not_available_cells_meet_the_contract(table):
    frame = good_table().astype({"rapes": object})
    frame.loc[0, "rapes"] = SUPPRESSED
    frame.loc[1, "rapes"] = SUPPRESSED
    assert verify(table, frame).passed
    frame["rapes"] = NOT_AVAILABLE
    assert verify(table, frame).passed


def test_columns_in_another_order_fail_the_schema_check(table):
    frame = good_table()
    columns = list(frame.columns)
    columns[-1], columns[-2] = columns[-2], columns[-1]
    result = verify(table, frame[columns])
    assert not result.passed and "columns exactly as published" in result.detail


def test_a_total_that_does_not_reconcile_fails(table):
    """A published count that is not the warehouse's (the `pub_` model's) figure."""
    figures = good_table()
    figures.loc[4, "rapes"] = 101
    result = verify(table, good_table(), figures)
    assert not result.passed and "totals reconcile with the warehouse" in result.detail
    assert (result.example["published"], result.example["expected"]) == (100.0, 101.0)
    assert result.example["check_key"] == "period=2023-24Q1, outcome_group=all"
    assert result.example["source"] == "pub_rasso_outcomes"


def test_reconcile_rows_hold_every_count_shown_beside_the_warehouses_figure(catalog, table):
    published = good_table().astype({"rapes": object})
    published.loc[0, "rapes"] = SUPPRESSED
    published.loc[1, "rapes"] = NOT_AVAILABLE
    rows = soda.reconcile_rows({table.name: published}, {table.name: good_table()},
                               {table.name: table}, RULES)
    assert list(rows.columns) == list(soda.RECONCILE_COLUMNS)
    # [c] and [x] show nothing to compare; every other count is there, exactly
    assert rows["check_key"].tolist() == [
        f"period=2023-24Q1, outcome_group={g}"
        for g in ("other_outcome", "under_investigation", "all")]
    assert (rows["published"] == rows["expected"]).all() and (rows["tolerance"] == 0).all()
    assert rows["row_found"].all()


@pytest.mark.parametrize(("shown", "figure", "passes"),
                         [(10, 9, True), (10, 12, True), (10, 13, False), (15, 9, False)])
def test_a_health_count_reconciles_within_its_rounding(catalog, shown, figure, passes):
    [health] = [t for t in catalog.tables if t.name == "sv_duty_health_measures"]
    assert health.kind == HEALTH

    def frame(value: int) -> pd.DataFrame:
        return pd.DataFrame([{"period": "2023-24Q1", "period_start": "2023-04-01",
                              "period_end": "2023-06-30", "measure": "sharp_object_admissions",
                              "age_group": "all", "value": value,
                              "baseline_value": NOT_AVAILABLE}])

    result = verify(health, frame(shown), frame(figure))
    assert result.passed is passes, result.detail


def test_a_contract_that_cannot_run_fails_the_gate(table, tmp_path, monkeypatch):
    monkeypatch.setattr(soda, "CONTRACTS_DIR", tmp_path)
    result = verify(table, good_table())
    assert not result.passed and "could not run" in result.detail


def test_a_contract_with_an_sql_error_fails_the_gate(table, tmp_path, monkeypatch):
    broken = soda.render_contract(table).replace("main.reconcile", "main.no_such_table")
    (tmp_path / f"{table.name}.yml").write_text(broken)
    monkeypatch.setattr(soda, "CONTRACTS_DIR", tmp_path)
    result = verify(table, good_table())
    assert not result.passed
    assert "error" in result.detail or "not_evaluated" in result.detail


@pytest.mark.parametrize("value", [8, 12])
def test_health_counts_must_be_rounded_to_five(catalog, value):
    [health] = [t for t in catalog.tables if t.name == "sv_duty_health_measures"]
    frame = pd.DataFrame([{"period": "2023-24Q1", "period_start": "2023-04-01",
                           "period_end": "2023-06-30", "measure": "sharp_object_admissions",
                           "age_group": "all", "value": value,
                           "baseline_value": NOT_AVAILABLE}])
    result = verify(health, frame, frame.copy())
    assert not result.passed and "rounded to the nearest" in result.detail


def test_a_contract_is_parsed_once_and_each_verification_gets_its_own_variables(
        table, tmp_path, monkeypatch):
    from soda_core.common.yaml import YamlSource

    parsed, parse = [], YamlSource.parse
    monkeypatch.setattr(YamlSource, "parse", lambda self: parsed.append(self) or parse(self))
    monkeypatch.setattr(soda, "_PARSED", {})
    stricter = {**RULES, POLICE_COUNCIL: replace(ONS_SMALL_COUNTS, suppress_to=9)}
    # 6 is small under the stricter rule only: the variables resolved for one verification
    # are not those of the next
    assert verify(table, good_table()).passed
    assert not verify(table, good_table(), rules=stricter).passed
    assert verify(table, good_table()).passed
    assert len(parsed) == 1
    # a contract whose text changed is parsed again
    changed = soda.render_contract(table).replace("main.reconcile", "main.no_such_table")
    (tmp_path / f"{table.name}.yml").write_text(changed)
    monkeypatch.setattr(soda, "CONTRACTS_DIR", tmp_path)
    result = verify(table, good_table())
    assert not result.passed and len(parsed) == 2


def folder(table, quarter: str, published: pd.DataFrame, rules=RULES):
    from exports.publish import FolderTables

    return FolderTables(quarter, {table.name: published}, {table.name: good_table()},
                        {table.name: table}, rules)


def count_verifications(monkeypatch) -> list[str]:
    staged = []
    verify_table = soda.verify_table

    def counted(con, table, rule):
        staged.append(con.execute(f'SELECT string_agg(DISTINCT {soda.QUARTER}, \',\' '
                                  f'ORDER BY {soda.QUARTER}) FROM main."{table.name}"'
                                  ).fetchone()[0])
        return verify_table(con, table, rule)

    monkeypatch.setattr(soda, "verify_table", counted)
    return staged


def test_one_partners_quarters_are_verified_together_once(table, monkeypatch):
    staged = count_verifications(monkeypatch)
    # the same periods' rows in several exports are not duplicates of each other
    results = soda.verify_exports([folder(table, q, good_table()) for q in
                                   ("2023-24Q1", "2023-24Q2", "2023-24Q3")])
    assert [[r.passed for r in rs] for rs in results] == [[True]] * 3
    assert staged == ["2023-24Q1,2023-24Q2,2023-24Q3"]
    assert results[0][0].detail == verify(table, good_table()).detail


def test_a_failing_quarter_is_found_alone_and_holds_back_only_its_export(table, monkeypatch):
    staged = count_verifications(monkeypatch)
    small = good_table()
    small.loc[0, "rapes"] = 3
    results = soda.verify_exports([folder(table, "2023-24Q1", good_table()),
                                   folder(table, "2023-24Q2", small, ),
                                   folder(table, "2023-24Q3", good_table())])
    assert [r[0].passed for r in results] == [True, False, True]
    assert staged == ["2023-24Q1,2023-24Q2,2023-24Q3", "2023-24Q1", "2023-24Q2", "2023-24Q3"]
    failed = results[1][0]
    assert "no unsuppressed small count" in failed.detail
    assert failed.example["rapes"] == "3" and failed.example[soda.QUARTER] == "2023-24Q2"
    # what the quarter gives alone, checks and example row alike
    assert failed == soda.verify_partner_tables({table.name: small},
                                                {table.name: good_table()},
                                                {table.name: table}, RULES, "2023-24Q2")[0]


def test_an_empty_table_in_one_quarter_fails_that_quarter(table):
    empty = good_table().iloc[0:0]
    results = soda.verify_exports([folder(table, "2023-24Q1", good_table()),
                                   folder(table, "2023-24Q2", empty)])
    assert results[0][0].passed
    assert not results[1][0].passed and "has rows" in results[1][0].detail


def test_a_quarter_whose_columns_or_rule_differ_is_verified_by_itself(table, monkeypatch):
    staged = count_verifications(monkeypatch)
    columns = list(good_table().columns)
    columns[-1], columns[-2] = columns[-2], columns[-1]
    stricter = {**RULES, POLICE_COUNCIL: replace(ONS_SMALL_COUNTS, suppress_to=9)}
    results = soda.verify_exports([folder(table, "2023-24Q1", good_table()),
                                   folder(table, "2023-24Q2", good_table()[columns]),
                                   folder(table, "2023-24Q3", good_table(), stricter)])
    assert [r[0].passed for r in results] == [True, False, False]
    assert "columns exactly as published" in results[1][0].detail
    assert "no unsuppressed small count" in results[2][0].detail
    assert staged == ["2023-24Q1", "2023-24Q2", "2023-24Q3"]
