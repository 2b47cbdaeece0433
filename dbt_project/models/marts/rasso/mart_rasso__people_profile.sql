{#-
    Victim and suspect records of RASSO per financial year recorded and offence scope,
    by sex and age (003 Op Soteria para 24: 75% of rape victims female, nearly 90% aged
    16 or over; para 25: one suspect in five under 19; 001: the problem profile by
    gender and age). age_group is `under_16` / `16_and_over` for victims and
    `under_19` / `19_and_over` for suspects, as the papers report them. One person in
    one crime is one record; share_of_known leaves out unknown values.
-#}
with

people as (

    select * from {{ ref('int_police__crime_people') }}

),

rasso as (

    select
        crime_ref,
        financial_year,
        is_rape
    from {{ ref('fct_rasso') }}

),

records as (

    select
        rasso.financial_year,
        scopes.offence_scope,
        people.role,
        people.age_band,
        case
            when people.age is null then 'unknown'
            when people.role = 'victim' and people.age < 16 then 'under_16'
            when people.role = 'victim' then '16_and_over'
            when people.age < 19 then 'under_19'
            else '19_and_over'
        end as age_group,
        coalesce(people.sex, 'U') as sex
    from people
    inner join rasso
        on people.crime_ref = rasso.crime_ref
    inner join (values ('rape'), ('rasso')) as scopes (offence_scope)
        on scopes.offence_scope = 'rasso' or rasso.is_rape

),

characteristics as (

    select
        financial_year,
        offence_scope,
        role,
        'sex' as characteristic,
        sex as category,
        sex = 'U' as is_unknown
    from records

    union all

    select
        financial_year,
        offence_scope,
        role,
        'age_group' as characteristic,
        age_group as category,
        age_group = 'unknown' as is_unknown
    from records

    union all

    select
        financial_year,
        offence_scope,
        role,
        'age_band' as characteristic,
        age_band as category,
        age_band = 'unknown' as is_unknown
    from records

),

counted as (

    select
        financial_year,
        offence_scope,
        role,
        characteristic,
        category,
        bool_or(is_unknown) as is_unknown,
        count(*) as people_records
    from characteristics
    group by financial_year, offence_scope, role, characteristic, category

),

shared as (

    select
        *,
        sum(people_records) over (
            partition by financial_year, offence_scope, role, characteristic
        ) as role_records,
        sum(people_records) filter (where not is_unknown) over (
            partition by financial_year, offence_scope, role, characteristic
        ) as role_known_records
    from counted

)

select
    cast(financial_year as {{ type_text() }}) as financial_year,
    cast(offence_scope as {{ type_text() }}) as offence_scope,
    cast(role as {{ type_text() }}) as role,
    cast(characteristic as {{ type_text() }}) as characteristic,
    cast(category as {{ type_text() }}) as category,
    cast(people_records as bigint) as people_records,
    cast({{ share('people_records', 'role_records') }} as double) as share_of_records,
    cast(
        case when not is_unknown then {{ share('people_records', 'role_known_records') }} end
        as double
    ) as share_of_known
from shared
