{#- The profiles' tables (DESIGN.md "Profiles": every figure a profile shows comes from
    the disclosure-controlled tables the partner receives), written once where they
    differ from the other `pub_` tables: the same window a year earlier, and
    bookkeeping for rows that are not periods of the window. -#}

{#- The first day of the data the exports cover (int_publish__export_quarters.data_start,
    the police crimes extract's first quarter): a figure over days before it is not
    known, so it is left null (the exporter's `[x]`), never counted as 0. -#}
{% macro publish_data_start() -%}
    (select min(export_quarters.data_start) from {{ ref('int_publish__export_quarters') }} as export_quarters)
{%- endmacro %}

{#- Each row of `grid` (publish_window_grid and its categories) with its period moved a
    year back (`2023-24Q2` -> July to September 2022; `12m_to_2023-24Q2` -> the 12
    months to September 2022), to be summed with sum_months_into_periods like the
    period itself; `is_year_earlier_in_data` is false when those days start before the
    data or draw on a missing partner file of this model (publish_missing). -#}
{% macro publish_year_earlier_grid(grid) -%}
    select
        {{ star_replace(grid, [
            ('cast(' ~ grid ~ '.period_start - interval 1 year as date)', 'period_start'),
            ('cast(' ~ grid ~ '.period_end - interval 1 year as date)', 'period_end'),
        ]) }},
        {{ grid }}.period_start - interval 1 year >= {{ publish_data_start() }}
        and {{ publish_missing(
            grid ~ '.period_start - interval 1 year', grid ~ '.period_end - interval 1 year'
        ) }} is null as is_year_earlier_in_data
    from {{ grid }}
{%- endmacro %}

{#- `counted` (sum_months_into_periods over the grid) with each column of `counts` also
    over the same window a year earlier, from `counted_year_earlier` (the same summing
    over publish_year_earlier_grid), as `<count>_year_earlier`: null when those days are
    not all in the data. `join_on` are the grid's columns that identify a row besides
    export_quarter and period. Adds `year_earlier_start`, the first day it draws on. -#}
{% macro join_year_earlier(counted, counted_year_earlier, counts, join_on) -%}
    select
        {{ counted }}.*,
    {%- for count in counts %}
        case
            when {{ counted_year_earlier }}.is_year_earlier_in_data
                then {{ counted_year_earlier }}.{{ count }}
        end as {{ count }}_year_earlier,
    {%- endfor %}
        case
            when {{ counted_year_earlier }}.is_year_earlier_in_data
                then {{ counted_year_earlier }}.period_start
        end as year_earlier_start
    from {{ counted }}
    left join {{ counted_year_earlier }}
        on
            {{ counted }}.export_quarter = {{ counted_year_earlier }}.export_quarter
            and {{ counted }}.period = {{ counted_year_earlier }}.period
    {%- for column in join_on %}
            and {{ counted }}.{{ column }} = {{ counted_year_earlier }}.{{ column }}
    {%- endfor %}
{%- endmacro %}

{#- The columns a windowed row with a year-earlier figure ends with: as
    publish_period_bookkeeping, except that draws_from is the first day of the year
    earlier when that figure is shown (a gate failing on those days holds the export
    back), while `missing` stays the period's own (a missing file a year earlier blanks
    only the year-earlier figure, through is_year_earlier_in_data). -#}
{% macro publish_period_bookkeeping_with_year_earlier(order_by, per_partner=false) -%}
    cast(coalesce(year_earlier_start, period_start) as date) as draws_from,
    cast(period_end as date) as draws_to,
    cast({{ publish_missing('period_start', 'period_end') }} as {{ type_text() }}) as missing,
    is_sum_of_periods,
    cast(
        row_number() over (
            partition by export_quarter{{ ', partner' if per_partner }}
            order by {{ order_by | join(', ') }}
        ) as integer
    ) as row_order
{%- endmacro %}

{#- The change on the year earlier as a fraction (0.25 = a quarter more), rounded to 4
    places as Python rounds; null when the year earlier is null or 0. -#}
{% macro change_on_year_earlier(count) -%}
    cast(
        {{ round_half_even(share(count ~ ' - ' ~ count ~ '_year_earlier', count ~ '_year_earlier'), 4) }}
        as double
    )
{%- endmacro %}

{#- A rate per 1,000 residents over the period (not annualised), rounded to 3 places as
    Python rounds (macros/rounding.sql), null without a population. -#}
{% macro rate_per_1000_of(count, population) -%}
    cast(
        case
            when {{ population }} != 0
                then {{ round_half_even(count ~ ' * 1000 / ' ~ population, 3) }}
        end as double
    )
{%- endmacro %}

{#- The financial years complete by each export quarter (their last day on or before the
    quarter's), from the first the data cover: the annual marts' rows a profile may show
    at that quarter; a year still running is left out, as its mart row would count days
    after the export quarter. (export_quarter, export_quarter_end, financial_year,
    year_start, year_end, year_order). -#}
{% macro publish_complete_financial_years() -%}
    select
        export_quarters.export_quarter,
        export_quarters.export_quarter_end,
        {{ financial_year('years.year_start') }} as financial_year,
        cast(years.year_start as date) as year_start,
        cast(years.year_start + interval 1 year - interval 1 day as date) as year_end,
        row_number() over (
            partition by export_quarters.export_quarter order by years.year_start
        ) as year_order
    from {{ ref('int_publish__export_quarters') }} as export_quarters
    inner join (
        select
            {{ unnest_dates(
                "make_date(" ~ financial_year_start_year('min(data_start)') ~ ", 4, 1)",
                "max(export_quarter_end)",
                "interval 1 year"
            ) }} as year_start
        from {{ ref('int_publish__export_quarters') }}
    ) as years
        on years.year_start + interval 1 year - interval 1 day <= export_quarters.export_quarter_end
{%- endmacro %}
