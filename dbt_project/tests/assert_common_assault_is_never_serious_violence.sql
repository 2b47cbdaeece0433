-- Common assault (105A) and the other codes reference-data.md names as never serious
-- violence must have no sv_group in the seed and no row in fct_serious_violence.
-- Returns the offending codes.
-- A check on the model it tests in Dagster (it reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'fct_serious_violence'}}}) }}
select
    ho_offence_code,
    'seed gives it an sv_group' as problem
from {{ ref('ref_offence_codes') }}
where
    ho_offence_code in ('105A', '9A', '8S', '46', '58A', '92A')
    and sv_group is not null

union all

select distinct
    ho_offence_code,
    'counted in fct_serious_violence' as problem
from {{ ref('fct_serious_violence') }}
where ho_offence_code in ('105A', '9A', '8S', '46', '58A', '92A')
