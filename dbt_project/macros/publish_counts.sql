{#- The partner tables' counting, written once. Most `pub_` tables have one shape: every
    period of every export quarter's window (int_publish__windows) × the table's
    categories (and the CSP partners, for a CSP's tables) is a row, and its figures are
    the sums of the fact's monthly counts whose month lies in the period. A model says
    what is particular to it: the fact it counts by month (a `monthly` CTE: one row per
    month and category, the month's first day in `month`), its categories and the columns
    it publishes; it builds its rows with these macros:

        grid as ({{ publish_window_grid(['partners', 'location_types']) }}),
        counted as ({{ sum_months_into_periods('grid', 'monthly', ['offences'], ...) }})
        select
            {{ publish_period_columns(per_partner=true) }},
            <its categories and figures, cast to the published types>,
            {{ publish_period_bookkeeping(['period_order', 'category_order'], ...) }}
        from counted -#}

{#- Every period of every export quarter's window (all the columns of
    int_publish__windows: export_quarter, financial_year, period, period_start,
    period_end, period_order, is_sum_of_periods, ...) × every row of each relation of
    `across` (CTE names, their columns kept): a table's rows before they are counted. -#}
{% macro publish_window_grid(across) -%}
    select
        windows.*
    {%- for relation in across %},
        {{ relation }}.*
    {%- endfor %}
    from {{ ref('int_publish__windows') }} as windows
    {%- for relation in across %}
    cross join {{ relation }}
    {%- endfor %}
{%- endmacro %}

{#- Each row of `grid` (publish_window_grid, or any relation with the windows' columns)
    with every column of `counts` summed over the rows of `monthly` whose `month` lies in
    the row's period and that belong to the row (0 when none do):
      match_on    columns that must be equal in both (`csp_name`, `source`, ...);
      category    a column whose `total` row (`all`) sums every category and whose
                  other rows sum their own;
      aggregates  other figures of the same rows that are not sums, as
                  {name: aggregate expression over `monthly`}.
    Grouped by every column of the grid, so a later select can use any of them. -#}
{% macro sum_months_into_periods(
    grid, monthly, counts, match_on=[], category=none, total='all', aggregates={}
) -%}
    select
        {{ grid }}.*
    {%- for count in counts %},
        coalesce(sum({{ monthly }}.{{ count }}), 0) as {{ count }}
    {%- endfor %}
    {%- for name, expression in aggregates.items() %},
        {{ expression }} as {{ name }}
    {%- endfor %}
    from {{ grid }}
    left join {{ monthly }}
        on
            {{ monthly }}.month between {{ grid }}.period_start and {{ grid }}.period_end
    {%- for column in match_on %}
            and {{ grid }}.{{ column }} = {{ monthly }}.{{ column }}
    {%- endfor %}
    {%- if category %}
            and (
                {{ grid }}.{{ category }} = '{{ total }}'
                or {{ grid }}.{{ category }} = {{ monthly }}.{{ category }}
            )
    {%- endif %}
    group by all
{%- endmacro %}

{#- The rows of `monthly` summed into every combination of each column of `categories`
    and its `total` row: each row counted under its own value and under `total`, for
    every category. `keep` names the other columns kept as they are (the month, the CSP,
    ...), `counts` the columns summed. A grid can then find its cells' months by equality
    (sum_months_into_periods' `match_on`) instead of comparing every grid row with every
    month (its `category`, which allows one category). -#}
{% macro with_category_totals(monthly, keep, categories, counts, total='all') -%}
    {%- set flags, combinations = [], [] -%}
    {%- for column in categories %}{% do flags.append('total_' ~ column) %}{% endfor -%}
    {%- for i in range(2 ** (categories | length)) -%}
        {%- set row = [] -%}
        {%- for column in categories -%}
            {%- do row.append('true' if (i // 2 ** loop.index0) % 2 else 'false') -%}
        {%- endfor -%}
        {%- do combinations.append('(' ~ row | join(', ') ~ ')') -%}
    {%- endfor %}
    select
    {%- for column in keep %}
        {{ monthly }}.{{ column }},
    {%- endfor %}
    {%- for column in categories %}
        case
            when totals.total_{{ column }} then '{{ total }}'
            else {{ monthly }}.{{ column }}
        end as {{ column }},
    {%- endfor %}
    {%- for count in counts %}
        sum({{ monthly }}.{{ count }}) as {{ count }}{{ ',' if not loop.last }}
    {%- endfor %}
    from {{ monthly }}
    cross join
        (values {{ combinations | join(', ') }}) as totals ({{ flags | join(', ') }})
    group by all
{%- endmacro %}

{#- The columns a windowed row is published under, first in every such table:
    export_quarter, partner (the CSP receiving it, `per_partner` tables only), period
    and its first and last day. -#}
{% macro publish_period_columns(per_partner=false) -%}
    cast(export_quarter as {{ type_text() }}) as export_quarter,
    {%- if per_partner %}
    cast(partner as {{ type_text() }}) as partner,
    {%- endif %}
    cast(period as {{ type_text() }}) as period,
    period_start,
    period_end
{%- endmacro %}

{#- The columns a windowed row ends with, last in every such table: publish_bookkeeping
    over its period (draws_from, draws_to, missing), is_sum_of_periods, and row_order,
    its place in its export quarter's (and partner's) table by `order_by`. -#}
{% macro publish_period_bookkeeping(order_by, per_partner=false) -%}
    {{ publish_bookkeeping('period_start', 'period_end') }},
    is_sum_of_periods,
    cast(
        row_number() over (
            partition by export_quarter{{ ', partner' if per_partner }}
            order by {{ order_by | join(', ') }}
        ) as integer
    ) as row_order
{%- endmacro %}

{#- The distinct values of `column` in `relation` (nulls left out), numbered in
    `order_by` order (the values themselves by default) as `category_order`, then the
    `total` row that stands for all of them, last. -#}
{% macro publish_categories(relation, column, order_by=none, total='all') -%}
    select
        {{ column }},
        row_number() over (order by {{ order_by or column }}) as category_order
    from (
        select distinct
            {{ column }}
    {%- if order_by %},
            {{ order_by }}
    {%- endif %}
        from {{ relation }}
        where {{ column }} is not null
    )

    union all

    select
        '{{ total }}' as {{ column }},
        1000 as category_order
{%- endmacro %}

{#- The partner tables' age bands (exports/tables.py AGE_BANDS), shared by the CSPs'
    youngest victim and the ICB's patient: under 18, 18-24 (the SV Duty's under-25s),
    then ten-year bands to 65+, then `unknown` (no age, or none of the bands), then the
    `all` row; as (`column`, min_age, max_age, category_order). -#}
{% macro publish_age_bands(column) -%}
    select age_bands.*
    from (
        values
        ('0-17', 0, 17, 1),
        ('18-24', 18, 24, 2),
        ('25-34', 25, 34, 3),
        ('35-44', 35, 44, 4),
        ('45-54', 45, 54, 5),
        ('55-64', 55, 64, 6),
        ('65+', 65, 200, 7),
        ('unknown', null, null, 8),
        ('all', null, null, 1000)
    ) as age_bands ({{ column }}, min_age, max_age, category_order)
{%- endmacro %}

{#- The three health extracts (fct_assault_injury.source), in the order the ICB's tables
    list them, as (source, source_order). -#}
{% macro publish_health_sources() -%}
    select health_sources.*
    from (
        values
        ('ae', 1),
        ('admission', 2),
        ('ambulance', 3)
    ) as health_sources (source, source_order)
{%- endmacro %}

{#- The Serious Violence Duty's baseline year: the Home Office success measures are
    tracked "compared to 2019/20" (003, SV Duty report para 26, its table's columns
    "Volume change compared to 2019/20" and "% change compared to 2019/20"). -#}
{% macro sv_duty_baseline_financial_year() -%}
    '2019-20'
{%- endmacro %}

{#- The period a Serious Violence Duty figure is compared with: a quarter (`quarter` in
    dim_period, `fy_quarter` in the export windows) with the same quarter of the
    baseline year (`2023-24Q2` -> `2019-20Q2`); a financial year or 12 months with the
    baseline financial year (`2019-20`). -#}
{% macro sv_duty_baseline_period(period_expr, period_type_expr) -%}
    case
        when {{ period_type_expr }} in ('quarter', 'fy_quarter')
            then {{ sv_duty_baseline_financial_year() }} || right({{ period_expr }}, 2)
        else {{ sv_duty_baseline_financial_year() }}
    end
{%- endmacro %}

{#- The whole `pub_sv_duty_*_measures` model: Home Office Serious Violence Duty success
    measures, each for all ages and for people under 25 (an unknown age is not under
    25), for every period of every export quarter's window, with the baseline (the same
    count over the baseline window, sv_duty_baseline_period: the same quarter of
    2019-20 for a quarter, the 2019-20 financial year for the rolling 12 months) and,
    `with_change`, the change on it as a fraction. The baseline is null, not 0, when
    its window is not wholly in the data: before the first quarter any partner file
    covers (int_publish__source_coverage), or drawing on a missing file of the table's
    extracts (publish_missing). `measures` is {measure: condition on `fact`}, in
    published order; a row of `fact` counts in the month of `counted_by`, under 25 when
    `age` is below 25. -#}
{% macro publish_sv_duty_measures(fact, counted_by, age, measures, with_change=true) -%}
with

measures as (

    select measures.*
    from (
        values
    {%- for measure in measures %}
        ('{{ measure }}', {{ loop.index }}){{ ',' if not loop.last }}
    {%- endfor %}
    ) as measures (measure, measure_order)

),

age_groups as (

    select age_groups.*
    from (values ('all', 1), ('under_25', 2)) as age_groups (age_group, age_group_order)

),

monthly as (

    -- Each measure's rows by month and age group; `all`, the total age group, sums both.
    {%- for measure, condition in measures.items() %}
        {{ 'union all' if not loop.first }}
        select
            {{ month_start(counted_by) }} as month,
            '{{ measure }}' as measure,
            case when {{ age }} < 25 then 'under_25' else 'not_under_25' end as age_group,
            count(*) as value
        from {{ fact }}
        where {{ condition }}
        group by all
    {%- endfor %}

),

grid as (

    {{ publish_window_grid(['measures', 'age_groups']) }}

),

counted as (

    {{ sum_months_into_periods(
        'grid', 'monthly', ['value'], match_on=['measure'], category='age_group'
    ) }}

),

baseline_periods as (

    select distinct
        period,
        period_kind,
        {{ sv_duty_baseline_period('period', 'period_kind') }} as baseline_period
    from grid

),

baseline_windows as (

    select
        period,
        baseline_period,
        case
            when period_kind = 'fy_quarter'
                then {{ period_start('baseline_period', 'fy_quarter') }}
            else {{ period_start('baseline_period', 'financial_year') }}
        end as baseline_start,
        case
            when period_kind = 'fy_quarter'
                then {{ period_end('baseline_period', 'fy_quarter') }}
            else {{ period_end('baseline_period', 'financial_year') }}
        end as baseline_end
    from baseline_periods

),

baseline_grid as (

    -- The baseline window in place of the period, so the same summing counts it.
    select
        grid.export_quarter,
        grid.period,
        grid.measure,
        grid.age_group,
        cast(baseline_windows.baseline_start as date) as period_start,
        cast(baseline_windows.baseline_end as date) as period_end,
        baseline_windows.baseline_start >= (
            select min(coverage.period_start)
            from {{ ref('int_publish__source_coverage') }} as coverage
        )
        and {{ publish_missing(
            'baseline_windows.baseline_start', 'baseline_windows.baseline_end'
        ) }} is null as is_baseline_in_data
    from grid
    inner join baseline_windows
        on grid.period = baseline_windows.period

),

baseline_counted as (

    {{ sum_months_into_periods(
        'baseline_grid', 'monthly', ['value'], match_on=['measure'], category='age_group'
    ) }}

),

compared as (

    select
        counted.*,
        case when baseline_counted.is_baseline_in_data then baseline_counted.value end
            as baseline_value
    from counted
    left join baseline_counted
        on
            counted.export_quarter = baseline_counted.export_quarter
            and counted.period = baseline_counted.period
            and counted.measure = baseline_counted.measure
            and counted.age_group = baseline_counted.age_group

)

select
    {{ publish_period_columns() }},
    cast(measure as {{ type_text() }}) as measure,
    cast(age_group as {{ type_text() }}) as age_group,
    cast(value as bigint) as value,
    cast(baseline_value as bigint) as baseline_value,
    {%- if with_change %}
    cast({{ share('value - baseline_value', 'baseline_value') }} as double)
        as change_on_baseline,
    {%- endif %}
    {{ publish_period_bookkeeping(['period_order', 'measure_order', 'age_group_order']) }}
from compared
{%- endmacro %}
