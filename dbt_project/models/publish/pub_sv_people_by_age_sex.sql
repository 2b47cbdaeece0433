{#-
    CSP locality profile: the victims and suspects of serious violence recorded in the
    CSP's area, by role, age band at the offence (seed ref_age_bands, `unknown` when no
    age was recorded, then `all`) and sex (`M`, `F`, `other`: X, U or none recorded, then
    `all`), for every period of every export quarter's window (int_publish__windows).
    People are counted as involvements (int_police__crime_people rows: a person in a
    crime, in a role), not as linked persons: the exports' dbt build need not include the
    person linkage, and a person in two crimes of the period counts twice. A crime
    belongs to the CSP its beat maps to (fct_serious_violence: recorded, not cancelled)
    and counts by recorded_date. `other` is published, rather than left to `all`, so that
    the sexes add up to `all` and disclosure control can protect them (all - M - F would
    otherwise give a small `other` away). Every combination is present (0 when none).
    Figures before disclosure control.
-#}
with

partners as (

    select * from {{ ref('ref_csp_partners') }}

),

roles as (

    select roles.*
    from (values ('victim', 1), ('suspect', 2)) as roles (role, role_order)

),

age_bands as (

    select
        age_band,
        age_from,
        coalesce(age_to, 200) as age_to,
        band_order
    from {{ ref('ref_age_bands') }}

    union all

    select
        'unknown' as age_band,
        null as age_from,
        null as age_to,
        900 as band_order

    union all

    select
        'all' as age_band,
        null as age_from,
        null as age_to,
        1000 as band_order

),

sexes as (

    select sexes.*
    from (values ('M', 1), ('F', 2), ('other', 3), ('all', 1000)) as sexes (sex, sex_order)

),

monthly as (

    select
        crimes.csp_name,
        people.role,
        coalesce(age_bands.age_band, 'unknown') as age_band,
        case when people.sex in ('M', 'F') then people.sex else 'other' end as sex,
        crimes.recorded_month as month,
        count(*) as persons
    from {{ ref('int_police__crime_people') }} as people
    inner join {{ ref('fct_serious_violence') }} as crimes
        on people.crime_ref = crimes.crime_ref
    left join age_bands
        on people.age between age_bands.age_from and age_bands.age_to
    group by all

),

-- each person also under `all` age bands and `all` sexes: the cells are then found by
-- equality, not by comparing every cell of the grid with every month of the CSP
cells as (

    {{ with_category_totals(
        'monthly', ['csp_name', 'role', 'month'], ['age_band', 'sex'], ['persons']
    ) }}

),

grid as (

    select
        grid_age.*,
        sexes.*
    from ({{ publish_window_grid(['partners', 'roles', 'age_bands']) }}) as grid_age
    cross join sexes

),

counted as (

    {{ sum_months_into_periods(
        'grid', 'cells', ['persons'], match_on=['csp_name', 'role', 'age_band', 'sex']
    ) }}

)

select
    {{ publish_period_columns(per_partner=true) }},
    cast(role as {{ type_text() }}) as role,
    cast(age_band as {{ type_text() }}) as age_band,
    cast(sex as {{ type_text() }}) as sex,
    cast(persons as bigint) as persons,
    {{ publish_period_bookkeeping(
        ['period_order', 'role_order', 'band_order', 'sex_order'], per_partner=true
    ) }}
from counted
