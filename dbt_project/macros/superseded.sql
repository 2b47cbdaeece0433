{#-
    The rows of a staged relation that a newer row of the same key supersedes, as
    (file_name, row_number): anti-join them to keep one row per key.

    The ingest keeps a key unique across current files (partner-extracts.md, Validation
    rules), so this is normally empty; should a key ever arrive twice, the newer period's
    row stands (then the later row). The keys are grouped alone first
    and only the rows of a key found more than once are ranked. Ranking every row
    (`qualify row_number() over (partition by key ...) = 1`) sorted all of its columns:
    at scale 20, three quarters of int_police__crime_people's build.

    `relation`: a ref, not a CTE (a CTE read twice is materialised whole);
    `key`: the key's columns.
-#}
{% macro superseded_rows(relation, key) %}
    select ranked.file_name, ranked.row_number
    from {{ relation }} as ranked
    semi join (
        select {{ key | join(', ') }}
        from {{ relation }}
        group by {{ key | join(', ') }}
        having count(*) > 1
    ) as duplicated
        on
        {%- for column in key %}
            {{ 'and ' if not loop.first }}ranked.{{ column }} is not distinct from duplicated.{{ column }}
        {%- endfor %}
    qualify
        row_number() over (
            partition by {% for column in key %}ranked.{{ column }}{{ ', ' if not loop.last }}{% endfor %}
            order by period desc, row_number desc
        ) > 1
{% endmacro %}
