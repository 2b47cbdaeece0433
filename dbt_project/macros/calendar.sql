{#-
    The UK calendars every figure is counted in, written once (vrn/periods.py holds the
    same rules for Python). Financial year 1 April - 31 March, labelled `2023-24`;
    quarters Q1 Apr-Jun ... Q4 Jan-Mar, labelled `2023-24Q1`; academic year
    1 September - 31 August.
-#}

{% macro financial_year_start_year(date_expr) -%}
    (year({{ date_expr }}) - case when month({{ date_expr }}) < 4 then 1 else 0 end)
{%- endmacro %}

{% macro financial_year(date_expr) -%}
    printf(
        '%d-%02d',
        {{ financial_year_start_year(date_expr) }},
        ({{ financial_year_start_year(date_expr) }} + 1) % 100
    )
{%- endmacro %}

{% macro fy_quarter(date_expr) -%}
    ({{ financial_year(date_expr) }} || 'Q' || cast({{ int_div('((month(' ~ date_expr ~ ') + 8) % 12)', 3) }} + 1 as {{ type_text() }}))
{%- endmacro %}

{% macro academic_year(date_expr) -%}
    printf(
        '%d-%02d',
        year({{ date_expr }}) - case when month({{ date_expr }}) < 9 then 1 else 0 end,
        (year({{ date_expr }}) - case when month({{ date_expr }}) < 9 then 1 else 0 end + 1) % 100
    )
{%- endmacro %}

{#- First day of a period label: `2023-24Q2` -> 2023-07-01; `2023-24` (financial year)
    -> 2023-04-01; `2023-24` with kind='academic_year' -> 2023-09-01. -#}
{% macro period_start(period_expr, kind='fy_quarter') -%}
    {%- if kind == 'fy_quarter' -%}
        (make_date(cast(substr({{ period_expr }}, 1, 4) as integer), 4, 1)
            + {{ months_interval('3 * (cast(substr(' ~ period_expr ~ ', 9, 1) as integer) - 1)') }})
    {%- elif kind == 'financial_year' -%}
        make_date(cast(substr({{ period_expr }}, 1, 4) as integer), 4, 1)
    {%- elif kind == 'academic_year' -%}
        make_date(cast(substr({{ period_expr }}, 1, 4) as integer), 9, 1)
    {%- else -%}
        {{ exceptions.raise_compiler_error("period_start: unknown period kind " ~ kind) }}
    {%- endif -%}
{%- endmacro %}

{#- Last day inside a period label. -#}
{% macro period_end(period_expr, kind='fy_quarter') -%}
    {%- set months = 3 if kind == 'fy_quarter' else 12 -%}
    cast({{ period_start(period_expr, kind) }} + {{ months_interval(months) }} - interval 1 day as date)
{%- endmacro %}

{#- The financial year before a label: `2023-24` -> `2022-23`. -#}
{% macro previous_financial_year(fy_expr) -%}
    printf(
        '%d-%02d',
        cast(left({{ fy_expr }}, 4) as integer) - 1,
        cast(left({{ fy_expr }}, 4) as integer) % 100
    )
{%- endmacro %}
