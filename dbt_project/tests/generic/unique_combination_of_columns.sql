{#-
    A composite key holds: no two rows share the same values of `combination`. The same
    rule as `column_rules`' `unique_combinations` (and the same failing rows), for a key
    with a config of its own (e.g. `severity: warn`); a plain one goes in the model's
    `column_rules`. (dbt_utils has one; the project takes no packages, so nothing is
    downloaded at build.)
-#}
{% test unique_combination_of_columns(model, combination) %}

{{ test_column_rules(model, unique_combinations=[combination]) }}

{% endtest %}
