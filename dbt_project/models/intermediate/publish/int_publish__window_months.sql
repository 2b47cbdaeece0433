{#-
    The months of each export quarter's window: the 12 months ending with the quarter,
    those on or after `data_start` (monthly tables and the rolling RASSO performance
    rows), with the financial-year quarter each month falls in (quarterly returns).
-#}
with

export_quarters as (

    select * from {{ ref('int_publish__export_quarters') }}

),

months as (

    select
        export_quarters.*,
        {{ unnest_dates(
            "greatest( export_quarters.export_quarter_start - interval 9 month, export_quarters.data_start )",
            "export_quarters.export_quarter_start + interval 2 month",
            "interval 1 month"
        ) }} as month
    from export_quarters

)

select
    cast(export_quarter as {{ type_text() }}) as export_quarter,
    month,
    cast(month + interval 1 month - interval 1 day as date) as month_end,
    cast({{ fy_quarter('month') }} as {{ type_text() }}) as fy_quarter,
    cast(row_number() over (partition by export_quarter order by month) as integer)
        as month_order
from months
