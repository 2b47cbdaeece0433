{#-
    The Home Office Serious Violence Duty success measures (003, SV Duty report para 26):
    every financial year the data cover x measure x age group, 0 when none.
      knife_enabled_sv        recorded crimes on the Home Office knife list, flagged
                              knife/sharp; under_25 = youngest victim under 25
      homicide                homicides (1, 4.1, 4.10, 4.2); under_25 by youngest victim
      knife_homicide          homicides flagged knife/sharp; under_25 by youngest victim
      sharp_object_admissions emergency admissions of LLR residents for assault by sharp
                              object (external cause X99, any 4th character); under_25 =
                              the patient's age
    Police measures count by recorded_date, admissions by admitted_at.
-#}
with

recorded_crimes as (

    select * from {{ ref('int_police__recorded_crimes') }}

),

injuries as (

    select * from {{ ref('fct_assault_injury') }}

),

coverage as (

    select * from {{ ref('int_coverage__periods') }}

),

measures as (

    select measures.*
    from (
        values
        ('knife_enabled_sv', 'police', 1),
        ('homicide', 'police', 2),
        ('knife_homicide', 'police', 3),
        ('sharp_object_admissions', 'health', 4)
    ) as measures (measure, source, measure_order)

),

age_groups as (

    select age_groups.*
    from (values ('all'), ('under_25')) as age_groups (age_group)

),

events as (

    select
        financial_year,
        'knife_enabled_sv' as measure,
        is_victim_under_25 as is_under_25
    from recorded_crimes
    where is_knife_enabled_ho

    union all

    select
        financial_year,
        'homicide' as measure,
        is_victim_under_25 as is_under_25
    from recorded_crimes
    where is_homicide

    union all

    select
        financial_year,
        'knife_homicide' as measure,
        is_victim_under_25 as is_under_25
    from recorded_crimes
    where is_homicide and is_knife_sharp

    union all

    select
        financial_year,
        'sharp_object_admissions' as measure,
        coalesce(is_under_25, false) as is_under_25
    from injuries
    where source = 'admission' and is_sharp_object

),

counted as (

    select
        financial_year,
        measure,
        'all' as age_group,
        count(*) as value
    from events
    group by financial_year, measure

    union all

    select
        financial_year,
        measure,
        'under_25' as age_group,
        count(*) as value
    from events
    where is_under_25
    group by financial_year, measure

),

financial_years as (

    select financial_year
    from coverage
    where
        (source = 'police' and entity = 'crimes')
        or (source = 'health' and entity = 'assault_admissions')

    union

    select financial_year from events

),

spine as (

    select
        financial_years.financial_year,
        measures.measure,
        measures.source,
        measures.measure_order,
        age_groups.age_group
    from financial_years
    cross join measures
    cross join age_groups

)

select
    cast(spine.financial_year as varchar) as financial_year,
    cast(spine.measure as varchar) as measure,
    cast(spine.age_group as varchar) as age_group,
    cast(coalesce(counted.value, 0) as bigint) as value,
    cast(spine.source as varchar) as source,
    cast(spine.measure_order as integer) as measure_order
from spine
left join counted
    on
        spine.financial_year = counted.financial_year
        and spine.measure = counted.measure
        and spine.age_group = counted.age_group
