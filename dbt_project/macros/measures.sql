{#- Shared arithmetic for the marts, so every rate and share is computed the same way. -#}

{#- A rate per 1,000 people; null when there is no population to divide by. -#}
{% macro rate_per_1000(count_expr, population_expr) -%}
    cast({{ count_expr }} as double) * 1000 / nullif({{ population_expr }}, 0)
{%- endmacro %}

{#- A share as a fraction 0-1; null when the whole is 0 (no rate over nothing). -#}
{% macro share(part_expr, whole_expr) -%}
    cast({{ part_expr }} as double) / nullif({{ whole_expr }}, 0)
{%- endmacro %}

{#- The usual median: the mean of the two middle values when the count is even. -#}
{% macro median(expr) -%}
    {{ median_cont(expr) }}
{%- endmacro %}

{#- Five-year age bands as the SNA charts them (`0-9` for the youngest, `75+` for the
    oldest); `unknown` when no age was recorded. -#}
{% macro age_band(age_expr) -%}
    case
        when {{ age_expr }} is null then 'unknown'
        when {{ age_expr }} < 10 then '0-9'
        when {{ age_expr }} >= 75 then '75+'
        else
            cast(({{ int_div(age_expr, 5) }}) * 5 as {{ type_text() }})
            || '-' || cast(({{ int_div(age_expr, 5) }}) * 5 + 4 as {{ type_text() }})
    end
{%- endmacro %}

{#- Y/N flag -> boolean; blank (unknown) counts as not flagged (spec, General rules). -#}
{% macro flag_is_set(flag_expr) -%}
    coalesce(upper(trim({{ flag_expr }})) = 'Y', false)
{%- endmacro %}
