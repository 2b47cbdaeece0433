{#-
    The periods of each export quarter's window, one row each (DESIGN.md "Partner
    exports": "A quarter's export holds that quarter, the earlier quarters of its
    financial year, and the rolling 12 months ending with it"):
      fy_quarter   Q1 up to and including the export quarter (labelled `2023-24Q1`);
      rolling_12m  the 12 months ending on the export quarter's last day (labelled
                   `12m_to_2023-24Q2`), only when they start on or after `data_start`:
                   a 12-month label over a part year would mislead.
    At Q4 the rolling 12 months are the financial year: the sum of the four quarter rows
    of the same table (`is_sum_of_periods`), which disclosure control must respect.
-#}
with

export_quarters as (

    select * from {{ ref('int_publish__export_quarters') }}

),

fy_quarters as (

    select
        export_quarters.*,
        {{ unnest_dates(
            "make_date(" ~ financial_year_start_year('export_quarters.export_quarter_start') ~ ", 4, 1)",
            "export_quarters.export_quarter_start",
            "interval 3 month"
        ) }} as period_start
    from export_quarters

),

quarter_periods as (

    select
        export_quarter,
        financial_year,
        export_quarter_start,
        export_quarter_end,
        data_start,
        {{ fy_quarter('period_start') }} as period,
        'fy_quarter' as period_kind,
        period_start,
        cast(period_start + interval 3 month - interval 1 day as date) as period_end,
        false as is_sum_of_periods
    from fy_quarters

),

rolling_periods as (

    select
        export_quarter,
        financial_year,
        export_quarter_start,
        export_quarter_end,
        data_start,
        '12m_to_' || export_quarter as period,
        'rolling_12m' as period_kind,
        cast(export_quarter_start - interval 9 month as date) as period_start,
        export_quarter_end as period_end,
        export_quarter like '%Q4' as is_sum_of_periods
    from export_quarters
    where export_quarter_start - interval 9 month >= data_start

),

periods as (

    select * from quarter_periods
    union all
    select * from rolling_periods

)

select
    cast(export_quarter as {{ type_text() }}) as export_quarter,
    cast(financial_year as {{ type_text() }}) as financial_year,
    export_quarter_start,
    export_quarter_end,
    cast(period as {{ type_text() }}) as period,
    cast(period_kind as {{ type_text() }}) as period_kind,
    period_start,
    period_end,
    cast(
        row_number() over (partition by export_quarter order by period_kind, period_start)
        as integer
    ) as period_order,
    is_sum_of_periods
from periods
