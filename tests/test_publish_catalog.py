"""What is published, declared once in dbt (DESIGN.md "Published tables live in the
warehouse"): the exposures name each partner's `pub_` models, the models' YAML their
columns and disclosure shape, and the seeds the rules Python and SQL share. Fast: these
read the dbt manifest and the seeds, no warehouse."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest

from exports.catalog import BOOKKEEPING, CatalogError, catalog_from_manifest
from exports.gates import EVERY_SOURCE, Gate, GateFailure, holding_back
from ingest.commissioning import return_sums
from ingest.files import RETURN_ENTITIES
from ingest.specs import ENTITIES
from vrn.reference import LA_CODES, seed_rows

ROOT = Path(__file__).resolve().parents[1]
PARTNERS = {
    "csp-leicester", "csp-charnwood", "csp-blaby-hinckley-bosworth", "csp-harborough",
    "csp-melton", "csp-north-west-leicestershire", "csp-oadby-wigston", "csp-rutland",
    "home_office", "opcc", "icb",
}


def test_the_exposures_name_every_partner_of_the_design_and_only_pub_models(catalog):
    assert set(catalog.names) == PARTNERS
    for partner in catalog.partners:
        assert partner.tables, partner.name
        assert all(t.model.startswith("pub_") for t in partner.tables)


def test_every_csp_receives_the_same_tables_each_only_its_own_rows(catalog):
    csps = [p for p in catalog.partners if p.name.startswith("csp-")]
    assert len({tuple(t.name for t in p.tables) for p in csps}) == 1
    assert all(t.partner_scoped for p in csps for t in p.tables)
    assert not any(t.partner_scoped for p in catalog.partners
                   if not p.name.startswith("csp-") for t in p.tables)
    assert {r["partner"] for r in seed_rows("ref_csp_partners")} == {p.name for p in csps}


def test_no_table_mixes_health_with_police_or_council_figures(catalog):
    kinds = {t.name: t.kind for t in catalog.tables}
    assert {k for n, k in kinds.items() if n.startswith("assault_injury")} == {"health"}
    assert kinds["sv_duty_health_measures"] == "health"
    assert kinds["sv_duty_police_measures"] == "police_council"


def test_published_columns_leave_out_the_bookkeeping_and_keep_the_yaml_order(catalog):
    icv = next(t for t in catalog.tables if t.name == "icv_visits")
    assert icv.columns[:4] == ("period", "period_start", "period_end", "suite_code")
    for t in catalog.tables:
        assert not BOOKKEEPING & set(t.columns), t.name
        assert set(t.shape.keys) <= set(t.columns) and set(t.shape.counts) <= set(t.columns)
        assert all(t.column_descriptions.get(c) for c in t.columns), t.name


def test_an_exposure_naming_a_mart_instead_of_a_pub_model_is_refused():
    manifest = {
        "nodes": {"model.x.mart_sv_by_area": {"name": "mart_sv_by_area", "columns": {}}},
        "exposures": {"exposure.x.opcc": {
            "name": "opcc", "meta": {"partner": "opcc"},
            "depends_on": {"nodes": ["model.x.mart_sv_by_area"]}}},
    }
    with pytest.raises(CatalogError, match="not a pub_ model"):
        catalog_from_manifest(manifest)


def test_return_sums_are_one_seed_read_by_the_ingest_checks_and_the_disclosure_shape(catalog):
    for service in ("sarc", "cyp_sarc", "isva"):
        table = next(t for t in catalog.tables if t.name == f"{service}_returns")
        sums = {(c.total, c.parts) for c in table.shape.column_sums}
        labels = {r["label"]: r["measure"] for r in seed_rows("ref_service_return_measures")
                  if r["service"] == service}
        checked = {(labels[total], tuple(labels[p] for p in parts))
                   for total, parts in return_sums(service)}
        assert sums == checked and sums, service


def test_the_extract_seed_is_the_specification_of_landing_files():
    expected = set()
    for e in ENTITIES:
        folders = [f"la/{code}" for code in LA_CODES] if e.source == "la" else [e.source]
        expected |= {(f, e.entity, e.period_kind) for f in folders}
    expected |= {("commissioning", stem, "fy_quarter") for stem in RETURN_ENTITIES}
    expected.add(("policeuk", "street", "month"))
    seeded = {(r["source"], r["entity"], r["period_kind"])
              for r in seed_rows("ref_partner_extracts")}
    assert seeded == expected


# ------------------------------------------------------------------------------ gates


def failure(source: str, quarter: str | None) -> GateFailure:
    return GateFailure("icv_volume", source, quarter, "doubled")


def test_a_failure_holds_back_an_export_only_if_it_reads_that_source_in_that_window():
    span = (date(2023, 4, 1), date(2023, 12, 31))  # 2023-24 Q1..Q3
    inside = failure("opcc/icv_visits", "2023-24Q2")
    assert holding_back([inside], ["opcc/icv_visits"], span) == [inside]
    assert holding_back([inside], ["police/custody"], span) == []
    assert holding_back([failure("opcc/icv_visits", "2023-24Q4")], ["opcc/icv_visits"],
                        span) == []
    assert holding_back([failure("opcc/icv_visits", "2022-23Q4")], ["opcc/icv_visits"],
                        span) == []


def test_a_failure_without_a_quarter_or_a_gate_that_could_not_run_holds_back_everything():
    span = (date(2023, 4, 1), date(2023, 6, 30))
    assert holding_back([failure("opcc/icv_visits", None)], ["opcc/icv_visits"], span)
    blind = failure(EVERY_SOURCE, None)
    assert holding_back([blind], ["health/ae_assaults"], span) == [blind]
    assert Gate("x", (EVERY_SOURCE,), "", (blind,)).guards(["police/crimes"])


def test_exports_do_not_import_expectations_and_packages_do_not_import_tests():
    for path in (ROOT / "exports").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        names |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert not any(n.split(".")[0] in ("expectations", "orchestration", "synthetic")
                       for n in names), path
