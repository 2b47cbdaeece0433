{#-
    Spark only (tools/spark_warehouse.py load): register every source table of the
    project as an external Parquet table of the same schema and name, read from
    `<folder>/<schema>/<identifier>/`, where the tool has written the DuckDB warehouse's
    table. Run as `dbt run-operation register_parquet_sources --args "{folder: …}"
    --target spark`.
-#}
{% macro register_parquet_sources(folder) %}
    {%- if target.type != 'spark' -%}
        {{ exceptions.raise_compiler_error(
            "register_parquet_sources is for the spark target; DuckDB reads raw.* itself") }}
    {%- endif -%}
    {%- set registered = [] -%}
    {%- for source in graph.sources.values() | sort(attribute='unique_id') -%}
        {%- set table = source.schema ~ '.' ~ source.identifier -%}
        {%- if table not in registered -%}
            {%- do run_query('create schema if not exists ' ~ source.schema) -%}
            {%- do run_query('drop table if exists ' ~ table) -%}
            {%- do run_query('create table ' ~ table ~ " using parquet location '"
                ~ folder ~ '/' ~ source.schema ~ '/' ~ source.identifier ~ "'") -%}
            {%- do registered.append(table) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ log(registered | length ~ ' source tables registered from ' ~ folder, info=True) }}
{% endmacro %}
