{#- column_rules (tests/generic/column_rules.sql): a key's values as one text, each value
    or `null`, joined with ", ". -#}
{% macro column_rules_key_text(columns) -%}
concat_ws(
    ', '
    {%- for column in columns %},
    coalesce(cast({{ column }} as {{ type_text() }}), 'null')
    {%- endfor %}
)
{%- endmacro %}


{#- column_rules: a range rule in words (`within 0 to 120`, `at least 0`, `at most 1`). -#}
{% macro column_rules_bounds_text(min_value, max_value) -%}
{%- if min_value is not none and max_value is not none -%}
within {{ min_value }} to {{ max_value }}
{%- elif min_value is not none -%}
at least {{ min_value }}
{%- else -%}
at most {{ max_value }}
{%- endif -%}
{%- endmacro %}
