{#-
    Victim and suspect records of serious violence per period of dim_period (financial year, quarter,
    12 months to a quarter; by recorded_date), by age band,
    under/over 25, sex and ethnic group (003 SNA, "Perpetrators" and "Victims": 70.9% of
    suspects male, 55.5% of victims female, victims 76.6% White, 30% of suspects under
    25). One person in one crime is one record. share_of_records divides by all the
    role's records that year; share_of_known by those whose value was recorded (not
    `unknown`, `U` or `not_stated`), as "share of suspect rows with an age".
-#}
with

people as (

    select * from {{ ref('int_police__crime_people') }}

),

periods as (

    select * from {{ ref('dim_period') }}

),

serious_violence as (

    -- Each crime once in every period its recorded_date falls in.
    select
        crimes.crime_ref,
        periods.period
    from {{ ref('fct_serious_violence') }} as crimes
    inner join periods
        on crimes.recorded_date between periods.period_start and periods.period_end

),

records as (

    select
        serious_violence.period,
        people.role,
        people.age_band,
        case
            when people.age is null then 'unknown'
            when people.age < 25 then 'under_25'
            else '25_and_over'
        end as age_group,
        coalesce(people.sex, 'U') as sex,
        people.sna_ethnic_group
    from people
    inner join serious_violence
        on people.crime_ref = serious_violence.crime_ref

),

characteristics as (

    select
        period,
        role,
        'age_band' as characteristic,
        age_band as category,
        age_band = 'unknown' as is_unknown
    from records

    union all

    select
        period,
        role,
        'age_group' as characteristic,
        age_group as category,
        age_group = 'unknown' as is_unknown
    from records

    union all

    select
        period,
        role,
        'sex' as characteristic,
        sex as category,
        sex = 'U' as is_unknown
    from records

    union all

    select
        period,
        role,
        'ethnic_group' as characteristic,
        sna_ethnic_group as category,
        sna_ethnic_group = 'not_stated' as is_unknown
    from records

),

counted as (

    select
        period,
        role,
        characteristic,
        category,
        bool_or(is_unknown) as is_unknown,
        count(*) as people_records
    from characteristics
    group by period, role, characteristic, category

),

shared as (

    select
        *,
        sum(people_records) over (partition by period, role, characteristic)
            as role_records,
        sum(people_records) filter (where not is_unknown)
            over (partition by period, role, characteristic) as role_known_records
    from counted

)

select
    cast(periods.period as {{ type_text() }}) as period,
    cast(periods.period_type as {{ type_text() }}) as period_type,
    cast(periods.period_start as date) as period_start,
    cast(periods.period_end as date) as period_end,
    cast(periods.financial_year as {{ type_text() }}) as financial_year,
    cast(shared.role as {{ type_text() }}) as role,
    cast(shared.characteristic as {{ type_text() }}) as characteristic,
    cast(shared.category as {{ type_text() }}) as category,
    cast(shared.people_records as bigint) as people_records,
    cast({{ share('shared.people_records', 'shared.role_records') }} as double)
        as share_of_records,
    cast(
        case
            when not shared.is_unknown
                then {{ share('shared.people_records', 'shared.role_known_records') }}
        end
        as double
    ) as share_of_known
from shared
inner join periods
    on shared.period = periods.period
