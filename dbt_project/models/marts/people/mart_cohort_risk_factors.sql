-- How many of the cohort had each risk factor before their index date, and how many
-- factors each had on average (003, SNA: 4.8 on average; 5.1 for murder and attempted
-- murder). Every subgroup x factor row is present, 0 when no one has it.

with

cohort as (

    select * from {{ ref('int_people__cohort') }}

),

events as (

    select * from {{ ref('int_people__risk_factor_events') }}

),

subgroups as (

    select
        unnest(['all', 'murder_attempted_murder']) as subgroup,
        unnest([1, 2]) as subgroup_order

),

factors as (

    -- The eight factors in the SNA's order, then `any`.
    select
        unnest([
            'looked_after', 'child_protection_plan', 'persistent_absence', 'suspension',
            'permanent_exclusion', 'earlier_victimisation', 'earlier_offending',
            'earlier_custody', 'any'
        ]) as factor,
        unnest(range(1, 10)) as factor_order

),

person_factors as (

    -- A factor counts when its record is dated strictly before the index date.
    select distinct
        cohort.subgroup,
        cohort.person_key,
        events.factor
    from cohort
    inner join events
        on cohort.person_key = events.person_key
            and cohort.index_date > events.factor_date

),

factors_per_person as (

    select
        cohort.subgroup,
        cohort.person_key,
        count(person_factors.factor) as factor_count
    from cohort
    left join person_factors
        on cohort.subgroup = person_factors.subgroup
            and cohort.person_key = person_factors.person_key
    group by cohort.subgroup, cohort.person_key

),

subgroup_totals as (

    select
        subgroups.subgroup,
        count(factors_per_person.person_key) as persons,
        avg(factors_per_person.factor_count) as avg_factors_per_person
    from subgroups
    left join factors_per_person
        on subgroups.subgroup = factors_per_person.subgroup
    group by subgroups.subgroup

),

persons_with_each_factor as (

    select
        subgroup,
        factor,
        count(*) as persons_with_factor
    from person_factors
    group by subgroup, factor

    union all

    select
        subgroup,
        'any' as factor,
        count(*) as persons_with_factor
    from factors_per_person
    where factor_count > 0
    group by subgroup

),

final as (

    select
        subgroups.subgroup,
        factors.factor,
        cast(subgroup_totals.persons as bigint) as persons,
        cast(coalesce(persons_with_each_factor.persons_with_factor, 0) as bigint)
            as persons_with_factor,
        cast(subgroup_totals.avg_factors_per_person as double) as avg_factors_per_person
    from subgroups
    cross join factors
    inner join subgroup_totals
        on subgroups.subgroup = subgroup_totals.subgroup
    left join persons_with_each_factor
        on subgroups.subgroup = persons_with_each_factor.subgroup
            and factors.factor = persons_with_each_factor.factor
    order by subgroups.subgroup_order, factors.factor_order

)

select * from final
