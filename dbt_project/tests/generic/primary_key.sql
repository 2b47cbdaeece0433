{#-
    `columns` are the model's key: never null and never repeated. One query for both
    rules; fails with each duplicated or incomplete key and how many rows carry it.
-#}
{% test primary_key(model, columns) %}

select
    {{ columns | join(', ') }},
    count(*) as rows_with_key
from {{ model }}
group by {{ columns | join(', ') }}
having
    count(*) > 1
    {%- for column in columns %}
    or {{ column }} is null
    {%- endfor %}

{% endtest %}
