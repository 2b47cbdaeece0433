{#-
    The quarters the warehouse exports (DESIGN.md "Partner exports"): every financial-year
    quarter from the first to the last quarter of police crimes loaded, gaps included. The
    police crimes extract is the partnership's clock: a quarter the force has not sent is
    not exported yet, and a quarter inside the span whose file is missing is exported with
    `[x]` where its figures would be (int_publish__source_coverage). `data_start` is the
    first day of the first exported quarter: no window reaches back before it.
-#}
with

crimes_quarters as (

    select cast({{ period_start('period') }} as date) as quarter_start
    from {{ ref('stg_audit__files') }}
    where
        source = 'police'
        and entity = 'crimes'
        and outcome = 'loaded'
        and {{ regexp_matches_whole('period', regex_literal('\d{4}-\d{2}Q[1-4]')) }}

),

bounds as (

    select
        min(quarter_start) as data_start,
        max(quarter_start) as last_quarter_start
    from crimes_quarters

),

quarters as (

    select
        data_start,
        {{ unnest_dates(
            "data_start",
            "last_quarter_start",
            "interval 3 month"
        ) }}
            as quarter_start
    from bounds
    where data_start is not null

)

select
    {{ fy_quarter('quarter_start') }} as export_quarter,
    {{ financial_year('quarter_start') }} as financial_year,
    quarter_start as export_quarter_start,
    cast(quarter_start + interval 3 month - interval 1 day as date) as export_quarter_end,
    data_start
from quarters
