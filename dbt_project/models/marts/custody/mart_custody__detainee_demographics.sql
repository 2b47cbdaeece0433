{#-
    Who is detained: custody detentions per financial year (of arrival) and suite, with an
    `all` row, by age band (seed ref_age_bands), sex, ethnic group (the SNA's groups of
    ref_ethnicity; blank is `not_stated`) and juvenile (under 18, PACE), with the
    safeguards recorded for them (003 ICV annual report: 15,475 detainees in 2023-24, the
    demographic breakdown of detainees; juveniles need an appropriate adult). Detainees
    are distinct force person numbers (person_ref, the force's master index): this mart
    feeds exports built without the linkage, so it does not use person_key. Every year x
    suite x dimension x category is present (0 when none).
-#}
with

detentions as (

    select * from {{ ref('fct_custody_detention') }}

),

ethnicities as (

    select * from {{ ref('ref_ethnicity') }}

),

age_bands as (

    select * from {{ ref('ref_age_bands') }}

),

coverage as (

    select distinct financial_year
    from {{ ref('int_coverage__periods') }}
    where source = 'police' and entity = 'custody'

),

years as (

    select financial_year from coverage
    union
    select financial_year from detentions

),

suites as (

    select suite_code from {{ ref('dim_custody_suite') }}
    union all
    select 'all' as suite_code

),

categories as (

    select
        'age_band' as dimension,
        age_band as category,
        band_order as category_order
    from age_bands

    union all

    select
        'sex' as dimension,
        sexes.sex as category,
        sexes.sex_order as category_order
    from (values ('F', 1), ('M', 2), ('X', 3), ('U', 4)) as sexes (sex, sex_order)

    union all

    select
        'ethnic_group' as dimension,
        sna_ethnic_group as category,
        case sna_ethnic_group
            when 'white' then 1
            when 'asian' then 2
            when 'black' then 3
            when 'other' then 4
            else 5
        end as category_order
    from (select distinct sna_ethnic_group from ethnicities) as groups

    union all

    select
        'juvenile' as dimension,
        juveniles.juvenile as category,
        juveniles.juvenile_order as category_order
    from (values ('juvenile', 1), ('adult', 2)) as juveniles (juvenile, juvenile_order)

),

described as (

    select
        detentions.financial_year,
        detentions.suite_code,
        detentions.person_ref,
        detentions.had_appropriate_adult,
        detentions.is_mental_health_s136,
        detentions.needed_interpreter,
        detentions.was_strip_searched,
        age_bands.age_band,
        coalesce(detentions.sex, 'U') as sex,
        coalesce(ethnicities.sna_ethnic_group, 'not_stated') as ethnic_group,
        case when detentions.is_juvenile then 'juvenile' else 'adult' end as juvenile
    from detentions
    left join ethnicities
        on detentions.ethnicity = ethnicities.ethnicity
    left join age_bands
        on
            detentions.age >= age_bands.age_from
            and (age_bands.age_to is null or detentions.age <= age_bands.age_to)

),

scoped as (

    select
        *,
        suite_code as reported_suite
    from described
    union all
    select
        *,
        'all' as reported_suite
    from described

),

by_category as (

    select
        financial_year,
        reported_suite,
        'age_band' as dimension,
        age_band as category,
        person_ref,
        had_appropriate_adult,
        is_mental_health_s136,
        needed_interpreter,
        was_strip_searched
    from scoped
    union all
    select
        financial_year,
        reported_suite,
        'sex' as dimension,
        sex as category,
        person_ref,
        had_appropriate_adult,
        is_mental_health_s136,
        needed_interpreter,
        was_strip_searched
    from scoped
    union all
    select
        financial_year,
        reported_suite,
        'ethnic_group' as dimension,
        ethnic_group as category,
        person_ref,
        had_appropriate_adult,
        is_mental_health_s136,
        needed_interpreter,
        was_strip_searched
    from scoped
    union all
    select
        financial_year,
        reported_suite,
        'juvenile' as dimension,
        juvenile as category,
        person_ref,
        had_appropriate_adult,
        is_mental_health_s136,
        needed_interpreter,
        was_strip_searched
    from scoped

),

counted as (

    select
        financial_year,
        reported_suite as suite_code,
        dimension,
        category,
        count(*) as detentions,
        count(distinct person_ref) as detainees,
        count(*) filter (where had_appropriate_adult) as with_appropriate_adult,
        count(*) filter (where is_mental_health_s136) as mental_health_s136,
        count(*) filter (where needed_interpreter) as with_interpreter,
        count(*) filter (where was_strip_searched) as strip_searched
    from by_category
    group by financial_year, reported_suite, dimension, category

),

grid as (

    select
        years.financial_year,
        suites.suite_code,
        categories.dimension,
        categories.category,
        categories.category_order
    from years
    cross join suites
    cross join categories

),

filled as (

    select
        grid.financial_year,
        grid.suite_code,
        grid.dimension,
        grid.category,
        grid.category_order,
        coalesce(counted.detentions, 0) as detentions,
        coalesce(counted.detainees, 0) as detainees,
        coalesce(counted.with_appropriate_adult, 0) as with_appropriate_adult,
        coalesce(counted.mental_health_s136, 0) as mental_health_s136,
        coalesce(counted.with_interpreter, 0) as with_interpreter,
        coalesce(counted.strip_searched, 0) as strip_searched
    from grid
    left join counted
        on
            grid.financial_year = counted.financial_year
            and grid.suite_code = counted.suite_code
            and grid.dimension = counted.dimension
            and grid.category = counted.category

)

select
    cast(financial_year as {{ type_text() }}) as financial_year,
    cast(suite_code as {{ type_text() }}) as suite_code,
    cast(dimension as {{ type_text() }}) as dimension,
    cast(category as {{ type_text() }}) as category,
    cast(category_order as integer) as category_order,
    cast(detentions as bigint) as detentions,
    cast(detainees as bigint) as detainees,
    cast(
        {{ share('detentions',
            'sum(detentions) over (partition by financial_year, suite_code, dimension)') }}
        as double
    ) as share_of_detentions,
    cast(with_appropriate_adult as bigint) as with_appropriate_adult,
    cast(mental_health_s136 as bigint) as mental_health_s136,
    cast(with_interpreter as bigint) as with_interpreter,
    cast(strip_searched as bigint) as strip_searched
from filled
