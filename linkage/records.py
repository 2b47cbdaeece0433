"""Person records from the raw tables, one frame for the linkage model.

Each row is one source person record, named as `marts.bridge_person_record` names it
(DESIGN.md): `police_people` `crime_ref:person_ref:role`, `custody` the custody_ref, council
records `la_code:child_ref:<start date ISO or academic year>`. Only current rows count, and
`raw.*` holds nothing else: the ingest replaces a re-sent file's rows entirely (spec,
General rules), as the staging models also rely on.

Evidence kept beside the three tokens: sex (`U` is unknown, so null), postcode district,
the force's person number or the council's child number (`local_system`, `local_id`; the
force's number also links police records deterministically, tokens or not), and
an approximate birth window derived from the age at the event and the event's date: a
person aged `a` on day `d` was born in (d - (a+1) years, d - a years], which spans at most
two calendar years (`birth_year_from`, `birth_year_to`, used for blocking). Police crime people
take the crime's `offence_from` (spec: ages are whole years at the event), custody the
arrival. Councils send no age, so their window is null.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:
    import pandas as pd

SOURCES: tuple[str, ...] = (
    "police_people", "custody", "la_cla", "la_cpp", "la_absence", "la_exclusions",
)

# The raw tables the records are read from (the linkage asset waits for their loads).
RAW_TABLES: tuple[str, ...] = (
    "raw.police__crime_people", "raw.police__crimes", "raw.police__custody",
    "raw.la__children_looked_after", "raw.la__child_protection_plans",
    "raw.la__school_absence", "raw.la__exclusions",
)

# Columns of the records frame, in order; `record_id` is the unique id Splink needs.
COLUMNS: tuple[str, ...] = (
    "record_id", "source", "record_ref", "tok_surname", "tok_forename", "tok_dob", "sex",
    "birth_from", "birth_to", "postcode_district", "local_system", "local_id", "has_tokens",
    "birth_year_from", "birth_year_to",
)


def _iso(column: str) -> str:
    return f"strftime({column}, '%Y-%m-%d')"


def _council(source: str, table: str, start: str, *, start_is_date: bool = True,
             sex: str = "null") -> str:
    key = _iso(start) if start_is_date else start
    return f"""
    select '{source}' as source,
           la_code || ':' || child_ref || ':' || {key} as record_ref,
           tok_surname, tok_forename, tok_dob, {sex} as sex,
           null::date as event_date, null::integer as age, null::varchar as postcode_district,
           'la:' || la_code as local_system, child_ref as local_id
    from {table}"""


def person_records_sql() -> str:
    """One SELECT over every person-bearing raw table, in the COLUMNS shape, in no
    particular order. The ingest refuses duplicate keys across current files, so a
    record id comes once; the linkage model still keeps only one row of an id should two
    ever share it (`linkage.model._load_records`)."""
    police_people = """
    select 'police_people' as source,
           p.crime_ref || ':' || p.person_ref || ':' || p.role as record_ref,
           p.tok_surname, p.tok_forename, p.tok_dob, p.sex,
           c.event_date, p.age, p.postcode_district,
           'police' as local_system, p.person_ref as local_id
    from raw.police__crime_people p
    left join (
        select crime_ref, min(offence_from)::date as event_date
        from raw.police__crimes group by crime_ref
    ) c using (crime_ref)"""
    custody = """
    select 'custody' as source, custody_ref as record_ref,
           tok_surname, tok_forename, tok_dob, sex,
           arrived_at::date as event_date, age, null::varchar as postcode_district,
           'police' as local_system, person_ref as local_id
    from raw.police__custody"""
    parts = [
        police_people,
        custody,
        _council("la_cla", "raw.la__children_looked_after", "episode_start", sex="sex"),
        _council("la_cpp", "raw.la__child_protection_plans", "plan_start"),
        _council("la_absence", "raw.la__school_absence", "academic_year",
                 start_is_date=False),
        _council("la_exclusions", "raw.la__exclusions", "start_date"),
    ]
    union = "\n    union all\n".join(parts)
    return f"""
with person_records as ({union}
)
select *, year(birth_from) as birth_year_from, year(birth_to) as birth_year_to
from (
select source || '|' || record_ref as record_id, source, record_ref,
       nullif(trim(lower(tok_surname)), '') as tok_surname,
       nullif(trim(lower(tok_forename)), '') as tok_forename,
       nullif(trim(lower(tok_dob)), '') as tok_dob,
       case when sex in ('M', 'F', 'X') then sex end as sex,
       (event_date - to_years(age + 1) + interval 1 day)::date as birth_from,
       (event_date - to_years(age))::date as birth_to,
       nullif(trim(upper(postcode_district)), '') as postcode_district,
       local_system, nullif(trim(local_id), '') as local_id,
       coalesce(nullif(trim(tok_surname), ''), nullif(trim(tok_forename), ''),
                nullif(trim(tok_dob), '')) is not null as has_tokens
from person_records
)
"""


def collect_person_records(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every current person record in the warehouse, in record id order."""
    return con.execute(f"select * from ({person_records_sql()}) order by record_id").df()
