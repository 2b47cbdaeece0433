"""The dbt project's own conventions, checked on its files (no warehouse, no dbt run).

DESIGN.md "Conventions" and STYLE.md: one YAML per model beside its SQL with a
description, column docs and tests; marts under enforced contracts with a data type on
every column; each source table mapped to the Dagster ingest asset that writes it; no
telemetry. Reference rules live in the seeds, and the returns' labels equal the spec's.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from ingest.specs import ENTITIES, RETURN_LABELS
from vrn.reference import DBT_PROJECT_DIR, LLR_DISTRICT_CODES, seed_rows

MODELS = DBT_PROJECT_DIR / "models"
# The linkage engineer's folder follows the same conventions but is checked by its owner.
OWN_MODELS = sorted(p for p in MODELS.rglob("*.sql") if "people" not in p.parts)


def load_yaml(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def model_entry(sql: Path) -> dict[str, Any]:
    doc = load_yaml(sql.with_suffix(".yml"))
    (entry,) = [m for m in doc.get("models", []) if m["name"] == sql.stem]
    return entry


@pytest.mark.parametrize("sql", OWN_MODELS, ids=lambda p: p.stem)
def test_every_model_has_its_yaml_with_description_columns_and_tests(sql: Path):
    entry = model_entry(sql)
    assert entry.get("description"), f"{sql.stem}: no description"
    columns = entry.get("columns") or []
    assert columns and all(c.get("description") for c in columns), f"{sql.stem}: column docs"
    tests = list(entry.get("data_tests") or []) + [
        t for c in columns for t in (c.get("data_tests") or [])]
    assert tests, f"{sql.stem}: no data tests"


@pytest.mark.parametrize("sql", [p for p in OWN_MODELS if "marts" in p.parts],
                         ids=lambda p: p.stem)
def test_marts_columns_all_carry_a_contract_data_type(sql: Path):
    entry = model_entry(sql)
    untyped = [c["name"] for c in entry["columns"] if not c.get("data_type")]
    assert not untyped, f"{sql.stem}: no data_type for {untyped}"
    text = sql.read_text()
    missing = [c["name"] for c in entry["columns"] if f"as {c['name']}" not in text]
    assert not missing, f"{sql.stem}: documented but never selected: {missing}"


def test_marts_contracts_are_enforced_and_telemetry_is_off():
    project = load_yaml(DBT_PROJECT_DIR / "dbt_project.yml")
    assert project["flags"]["send_anonymous_usage_stats"] is False
    marts = project["models"]["vrn_warehouse"]["marts"]
    assert marts["+contract"] == {"enforced": True}
    assert marts["+schema"] == "marts"


# Tests `column_rules` (tests/generic/column_rules.sql) does, and how a YAML declares them.
COLUMN_RULE_TESTS = {"not_null", "not_null_columns", "primary_key", "columns_within_range",
                     "unique", "unique_combination_of_columns", "accepted_values"}


def test_a_models_plain_column_rules_are_one_column_rules_test():
    """Each data test is a dbt node, and each node costs dbt about 20 ms whatever the data
    (BENCHMARKS.md): a model's key, required columns, ranges, unique columns and accepted
    values are one `column_rules` test, one query, not a test each. A rule keeps a test of
    its own only with a config of its own (e.g. `severity: warn` on public data)."""
    plain, twice = [], []
    for path in sorted([*MODELS.rglob("*.yml"), *(DBT_PROJECT_DIR / "seeds").rglob("*.yml")]):
        doc = load_yaml(path)
        for entry in [*doc.get("models", []), *doc.get("seeds", [])]:
            declared = [(entry["name"], t) for t in entry.get("data_tests") or []] + [
                (f"{entry['name']}.{c['name']}", t)
                for c in entry.get("columns") or [] for t in c.get("data_tests") or []]
            for where, test in declared:
                name, body = (test, {}) if isinstance(test, str) else next(iter(test.items()))
                if name in COLUMN_RULE_TESTS and "config" not in body:
                    plain.append(f"{where}: {name}")
            rules = [t for _, t in declared if isinstance(t, dict) and "column_rules" in t]
            if len(rules) > 1:
                twice.append(entry["name"])
            assert all(t["column_rules"].get("name") == f"column_rules_{entry['name']}"
                       for t in rules), f"{entry['name']}: name its column_rules after it"
    assert not plain, f"put these in their model's column_rules test: {plain}"
    assert not twice, f"one column_rules test per model: {twice}"


def test_staging_models_are_named_after_every_raw_table():
    expected = {f"stg_{e.source}__{e.entity}" for e in ENTITIES} | {
        "stg_commissioning__service_returns", "stg_policeuk__street",
        "stg_audit__files"}  # the audit trail: which partner files arrived (publish layer)
    found = {p.stem for p in (MODELS / "staging").rglob("stg_*.sql")}
    assert found == expected


def test_each_source_table_maps_to_the_asset_of_its_raw_table():
    tables = {}
    for path in (MODELS / "staging").rglob("__sources.yml"):
        for source in load_yaml(path)["sources"]:
            if source["name"] == "audit":  # the warehouse's own trail, written by ingest
                assert source["schema"] == "audit"
                continue
            assert source["schema"] == "raw"
            for table in source["tables"]:
                key = table["config"]["meta"]["dagster"]["asset_key"]
                tables[table["identifier"]] = key
    # One Dagster asset per raw table, the one its ingest step materializes
    # (orchestration/ingest_assets.py): raw.police__crimes -> ["raw", "police__crimes"].
    assert all(key == ["raw", table] for table, key in tables.items())
    written = {e.raw_table.split(".")[1] for e in ENTITIES} | {
        "commissioning__service_returns", "policeuk__street"}
    assert set(tables) == written


def test_unit_tests_cover_the_counting_rules():
    names = set()
    for path in MODELS.rglob("*.yml"):
        names |= {u["name"] for u in load_yaml(path).get("unit_tests", [])}
    assert {
        "test_common_assault_is_not_serious_violence",
        "test_offence_codes_4_1_and_4_10_are_distinct",
        "test_outcome_latest_by_date_wins",
        "test_outcome_tie_goes_to_later_period_then_later_row",
        "test_knife_enabled_needs_flag_and_home_office_code",
        "test_sv_rates_per_1000_and_shares_of_llr",
        "test_rasso_rolling_12_month_windows",
    } <= names


def test_exposures_name_every_partner():
    doc = load_yaml(MODELS / "exposures.yml")
    owners = " ".join(e["owner"]["name"] for e in doc["exposures"])
    for partner in ("Home Office", "Police and Crime Commissioner", "Integrated Care Board",
                    "Charnwood", "Rutland", "Leicester"):
        assert partner in owners


def test_service_return_measures_seed_equals_the_spec_labels():
    seeded: dict[str, list[str]] = {}
    for row in seed_rows("ref_service_return_measures"):
        seeded.setdefault(row["service"], []).append(row["label"])
        measure = re.sub(r"[^a-z0-9]+", "_", row["label"].lower()).strip("_")
        assert row["measure"] == measure
    assert seeded == {s: list(labels) for s, labels in RETURN_LABELS.items()}


def test_serious_violence_definition_lives_in_the_offence_seed():
    codes = {r["ho_offence_code"]: r for r in seed_rows("ref_offence_codes")}
    assert codes["105A"]["sv_group"] == ""
    assert codes["4.1"]["description"] != codes["4.10"]["description"]
    knife = {c for c, r in codes.items() if r["is_ho_knife_offence"] == "true"}
    assert knife == {"1", "4.1", "4.10", "4.2", "2", "3B", "5D", "5E", "8N", "8P", "34A",
                     "34B", "19C", "19D", "19E", "19F", "19G", "19H", "17A", "17B", "20A",
                     "20B"}


def test_population_seed_covers_the_nine_districts_and_three_authorities():
    rows = seed_rows("ref_population")
    districts = {r["area_code"] for r in rows if r["area_level"] == "district"}
    assert districts == LLR_DISTRICT_CODES
    with (DBT_PROJECT_DIR / "seeds" / "ref_beats.csv").open(encoding="utf-8") as f:
        assert {r["district_code"] for r in csv.DictReader(f)} == LLR_DISTRICT_CODES
    la_total = sum(int(r["population"]) for r in rows if r["area_level"] == "la")
    assert la_total == 1_136_705  # published-figures.md, LLR mid-2022
