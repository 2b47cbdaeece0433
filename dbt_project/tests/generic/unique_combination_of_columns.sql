{#-
    A composite key holds: no two rows share the same values of `combination`.
    (dbt_utils has one; the project takes no packages, so nothing is downloaded at build.)
    Fails with one row per duplicated key, saying how many rows share it.
-#}
{% test unique_combination_of_columns(model, combination) %}

select
    {{ combination | join(', ') }},
    count(*) as rows_sharing_key
from {{ model }}
group by {{ combination | join(', ') }}
having count(*) > 1

{% endtest %}
