{#-
    CSP locality profile, headline figures: for every period of every export quarter's
    window (int_publish__windows), each measure's offences recorded in the CSP's area,
    the same window a year earlier and the change on it, the CSP's population and the
    rate per 1,000. Classification is the marts', not written again here:
      serious_violence, public_place, domestic_abuse, sexual_violence, young_people
                       mart_sv__series_by_month's series `all`, `public_place`,
                       `domestic`, `sexual`, `young_people` (a victim or a suspect under
                       25) for the CSP (area_level `csp`);
      knife_enabled    fct_serious_violence.is_knife_enabled_ho (Home Office
                       knife-enabled offence with the knife flag);
      knife_sharp      fct_serious_violence.is_knife_sharp (the knife/sharp object flag);
      rasso            fct_rasso (recorded, not cancelled RASSO crimes);
      hate_crime       every recorded, not cancelled crime flagged hate, of any offence
                       (int_police__recorded_crimes.is_hate, mart_hate_crime's rule).
    A crime belongs to the CSP its beat maps to and counts by recorded_date. The year
    earlier is null when its days start before the data or draw on a missing file.
    Figures before disclosure control.
-#}
with

partners as (

    select * from {{ ref('ref_csp_partners') }}

),

measures as (

    select measures.*
    from (
        values
        ('serious_violence', 'all', 1),
        ('knife_enabled', null, 2),
        ('knife_sharp', null, 3),
        ('domestic_abuse', 'domestic', 4),
        ('sexual_violence', 'sexual', 5),
        ('young_people', 'young_people', 6),
        ('public_place', 'public_place', 7),
        ('rasso', null, 8),
        ('hate_crime', null, 9)
    ) as measures (measure, series, measure_order)

),

monthly as (

    select
        series.area_code as csp_name,
        series.month,
        measures.measure,
        series.offences
    from {{ ref('mart_sv__series_by_month') }} as series
    inner join measures
        on series.series = measures.series
    where series.area_level = 'csp'

    union all

    select
        csp_name,
        recorded_month as month,
        'knife_enabled' as measure,
        count(*) as offences
    from {{ ref('fct_serious_violence') }}
    where is_knife_enabled_ho
    group by all

    union all

    select
        csp_name,
        recorded_month as month,
        'knife_sharp' as measure,
        count(*) as offences
    from {{ ref('fct_serious_violence') }}
    where is_knife_sharp
    group by all

    union all

    select
        csp_name,
        recorded_month as month,
        'rasso' as measure,
        count(*) as offences
    from {{ ref('fct_rasso') }}
    group by all

    union all

    select
        csp_name,
        recorded_month as month,
        'hate_crime' as measure,
        count(*) as offences
    from {{ ref('int_police__recorded_crimes') }}
    where is_hate
    group by all

),

grid as (

    {{ publish_window_grid(['partners', 'measures']) }}

),

grid_year_earlier as (

    {{ publish_year_earlier_grid('grid') }}

),

counted as (

    {{ sum_months_into_periods(
        'grid', 'monthly', ['offences'], match_on=['csp_name', 'measure']
    ) }}

),

counted_year_earlier as (

    {{ sum_months_into_periods(
        'grid_year_earlier', 'monthly', ['offences'], match_on=['csp_name', 'measure']
    ) }}

),

compared as (

    {{ join_year_earlier(
        'counted', 'counted_year_earlier', ['offences'], ['partner', 'measure']
    ) }}

),

with_population as (

    select
        compared.*,
        populations.population
    from compared
    left join {{ ref('int_geography__area_populations') }} as populations
        on
            compared.financial_year = populations.financial_year
            and populations.area_level = 'csp'
            and compared.csp_name = populations.area_code

)

select
    {{ publish_period_columns(per_partner=true) }},
    cast(measure as {{ type_text() }}) as measure,
    cast(offences as bigint) as offences,
    cast(offences_year_earlier as bigint) as offences_year_earlier,
    {{ change_on_year_earlier('offences') }} as change_on_year_earlier,
    cast(population as bigint) as population,
    {{ rate_per_1000_of('offences', 'population') }} as rate_per_1000,
    {{ publish_period_bookkeeping_with_year_earlier(
        ['period_order', 'measure_order'], per_partner=true
    ) }}
from with_population
