{#-
    Which partner extracts each published table and each mart reads, from dbt's own
    lineage: for every model in schemas `publish` and `marts`, the `raw` sources upstream
    of it (`<source>/<entity>`, e.g. `opcc/icv_visits`). The manifests' `reads`, the `[x]`
    of missing data and the gates' choice of which exports a failing check holds back
    all come from here, so no list of a table's sources is kept by hand. One exception:
    where one model holds several extracts and a `pub_` model reads only one of them
    (the SARC, CYP SARC and ISVA returns share one raw table; the SV Duty admissions
    measure reads only admissions of fct_assault_injury), lineage cannot tell them apart
    and the `pub_` model declares the extract it reads (`meta.publish.reads`).
-#}
{%- set rows = [] -%}
{%- if execute -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model' and node.schema in ('marts', 'publish') -%}
        {%- set declared = (node.config.get('meta') or {}).get('publish', {}).get('reads') -%}
        {%- if declared -%}
            {%- for read in declared -%}
                {%- do rows.append((node.name, read.split('/')[0], read.split('/')[1])) -%}
            {%- endfor -%}
        {%- else -%}
            {%- for read in upstream_raw_sources(node.unique_id) -%}
                {%- do rows.append((node.name, read[0], read[1])) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif %}

select
    cast(lineage.model_name as {{ type_text() }}) as model_name,
    cast(lineage.source as {{ type_text() }}) as source,
    cast(lineage.entity as {{ type_text() }}) as entity
from (
    values
    {%- for row in rows %}
        ('{{ row[0] }}', '{{ row[1] }}', '{{ row[2] }}'){{ "," if not loop.last }}
    {%- else %}
        (null, null, null)
    {%- endfor %}
) as lineage (model_name, source, entity)
where lineage.model_name is not null
