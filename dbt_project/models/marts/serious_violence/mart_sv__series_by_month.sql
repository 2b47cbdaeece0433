{#-
    Serious violence per month recorded for LLR, each upper-tier authority, district and
    CSP, in the five series the Strategic Needs Assessment reports side by side (003 SNA,
    the summary table "All Serious Violence | Public Place Serious Violence | Domestic
    Abuse | Sexual Violence | Violence Involving Young People"; the VRN's first four
    years were about public place serious violence, 003 SV Duty report, and "reductions
    in public place serious violence" and "in serious violence involving young people"
    are its outcome measures):
      all           every serious violence offence (fct_serious_violence);
      public_place  committed outside a home: location_type `public_open_place`,
                    `hospitality`, `shop`, `transport`, `education` or `workplace` (the
                    SNA's public place violence occurs "in a public/open place, followed
                    by hospitality and shop settings"); `dwelling` is the domestic
                    setting, and `other` or a blank location is not known to be public;
      domestic      flagged domestic-abuse related (`flag_domestic_abuse = Y`);
      sexual        sexual violence (ref_offence_codes.is_sexual_violence);
      young_people  violence involving young people: the youngest victim or the youngest
                    suspect under 25 at the offence (the SNA profiles both victims and
                    perpetrators of "offences involving under 25s"; an unknown age is
                    not under 25).
    The series overlap (a domestic crime may be sexual and involve young people), so
    they do not add up to `all`. Counted by recorded_date in the area the crime's beat
    maps to (ref_beats seed). Every month of every quarter the crime data cover × area ×
    series is present, 0 when none.
-#}
with

serious_violence as (

    select * from {{ ref('fct_serious_violence') }}

),

populations as (

    select * from {{ ref('int_geography__area_populations') }}

),

coverage as (

    select * from {{ ref('int_coverage__periods') }}

),

series as (

    select series.*
    from (
        values
        ('all', 1),
        ('public_place', 2),
        ('domestic', 3),
        ('sexual', 4),
        ('young_people', 5)
    ) as series (series, series_order)

),

classified as (

    select
        recorded_month as month,
        la_code,
        district_code,
        csp_name,
        coalesce(
            location_type in (
                'public_open_place', 'hospitality', 'shop', 'transport', 'education',
                'workplace'
            ),
            false
        ) as is_public_place,
        is_domestic_abuse,
        is_sexual_violence,
        coalesce(youngest_victim_age < 25, false)
        or coalesce(youngest_suspect_age < 25, false) as is_young_people
    from serious_violence

),

in_series as (

    select
        classified.*,
        series.series
    from classified
    inner join series
        on
            series.series = 'all'
            or (series.series = 'public_place' and classified.is_public_place)
            or (series.series = 'domestic' and classified.is_domestic_abuse)
            or (series.series = 'sexual' and classified.is_sexual_violence)
            or (series.series = 'young_people' and classified.is_young_people)

),

placed as (

    -- Each crime once per series and level of area it is counted in.
    select
        month,
        series,
        'llr' as area_level,
        'LLR' as area_code
    from in_series

    union all

    select
        month,
        series,
        'la' as area_level,
        la_code as area_code
    from in_series
    where la_code is not null

    union all

    select
        month,
        series,
        'district' as area_level,
        district_code as area_code
    from in_series
    where district_code is not null

    union all

    select
        month,
        series,
        'csp' as area_level,
        csp_name as area_code
    from in_series
    where csp_name is not null

),

counted as (

    select
        month,
        series,
        area_level,
        area_code,
        count(*) as offences
    from placed
    group by month, series, area_level, area_code

),

months as (

    -- Every month of a quarter whose crimes file is loaded, and any month with a crime.
    select distinct
        {{ unnest_dates(
            "cast(period_start as date)",
            "cast(period_end as date)",
            "interval 1 month"
        ) }} as month
    from coverage
    where source = 'police' and entity = 'crimes'

    union

    select month from classified

),

spine as (

    select
        months.month,
        populations.financial_year,
        populations.area_level,
        populations.area_code,
        populations.area_name,
        series.series,
        series.series_order
    from months
    inner join populations
        on {{ financial_year('months.month') }} = populations.financial_year
    cross join series

)

select
    cast(spine.month as date) as month,
    cast(spine.financial_year as {{ type_text() }}) as financial_year,
    cast(spine.area_level as {{ type_text() }}) as area_level,
    cast(spine.area_code as {{ type_text() }}) as area_code,
    cast(spine.area_name as {{ type_text() }}) as area_name,
    cast(spine.series as {{ type_text() }}) as series,
    cast(spine.series_order as integer) as series_order,
    cast(coalesce(counted.offences, 0) as bigint) as offences
from spine
left join counted
    on
        spine.month = counted.month
        and spine.series = counted.series
        and spine.area_level = counted.area_level
        and spine.area_code = counted.area_code
