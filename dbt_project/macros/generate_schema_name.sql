{#-
    Schemas are exactly the layer names (`staging`, `intermediate`, `marts`, `seeds`),
    not dbt's default `<target schema>_<custom schema>`: analysts' queries and the
    partner exports name `marts.fct_serious_violence`, never `main_marts`.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
