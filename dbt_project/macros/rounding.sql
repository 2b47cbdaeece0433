{#- Rounding for published figures, written once. -#}

{#- `expr` rounded to `digits` decimals exactly as Python's round() does, which the
    partner tables have always used: the decimal nearest the double's exact binary value,
    an exact tie to the even digit. DuckDB's round() and round_even() work on the
    shortest decimal text instead, so they differ on values such as 61/160 (stored
    just below 0.38125: Python 0.3812, round() 0.3813). The exact value's first 40
    decimals (printf) decide, enough to tell any double from a tie for `digits` up to
    10; the result is the double nearest the rounded decimal. Null stays null. -#}
{% macro round_half_even(expr, digits) -%}
    {{ return(adapter.dispatch('round_half_even', 'vrn_warehouse')(expr, digits)) }}
{%- endmacro %}

{#- DuckDB (the default); Spark's is in cross_database.sql. -#}
{% macro default__round_half_even(expr, digits) -%}
    {%- set exact -%}printf('%.40f', abs(cast({{ expr }} as double))){%- endset -%}
    {%- set point -%}{{ text_position(exact, "'.'") }}{%- endset -%}
    {%- set kept -%}left({{ exact }}, {{ point }} + {{ digits }}){%- endset -%}
    {%- set rest -%}substr({{ exact }}, {{ point }} + {{ digits }} + 1){%- endset -%}
    {%- set half -%}'5{{ "0" * (39 - digits) }}'{%- endset -%}
    cast(
        sign(cast({{ expr }} as double))
        * cast(
            cast(replace({{ kept }}, '.', '') as hugeint)
            + case
                when {{ rest }} > {{ half }} then 1
                when {{ rest }} = {{ half }} and cast(right({{ kept }}, 1) as integer) % 2 = 1
                    then 1
                else 0
            end
            as double
        )
        / {{ 10 ** digits }}
        as double
    )
{%- endmacro %}
