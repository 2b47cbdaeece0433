{#- column_rules (tests/generic/column_rules.sql): a key's values as one text, each value
    or `null`, joined with ", ". -#}
{% macro column_rules_key_text(columns, text) -%}
concat_ws(
    ', '
    {%- for column in columns %},
    coalesce(cast({{ column }} as {{ text }}), 'null')
    {%- endfor %}
)
{%- endmacro %}
