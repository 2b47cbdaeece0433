{#- The publish layer's lineage and missing-data rules, written once. -#}

{#- The `raw` sources (partner extracts) upstream of a node, as sorted
    (source_name, table_name) pairs, walking dbt's graph breadth first. The walk does
    not pass through a model marked `meta.publish.not_read` (what it reads decides
    which rows to build, not what they hold: int_police__crime_inputs). -#}
{% macro upstream_raw_sources(unique_id) -%}
    {%- set ns = namespace(frontier=[unique_id], seen=[], found=[]) -%}
    {%- for _ in range(100) if ns.frontier -%}
        {%- set next_ids = [] -%}
        {%- for node_id in ns.frontier if node_id not in ns.seen -%}
            {%- do ns.seen.append(node_id) -%}
            {%- if node_id.startswith('source.') -%}
                {%- set src = graph.sources[node_id] -%}
                {%- if src.schema == 'raw' -%}
                    {%- do ns.found.append((src.source_name, src.name)) -%}
                {%- endif -%}
            {%- elif node_id in graph.nodes and not (
                    (graph.nodes[node_id].config.get('meta') or {}).get('publish', {})
                    .get('not_read')) -%}
                {%- do next_ids.extend(graph.nodes[node_id].depends_on.nodes) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set ns.frontier = next_ids -%}
    {%- endfor -%}
    {{ return(ns.found | unique | sort) }}
{%- endmacro %}

{#- The partner files a published row draws on that are missing, as one text
    (`health/assault_admissions 2023-24Q2; ...`), or null when every one is here: every
    quarterly extract upstream of this model (int_publish__reads) whose quarter overlaps
    the row's period and has no loaded file (int_publish__source_coverage). The exporter
    shows such a row's figures as `[x]` (DESIGN.md "Known-missing data is shown"). -#}
{% macro publish_missing(period_start, period_end) -%}
    {#- The inner query names its columns missing_*, so the caller's period_start and
        period_end always bind to the published row, never to the coverage table. -#}
    (
        select
            {{ string_agg_sorted('missing_files.missing_file', "'; '") }}
        from (
            select
                coverage.source || '/' || coverage.entity || ' ' || coverage.period
                    as missing_file,
                coverage.period_start as missing_start,
                coverage.period_end as missing_end
            from {{ ref('int_publish__source_coverage') }} as coverage
            inner join {{ ref('int_publish__reads') }} as reads
                on
                    coverage.source = reads.source
                    and coverage.entity = reads.entity
            where
                reads.model_name = '{{ this.identifier }}'
                and coverage.is_missing
        ) as missing_files
        where
            missing_files.missing_start <= {{ period_end }}
            and missing_files.missing_end >= {{ period_start }}
    )
{%- endmacro %}

{#- The bookkeeping columns every published row carries, in this order: the first and
    last day its figures draw on (`draws_from`, `draws_to`: the exporter holds back an
    export whose days include a quarter a quality gate failed) and `missing`. -#}
{% macro publish_bookkeeping(period_start, period_end) -%}
    cast({{ period_start }} as date) as draws_from,
    cast({{ period_end }} as date) as draws_to,
    cast({{ publish_missing(period_start, period_end) }} as {{ type_text() }}) as missing
{%- endmacro %}
