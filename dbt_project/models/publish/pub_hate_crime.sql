{#-
    CSP locality profile: hate crime recorded in each district of the CSP and in the CSP
    as a whole (area_level `csp`), by ONS offence group with an `all` row, for every
    period of every export quarter's window (int_publish__windows): every recorded, not
    cancelled crime flagged `flag_hate = Y`, of any offence (mart_hate_crime's rule),
    and of them the serious violence offences, with the rate per 1,000 residents over the
    period (not annualised). A crime belongs to the district and CSP its beat maps to
    (ref_beats seed) and counts by recorded_date. Every area × offence group is present
    in every period (0 when none). Figures before disclosure control.
-#}
with

areas as (

    {{ publish_csp_areas() }}

),

groups as (

    -- The ONS offence groups (ref_offence_codes.ons_offence_group) in name order, then `all`.
    {{ publish_categories(ref('ref_offence_codes'), 'ons_offence_group') }}

),

monthly as (

    select
        csp_name,
        district_code,
        ons_offence_group,
        recorded_month as month,
        count(*) as offences,
        count(*) filter (where is_serious_violence) as serious_violence_offences
    from {{ ref('int_police__recorded_crimes') }}
    where is_hate
    group by all

),

grid as (

    {{ publish_window_grid(['areas', 'groups']) }}

),

counted as (

    {{ sum_months_into_csp_areas(
        'grid', 'monthly', ['offences', 'serious_violence_offences'],
        category='ons_offence_group'
    ) }}

),

with_population as (

    select
        counted.*,
        {{ publish_csp_area_population('counted') }} as population
    from counted

)

select
    {{ publish_period_columns(per_partner=true) }},
    cast(area_level as {{ type_text() }}) as area_level,
    cast(area_code as {{ type_text() }}) as area_code,
    cast(area_name as {{ type_text() }}) as area_name,
    cast(ons_offence_group as {{ type_text() }}) as offence_group,
    cast(offences as bigint) as offences,
    cast(serious_violence_offences as bigint) as serious_violence_offences,
    -- Rounded as Python rounds (the published figures always have been): macros/rounding.sql.
    cast(
        case
            when population != 0
                then {{ round_half_even('offences * 1000 / population', 3) }}
        end as double
    ) as rate_per_1000,
    {{ publish_period_bookkeeping(
        ['period_order', 'area_order', 'category_order'], per_partner=true
    ) }}
from with_population
