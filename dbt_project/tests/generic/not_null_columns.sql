{#-
    None of `columns` is ever null: one query for many columns. The same rule as
    `column_rules`' `not_null` (and the same failing rows), for columns with a config of
    their own (e.g. a `where`); plain ones go in the model's `column_rules`.
-#}
{% test not_null_columns(model, columns) %}

{{ test_column_rules(model, not_null=columns) }}

{% endtest %}
