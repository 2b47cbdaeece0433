{#-
    Each group of `group_by` columns (the whole model when none) has exactly `expected`
    rows: a grain whose every combination must be present (e.g. 43 forces x 6 measures
    a year). Fails with each group and its row count (with no `group_by`, an empty model fails too).
-#}
{% test rows_per_group(model, expected, group_by=[]) %}

with

counted as (

    select
        {%- for column in group_by %}
        {{ column }},
        {%- endfor %}
        count(*) as row_count
    from {{ model }}
    {%- if group_by %}
    group by {{ group_by | join(', ') }}
    {%- endif %}

)

select * from counted
where row_count != {{ expected }}

{% endtest %}
