"""The person-linkage Dagster asset: its key, what it waits for, and that it writes the
links table through the warehouse resource."""

from __future__ import annotations

from datetime import date

import duckdb
from dagster import AssetKey, AssetSpec, materialize

from linkage.model import LINKS_TABLE, load_settings
from orchestration.linkage_assets import PERSON_LINKS_KEY, person_links
from orchestration.resources import WarehouseResource
from tests.support.linkage_records import Person, RawRecords


def test_person_links_asset_key_and_upstream_loads():
    assert person_links.key == AssetKey(["linkage", "person_links"]) == PERSON_LINKS_KEY
    deps = {dep for deps in person_links.asset_deps.values() for dep in deps}
    assert deps == {
        AssetKey(["raw", table]) for table in (
            "police__crime_people", "police__crimes", "police__custody",
            "la__children_looked_after", "la__child_protection_plans", "la__school_absence",
            "la__exclusions",
        )
    }
    assert person_links.op.pool == "warehouse"


def test_person_links_asset_writes_the_links_table(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    person = Person("OKAFOR", "JAMAL", date(2006, 2, 14))
    raw = RawRecords()
    raw.crime("CR/1/23", date(2023, 6, 1), "5D")
    raw.crime_person("CR/1/23", "P1", "suspect", person, date(2023, 6, 1))
    raw.looked_after("E06000016", "K1", person, date(2016, 4, 1))
    con = duckdb.connect(str(warehouse))
    raw.write(con)
    con.close()

    upstream = [AssetSpec(key) for deps in person_links.asset_deps.values() for key in deps]
    resource = WarehouseResource(landing=str(tmp_path / "landing"), warehouse=str(warehouse),
                                 exports=str(tmp_path / "exports"))
    result = materialize([*upstream, person_links],
                         resources={"warehouse": resource}, selection=[PERSON_LINKS_KEY])
    assert result.success
    metadata = result.asset_materializations_for_node(person_links.op.name)[0].metadata
    assert metadata["settings_version"].value == load_settings().version
    assert metadata["persons"].value == 1
    con = duckdb.connect(str(warehouse), read_only=True)
    rows = con.execute(f"select count(distinct person_key), count(*) from {LINKS_TABLE}")
    assert rows.fetchall() == [(1, 2)]
    con.close()
