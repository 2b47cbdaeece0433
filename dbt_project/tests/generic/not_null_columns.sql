{#-
    None of `columns` is ever null: one query for all of a model's required columns.
    Fails with one row per column that has nulls, saying how many.
-#}
{% test not_null_columns(model, columns) %}

{%- for column in columns %}
select
    '{{ column }}' as column_name,
    count(*) as null_rows
from {{ model }}
where {{ column }} is null
having count(*) > 0
{%- if not loop.last %}

union all

{% endif %}
{%- endfor %}

{% endtest %}
