{#- One row per police beat, with every area it rolls up to (the ref_beats seed). -#}
select
    cast(beat_code as {{ type_text() }}) as beat_code,
    cast(beat_name as {{ type_text() }}) as beat_name,
    cast(npa_name as {{ type_text() }}) as npa_name,
    cast(district_code as {{ type_text() }}) as district_code,
    cast(district_name as {{ type_text() }}) as district_name,
    cast(la_code as {{ type_text() }}) as la_code,
    cast(la_name as {{ type_text() }}) as la_name,
    cast(csp_name as {{ type_text() }}) as csp_name
from {{ ref('ref_beats') }}
