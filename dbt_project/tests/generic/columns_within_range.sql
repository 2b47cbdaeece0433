{#-
    Every non-null value of each listed column lies within [min_value, max_value]: one
    query for many columns (shares are fractions 0-1, counts are never negative). Fails
    with each offending row, naming the column and its value.
-#}
{% test columns_within_range(model, columns, min_value=none, max_value=none) %}

{%- for column in columns %}
select
    '{{ column }}' as column_name,
    cast({{ column }} as double) as value_out_of_range
from {{ model }}
where
    {{ column }} is not null
    and (
        false
        {%- if min_value is not none %}
        or {{ column }} < {{ min_value }}
        {%- endif %}
        {%- if max_value is not none %}
        or {{ column }} > {{ max_value }}
        {%- endif %}
    )
{%- if not loop.last %}

union all

{% endif %}
{%- endfor %}

{% endtest %}
