{#- One row per custody suite, with its ICV visit target (the ref_custody_suites seed). -#}
select
    cast(suite_code as {{ type_text() }}) as suite_code,
    cast(suite_name as {{ type_text() }}) as suite_name,
    cast(cells as integer) as cells,
    cast(suite_role as {{ type_text() }}) as suite_role,
    cast(weekly_icv_visit_target as integer) as weekly_icv_visit_target
from {{ ref('ref_custody_suites') }}
