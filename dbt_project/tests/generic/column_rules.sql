{#-
    A table's plain rules on its own columns, all in one test: one query, one dbt node
    (dbt spends about 20 ms on each test node whatever the data, BENCHMARKS.md), one
    Dagster check on the model. Each argument is optional:

      primary_key:         the key's columns: never null, never repeated
      not_null:            columns that are never null
      within_range:        [{columns, min_value, max_value}]: every non-null value of
                           each column lies within the bounds (either may be left out)
      unique:              columns whose non-null values are distinct (dbt's `unique`)
      unique_combinations: [[columns]]: no two rows share the values of the columns
      accepted_values:     {column: [values]}: every non-null value is one of these
                           (a string is compared as a string, a number as a number)

    Fails with one row per broken rule and offending value: the rule (`primary key`,
    `not null`, `within 0 to 120`, `at least 0`, `at most 1`, `unique`, `unique
    combination`, `accepted values`), its columns, the value (a key's values joined with
    ", "; none for `not null`), and how many rows carry it.
    A rule with its own config (`severity: warn`, a `where`) stays a test of its own.
-#}
{% test column_rules(
    model,
    primary_key=[],
    not_null=[],
    within_range=[],
    unique=[],
    unique_combinations=[],
    accepted_values={}
) %}

{%- set text = type_text() %}
{%- set parts = [] %}

{%- if primary_key %}
{%- set part %}
select
    'primary key' as rule,
    '{{ primary_key | join(", ") }}' as column_names,
    {{ column_rules_key_text(primary_key) }} as offending_value,
    count(*) as failing_rows
from {{ model }}
group by {{ primary_key | join(', ') }}
having
    count(*) > 1
    {%- for column in primary_key %}
    or {{ column }} is null
    {%- endfor %}
{%- endset %}
{%- do parts.append(part) %}
{%- endif %}

{%- for column in not_null %}
{%- set part %}
select
    'not null' as rule,
    '{{ column }}' as column_names,
    cast(null as {{ text }}) as offending_value,
    count(*) as failing_rows
from {{ model }}
where {{ column }} is null
having count(*) > 0
{%- endset %}
{%- do parts.append(part) %}
{%- endfor %}

{%- for bounds in within_range %}
{%- set min_value = bounds.get('min_value') %}
{%- set max_value = bounds.get('max_value') %}
{%- for column in bounds['columns'] %}
{%- set part %}
select
    '{{ column_rules_bounds_text(min_value, max_value) }}' as rule,
    '{{ column }}' as column_names,
    cast({{ column }} as {{ text }}) as offending_value,
    count(*) as failing_rows
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
group by {{ column }}
{%- endset %}
{%- do parts.append(part) %}
{%- endfor %}
{%- endfor %}

{%- for column in unique %}
{%- set part %}
select
    'unique' as rule,
    '{{ column }}' as column_names,
    cast({{ column }} as {{ text }}) as offending_value,
    count(*) as failing_rows
from {{ model }}
where {{ column }} is not null
group by {{ column }}
having count(*) > 1
{%- endset %}
{%- do parts.append(part) %}
{%- endfor %}

{%- for combination in unique_combinations %}
{%- set part %}
select
    'unique combination' as rule,
    '{{ combination | join(", ") }}' as column_names,
    {{ column_rules_key_text(combination) }} as offending_value,
    count(*) as failing_rows
from {{ model }}
group by {{ combination | join(', ') }}
having count(*) > 1
{%- endset %}
{%- do parts.append(part) %}
{%- endfor %}

{%- for column, values in accepted_values.items() %}
{%- set part %}
select
    'accepted values' as rule,
    '{{ column }}' as column_names,
    cast({{ column }} as {{ text }}) as offending_value,
    count(*) as failing_rows
from {{ model }}
where
    {{ column }} not in (
        {%- for value in values %}
        {%- if value is string %}
        '{{ value | replace("'", "''") }}'
        {%- else %}
        {{ value }}
        {%- endif %}
        {{- "," if not loop.last }}
        {%- endfor %}
    )
group by {{ column }}
{%- endset %}
{%- do parts.append(part) %}
{%- endfor %}

{%- if not parts %}
{{ exceptions.raise_compiler_error("column_rules on " ~ model ~ ": no rule given") }}
{%- endif %}

{{ parts | join('\n\nunion all\n\n') }}

{% endtest %}

