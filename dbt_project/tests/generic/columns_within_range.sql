{#-
    Every non-null value of each listed column lies within [min_value, max_value]: one
    query for many columns. The same rule as `column_rules`' `within_range` (and the
    same failing rows), for a range with a config of its own (e.g. `severity: warn`); a
    plain one goes in the model's `column_rules`.
-#}
{% test columns_within_range(model, columns, min_value=none, max_value=none) %}

{{ test_column_rules(
    model,
    within_range=[{'columns': columns, 'min_value': min_value, 'max_value': max_value}]
) }}

{% endtest %}
