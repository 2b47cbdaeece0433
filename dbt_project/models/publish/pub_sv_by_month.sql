{#-
    CSP locality profile: serious violence recorded in the CSP's area per calendar month,
    the 12 months ending with each export quarter (those on or after the data start,
    int_publish__window_months), with the knife or sharp object, domestic abuse and
    victim under 25 offences among them, and the month a year earlier (so the profile
    draws 24 months: null when that month starts before the data or draws on a missing
    file). A crime belongs to the CSP its beat maps to in dim_geography and counts by
    recorded_date (spec/published-figures.md); an unset flag or an unknown victim age
    does not count. Every month is present (0 when none). Figures before disclosure
    control.
-#}
with

window_months as (

    select * from {{ ref('int_publish__window_months') }}

),

partners as (

    select * from {{ ref('ref_csp_partners') }}

),

monthly as (

    select
        geography.csp_name,
        {{ month_start('crimes.recorded_date') }} as month,
        count(*) as offences,
        count(*) filter (where crimes.is_knife_sharp) as knife_or_sharp_object_offences,
        count(*) filter (where crimes.is_domestic_abuse) as domestic_abuse_offences,
        count(*) filter (where crimes.youngest_victim_age < 25) as victim_under_25_offences
    from {{ ref('fct_serious_violence') }} as crimes
    inner join {{ ref('dim_geography') }} as geography
        on crimes.beat_code = geography.beat_code
    group by all

),

counted as (

    select
        window_months.export_quarter,
        partners.partner,
        window_months.month,
        window_months.month_end,
        window_months.month_order,
        coalesce(monthly.offences, 0) as offences,
        coalesce(monthly.knife_or_sharp_object_offences, 0) as knife_or_sharp_object_offences,
        coalesce(monthly.domestic_abuse_offences, 0) as domestic_abuse_offences,
        coalesce(monthly.victim_under_25_offences, 0) as victim_under_25_offences,
        case
            when
                window_months.month - interval 1 year >= {{ publish_data_start() }}
                and {{ publish_missing(
                    'window_months.month - interval 1 year',
                    'window_months.month_end - interval 1 year'
                ) }} is null
                then coalesce(year_earlier.offences, 0)
        end as offences_year_earlier
    from window_months
    cross join partners
    left join monthly
        on
            partners.csp_name = monthly.csp_name
            and window_months.month = monthly.month
    left join monthly as year_earlier
        on
            partners.csp_name = year_earlier.csp_name
            and window_months.month - interval 1 year = year_earlier.month

)

select
    cast(export_quarter as {{ type_text() }}) as export_quarter,
    cast(partner as {{ type_text() }}) as partner,
    cast(month as date) as month,
    cast(offences as bigint) as offences,
    cast(knife_or_sharp_object_offences as bigint) as knife_or_sharp_object_offences,
    cast(domestic_abuse_offences as bigint) as domestic_abuse_offences,
    cast(victim_under_25_offences as bigint) as victim_under_25_offences,
    cast(offences_year_earlier as bigint) as offences_year_earlier,
    cast(
        case
            when offences_year_earlier is not null then month - interval 1 year
            else month
        end as date
    ) as draws_from,
    cast(month_end as date) as draws_to,
    cast({{ publish_missing('month', 'month_end') }} as {{ type_text() }}) as missing,
    cast(
        row_number() over (partition by export_quarter, partner order by month_order)
        as integer
    ) as row_order
from counted
