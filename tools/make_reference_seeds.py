"""Write the force-comparison and deprivation seeds from the public reference folder.

    python tools/make_reference_seeds.py /work/shared/reference [dbt_project/seeds]

dbt's seed loader is slow, so the large public files are aggregated here, reproducibly,
and only the aggregates are committed (tests/test_force_comparison.py and
tests/test_deprivation.py check the committed seeds equal this script's output):

- `ref_force_recorded_crime.csv`: Home Office police recorded crime by PFA
  (`police_force_area/prc_pfa_long.csv.gz`), territorial forces, financial years from
  2019-20, summed over quarters and offence codes to financial year x force x offence
  group x subgroup, with the number of quarters present (completeness is decided in SQL).
- `ref_force_outcomes.csv`: Home Office crime outcomes by PFA, 2024-25
  (`police_force_area/outcomes_2024_25.csv.gz`), territorial forces, summed over
  quarters and outcome types to financial year x force x offence group x outcome group.
- `ref_force_populations.csv`: ONS mid-2024 PFA populations
  (`police_force_area/pfa_population_mid2024.csv`), unchanged but for column names.
- `ref_force_names.csv`: each Home Office force name with its ONS PFA code; the two files
  spell one force differently (`FORCE_NAME_DIFFERENCES`), everything else matches exactly.
- `ref_imd2019_lsoa.csv`: the 611 LLR LSOAs (2011) of IoD2019 File 2
  (`deprivation/llr_IoD2019_domains_lsoa11.csv`) with their IMD rank and decile and the
  File 6 population denominator (mid-2015, excluding prisoners).
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

SEEDS_DIR = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds"

# The Home Office file starts the comparison at 2019-20 (DESIGN.md, mart_force_comparison).
FIRST_FINANCIAL_YEAR = "2019/20"

# Home Office force name -> ONS PFA name, where the two publications differ.
FORCE_NAME_DIFFERENCES = {"Devon and Cornwall": "Devon & Cornwall"}

# The force this partnership serves (ONS PFA code of Leicestershire).
LLR_PFA_CODE = "E23000021"


def recorded_crime_sql(reference: Path) -> str:
    prc = reference / "police_force_area" / "prc_pfa_long.csv.gz"
    return f"""
        select
            replace("FY", '/', '-') as financial_year,
            "Force" as force_name,
            "Group" as offence_group,
            "Offence Subgroup" as offence_subgroup,
            sum(n)::bigint as offences,
            count(distinct "Financial Quarter")::integer as quarters_present
        from read_csv('{prc}', header = true, all_varchar = false)
        where territorial and "FY" >= '{FIRST_FINANCIAL_YEAR}'
        group by all
        order by financial_year, force_name, offence_group, offence_subgroup
    """


def force_outcomes_sql(reference: Path) -> str:
    outcomes = reference / "police_force_area" / "outcomes_2024_25.csv.gz"
    return f"""
        select
            replace("Financial Year", '/', '-') as financial_year,
            "Force" as force_name,
            "Offence Group" as offence_group,
            "Outcome Group" as outcome_group,
            sum(n)::bigint as outcomes,
            count(distinct "Financial Quarter")::integer as quarters_present
        from read_csv('{outcomes}', header = true)
        where territorial
        group by all
        order by financial_year, force_name, offence_group, outcome_group
    """


def force_populations_sql(reference: Path) -> str:
    population = reference / "police_force_area" / "pfa_population_mid2024.csv"
    return f"""
        select
            "PFA 2023 Code" as pfa_code,
            "PFA 2023 Name" as pfa_name,
            "Population"::bigint as population
        from read_csv('{population}', header = true)
        order by pfa_code
    """


def force_names_sql(reference: Path) -> str:
    prc = reference / "police_force_area" / "prc_pfa_long.csv.gz"
    population = reference / "police_force_area" / "pfa_population_mid2024.csv"
    differences = " ".join(
        f"when '{home_office}' then '{ons}'"
        for home_office, ons in FORCE_NAME_DIFFERENCES.items())
    return f"""
        with forces as (
            select distinct "Force" as force_name
            from read_csv('{prc}', header = true)
            where territorial
        )
        select
            forces.force_name,
            population."PFA 2023 Code" as pfa_code,
            population."PFA 2023 Code" = '{LLR_PFA_CODE}' as is_llr
        from forces
        left join read_csv('{population}', header = true) as population
            on population."PFA 2023 Name"
                = case forces.force_name {differences} else forces.force_name end
        order by forces.force_name
    """


# IoD2019 column headings, as the files write them.
IMD_RANK = "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)"
IMD_DECILE = "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)"
POPULATION_2015 = "Total population: mid 2015 (excluding prisoners)"


def imd_lsoa_sql(reference: Path) -> str:
    domains = reference / "deprivation" / "llr_IoD2019_domains_lsoa11.csv"
    denominators = reference / "deprivation" / "File_6_-_IoD2019_Population_Denominators.csv.gz"
    return f"""
        select
            imd."LSOA code (2011)" as lsoa11_code,
            imd."LSOA name (2011)" as lsoa11_name,
            imd."Local Authority District code (2019)" as lad19_code,
            imd."Local Authority District name (2019)" as lad19_name,
            imd."{IMD_RANK}"::integer as imd_rank,
            imd."{IMD_DECILE}"::integer as imd_decile,
            replace(denominators."{POPULATION_2015}", ',', '')::integer as population_mid2015
        from read_csv('{domains}', header = true, all_varchar = true) as imd
        left join read_csv('{denominators}', header = true, all_varchar = true) as denominators
            on imd."LSOA code (2011)" = denominators."LSOA code (2011)"
        order by lsoa11_code
    """


def seed_queries(reference: Path) -> dict[str, str]:
    """Seed file name -> the query that makes it from the reference folder."""
    return {
        "ref_force_recorded_crime.csv": recorded_crime_sql(reference),
        "ref_force_outcomes.csv": force_outcomes_sql(reference),
        "ref_force_populations.csv": force_populations_sql(reference),
        "ref_force_names.csv": force_names_sql(reference),
        "ref_imd2019_lsoa.csv": imd_lsoa_sql(reference),
    }


def render_seed(con: duckdb.DuckDBPyConnection, query: str) -> str:
    """The seed's CSV text: header row, `\\n` line ends, booleans as `true`/`false`."""
    relation = con.sql(query)
    lines = [",".join(relation.columns)]
    for row in relation.fetchall():
        lines.append(",".join(_csv_value(value) for value in row))
    return "\n".join(lines) + "\n"


def _csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if any(ch in text for ch in ',"\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def render_seeds(reference: Path) -> dict[str, str]:
    with duckdb.connect() as con:
        return {name: render_seed(con, query) for name, query in seed_queries(reference).items()}


def main(argv: list[str]) -> int:
    if not 1 <= len(argv) <= 2:
        print(__doc__, file=sys.stderr)
        return 2
    reference = Path(argv[0])
    seeds_dir = Path(argv[1]) if len(argv) == 2 else SEEDS_DIR
    for name, text in render_seeds(reference).items():
        (seeds_dir / name).write_text(text, encoding="utf-8")
        print(f"wrote {seeds_dir / name} ({text.count(chr(10)) - 1} rows)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
