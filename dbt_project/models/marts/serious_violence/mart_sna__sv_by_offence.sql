{#-
    Serious violence per financial year and Home Office offence code (003 SNA: ABH 8N
    31.8% of all serious violence), with its share. Every code in the definition appears
    for every year, 0 when none.
-#}
with

serious_violence as (

    select * from {{ ref('fct_serious_violence') }}

),

llr as (

    select * from {{ ref('mart_sv_by_area') }}
    where area_level = 'llr'

),

sv_offences as (

    select * from {{ ref('dim_offence') }}
    where is_serious_violence

),

counted as (

    select
        financial_year,
        ho_offence_code,
        count(*) as offences
    from serious_violence
    group by financial_year, ho_offence_code

)

select
    cast(llr.financial_year as varchar) as financial_year,
    cast(sv_offences.ho_offence_code as varchar) as ho_offence_code,
    cast(sv_offences.description as varchar) as offence_description,
    cast(sv_offences.sv_group as varchar) as sv_group,
    cast(coalesce(counted.offences, 0) as bigint) as offences,
    cast({{ share('coalesce(counted.offences, 0)', 'llr.offences') }} as double) as share_of_sv
from llr
cross join sv_offences
left join counted
    on
        llr.financial_year = counted.financial_year
        and sv_offences.ho_offence_code = counted.ho_offence_code
