{#-
    In a published table, within each group of rows (`group_by`), the row whose
    `category` is `total` holds the sum of the other rows, for every column of `counts`:
    the margin disclosure control relies on, and proof that no category was left out.
    Fails with each group whose parts and total differ.
-#}
{% test publish_categories_add_up(model, group_by, category, total, counts) %}

select
    {{ group_by | join(', ') }}
    {%- for count in counts %},
    coalesce(sum({{ count }}) filter (where {{ category }} != '{{ total }}'), 0)
        as {{ count }}_parts,
    sum({{ count }}) filter (where {{ category }} = '{{ total }}') as {{ count }}_total
    {%- endfor %}
from {{ model }}
group by {{ group_by | join(', ') }}
having
    false
    {%- for count in counts %}
    or coalesce(sum({{ count }}) filter (where {{ category }} != '{{ total }}'), 0)
    is distinct from sum({{ count }}) filter (where {{ category }} = '{{ total }}')
    {%- endfor %}

{% endtest %}
