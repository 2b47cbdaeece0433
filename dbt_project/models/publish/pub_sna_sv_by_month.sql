{#-
    Strategic needs assessment profile (opcc): serious violence recorded in LLR per
    calendar month, the 24 months ending with each export quarter (those on or after the
    data start, int_publish__export_quarters.data_start), with the SNA's series among
    them: knife or sharp object and Home Office knife-enabled (fct_serious_violence's
    flags), domestic abuse related, sexual, involving young people (a victim or suspect
    under 25) and in a public place (mart_sv__series_by_month, area_level `llr`, whose
    classification this reuses). The series overlap and do not add up. Counted by
    recorded_date. Every month is present (0 when none). Figures before disclosure
    control.
-#}
with

export_quarters as (

    select * from {{ ref('int_publish__export_quarters') }}

),

months as (

    select
        export_quarter,
        {{ unnest_dates(
            "greatest(export_quarter_start - interval 21 month, data_start)",
            "export_quarter_start + interval 2 month",
            "interval 1 month"
        ) }} as month
    from export_quarters

),

series as (

    select
        month,
        sum(offences) filter (where series = 'all') as offences,
        sum(offences) filter (where series = 'domestic') as domestic_abuse_offences,
        sum(offences) filter (where series = 'sexual') as sexual_violence_offences,
        sum(offences) filter (where series = 'young_people') as young_people_offences,
        sum(offences) filter (where series = 'public_place') as public_place_offences
    from {{ ref('mart_sv__series_by_month') }}
    where area_level = 'llr'
    group by month

),

knives as (

    select
        recorded_month as month,
        count(*) filter (where is_knife_sharp) as knife_sharp_offences,
        count(*) filter (where is_knife_enabled_ho) as knife_enabled_offences
    from {{ ref('fct_serious_violence') }}
    group by recorded_month

)

select
    cast(months.export_quarter as {{ type_text() }}) as export_quarter,
    cast(months.month as date) as month,
    cast(coalesce(series.offences, 0) as bigint) as offences,
    cast(coalesce(knives.knife_sharp_offences, 0) as bigint) as knife_sharp_offences,
    cast(coalesce(knives.knife_enabled_offences, 0) as bigint) as knife_enabled_offences,
    cast(coalesce(series.domestic_abuse_offences, 0) as bigint) as domestic_abuse_offences,
    cast(coalesce(series.sexual_violence_offences, 0) as bigint) as sexual_violence_offences,
    cast(coalesce(series.young_people_offences, 0) as bigint) as young_people_offences,
    cast(coalesce(series.public_place_offences, 0) as bigint) as public_place_offences,
    {{ publish_bookkeeping('months.month', "months.month + interval 1 month - interval 1 day") }},
    cast(
        row_number() over (partition by months.export_quarter order by months.month)
        as integer
    ) as row_order
from months
left join series
    on months.month = series.month
left join knives
    on months.month = knives.month
