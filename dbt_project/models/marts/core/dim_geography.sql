{#- One row per police beat, with every area it rolls up to (the ref_beats seed). -#}
select
    cast(beat_code as varchar) as beat_code,
    cast(beat_name as varchar) as beat_name,
    cast(npa_name as varchar) as npa_name,
    cast(district_code as varchar) as district_code,
    cast(district_name as varchar) as district_name,
    cast(la_code as varchar) as la_code,
    cast(la_name as varchar) as la_name,
    cast(csp_name as varchar) as csp_name
from {{ ref('ref_beats') }}
